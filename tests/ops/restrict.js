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
const { startStack, missing } = require(path.join(srcdir, 'tests', 'integration', 'stack.js'));

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
    before(async () => { stack = await startStack({ server }); });
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

    test('the fragment from another address is served as usual', async () => {
      const r = await get(stack.base, '/richprofile/fragment?view=card', '127.0.0.2',
        stack.cookieFor('amelie'));
      assert.equal(r.status, 200);
      assert.equal(r.headers['x-richprofile-status'], 'ok');
    });
  });
}
