'use strict';
/*
 * authlib.js: pieces the auth route's tests share: a backend that echoes
 * what it received, a canned API answering hostile values, the web
 * servers in front (real nginx and Apache with the shipped snippets), and
 * the decoder a backend would use for the X-Profile-* values.
 */

const childProcess = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');

const { paths, stopChild, freePort, API_PATH } = require('../integration/stack');

const SNIPPET_SOCKET = '/run/richprofile/richprofile.sock';
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
  const server = http.createServer((req, res) => {
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

/* The FastCGI records of a FastCGI backend (type, request id, content). */
function fcgiRecord(type, id, content) {
  const pad = (8 - (content.length % 8)) % 8;
  const h = Buffer.alloc(8);
  h.writeUInt8(1, 0); h.writeUInt8(type, 1); h.writeUInt16BE(id, 2);
  h.writeUInt16BE(content.length, 4); h.writeUInt8(pad, 6);
  return Buffer.concat([h, content, Buffer.alloc(pad)]);
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

function xmlText(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;').replace(/\n/g, '&#10;');
}

async function startHostileApi() {
  const api = { calls: 0, values: HOSTILE };
  const xml = '<?xml version="1.0" encoding="UTF-8"?>\n<getPersonalRichProfileReturn><Data><UserAuthorizedData>'
    + `<Firstname>${xmlText(HOSTILE.Firstname)}</Firstname>`
    + `<Lastname>${xmlText(HOSTILE.Lastname)}</Lastname>`
    + `<Displayname>${xmlText(HOSTILE.Displayname)}</Displayname>`
    + `<HomeAddress><City>${xmlText(HOSTILE.City)}</City></HomeAddress>`
    + '<CentersOfInterests>'
    + HOSTILE.Interests.map((i) => `<CenterOfInterest>${xmlText(i)}</CenterOfInterest>`).join('')
    + '</CentersOfInterests>'
    + '</UserAuthorizedData></Data></getPersonalRichProfileReturn>\n';
  const server = http.createServer((req, res) => {
    api.calls++;
    res.writeHead(200, { 'Content-Type': 'application/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(xml) });
    res.end(xml);
  });
  api.port = await listen(server);
  api.endpoint = `http://127.0.0.1:${api.port}${API_PATH}`;
  api.stop = () => new Promise((resolve) => server.close(() => resolve()));
  server.unref();
  return api;
}

function readIf(file) {
  try { return fs.readFileSync(file, 'utf8'); } catch (e) { return ''; }
}

function which(cmd) {
  for (const dir of (process.env.PATH || '').split(':').concat(['/usr/sbin', '/sbin'])) {
    const p = path.join(dir, cmd);
    try { fs.accessSync(p, fs.constants.X_OK); return p; } catch (e) { /* next */ }
  }
  return null;
}

/* Resolves once 127.0.0.1:port accepts; rejects when child exits or time runs out. */
async function waitPort(port, child, what) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited before it listened`);
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen within ${START_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function spawnLogged(cmd, args, log) {
  const fd = fs.openSync(log, 'a');
  const child = childProcess.spawn(cmd, args, { stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  return child;
}

/* A copy of a shipped snippet, with the test's socket in place of the shipped one. */
function copySnippet(from, dir, socket) {
  const to = path.join(dir, path.basename(from));
  fs.writeFileSync(to, fs.readFileSync(from, 'utf8').split(SNIPPET_SOCKET).join(socket));
  return to;
}

/*
 * nginx in front of richprofile-fcgi (socket) and the backends, with the
 * shipped auth snippets: /app/ proxies to the HTTP echo backend, /php/
 * to the FastCGI one, /open/ proxies without auth (to show what the
 * backend gets when nothing guards it).  Resolves to { base, stop() }.
 */
async function startNginx(dir, socket, backend, fcgiBackend) {
  const port = await freePort();
  const auth = copySnippet(snippets.nginxAuth, dir, socket);
  const request = copySnippet(snippets.nginxRequest, dir, socket);
  const proxy = copySnippet(snippets.nginxProxy, dir, socket);
  const fastcgi = copySnippet(snippets.nginxFastcgi, dir, socket);
  fs.copyFileSync('/etc/nginx/fastcgi_params', path.join(dir, 'fastcgi_params'));
  const tmp = path.join(dir, 'nginx-tmp');
  fs.mkdirSync(tmp, { recursive: true });
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(conf, `# generated by tests/auth/authlib.js
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log info;
events { worker_connections 256; }
http {
  access_log ${dir}/nginx-access.log;
  client_body_temp_path ${tmp}/body;
  fastcgi_temp_path ${tmp}/fastcgi;
  proxy_temp_path ${tmp}/proxy;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  server {
    listen 127.0.0.1:${port};
    server_name 127.0.0.1;
    include ${auth};
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
    }
  }
}
`);
  const child = spawnLogged(which('nginx'), ['-p', dir, '-c', conf, '-g', 'daemon off;'], path.join(dir, 'nginx.out'));
  try {
    await waitPort(port, child, `nginx (${readIf(path.join(dir, 'nginx.out'))}${readIf(path.join(dir, 'nginx-error.log'))})`);
  } catch (e) {
    await stopChild(child);
    throw e;
  }
  return { base: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => stopChild(child), errorLog: path.join(dir, 'nginx-error.log') };
}

module.exports = {
  snippets, decodeValue, decodeList, catalogueHeaderNames, startEchoBackend, startFastcgiEchoBackend,
  startHostileApi, startNginx, waitPort, spawnLogged, copySnippet, readIf, which, HOSTILE,
};
