'use strict';
/*
 * auth-apache.js: the auth route as a FastCGI authorizer behind a real
 * Apache (mod_authnz_fcgi) with the shipped snippet, in front of a
 * backend that echoes what it got.
 */

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');

const {
  decodeValue, decodeList, catalogueHeaderNames, authSuite, snippets, HOSTILE, HOSTILE_ALLOW, one, profileHeaders,
  SNIPPET_FCGI_ADDRESS, GROWING_ALLOW, checkGrowing,
} = require('./authlib');

/* deny without token */
{
  const s = authSuite('apache', 'deny without token', { config: { auth: { view: 'account' } } });

  s.test('a signed-in user: the backend gets her profile, the browser none of it', async ({ env, stack, backend }) => {
    const r = await env.get('/app/page', { cookie: stack.cookieFor('amelie') });
    assert.equal(r.status, 200, r.body);
    const e = r.echo;
    assert.equal(one(e, 'X-Profile-Status'), 'ok');
    assert.equal(decodeValue(one(e, 'X-Profile-Firstname')), 'Amélie');
    assert.equal(decodeValue(one(e, 'X-Profile-HomeAddress-Street2')), 'Bâtiment B, 3ᵉ étage');
    assert.deepEqual(decodeList(one(e, 'X-Profile-CentersOfInterests')),
      ['Cinéma', 'Photographie', 'Jardinage', 'Musées']);
    /* The authorizer's answer stays between Apache and the backend. */
    for (const k of Object.keys(r.headers)) {
      assert.ok(!/^(variable-|x-profile-|x-richprofile-)/.test(k), `the browser got ${k}`);
    }
  });

  s.test('a forged X-Profile-* header from the client never reaches the backend', async ({ env, stack }) => {
    const forged = {};
    for (const name of catalogueHeaderNames()) forged[name] = 'FORGED';
    const r = await env.get('/app/x', { cookie: stack.cookieFor('camille'), headers: forged });
    assert.equal(r.status, 200, r.body);
    for (const [k, v] of profileHeaders(r.echo)) assert.notEqual(v, 'FORGED', `${k} was forged through`);
    assert.equal(one(r.echo, 'X-Profile-Status'), 'partial');
    assert.equal(one(r.echo, 'X-Profile-PictureTagSmallURL'), undefined);
    assert.equal(one(r.echo, 'X-Profile-Withheld'),
      'PictureTagTinyURL, PictureTagSmallURL, PictureTagMediumURL, PictureTagLargeURL');
    const raw = one(r.echo, 'X-Profile-Consent-URL');
    assert.ok(raw.startsWith("UTF-8''") && !raw.includes(','), raw);
    const link = new URL(decodeValue(raw));
    assert.equal(link.searchParams.get('urlRetour'), `${stack.confObject.site.url}/app/x`);
  });

  s.test('a POST is guarded too and keeps its body', async ({ env, stack }) => {
    const r = await env.get('/app/form', { cookie: stack.cookieFor('john'), method: 'POST', body: { q: 'hi' } });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.echo.body, 'q=hi');
    assert.equal(one(r.echo, 'X-Profile-Firstname'), 'John');
  });

  s.test('without a usable token Apache refuses with 401 and the backend never sees it', async ({ env, stack, backend }) => {
    const before = backend.calls;
    for (const opts of [{}, { cookie: 'rp_token=' }, { cookie: stack.cookieFor('paul') }]) {
      const r = await env.get('/app/secret', Object.assign({ headers: { 'X-Profile-Status': 'ok' } }, opts));
      assert.equal(r.status, 401, JSON.stringify(opts));
      for (const k of Object.keys(r.headers)) assert.ok(!/^(variable-|x-profile-)/.test(k), `the browser got ${k}`);
    }
    assert.equal(backend.calls, before);
  });
}

/* allow without token, hostile API */
{
  const s = authSuite('apache', 'allow without token, hostile API', HOSTILE_ALLOW);

  s.test('hostile values split no header and arrive decodable', async ({ env }) => {
    const r = await env.get('/app/', { cookie: 'rp_token=tok-anything-1234567' });
    assert.equal(r.status, 200, r.body);
    const e = r.echo;
    assert.equal(e.headers['x-injected'], undefined);
    assert.equal(decodeValue(one(e, 'X-Profile-Firstname')), HOSTILE.Firstname);
    assert.equal(decodeValue(one(e, 'X-Profile-Lastname')), HOSTILE.Lastname);
    assert.equal(decodeValue(one(e, 'X-Profile-Displayname')), HOSTILE.Displayname);
    assert.equal(decodeValue(one(e, 'X-Profile-HomeAddress-City')), HOSTILE.City);
    assert.deepEqual(decodeList(one(e, 'X-Profile-CentersOfInterests')), HOSTILE.Interests);
  });

  s.test('allow: a user without token is let through as signin, with nothing forged', async ({ env }) => {
    const r = await env.get('/app/', { headers: { 'X-Profile-Firstname': 'Mallory' } });
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(profileHeaders(r.echo), [['X-Profile-Status', 'signin']]);
  });
}

/* allow without token, an API whose values grow past what one answer may carry */
{
  const s = authSuite('apache', 'growing values', GROWING_ALLOW);

  s.test('at every size the page answers 200: every value intact, or unavailable', async ({ env, stack }) => {
    const seen = await checkGrowing(env);
    assert.ok(seen.ok > 0 && seen.unavailable > 0, JSON.stringify(seen));
    assert.match(stack.fcgiLog(), /auth headers of view hostile not sent: .*\[auth\] view/);
  });
}

test('the shipped Apache snippet strips and sets every header the program can send', () => {
  const s = fs.readFileSync(snippets.apacheAuth, 'utf8');
  const names = catalogueHeaderNames();
  for (const n of names) {
    assert.match(s, new RegExp(`^RequestHeader unset ${n} early$`, 'm'), n);
    assert.match(s, new RegExp(`^\\s+RequestHeader set ${n}\\s+"%\\{${n}\\}e" env=${n}$`, 'm'), n);
  }
  assert.equal((s.match(/^RequestHeader unset/gm) || []).length, names.length);
  assert.ok(s.includes(`AuthnzFcgiDefineProvider authn richprofile ${SNIPPET_FCGI_ADDRESS}`));
});
