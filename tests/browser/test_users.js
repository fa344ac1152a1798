// test_users.js: every demo user, signed in through the demo's sign-in
// page in a real Chromium, sees on the account page what the users file
// says: the name, the photo actually loaded, the interests as tags, the
// labels in the user's language; or, for the users who withheld things or
// whose token expired, the right prompt.  A screenshot of the account page
// per user goes to tests/output/browser/screenshots/USER.png.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const S = require('./stack.js');

const skip = S.skipReason();
const T = 90000; // ms: every test ends by itself
const users = S.demoUsers().map((u) => ({ ...S.expectations(u), keys: u.keys }));
const demo = S.useDemo('users', skip);

test('the users file has the demo users the issue asks for', { skip, timeout: T }, () => {
	assert.ok(users.length >= 5, `${users.length} users`);
	assert.ok(users.some((u) => u.everythingRefused), 'one user withheld everything');
	assert.ok(users.some((u) => u.photoRefused && !u.everythingRefused), 'one user withheld the photo');
	assert.ok(users.some((u) => u.lang === 'en'), 'one user prefers English');
	assert.ok(users.some((u) => u.names.some((n) => /<script/i.test(n))), 'one user has a script in the name');
});

for (const u of users) {
	test(`${u.id}: ${u.about || 'demo user'}`, { skip, timeout: T }, async () => {
		const page = await demo.browser.newPage();
		try {
			await S.signIn(page, demo.stack, u);
			assert.equal(new URL(page.url()).pathname, '/account.shtml');
			await S.settled(page);
			const card = page.locator('.account-card .rp');
			const details = page.locator('.account-details .rp');
			const L = S.labels[u.lang];

			if (u.expired) {
				await assertClass(card, 'rp-signin');
				assert.ok(await card.locator('a[href*="/signin"]').count() > 0, 'a sign-in link');
			} else if (u.everythingRefused) {
				await assertClass(card, 'rp-consent');
				await assertClass(details, 'rp-consent');
				const href = await card.locator(`a[href^="${demo.stack.simUrl}/urm-gui/interaction.do"]`).getAttribute('href');
				assert.match(href, /[?&]urlRetour=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Faccount\.shtml/);
			} else {
				await assertClass(card, u.photoRefused ? 'rp-partial' : 'rp-ok');
				const cardText = await card.textContent();
				assert.ok(u.names.some((n) => cardText.includes(n)),
					`the card shows ${JSON.stringify(u.names)}; it shows ${JSON.stringify(cardText)}`);
				for (const interest of u.interests) {
					const tags = card.getByText(interest, { exact: true });
					assert.equal(await tags.count(), 1, `interest ${JSON.stringify(interest)} is one tag`);
				}
				if (u.photoLoads) {
					const width = await card.locator('img').first().evaluate((img) => img.complete && img.naturalWidth);
					assert.ok(width > 0, `the photo loaded (naturalWidth ${width})`);
				} else if (!u.photo || u.photoRefused) {
					assert.equal(await card.locator('img').count(), 0, 'no photo');
				}
				if (u.photoRefused) {
					const prompt = await card.textContent();
					assert.ok(prompt.includes(L.withheld), `the card says "${L.withheld}"`);
					assert.ok(await card.locator(`a[href^="${demo.stack.simUrl}/urm-gui/interaction.do"]`).count() > 0,
						'a consent link to the privacy page');
				}
				// Labels of the full account view, in the user's language.
				const detailsText = await details.textContent();
				const other = S.labels[u.lang === 'en' ? 'fr' : 'en'];
				const shown = ['Firstname', 'UserEMail', 'DateOfBirth'].filter((k) => u.keys[k.toLowerCase()]);
				assert.ok(shown.length > 0, 'the user has a labelled attribute to look at');
				for (const k of shown) {
					assert.ok(detailsText.includes(L[k]), `label "${L[k]}" (${u.lang})`);
					assert.ok(!detailsText.includes(other[k]), `no label "${other[k]}" of the other language`);
				}
				// The client-side box says the same, in the same language.
				await page.locator('#js-profile dl').waitFor();
				assert.equal(await page.evaluate(() => document.documentElement.lang), u.lang);
				const jsText = await page.locator('#js-profile').textContent();
				assert.ok(u.names.some((n) => jsText.includes(n)), 'profile.json read by app.js shows the name');
			}
			await page.screenshot({ path: S.screenshotPath(u.id), fullPage: true });
		} finally {
			await page.close();
		}
	});
}

test('sign-out clears the session cookie: the page asks to sign in', { skip, timeout: T }, async () => {
	const u = users.find((x) => !x.expired && !x.photoRefused && !x.everythingRefused);
	const page = await demo.browser.newPage();
	try {
		await S.signIn(page, demo.stack, u);
		await S.settled(page);
		await assertClass(page.locator('.account-card .rp'), 'rp-ok');
		await page.locator('#signout').click();
		await page.waitForURL(`${demo.stack.siteUrl}/`);
		const cookies = await demo.browser.cookies(demo.stack.siteUrl);
		assert.deepEqual(cookies.map((c) => c.name), [], 'no cookie left');
		await page.goto(`${demo.stack.siteUrl}/account.shtml`);
		await S.settled(page);
		await assertClass(page.locator('.account-card .rp'), 'rp-signin');
		await assertClass(page.locator('.account-details .rp'), 'rp-signin');
	} finally {
		await page.close();
	}
});

async function assertClass(loc, cls) {
	assert.equal(await loc.count(), 1, `one .rp fragment at ${loc}`);
	const got = await loc.getAttribute('class');
	assert.ok(got.split(/\s+/).includes(cls), `class "${got}" has ${cls}`);
}
