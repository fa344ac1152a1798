'use strict';
/*
 * attack-web.js: the adversary's suite.  Real nginx, the real
 * richprofile-fcgi and, as the upstream, a hostile API in this process (a
 * real HTTP server on loopback that answers whatever a case needs: script
 * in values, tricked privacy URLs, tokens echoed back).  Each case asserts
 * what a browser or the site would notice: the exact href a user can
 * click, no markup or script from a value, no token anywhere it could be
 * read, no crash, and every answer still belonging to its own cookie.
 */
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { startStack, missing, htmlDecode } = require('../lib/stack');
/* Start tags as a browser builds elements from them (a quoted '>' included). */
const { tagsOf } = require('../integration/web-suite');

const skip = missing('nginx');
const opt = { skip: skip || false, timeout: 120000 };

const PRIVACY = 'privacy.example.org';
const PRIVACY_PORT_ONLY = 'priv.example.net:8443';
const RETURN_PATH = '/account.shtml';

let stack;
let upstream;            /* the hostile API */
let upstreamUrl;
const answers = new Map();   /* token -> { status, body, delayMs, destroy, location } */
const seenTokens = [];        /* every token the API received, decoded */
let serial = 0;

/* A fresh token (cookie-octets only) with a label in it for messages. */
function token(label) {
  serial += 1;
  return `sec-${label}-${process.pid}-${serial}-Zq9x`;
}

function xmlEscape(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/*
 * A granted answer: values by attribute name (XML already escaped), and
 * every other requested attribute as an empty element, as the API sends
 * an attribute the user granted but has no value for.  Built when the
 * request arrives, from its infos.
 */
function granted(values) {
  return (infos) => {
    const names = new Set(infos.concat(Object.keys(values)));
    const inner = [...names].map((k) => `<${k}>${values[k] ?? ''}</${k}>`).join('');
    return '<?xml version="1.0" encoding="UTF-8"?><getPersonalRichProfileReturn><Data>' +
      `<UserAuthorizedData>${inner}</UserAuthorizedData></Data></getPersonalRichProfileReturn>`;
  };
}

/* A privacy refusal whose <url> is exactly rawUrl (XML-escaped here). */
function refusal(rawUrl) {
  return '<?xml version="1.0" encoding="UTF-8"?><error><code>-3</code>' +
    `<detail>PrivacyAccessDeniedException</detail><url>${xmlEscape(rawUrl)}</url></error>`;
}

/* Percent-encoding of the program's URL escaper: all but A-Z a-z 0-9 - . _ ~ */
function pct(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/* Every href/src value in the tags of a fragment, entity-decoded: what a browser follows. */
function links(html, attr) {
  const out = [];
  for (const t of tagsOf(html)) for (const [n, v] of t.attrs) if (n === attr) out.push(v);
  return out;
}

function answer(tok, a) {
  answers.set(tok, a);
  return tok;
}

before(async () => {
  if (skip) return;
  upstream = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    const tok = u.searchParams.get('token');
    seenTokens.push(tok);
    const a = answers.get(tok) || { status: 200, body: granted({ Firstname: 'Nobody' }) };
    const reply = () => {
      if (a.destroy) { req.socket.destroy(); return; }
      if (a.trickle) {
        /* Slowloris from the upstream side: one byte every 50 ms, never done. */
        res.writeHead(200, { 'Content-Type': 'text/xml' });
        const iv = setInterval(() => res.write(' '), 50);
        res.on('close', () => clearInterval(iv));
        req.socket.on('close', () => clearInterval(iv));
        return;
      }
      const headers = { 'Content-Type': 'text/xml; charset=utf-8' };
      if (a.location) headers.Location = a.location;
      res.writeHead(a.status || 200, headers);
      const infos = (u.searchParams.get('infos') || '').split(',').filter(Boolean);
      res.end(typeof a.body === 'function' ? a.body(infos) : (a.body || ''));
    };
    if (a.delayMs) setTimeout(reply, a.delayMs); else reply();
  });
  await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${upstream.address().port}`;
  stack = await startStack({
    server: 'nginx',
    threads: 8,
    config: {
      upstream: { endpoint: `${upstreamUrl}/PersonalRichProfile/V1`, timeout_ms: 1500 },
      site: { privacy_hosts: `${PRIVACY},${PRIVACY_PORT_ONLY}`, return_path: RETURN_PATH },
      server: { log_level: 'debug' },
      /* The cache and breaker as a site runs them: cross-user tests need them on. */
      cache: { ttl_s: 60 },
      breaker: { failures: 0 },
    },
  });
});

after(async () => {
  if (stack) {
    const st = await stack.stop();
    assert.equal(st.fcgi.code, 0, `richprofile-fcgi exit status: ${JSON.stringify(st.fcgi)}`);
  }
  if (upstream) await new Promise((resolve) => upstream.close(resolve));
});

function site() {
  return stack.confObject.site.url.replace(/\/$/, '');
}

function frag(tok, query = 'view=card') {
  return stack.request(`/richprofile/fragment?${query}`, { token: tok });
}

/* The consent link the user can click in a fragment: one href, or none. */
function consentHrefs(body) {
  return links(body, 'href').filter((h) => !h.startsWith(stack.confObject.site.login_url));
}

/*
 * hrefs is the one consent link for privacy URL u, as a browser reads it:
 * u itself, byte for byte, with one urlRetour parameter added that
 * decodes to the site's return page.
 */
function assertConsentLink(hrefs, u, what) {
  assert.equal(hrefs.length, 1, `${what}: one consent link`);
  assert.ok(hrefs[0].startsWith(`${u}&urlRetour=`), `${what}: ${hrefs[0]} is ${u} plus urlRetour`);
  assert.ok(!hrefs[0].slice(u.length + 11).includes('&'), `${what}: nothing after urlRetour`);
  assert.equal(new URL(hrefs[0]).searchParams.get('urlRetour'), site() + RETURN_PATH, what);
}

test('privacy URLs: only http(s) on a configured host becomes a link, and exactly that link', opt, async () => {
  const good = [
    `http://${PRIVACY}/urm-gui/interaction.do?familly=F&serviceId=S&attributes=Firstname`,
    `https://PRIVACY.Example.ORG/urm-gui/interaction.do?family=F`,
    `https://${PRIVACY_PORT_ONLY}/urm-gui/interaction.do?x=1`,
  ];
  for (const u of good) {
    const r = await frag(answer(token('good'), { body: refusal(u) }));
    assert.equal(r.headers['x-richprofile-status'], 'consent', u);
    assertConsentLink(consentHrefs(r.body), u, u);
  }
  /* The parser trims XML white space around a value: the link is the URL without it. */
  const padded = `http://${PRIVACY}/x?a=1`;
  const rp = await frag(answer(token('padded'), { body: refusal(`\n  ${padded}\n`) }));
  assertConsentLink(consentHrefs(rp.body), padded, 'padded');
  const bad = [
    `javascript:alert(1)//${PRIVACY}/`,
    `JaVaScRiPt:alert(1)//http://${PRIVACY}/`,
    ` javascript:alert(1)`,
    `java\tscript:alert(1)//http://${PRIVACY}/`,
    `data:text/html,<script>alert(1)</script>`,
    `vbscript:msgbox(1)`,
    `//${PRIVACY}/urm-gui/interaction.do`,
    `/urm-gui/interaction.do`,
    `ftp://${PRIVACY}/x`,
    `http:/${PRIVACY}/x`,
    `http:\\\\${PRIVACY}\\x`,
    `http://evil.example.com/urm-gui/interaction.do`,
    `http://${PRIVACY}@evil.example.com/`,
    `http://${PRIVACY}:80@evil.example.com/`,
    `http://evil.example.com\\@${PRIVACY}/`,
    `http://evil.example.com#@${PRIVACY}/`,
    `http://evil.example.com?@${PRIVACY}/`,
    `http://${PRIVACY}.evil.example.com/`,
    `http://${PRIVACY}./x`,
    `http://${PRIVACY}%2F@evil.example.com/`,
    `http://${PRIVACY}%40evil.example.com/`,
    `http://xn--${PRIVACY}/`,
    `http://privаcy.example.org/x`,                 /* Cyrillic a */
    `http://priv.example.net/x`,                     /* the entry names port 8443 only */
    `https://priv.example.net:443/x`,
    `http://${PRIVACY}:0/x`,
    `http://${PRIVACY}:99999/x`,
    `http://${PRIVACY}:/x`,
    `http://[::1]/x`,
    `http://${PRIVACY}/x" onmouseover="alert(1)`,
    `http://${PRIVACY}/x'><script>alert(1)</script>`,
    `http://${PRIVACY}/x\r\nSet-Cookie: a=b`,
    `http://${PRIVACY}/x\u2028y`,
    '',
  ];
  for (const u of bad) {
    const tok = answer(token('bad'), { body: refusal(u) });
    const r = await frag(tok);
    const label = JSON.stringify(u);
    assert.equal(r.status, 200, label);
    assert.equal(r.headers['x-richprofile-status'], 'consent', label);
    assert.deepEqual(consentHrefs(r.body), [], `${label}: no link at all`);
    assert.ok(!/<script|onmouseover/i.test(r.body), `${label}: nothing of it as markup`);
    assert.ok(!('set-cookie' in r.headers), `${label}: no header from it`);
    const j = await stack.request('/richprofile/profile.json?view=card', { token: tok });
    assert.equal(JSON.parse(j.body).consent_url, null, `${label}: no consent_url in JSON`);
  }
});

test('a privacy URL that already names its own urlRetour is not a link: the site says where users come back', opt, async () => {
  for (const u of [
    `http://${PRIVACY}/urm-gui/interaction.do?familly=F&urlRetour=https%3A%2F%2Fevil.example.com%2F`,
    `http://${PRIVACY}/urm-gui/interaction.do?urlRetour=https://evil.example.com/&familly=F`,
    `http://${PRIVACY}/urm-gui/interaction.do?familly=F&URLRETOUR=https://evil.example.com/`,
    `http://${PRIVACY}/urm-gui/interaction.do?familly=F&url%52etour=https://evil.example.com/`,
    `http://${PRIVACY}/urm-gui/interaction.do?familly=F;urlRetour=https://evil.example.com/`,
  ]) {
    const r = await frag(answer(token('preset'), { body: refusal(u) }));
    assert.equal(r.headers['x-richprofile-status'], 'consent', u);
    assert.deepEqual(consentHrefs(r.body), [], `${u}: no link that could send the user elsewhere`);
  }
  /* A parameter that merely ends in the name is no such thing. */
  const u = `http://${PRIVACY}/x?myurlRetour=1&urlRetourX=2`;
  const r = await frag(answer(token('lookalike'), { body: refusal(u) }));
  assertConsentLink(consentHrefs(r.body), u, 'lookalike');
});

test('return=: only a site-local path comes back; anything else falls back to return_path', opt, async () => {
  const priv = `http://${PRIVACY}/urm-gui/interaction.do?familly=F`;
  const tok = answer(token('ret'), { body: refusal(priv) });
  const back = (href) => new URL(href).searchParams.get('urlRetour');
  const accepted = [
    ['%2Fmy%2Fpage%3Fx%3D1%26y%3D2', '/my/page?x=1&y=2'],
    ['/my/page', '/my/page'],
    ['%2Fcaf%C3%A9', '/café'],
    ['/a/%252F%252Fevil.example.com', '/a/%2F%2Fevil.example.com'],
    ['/@evil.example.com', '/@evil.example.com'],
    ['/x%22%3E%3Cscript%3Ealert(1)%3C/script%3E', '/x"><script>alert(1)</script>'],
  ];
  for (const [q, path] of accepted) {
    const r = await frag(tok, `view=card&return=${q}`);
    const h = consentHrefs(r.body);
    assert.equal(h.length, 1, q);
    assert.equal(back(h[0]), site() + path, `${q}: comes back to the site`);
    assert.equal(new URL(back(h[0])).origin, new URL(site()).origin, `${q}: same origin`);
    assert.ok(!/<script/i.test(r.body), `${q}: nothing of it as markup`);
  }
  const refused = [
    '//evil.example.com/', '%2F%2Fevil.example.com', '/%2Fevil.example.com', '/\\evil.example.com',
    '%2F%5Cevil.example.com', 'https://evil.example.com/', 'https:%2F%2Fevil.example.com',
    'javascript:alert(1)', 'evil.example.com', '/%0D%0ASet-Cookie:%20a=b', '/%0aLocation:x',
    '/%09/evil.example.com', '/%00', '/%ff%fe', '/a%', '/a%zz', `/${'a'.repeat(2000)}`, '',
    '%E2%80%A8//evil.example.com',
  ];
  for (const q of refused) {
    const r = await frag(tok, `view=card&return=${q}`);
    const h = consentHrefs(r.body);
    assert.equal(h.length, 1, q);
    assert.equal(back(h[0]), site() + RETURN_PATH, `${q}: the configured return path instead`);
    assert.ok(!('set-cookie' in r.headers) && !('location' in r.headers), `${q}: no header from it`);
  }
  /* The JSON route makes the same decision. */
  const j = JSON.parse((await stack.request('/richprofile/profile.json?view=card&return=//evil.example.com',
    { token: tok })).body);
  assert.equal(back(j.consent_url), site() + RETURN_PATH);
});

test('values from the API: no markup, no script URL, no raw U+2028 in JSON, controls replaced', opt, async () => {
  const values = {
    Firstname: xmlEscape('</p><script>alert(1)</script><p>'),
    Lastname: xmlEscape('"><img src=x onerror=alert(2)>') + '&#x85;&#x9F;&#x2028;&#x2029;',
    Displayname: xmlEscape("'><svg/onload=alert(3)>") + '&#x2028;',
    PictureTagMediumURL: xmlEscape(' javascript:alert(4)'),
    PictureTagSmallURL: 'java&#9;script:alert(5)',
    CentersOfInterests: xmlEscape('</li><li onclick=alert(6)>x, <iframe src=javascript:alert(7)>'),
  };
  const tok = answer(token('values'), { body: granted(values) });
  for (const view of ['card', 'account']) {
    const r = await frag(tok, `view=${view}`);
    assert.equal(r.headers['x-richprofile-status'], 'ok', view);
    for (const t of tagsOf(r.body)) {
      assert.ok(!['script', 'svg', 'iframe', 'style', 'object', 'embed', 'p/'].includes(t.name), `${view}: no injected <${t.name}>`);
      assert.ok(t.name !== 'img' || t.attrs.some(([n, v]) => n === 'class' && v === 'rp-photo'), `${view}: no injected <img>`);
      for (const [n, v] of t.attrs) {
        assert.ok(!n.startsWith('on'), `${view}: no ${n} on <${t.name}>`);
        if (n === 'src' || n === 'href') assert.match(v, /^https?:\/\//, `${view}: ${n}="${v}"`);
      }
    }
    assert.deepEqual(links(r.body, 'src'), [], `${view}: neither photo URL reaches src`);
    const text = htmlDecode(r.body);
    assert.ok(text.includes("'><svg/onload=alert(3)>"), `${view}: the display name shows literally`);
    assert.ok(!/[\u0080-\u009f]/.test(text), `${view}: no C1 control reaches the page`);
  }
  const acc = htmlDecode((await frag(tok, 'view=account')).body);
  assert.ok(acc.includes('</p><script>alert(1)</script><p>'), 'the first name shows literally');

  /* Protocol-relative, whitespace and userinfo tricks in photo URLs. */
  for (const u of ['//evil.example.com/x.png', 'http://a@evil.example.com/x.png', 'HTTP://ok.example.com/x.png" x="',
    'http:/evil.example.com/x.png', 'http://evil.example.com/x\n.png', 'http://evil.example.com/x\t.png', 'data:image/svg+xml,<svg onload=alert(1)>']) {
    const r2 = await frag(answer(token('photo'), { body: granted({ Firstname: 'P', PictureTagMediumURL: xmlEscape(u) }) }));
    assert.deepEqual(links(r2.body, 'src'), [], JSON.stringify(u));
  }
  const okUrl = 'https://photos.example.org/a.png?x=1&y=2';
  const r3 = await frag(answer(token('photo-ok'), { body: granted({ Firstname: 'P', PictureTagMediumURL: xmlEscape(okUrl) }) }));
  assert.deepEqual(links(r3.body, 'src'), [okUrl], 'an http(s) photo URL arrives exactly');

  const j = await stack.request('/richprofile/profile.json?view=card', { token: tok });
  assert.ok(!j.body.includes('\u2028') && !j.body.includes('\u2029'), 'U+2028/2029 escaped in JSON');
  assert.ok(!/<|>/.test(j.body), 'no < or > in JSON');
  const o = JSON.parse(j.body);
  assert.equal(o.attributes.Firstname, '</p><script>alert(1)</script><p>', 'JSON carries the value exactly');
  assert.ok(!('PictureTagMediumURL' in o.attributes) && !('PictureTagSmallURL' in o.attributes),
    'script URLs never leave as JSON either');
});

test('a token is never written anywhere: log (debug level), bodies, headers, process arguments', opt, async () => {
  const secret = (label) => token(`secret-${label}`);
  const cases = [];
  /* Every outcome, and upstreams that echo the token back in what they say. */
  cases.push(answer(secret('ok'), { body: granted({ Firstname: 'Ok' }) }));
  for (const code of ['102', '103', '504', '9999']) {
    const t = secret(`code${code}`);
    cases.push(answer(t, { status: 500, body: `<error><code>${code}</code><detail>bad token ${t}</detail></error>` }));
  }
  const tp = secret('partial');
  cases.push(answer(tp, { body: '<getPersonalRichProfileReturn><Data><UserAuthorizedData><Firstname>A</Firstname>' +
    `</UserAuthorizedData><url>http://${PRIVACY}/x?t=${tp}</url></Data></getPersonalRichProfileReturn>` }));
  const tm = secret('malformed');
  cases.push(answer(tm, { body: `<getPersonalRichProfileReturn><${tm.replace(/[^a-z]/gi, '')}>${tm}</oops>` }));
  const tr = secret('redirect');
  cases.push(answer(tr, { status: 302, location: `http://127.0.0.1:1/?token=${tr}`, body: tr }));
  cases.push(answer(secret('reset'), { destroy: true }));
  cases.push(answer(secret('slow'), { delayMs: 2500, body: granted({ Firstname: 'Late' }) }));
  cases.push(answer(secret('notxml'), { status: 200, body: 'not xml at all' }));
  const tq = 'sec-q%22%3Cx%3E&token=other#frag';   /* bytes a URL must keep */
  cases.push(answer(tq, { body: granted({ Firstname: 'Q' }) }));

  const seen = [];
  for (const t of cases) {
    for (const route of ['fragment?view=card', 'profile.json?view=account', 'fragment?view=card&return=/x']) {
      const r = await stack.request(`/richprofile/${route}`, { token: t });
      seen.push([t, route, r]);
    }
  }
  /* The upstream received each token intact (no byte changed or lost). */
  for (const t of cases) assert.ok(seenTokens.includes(t), `the API got ${t} intact`);

  const pid = stack.fcgi.pid;
  const procText = ['cmdline', 'environ'].map((f) => {
    try { return fs.readFileSync(`/proc/${pid}/${f}`, 'latin1'); } catch (e) { return ''; }
  }).join('\n');
  const log = stack.fcgiLog();
  assert.match(log, /debug/, 'the log is at debug level');
  for (const t of cases) {
    const forms = [t, encodeURIComponent(t), pct(t), t.slice(4, 24)];
    for (const f of forms) {
      assert.ok(!log.includes(f), `log holds no form of the token (${f})`);
      assert.ok(!procText.includes(f), 'not in /proc cmdline/environ');
    }
  }
  for (const [t, route, r] of seen) {
    const all = JSON.stringify(r.headers) + r.body;
    /* A partial's privacy URL is the API's own link; the token is never ours to add. */
    if (t === tp) continue;
    for (const f of [t, encodeURIComponent(t), pct(t)]) assert.ok(!all.includes(f), `${route}: answer holds no token`);
  }
  /* Each request was logged with a fingerprint, never the token. */
  assert.match(log, /token=[0-9a-f]{8,}/);
});

test('absurd FastCGI parameters: answered, logged on one line each, the program keeps serving', opt, async () => {
  const fc = stack.fcgi.request;
  const base = { SCRIPT_NAME: '/richprofile/fragment', REQUEST_METHOD: 'GET', QUERY_STRING: 'view=card' };
  const okTok = answer(token('fcgi'), { body: granted({ Firstname: 'Fcgi' }) });
  /*
   * Every value far past the program's own bounds (query 4 KiB, cookie
   * header 8 KiB, token 1 KiB), the request within [server]
   * max_params_bytes (64 KiB): answered.  Past that cap, see below.
   */
  const cases = [
    [{}, [404, 405]],
    [{ SCRIPT_NAME: '/richprofile/fragment' }, [405]],
    [{ ...base, REQUEST_METHOD: '' }, [405]],
    [{ ...base, REQUEST_METHOD: 'GET\r\nX-Evil: 1\nforged log line' }, [405]],
    [{ ...base, REQUEST_METHOD: 'G'.repeat(50000) }, [405]],
    [{ ...base, QUERY_STRING: `view=card&${'x'.repeat(50000)}` }, [400]],
    [{ ...base, QUERY_STRING: '&&&;;;==view=&view=card' }, [200, 400]],
    [{ ...base, QUERY_STRING: 'view=%' }, [400]],
    [{ ...base, SCRIPT_NAME: `/richprofile/${'a'.repeat(50000)}` }, [404]],
    /* No path at all names no route. */
    [{ ...base, SCRIPT_NAME: '', PATH_INFO: '', DOCUMENT_URI: '', REQUEST_URI: '?' }, [404]],
    [{ ...base, HTTP_COOKIE: `rp_token=${'A'.repeat(50000)}` }, [200]],
    [{ ...base, HTTP_COOKIE: Array.from({ length: 4000 }, (_, i) => `c${i}=${i}`).join('; ') + `; rp_token=${okTok}` }, [200]],
    [{ ...base, HTTP_COOKIE: ';;;; = ; =; rp_token; rp_token==; "rp_token"=x' }, [200]],
    [{ ...base, HTTP_COOKIE: 'rp_token=a\r\nb' }, [200]],
    [{ ...base, HTTP_COOKIE: 'rp_token=\u00e9\u00ff' }, [200]],
    [{ ...base, HTTP_ACCEPT_LANGUAGE: `${'en;q=0.'.repeat(7000)}` }, [200]],
    [{ ...base, HTTP_ACCEPT_LANGUAGE: '\u0000\u00ff;;q=-1,*;q=NaN', HTTP_COOKIE: `rp_token=${okTok}` }, [200]],
  ];
  for (const [params, want] of cases) {
    const label = JSON.stringify(params).slice(0, 120);
    const r = await fc(params, { timeout: 30000 });
    assert.ok(want.includes(r.status), `${label}: status ${r.status}`);
    assert.equal(r.headers['cache-control'], 'private, no-store', label);
    assert.ok(!('x-evil' in r.headers) && !('set-cookie' in r.headers), `${label}: no injected header`);
    assert.ok(r.body.length < 64 * 1024, `${label}: a short answer`);
    assert.ok(!/<script|forged/i.test(r.body), `${label}: nothing echoed`);
  }
  /* 4 000 cookies after ours: only the first part is read, and ours is in it. */
  const many = await fc({ ...base, HTTP_COOKIE: `rp_token=${okTok}; ` + Array.from({ length: 4000 }, (_, i) => `c${i}=${i}`).join('; ') });
  assert.equal(many.headers['x-richprofile-status'], 'ok');
  assert.ok(htmlDecode(many.body).includes('Fcgi'));
  /* Log lines: none of them was split by what a request carried. */
  const lines = stack.fcgiLog().split('\n').filter(Boolean);
  for (const l of lines) {
    assert.ok(!/^(X-Evil|forged)/.test(l), `a log line starts with request text: ${l.slice(0, 80)}`);
    assert.ok(l.length <= 4096, 'log lines are bounded');
  }
  /*
   * Past max_params_bytes (the 1 MiB values the program once read in
   * full): the connection is closed unanswered, and counted.
   */
  for (const params of [{ ...base, QUERY_STRING: `view=card&${'x'.repeat(1 << 20)}` },
    { ...base, HTTP_COOKIE: `rp_token=${'A'.repeat(1 << 20)}` },
    { ...base, HTTP_ACCEPT_LANGUAGE: `${'en;q=0.'.repeat(20000)}` }]) {
    await assert.rejects(fc(params, { timeout: 10000 }), /ECONNRESET|EPIPE|closed before END_REQUEST/,
      'a request past the cap is closed unanswered');
  }
  const metrics = await fc({ SCRIPT_NAME: '/richprofile/status', REQUEST_METHOD: 'GET', REMOTE_ADDR: '127.0.0.1' });
  assert.match(metrics.body, /richprofile_fcgi_connections_dropped_total\{reason="too_large"\} 3\n/);
  assert.match(stack.fcgiLog(), /parameters passed \[server\] max_params_bytes; raise it if/);
  /* Still serving, through the web server too. */
  const p = await fc({ SCRIPT_NAME: '/richprofile/ping', REQUEST_METHOD: 'GET' });
  assert.equal(p.body, 'ok\n');
  const r = await frag(okTok);
  assert.equal(r.headers['x-richprofile-status'], 'ok');
});

test('hostile upstream bodies: deep, huge, entities, wrong encodings: unavailable, bounded, still serving', opt, async () => {
  const bodies = {
    deep: '<getPersonalRichProfileReturn>' + '<a>'.repeat(100000) + '</a>'.repeat(100000) + '</getPersonalRichProfileReturn>',
    huge: `<getPersonalRichProfileReturn><Data><UserAuthorizedData><Firstname>${'x'.repeat(4 * 1024 * 1024)}` +
      '</Firstname></UserAuthorizedData></Data></getPersonalRichProfileReturn>',
    laughs: '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">' +
      '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>' +
      '<getPersonalRichProfileReturn><Data><UserAuthorizedData><Firstname>&d;&d;&d;</Firstname>' +
      '</UserAuthorizedData></Data></getPersonalRichProfileReturn>',
    external: '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>' +
      '<getPersonalRichProfileReturn><Data><UserAuthorizedData><Firstname>&x;</Firstname>' +
      '</UserAuthorizedData></Data></getPersonalRichProfileReturn>',
    latin1: Buffer.concat([Buffer.from('<getPersonalRichProfileReturn><Data><UserAuthorizedData><Firstname>'),
      Buffer.from([0xe9, 0xff, 0xfe]), Buffer.from('</Firstname></UserAuthorizedData></Data></getPersonalRichProfileReturn>')]),
    manyitems: granted({ Firstname: 'M', CentersOfInterests: Array.from({ length: 50000 }, (_, i) => `<i>${i}</i>`).join('') }),
  };
  for (const [name, body] of Object.entries(bodies)) {
    const t0 = Date.now();
    const r = await frag(answer(token(name), { body }));
    const ms = Date.now() - t0;
    assert.equal(r.status, 200, name);
    assert.ok(['unavailable', 'ok'].includes(r.headers['x-richprofile-status']), `${name}: ${r.headers['x-richprofile-status']}`);
    assert.ok(!r.body.includes('root:'), `${name}: no local file`);
    assert.ok(r.body.length < 256 * 1024, `${name}: a bounded fragment (${r.body.length} bytes)`);
    /* timeout_ms is 1500: generous margin for a loaded machine, never unbounded. */
    assert.ok(ms < 15000, `${name}: answered in ${ms} ms`);
  }
  /* An upstream that trickles bytes forever: stopped by timeout_ms (1500), not by the client. */
  const t0 = Date.now();
  const slow = await frag(answer(token('trickle'), { trickle: true }));
  const ms = Date.now() - t0;
  assert.equal(slow.headers['x-richprofile-status'], 'unavailable');
  assert.ok(ms >= 1400 && ms < 6500, `trickling upstream cut at ${ms} ms (timeout_ms 1500, margin for a loaded machine)`);
  const r = await frag(answer(token('after'), { body: granted({ Firstname: 'After' }) }));
  assert.equal(r.headers['x-richprofile-status'], 'ok');
});

test('no user ever receives another user\'s profile: 600 concurrent requests, cache on, similar tokens', opt, async () => {
  /*
   * Tokens that differ by one byte, by a prefix or suffix, by case, and
   * two views per token (cache keys of token + attributes): each answer
   * is checked against the cookie that asked.  The API answers after a
   * jittered delay so that misses overlap and coalesce.
   */
  const users = [];
  const stem = token('cu');
  const variants = ['', 'a', 'A', 'aa', '-', 'a-', 'b'];
  for (const v of variants) {
    for (const w of ['x', 'X', 'xx']) users.push(`${stem}${v}${w}`);
  }
  users.forEach((t, i) => {
    answers.set(t, { delayMs: (i * 7) % 40, body: granted({ Firstname: `User${i}`, Lastname: `L${i}`, UserEMail: `u${i}@example.org` }) });
  });
  const jobs = [];
  for (let k = 0; k < 600; k++) {
    const i = (k * 13) % users.length;
    const view = k % 3 === 0 ? 'account' : 'card';
    const json = k % 2 === 0;
    jobs.push([i, view, json]);
  }
  let next = 0;
  const wrong = [];
  const worker = async () => {
    while (next < jobs.length) {
      const [i, view, json] = jobs[next++];
      const r = await stack.request(`/richprofile/${json ? 'profile.json' : 'fragment'}?view=${view}`, { token: users[i] });
      const name = json ? JSON.parse(r.body).attributes.Firstname : htmlDecode(r.body);
      const mine = json ? name === `User${i}` : new RegExp(`\\bUser${i}\\b`).test(name);
      const others = json ? false : /\bUser(\d+)\b/g;
      if (!mine) wrong.push(`${users[i]} got ${String(name).slice(0, 80)}`);
      if (others) for (const m of name.matchAll(others)) if (Number(m[1]) !== i) wrong.push(`${users[i]} saw User${m[1]}`);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} answers for another user`);
  /* The page that includes the fragment is personal too: no cache on the way may keep it. */
  const page = await stack.request('/account.shtml', { token: users[0] });
  assert.equal(page.status, 200);
  assert.match(page.headers['cache-control'] || '', /private/);
  assert.match(page.headers['cache-control'] || '', /no-store/);
  assert.match(String(page.headers.vary || ''), /Cookie/i);
  assert.ok(htmlDecode(page.body).includes('User0'), 'the page shows its own user');
});
