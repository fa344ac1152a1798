// test_sim_pages.js: the demo sign-in and sign-out pages, the photos, the index.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startSim, readUsers, paths } = require('../lib/stack');
const S = require('../lib/sim');

const users = readUsers(paths.users);
let sim;

before(async () => { sim = await startSim(null); });
after(async () => { assert.equal((await sim.stop()).code, 0); });

test('sign-in page lists every demo user with what is special, escaped', async () => {
  const r = await S.request(`${sim.url}/signin?return=${encodeURIComponent('/account?x=1')}`);
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^text\/html; charset=UTF-8/);
  assert.ok(!/<script/i.test(r.body), 'no script, and hostile names escaped');
  assert.ok(!r.body.includes('<img src=x'), 'mallory\'s display name is text');
  assert.ok(r.body.includes('&lt;img src=x onerror=alert(2)&gt;'));
  const links = [...r.body.matchAll(/<li><a href="([^"]+)">/g)].map((m) => S.unescapeXml(m[1]));
  assert.equal(links.length, Object.keys(users).length);
  for (const [id, u] of Object.entries(users)) {
    assert.ok(links.includes(`/signin?user=${encodeURIComponent(id)}&return=${encodeURIComponent('/account?x=1')}`), id);
    assert.ok(r.body.includes(u.about.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')), `about ${id}`);
  }
  assert.ok(r.body.includes('Amélie P.'));
  assert.ok(r.body.includes('Jean-Baptiste Marie-Emmanuel'), 'first and last name when no display name');
});

test('picking a user sets the session cookie and goes back (303)', async () => {
  const r = await S.request(`${sim.url}/signin?user=amelie&return=${encodeURIComponent('/account?tab=1')}`);
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, '/account?tab=1');
  assert.deepEqual(r.headers['set-cookie'], [`rp_token=${users.amelie.token}; Path=/; HttpOnly; SameSite=Lax`]);
  assert.equal(r.headers['cache-control'], 'no-store');
  const s = await S.request(`${sim.url}/signin?user=sophie`);
  assert.equal(s.headers.location, '/', 'return defaults to /');
  assert.equal(s.headers['set-cookie'][0].split(';')[0], `rp_token=${users.sophie.token}`, 'token with & # % + verbatim');
});

test('the cookie a sign-in sets is a token the API knows', async () => {
  for (const id of ['amelie', 'john', 'sophie']) {
    const r = await S.request(`${sim.url}/signin?user=${id}&return=/`);
    const token = r.headers['set-cookie'][0].split(';')[0].replace(/^rp_token=/, '');
    const { answer } = await S.api(sim, 'Firstname', token);
    assert.equal(answer.kind, 'data', id);
  }
});

test('sign-out clears the cookie and goes back', async () => {
  const r = await S.request(`${sim.url}/signout?return=/bye`);
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, '/bye');
  assert.deepEqual(r.headers['set-cookie'], ['rp_token=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax']);
});

test('sign-in and sign-out go back to site-local paths only', async () => {
  const bad = ['//evil.example/', 'http://evil.example/', 'evil', '/\\evil.example', '/a\r\nSet-Cookie: x=1', 'javascript:alert(1)'];
  for (const ret of bad) {
    for (const page of ['signin?user=amelie&', 'signout?']) {
      const r = await S.request(`${sim.url}/${page}return=${encodeURIComponent(ret)}`);
      assert.equal(r.status, 400, `${page} ${JSON.stringify(ret)}`);
      assert.equal(r.headers['set-cookie'], undefined);
    }
  }
  assert.equal((await S.request(`${sim.url}/signin?user=nobody&return=/`)).status, 400, 'unknown user');
});

test('--cookie names the session cookie', async () => {
  const other = await startSim(null, { simArgs: ['--cookie', 'SESSIONID'] });
  try {
    const r = await S.request(`${other.url}/signin?user=camille&return=/`);
    assert.match(r.headers['set-cookie'][0], new RegExp(`^SESSIONID=${users.camille.token};`));
    const o = await S.request(`${other.url}/signout?return=/`);
    assert.match(o.headers['set-cookie'][0], /^SESSIONID=;/);
  } finally {
    assert.equal((await other.stop()).code, 0);
  }
});

test('photos: PNGs by name; nothing outside the photo directory', async () => {
  const ok = await S.request(`${sim.url}/photos/camille.png`);
  assert.equal(ok.status, 200);
  assert.equal(ok.headers['content-type'], 'image/png');
  assert.equal(ok.bytes.subarray(1, 4).toString(), 'PNG');
  for (const p of ['nobody.png', '..%2Fsim-users.conf', '../sim-users.conf', 'camille.jpg', '.png', 'a%00.png']) {
    const r = await S.request(`${sim.url}/photos/${p}`);
    assert.equal(r.status, 404, p);
  }
});

test('index page and 404s', async () => {
  const r = await S.request(`${sim.url}/`);
  assert.equal(r.status, 200);
  assert.match(r.body, /href="\/signin\?return=\/"/);
  const nf = await S.request(`${sim.url}/nothing-here`);
  assert.equal(nf.status, 404);
  assert.match(nf.body, /serves/);
  assert.equal((await S.request(`${sim.url}/_control/nothing`)).status, 404);
});
