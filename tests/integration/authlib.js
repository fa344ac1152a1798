'use strict';
/*
 * authlib.js: pieces the auth route's tests share: a backend that echoes
 * what it received, a canned API answering hostile values, the web
 * servers in front (real nginx and Apache with the shipped snippets), and
 * the decoder a backend would use for the X-Profile-* values.
 */

const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');

const assert = require('node:assert/strict');
const { before, after, test } = require('node:test');

const {
  startStack, missing, httpRequest, paths, stopChild, freePort, API_PATH, waitConnect, spawnTracked, readIf,
  fcgiRecord,
} = require('../lib/stack');

const SNIPPET_SOCKET = '/run/richprofile/richprofile.sock';
const SNIPPET_FCGI_ADDRESS = 'fcgi://127.0.0.1:9601/';
const START_TIMEOUT_MS = 10000;

const snippets = {
  nginxAuth: path.join(paths.srcdir, 'conf', 'nginx', 'richprofile-auth.conf'),
  nginxRequest: path.join(paths.srcdir, 'conf', 'nginx', 'richprofile-auth-request.conf'),
  nginxProxy: path.join(paths.srcdir, 'conf', 'nginx', 'richprofile-auth-proxy.conf'),
  nginxFastcgi: path.join(paths.srcdir, 'conf', 'nginx', 'richprofile-auth-fastcgi.conf'),
  apacheAuth: path.join(paths.srcdir, 'conf', 'apache', 'richprofile-auth.conf'),
};

/*
 * What a backend does with a value: "UTF-8''" + percent-encoded UTF-8
 * (RFC 8187) is decoded, anything else is taken as it is.
 */
function decodeValue(v) {
  if (v === undefined) return undefined;
  return v.startsWith("UTF-8''") ? decodeURIComponent(v.slice(7)) : v;
}

/* A list header: items split on "," then each decoded. */
function decodeList(v) {
  if (v === undefined) return undefined;
  return v.split(',').map((s) => decodeValue(s.trim()));
}

/* Every header name of the catalogue the program may send, from lib/attr.c. */
function catalogueHeaderNames() {
  const src = fs.readFileSync(path.join(paths.srcdir, 'lib', 'attr.c'), 'utf8');
  const attrs = [...src.matchAll(/^\s*\[RP_A_[A-Z]+\] = \{ "([A-Za-z]+)", \{[^}]*\}, (RP_KIND_[A-Z]+)/gm)];
  const partsSrc = /addr_parts\[RP_ADDR__COUNT\] = \{([^}]*)\}/.exec(src);
  const parts = [...partsSrc[1].matchAll(/"([A-Za-z0-9]+)"/g)].map((m) => m[1]);
  const names = ['Status', 'Withheld', 'Consent-URL'];
  for (const [, name, kind] of attrs) {
    if (kind === 'RP_KIND_ADDRESS') for (const p of parts) names.push(`${name}-${p}`);
    else names.push(name);
  }
  return names.map((n) => `X-Profile-${n}`);
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

/*
 * The site's own backend: answers every request with a JSON echo of what
 * it received: { method, url, body, headers (lower-case names, as node
 * joins them), raw (the [name, value] pairs in order) }.  `calls` counts
 * the requests that reached it.
 */
async function startEchoBackend() {
  const backend = { calls: 0 };
  /*
   * Room for every header the program may send (24 KiB in all) next to
   * the request's own, as the snippets ask of a backend: node's default
   * of 16 KiB would refuse large profiles with 431.
   */
  const server = http.createServer({ maxHeaderSize: 32 * 1024 }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      backend.calls++;
      const raw = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) raw.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
      const body = JSON.stringify({
        method: req.method, url: req.url, body: Buffer.concat(chunks).toString('utf8'),
        headers: req.headers, raw,
      });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  backend.port = await listen(server);
  backend.stop = () => new Promise((resolve) => server.close(() => resolve()));
  server.unref();
  return backend;
}

function readLength(buf, at) {
  if (buf[at] < 128) return [buf[at], at + 1];
  return [buf.readUInt32BE(at) & 0x7fffffff, at + 4];
}

/* FastCGI name-value pairs into [name, value] pairs, in order. */
function parseParams(buf) {
  const out = [];
  let at = 0;
  while (at < buf.length) {
    let nl; let vl;
    [nl, at] = readLength(buf, at);
    [vl, at] = readLength(buf, at);
    const name = buf.subarray(at, at + nl).toString('utf8'); at += nl;
    const value = buf.subarray(at, at + vl).toString('utf8'); at += vl;
    out.push([name, value]);
  }
  return out;
}

/*
 * A FastCGI backend (a PHP-FPM stand-in) on a free port: answers each
 * request with a JSON echo { params (an object; a repeated name keeps
 * every value in an array), pairs (in order) }.
 */
async function startFastcgiEchoBackend() {
  const backend = { calls: 0 };
  const server = net.createServer((sock) => {
    let buf = Buffer.alloc(0);
    let params = Buffer.alloc(0);
    let id = 1;
    sock.on('error', () => {});
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 8) {
        const type = buf.readUInt8(1); const len = buf.readUInt16BE(4); const pad = buf.readUInt8(6);
        if (buf.length < 8 + len + pad) break;
        id = buf.readUInt16BE(2);
        const content = buf.subarray(8, 8 + len);
        buf = buf.subarray(8 + len + pad);
        if (type === 4 && len > 0) params = Buffer.concat([params, content]);
        if (type === 5 && len === 0) {
          backend.calls++;
          const pairs = parseParams(params);
          const obj = {};
          for (const [k, v] of pairs) obj[k] = obj[k] === undefined ? v : [].concat(obj[k], v);
          const body = Buffer.from(JSON.stringify({ params: obj, pairs }));
          const head = Buffer.from(`Status: 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
          const end = Buffer.alloc(8);
          sock.end(Buffer.concat([fcgiRecord(6, id, Buffer.concat([head, body])), fcgiRecord(6, id, Buffer.alloc(0)),
            fcgiRecord(3, id, end)]));
        }
      }
    });
  });
  backend.port = await listen(server);
  backend.stop = () => new Promise((resolve) => server.close(() => resolve()));
  server.unref();
  return backend;
}

/*
 * An API that answers every call with the same granted profile, whose
 * values are hostile to headers: CR LF, quotes, commas, "UTF-8''",
 * percent signs, markup and non-ASCII.  What each value must decode to
 * is in `values`.
 */
const HOSTILE = {
  Firstname: 'Eve\r\nX-Injected: yes',
  Lastname: 'O\'Hara "the <script>alert(1)</script>" ; x=1',
  Displayname: 'Zoë 😀 %41 UTF-8\'\'x',
  Interests: ['a, b', "UTF-8''c", 'Ciné\nma'],
  City: 'Paris\r\n\r\n<b>body</b>',
};

/* The set-up of the hostile suites: that API, a view of its attributes, allow. */
const HOSTILE_ALLOW = {
  hostile: true,
  config: {
    auth: { view: 'hostile', without_token: 'allow' },
    'view hostile': { infos: 'Firstname,Lastname,Displayname,HomeAddress,CentersOfInterests', template: 'card.html' },
  },
};

function xmlText(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;').replace(/\n/g, '&#10;');
}

function profileXml(values) {
  return '<?xml version="1.0" encoding="UTF-8"?>\n<getPersonalRichProfileReturn><Data><UserAuthorizedData>'
    + `<Firstname>${xmlText(values.Firstname)}</Firstname>`
    + `<Lastname>${xmlText(values.Lastname)}</Lastname>`
    + `<Displayname>${xmlText(values.Displayname)}</Displayname>`
    + `<HomeAddress><City>${xmlText(values.City)}</City></HomeAddress>`
    + '<CentersOfInterests>'
    + values.Interests.map((i) => `<CenterOfInterest>${xmlText(i)}</CenterOfInterest>`).join('')
    + '</CentersOfInterests>'
    + '</UserAuthorizedData></Data></getPersonalRichProfileReturn>\n';
}

/*
 * values: { Firstname, Lastname, Displayname, City, Interests } (default
 * HOSTILE), or a function of the token asked for that returns them.
 */
async function startHostileApi(values = HOSTILE) {
  const api = { calls: 0, values };
  const server = http.createServer((req, res) => {
    api.calls++;
    const token = new URL(req.url, 'http://api').searchParams.get('token');
    const xml = profileXml(typeof values === 'function' ? values(token) : values);
    res.writeHead(200, { 'Content-Type': 'application/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(xml) });
    res.end(xml);
  });
  api.port = await listen(server);
  api.endpoint = `http://127.0.0.1:${api.port}${API_PATH}`;
  api.stop = () => new Promise((resolve) => server.close(() => resolve()));
  server.unref();
  return api;
}

/*
 * Profiles that grow past what one answer of the auth route may carry.
 * '€' is 3 UTF-8 bytes and 9 characters once percent-encoded, so a value
 * at the parser's 4 KiB cap ('x' + 1365 of them) is a header line of
 * about 12 KiB.  Shape "one": Firstname alone grows, one line past
 * Apache's 8 KiB per line; shape "all": five values grow together, the
 * whole block past nginx's 32k buffer, in steps of 135 encoded bytes,
 * finer than the fixed headers and FastCGI framing (some 230 bytes)
 * that a cap on X-Profile-* headers alone leaves out.  The token names
 * the step: tok-grow-SHAPE-N.
 */
const GROW_MAX = 1365;
const GROWING_STEPS = [];
for (let n = 0; n <= GROW_MAX; n += 21) GROWING_STEPS.push({ shape: 'one', n });
for (let n = 0; n <= GROW_MAX; n += 3) GROWING_STEPS.push({ shape: 'all', n });

function growingValues(token) {
  const m = /^tok-grow-(one|all)-([0-9]+)$/.exec(token || '');
  if (!m) throw new Error(`the growing API was asked for token ${token}`);
  const big = `x${'€'.repeat(Number(m[2]))}`;
  const other = m[1] === 'all' ? big : 'Short';
  return { Firstname: big, Lastname: other, Displayname: other, City: other, Interests: [other] };
}

const GROWING_ALLOW = {
  hostile: growingValues,
  config: HOSTILE_ALLOW.config,
};

/*
 * Walks GROWING_STEPS through env's web server: at every size the page
 * (the echo backend) answers 200 and gets either every value, intact,
 * with X-Profile-Status ok, or X-Profile-Status unavailable and no other
 * X-Profile-* header; small profiles are sent, the largest are not, and
 * once a shape is too large it stays so.  Returns the count of each.
 */
async function checkGrowing(env) {
  const seen = { ok: 0, unavailable: 0 };
  const over = {};
  const first = {};
  for (const { shape, n } of GROWING_STEPS) {
    const token = `tok-grow-${shape}-${n}`;
    const what = `${shape} x ${n}`;
    const r = await env.get('/app/', { cookie: `rp_token=${token}` });
    assert.equal(r.status, 200, `${what}: the page answered ${r.status}: ${r.body.slice(0, 200)}`);
    const e = r.echo;
    const status = one(e, 'X-Profile-Status');
    if (status === 'ok') {
      const v = growingValues(token);
      assert.ok(!over[shape], `${what}: sent, though a smaller profile was not`);
      assert.equal(decodeValue(one(e, 'X-Profile-Firstname')), v.Firstname, what);
      assert.equal(decodeValue(one(e, 'X-Profile-Lastname')), v.Lastname, what);
      assert.equal(decodeValue(one(e, 'X-Profile-Displayname')), v.Displayname, what);
      assert.equal(decodeValue(one(e, 'X-Profile-HomeAddress-City')), v.City, what);
      assert.deepEqual(decodeList(one(e, 'X-Profile-CentersOfInterests')), v.Interests, what);
    } else {
      assert.equal(status, 'unavailable', what);
      assert.deepEqual(profileHeaders(e).map(([k]) => k.toLowerCase()), ['x-profile-status'], what);
      over[shape] = true;
    }
    seen[status]++;
    if (first[shape] === undefined) first[shape] = status;
  }
  for (const shape of ['one', 'all']) {
    assert.equal(first[shape], 'ok', `${shape}: even the smallest profile was not sent`);
    assert.ok(over[shape], `${shape}: even the largest profile was sent`);
  }
  return seen;
}

/* Every X-Profile-* [name, value] pair an echo backend received, in order. */
function profileHeaders(echo) {
  return echo.raw.filter(([k]) => /^x-profile-/i.test(k));
}

/* The one value of header name at an echo backend; fails when it came twice. */
function one(echo, name) {
  const got = echo.raw.filter(([k]) => k.toLowerCase() === name.toLowerCase());
  if (got.length > 1) throw new Error(`${name} reached the backend ${got.length} times`);
  return got.length ? got[0][1] : undefined;
}

/* A copy of a shipped snippet in dir, with `from` strings replaced by `to`. */
function copySnippet(file, dir, from, to) {
  const out = path.join(dir, path.basename(file));
  fs.writeFileSync(out, fs.readFileSync(file, 'utf8').split(from).join(to));
  return out;
}

/*
 * What nginx adds to the stack's server block: the shipped auth snippet
 * (on the stack's socket); /app/ proxies to the HTTP echo backend and
 * /php/ to the FastCGI one, each through the shipped includes.
 */
function nginxExtra(backend, fcgiBackend) {
  return (dir, socket) => {
    const [auth, request, proxy, fastcgi] = [snippets.nginxAuth, snippets.nginxRequest, snippets.nginxProxy,
      snippets.nginxFastcgi].map((f) => copySnippet(f, dir, SNIPPET_SOCKET, socket));
    return {
      conf: `    include ${auth};
    location /app/ {
      include ${request};
      include ${proxy};
      proxy_pass http://127.0.0.1:${backend.port};
    }
    location /php/ {
      include ${request};
      include ${dir}/fastcgi_params;
      include ${fastcgi};
      fastcgi_pass 127.0.0.1:${fcgiBackend.port};
    }`,
    };
  };
}

/*
 * What Apache adds: the shipped auth snippet, its authorizer at
 * fcgiPort (mod_authnz_fcgi speaks TCP only), /app/ proxied to the echo
 * backend.
 */
function apacheExtra(backend, fcgiPort) {
  return (dir) => ({
    modules: ['authnz_fcgi', 'authn_core', 'authz_user', 'proxy_http'],
    conf: `ProxyPass "/app/" "http://127.0.0.1:${backend.port}/app/"
Include ${copySnippet(snippets.apacheAuth, dir, SNIPPET_FCGI_ADDRESS, `fcgi://127.0.0.1:${fcgiPort}/`)}`,
  });
}

/* What a server kind needs beyond the stack's; null when all is there. */
function missingFor(kind) {
  const why = missing(kind);
  if (why || kind !== 'apache') return why;
  for (const mod of ['authnz_fcgi', 'authn_core', 'authz_user', 'proxy_http']) {
    if (!fs.existsSync(path.join(paths.apacheModules, `mod_${mod}.so`))) return `mod_${mod} is missing`;
  }
  return null;
}

/*
 * The whole set-up of one auth suite: echo backends, the stack (the
 * simulator, or with hostile the canned hostile API), the web server
 * with the shipped auth snippets and, for Apache, a second
 * richprofile-fcgi on TCP with the same configuration; hostile may
 * also be startHostileApi's function of the token.  config is merged
 * into the stack's.  Resolves to { stack, backend, fcgiBackend,
 * api, base, get(path, opts) -> { status, headers, body, echo }, stop() }.
 */
async function startAuthStack(kind, { config = {}, hostile = false } = {}) {
  const env = { backend: null, fcgiBackend: null, api: null, stack: null, tcp: null };
  env.stop = async () => {
    if (env.tcp) await stopChild(env.tcp);
    if (env.stack) await env.stack.stop();
    for (const s of [env.backend, env.fcgiBackend, env.api]) if (s) await s.stop();
  };
  try {
    env.backend = await startEchoBackend();
    env.fcgiBackend = await startFastcgiEchoBackend();
    const conf = Object.assign({}, config);
    if (hostile) {
      env.api = await startHostileApi(hostile === true ? HOSTILE : hostile);
      conf.upstream = Object.assign({}, conf.upstream, { endpoint: env.api.endpoint });
    }
    const tcpPort = kind === 'apache' ? await freePort() : 0;
    env.stack = await startStack({
      server: kind,
      config: conf,
      serverExtra: kind === 'apache' ? apacheExtra(env.backend, tcpPort) : nginxExtra(env.backend, env.fcgiBackend),
    });
    if (kind === 'apache') {
      const log = path.join(env.stack.dir, 'fcgi-tcp.log');
      env.tcp = spawnTracked(paths.fcgi, ['-c', env.stack.fcgi.conf, '-s', `tcp:127.0.0.1:${tcpPort}`, '-n', '4'], {}, log);
      await waitConnect({ port: tcpPort }, env.tcp, `richprofile-fcgi -s tcp (${readIf(log)})`,
        Date.now() + START_TIMEOUT_MS);
    }
  } catch (e) {
    await env.stop();
    throw e;
  }
  env.base = env.stack.base;
  env.get = async (p, opts = {}) => {
    const o = Object.assign({}, opts);
    if (opts.user) o.cookie = env.stack.cookieFor(opts.user);
    const r = await httpRequest(env.base + p, o);
    const echo = r.status === 200 && /json/.test(r.headers['content-type'] || '') ? JSON.parse(r.body) : null;
    return Object.assign(r, { echo });
  };
  return env;
}

/*
 * One suite of a test file: its set-up started before the file's tests
 * and stopped after them (startAuthStack(kind, opts)), and .test(name,
 * fn) for top-level tests named "KIND, LABEL: name", skipped when the
 * server is not installed; fn gets the set-up ({ env, stack, backend,
 * api, ... }).
 */
function authSuite(kind, label, opts) {
  const why = missingFor(kind);
  const suite = { env: null };
  if (!why) {
    before(async () => { suite.env = await startAuthStack(kind, opts); });
    after(async () => { if (suite.env) await suite.env.stop(); });
  }
  suite.test = (name, fn) => test(`${kind}, ${label}: ${name}`, { skip: why || false, timeout: 60000 },
    () => fn(Object.assign({ env: suite.env }, suite.env)));
  return suite;
}

module.exports = {
  authSuite,
  snippets, decodeValue, decodeList, catalogueHeaderNames, startAuthStack, missingFor, one, profileHeaders, HOSTILE, HOSTILE_ALLOW,
  startHostileApi, GROWING_ALLOW, checkGrowing,
  SNIPPET_FCGI_ADDRESS,
};
