// test_sim_startup.js: options, users-file errors, signals, token lifetime, HTTPS.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startSim, runSim, readUsers, paths } = require('../lib/stack');
const S = require('../lib/sim');

const users = readUsers(paths.users);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-sim-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function file(name, text) {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('--help documents the options and every fault', async () => {
  const r = await runSim(['--help']);
  assert.equal(r.code, 0);
  for (const word of ['--listen', '--public-url', '--users', '--token-lifetime', '--tls-cert', '--delay-ms', '--port-file', '-c FILE',
    'delay=MS', 'stall', 'stallbody', 'status=N', 'notxml', 'code=N', 'truncate', 'short', 'reset', 'drop', 'redirect', 'close', 'oversize', 'slow=BPS',
    '/_control/fault', '/_control/stats', '/_control/reset', '102', '103', '201', '202']) {
    assert.ok(r.stdout.includes(word), word);
  }
});

test('the manual page documents every option and fault that --help lists', async () => {
  const help = (await runSim(['--help'])).stdout;
  const man = fs.readFileSync(path.join(paths.srcdir, 'man', 'richprofile-sim.1'), 'utf8');
  const section = help.slice(help.indexOf('Options:'), help.indexOf('Paths:'));
  const options = [...new Set([...section.matchAll(/--([a-z][a-z-]+)/g)].map((m) => m[1]))].filter((o) => o !== 'help');
  assert.ok(options.length >= 10, options.join(' '));
  for (const o of options) assert.ok(man.includes(`Fl -${o}`), `--${o} in the manual`);
  const faults = ['delay', 'stall', 'stallbody', 'status', 'notxml', 'code', 'truncate', 'short', 'reset', 'drop', 'redirect', 'close', 'oversize', 'slow'];
  for (const f of faults) {
    assert.match(help, new RegExp(`\\b${f}\\b`), `${f} in --help`);
    assert.match(man, new RegExp(`^\\.Cm ${f}\\b`, 'm'), `${f} in the manual`);
  }
});

test('a bad users file is an error naming the file and the line', async () => {
  const ok = '[user a]\ntoken = t-a\nFirstname = A\n';
  const cases = [
    ['unknown key', ok + 'Shoesize = 42\n', 4, /unknown key 'Shoesize'/],
    ['key outside a section', 'token = x\n' + ok, 1, /outside any \[user ID\] section/],
    ['bad section', ok + '\n[person b]\ntoken = t-b\n', 6, /\[person b\] is not \[user ID\]/],
    ['duplicate user', ok + '[user a]\ntoken = t-x\n', 5, /user 'a' is defined twice \(first on line 1\)/],
    ['no token', ok + '\n[user b]\nFirstname = B\n', 5, /user 'b' has no token/],
    ['same token', ok + '[user b]\ntoken = t-a\n', 4, /same token as user 'a'/],
    ['token with a blank', '[user a]\ntoken = t a\n', 2, /token must be/],
    ['token with a semicolon', '[user a]\ntoken = t;a\n', 2, /token must be/],
    ['key given twice', ok + 'Firstname = B\n', 4, /'Firstname' is given twice/],
    ['unknown refused attribute', ok + 'refused = Firstname, Shoesize\n', 4, /refused: unknown attribute 'Shoesize'/],
    ['address without part', ok + 'HomeAddress = 1 rue X\n', 4, /needs a part/],
    ['unknown address part', ok + 'HomeAddress.Planet = Mars\n', 4, /needs a part/],
    ['parts on a text attribute', ok + 'Lastname.City = X\n', 4, /only addresses have parts/],
    ['bad yes/no', ok + 'expired = perhaps\n', 4, /expired' must be yes or no/],
    ['bad language', ok + 'language = de\n', 4, /language must be fr or en/],
    ['bad interests shape', ok + 'interests = tabs\n', 4, /interests must be elements/],
    ['syntax error', ok + 'this line has no equals sign\n', 4, /syntax error/],
    ['line too long', ok + 'Lastname = ' + 'x'.repeat(300) + '\nFirstname = B\n', 4, /line too long/],
    ['no users', '# nothing\n', 1, /no \[user ID\] section/],
  ];
  for (const [what, text, line, msg] of cases) {
    const f = file('users.conf', text);
    const r = await runSim(['--listen', '127.0.0.1:0', '--users', f]);
    assert.equal(r.code, 1, what);
    assert.equal(r.stdout, '', `${what}: never listened`);
    assert.ok(r.stderr.startsWith(`richprofile-sim: ${f}:${line}: `), `${what}: ${r.stderr}`);
    assert.match(r.stderr, msg, what);
  }
  const missing = await runSim(['--listen', '127.0.0.1:0', '--users', path.join(tmp, 'none.conf')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /none\.conf: cannot open the users file: No such file/);
});

test('the shipped users file loads', async () => {
  const sim = await startSim(null);
  assert.equal((await sim.stop()).code, 0);
});

// A start says nothing on stderr (a warning there is read as something
// wrong by whoever runs the demo), whichever threading mode; the only
// line is the one that reports the stop.
test('starting prints nothing on stderr, with or without --threads', async () => {
  for (const args of [[], ['--threads', '4']]) {
    const sim = await startSim(null, { simArgs: args });
    let r;
    try {
      // An answer served: start-up is over, and its output has arrived.
      assert.equal((await S.api(sim, 'Firstname', users.amelie.token)).answer.kind, 'data');
      assert.equal(sim.stderr(), '', `${args.join(' ') || 'default'}: stderr at start`);
    } finally {
      r = await sim.stop();
    }
    assert.equal(r.code, 0);
    assert.equal(sim.stderr(), 'richprofile-sim: stopping on signal 15\n', `${args.join(' ') || 'default'}: stderr`);
  }
});

test('bad options are refused with exit status 2', async () => {
  const cases = [
    [['--listen', 'localhost'], /--listen 'localhost' is not/],
    [['--listen', '127.0.0.1:99999'], /--listen/],
    [['--listen', 'example.org:80'], /NUMERIC-HOST:PORT/],
    [['--token-lifetime', '-1'], /--token-lifetime wants a number/],
    [['--delay-ms', 'soon'], /--delay-ms wants a number/],
    [['--tls-cert', '/x.pem'], /--tls-cert and --tls-key go together/],
    [['--cookie', 'a;b'], /not a valid cookie name/],
    [['--bogus'], /see --help/],
    [['extra'], /unexpected argument 'extra'/],
  ];
  for (const [args, msg] of cases) {
    const r = await runSim([...args, '--users', paths.users]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, msg, args.join(' '));
  }
});

test('a port in use is an error that says so', async () => {
  const a = await startSim(null);
  try {
    const port = new URL(a.url).port;
    const r = await runSim(['--listen', `127.0.0.1:${port}`, '--users', paths.users]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}`));
  } finally {
    await a.stop();
  }
});

test('--port-file holds the port it listens on', async () => {
  const pf = path.join(tmp, 'port');
  const sim = await startSim(null, { simArgs: ['--port-file', pf] });
  try {
    assert.equal(fs.readFileSync(pf, 'utf8'), new URL(sim.url).port + '\n');
    assert.notEqual(new URL(sim.url).port, '0');
  } finally {
    await sim.stop();
  }
});

test('SIGINT and SIGTERM stop it promptly, even with a stalled call open', async () => {
  for (const sig of ['SIGINT', 'SIGTERM']) {
    const sim = await startSim(null);
    const pending = S.request(S.apiUrl(sim, 'Firstname', 'fault:stall'), { timeoutMs: 8000 });
    await sleep(200);
    const t0 = Date.now();
    const r = await sim.stop(sig);
    assert.equal(r.code, 0, sig);
    assert.ok(Date.now() - t0 < 3000, `${sig} took ${Date.now() - t0} ms`);
    const p = await pending;
    assert.equal(p.status, 0, 'the stalled call ends without an answer');
    assert.notEqual(p.error.message, 'timeout');
  }
});

test('--public-url is what privacy and photo URLs point to', async () => {
  const sim = await startSim(null, { simArgs: ['--public-url', 'http://sim.example:8081/'] });
  try {
    const partial = await S.api(sim, 'Firstname,PictureTagTinyURL', users.camille.token);
    assert.match(partial.answer.url, /^http:\/\/sim\.example:8081\/urm-gui\/interaction\.do\?familly=/);
    const photo = await S.api(sim, 'PictureTagTinyURL', users.amelie.token);
    assert.equal(photo.answer.authorized.PictureTagTinyURL, 'http://sim.example:8081/photos/amelie.png?size=tiny');
  } finally {
    await sim.stop();
  }
});

test('--threads 2 serves the API from a pool: answers as without it, many at once', async () => {
  const sim = await startSim(null, { simArgs: ['--threads', '2'] });
  try {
    const u = users.amelie;
    const rs = await Promise.all(Array.from({ length: 40 }, () => S.api(sim, S.ATTRS, u.token)));
    for (const r of rs) {
      assert.equal(r.status, 200);
      assert.equal(r.answer.kind, 'data');
      assert.deepEqual(Object.keys(r.answer.authorized), S.ATTRS, 'every attribute, catalogue order');
      assert.equal(r.answer.authorized.Firstname, u.Firstname);
    }
    /* The longest token the program sends by default (1024 bytes), each
     * byte percent-encoded, fits a pooled request: an unknown token, 102. */
    const long = await S.api(sim, 'Firstname', '%'.repeat(1024));
    assert.deepEqual([long.status, long.answer.kind, long.answer.code], [200, 'error', 102]);
    assert.equal((await S.stats(sim)).api_requests, 41);
  } finally {
    const r = await sim.stop();
    assert.equal(r.code, 0, 'SIGTERM stops it with status 0');
  }
});

test('-c FILE takes the cookie name from [session] cookie; a bad file is refused', async () => {
  const sample = fs.readFileSync(path.join(paths.srcdir, 'conf', 'richprofile.conf'), 'utf8');
  assert.match(sample, /^cookie = rp_token$/m);
  const conf = file('rp.conf', sample.replace(/^cookie = rp_token$/m, 'cookie = site_session'));
  const sim = await startSim(null, { simArgs: ['-c', conf] });
  try {
    const r = await S.request(`${sim.url}/signin?user=amelie&return=/`);
    assert.match(r.headers['set-cookie'][0], /^site_session=/);
  } finally {
    await sim.stop();
  }
  const withCookie = await startSim(null, { simArgs: ['-c', conf, '--cookie', 'explicit'] });
  try {
    const r = await S.request(`${withCookie.url}/signin?user=amelie&return=/`);
    assert.match(r.headers['set-cookie'][0], /^explicit=/, '--cookie wins');
  } finally {
    await withCookie.stop();
  }
  const bad = file('bad.conf', '[session]\ncookie_name = x\n');
  const r = await runSim(['-c', bad, '--users', paths.users, '--listen', '127.0.0.1:0']);
  assert.equal(r.code, 2);
  assert.ok(r.stderr.includes(bad), r.stderr);
});

test('--token-lifetime: 103 once a token is older; a sign-in renews it', async () => {
  const sim = await startSim(null, { simArgs: ['--token-lifetime', '1'] });
  try {
    assert.equal((await S.api(sim, 'Firstname', users.amelie.token)).answer.kind, 'data');
    await sleep(1100);
    assert.equal((await S.api(sim, 'Firstname', users.amelie.token)).answer.code, 103);
    assert.equal((await S.api(sim, 'Firstname', users.john.token)).answer.code, 103);
    const signin = await S.request(`${sim.url}/signin?user=amelie&return=/`);
    assert.equal(signin.status, 303);
    assert.equal((await S.api(sim, 'Firstname', users.amelie.token)).answer.kind, 'data', 'renewed');
    assert.equal((await S.api(sim, 'Firstname', users.john.token)).answer.code, 103, 'others still expired');
  } finally {
    await sim.stop();
  }
});

test('HTTPS with --tls-cert and --tls-key (a test CA made now)', async () => {
  const ssl = (...args) => execFileSync('openssl', args, { cwd: tmp, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=richprofile test CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1');
  file('ext.cnf', 'subjectAltName = IP:127.0.0.1\nbasicConstraints = CA:FALSE\n');
  ssl('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '1', '-extfile', 'ext.cnf');
  const ca = fs.readFileSync(path.join(tmp, 'ca.pem'));
  const sim = await startSim(null, { simArgs: ['--tls-cert', path.join(tmp, 'srv.pem'), '--tls-key', path.join(tmp, 'srv.key')] });
  try {
    assert.match(sim.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const r = await S.request(S.apiUrl(sim, 'Firstname,PictureTagTinyURL', users.camille.token), { ca });
    assert.equal(r.error, null);
    const a = S.parseAnswer(r.body);
    assert.equal(S.unescapeXml(a.authorized.Firstname), 'Camille');
    assert.match(a.url, /^https:\/\/127\.0\.0\.1:\d+\/urm-gui\//);
    const untrusted = await S.request(S.apiUrl(sim, 'Firstname', users.camille.token));
    assert.ok(untrusted.error, 'a client without the CA refuses the certificate');
    assert.doesNotMatch(sim.stderr(), /warning/i, 'no libmicrohttpd warning at start');
  } finally {
    assert.equal((await sim.stop()).code, 0);
  }
  const nokey = await runSim(['--tls-cert', path.join(tmp, 'srv.pem'), '--tls-key', path.join(tmp, 'nokey.pem'), '--users', paths.users, '--listen', '127.0.0.1:0']);
  assert.equal(nokey.code, 1);
  assert.match(nokey.stderr, /cannot read .*nokey\.pem/);
});
