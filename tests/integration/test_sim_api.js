// test_sim_api.js: the simulator's getPersonalRichProfile answers, user by user, against the contract.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startSim, readUsers, paths } = require('../lib/stack');
const S = require('../lib/sim');

const users = readUsers(paths.users);
let sim;

before(async () => { sim = await startSim(null); });
after(async () => {
  const r = await sim.stop();
  assert.equal(r.code, 0, 'SIGTERM stops the simulator with status 0');
});

const ADDR_PARTS = ['Street1', 'Street2', 'ZipCode', 'City', 'State', 'Country'];

// What the users file says attribute a of user u holds, as the answer should carry it.
function expectedText(u, a) {
  if (a === 'PreferredLanguage') return u.PreferredLanguage || u.language || 'fr';
  return u[a];
}

test('every user in the users file answers; all HTTP 200 with XML', async () => {
  assert.ok(Object.keys(users).length >= 5, 'at least five demo users');
  for (const [id, u] of Object.entries(users)) {
    const r = await S.api(sim, S.ATTRS, u.token);
    assert.equal(r.status, 200, id);
    assert.match(r.headers['content-type'], /^application\/xml; charset=UTF-8$/, id);
  }
});

test('granted: amelie gets every attribute of the catalogue, values as in the users file', async () => {
  const u = users.amelie;
  const { answer } = await S.api(sim, S.ATTRS, u.token);
  assert.equal(answer.kind, 'data');
  assert.deepEqual(Object.keys(answer.authorized), S.ATTRS, 'every attribute, catalogue order');
  assert.deepEqual(answer.unauthorized, []);
  assert.equal(answer.url, undefined, 'no privacy url when all is granted');
  for (const a of S.ATTRS) {
    if (a.endsWith('Address') || a === 'CentersOfInterests' || a.startsWith('PictureTag')) continue;
    assert.equal(S.unescapeXml(answer.authorized[a]), expectedText(u, a), a);
  }
  assert.equal(S.unescapeXml(answer.authorized.Firstname), 'Amélie', 'UTF-8 accents intact');
});

test('addresses are nested parts', async () => {
  const u = users.amelie;
  const { answer } = await S.api(sim, 'HomeAddress,OfficeAddress', u.token);
  for (const which of ['HomeAddress', 'OfficeAddress']) {
    const xml = answer.authorized[which];
    const want = ADDR_PARTS.filter((p) => u[`${which}.${p}`] !== undefined);
    assert.deepEqual(S.children(xml), want, which);
    for (const p of want) assert.equal(S.unescapeXml(S.element(xml, p)), u[`${which}.${p}`], `${which}.${p}`);
  }
});

test('interests: child elements for some users, separated lists for others', async () => {
  const split = (s) => s.split(',').map((x) => x.trim());
  const shapes = { amelie: null, sophie: null, 'jean-baptiste': ', ', john: ', ', camille: ';', mallory: '\n' };
  for (const [id, sep] of Object.entries(shapes)) {
    const { answer } = await S.api(sim, 'CentersOfInterests', users[id].token);
    const raw = answer.authorized.CentersOfInterests;
    const want = split(users[id].CentersOfInterests);
    if (sep === null) {
      assert.deepEqual(S.children(raw), want.map(() => 'CenterOfInterest'), id);
      assert.deepEqual([...raw.matchAll(/<CenterOfInterest>([^<]*)</g)].map((m) => S.unescapeXml(m[1])), want, id);
    } else {
      assert.equal(S.unescapeXml(raw), want.join(sep), id);
    }
  }
  assert.ok(split(users['jean-baptiste'].CentersOfInterests).length >= 5, 'a user with several interests');
});

test('photo URLs are absolute, built from the public URL, and served', async () => {
  const { answer } = await S.api(sim, S.PHOTO_ATTRS, users.amelie.token);
  const sizes = ['tiny', 'small', 'medium', 'large'];
  S.PHOTO_ATTRS.forEach((a, i) => assert.equal(answer.authorized[a], `${sim.url}/photos/amelie.png?size=${sizes[i]}`, a));
  const img = await S.request(S.unescapeXml(answer.authorized.PictureTagSmallURL));
  assert.equal(img.status, 200);
  assert.equal(img.headers['content-type'], 'image/png');
  assert.deepEqual([...img.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
  const none = await S.api(sim, S.PHOTO_ATTRS, users['jean-baptiste'].token);
  for (const a of S.PHOTO_ATTRS) assert.equal(none.answer.authorized[a], '', `photo = no: empty ${a}`);
});

test('long names come back whole', async () => {
  const u = users['jean-baptiste'];
  const { answer } = await S.api(sim, 'Firstname,Lastname,UserEMail', u.token);
  assert.ok(u.Lastname.length > 60);
  assert.equal(S.unescapeXml(answer.authorized.Lastname), u.Lastname);
  assert.equal(S.unescapeXml(answer.authorized.Firstname), u.Firstname);
});

test('values with HTML, script, quotes and & are XML-escaped and round-trip exactly', async () => {
  const u = users.mallory;
  const infos = ['Firstname', 'Lastname', 'Displayname', 'UserEMail', 'Gender', 'DateOfBirth', 'HomePhone', 'UserType', 'PictureTagTinyURL', 'PictureTagSmallURL', 'PictureTagMediumURL'];
  const r = await S.api(sim, infos, u.token);
  assert.ok(!r.body.includes('<script>'), 'no raw <script> in the body');
  assert.ok(!r.body.includes('<img'), 'no raw <img> in the body');
  for (const a of infos) {
    assert.doesNotMatch(r.answer.authorized[a], /[<>"]/, `${a} escaped`);
    assert.equal(S.unescapeXml(r.answer.authorized[a]), u[a], a);
  }
  assert.equal(S.unescapeXml(r.answer.authorized.Firstname), '<script>alert(1)</script>');
  assert.equal(S.unescapeXml(r.answer.authorized.PictureTagTinyURL), 'javascript:alert(4)', 'hostile photo URL passed as given');
});

test('partly withheld: only the photo refused (camille)', async () => {
  const u = users.camille;
  const { answer, body } = await S.api(sim, ['Firstname', ...S.PHOTO_ATTRS, 'Lastname'], u.token);
  assert.equal(answer.kind, 'data');
  assert.deepEqual(Object.keys(answer.authorized), ['Firstname', 'Lastname']);
  assert.deepEqual(answer.unauthorized, S.PHOTO_ATTRS, 'refused ones listed in UserUnauthorizedData');
  const url = new URL(answer.url);
  assert.equal(url.origin, sim.url);
  assert.equal(url.pathname, '/urm-gui/interaction.do');
  assert.equal(url.searchParams.get('familly'), 'RichProfile');
  assert.ok(url.searchParams.get('serviceId'));
  assert.equal(url.searchParams.get('attributes'), S.PHOTO_ATTRS.join(','));
  assert.match(url.searchParams.get('ctx'), /^[0-9a-f]{32}$/, 'opaque context');
  assert.ok(!answer.url.includes(u.token), 'the token is not in the privacy URL');
  assert.match(answer.rawUrl, /&amp;serviceId=/, 'url XML-escaped in the body');
  assert.ok(!/<url>[^<]*&(?!amp;)/.test(body), 'no bare & inside <url>');
});

test('partly withheld: english user with addresses and phones refused (john)', async () => {
  const u = users.john;
  const { answer } = await S.api(sim, 'Firstname,HomeAddress,MobilePhone,PreferredLanguage', u.token);
  assert.deepEqual(Object.keys(answer.authorized), ['Firstname', 'PreferredLanguage']);
  assert.equal(answer.authorized.PreferredLanguage, 'en');
  assert.deepEqual(answer.unauthorized, ['MobilePhone', 'HomeAddress']);
  assert.equal(new URL(answer.url).searchParams.get('attributes'), 'MobilePhone,HomeAddress');
});

test('-3 PrivacyAccessDeniedException when nothing requested is granted', async () => {
  const u = users.maxime;
  const r = await S.api(sim, 'Firstname,Lastname', u.token);
  assert.equal(r.status, 200);
  assert.deepEqual({ kind: r.answer.kind, code: r.answer.code, detail: r.answer.detail }, { kind: 'error', code: -3, detail: 'PrivacyAccessDeniedException' });
  assert.match(r.answer.rawUrl, /^http:\/\/127\.0\.0\.1:\d+\/urm-gui\/interaction\.do\?familly=RichProfile&amp;serviceId=[^&]+&amp;attributes=Firstname,Lastname&amp;ctx=[0-9a-f]{32}$/);
  // Camille too, when only her photo is asked for.
  const c = await S.api(sim, 'PictureTagLargeURL', users.camille.token);
  assert.equal(c.answer.code, -3);
  assert.equal(new URL(c.answer.url).searchParams.get('attributes'), 'PictureTagLargeURL');
});

test('102 for an unknown token, 103 for an expired one', async () => {
  const unknown = await S.api(sim, 'Firstname', 'no-such-token');
  assert.equal(unknown.status, 200);
  assert.equal(unknown.answer.code, 102);
  assert.equal(unknown.answer.url, undefined);
  const expired = await S.api(sim, 'Firstname', users.paul.token);
  assert.equal(expired.answer.code, 103);
});

test('a token holding & # % + = ? / works only when percent-encoded', async () => {
  const u = users.sophie;
  assert.match(u.token, /[&#%+=?/]/);
  const ok = await S.api(sim, 'Firstname', u.token);
  assert.equal(S.unescapeXml(ok.answer.authorized.Firstname), 'Sophie');
  // Sent raw, '+' turns into a space and '&' ends the parameter: not her token.
  const raw = await S.request(`${sim.base}?action=getPersonalRichProfile&infos=Firstname&token=${u.token.replace('#', '%23')}`);
  assert.equal(S.parseAnswer(raw.body).code, 102);
});

test('bad requests get API errors 201/202 with HTTP 200', async () => {
  const cases = [
    ['infos=Firstname&token=x', 201, /action/],
    ['action=&infos=Firstname&token=x', 201, /action/],
    ['action=getSomethingElse&infos=Firstname&token=x', 202, /action/],
    ['action=getPersonalRichProfile&token=x', 201, /infos/],
    ['action=getPersonalRichProfile&infos=&token=x', 201, /infos/],
    ['action=getPersonalRichProfile&infos=Firstname', 201, /token/],
    ['action=getPersonalRichProfile&infos=Firstname&token=', 201, /token/],
    ['action=getPersonalRichProfile&infos=Firstname,Shoesize&token=x', 202, /Shoesize/],
    ['action=getPersonalRichProfile&infos=Firstname,,Lastname&token=x', 202, /infos/],
  ];
  for (const [q, code, detail] of cases) {
    const r = await S.request(`${sim.base}?${q}`);
    assert.equal(r.status, 200, q);
    const a = S.parseAnswer(r.body);
    assert.equal(a.code, code, q);
    assert.match(a.detail, detail, q);
  }
  const post = await S.request(S.apiUrl(sim, 'Firstname', users.amelie.token), { method: 'POST' });
  assert.equal(post.status, 405);
});

test('attribute names: documented alias and case drift are understood', async () => {
  const { answer } = await S.api(sim, 'DisplayNme,firstname', users.amelie.token);
  assert.deepEqual(Object.keys(answer.authorized), ['Firstname', 'Displayname']);
});

test('the base URL with a trailing slash is the API too; other paths 404', async () => {
  const r = await S.request(`${sim.base}/?action=getPersonalRichProfile&infos=Firstname&token=${users.amelie.token}`);
  assert.equal(S.parseAnswer(r.body).kind, 'data');
  assert.equal((await S.request(`${sim.url}/PersonalRichProfile/V2`)).status, 404);
});

test('per-token counters count API calls', async () => {
  const before_ = (await S.stats(sim, users.john.token)).requests;
  await S.api(sim, 'Firstname', users.john.token);
  await S.api(sim, 'Firstname', users.john.token);
  const s = await S.stats(sim, users.john.token);
  assert.equal(s.requests, before_ + 2);
  assert.match(s.fingerprint, /^[0-9a-f]{12}$/);
  const all = await S.stats(sim);
  assert.ok(!JSON.stringify(all).includes(users.john.token), 'no token in the counters');
  assert.equal(all.tokens[s.fingerprint].user, 'john');
});
