'use strict';
/*
 * auth-nginx.js: the auth route behind a real nginx with the shipped
 * snippets (auth_request + auth_request_set + proxy_set_header, and the
 * fastcgi_param variant), in front of backends that echo what they got.
 */

const { before, after, test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');

const { startStack, missing, httpRequest } = require('../integration/stack');
const {
  decodeValue, decodeList, catalogueHeaderNames, startEchoBackend, startFastcgiEchoBackend,
  startHostileApi, startNginx, snippets, HOSTILE,
} = require('./authlib');

const why = missing('nginx');

/* Every X-Profile-* pair the backend received, in order. */
function profileHeaders(echo) {
  return echo.raw.filter(([k]) => /^x-profile-/i.test(k));
}

/* The one value of header name at the backend; fails when it came twice. */
function one(echo, name) {
  const got = echo.raw.filter(([k]) => k.toLowerCase() === name.toLowerCase());
  assert.ok(got.length <= 1, `${name} reached the backend ${got.length} times`);
  return got.length ? got[0][1] : undefined;
}

/* A request through nginx to the echo backend: { status, echo }. */
async function viaNginx(web, stack, p, opts = {}) {
  const o = Object.assign({}, opts);
  if (opts.user) o.cookie = stack.cookieFor(opts.user);
  const r = await httpRequest(web.base + p, o);
  let echo = null;
  if (r.status === 200 && /json/.test(r.headers['content-type'] || '')) echo = JSON.parse(r.body);
  return { status: r.status, headers: r.headers, body: r.body, echo };
}

/* auth route behind nginx (deny without token) */
{
  const t = (name, fn) => test(`nginx, deny without token: ${name}`, { skip: why || false, timeout: 60000 }, fn);
  let stack; let web; let backend; let fcgiBackend;

  if (!why) before(async () => {
    backend = await startEchoBackend();
    fcgiBackend = await startFastcgiEchoBackend();
    stack = await startStack({ server: null, config: { auth: { view: 'account' } } });
    web = await startNginx(stack.dir, stack.fcgi.socket, backend, fcgiBackend);
  });

  if (!why) after(async () => {
    if (web) await web.stop();
    if (stack) await stack.stop();
    if (backend) await backend.stop();
    if (fcgiBackend) await fcgiBackend.stop();
  });

  t('a signed-in user: the backend gets her profile as decodable headers', async () => {
    const r = await viaNginx(web, stack, '/app/page', { user: 'amelie' });
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

  t('a forged X-Profile-* header from the client never reaches the backend', async () => {
    const forged = {};
    for (const name of catalogueHeaderNames()) forged[name] = 'FORGED';
    /* Signed in, partial: the photos are withheld, so their headers must be absent. */
    let r = await viaNginx(web, stack, '/app/x', { user: 'camille', headers: forged });
    assert.equal(r.status, 200, r.body);
    for (const [k, v] of profileHeaders(r.echo)) assert.notEqual(v, 'FORGED', `${k} was forged through`);
    assert.equal(one(r.echo, 'X-Profile-Firstname'), 'Camille');
    assert.equal(one(r.echo, 'X-Profile-PictureTagSmallURL'), undefined);
    assert.equal(one(r.echo, 'X-Profile-OfficePhone'), undefined);
    /* Through the FastCGI variant too (PHP reads HTTP_X_PROFILE_*). */
    r = await viaNginx(web, stack, '/php/x.php', { user: 'camille', headers: forged });
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

  t('partial: what was granted, the withheld names and the consent link back to the page', async () => {
    const r = await viaNginx(web, stack, '/app/orders?id=7&x=%C3%A9', { user: 'camille' });
    assert.equal(r.status, 200, r.body);
    const e = r.echo;
    assert.equal(one(e, 'X-Profile-Status'), 'partial');
    assert.equal(decodeValue(one(e, 'X-Profile-Displayname')), 'Camille N.');
    assert.deepEqual(one(e, 'X-Profile-Withheld').split(', '),
      ['PictureTagTinyURL', 'PictureTagSmallURL', 'PictureTagMediumURL', 'PictureTagLargeURL']);
    const link = new URL(one(e, 'X-Profile-Consent-URL'));
    assert.equal(link.origin, stack.sim.url);
    assert.equal(link.pathname, '/urm-gui/interaction.do');
    /* The page being built is where the privacy page sends the user back. */
    assert.equal(link.searchParams.get('urlRetour'), `${stack.confObject.site.url}/app/orders?id=7&x=%C3%A9`);
  });

  t('privacy refusal: let through with status consent and the consent link only', async () => {
    const r = await viaNginx(web, stack, '/app/', { user: 'maxime' });
    assert.equal(r.status, 200, r.body);
    assert.equal(one(r.echo, 'X-Profile-Status'), 'consent');
    assert.ok(one(r.echo, 'X-Profile-Consent-URL').startsWith(`${stack.sim.url}/urm-gui/interaction.do?`));
    assert.equal(one(r.echo, 'X-Profile-Firstname'), undefined);
  });

  t('without a usable token the request is refused with 401 and the backend never sees it', async () => {
    const before = backend.calls;
    for (const opts of [{}, { cookie: 'rp_token=' }, { cookie: 'rp_token=bad token"' }, { user: 'paul' }]) {
      const r = await viaNginx(web, stack, '/app/secret', Object.assign({ headers: { 'X-Profile-Status': 'ok' } }, opts));
      assert.equal(r.status, 401, `${JSON.stringify(opts)}: ${r.status}`);
    }
    assert.equal(backend.calls, before, 'no refused request reached the backend');
  });

  t('a POST reaches the backend with its body, the profile beside it', async () => {
    const r = await viaNginx(web, stack, '/app/form', { user: 'john', method: 'POST', body: { q: 'hello' } });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.echo.method, 'POST');
    assert.equal(r.echo.body, 'q=hello');
    assert.equal(one(r.echo, 'X-Profile-Firstname'), 'John');
    assert.equal(one(r.echo, 'X-Profile-Status'), 'partial');
  });

  t('the auth location is internal: a browser cannot read it', async () => {
    const r = await httpRequest(`${web.base}/richprofile/auth`, { cookie: stack.cookieFor('amelie') });
    assert.equal(r.status, 404);
    assert.equal(r.headers['x-profile-firstname'], undefined);
  });

  t('the log line names the route and outcome, never the token', async () => {
    const log = stack.fcgiLog();
    assert.match(log, /route=auth view=account status=ok http=204/);
    assert.match(log, /route=auth view=account status=signin http=401/);
    assert.match(log, /method=POST route=auth/);
    for (const u of Object.values(stack.users)) assert.ok(!log.includes(u.token), `token of ${u.id} logged`);
  });
}

/* auth route behind nginx (allow without token, hostile API) */
{
  const t = (name, fn) => test(`nginx, allow without token, hostile API: ${name}`, { skip: why || false, timeout: 60000 }, fn);
  let stack; let web; let backend; let fcgiBackend; let api;

  if (!why) before(async () => {
    backend = await startEchoBackend();
    fcgiBackend = await startFastcgiEchoBackend();
    api = await startHostileApi();
    stack = await startStack({
      server: null,
      config: {
        upstream: { endpoint: api.endpoint },
        auth: { view: 'hostile', without_token: 'allow' },
        'view hostile': { infos: 'Firstname,Lastname,Displayname,HomeAddress,CentersOfInterests', template: 'card.html' },
      },
    });
    web = await startNginx(stack.dir, stack.fcgi.socket, backend, fcgiBackend);
  });

  if (!why) after(async () => {
    if (web) await web.stop();
    if (stack) await stack.stop();
    for (const s of [backend, fcgiBackend, api]) if (s) await s.stop();
  });

  t('hostile values split no header and arrive decodable', async () => {
    const r = await viaNginx(web, stack, '/app/', { cookie: 'rp_token=tok-anything-1234567' });
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
    const f = await viaNginx(web, stack, '/php/', { cookie: 'rp_token=tok-anything-1234567' });
    assert.equal(decodeValue(f.echo.params.HTTP_X_PROFILE_FIRSTNAME), HOSTILE.Firstname);
    assert.equal(f.echo.params.HTTP_X_INJECTED, undefined);
  });

  t('allow: a user without token is let through as signin, with nothing forged', async () => {
    const r = await viaNginx(web, stack, '/app/', { headers: { 'X-Profile-Firstname': 'Mallory', 'X-Profile-Status': 'ok' } });
    assert.equal(r.status, 200, r.body);
    assert.equal(one(r.echo, 'X-Profile-Status'), 'signin');
    assert.deepEqual(profileHeaders(r.echo).map(([k]) => k.toLowerCase()), ['x-profile-status']);
    const f = await viaNginx(web, stack, '/php/', { headers: { 'X-Profile-Firstname': 'Mallory' } });
    assert.equal(f.echo.params.HTTP_X_PROFILE_FIRSTNAME, undefined);
    assert.equal(f.echo.params.HTTP_X_PROFILE_STATUS, 'signin');
  });

  t('an upstream failure lets the request through as unavailable', async () => {
    await api.stop();
    const r = await viaNginx(web, stack, '/app/', { cookie: 'rp_token=tok-anything-1234567' });
    assert.equal(r.status, 200, r.body);
    assert.equal(one(r.echo, 'X-Profile-Status'), 'unavailable');
    assert.equal(one(r.echo, 'X-Profile-Firstname'), undefined);
  });
}

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
