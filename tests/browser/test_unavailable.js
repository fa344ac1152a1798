// test_unavailable.js: the upstream stopped.  The account page still
// renders in full around the fragments, which say, in the user's
// language, that the profile is unavailable right now.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const S = require('./stack.js');

const skip = S.skipReason();
const T = 90000; // ms: every test ends by itself
const users = S.demoUsers().map(S.expectations);
const u = users.find((x) => !x.expired && !x.photoRefused && !x.everythingRefused && x.lang === 'fr');
const demo = S.useDemo('unavailable', skip);

test('upstream stopped: the page renders, with the unavailable message', { skip, timeout: T }, async () => {
	assert.ok(u, 'the users file has a French user with a complete profile');
	const page = await demo.browser.newPage();
	try {
		await S.signIn(page, demo.stack, u);
		await S.settled(page);
		assert.match(await page.locator('.account-card .rp').getAttribute('class'), /\brp-ok\b/,
			'complete while the upstream runs');

		const sim = demo.stack.pids['richprofile-sim'];
		process.kill(sim, 'SIGTERM');
		assert.ok(await S.waitGone(sim, 5000), 'the simulator stopped');

		const r = await page.reload();
		assert.equal(r.status(), 200);
		await S.settled(page);
		await page.locator('#js-profile dl').waitFor();
		for (const where of ['.account-card .rp', '.account-details .rp']) {
			const frag = page.locator(where);
			assert.match(await frag.getAttribute('class'), /\brp-unavailable\b/, where);
			assert.ok((await frag.textContent()).includes(S.labels.fr.unavailable), `${where} apologises`);
		}
		// The rest of the page is all there.
		assert.equal(await page.locator('h1').textContent(), 'Mon compte');
		assert.ok(await page.locator('.site-footer').isVisible());
		assert.ok(await page.locator('#signout').isVisible());
		assert.equal(await page.locator('#js-profile .js-status').getAttribute('data-status'), 'unavailable');
		await page.screenshot({ path: S.screenshotPath('unavailable'), fullPage: true });
	} finally {
		await page.close();
	}
});
