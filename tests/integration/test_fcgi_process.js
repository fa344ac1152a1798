'use strict';
/*
 * fcgi-process.js: richprofile-fcgi as a process: options, -t, listeners
 * (unix, tcp, fd 0 from spawn-fcgi, plain CGI), concurrency with a slow
 * upstream, graceful stop on SIGTERM/SIGINT, a client that hangs up.
 */

const { after, test } = require('node:test');
const assert = require('node:assert/strict');
const childProcess = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const {
  startStack, missing, paths, freePort, fcgiRequest, stopChild, iniText, baseConf, fragmentStatus,
} = require('../lib/stack');

const FCGI = paths.fcgi;
const skip = missing('nginx');

function run(args, opts = {}) {
  return childProcess.spawnSync(FCGI, args, Object.assign({ encoding: 'utf8', timeout: 10000 }, opts));
}

function tmpdir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rp-proc-'));
}

/* A configuration for a simulator that is not there: enough for -t and options. */
function writeConf(dir, over = {}) {
  const conf = baseConf('http://127.0.0.1:9', 9, 'http://127.0.0.1:8080', dir);
  for (const [sec, keys] of Object.entries(over)) conf[sec] = Object.assign(conf[sec] || {}, keys);
  const file = path.join(dir, 'richprofile.conf');
  fs.writeFileSync(file, iniText(conf));
  return file;
}

/* Waits until path accepts connections or the child exits. */
async function waitSocket(target, child, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}`);
    try {
      await fcgiRequest(target, { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/richprofile/ping' }, { timeout: 1000 });
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

const PING = { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/richprofile/ping', QUERY_STRING: '' };

/*
 * Top-level tests, one TAP line each.  The stacks they share start on
 * first use and stop after the last test; tests run in file order.
 */
const started = [];
function shared(start) {
  let p = null;
  return () => {
    if (!p) p = start().then((s) => { started.push(s); return s; });
    return p;
  };
}
after(async () => {
  for (const s of started) {
    const st = await s.stop();
    assert.equal(st.fcgi.code, 0, `richprofile-fcgi exit status: ${JSON.stringify(st.fcgi)}`);
  }
  if (optDir) fs.rmSync(optDir, { recursive: true, force: true });
});

let optDir = null;
function dirForOptions() {
  if (!optDir) optDir = tmpdir();
  return optDir;
}

/* The program and the simulator, no web server. */
const plainStack = shared(() => startStack({ server: null }));
/* nginx in front, an upstream that takes 200 ms for every answer. */
const slowStack = shared(() => startStack({ server: 'nginx', simArgs: ['--delay-ms', '200'], threads: 32 }));

const opt = { skip: missing(null) || false, timeout: 60000 };
const web = { skip: skip || false, timeout: 60000 };

test('-V and -h print and exit 0; bad usage exits 2', opt, () => {
  const v = run(['-V']);
  assert.equal(v.status, 0);
  assert.match(v.stdout, /^richprofile-fcgi \d+\.\d+\.\d+/);
  const h = run(['-h']);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /-s unix:\/PATH \| -s tcp:HOST:PORT/);
  for (const args of [['-x'], ['-n', '0'], ['-n', 'many'], ['-n', '100000'], ['stray']]) {
    const r = run(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.ok(r.stderr.length > 0, `${args.join(' ')}: says why`);
  }
});

test('-t accepts a good configuration and names what is wrong in a bad one', opt, () => {
  const dir = dirForOptions();
  const good = writeConf(dir);
  const ok = run(['-t', '-c', good]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /ok/);
  assert.doesNotMatch(ok.stderr, /warning/, 'views that ask for what their templates show: no warning');

  const badKey = path.join(dir, 'bad-key.conf');
  fs.writeFileSync(badKey, `${fs.readFileSync(good, 'utf8')}\n[server]\nthreds = 4\n`);
  const r1 = run(['-t', '-c', badKey]);
  assert.equal(r1.status, 1);
  assert.match(r1.stderr, new RegExp(`${badKey.replace(/[.]/g, '\\.')}:\\d+`), 'file:line');
  assert.match(r1.stderr, /threds/);

  const badTpl = writeConf(fs.mkdtempSync(path.join(dir, 't')), { 'view card': { template: 'no-such.html' } });
  const r2 = run(['-t', '-c', badTpl]);
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /no-such\.html/);

  const r3 = run(['-t', '-c', path.join(dir, 'missing.conf')]);
  assert.equal(r3.status, 1);
  assert.match(r3.stderr, /missing\.conf/);
});

/*
 * A view whose template shows attributes its infos does not ask for:
 * the API is never asked for them, so their places stay empty.  -t
 * still accepts the file, with one warning line for that view naming
 * the attributes, the template and the fix.
 */
test('-t warns about a view whose template shows attributes its infos does not ask for', opt, () => {
  const dir = fs.mkdtempSync(path.join(dirForOptions(), 'u'));
  const conf = writeConf(dir, { 'view card': { infos: 'Firstname,Displayname,PictureTagSmallURL' } });
  const r = run(['-t', '-c', conf]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /ok/);
  const lines = r.stderr.split('\n').filter((l) => /warning/.test(l));
  assert.equal(lines.length, 1, `one warning line, for [view card] only:\n${r.stderr}`);
  assert.match(lines[0], /\[view card\]/);
  assert.match(lines[0], /card\.html/);
  assert.match(lines[0], /Lastname, PictureTagMediumURL, CentersOfInterests/);
  assert.match(lines[0], /add them to infos or remove them from the template/);
  assert.doesNotMatch(r.stderr, /\[view account\]/, 'infos = * asks for everything');
});

test('a listener that cannot be opened is an error that says why', opt, () => {
  const dir = dirForOptions();
  const conf = writeConf(dir);
  const file = path.join(dir, 'not-a-socket');
  fs.writeFileSync(file, 'x');
  for (const [spec, re] of [
    [`unix:${file}`, /not a socket/],
    ['unix:relative.sock', /absolute/],
    ['tcp:127.0.0.1', /tcp:HOST:PORT/],
    ['udp:1', /unix:\/PATH or tcp:HOST:PORT/],
    [`unix:${dir}/no/such/dir/s.sock`, /cannot bind/],
  ]) {
    const r = run(['-c', conf, '-s', spec]);
    assert.equal(r.status, 1, spec);
    assert.match(r.stderr, re, spec);
  }
  assert.equal(fs.readFileSync(file, 'utf8'), 'x', 'a file in the way is left alone');
});

test('FastCGI over the unix socket: ping and a fragment', opt, async () => {
  const stack = await plainStack();
  const p = await stack.fcgi.request(PING);
  assert.equal(p.status, 200);
  assert.equal(p.body, 'ok\n');
  const f = await stack.fcgi.request({
    REQUEST_METHOD: 'GET', SCRIPT_NAME: '/richprofile/fragment', QUERY_STRING: 'view=card',
    HTTP_COOKIE: stack.cookieFor('amelie'),
  });
  assert.equal(f.status, 200);
  assert.equal(f.headers['x-richprofile-status'], 'ok');
  assert.equal(fragmentStatus(f.body), 'ok');
});

test('tcp:127.0.0.1:PORT', opt, async () => {
  const stack = await plainStack();
  const port = await freePort();
  const child = childProcess.spawn(FCGI, ['-c', stack.fcgi.conf, '-s', `tcp:127.0.0.1:${port}`, '-n', '2'],
    { stdio: 'ignore' });
  try {
    await waitSocket({ port }, child);
    const p = await fcgiRequest({ port }, PING);
    assert.equal(p.body, 'ok\n');
  } finally {
    const st = await stopChild(child);
    assert.equal(st.code, 0);
  }
});

test('fd 0 as the listener, as spawn-fcgi starts it', opt, async (t) => {
  const stack = await plainStack();
  const spawnFcgi = ['/usr/bin/spawn-fcgi', '/usr/sbin/spawn-fcgi'].find((p) => fs.existsSync(p));
  if (!spawnFcgi) { t.skip('spawn-fcgi is not installed'); return; }
  const sock = path.join(stack.dir, 'spawned.sock');
  /* -n: no fork, spawn-fcgi execs the program with the socket on fd 0. */
  const child = childProcess.spawn(spawnFcgi, ['-n', '-s', sock, '--', FCGI, '-c', stack.fcgi.conf, '-n', '2'],
    { stdio: 'ignore' });
  try {
    await waitSocket({ path: sock }, child);
    const f = await fcgiRequest({ path: sock }, {
      REQUEST_METHOD: 'GET', SCRIPT_NAME: '/richprofile/fragment', HTTP_COOKIE: stack.cookieFor('amelie'),
    });
    assert.equal(f.headers['x-richprofile-status'], 'ok');
  } finally {
    const st = await stopChild(child);
    assert.equal(st.code, 0, 'spawned program stops cleanly');
  }
});

test('plain CGI: one request from the environment, then exit', opt, async () => {
  const stack = await plainStack();
  const env = Object.assign({}, process.env, {
    GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'GET', SCRIPT_NAME: '/richprofile/fragment',
    QUERY_STRING: 'view=card', HTTP_COOKIE: stack.cookieFor('amelie'),
  });
  const r = run(['-c', stack.fcgi.conf], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Status: 200 OK\r\n/);
  assert.match(r.stdout, /\r\nX-RichProfile-Status: ok\r\n/);
  assert.match(r.stdout, /\r\nCache-Control: private, no-store\r\n/);
  assert.equal(fragmentStatus(r.stdout), 'ok');
  const head = run(['-c', stack.fcgi.conf], {
    env: Object.assign({}, env, { REQUEST_METHOD: 'HEAD' }), stdio: ['ignore', 'pipe', 'pipe'],
  });
  assert.ok(head.stdout.endsWith('\r\n\r\n'), 'HEAD: headers only');

  const none = run(['-c', stack.fcgi.conf], {
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'REQUEST_METHOD')),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  assert.equal(none.status, 1);
  assert.match(none.stderr, /REQUEST_METHOD/);
  assert.match(none.stderr, /-s unix:/);
});

test('one request at a time keeps one worker warm: few upstream connections', opt, async (t) => {
  /*
   * Workers take turns to accept, the most recently idle first, so a
   * light load is served by the same few workers (each keeps its own
   * connection to the API) instead of rotating through all of them.
   */
  const stack = await startStack({ server: '', threads: 32 });
  started.push(stack);
  const amelie = stack.users.amelie.token;
  for (let i = 0; i < 40; i++) {
    const r = await stack.fcgi.request({
      REQUEST_METHOD: 'GET', SCRIPT_NAME: '/richprofile/fragment', QUERY_STRING: 'view=card',
      HTTP_COOKIE: `rp_token=fault:tag=${i}@${amelie}`,
    });
    assert.equal(r.headers['x-richprofile-status'], 'ok', `request ${i}`);
  }
  const st = await stack.simStats();
  t.diagnostic(`40 sequential requests, 32 workers: ${st.api_requests} API calls on ${st.connections} TCP connections`);
  assert.equal(st.api_requests, 40, 'every request called the API (no cache)');
  /*
   * Each warm worker holds one connection (the stats request takes one
   * more).  In rotation all 32 would; a worker that loses a race for a
   * connection waits in accept() and joins the few in use.
   */
  assert.ok(st.connections <= 8, `${st.connections} TCP connections to the API for 32 workers, want at most 8`);
});

test('a slow upstream does not serialise users: 32 concurrent requests', web, async (t) => {
  const stack = await slowStack();
  const users = Object.keys(stack.users);
  await stack.request('/richprofile/ping');
  const t0 = Date.now();
  const rs = await Promise.all(Array.from({ length: 32 }, (_, i) => {
    const user = users[i % users.length];
    return stack.request('/richprofile/fragment?view=card', { user });
  }));
  const ms = Date.now() - t0;
  t.diagnostic(`32 concurrent fragment requests, upstream 200 ms: ${ms} ms in total`);
  for (const r of rs) {
    assert.equal(r.status, 200);
    assert.ok(r.headers['x-richprofile-status']);
  }
  assert.ok(ms < 1000, `finished in ${ms} ms, want well under 1000 ms`);
});

test('a client that hangs up costs only its own request', web, async () => {
  const stack = await slowStack();
  const token = `fault:delay=600@${stack.users.amelie.token}`;
  const url = new URL(`${stack.base}/richprofile/fragment?view=card`);
  await new Promise((resolve) => {
    const req = require('node:http').request({
      host: url.hostname, port: url.port, path: url.pathname + url.search,
      headers: { Cookie: `rp_token=${token}` }, agent: false,
    });
    req.on('error', () => resolve());
    req.end();
    /* Hang up only once the request is really in flight (the simulator
     * has it and is holding its answer); a fixed delay races the load. */
    const until = Date.now() + 5000;
    (async function poll() {
      const st = await stack.simStats(token).catch(() => ({ requests: 0 }));
      if (st.requests >= 1 || Date.now() > until) { req.destroy(); resolve(); return; }
      setTimeout(poll, 20);
    })();
  });
  /* The abandoned request still ends (simulator delay + 600 ms) and is logged. */
  const deadline = Date.now() + 5000;
  const gone = /status=ok http=200 .* note=client_gone/;
  while (!gone.test(stack.fcgiLog()) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(stack.fcgi.proc.exitCode, null, 'still running');
  /* nginx closed the FastCGI connection when its client left. */
  assert.match(stack.fcgiLog(), gone, 'the log says the client left');
  const rs = await Promise.all(Array.from({ length: 8 }, () =>
    stack.request('/richprofile/fragment?view=card', { user: 'amelie' })));
  for (const r of rs) assert.equal(r.headers['x-richprofile-status'], 'ok');
});

test('SIGTERM: requests in flight finish, then exit 0', web, async () => {
  const stack = await slowStack();
  const token = `fault:delay=1000@${stack.users.amelie.token}`;
  const inflight = Array.from({ length: 4 }, () =>
    stack.request('/richprofile/fragment?view=card', { token }).then((r) => ({ r, at: Date.now() })));
  await new Promise((r) => setTimeout(r, 300));
  const sent = Date.now();
  const stopped = stack.stopFcgi('SIGTERM');
  const done = await Promise.all(inflight);
  const st = await stopped;
  const exitAt = sent + st.ms;
  for (const { r, at } of done) {
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-richprofile-status'], 'ok', 'finished with the real answer');
    assert.ok(at <= exitAt + 50, 'answered before the program exited');
  }
  assert.equal(st.code, 0, 'exit status 0');
  assert.equal(st.signal, null);
  assert.ok(st.ms >= 500, `waited for the requests in flight (${st.ms} ms)`);
  assert.ok(st.ms < 4000, `within the grace time (${st.ms} ms)`);
  assert.ok(!fs.existsSync(stack.fcgi.socket), 'socket file removed');
  assert.match(stack.fcgiLog(), /SIGTERM received/);
  assert.match(stack.fcgiLog(), /stopped cleanly/);
});

for (const sig of ['SIGTERM', 'SIGINT']) {
  test(`${sig} with nothing in flight: exit 0 at once`, opt, async () => {
    const stack = await startStack({ server: null, threads: 16 });
    try {
      await stack.fcgi.request(PING);
      const st = await stack.stopFcgi(sig);
      assert.equal(st.code, 0);
      assert.ok(st.ms < 1000, `stopped in ${st.ms} ms`);
    } finally {
      await stack.stop();
    }
  });
}
