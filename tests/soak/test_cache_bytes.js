'use strict';
/*
 * cache-bytes.js: the cache's memory is bounded by [cache] max_bytes in
 * the real program.  An API answers each user a profile of a size that
 * grows from user to user (4 KiB to 240 KiB, values near the parser's
 * 4 KiB cap), far more of them than the bound holds; the cache fills to
 * the bound and no further, and the process's resident memory grows by
 * the bound plus a fixed margin at most.
 */

const { test } = require('node:test');
const assert = require('node:assert/strict');
const childProcess = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');

const { startStack, missing, paths, API_PATH } = require('../lib/stack');

const MAX_BYTES = 8 * 1024 * 1024;
const USERS = 400;
const THREADS = 4;
const ITEM = 4000;          /* bytes of one interest: under the 4 KiB cap */
const MAX_ITEMS = 60;       /* 240 KB: under max_response_bytes (256 KiB) */
/*
 * What the process may grow by beside the profiles the cache keeps:
 * 2 MiB per worker.  Each of the 4 holds, at its largest, curl's copy of
 * a 240 KB answer, the parser's copy of its text and its 64 KiB
 * scratch, the JSON written from it and libfcgi's streams; and glibc
 * gives each worker thread a malloc arena of its own, which keeps the
 * blocks of evicted profiles for the next ones rather than returning
 * them, not all reusable by profiles of other sizes.  Measured on this
 * run: growth of 11.2 to 13.2 MiB over seven runs (the bound plus 3.2
 * to 5.2 MiB); with max_bytes = 1 MiB, 4.3 MiB; with 1 GiB, a bound
 * never reached, 48.5 MiB, all 400 profiles kept.
 */
const MARGIN = THREADS * 2 * 1024 * 1024;

function itemsOf(i) {
  return 1 + Math.floor((i * (MAX_ITEMS - 1)) / (USERS - 1));
}

/* Profile i: its marker as Firstname, itemsOf(i) interests of ITEM bytes. */
function profileXml(i) {
  const item = `${String(i).padStart(4, '0')}-${'é'.repeat((ITEM - 5) / 2)}`;
  return '<?xml version="1.0" encoding="UTF-8"?>\n<getPersonalRichProfileReturn><Data><UserAuthorizedData>'
    + `<Firstname>Mem${i}</Firstname><CentersOfInterests>`
    + `<CenterOfInterest>${item}</CenterOfInterest>`.repeat(itemsOf(i))
    + '</CentersOfInterests></UserAuthorizedData></Data></getPersonalRichProfileReturn>\n';
}

async function startApi() {
  const api = { calls: 0, bytes: 0 };
  const server = http.createServer((req, res) => {
    const m = /^tok-mem-([0-9]+)$/.exec(new URL(req.url, 'http://api').searchParams.get('token') || '');
    api.calls++;
    if (!m) {
      res.writeHead(404);
      res.end();
      return;
    }
    const body = Buffer.from(profileXml(Number(m[1])));
    api.bytes += body.length;
    res.writeHead(200, { 'Content-Type': 'application/xml; charset=utf-8', 'Content-Length': body.length });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.endpoint = `http://127.0.0.1:${server.address().port}${API_PATH}`;
  api.stop = () => new Promise((resolve) => server.close(() => resolve()));
  return api;
}

function rssKiB(pid) {
  return Number(/^VmRSS:\s+([0-9]+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}

/* One figure of the status route. */
function metric(text, name) {
  const m = new RegExp(`^${name} ([0-9.e+]+)$`, 'm').exec(text);
  assert.ok(m, `${name} is not in the status route's answer`);
  return Number(m[1]);
}

/*
 * Resident memory means nothing under AddressSanitizer (shadow memory,
 * quarantine) or a wrapper such as valgrind: the bound of bytes is
 * still checked there, the resident memory is not.
 */
function rssMeaningless() {
  if (process.env.RP_TEST_FCGI_WRAPPER) return 'richprofile-fcgi runs under a wrapper';
  const ldd = childProcess.spawnSync('ldd', [paths.fcgi], { encoding: 'utf8' });
  if (/libasan/.test(ldd.stdout || '')) return 'richprofile-fcgi is built with AddressSanitizer';
  return null;
}

test('profiles of growing size fill the cache to max_bytes, and the memory stays within it', {
  skip: missing(null) || false, timeout: 180000,
}, async (t) => {
  const api = await startApi();
  let stack;
  try {
    stack = await startStack({
      server: null,
      threads: THREADS,
      config: {
        upstream: { endpoint: api.endpoint, timeout_ms: 5000 },
        cache: { ttl_s: 600, stale_s: 0, max_entries: 100000, max_bytes: MAX_BYTES },
        'view big': { infos: 'Firstname,CentersOfInterests', template: 'card.html' },
      },
    });
    const ask = async (i) => {
      const r = await stack.fcgi.request({
        REQUEST_METHOD: 'GET', SCRIPT_NAME: '/richprofile/profile.json', QUERY_STRING: 'view=big',
        HTTP_COOKIE: `rp_token=tok-mem-${i}`,
      });
      assert.equal(r.status, 200, `user ${i}: ${r.body.slice(0, 200)}`);
      const j = JSON.parse(r.body);
      assert.equal(j.status, 'ok', `user ${i}`);
      assert.equal(j.attributes.Firstname, `Mem${i}`, `user ${i} got another's profile`);
      assert.equal(j.attributes.CentersOfInterests.length, itemsOf(i), `user ${i}`);
    };
    /* Every worker once, on small profiles: its buffers and arena exist. */
    await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(ask));
    const rss0 = rssKiB(stack.fcgi.pid);
    for (let i = 8; i < USERS; i += THREADS) {
      await Promise.all([...Array(THREADS).keys()].map((k) => i + k).filter((u) => u < USERS).map(ask));
    }
    const rss1 = rssKiB(stack.fcgi.pid);
    const st = (await stack.fcgi.request({ REQUEST_METHOD: 'GET', SCRIPT_NAME: '/richprofile/status', REMOTE_ADDR: '127.0.0.1' })).body;
    const bytes = metric(st, 'richprofile_cache_bytes');
    const growth = (rss1 - rss0) * 1024;
    t.diagnostic(`fetched ${(api.bytes / 1048576).toFixed(1)} MiB in ${api.calls} calls; cache ${bytes} bytes `
      + `(max ${MAX_BYTES}), ${metric(st, 'richprofile_cache_entries')} entries, `
      + `${metric(st, 'richprofile_cache_evictions_total')} evictions; RSS ${rss0} -> ${rss1} KiB`);

    assert.equal(api.calls, USERS, 'each user asked the API once');
    assert.ok(api.bytes > 4 * MAX_BYTES, `only ${api.bytes} bytes fetched: the bound was never tested`);
    assert.equal(metric(st, 'richprofile_cache_max_bytes'), MAX_BYTES);
    assert.ok(bytes <= MAX_BYTES, `the cache holds ${bytes} bytes, over ${MAX_BYTES}`);
    assert.ok(bytes >= 0.75 * MAX_BYTES, `the cache holds ${bytes} bytes: never filled`);
    assert.ok(metric(st, 'richprofile_cache_evictions_total') > 0);
    assert.equal(metric(st, 'richprofile_cache_oversize_total'), 0, 'every profile fits a shard');
    /* The most recent users are still kept: asking again costs no call. */
    await ask(USERS - 1);
    assert.equal(api.calls, USERS, 'the last user was not kept');
    const why = rssMeaningless();
    if (why) {
      t.diagnostic(`resident memory not checked: ${why}`);
    } else {
      assert.ok(growth <= MAX_BYTES + MARGIN,
        `RSS grew by ${(growth / 1048576).toFixed(1)} MiB, over max_bytes + margin `
        + `(${((MAX_BYTES + MARGIN) / 1048576).toFixed(1)} MiB)`);
    }
  } finally {
    if (stack) await stack.stop();
    await api.stop();
  }
});
