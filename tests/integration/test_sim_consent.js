// test_sim_consent.js: the privacy page and the consent round trips (grant once, grant permanently, refuse).
'use strict';

const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const { startSim, readUsers, paths } = require('../lib/stack');
const S = require('../lib/sim');

const users = readUsers(paths.users);
const SITE = 'http://127.0.0.1:8080/account?tab=profile&x=1';
let sim;

before(async () => { sim = await startSim(null); });
after(async () => { assert.equal((await sim.stop()).code, 0); });
beforeEach(async () => { assert.equal((await S.control(sim, 'reset')).status, 200); });

// The site's side: the privacy URL of an answer plus its own return address.
function consentLink(answer, ret = SITE) {
  assert.ok(answer.url, 'the answer carries a privacy url');
  return `${answer.url}&urlRetour=${encodeURIComponent(ret)}`;
}

// Posts the form of the privacy page as a browser would.
async function choose(link, choice) {
  const page = await S.request(link);
  assert.equal(page.status, 200, page.body);
  const field = (name) => S.unescapeXml(new RegExp(`name="${name}" value="([^"]*)"`).exec(page.body)[1]);
  const form = new URLSearchParams({ ctx: field('ctx'), attributes: field('attributes'), urlRetour: field('urlRetour'), choice });
  const action = /<form method="post" action="([^"]+)"/.exec(page.body)[1];
  return S.request(new URL(action, link).href, {
    method: 'POST', body: form.toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

test('privacy page lists the attributes asked, with their labels, and three choices', async () => {
  const { answer } = await S.api(sim, ['Firstname', ...S.PHOTO_ATTRS], users.camille.token);
  const page = await S.request(consentLink(answer));
  assert.equal(page.status, 200);
  assert.match(page.headers['content-type'], /^text\/html; charset=UTF-8/);
  assert.match(page.body, /<html lang="fr">/);
  const items = [...page.body.matchAll(/<li data-attribute="(\w+)">([^<]*)<\/li>/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(items, [
    ['PictureTagTinyURL', 'Photo (très petite)'], ['PictureTagSmallURL', 'Photo (petite)'],
    ['PictureTagMediumURL', 'Photo (moyenne)'], ['PictureTagLargeURL', 'Photo (grande)'],
  ]);
  const buttons = [...page.body.matchAll(/<button type="submit" name="choice" value="(\w+)">([^<]+)</g)].map((m) => m[1]);
  assert.deepEqual(buttons, ['once', 'always', 'refuse']);
  assert.ok(!/<script/i.test(page.body), 'no script');
  assert.match(page.headers['content-security-policy'], /default-src 'none'/);
  assert.match(page.body, /name="urlRetour" value="http:\/\/127\.0\.0\.1:8080\/account\?tab=profile&amp;x=1"/, 'return address kept, escaped');
});

test('the privacy page speaks English to a user who prefers it', async () => {
  const { answer } = await S.api(sim, 'Firstname,HomeAddress', users.john.token);
  const page = await S.request(consentLink(answer));
  assert.match(page.body, /<html lang="en">/);
  assert.match(page.body, /<li data-attribute="HomeAddress">Home address<\/li>/);
  assert.match(page.body, />Allow this once</);
});

test('round trip: refused -> privacy page -> grant once -> granted -> refused again', async () => {
  const tok = users.camille.token;
  const first = await S.api(sim, ['Firstname', 'PictureTagSmallURL'], tok);
  assert.deepEqual(first.answer.unauthorized, ['PictureTagSmallURL']);
  const back = await choose(consentLink(first.answer), 'once');
  assert.equal(back.status, 303);
  assert.equal(back.headers.location, SITE, 'sent back to urlRetour');
  const granted = await S.api(sim, ['Firstname', 'PictureTagSmallURL'], tok);
  assert.deepEqual(Object.keys(granted.answer.authorized), ['Firstname', 'PictureTagSmallURL']);
  assert.deepEqual(granted.answer.unauthorized, []);
  assert.equal(granted.answer.url, undefined);
  assert.equal(granted.answer.authorized.PictureTagSmallURL, `${sim.url}/photos/camille.png?size=small`);
  const again = await S.api(sim, ['Firstname', 'PictureTagSmallURL'], tok);
  assert.deepEqual(again.answer.unauthorized, ['PictureTagSmallURL'], 'once means once');
});

test('grant once on a user who refused everything: one answer, then -3 again', async () => {
  const tok = users.maxime.token;
  const refused = await S.api(sim, 'Firstname,Lastname', tok);
  assert.equal(refused.answer.code, -3);
  assert.equal((await choose(consentLink(refused.answer), 'once')).status, 303);
  const ok = await S.api(sim, 'Firstname,Lastname', tok);
  assert.equal(ok.answer.kind, 'data');
  assert.equal(S.unescapeXml(ok.answer.authorized.Firstname), 'Maxime');
  assert.equal((await S.api(sim, 'Firstname,Lastname', tok)).answer.code, -3);
});

test('grant once covers only the attributes asked on the page', async () => {
  const tok = users.maxime.token;
  const refused = await S.api(sim, 'Firstname', tok);
  await choose(consentLink(refused.answer), 'once');
  const r = await S.api(sim, 'Firstname,Lastname', tok);
  assert.deepEqual(Object.keys(r.answer.authorized), ['Firstname']);
  assert.deepEqual(r.answer.unauthorized, ['Lastname']);
});

test('grant permanently: granted on every later call', async () => {
  const tok = users.maxime.token;
  const refused = await S.api(sim, 'Firstname,UserEMail', tok);
  assert.equal((await choose(consentLink(refused.answer), 'always')).status, 303);
  for (let i = 0; i < 3; i++) {
    const r = await S.api(sim, 'Firstname,UserEMail', tok);
    assert.deepEqual(Object.keys(r.answer.authorized), ['Firstname', 'UserEMail'], `call ${i + 1}`);
  }
});

test('refuse: stays refused; and refusing a granted attribute withholds it', async () => {
  const cam = await S.api(sim, 'PictureTagTinyURL', users.camille.token);
  assert.equal((await choose(consentLink(cam.answer), 'refuse')).status, 303);
  assert.equal((await S.api(sim, 'PictureTagTinyURL', users.camille.token)).answer.code, -3);
  // John grants his Firstname; a page for it (his context) can withdraw it.
  const john = await S.api(sim, 'Firstname,HomeAddress', users.john.token);
  assert.deepEqual(Object.keys(john.answer.authorized), ['Firstname']);
  const u = new URL(consentLink(john.answer));
  u.searchParams.set('attributes', 'Firstname');
  assert.equal((await choose(u.href, 'refuse')).status, 303);
  const after_ = await S.api(sim, 'Firstname,HomeAddress', users.john.token);
  assert.equal(after_.answer.code, -3, 'nothing asked is granted any more');
  assert.equal(new URL(after_.answer.url).searchParams.get('attributes'), 'Firstname,HomeAddress');
});

test('privacy page rejects bad return addresses, unknown contexts and choices', async () => {
  const { answer } = await S.api(sim, 'Firstname', users.maxime.token);
  const bad = ['javascript:alert(1)', '/relative/path', 'ftp://example.org/', 'http://', 'http:///x', 'data:text/html,x'];
  for (const ret of bad) {
    const r = await S.request(consentLink(answer, ret));
    assert.equal(r.status, 400, ret);
  }
  assert.equal((await S.request(answer.url)).status, 400, 'no urlRetour at all');
  const u = new URL(consentLink(answer));
  u.searchParams.set('ctx', '0'.repeat(32));
  assert.equal((await S.request(u.href)).status, 400, 'unknown ctx');
  u.searchParams.set('ctx', new URL(answer.url).searchParams.get('ctx'));
  u.searchParams.set('attributes', 'Firstname,Shoesize');
  assert.equal((await S.request(u.href)).status, 400, 'unknown attribute');
  const post = (body) => S.request(`${sim.url}/urm-gui/interaction.do`, {
    method: 'POST', body: new URLSearchParams(body).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  const ctx = new URL(answer.url).searchParams.get('ctx');
  assert.equal((await post({ ctx, attributes: 'Firstname', urlRetour: SITE, choice: 'maybe' })).status, 400);
  assert.equal((await post({ ctx, attributes: 'Firstname', urlRetour: 'javascript:x', choice: 'once' })).status, 400);
  assert.equal((await post({ ctx, attributes: 'Firstname', urlRetour: SITE })).status, 400, 'no choice');
  // None of this granted anything.
  assert.equal((await S.api(sim, 'Firstname', users.maxime.token)).answer.code, -3);
});

test('/_control/reset puts consent back as the users file has it and retires old links', async () => {
  const refused = await S.api(sim, 'Firstname', users.maxime.token);
  const link = consentLink(refused.answer);
  await choose(link, 'always');
  assert.equal((await S.api(sim, 'Firstname', users.maxime.token)).answer.kind, 'data');
  await S.control(sim, 'reset');
  assert.equal((await S.api(sim, 'Firstname', users.maxime.token)).answer.code, -3);
  assert.equal((await S.request(link)).status, 400, 'a link from before the reset no longer works');
});
