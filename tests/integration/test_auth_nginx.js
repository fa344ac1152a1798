'use strict';
/*
 * auth-nginx.js: the auth route behind a real nginx with the shipped
 * snippets (auth_request + auth_request_set + proxy_set_header, and the
 * fastcgi_param variant), in front of backends that echo what they got.
 */

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');

const { httpRequest, startStack, missing } = require('../lib/stack');
const {
  decodeValue, decodeList, catalogueHeaderNames, authSuite, snippets, HOSTILE, HOSTILE_ALLOW, one, profileHeaders,
  startHostileApi, GROWING_ALLOW, checkGrowing,
} = require('./authlib');

/* deny without token */
{
  /* The cache on, as a site runs it: auth must share the fragment's. */
  const s = authSuite('nginx', 'deny without token', { config: { auth: { view: 'account' }, cache: { ttl_s: 60 } } });

  s.test('a signed-in user: the backend gets her profile as decodable headers', async ({ env, stack }) => {
    const r = await env.get('/app/page', { user: 'amelie' });
    assert.equal(r.status, 200, r.body);
    const e = r.echo;
    assert.equal(e.url, '/app/page');
    assert.equal(one(e, 'X-Profile-Status'), 'ok');
    assert.equal(decodeValue(one(e, 'X-Profile-Firstname')), 'Amélie');
    assert.equal(decodeValue(one(e, 'X-Profile-Lastname')), 'Poulain-Lefèvre');
    assert.equal(decodeValue(one(e, 'X-Profile-Displayname')), 'Amélie P.');
    assert.equal(decodeValue(one(e, 'X-Profile-HomePhone')), '+33 1 40 00 00 01');
    assert.equal(decodeValue(one(e, 'X-Profile-HomeAddress-Street2')), 'Bâtiment B, 3ᵉ étage');
    assert.equal(decodeValue(one(e, 'X-Profile-HomeAddress-City')), 'Paris');
    assert.equal(decodeValue(one(e, 'X-Profile-OfficeAddress-City')), 'Issy-les-Moulineaux');
    assert.deepEqual(decodeList(one(e, 'X-Profile-CentersOfInterests')),
      ['Cinéma', 'Photographie', 'Jardinage', 'Musées']);
    assert.match(decodeValue(one(e, 'X-Profile-PictureTagSmallURL')), /^http:\/\/127\.0\.0\.1:\d+\/photos\/amelie\.png\?size=small$/);
    assert.equal(one(e, 'X-Profile-Withheld'), undefined, 'nothing withheld');
    assert.equal(one(e, 'X-Profile-Consent-URL'), undefined, 'no consent link when all is granted');
    /* Only names of the catalogue, and no token anywhere. */
    const known = new Set(catalogueHeaderNames().map((n) => n.toLowerCase()));
    for (const [k, v] of profileHeaders(e)) {
      assert.ok(known.has(k.toLowerCase()), `unexpected header ${k}`);
      assert.ok(!v.includes(stack.users.amelie.token), `${k} carries the token`);
      assert.match(v, /^[\x21-\x7e]+(, [\x21-\x7e]+)*$/, `${k} is printable ASCII`);
    }
  });

  s.test('a forged X-Profile-* header from the client never reaches the backend', async ({ env }) => {
    const forged = {};
    for (const name of catalogueHeaderNames()) forged[name] = 'FORGED';
    /* Signed in, partial: the photos are withheld, so their headers must be absent. */
    let r = await env.get('/app/x', { user: 'camille', headers: forged });
    assert.equal(r.status, 200, r.body);
    for (const [k, v] of profileHeaders(r.echo)) assert.notEqual(v, 'FORGED', `${k} was forged through`);
    assert.equal(one(r.echo, 'X-Profile-Firstname'), 'Camille');
    assert.equal(one(r.echo, 'X-Profile-PictureTagSmallURL'), undefined);
    assert.equal(one(r.echo, 'X-Profile-OfficePhone'), undefined);
    /* Through the FastCGI variant too (PHP reads HTTP_X_PROFILE_*). */
    r = await env.get('/php/x.php', { user: 'camille', headers: forged });
    assert.equal(r.status, 200, r.body);
    const p = r.echo.params;
    for (const [k, v] of r.echo.pairs) {
      if (k.startsWith('HTTP_X_PROFILE_')) assert.notEqual(v, 'FORGED', `${k} was forged through`);
    }
    assert.equal(p.HTTP_X_PROFILE_FIRSTNAME, 'Camille');
    assert.equal(decodeValue(p.HTTP_X_PROFILE_LASTNAME), 'Nguyễn');
    assert.equal(p.HTTP_X_PROFILE_STATUS, 'partial');
    assert.equal(p.HTTP_X_PROFILE_PICTURETAGSMALLURL, undefined);
  });

  s.test('partial: what was granted, the withheld names and the consent link back to the page', async ({ env, stack }) => {
    const r = await env.get('/app/orders?id=7&x=%C3%A9', { user: 'camille' });
    assert.equal(r.status, 200, r.body);
    const e = r.echo;
    assert.equal(one(e, 'X-Profile-Status'), 'partial');
    assert.equal(decodeValue(one(e, 'X-Profile-Displayname')), 'Camille N.');
    assert.deepEqual(one(e, 'X-Profile-Withheld').split(', '),
      ['PictureTagTinyURL', 'PictureTagSmallURL', 'PictureTagMediumURL', 'PictureTagLargeURL']);
    /* Encoded like every value: its commas (attributes=A,B) must not read as a list. */
    const raw = one(e, 'X-Profile-Consent-URL');
    assert.match(raw, /^UTF-8''[\x21-\x7e]+$/);
    assert.ok(!raw.includes(','), raw);
    const link = new URL(decodeValue(raw));
    assert.equal(link.origin, stack.sim.url);
    assert.ok(link.searchParams.get('attributes').includes(','), 'the link lists the withheld attributes');
    assert.equal(link.pathname, '/urm-gui/interaction.do');
    /* The page being built is where the privacy page sends the user back. */
    assert.equal(link.searchParams.get('urlRetour'), `${stack.confObject.site.url}/app/orders?id=7&x=%C3%A9`);
  });

  s.test('privacy refusal: let through with status consent and the consent link only', async ({ env, stack }) => {
    const r = await env.get('/app/', { user: 'maxime' });
    assert.equal(r.status, 200, r.body);
    assert.equal(one(r.echo, 'X-Profile-Status'), 'consent');
    assert.ok(decodeValue(one(r.echo, 'X-Profile-Consent-URL')).startsWith(`${stack.sim.url}/urm-gui/interaction.do?`));
    assert.equal(one(r.echo, 'X-Profile-Firstname'), undefined);
  });

  s.test('without a usable token the request is refused with 401 and the backend never sees it', async ({ env, backend }) => {
    const before = backend.calls;
    for (const opts of [{}, { cookie: 'rp_token=' }, { cookie: 'rp_token=bad token"' }, { user: 'paul' }]) {
      const r = await env.get('/app/secret', Object.assign({ headers: { 'X-Profile-Status': 'ok' } }, opts));
      assert.equal(r.status, 401, `${JSON.stringify(opts)}: ${r.status}`);
    }
    assert.equal(backend.calls, before, 'no refused request reached the backend');
  });

  s.test('a POST reaches the backend with its body, the profile beside it', async ({ env }) => {
    const r = await env.get('/app/form', { user: 'john', method: 'POST', body: { q: 'hello' } });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.echo.method, 'POST');
    assert.equal(r.echo.body, 'q=hello');
    assert.equal(one(r.echo, 'X-Profile-Firstname'), 'John');
    assert.equal(one(r.echo, 'X-Profile-Status'), 'partial');
  });

  s.test('the auth location is internal: a browser cannot read it', async ({ env, stack }) => {
    const r = await httpRequest(`${env.base}/richprofile/auth`, { cookie: stack.cookieFor('amelie') });
    assert.equal(r.status, 404);
    assert.equal(r.headers['x-profile-firstname'], undefined);
  });

  s.test('the same cache as the fragment: a page and its backend cost one API call', async ({ env, stack }) => {
    /* sophie: no other test asks for her. */
    const before = (await stack.simStats()).api_requests;
    const frag = await httpRequest(`${env.base}/richprofile/fragment?view=account`, { cookie: stack.cookieFor('sophie') });
    assert.equal(frag.headers['x-richprofile-status'], 'ok');
    assert.equal((await stack.simStats()).api_requests, before + 1, 'the fragment asked the API once');
    for (let i = 0; i < 3; i++) {
      const r = await env.get('/app/', { user: 'sophie' });
      assert.equal(one(r.echo, 'X-Profile-Firstname'), 'Sophie');
    }
    assert.equal((await stack.simStats()).api_requests, before + 1, 'the auth route was served from the cache');
    assert.match(stack.fcgiLog(), /route=auth view=account status=ok http=204 .*note=cache_hit/);
  });

  s.test('the log line names the route and outcome, never the token', async ({ stack }) => {
    const log = stack.fcgiLog();
    assert.match(log, /route=auth view=account status=ok http=204/);
    assert.match(log, /route=auth view=account status=signin http=401/);
    assert.match(log, /method=POST route=auth/);
    for (const u of Object.values(stack.users)) assert.ok(!log.includes(u.token), `token of ${u.id} logged`);
  });
}

/* allow without token, hostile API */
{
  const s = authSuite('nginx', 'allow without token, hostile API', HOSTILE_ALLOW);

  s.test('hostile values split no header and arrive decodable', async ({ env }) => {
    const r = await env.get('/app/', { cookie: 'rp_token=tok-anything-1234567' });
    assert.equal(r.status, 200, r.body);
    const e = r.echo;
    assert.equal(one(e, 'X-Profile-Status'), 'ok');
    assert.equal(e.headers['x-injected'], undefined, 'a CR LF in a value made a header');
    assert.equal(decodeValue(one(e, 'X-Profile-Firstname')), HOSTILE.Firstname);
    assert.equal(decodeValue(one(e, 'X-Profile-Lastname')), HOSTILE.Lastname);
    assert.equal(decodeValue(one(e, 'X-Profile-Displayname')), HOSTILE.Displayname);
    assert.equal(decodeValue(one(e, 'X-Profile-HomeAddress-City')), HOSTILE.City);
    assert.deepEqual(decodeList(one(e, 'X-Profile-CentersOfInterests')), HOSTILE.Interests);
    for (const [k, v] of profileHeaders(e)) assert.match(v, /^[\x21-\x7e]+(, [\x21-\x7e]+)*$/, `${k}: ${v}`);
    /* The same through fastcgi_param. */
    const f = await env.get('/php/', { cookie: 'rp_token=tok-anything-1234567' });
    assert.equal(decodeValue(f.echo.params.HTTP_X_PROFILE_FIRSTNAME), HOSTILE.Firstname);
    assert.equal(f.echo.params.HTTP_X_INJECTED, undefined);
  });

  s.test('allow: a user without token is let through as signin, with nothing forged', async ({ env }) => {
    const r = await env.get('/app/', { headers: { 'X-Profile-Firstname': 'Mallory', 'X-Profile-Status': 'ok' } });
    assert.equal(r.status, 200, r.body);
    assert.equal(one(r.echo, 'X-Profile-Status'), 'signin');
    assert.deepEqual(profileHeaders(r.echo).map(([k]) => k.toLowerCase()), ['x-profile-status']);
    const f = await env.get('/php/', { headers: { 'X-Profile-Firstname': 'Mallory' } });
    assert.equal(f.echo.params.HTTP_X_PROFILE_FIRSTNAME, undefined);
    assert.equal(f.echo.params.HTTP_X_PROFILE_STATUS, 'signin');
  });

  s.test('an upstream failure lets the request through as unavailable', async ({ env, api }) => {
    await api.stop();
    const r = await env.get('/app/', { cookie: 'rp_token=tok-anything-1234567' });
    assert.equal(r.status, 200, r.body);
    assert.equal(one(r.echo, 'X-Profile-Status'), 'unavailable');
    assert.equal(one(r.echo, 'X-Profile-Firstname'), undefined);
  });
}

/* allow without token, an API whose values grow past what one answer may carry */
{
  const s = authSuite('nginx', 'growing values', GROWING_ALLOW);

  s.test('at every size the page answers 200: every value intact, or unavailable', async ({ env, stack }) => {
    const seen = await checkGrowing(env);
    assert.ok(seen.ok > 0 && seen.unavailable > 0, JSON.stringify(seen));
    assert.match(stack.fcgiLog(), /auth headers of view hostile not sent: .*\[auth\] view/);
  });
}

test('headers too large for the web server: nothing half-done, status unavailable', { skip: missing(null) || false, timeout: 60000 }, async () => {
  /* Four values at the parser's 4 KiB cap, each byte percent-encoded: past 32 KiB. */
  const big = 'é'.repeat(2000);
  const api = await startHostileApi({ Firstname: big, Lastname: big, Displayname: big, City: big, Interests: [big] });
  const stack = await startStack({
    server: null,
    config: { upstream: { endpoint: api.endpoint }, auth: { view: 'account' } },
  }).catch(async (e) => { await api.stop(); throw e; });
  try {
    const r = await stack.fcgi.request({
      REQUEST_METHOD: 'GET', SCRIPT_NAME: '/richprofile/auth', HTTP_COOKIE: 'rp_token=tok-anything-1234567',
      RICHPROFILE_AUTH_REQUEST: '1',
    });
    assert.equal(r.status, 204);
    assert.equal(r.headers['x-profile-status'], 'unavailable');
    assert.deepEqual(Object.keys(r.headers).filter((k) => k.startsWith('x-profile-')), ['x-profile-status']);
    assert.match(stack.fcgiLog(), /auth headers of view account not sent: .*give \[auth\] view fewer attributes/);
  } finally {
    await stack.stop();
    await api.stop();
  }
});

test('the shipped nginx snippets name every header the program can send', () => {
  const names = catalogueHeaderNames();
  const request = fs.readFileSync(snippets.nginxRequest, 'utf8');
  const proxy = fs.readFileSync(snippets.nginxProxy, 'utf8');
  const fastcgi = fs.readFileSync(snippets.nginxFastcgi, 'utf8');
  const v = (n) => `$rp_${n.slice('X-Profile-'.length).toLowerCase().replace(/-/g, '_')}`;
  for (const n of names) {
    const low = n.toLowerCase().replace(/-/g, '_');
    assert.match(request, new RegExp(`^auth_request_set\\s+\\${v(n)}\\s+\\$upstream_http_${low};$`, 'm'), n);
    assert.match(proxy, new RegExp(`^proxy_set_header\\s+${n}\\s+\\${v(n)};$`, 'm'), n);
    assert.match(fastcgi, new RegExp(`^fastcgi_param\\s+HTTP_${low.toUpperCase()}\\s+\\${v(n)} if_not_empty;$`, 'm'), n);
  }
  assert.equal((proxy.match(/^proxy_set_header/gm) || []).length, names.length, 'no stray proxy_set_header');
});
