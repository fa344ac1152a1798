'use strict';
/*
 * web-suite.js: what a browser gets from richprofile-fcgi behind a real web
 * server, defined once and run against nginx (fcgi-nginx.js) and Apache
 * (fcgi-apache.js).  Every test loads real pages through the server, which
 * includes the fragment by SSI, with the program and the simulator behind.
 */

const { before, after, test } = require('node:test');
const assert = require('node:assert/strict');

const { startStack, missing, fragmentStatus, htmlDecode } = require('../lib/stack');

const PAGE = '/account.shtml';
/* Text of the sample page around the include: it must always render. */
const PAGE_BEFORE = '<h1>Mon compte</h1>';
const PAGE_AFTER = 'Mes commandes';

/* Headers every answer of the program carries, whatever the route. */
function assertCommonHeaders(r, what) {
  assert.match(r.headers['content-type'] || '', /charset=utf-8/i, `${what}: charset`);
  assert.equal(r.headers['cache-control'], 'private, no-store', `${what}: Cache-Control`);
  assert.match(r.headers.vary || '', /\bCookie\b/i, `${what}: Vary`);
  assert.equal(r.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`);
  assert.equal(r.headers['set-cookie'], undefined, `${what}: never Set-Cookie`);
}

/* The names of a comma list of attributes, as a set. */
function nameSet(list) {
  return new Set(String(list || '').split(',').map((s) => s.trim()).filter(Boolean));
}

/*
 * The status a demo user must get for a view, from the users file: an
 * expired token means sign in again; every requested attribute refused
 * means the privacy refusal; some refused, the partial answer.
 */
function expectedStatus(user, infos) {
  if (user.expired === 'yes') return 'signin';
  const refused = user.refused === '*' ? null : nameSet(user.refused);
  const asked = [...infos];
  const withheld = refused === null ? asked : asked.filter((a) => refused.has(a));
  if (withheld.length === asked.length) return 'consent';
  if (withheld.length > 0) return 'partial';
  return 'ok';
}

/* Every attribute name, for the account view (infos = *). */
const ALL = ['Firstname', 'Lastname', 'Displayname', 'UserEMail', 'Gender', 'DateOfBirth', 'NDP',
  'HomePhone', 'MobilePhone', 'OfficePhone', 'OfficeMobileNumber', 'OfficeFax', 'MobileDeviceTac',
  'MobileDeviceModel', 'MobileDeviceBrand', 'PreferredLanguage', 'HomeAddress', 'OfficeAddress',
  'ProfileCreationDate', 'ProfileModificationDate', 'UserType', 'PictureTagTinyURL',
  'PictureTagSmallURL', 'PictureTagMediumURL', 'PictureTagLargeURL', 'CentersOfInterests'];

/* The one fragment of a page: from its outer element to the page text after it. */
function fragmentOf(page) {
  const at = page.search(/class="rp rp-/);
  if (at < 0) return '';
  const start = page.lastIndexOf('<', at);
  const end = page.indexOf('<section class="account-orders">', at);
  return page.slice(start, end < 0 ? page.length : end);
}

/*
 * The start tags of html as { name, attrs: [[name, value]] }: what a
 * browser would build elements from.  Escaped text has no "<", so
 * everything found here is markup the fragment really carries.
 */
function tagsOf(html) {
  const tags = [];
  for (const m of html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g)) {
    const attrs = [];
    for (const a of m[2].matchAll(/([^\s=/>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?/g)) {
      let v = a[2] || '';
      if (v.startsWith('"') || v.startsWith("'")) v = v.slice(1, -1);
      attrs.push([a[1].toLowerCase(), htmlDecode(v)]);
    }
    tags.push({ name: m[1].toLowerCase(), attrs });
  }
  return tags;
}

/* The href of the consent link in html (decoded), or null. */
function consentLink(html, simUrl) {
  const re = /href="([^"]*)"/g;
  let m;
  while ((m = re.exec(html)) !== null) {
    const href = htmlDecode(m[1]);
    if (href.startsWith(`${simUrl}/urm-gui/interaction.do`)) return href;
  }
  return null;
}

/* Fields of the first form in html: { action, method, fields }. */
function formOf(html) {
  const f = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!f) return null;
  const attr = (s, n) => { const m = new RegExp(`${n}="([^"]*)"`, 'i').exec(s); return m ? htmlDecode(m[1]) : null; };
  const fields = {};
  const inputs = f[2].match(/<input\b[^>]*>/gi) || [];
  for (const i of inputs) if (attr(i, 'name')) fields[attr(i, 'name')] = attr(i, 'value') || '';
  return { action: attr(f[1], 'action'), method: (attr(f[1], 'method') || 'get').toUpperCase(), fields };
}

/*
 * Top-level tests (one TAP line each, so the harness counts them) that
 * share one stack, started before the first and stopped after the last.
 */
function defineSuite(server) {
  const skip = missing(server);
  let stack;
  let cardInfos;

  if (!skip) {
    before(async () => {
      stack = await startStack({ server });
      cardInfos = nameSet(stack.confObject['view card'].infos);
    });
    after(async () => {
      if (!stack) return;
      const st = await stack.stop();
      /* Also catches leaks and errors of sanitizer or valgrind builds. */
      assert.equal(st.fcgi.code, 0, `richprofile-fcgi exit status: ${JSON.stringify(st.fcgi)}`);
    });
  }

  /* Every test of this file: named for the server, skipped without it. */
  const serverTest = (name, fn) => test(`${server}: ${name}`, { skip: skip || false, timeout: 60000 }, fn);

  serverTest('the sample account page includes the card of every demo user', async () => {
    for (const [id, user] of Object.entries(stack.users)) {
      const r = await stack.request(PAGE, { user: id });
      assert.equal(r.status, 200, `${id}: page status`);
      assert.ok(r.body.includes(PAGE_BEFORE) && r.body.includes(PAGE_AFTER), `${id}: page around the fragment`);
      assert.ok(!r.body.includes('an error occurred while processing this directive'), `${id}: SSI error`);
      const want = expectedStatus(user, cardInfos);
      assert.equal(fragmentStatus(r.body), want, `${id}: fragment status`);
      const text = htmlDecode(fragmentOf(r.body));
      if (want === 'ok' || want === 'partial') {
        const name = user.Displayname || user.Firstname;
        assert.ok(text.includes(name), `${id}: shows "${name}"`);
      } else {
        assert.ok(!text.includes(user.Firstname), `${id}: ${want} shows no personal value`);
      }
    }
  });

  serverTest('every outcome: ok, partial, consent, signin, unavailable', async () => {
    const seen = {};
    for (const id of Object.keys(stack.users)) {
      const r = await stack.request(PAGE, { user: id });
      seen[fragmentStatus(r.body)] = id;
    }
    for (const s of ['ok', 'partial', 'consent', 'signin']) assert.ok(seen[s], `a demo user gets ${s}`);
    /* No cookie at all: sign in. */
    const anon = await stack.request(PAGE);
    assert.equal(fragmentStatus(anon.body), 'signin');
    /* Upstream answers garbage: the page still renders, with the apology. */
    const bad = await stack.request(PAGE, { token: `fault:notxml@${stack.users.amelie.token}` });
    assert.equal(bad.status, 200);
    assert.equal(fragmentStatus(bad.body), 'unavailable');
    assert.ok(bad.body.includes(PAGE_BEFORE) && bad.body.includes(PAGE_AFTER));
    const down = await stack.request(PAGE, { token: `fault:status=503@${stack.users.amelie.token}` });
    assert.equal(fragmentStatus(down.body), 'unavailable');
    const err = await stack.request(PAGE, { token: `fault:code=504@${stack.users.amelie.token}` });
    assert.equal(fragmentStatus(err.body), 'unavailable');
  });

  serverTest('the fragment route itself: status header and class agree, 200 for every outcome', async () => {
    const cases = { amelie: 'ok', camille: 'partial', maxime: 'consent', paul: 'signin' };
    for (const [id, want] of Object.entries(cases)) {
      if (!stack.users[id]) continue;
      const r = await stack.request('/richprofile/fragment?view=card', { user: id });
      assert.equal(r.status, 200, `${id}`);
      assertCommonHeaders(r, id);
      assert.match(r.headers['content-type'], /^text\/html/);
      assert.equal(r.headers['x-richprofile-status'], want, `${id}: header`);
      assert.equal(fragmentStatus(r.body), want, `${id}: class`);
    }
    const r = await stack.request('/richprofile/fragment?view=card', { token: 'fault:notxml' });
    assert.equal(r.headers['x-richprofile-status'], 'unavailable');
    assert.equal(r.status, 200);
    /* The prefix alone is the fragment route. */
    const d = await stack.request('/richprofile/?view=card', { user: 'amelie' });
    assert.equal(d.headers['x-richprofile-status'], 'ok');
  });

  serverTest('profile.json: the same outcome, with a matching HTTP status', async () => {
    const cases = [
      [{ user: 'amelie' }, 'ok', 200],
      [{ user: 'camille' }, 'partial', 200],
      [{ user: 'maxime' }, 'consent', 403],
      [{ user: 'paul' }, 'signin', 401],
      [{}, 'signin', 401],
      [{ token: 'fault:notxml' }, 'unavailable', 503],
    ];
    for (const [who, want, code] of cases) {
      const r = await stack.request('/richprofile/profile.json?view=card', who);
      const label = JSON.stringify(who);
      assert.equal(r.status, code, `${label}: HTTP status`);
      assertCommonHeaders(r, label);
      assert.match(r.headers['content-type'], /^application\/json/);
      assert.equal(r.headers['x-richprofile-status'], want);
      const j = JSON.parse(r.body);
      assert.equal(j.status, want, `${label}: JSON status`);
    }
    const ok = JSON.parse((await stack.request('/richprofile/profile.json?view=card', { user: 'amelie' })).body);
    assert.equal(ok.attributes.Firstname, stack.users.amelie.Firstname);
  });

  serverTest('headers on every answer, HEAD without a body', async () => {
    const paths = ['/richprofile/fragment?view=card', '/richprofile/profile.json', '/richprofile/ping',
      '/richprofile/nope', '/richprofile/fragment?view=nope'];
    for (const p of paths) {
      const r = await stack.request(p, { user: 'amelie' });
      assertCommonHeaders(r, p);
    }
    const get = await stack.request('/richprofile/fragment?view=card', { user: 'amelie' });
    const head = await stack.request('/richprofile/fragment?view=card', { user: 'amelie', method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assertCommonHeaders(head, 'HEAD');
    assert.equal(head.headers['x-richprofile-status'], 'ok');
    assert.equal(head.headers['content-type'], get.headers['content-type']);
    if (head.headers['content-length'] !== undefined) {
      assert.equal(head.headers['content-length'], String(Buffer.byteLength(get.body)));
    }
  });

  serverTest('ping answers ok without touching the upstream', async () => {
    const before = (await stack.simStats()).api_requests;
    const r = await stack.request('/richprofile/ping', { user: 'amelie' });
    assert.equal(r.status, 200);
    assert.equal(r.body, 'ok\n');
    assert.match(r.headers['content-type'], /^text\/plain; charset=utf-8/);
    assert.equal((await stack.simStats()).api_requests, before);
  });

  serverTest('405 for other methods, 404 for unknown routes, 400 for unknown views: short fragments', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const r = await stack.request('/richprofile/fragment?view=card', { user: 'amelie', method, body: 'x=1' });
      assert.equal(r.status, 405, method);
      assert.match(r.headers.allow || '', /GET/);
      assert.match(r.headers.allow || '', /HEAD/);
      assertCommonHeaders(r, method);
      assert.match(r.body, /class="rp rp-error/);
      assert.ok(r.body.length < 2000);
    }
    const nf = await stack.request('/richprofile/nope', { user: 'amelie' });
    assert.equal(nf.status, 404);
    assert.match(nf.body, /class="rp rp-error/);
    for (const q of ['view=nope', 'view=bad%20name', 'view=%3Cscript%3E', `view=${'x'.repeat(100)}`]) {
      const r = await stack.request(`/richprofile/fragment?${q}`, { user: 'amelie' });
      assert.equal(r.status, 400, q);
      assert.match(r.body, /class="rp rp-error/);
      assert.ok(!r.body.includes('<script>'), `${q}: nothing echoed`);
    }
    const j = await stack.request('/richprofile/profile.json?view=nope', { user: 'amelie' });
    assert.equal(j.status, 400);
    assert.equal(JSON.parse(j.body).status, 'error');
    /* A view that exists, through the page's own include syntax too. */
    const acc = await stack.request('/richprofile/fragment?view=account', { user: 'amelie' });
    assert.equal(acc.status, 200);
    assert.equal(acc.headers['x-richprofile-status'], 'ok');
  });

  serverTest('no usable token, no upstream call', async () => {
    const cookies = [
      undefined,                               /* no Cookie header */
      'other=1; again=2',                      /* not our cookie */
      'rp_token=',                             /* empty */
      `rp_token=${'a'.repeat(2000)}`,          /* longer than max_token_bytes */
      'rp_token="a b"',                        /* blank: not a cookie-octet */
      'rp_token=a\\b',                         /* backslash */
    ];
    const before = (await stack.simStats()).api_requests;
    for (const cookie of cookies) {
      const r = await stack.request('/richprofile/fragment?view=card', cookie === undefined ? {} : { cookie });
      assert.equal(r.status, 200, String(cookie));
      assert.equal(r.headers['x-richprofile-status'], 'signin', String(cookie));
      const page = await stack.request(PAGE, cookie === undefined ? {} : { cookie });
      assert.equal(fragmentStatus(page.body), 'signin');
    }
    assert.equal((await stack.simStats()).api_requests, before, 'the simulator was not asked');
    /* The sign-in link goes to the configured login_url. */
    const r = await stack.request('/richprofile/fragment?view=card');
    assert.ok(htmlDecode(r.body).includes(stack.confObject.site.login_url), 'login link');
  });

  serverTest('a token among many cookies, quoted, with hostile bytes, reaches the API intact', async () => {
    const tok = stack.users.amelie.token;
    for (const cookie of [`a=1; rp_token=${tok}; b=2`, `rp_token="${tok}"`, `  x=y ;rp_token=${tok}`]) {
      const r = await stack.request('/richprofile/fragment?view=card', { cookie });
      assert.equal(r.headers['x-richprofile-status'], 'ok', cookie);
    }
    if (stack.users.sophie) {
      /* "tok&sophie=1#x%41+y?z/6b": every byte must arrive as is. */
      const r = await stack.request('/richprofile/fragment?view=card', { user: 'sophie' });
      assert.equal(r.headers['x-richprofile-status'], expectedStatus(stack.users.sophie, cardInfos));
      assert.ok(htmlDecode(r.body).includes(stack.users.sophie.Firstname));
    }
  });

  serverTest('a script-bearing profile arrives escaped', async () => {
    const m = stack.users.mallory;
    if (!m) return;
    for (const p of [PAGE, '/richprofile/fragment?view=account']) {
      const r = await stack.request(p, { user: 'mallory' });
      const frag = p === PAGE ? fragmentOf(r.body) : r.body;
      const tags = tagsOf(frag);
      assert.ok(tags.length > 0, `${p}: a fragment`);
      for (const t of tags) {
        assert.ok(!['script', 'svg', 'style', 'iframe', 'object', 'embed'].includes(t.name),
          `${p}: no <${t.name}> element`);
        assert.ok(!['b', 'em'].includes(t.name), `${p}: no injected <${t.name}>`);
        for (const [n, v] of t.attrs) {
          assert.ok(!n.startsWith('on'), `${p}: no event handler ${n} on <${t.name}>`);
          if (n === 'src' || n === 'href') {
            assert.ok(!/^\s*(javascript|data|vbscript):/i.test(v), `${p}: no script URL in ${n}: ${v}`);
            assert.ok(v !== 'x', `${p}: no injected src`);
          }
        }
      }
      const text = htmlDecode(frag);
      const name = m.Displayname || m.Firstname;
      assert.ok(text.includes(name), `${p}: the value shows literally`);
    }
    const j = await stack.request('/richprofile/profile.json?view=card', { user: 'mallory' });
    const obj = JSON.parse(j.body);
    assert.equal(obj.attributes.Firstname, m.Firstname, 'JSON carries the value exactly');
    assert.ok(!j.body.includes('<script>'), 'JSON escapes < for embedding');
  });

  serverTest('return= is taken only when it is a site-local path', async () => {
    const site = stack.confObject.site.url;
    const enc = (p) => encodeURIComponent(site + p);
    const cases = [
      ['/somewhere/else?x=1', '/somewhere/else?x=1'],
      ['//evil.example/', '/account.shtml'],
      ['http://evil.example/', '/account.shtml'],
      ['/a\r\nSet-Cookie: x=1', '/account.shtml'],
      ['/back\\slash', '/account.shtml'],
      ['javascript:alert(1)', '/account.shtml'],
    ];
    for (const [given, used] of cases) {
      const r = await stack.request(`/richprofile/fragment?view=card&return=${encodeURIComponent(given)}`,
        { user: 'camille' });
      assert.equal(r.status, 200, given);
      const link = consentLink(r.body, stack.sim.url);
      assert.ok(link, `${given}: consent link present`);
      assert.ok(link.endsWith(`urlRetour=${enc(used)}`), `${given}: urlRetour is ${used} (got ${link})`);
    }
  });

  serverTest('consent round trip through the simulator\'s privacy page', async () => {
    const user = stack.users.camille;
    if (!user) return;
    await stack.simControl('reset');
    const first = await stack.request(PAGE, { user: 'camille' });
    assert.equal(fragmentStatus(first.body), 'partial');
    const link = consentLink(first.body, stack.sim.url);
    assert.ok(link, 'the partial fragment links to the privacy page');
    assert.ok(link.includes(`urlRetour=${encodeURIComponent(`${stack.confObject.site.url}${PAGE}`)}`));

    const grant = async (choice) => {
      const privacy = await stack.fetchUrl(link);
      assert.equal(privacy.status, 200, 'privacy page');
      const form = formOf(privacy.body);
      assert.ok(form, 'privacy page has a form');
      const action = new URL(form.action, link).toString();
      const back = await stack.fetchUrl(action, { method: 'POST', body: Object.assign({}, form.fields, { choice }) });
      assert.equal(back.status, 303, 'privacy page sends the user back');
      const loc = new URL(back.headers.location);
      assert.equal(loc.origin, stack.base);
      assert.equal(loc.pathname, PAGE);
      return loc.pathname + loc.search;
    };

    /* Grant once: the data shows once, then the prompt again. */
    let ret = await grant('once');
    const once = await stack.request(ret, { user: 'camille' });
    assert.equal(fragmentStatus(once.body), 'ok', 'granted once');
    assert.match(once.body, /<img[^>]+src="[^"]*\/photos\//, 'the photo now shows');
    const again = await stack.request(ret, { user: 'camille' });
    assert.equal(fragmentStatus(again.body), 'partial', 'once means once');

    /* Grant permanently: every later visit shows the data. */
    ret = await grant('always');
    for (let i = 0; i < 2; i++) {
      const r = await stack.request(ret, { user: 'camille' });
      assert.equal(fragmentStatus(r.body), 'ok', `permanent grant, visit ${i + 1}`);
    }
    await stack.simControl('reset');
    const reset = await stack.request(PAGE, { user: 'camille' });
    assert.equal(fragmentStatus(reset.body), 'partial');
  });

  serverTest('the privacy refusal offers the consent link as well', async () => {
    if (!stack.users.maxime) return;
    const r = await stack.request(PAGE, { user: 'maxime' });
    assert.equal(fragmentStatus(r.body), 'consent');
    assert.ok(consentLink(r.body, stack.sim.url), 'consent link');
  });

  serverTest('the log has one line per request and never a token', async () => {
    const log = stack.fcgiLog();
    assert.match(log, / info request method=GET route=fragment view=card status=ok http=200 upstream=ok upstream_http=200 /);
    assert.match(log, /token=[0-9a-f]{12}/);
    for (const u of Object.values(stack.users)) {
      assert.ok(!log.includes(u.token), `token of ${u.id} not in the log`);
      if (u.Lastname) assert.ok(!log.includes(u.Lastname), `name of ${u.id} not in the log`);
    }
  });
}

module.exports = { defineSuite, assertCommonHeaders, expectedStatus, formOf, consentLink, fragmentOf, tagsOf };
