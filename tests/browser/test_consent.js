// test_consent.js: Orange's consent round trip, clicked through as a
// person would in a real Chromium: the account page offers the consent
// link, the simulator's privacy page offers grant once / grant
// permanently / refuse, and the choice shows when the browser comes back.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const S = require('./stack.js');

const skip = S.skipReason();
const T = 90000; // ms: every test ends by itself
const users = S.demoUsers().map(S.expectations);
// The user who withheld only the photo, and the one who withheld everything.
const photoUser = users.find((u) => u.photoRefused && !u.everythingRefused && !u.expired);
const allUser = users.find((u) => u.everythingRefused && !u.expired);
let stack;
let browser;
let page;

before(async () => {
	if (skip)
		return;
	stack = await S.startDemo('consent');
	browser = await S.launchBrowser();
	page = await browser.newPage();
}, { timeout: 120000 });

after(async () => {
	await S.closeBrowser(browser);
	if (stack)
		await stack.stop();
}, { timeout: 60000 });

const card = () => page.locator('.account-card .rp');
const details = () => page.locator('.account-details .rp');
const privacyLink = (loc) => loc.locator(`a[href^="${stack.simUrl}/urm-gui/interaction.do"]`);

async function classOf(loc) {
	return (await loc.getAttribute('class')).split(/\s+/);
}

async function photoWidth() {
	const img = card().locator('img');
	if (await img.count() === 0)
		return 0;
	return img.first().evaluate((i) => i.complete && i.naturalWidth);
}

// From the account page: clicks the card's consent link, checks the
// privacy page, clicks choice, and waits to be back on the account page.
async function consent(choice) {
	await privacyLink(card()).first().click();
	await page.waitForURL(`${stack.simUrl}/urm-gui/interaction.do**`);
	await S.privacyChoice(page, choice);
	await page.waitForURL(`${stack.siteUrl}/account.shtml`);
	await S.settled(page);
}

test('photo withheld: the card shows the consent prompt with the privacy link', { skip, timeout: T }, async () => {
	assert.ok(photoUser, 'the users file has a user who withheld only the photo');
	await S.signIn(page, stack, photoUser);
	await S.settled(page);
	assert.ok((await classOf(card())).includes('rp-partial'));
	assert.equal(await photoWidth(), 0, 'no photo yet');
	const href = await privacyLink(card()).first().getAttribute('href');
	const url = new URL(href);
	assert.ok(url.searchParams.get('attributes').includes('PictureTag'), `attributes= names the photo: ${href}`);
	assert.equal(url.searchParams.get('urlRetour'), `${stack.siteUrl}/account.shtml`);
});

test('grant once: the photo shows once, the prompt is back on the next visit', { skip, timeout: T }, async () => {
	await consent('once');
	assert.ok((await classOf(card())).includes('rp-ok'), 'the card is complete after granting once');
	assert.ok(await photoWidth() > 0, 'the photo loaded');
	await page.screenshot({ path: S.screenshotPath('consent-granted-once'), fullPage: true });

	await page.reload();
	await S.settled(page);
	assert.ok((await classOf(card())).includes('rp-partial'), 'the next visit asks again');
	assert.equal(await photoWidth(), 0, 'no photo on the next visit');
	assert.ok(await privacyLink(card()).count() > 0, 'the consent link is back');
});

test('grant permanently: the photo shows now and on every later visit', { skip, timeout: T }, async () => {
	await consent('always');
	assert.ok((await classOf(card())).includes('rp-ok'));
	assert.ok(await photoWidth() > 0, 'the photo loaded');
	for (let visit = 0; visit < 2; visit++) {
		await page.reload();
		await S.settled(page);
		assert.ok((await classOf(card())).includes('rp-ok'), `still granted on visit ${visit + 2}`);
		assert.ok(await photoWidth() > 0);
		assert.equal(await privacyLink(card()).count(), 0, 'no consent link any more');
	}
});

test('everything withheld: refuse keeps the consent message, grant permanently shows the profile', { skip, timeout: T }, async () => {
	assert.ok(allUser, 'the users file has a user who withheld everything');
	await S.signIn(page, stack, allUser);
	await S.settled(page);
	assert.ok((await classOf(card())).includes('rp-consent'));
	assert.ok((await classOf(details())).includes('rp-consent'));
	const L = S.labels[allUser.lang];
	assert.ok((await card().textContent()).includes(L.consent), `the card says "${L.consent}"`);

	await consent('refuse');
	assert.ok((await classOf(card())).includes('rp-consent'), 'refused: still the consent message');

	await consent('always');
	assert.ok((await classOf(card())).includes('rp-ok'), 'granted: the card is complete');
	const text = await card().textContent();
	assert.ok(allUser.names.some((n) => text.includes(n)), `the card shows the name: ${text}`);
	await page.reload();
	await S.settled(page);
	assert.ok((await classOf(card())).includes('rp-ok'), 'and it stays so');
});
