// test_csp.js: the account page is served with a strict
// Content-Security-Policy and the fragments live with it: Chromium shows
// them styled, with the photo, and reports no violation at all.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const S = require('./stack.js');

const CSP = "default-src 'self'; img-src 'self' http: https:";
const skip = S.skipReason();
const T = 90000; // ms: every test ends by itself
const users = S.demoUsers().map(S.expectations);
// Users whose page shows every kind of fragment: complete, partial
// (with its consent link), consent needed.
const shown = [
	users.find((u) => !u.expired && !u.photoRefused && !u.everythingRefused && u.photo),
	users.find((u) => !u.expired && u.photoRefused && !u.everythingRefused),
	users.find((u) => !u.expired && u.everythingRefused),
];
const demo = S.useDemo('csp', skip);

test('every page of the site carries the policy', { skip, timeout: T }, async () => {
	for (const p of ['/', '/account.shtml', '/static/app.js', '/static/richprofile.css']) {
		const r = await fetch(demo.stack.siteUrl + p);
		assert.equal(r.status, 200, p);
		assert.equal(r.headers.get('content-security-policy'), CSP, p);
	}
	const account = await fetch(`${demo.stack.siteUrl}/account.shtml`);
	assert.equal(account.headers.get('cache-control'), 'private, no-store');
	assert.match(account.headers.get('vary') || '', /Cookie/);
});

// Each security header exactly once on every answer, the program's
// included: nginx adds them at the server level and the program sends
// X-Content-Type-Options too, which must not make two.
test('every answer carries each security header exactly once', { skip, timeout: T }, async () => {
	const u = shown[0];
	assert.ok(u, 'the users file has a user with a complete profile');
	const page = await demo.browser.newPage();
	try {
		await S.signIn(page, demo.stack, u);
		for (const p of ['/', '/account.shtml', '/richprofile/fragment?view=card',
			'/richprofile/fragment?view=account', '/richprofile/profile.json?view=card',
			'/richprofile/ping']) {
			const r = await page.request.get(demo.stack.siteUrl + p);
			assert.equal(r.status(), 200, p);
			const raw = r.headersArray();
			for (const name of ['x-content-type-options', 'content-security-policy', 'referrer-policy']) {
				const values = raw.filter((h) => h.name.toLowerCase() === name).map((h) => h.value);
				assert.equal(values.length, 1, `${p}: ${name} ${values.length} times: ${JSON.stringify(values)}`);
			}
			assert.equal(raw.find((h) => h.name.toLowerCase() === 'x-content-type-options').value, 'nosniff', p);
		}
		// A signed-in user's fragment really came from the program.
		const frag = await page.request.get(`${demo.stack.siteUrl}/richprofile/fragment?view=card`);
		assert.equal(frag.headers()['x-richprofile-status'], 'ok');
	} finally {
		await page.close();
	}
});

for (const [i, u] of shown.entries()) {
	test(`no CSP violation with ${u ? u.id : `demo user ${i}`}'s fragments`, { skip, timeout: T }, async () => {
		assert.ok(u, 'the users file has such a user');
		const page = await demo.browser.newPage();
		const reports = [];
		page.on('console', (m) => {
			if (/Content[- ]Security[- ]Policy|Refused to/i.test(m.text()))
				reports.push(m.text());
		});
		await page.addInitScript(() => {
			window.rpViolations = [];
			document.addEventListener('securitypolicyviolation', (e) => {
				window.rpViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
			});
		});
		try {
			await S.signIn(page, demo.stack, u);
			const main = await page.goto(`${demo.stack.siteUrl}/account.shtml`);
			assert.equal(main.headers()['content-security-policy'], CSP);
			await S.settled(page);
			await page.locator('#js-profile dl').waitFor();

			const frag = page.locator('.account-card .rp');
			assert.ok(await frag.isVisible(), 'the fragment is shown');
			// The shipped stylesheet applies (no inline style was needed).
			const sheet = await page.evaluate(() => Array.from(document.styleSheets)
				.filter((s) => /richprofile\.css$/.test(s.href || '')).map((s) => s.cssRules.length));
			assert.ok(sheet.length === 1 && sheet[0] > 0, 'richprofile.css is loaded');
			if (!u.photoRefused && !u.everythingRefused) {
				const w = await frag.locator('img').first().evaluate((img) => img.naturalWidth);
				assert.ok(w > 0, 'the photo from the API host loaded under img-src');
			}
			assert.deepEqual(await page.evaluate(() => window.rpViolations), [], 'no securitypolicyviolation event');
			assert.deepEqual(reports, [], 'no CSP report in the console');
		} finally {
			await page.close();
		}
	});
}
