// test_escaping.js: the demo user whose profile holds HTML and script.
// In a real Chromium nothing of it executes: no dialog opens, the title
// stays the site's, no element is injected into the page; the text shows
// literally, in the fragments and in the box app.js fills from JSON.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const S = require('./stack.js');

const skip = S.skipReason();
const T = 90000; // ms: every test ends by itself
const users = S.demoUsers().map((u) => ({ ...S.expectations(u), keys: u.keys }));
// The user whose name holds markup and whose first name holds a script.
const evil = users.find((u) => /</.test(u.names[0] || '') && /<script/i.test(u.keys.firstname || ''));
const demo = S.useDemo('escaping', skip);

test('the script-bearing user: nothing executes, the text shows literally', { skip, timeout: T }, async () => {
	assert.ok(evil, 'the users file has a user with a script in the name');
	const page = await demo.browser.newPage();
	const dialogs = [];
	page.on('dialog', (d) => {
		dialogs.push(d.message());
		d.dismiss().catch(() => {});
	});
	// Anything the payload manages to run would show up here.
	await page.addInitScript(() => {
		window.addEventListener('DOMContentLoaded', () => {
			window.rpMutations = [];
			new MutationObserver((records) => {
				for (const r of records)
					for (const n of r.addedNodes)
						if (n.nodeType === 1)
							window.rpMutations.push(n.outerHTML.slice(0, 200));
			}).observe(document.documentElement, { childList: true, subtree: true });
		});
	});
	try {
		await S.signIn(page, demo.stack, evil);
		await S.settled(page);
		await page.locator('#js-profile dl').waitFor();

		assert.deepEqual(dialogs, [], 'no dialog opened');
		const title = evil.lang === 'en' ? 'My account — La Boutique du Quai' : 'Mon compte — La Boutique du Quai';
		assert.equal(await page.title(), title, 'the title is the site\'s');

		// The only script is the site's own; no element carries an event
		// handler or comes from the profile's markup.
		const scripts = await page.$$eval('script', (s) => s.map((e) => e.getAttribute('src')));
		assert.deepEqual(scripts, ['/static/app.js']);
		const handlers = await page.$$eval('*', (all) => all.flatMap((e) =>
			Array.from(e.attributes).filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName} ${a.name}`)));
		assert.deepEqual(handlers, [], 'no event handler attribute');
		for (const tag of ['iframe', 'object', 'embed', 'svg', 'form'])
			assert.equal(await page.locator(tag).count(), 0, `no <${tag}>`);
		// What app.js added is text in elements it made, nothing else.
		const added = await page.evaluate(() => window.rpMutations);
		for (const html of added)
			assert.doesNotMatch(html, /<(script|img|iframe|svg)\b/i, `app.js added only text: ${html}`);

		// The name, markup and all, reads literally where a person looks:
		// the card's name, the account view's first name, the JSON box.
		const cardText = await page.locator('.account-card .rp').innerText();
		assert.ok(cardText.includes(evil.names[0]),
			`the card shows ${JSON.stringify(evil.names[0])} literally: ${JSON.stringify(cardText)}`);
		const detailsText = await page.locator('.account-details .rp').innerText();
		assert.ok(detailsText.includes(evil.keys.firstname),
			`the account view shows ${JSON.stringify(evil.keys.firstname)} literally`);
		const jsText = await page.locator('#js-profile').innerText();
		assert.ok(jsText.includes(evil.names[0]), `app.js shows it literally too: ${JSON.stringify(jsText)}`);
		await page.screenshot({ path: S.screenshotPath('escaping'), fullPage: true });
	} finally {
		await page.close();
	}
});
