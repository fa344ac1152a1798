// test_sim_faults.js: every fault, by token and through the control endpoint, and the counters.
'use strict';

const { test, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { startSim, readUsers, paths } = require('../lib/stack');
const S = require('../lib/sim');

const users = readUsers(paths.users);
const AMELIE = users.amelie.token;
let sim;

before(async () => { sim = await startSim(null); });
after(async () => { assert.equal((await sim.stop()).code, 0, 'stops cleanly even after stalls'); });
beforeEach(async () => { await S.control(sim, 'reset'); });

const call = (token, opts) => S.request(S.apiUrl(sim, 'Firstname,Lastname', token), opts);
const isGranted = (r) => r.status === 200 && S.parseAnswer(r.body).kind === 'data';

test('fault tokens answer as the first user, or as the user after @', async () => {
  const r = await call('fault:delay=1');
  assert.ok(isGranted(r));
  assert.equal(S.unescapeXml(S.parseAnswer(r.body).authorized.Firstname), 'Amélie');
  const j = await call(`fault:delay=1@${users.john.token}`);
  assert.equal(S.unescapeXml(S.parseAnswer(j.body).authorized.Firstname), 'John');
  const x = await call('fault:delay=1@nobody');
  assert.equal(S.parseAnswer(x.body).code, 102);
});

test('delay=N answers after N ms', async () => {
  const t0 = Date.now();
  const r = await call('fault:delay=300');
  const ms = Date.now() - t0;
  assert.ok(isGranted(r));
  assert.ok(ms >= 290, `took ${ms} ms`);
});

test('stall: no answer at all (the client times out)', async () => {
  const t0 = Date.now();
  const r = await call('fault:stall', { timeoutMs: 400 });
  assert.equal(r.status, 0);
  assert.equal(r.error.message, 'timeout');
  assert.ok(Date.now() - t0 >= 390);
});

test('stallbody: headers and half the body, then nothing', async () => {
  const r = await call('fault:stallbody', { timeoutMs: 400 });
  assert.equal(r.status, 200);
  assert.ok(r.error, 'the body never completes');
  assert.ok(r.bytes.length > 0 && r.bytes.length < Number(r.headers['content-length']));
});

test('status=N: that HTTP status with a body that is not XML', async () => {
  for (const n of [500, 503, 404]) {
    const r = await call(`fault:status=${n}`);
    assert.equal(r.status, n);
    assert.match(r.headers['content-type'], /^text\/html/);
    assert.ok(!r.body.startsWith('<?xml'));
  }
});

test('notxml: 200 with an HTML body', async () => {
  const r = await call('fault:notxml');
  assert.equal(r.status, 200);
  assert.ok(r.body.startsWith('<html>'));
  assert.throws(() => S.parseAnswer(r.body));
});

test('code=N: an <error> with that code (HTTP 200, or status=N)', async () => {
  for (const n of [504, 900, 203, -1]) {
    const r = await call(`fault:code=${n}`);
    assert.equal(r.status, 200);
    assert.equal(S.parseAnswer(r.body).code, n);
  }
  const both = await call('fault:code=503,status=500');
  assert.equal(both.status, 500);
  assert.equal(S.parseAnswer(both.body).code, 503);
});

test('truncate: a complete HTTP answer whose XML stops half way', async () => {
  const whole = await call(AMELIE);
  const r = await call('fault:truncate');
  assert.equal(r.error, null);
  assert.equal(r.status, 200);
  assert.equal(r.bytes.length, Math.floor(whole.bytes.length / 2));
  assert.equal(Number(r.headers['content-length']), r.bytes.length);
  assert.ok(whole.body.startsWith(r.body));
});

test('short: half the declared body, then the connection closes', async () => {
  const r = await call('fault:short');
  assert.equal(r.status, 200);
  assert.ok(r.error, 'the client sees an incomplete body');
  assert.notEqual(r.error.code, 'ECONNRESET');
  assert.equal(r.bytes.length, Math.floor(Number(r.headers['content-length']) / 2));
});

test('reset: half the body, then a TCP reset', async () => {
  const r = await call('fault:reset');
  assert.equal(r.status, 200);
  assert.ok(r.error);
  assert.equal(r.error.code, 'ECONNRESET');
  assert.ok(r.bytes.length < Number(r.headers['content-length']));
});

test('drop: the connection closes without an answer', async () => {
  const r = await call('fault:drop');
  assert.equal(r.status, 0);
  assert.ok(r.error);
});

test('redirect: 302 with a Location', async () => {
  const r = await call('fault:redirect');
  assert.equal(r.status, 302);
  assert.ok(r.headers.location.startsWith(sim.url + '/'));
});

test('oversize[=B]: well-formed XML of exactly B bytes (4 MiB by default)', async () => {
  const r = await call('fault:oversize=300000');
  assert.equal(r.status, 200);
  assert.equal(r.bytes.length, 300000);
  assert.ok(r.body.startsWith('<?xml version="1.0" encoding="UTF-8"?>'));
  assert.ok(r.body.trimEnd().endsWith('</getPersonalRichProfileReturn>'));
  const big = await call('fault:oversize');
  assert.equal(big.bytes.length, 4 * 1024 * 1024);
});

test('slow=BPS: the body arrives at about BPS bytes per second', async () => {
  const t0 = Date.now();
  const r = await call('fault:slow=1000');
  const ms = Date.now() - t0;
  assert.ok(isGranted(r));
  const expect = (r.bytes.length / 1000) * 1000;
  assert.ok(ms >= expect * 0.8, `${r.bytes.length} bytes in ${ms} ms`);
});

test('close: Connection: close, so every call opens a new connection', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < 3; i++) {
    const r = await call('fault:close', { agent });
    assert.equal(r.headers.connection, 'close');
  }
  agent.destroy();
  assert.equal((await S.stats(sim)).connections, 4, 'three calls, then this stats request');
});

test('keep-alive: many calls on one connection count as one connection', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < 5; i++) assert.ok(isGranted(await call(AMELIE, { agent })));
  agent.destroy();
  const s = await S.stats(sim);
  assert.equal(s.api_requests, 5);
  assert.equal(s.connections, 2, 'one for the five calls, one for this stats request');
  assert.equal((await S.stats(sim, AMELIE)).requests, 5);
});

test('control: a fault for one token leaves the others alone', async () => {
  const r = await S.control(sim, 'fault', `mode=status%3D503&for=${encodeURIComponent(AMELIE)}`);
  assert.equal(r.status, 200);
  assert.equal((await call(AMELIE)).status, 503);
  assert.equal((await call(AMELIE)).status, 503, 'until removed');
  const john = await call(users.john.token);
  assert.equal(john.status, 200);
  await S.control(sim, 'fault', `mode=none&for=${encodeURIComponent(AMELIE)}`);
  assert.ok(isGranted(await call(AMELIE)));
});

test('control: for=all with count=N fails the next N calls only', async () => {
  await S.control(sim, 'fault', 'mode=code%3D504&for=all&count=2');
  assert.equal(S.parseAnswer((await call(AMELIE)).body).code, 504);
  assert.equal(S.parseAnswer((await call(users.camille.token)).body).code, 504);
  assert.ok(isGranted(await call(AMELIE)));
});

test('control: a token rule wins over the rule for all', async () => {
  await S.control(sim, 'fault', 'mode=status%3D500&for=all');
  await S.control(sim, 'fault', `mode=notxml&for=${encodeURIComponent(AMELIE)}`);
  const a = await call(AMELIE);
  assert.equal(a.status, 200);
  assert.ok(a.body.startsWith('<html>'));
  assert.equal((await call(users.john.token)).status, 500);
});

test('control: delay and stall through the endpoint', async () => {
  await S.control(sim, 'fault', `mode=delay%3D250&for=${encodeURIComponent(AMELIE)}`);
  const t0 = Date.now();
  assert.ok(isGranted(await call(AMELIE)));
  assert.ok(Date.now() - t0 >= 240);
  await S.control(sim, 'fault', `mode=stall&for=${encodeURIComponent(AMELIE)}`);
  assert.equal((await call(AMELIE, { timeoutMs: 300 })).error.message, 'timeout');
});

test('bad fault specs are refused with a message', async () => {
  const cases = ['fault:explode', 'fault:delay', 'fault:delay=-1', 'fault:status=42', 'fault:stall=3', 'fault:oversize=abc'];
  for (const t of cases) {
    const r = await call(t);
    assert.equal(r.status, 400, t);
    assert.match(r.body, /fault/, t);
  }
  const c = await S.control(sim, 'fault', 'mode=bogus&for=all');
  assert.equal(c.status, 400);
  assert.match(c.body, /unknown fault 'bogus'/);
  assert.equal((await S.control(sim, 'fault', 'mode=stall')).status, 400, 'for= is required');
  assert.equal((await S.control(sim, 'fault', 'mode=stall&for=all&count=0')).status, 400);
  assert.equal((await S.request(`${sim.url}/_control/fault?mode=stall&for=all`)).status, 404, 'GET does not change state');
});

test('counters: requests, API requests, connections, per token; reset zeroes them', async () => {
  await call(AMELIE);
  await call(AMELIE);
  await call(users.john.token);
  await call('no-such-token');
  const s = await S.stats(sim);
  assert.equal(s.api_requests, 4);
  assert.ok(s.requests >= 5, 'the stats request itself counts as a request');
  assert.ok(s.connections >= 5);
  const byUser = Object.fromEntries(Object.values(s.tokens).map((t) => [t.user, t.requests]));
  assert.deepEqual(byUser, { amelie: 2, john: 1, null: 1 });
  assert.equal((await S.stats(sim, AMELIE)).requests, 2);
  assert.equal((await S.stats(sim, 'never-seen')).requests, 0);
  await S.control(sim, 'reset');
  const z = await S.stats(sim);
  assert.deepEqual([z.api_requests, Object.keys(z.tokens).length], [0, 0]);
});

test('counters stay exact and in first-seen order over many distinct tokens', async () => {
  await S.control(sim, 'reset');
  // 300 tokens (2 calls for every third one) outgrow the counters' index twice.
  const toks = Array.from({ length: 300 }, (_, i) => `fault:tag=${i}@${AMELIE}`);
  for (const [i, t] of toks.entries()) {
    await call(t);
    if (i % 3 === 0) await call(t);
  }
  const s = await S.stats(sim);
  assert.equal(s.api_requests, 400);
  const fps = Object.keys(s.tokens);
  assert.equal(fps.length, 300, 'one counter per distinct token');
  for (const [i, t] of toks.entries()) {
    const one = await S.stats(sim, t);
    assert.equal(fps[i], one.fingerprint, `token ${i} listed in the order first seen`);
    assert.equal(one.requests, i % 3 === 0 ? 2 : 1, `token ${i}`);
    assert.equal(s.tokens[one.fingerprint].requests, one.requests);
  }
  await S.control(sim, 'reset');
  assert.equal((await S.stats(sim, toks[0])).requests, 0, 'reset forgets them');
});

test('--delay-ms delays every API answer but not the other pages', async () => {
  const slow = await startSim(null, { simArgs: ['--delay-ms', '800'] });
  try {
    let t0 = Date.now();
    const r = await S.request(S.apiUrl(slow, 'Firstname', AMELIE));
    assert.equal(S.parseAnswer(r.body).kind, 'data');
    assert.ok(Date.now() - t0 >= 790);
    t0 = Date.now();
    await S.request(`${slow.url}/_control/stats`);
    assert.ok(Date.now() - t0 < 790, 'the counters are not delayed');
  } finally {
    assert.equal((await slow.stop()).code, 0);
  }
});
