'use strict';
/*
 * restrict.js: the shipped nginx and Apache snippets keep the status
 * (metrics) and ready routes to clients on this host, and leave the
 * fragment open.  Another loopback source address (127.0.0.2) stands for
 * a remote client: the servers listen on 127.0.0.1 only.
 */
const { describe, before, after, test } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const path = require('node:path');

const srcdir = path.resolve(process.env.top_srcdir || path.join(__dirname, '..', '..'));
const fs = require('node:fs');
const { startStack, missing, SNIPPET_SOCKET } = require(path.join(srcdir, 'tests', 'lib', 'stack.js'));

/* nginx's auth location (the shipped richprofile-auth.conf), beside richprofile.conf. */
function nginxAuth(dir, socket) {
  const text = fs.readFileSync(path.join(srcdir, 'conf', 'nginx', 'richprofile-auth.conf'), 'utf8');
  return { conf: text.split(SNIPPET_SOCKET).join(socket) };
}

/*
 * Every route spelled otherwise than documented.  norm: what the web
 * server makes of the path (dot segments resolved, "//" merged, as both
 * nginx and Apache do), so a variant that normalises to the documented
 * path is that path.
 */
const ROUTES = ['status', 'ready', 'auth', 'fragment', 'profile.json', 'ping'];
function variants(r) {
  return [
    { p: `/richprofile/x/${r}`, norm: false },
    { p: `/richprofile/x/y/${r}`, norm: false },
    { p: `/richprofile//${r}`, norm: true },
    /* nginx decodes %2F, then merges the slashes; Apache refuses it. */
    { p: `/richprofile/%2F${r}`, norm: 'nginx' },
    { p: `/richprofile/x%2F${r}`, norm: false },
    { p: `/richprofile/${r};x`, norm: false },
    { p: `/richprofile/${r};`, norm: false },
    { p: `/richprofile/${r}/`, norm: false },
    { p: `/richprofile/${r}/.`, norm: false },
    { p: `/richprofile/./${r}`, norm: true },
    { p: `/richprofile/x/../${r}`, norm: true },
    { p: `/richprofile/x/%2E%2E/${r}`, norm: true },
    { p: `/richprofile/${r.toUpperCase()}`, norm: false },
    { p: `/RICHPROFILE/${r}`, norm: false },
    { p: `/richprofile/${r}%00`, norm: false },
  ];
}

/* One GET from the source address `from`; resolves to { status, headers, body }. */
function get(base, p, from, cookie) {
  return new Promise((resolve, reject) => {
    const u = new URL(base + p);
    const req = http.request({
      host: u.hostname, port: u.port, path: u.pathname + u.search, agent: false,
      localAddress: from, headers: cookie ? { Cookie: cookie } : {},
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers,
        body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(10000, () => req.destroy(new Error(`timeout: ${p}`)));
    req.on('error', reject);
    req.end();
  });
}

for (const server of ['nginx', 'apache']) {
  const why = missing(server);
  describe(`${server}: status and ready are for this host only`, { skip: why || false }, () => {
    let stack;
    before(async () => {
      stack = await startStack({ server, serverExtra: server === 'nginx' ? nginxAuth : undefined });
    });
    after(async () => { if (stack) await stack.stop(); });

    test('status from 127.0.0.1: the metrics', async () => {
      const r = await get(stack.base, '/richprofile/status', '127.0.0.1');
      assert.equal(r.status, 200);
      assert.match(r.headers['content-type'], /^text\/plain; version=0\.0\.4/);
      assert.match(r.body, /^richprofile_build_info\{version="[^"]+"\} 1$/m);
    });

    test('ready from 127.0.0.1: 200 ready', async () => {
      const r = await get(stack.base, '/richprofile/ready', '127.0.0.1');
      assert.equal(r.status, 200);
      assert.equal(r.body, 'ready\n');
    });

    for (const route of ['status', 'ready']) {
      test(`${route} from another address: 403, nothing of the program`, async () => {
        const r = await get(stack.base, `/richprofile/${route}`, '127.0.0.2');
        assert.equal(r.status, 403);
        assert.doesNotMatch(r.body, /richprofile_|ready/);
      });
    }

    test('no spelling of a route reaches more than its documented path; none of status, ready, auth answers another address', async () => {
      const cookie = stack.cookieFor('amelie');
      for (const r of ROUTES) {
        const loopOnly = ['status', 'ready', 'auth'].includes(r);
        for (const v of variants(r)) {
          const a = await get(stack.base, v.p, '127.0.0.2', cookie);
          const label = `${server} ${v.p} from 127.0.0.2: ${a.status}`;
          const norm = v.norm === true || v.norm === server;
          if (loopOnly || !norm) assert.ok(a.status < 200 || a.status >= 300, label);
          assert.doesNotMatch(a.body, /richprofile_|^ready/m, `${label}: nothing of status or ready`);
          assert.deepEqual(Object.keys(a.headers).filter((k) => k.startsWith('x-profile-')), [],
            `${label}: no profile header`);
          if (!norm) assert.equal(a.headers['x-richprofile-status'], undefined, `${label}: no fragment`);
        }
      }
    });

    test('auth asked as a page answers nobody, not even this host', async () => {
      for (const from of ['127.0.0.1', '127.0.0.2']) {
        const r = await get(stack.base, '/richprofile/auth', from, stack.cookieFor('amelie'));
        assert.equal(r.status, 404, `${server} /richprofile/auth from ${from}`);
        assert.deepEqual(Object.keys(r.headers).filter((k) => k.startsWith('x-profile-')), []);
      }
    });

    test('the fragment from another address is served as usual', async () => {
      const r = await get(stack.base, '/richprofile/fragment?view=card', '127.0.0.2',
        stack.cookieFor('amelie'));
      assert.equal(r.status, 200);
      assert.equal(r.headers['x-richprofile-status'], 'ok');
    });
  });
}

/*
 * A snippet without its allow/deny rules (an operator's own, or an old
 * one): the program refuses status and ready to other addresses itself.
 */
for (const server of ['nginx', 'apache']) {
  const why = missing(server);
  describe(`${server} with the loopback rules removed from the snippet: the program still refuses`, { skip: why || false }, () => {
    let stack;
    before(async () => {
      stack = await startStack({
        server,
        snippet: (text, kind) => (kind === 'nginx'
          ? text.replace(/location ~ \^\/richprofile\/\(status\|ready\)\$ \{[^}]*\}/, '')
          : text.replace(/<LocationMatch "\^\/richprofile\/\(status\|ready\)\$">[^<]*<\/LocationMatch>/, '')),
      });
    });
    after(async () => { if (stack) await stack.stop(); });

    test('the edit took: the snippet has no rule of its own left', () => {
      const text = fs.readFileSync(path.join(stack.dir, `richprofile-${server}.conf`), 'utf8');
      assert.doesNotMatch(text, /allow 127\.0\.0\.1|Require ip/);
    });

    for (const route of ['status', 'ready']) {
      test(`${route}: 403 from the program to 127.0.0.2, 200 to 127.0.0.1`, async () => {
        const far = await get(stack.base, `/richprofile/${route}`, '127.0.0.2');
        assert.equal(far.status, 403);
        assert.doesNotMatch(far.body, /richprofile_|^ready/m);
        assert.match(far.body, /class="rp /, 'the program\'s own error fragment');
        const near = await get(stack.base, `/richprofile/${route}`, '127.0.0.1');
        assert.equal(near.status, 200);
        assert.match(stack.fcgiLog(), new RegExp(`${route} refused to client 127\\.0\\.0\\.2: not in \\[server\\] ops_allow`));
      });
    }
  });
}
