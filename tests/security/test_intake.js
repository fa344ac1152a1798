'use strict';
/*
 * intake.js: a FastCGI socket that idle, half-sent or oversized
 * connections cannot stall or bloat.  Real nginx with the shipped
 * snippet, the real richprofile-fcgi on its Unix socket, the simulator;
 * the hostile connections are raw clients of the program's socket, as
 * any local process could open.
 */
const { describe, before, after, test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const srcdir = path.resolve(process.env.top_srcdir || path.join(__dirname, '..', '..'));
const { startStack, missing, fcgiRequest, sleep } = require(path.join(srcdir, 'tests', 'lib', 'stack.js'));

const THREADS = 4;
const TIMEOUT_MS = 1500;

/* FastCGI framing, as a web server writes it. */
function rec(type, content) {
  const pad = (8 - (content.length % 8)) % 8;
  const h = Buffer.alloc(8);
  h.writeUInt8(1, 0); h.writeUInt8(type, 1); h.writeUInt16BE(1, 2);
  h.writeUInt16BE(content.length, 4); h.writeUInt8(pad, 6);
  return Buffer.concat([h, content, Buffer.alloc(pad)]);
}
function pair(k, v) {
  const kb = Buffer.from(k); const vb = Buffer.from(v);
  const len = (n) => (n < 128 ? Buffer.from([n]) : (() => { const b = Buffer.alloc(4); b.writeUInt32BE((n | 0x80000000) >>> 0); return b; })());
  return Buffer.concat([len(kb.length), len(vb.length), kb, vb]);
}
const BEGIN = rec(1, Buffer.from([0, 1, 0, 0, 0, 0, 0, 0]));

function connect(socket) {
  return new Promise((resolve, reject) => {
    const c = net.connect(socket);
    c.on('connect', () => resolve(c));
    c.on('error', reject);
  });
}

/* Resolves when the program closes c (EOF or reset), with the time it took. */
function closedBy(c, ms) {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    c.on('error', () => {});
    c.on('close', () => { clearTimeout(timer); resolve(Date.now() - t0); });
    c.resume();
  });
}

function rssKiB(pid) {
  return parseInt(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1], 10);
}

async function metric(stack, name) {
  const r = await stack.fcgi.request({ SCRIPT_NAME: '/richprofile/status', REQUEST_METHOD: 'GET', REMOTE_ADDR: '127.0.0.1' });
  const m = new RegExp(`^${name.replace(/[{}"[\]]/g, '\\$&')} (\\d+)$`, 'm').exec(r.body);
  return m ? Number(m[1]) : NaN;
}

describe('the FastCGI socket: deadline and cap on a request\'s records', { skip: missing('nginx') || false, timeout: 120000 }, () => {
  let stack;
  before(async () => {
    stack = await startStack({
      threads: THREADS,
      config: { server: { request_timeout_ms: TIMEOUT_MS } },
    });
  });
  after(async () => { if (stack) await stack.stop(); });

  test(`2 x ${THREADS} silent and 2 x ${THREADS} half-sent connections: pages are served meanwhile; they are closed at the deadline and counted`, async () => {
    const before = await metric(stack, 'richprofile_fcgi_connections_dropped_total{reason="timeout"}');
    const bad = [];
    for (let i = 0; i < 2 * THREADS; i++) bad.push(await connect(stack.fcgi.socket));
    for (let i = 0; i < 2 * THREADS; i++) {
      const c = await connect(stack.fcgi.socket);
      c.write(Buffer.concat([BEGIN, rec(4, pair('SCRIPT_NAME', '/richprofile/fragment')).subarray(0, 12)]));
      bad.push(c);
    }
    const closes = bad.map((c) => closedBy(c, TIMEOUT_MS + 3000));
    await sleep(100);
    assert.equal(await metric(stack, 'richprofile_fcgi_connections_waiting'), 4 * THREADS);
    /*
     * The workers are free: the scrape's own worker (and at most one
     * still finishing the scrape before it) is busy, not the 4 a held
     * connection each would take; 'ready', and a page at normal speed.
     */
    assert.ok(await metric(stack, 'richprofile_workers_busy') <= 2, 'no worker waits on a bad connection');
    const ready = await stack.fcgi.request({ SCRIPT_NAME: '/richprofile/ready', REQUEST_METHOD: 'GET', REMOTE_ADDR: '127.0.0.1' });
    assert.equal(ready.body, 'ready\n');
    const t0 = Date.now();
    const page = await stack.request('/richprofile/fragment?view=card', { user: 'amelie', timeout: 20000 });
    const took = Date.now() - t0;
    assert.equal(page.status, 200);
    assert.equal(page.headers['x-richprofile-status'], 'ok');
    assert.ok(took < TIMEOUT_MS, `the page took ${took} ms with ${4 * THREADS} bad connections open`);
    const times = await Promise.all(closes);
    for (const t of times) {
      assert.notEqual(t, null, 'every bad connection is closed');
      assert.ok(t >= TIMEOUT_MS - 200 && t < TIMEOUT_MS + 1500, `closed after ${t} ms`);
    }
    assert.equal(await metric(stack, 'richprofile_fcgi_connections_dropped_total{reason="timeout"}') - before, 4 * THREADS);
    assert.equal(await metric(stack, 'richprofile_fcgi_connections_waiting'), 0);
    assert.match(stack.fcgiLog(), /did not arrive within \[server\] request_timeout_ms/);
  });

  test('200 MB of parameters: refused at the cap, RSS grows by less than 1 MiB', async () => {
    const before = await metric(stack, 'richprofile_fcgi_connections_dropped_total{reason="too_large"}');
    /* Warm: what a first request of each kind allocates is not the attack's. */
    for (let i = 0; i < 3; i++) await stack.request('/richprofile/fragment?view=card', { user: 'amelie' });
    const rss0 = rssKiB(stack.fcgi.pid);
    const c = await connect(stack.fcgi.socket);
    const chunk = rec(4, Buffer.alloc(65528, 'p'));
    let sent = 0;
    const gone = closedBy(c, 30000);
    let closed = false;
    c.on('close', () => { closed = true; });
    c.write(BEGIN);
    while (sent < 200e6 && !closed) {
      if (!c.write(chunk)) await new Promise((r) => { c.once('drain', r); c.once('close', r); });
      sent += chunk.length;
    }
    assert.notEqual(await gone, null, 'the program closed the connection');
    assert.ok(sent < 200e6, `it stopped reading long before 200 MB (${sent} bytes written)`);
    const grew = rssKiB(stack.fcgi.pid) - rss0;
    assert.ok(grew < 1024, `RSS grew by ${grew} KiB`);
    assert.equal(await metric(stack, 'richprofile_fcgi_connections_dropped_total{reason="too_large"}') - before, 1);
    const page = await stack.request('/richprofile/fragment?view=card', { user: 'amelie' });
    assert.equal(page.headers['x-richprofile-status'], 'ok');
  });

  test('a slow but legitimate client, records trickled within the deadline, is served', async () => {
    const params = Buffer.concat([
      pair('SCRIPT_NAME', '/richprofile/fragment'), pair('REQUEST_METHOD', 'GET'),
      pair('QUERY_STRING', 'view=card'), pair('HTTP_COOKIE', stack.cookieFor('amelie')),
    ]);
    const all = Buffer.concat([BEGIN, rec(4, params), rec(4, Buffer.alloc(0)), rec(5, Buffer.alloc(0))]);
    const c = await connect(stack.fcgi.socket);
    const out = [];
    const ended = new Promise((resolve) => { c.on('data', (d) => out.push(d)); c.on('close', resolve); c.on('error', () => {}); });
    const step = Math.ceil(all.length / 20);
    for (let o = 0; o < all.length; o += step) {   /* about 1 s in all */
      c.write(all.subarray(o, o + step));
      await sleep(50);
    }
    await ended;
    const text = Buffer.concat(out).toString('latin1');
    assert.match(text, /X-RichProfile-Status: ok/);
    assert.match(text, /Am.*lie/);
  });

  test('not FastCGI at all (an HTTP request to the socket): closed at once, counted', async () => {
    const before = await metric(stack, 'richprofile_fcgi_connections_dropped_total{reason="malformed"}');
    const c = await connect(stack.fcgi.socket);
    const gone = closedBy(c, 2000);
    c.write('GET /richprofile/status HTTP/1.1\r\nHost: x\r\n\r\n');
    const t = await gone;
    assert.ok(t !== null && t < 1000, `closed after ${t} ms`);
    assert.equal(await metric(stack, 'richprofile_fcgi_connections_dropped_total{reason="malformed"}') - before, 1);
  });
});
