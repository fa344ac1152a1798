'use strict';
/*
 * stack.js: starts the real richprofile stack for a test, on loopback and
 * free ports, each piece in one temporary directory, and stops it again.
 *
 *   richprofile-sim   the API simulator   (--listen 127.0.0.1:0)
 *   richprofile-fcgi  the program         (-s unix:DIR/fcgi.sock)
 *   nginx or Apache   the web server      (its own config, prefix, pid file)
 *
 * Usage (node:test):
 *
 *   const { startStack } = require('./stack');
 *   const stack = await startStack({ server: 'nginx' });   // or 'apache', or null
 *   const r = await stack.request('/account.shtml', { user: 'amelie' });
 *   // r.status, r.headers (lower-case names), r.body (string)
 *   await stack.stop();
 *
 * Options of startStack (all optional):
 *   server     'nginx' (default), 'apache', or null for no web server
 *              (then talk to the program with stack.fcgiRequest or CGI).
 *   threads    worker threads of richprofile-fcgi (-n); default 8.
 *   config     { section: { key: value } } merged into the generated
 *              richprofile.conf; a value of null removes the key.  Sections
 *              named "view NAME" add or replace views.
 *   simArgs    extra arguments of richprofile-sim (e.g. ['--delay-ms', '200']).
 *   fcgiArgs   extra arguments of richprofile-fcgi.
 *   site       { 'file.shtml': 'content' } extra files of the site root.
 *   env        extra environment of richprofile-fcgi.
 *   webPort, simPort  fixed ports instead of free ones (the demo's 8080
 *              and 8081); tests leave them out.
 *   serverExtra  (dir, socket) => ({ conf, modules }): more web-server
 *              configuration, written into nginx's server { } block or at
 *              the end of Apache's, and Apache modules to load by name
 *              (['authnz_fcgi']); dir and socket are the stack's.
 *   snippet    (text, kind) => text: edits the shipped snippet (kind
 *              'nginx' or 'apache') before the server includes it, to
 *              prove a suite fails on a broken one; default: as shipped.
 *   wrapper    a command line to run richprofile-fcgi under, e.g.
 *              ['valgrind', '--error-exitcode=9']; default from the
 *              environment variable RP_TEST_FCGI_WRAPPER (space-separated).
 *
 * What it returns (fields):
 *   dir            the temporary directory (removed by stop() unless the
 *                  environment has RP_TEST_KEEP=1)
 *   base           'http://127.0.0.1:PORT' of the web server (null without one)
 *   sim            { url, port, pid, base: sim url + API path, ... }: what
 *                  startSim (below; the simulator alone) resolves to
 *   fcgi           { pid, socket, log, conf, proc }
 *   users          the demo users of conf/sim-users.conf: { id: { token, ... } }
 *   cookieName     the session cookie ('rp_token')
 * and methods:
 *   request(path, { method, headers, user, token, cookie, body })
 *                  one HTTP request to the web server; user (a demo user id)
 *                  or token puts the session cookie in; resolves to
 *                  { status, headers, body }.  No redirects are followed.
 *   fetchUrl(url, opts)   the same for any absolute http URL (sim pages).
 *   simStats(token?)      the simulator's /_control/stats as an object.
 *   simControl(path)      POST /_control/PATH (e.g. 'reset').
 *   fcgiLog()             what richprofile-fcgi wrote so far (stderr + log).
 *   fcgi.request(params, opts)  one FastCGI request straight to the
 *                         program's socket (see fcgiRequest below).
 *   stopFcgi(signal)      sends signal (default SIGTERM) to the program and
 *                         resolves to { code, signal, ms } when it exits.
 *   stop()                stops everything it started, by PID (SIGTERM, then
 *                         SIGKILL after 8 s), removes the directory and
 *                         resolves to { sim, fcgi, server } exit results
 *                         ({ code, signal, ms } each).
 *
 * Paths come from the automake test environment (top_srcdir, top_builddir)
 * or default to this source tree.  Every wait is bounded; a piece that does
 * not come up rejects with what it printed.
 */

const childProcess = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const srcdir = path.resolve(process.env.top_srcdir || path.join(__dirname, '..', '..'));
const builddir = path.resolve(process.env.top_builddir || srcdir);

const paths = {
  srcdir,
  builddir,
  fcgi: path.join(builddir, 'cgi', 'richprofile-fcgi'),
  sim: path.join(builddir, 'sim', 'richprofile-sim'),
  users: path.join(srcdir, 'conf', 'sim-users.conf'),
  photos: path.join(srcdir, 'conf', 'sim-photos'),
  templates: path.join(srcdir, 'conf', 'templates'),
  css: path.join(srcdir, 'conf', 'richprofile.css'),
  nginxSnippet: path.join(srcdir, 'conf', 'nginx', 'richprofile.conf'),
  apacheSnippet: path.join(srcdir, 'conf', 'apache', 'richprofile.conf'),
  accountPage: path.join(srcdir, 'conf', 'site', 'account.shtml'),
  apacheModules: '/usr/lib/apache2/modules',
};

const API_PATH = '/PersonalRichProfile/V1';
/* The socket path the shipped snippets name; tests put their own in. */
const SNIPPET_SOCKET = '/run/richprofile/richprofile.sock';
const START_TIMEOUT_MS = 10000;
const STOP_TIMEOUT_MS = 8000;

/* Every child of every stack, so a crashed test still leaves nothing. */
const allChildren = new Set();
process.on('exit', () => {
  for (const child of allChildren) {
    try { process.kill(child.pid, 'SIGKILL'); } catch (e) { /* gone */ }
  }
});

function which(cmd) {
  for (const dir of (process.env.PATH || '').split(':').concat(['/usr/sbin', '/sbin'])) {
    const p = path.join(dir, cmd);
    try { fs.accessSync(p, fs.constants.X_OK); return p; } catch (e) { /* next */ }
  }
  return null;
}

/* What a test needs to run; a missing piece is a reason to skip. */
function missing(server) {
  if (!fs.existsSync(paths.fcgi)) return `${paths.fcgi} is not built`;
  if (!fs.existsSync(paths.sim)) return `${paths.sim} is not built`;
  if (server === 'nginx' && !which('nginx')) return 'nginx is not installed (apt-get install nginx-light)';
  if (server === 'apache') {
    if (!which('apache2')) return 'apache2 is not installed (apt-get install apache2)';
    if (!fs.existsSync(path.join(paths.apacheModules, 'mod_proxy_fcgi.so'))) return 'mod_proxy_fcgi is missing';
  }
  return null;
}

/* A port free right now on 127.0.0.1 (the caller binds it next). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/* Resolves once something accepts on target ({port} or {path}). */
async function waitConnect(target, child, what, deadline) {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}) before it listened`);
    }
    const ok = await new Promise((resolve) => {
      const sock = target.path ? net.connect(target.path) : net.connect(target.port, '127.0.0.1');
      sock.on('connect', () => { sock.destroy(); resolve(true); });
      sock.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen within ${START_TIMEOUT_MS} ms`);
    await sleep(25);
  }
}

/* Reads the INI of the demo users: { id: { token, about, ... } }. */
function readUsers(file) {
  const users = {};
  let cur = null;
  for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
    const line = raw.replace(/\s+;.*$/, '').trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[user ([^\]]+)\]$/.exec(line);
    if (sec) { cur = users[sec[1]] = { id: sec[1] }; continue; }
    const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (kv && cur) cur[kv[1]] = kv[2];
  }
  return users;
}

/* { section: { key: value } } to INI text; "view X" sections last. */
function iniText(conf) {
  let out = '; generated by tests/lib/stack.js\n';
  const names = Object.keys(conf).sort((a, b) => (a.startsWith('view ') - b.startsWith('view ')));
  for (const name of names) {
    out += `\n[${name}]\n`;
    for (const [k, v] of Object.entries(conf[name])) {
      if (v !== null && v !== undefined) out += `${k} = ${v}\n`;
    }
  }
  return out;
}

function mergeConf(base, over) {
  const conf = JSON.parse(JSON.stringify(base));
  for (const [sec, keys] of Object.entries(over || {})) {
    if (keys === null) { delete conf[sec]; continue; }
    conf[sec] = Object.assign(conf[sec] || {}, keys);
  }
  return conf;
}

/* One HTTP request; no redirects, no keep-alive, bounded in time. */
function httpRequest(url, opts = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const headers = Object.assign({}, opts.headers || {});
    if (opts.cookie) headers.Cookie = opts.cookie;
    let body = opts.body;
    if (body !== undefined && typeof body !== 'string' && !Buffer.isBuffer(body)) {
      body = new URLSearchParams(body).toString();
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    }
    if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body);
    const req = http.request({
      host: u.hostname, port: u.port, path: u.pathname + u.search,
      method: opts.method || 'GET', headers, agent: false,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode, headers: res.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }));
      res.on('error', reject);
    });
    req.setTimeout(opts.timeout || 15000, () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/* Spawns a child that is tracked for clean-up; output goes to logFile. */
function spawnTracked(cmd, args, opts, logFile) {
  const fd = logFile ? fs.openSync(logFile, 'a') : 'ignore';
  const child = childProcess.spawn(cmd, args, Object.assign({
    stdio: ['ignore', opts.pipeStdout ? 'pipe' : fd, fd],
  }, opts));
  if (typeof fd === 'number') fs.closeSync(fd);
  allChildren.add(child);
  child.on('exit', () => allChildren.delete(child));
  return child;
}

/* SIGTERM, then SIGKILL after STOP_TIMEOUT_MS; resolves { code, signal, ms }. */
function stopChild(child, signal = 'SIGTERM') {
  return new Promise((resolve) => {
    const t0 = Date.now();
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode, ms: 0 });
      return;
    }
    const timer = setTimeout(() => { try { child.kill('SIGKILL'); } catch (e) { /* gone */ } },
      STOP_TIMEOUT_MS);
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      resolve({ code, signal: sig, ms: Date.now() - t0 });
    });
    try { child.kill(signal); } catch (e) { /* gone */ }
  });
}

/*
 * The one way the JS tests start richprofile-sim: on 127.0.0.1, port
 * opts.simPort or a free one, with the demo users and photos and the
 * session cookie rp_token unless opts.simArgs give their own (--users,
 * --photos, --cookie or -c), then opts.simArgs.  Its stderr goes to
 * DIR/sim.log; dir null gives it a directory of its own, removed by
 * stop() unless RP_TEST_KEEP=1.  Resolves once it prints its address, to
 * { url, port, pid, base: url + API path, proc, log,
 *   stderr(): what it wrote so far (all of it, after stop),
 *   stop(signal): SIGTERM by default, resolves to { code, signal, ms } }.
 */
async function startSim(dir, opts = {}) {
  const own = !dir;
  if (own) dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-sim-'));
  const extra = opts.simArgs || [];
  const given = (...names) => names.some((n) => extra.includes(n));
  const args = ['--listen', `127.0.0.1:${opts.simPort || 0}`];
  if (!given('--users')) args.push('--users', paths.users);
  if (!given('--photos')) args.push('--photos', paths.photos);
  if (!given('--cookie', '-c')) args.push('--cookie', 'rp_token');
  const log = path.join(dir, 'sim.log');
  const removeOwn = () => {
    if (own && !process.env.RP_TEST_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  };
  const child = spawnTracked(paths.sim, args.concat(extra), { pipeStdout: true }, log);
  let url;
  try {
    url = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('richprofile-sim did not print its address')),
        START_TIMEOUT_MS);
      child.stdout.on('data', (c) => {
        out += c;
        const m = /listening on (\S+)\n/.exec(out);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`richprofile-sim exited (${code}): ${readIf(log)}`));
      });
    });
  } catch (e) {
    await stopChild(child);
    removeOwn();
    throw e;
  }
  child.stdout.resume();
  const port = Number(new URL(url).port);
  let lastWords = null;   /* its stderr, kept when its directory goes */
  return {
    url, port, pid: child.pid, base: url + API_PATH, proc: child, log,
    stderr: () => (lastWords !== null ? lastWords : readIf(log)),
    async stop(signal) {
      const r = await stopChild(child, signal);
      lastWords = readIf(log);
      removeOwn();
      return r;
    },
  };
}

/*
 * Runs richprofile-sim with args alone (no defaults) to its end, for what
 * it refuses or prints: resolves to { code, signal, stdout, stderr };
 * killed after timeoutMs.
 */
function runSim(args, timeoutMs = 10000) {
  return new Promise((resolve) => {
    const proc = childProcess.spawn(paths.sim, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    allChildren.add(proc);
    let stdout = '', stderr = '';
    proc.stdout.on('data', (d) => { stdout += d; });
    proc.stderr.on('data', (d) => { stderr += d; });
    const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    /* 'close', not 'exit': every byte of its output has been read. */
    proc.on('close', (code, signal) => {
      clearTimeout(t);
      allChildren.delete(proc);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function readIf(file) {
  try { return fs.readFileSync(file, 'utf8'); } catch (e) { return ''; }
}

/* The configuration every integration test starts from. */
/* dir/templates, a link to the shipped templates (made once). */
function templatesLink(dir) {
  const link = path.join(dir, 'templates');
  if (!fs.existsSync(link)) fs.symlinkSync(paths.templates, link);
  return link;
}

function baseConf(simUrl, simPort, siteUrl, dir) {
  return {
    upstream: {
      endpoint: simUrl + API_PATH, connect_timeout_ms: 1000, timeout_ms: 2000,
    },
    session: { cookie: 'rp_token' },
    site: {
      url: siteUrl,
      login_url: `${simUrl}/signin?return=/account.shtml`,
      return_path: '/account.shtml',
      privacy_hosts: `127.0.0.1:${simPort}`,
      default_language: 'fr',
    },
    /*
     * The templates through a link in the run directory: a source tree at
     * any depth keeps every line of the file under what Debian's inih
     * reads (200 bytes a line).
     */
    server: { threads: 8, templates: templatesLink(dir), log_file: path.join(dir, 'fcgi-requests.log'), log_level: 'info' },
    'view card': {
      infos: 'Firstname,Lastname,Displayname,PictureTagSmallURL,PictureTagMediumURL,CentersOfInterests,PreferredLanguage',
      template: 'card.html',
    },
    'view account': { infos: '*', template: 'account.html' },
    /*
     * Each request reaches the simulator: tests count upstream calls and
     * walk consent states, which a cache or an open breaker would hide.
     * The cache and breaker suites turn them back on.
     */
    cache: { ttl_s: 0 },
    breaker: { failures: 0 },
  };
}

async function startFcgi(dir, conf, opts) {
  const confFile = path.join(dir, 'richprofile.conf');
  const socket = path.join(dir, 'fcgi.sock');
  fs.writeFileSync(confFile, iniText(conf));
  const args = ['-c', confFile, '-s', `unix:${socket}`, '-n', String(opts.threads || 8)]
    .concat(opts.fcgiArgs || []);
  const log = path.join(dir, 'fcgi.log');
  const wrapper = opts.wrapper ||
    (process.env.RP_TEST_FCGI_WRAPPER ? process.env.RP_TEST_FCGI_WRAPPER.split(/\s+/).filter(Boolean) : []);
  const cmd = wrapper.length ? wrapper[0] : paths.fcgi;
  const argv = wrapper.length ? wrapper.slice(1).concat([paths.fcgi], args) : args;
  const child = spawnTracked(cmd, argv, { env: Object.assign({}, process.env, opts.env || {}) }, log);
  await waitConnect({ path: socket }, child, `richprofile-fcgi (${readIf(log)})`,
    Date.now() + START_TIMEOUT_MS);
  /* Web servers as root run their workers as another user. */
  fs.chmodSync(socket, 0o666);
  return { pid: child.pid, socket, log, conf: confFile, proc: child };
}

/* The shipped snippet of kind, with the stack's socket, as opts.snippet edits it. */
function snippetText(kind, socket, edit) {
  const file = kind === 'nginx' ? paths.nginxSnippet : paths.apacheSnippet;
  const text = fs.readFileSync(file, 'utf8').split(SNIPPET_SOCKET).join(socket);
  return edit ? edit(text, kind) : text;
}

function nginxConf(dir, port, socket, extra) {
  const snippet = snippetText('nginx', socket, extra.snippet);
  fs.writeFileSync(path.join(dir, 'richprofile-nginx.conf'), snippet);
  fs.copyFileSync('/etc/nginx/fastcgi_params', path.join(dir, 'fastcgi_params'));
  const tmp = path.join(dir, 'nginx-tmp');
  fs.mkdirSync(tmp, { recursive: true });
  return `# generated by tests/lib/stack.js
worker_processes 2;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log info;
events { worker_connections 512; }
http {
  access_log ${dir}/nginx-access.log;
  client_body_temp_path ${tmp}/body;
  fastcgi_temp_path ${tmp}/fastcgi;
  proxy_temp_path ${tmp}/proxy;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  types { text/html html shtml; text/css css; image/png png; application/javascript js; }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port};
    server_name 127.0.0.1;
    root ${dir}/site;
    include ${dir}/richprofile-nginx.conf;
${extra.conf || ''}
  }
}
`;
}

function apacheConf(dir, port, socket, extra) {
  const snippet = snippetText('apache', socket, extra.snippet);
  fs.writeFileSync(path.join(dir, 'richprofile-apache.conf'), snippet);
  const m = paths.apacheModules;
  const asRoot = process.getuid && process.getuid() === 0;
  return `# generated by tests/lib/stack.js
ServerRoot ${dir}
Listen 127.0.0.1:${port}
PidFile ${dir}/apache.pid
ErrorLog ${dir}/apache-error.log
LogLevel warn
DefaultRuntimeDir ${dir}
Mutex file:${dir} default
LoadModule mpm_event_module ${m}/mod_mpm_event.so
LoadModule authz_core_module ${m}/mod_authz_core.so
LoadModule authz_host_module ${m}/mod_authz_host.so
LoadModule mime_module ${m}/mod_mime.so
LoadModule dir_module ${m}/mod_dir.so
LoadModule include_module ${m}/mod_include.so
LoadModule headers_module ${m}/mod_headers.so
LoadModule proxy_module ${m}/mod_proxy.so
LoadModule proxy_fcgi_module ${m}/mod_proxy_fcgi.so
${(extra.modules || []).map((n) => `LoadModule ${n}_module ${m}/mod_${n}.so`).join('\n')}
${asRoot ? 'User www-data\nGroup www-data' : ''}
ServerName 127.0.0.1
StartServers 1
ThreadsPerChild 64
MaxRequestWorkers 128
ServerLimit 2
DocumentRoot ${dir}/site
TypesConfig /etc/mime.types
<Directory />
  Require all denied
</Directory>
<Directory ${dir}/site>
  Require all granted
</Directory>
Include ${dir}/richprofile-apache.conf
${extra.conf || ''}
`;
}

async function startServer(kind, dir, port, socket, extra) {
  if (kind === 'nginx') {
    const conf = path.join(dir, 'nginx.conf');
    fs.writeFileSync(conf, nginxConf(dir, port, socket, extra));
    const child = spawnTracked(which('nginx'), ['-p', dir, '-c', conf, '-g', 'daemon off;'], {},
      path.join(dir, 'nginx.out'));
    await waitConnect({ port }, child, `nginx (${readIf(path.join(dir, 'nginx.out'))}${readIf(path.join(dir, 'nginx-error.log'))})`,
      Date.now() + START_TIMEOUT_MS);
    return { pid: child.pid, proc: child, errorLog: path.join(dir, 'nginx-error.log') };
  }
  const conf = path.join(dir, 'httpd.conf');
  fs.writeFileSync(conf, apacheConf(dir, port, socket, extra));
  const child = spawnTracked(which('apache2'), ['-f', conf, '-DFOREGROUND'], {},
    path.join(dir, 'apache.out'));
  await waitConnect({ port }, child, `apache2 (${readIf(path.join(dir, 'apache.out'))}${readIf(path.join(dir, 'apache-error.log'))})`,
    Date.now() + START_TIMEOUT_MS);
  return { pid: child.pid, proc: child, errorLog: path.join(dir, 'apache-error.log') };
}

/* The site root: the sample account page, the stylesheet, extras. */
function writeSite(dir, extra) {
  const site = path.join(dir, 'site');
  fs.mkdirSync(site, { recursive: true });
  fs.copyFileSync(paths.accountPage, path.join(site, 'account.shtml'));
  if (fs.existsSync(paths.css)) fs.copyFileSync(paths.css, path.join(site, 'richprofile.css'));
  for (const [name, content] of Object.entries(extra || {})) {
    fs.writeFileSync(path.join(site, name), content);
  }
  for (const f of fs.readdirSync(site)) fs.chmodSync(path.join(site, f), 0o644);
  fs.chmodSync(site, 0o755);
}

async function startStack(opts = {}) {
  const server = opts.server === undefined ? 'nginx' : opts.server;
  const why = missing(server);
  if (why) throw new Error(`cannot start the stack: ${why}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-stack-'));
  /* Web-server workers (nobody, www-data) must reach the socket and site. */
  fs.chmodSync(dir, 0o755);
  const stack = {
    dir, base: null, sim: null, fcgi: null, server: null, cookieName: 'rp_token',
    users: readUsers(paths.users), paths,
  };
  const children = [];   /* [name, child] in start order */
  stack.stop = async () => {
    const results = {};
    for (const [name, c] of children.reverse()) results[name] = await stopChild(c);
    if (!process.env.RP_TEST_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    return results;
  };
  try {
    stack.sim = await startSim(dir, opts);
    children.push(['sim', stack.sim.proc]);
    const webPort = server ? (opts.webPort || await freePort()) : 0;
    const siteUrl = webPort ? `http://127.0.0.1:${webPort}` : 'http://127.0.0.1';
    stack.confObject = mergeConf(baseConf(stack.sim.url, stack.sim.port, siteUrl, dir), opts.config);
    stack.fcgi = await startFcgi(dir, stack.confObject, opts);
    children.push(['fcgi', stack.fcgi.proc]);
    if (server) {
      writeSite(dir, opts.site);
      stack.server = await startServer(server, dir, webPort, stack.fcgi.socket,
        Object.assign({ snippet: opts.snippet },
          opts.serverExtra ? opts.serverExtra(dir, stack.fcgi.socket) : {}));
      children.push(['server', stack.server.proc]);
      stack.base = `http://127.0.0.1:${webPort}`;
    }
  } catch (e) {
    await stack.stop();
    throw e;
  }

  stack.cookieFor = (user) => {
    const u = stack.users[user];
    if (!u) throw new Error(`no demo user ${user} in ${paths.users}`);
    return `${stack.cookieName}=${u.token}`;
  };
  stack.request = (p, o = {}) => {
    const o2 = Object.assign({}, o);
    if (o.user) o2.cookie = stack.cookieFor(o.user);
    else if (o.token !== undefined) o2.cookie = `${stack.cookieName}=${o.token}`;
    if (o.cookie && (o.user || o.token !== undefined)) o2.cookie = `${o.cookie}; ${o2.cookie}`;
    return httpRequest(stack.base + p, o2);
  };
  stack.fetchUrl = httpRequest;
  stack.simStats = async (token) => {
    const q = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
    const r = await httpRequest(`${stack.sim.url}/_control/stats${q}`);
    return JSON.parse(r.body);
  };
  stack.simControl = (what) => httpRequest(`${stack.sim.url}/_control/${what}`, { method: 'POST', body: '' });
  stack.fcgiLog = () => readIf(stack.fcgi.log) + readIf(path.join(dir, 'fcgi-requests.log'));
  stack.stopFcgi = (signal) => stopChild(stack.fcgi.proc, signal);
  stack.fcgi.request = (params, o) => fcgiRequest({ path: stack.fcgi.socket }, params, o);
  return stack;
}

/*
 * A FastCGI client, for talking to richprofile-fcgi without a web server:
 * fcgiRequest({ path: socketPath } or { port, host }, params, { role, stdin })
 * sends one request (role 'responder' or 'authorizer') and resolves to
 * { status, headers, body, raw, stderr } where headers has lower-case
 * names (a repeated header becomes an array) and status comes from the
 * CGI "Status:" header (200 when absent).
 */
function fcgiRecord(type, id, content) {
  const pad = (8 - (content.length % 8)) % 8;
  const h = Buffer.alloc(8);
  h.writeUInt8(1, 0); h.writeUInt8(type, 1); h.writeUInt16BE(id, 2);
  h.writeUInt16BE(content.length, 4); h.writeUInt8(pad, 6);
  return Buffer.concat([h, content, Buffer.alloc(pad)]);
}

function fcgiLength(n) {
  if (n < 128) return Buffer.from([n]);
  const b = Buffer.alloc(4); b.writeUInt32BE((n | 0x80000000) >>> 0, 0); return b;
}

function fcgiParams(params) {
  const parts = [];
  for (const [k, v] of Object.entries(params)) {
    const kb = Buffer.from(k); const vb = Buffer.from(String(v));
    parts.push(fcgiLength(kb.length), fcgiLength(vb.length), kb, vb);
  }
  return Buffer.concat(parts);
}

function parseCgi(raw) {
  const text = raw.toString('utf8');
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const headers = {};
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const k = line.slice(0, i).trim().toLowerCase(); const v = line.slice(i + 1).trim();
    if (headers[k] === undefined) headers[k] = v;
    else headers[k] = [].concat(headers[k], v);
  }
  const status = headers.status ? parseInt(headers.status, 10) : 200;
  return { status, headers, body: end < 0 ? '' : text.slice(end + 4) };
}

function fcgiRequest(target, params, opts = {}) {
  return new Promise((resolve, reject) => {
    const sock = target.path ? net.connect(target.path) : net.connect(target.port, target.host || '127.0.0.1');
    const id = 1;
    const role = opts.role === 'authorizer' ? 2 : 1;
    const begin = Buffer.alloc(8); begin.writeUInt16BE(role, 0);
    const stdin = Buffer.from(opts.stdin || '');
    const chunks = []; const errs = [];
    let buf = Buffer.alloc(0);
    let done = false;
    const timer = setTimeout(() => { sock.destroy(); if (!done) reject(new Error('FastCGI request timed out')); },
      opts.timeout || 15000);
    sock.on('connect', () => {
      const out = [fcgiRecord(1, id, begin)];
      const p = fcgiParams(params);
      for (let i = 0; i < p.length; i += 65535) out.push(fcgiRecord(4, id, p.subarray(i, i + 65535)));
      out.push(fcgiRecord(4, id, Buffer.alloc(0)));
      if (stdin.length) out.push(fcgiRecord(5, id, stdin));
      out.push(fcgiRecord(5, id, Buffer.alloc(0)));
      sock.write(Buffer.concat(out));
    });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 8) {
        const type = buf.readUInt8(1); const len = buf.readUInt16BE(4); const pad = buf.readUInt8(6);
        if (buf.length < 8 + len + pad) break;
        const content = buf.subarray(8, 8 + len);
        buf = buf.subarray(8 + len + pad);
        if (type === 6) chunks.push(content);
        else if (type === 7) errs.push(content);
        else if (type === 3) {
          done = true; clearTimeout(timer); sock.end();
          const raw = Buffer.concat(chunks);
          resolve(Object.assign(parseCgi(raw), { raw: raw.toString('utf8'), stderr: Buffer.concat(errs).toString('utf8') }));
        }
      }
    });
    sock.on('error', (e) => { clearTimeout(timer); if (!done) reject(e); });
    sock.on('close', () => { clearTimeout(timer); if (!done) reject(new Error('FastCGI connection closed before END_REQUEST')); });
  });
}

/* The outer fragment's status class ("ok", "partial", ...) in html, or null. */
function fragmentStatus(html) {
  const m = /class="rp rp-([a-z]+)/.exec(html);
  return m ? m[1] : null;
}

/* Decodes the five HTML entities the renderer writes, and numeric ones. */
function htmlDecode(s) {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos|#39);/g, (m, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[e];
  });
}

module.exports = {
  startStack, startSim, runSim, freePort, sleep, fcgiRequest, parseCgi, httpRequest, stopChild, missing, paths, readUsers,
  SNIPPET_SOCKET,
  fragmentStatus, htmlDecode, iniText, baseConf, API_PATH,
  which, waitConnect, spawnTracked, readIf, fcgiRecord,
};
