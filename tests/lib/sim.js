// sim.js: what the simulator's own tests say to it once it runs (started
// by stack.js's startSim): its API called and its XML answer taken apart,
// its pages and control endpoint asked over HTTP or HTTPS.
'use strict';

const http = require('node:http');
const https = require('node:https');

// Every attribute of the catalogue (lib/attr.c), in its order.
const ATTRS = [
  'Firstname', 'Lastname', 'Displayname', 'UserEMail', 'Gender', 'DateOfBirth',
  'NDP', 'HomePhone', 'MobilePhone', 'OfficePhone', 'OfficeMobileNumber',
  'OfficeFax', 'MobileDeviceTac', 'MobileDeviceModel', 'MobileDeviceBrand',
  'PreferredLanguage', 'HomeAddress', 'OfficeAddress', 'ProfileCreationDate',
  'ProfileModificationDate', 'UserType', 'PictureTagTinyURL',
  'PictureTagSmallURL', 'PictureTagMediumURL', 'PictureTagLargeURL',
  'CentersOfInterests',
];
const PHOTO_ATTRS = ATTRS.filter((a) => a.startsWith('PictureTag'));

// One HTTP request without redirects or pooling:
// { status, headers, body (string), bytes (Buffer), error (if any) }.
// The result has error set (and what arrived so far) when the connection fails.
function request(url, { method = 'GET', headers = {}, body, timeoutMs = 5000, agent = false, ca } = {}) {
  return new Promise((resolve) => {
    const mod = url.startsWith('https:') ? https : http;
    const chunks = [];
    let res = null, done = false;
    const finish = (error) => {
      if (done) return;
      done = true;
      const bytes = Buffer.concat(chunks);
      resolve({ status: res ? res.statusCode : 0, headers: res ? res.headers : {}, bytes, body: bytes.toString('utf8'), error });
    };
    const req = mod.request(url, { method, headers, agent, ca }, (r) => {
      res = r;
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => finish(null));
      r.on('aborted', () => finish(new Error('aborted')));
      r.on('error', (e) => finish(e));
    });
    req.setTimeout(timeoutMs, () => { req.destroy(new Error('timeout')); });
    req.on('error', (e) => finish(e));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// The API call for infos (array or string) and token, percent-encoded.
function apiUrl(sim, infos, token) {
  const list = Array.isArray(infos) ? infos.join(',') : infos;
  return `${sim.base}?action=getPersonalRichProfile&infos=${encodeURIComponent(list)}&token=${encodeURIComponent(token)}`;
}

function unescapeXml(s) {
  return s.replace(/&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-fA-F]+));/g, (m, name, dec, hex) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' }[name];
  });
}

// Inner text (raw, still escaped) of the first <name>...</name> or <name/>; undefined if absent.
function element(xml, name) {
  const re = new RegExp(`<${name}(?:/>|>([\\s\\S]*?)</${name}>)`);
  const m = re.exec(xml);
  if (!m) return undefined;
  return m[1] === undefined ? '' : m[1];
}

// Names of the direct child elements in a fragment of XML.
function children(xml) {
  const names = [];
  let depth = 0;
  const re = /<(\/?)([A-Za-z][\w.-]*)[^>]*?(\/?)>/g;
  let m;
  while ((m = re.exec(xml)) !== null) {
    if (m[1]) { depth--; continue; }
    if (depth === 0) names.push(m[2]);
    if (!m[3]) depth++;
  }
  return names;
}

// A parsed answer: { kind: 'data'|'error', authorized: {name: raw}, unauthorized: [names], url, code, detail }.
function parseAnswer(xml) {
  if (!xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')) throw new Error('no XML declaration: ' + xml.slice(0, 80));
  const err = element(xml, 'error');
  if (err !== undefined) {
    const url = element(err, 'url');
    return { kind: 'error', code: Number(element(err, 'code')), detail: unescapeXml(element(err, 'detail') || ''), url: url === undefined ? undefined : unescapeXml(url), rawUrl: url };
  }
  const data = element(xml, 'Data');
  if (data === undefined) throw new Error('neither <error> nor <Data>: ' + xml);
  const auth = element(data, 'UserAuthorizedData') || '';
  const authorized = {};
  for (const name of children(auth)) authorized[name] = element(auth, name);
  const unauth = element(data, 'UserUnauthorizedData');
  const url = element(data, 'url');
  return { kind: 'data', authorized, unauthorized: unauth === undefined ? [] : children(unauth), url: url === undefined ? undefined : unescapeXml(url), rawUrl: url };
}

async function api(sim, infos, token) {
  const r = await request(apiUrl(sim, infos, token));
  if (r.error) throw r.error;
  return { ...r, answer: parseAnswer(r.body) };
}

async function stats(sim, token) {
  const q = token === undefined ? '' : '?token=' + encodeURIComponent(token);
  const r = await request(`${sim.url}/_control/stats${q}`);
  return JSON.parse(r.body);
}

async function control(sim, what, query = '') {
  const r = await request(`${sim.url}/_control/${what}${query ? '?' + query : ''}`, { method: 'POST' });
  return r;
}

module.exports = {
  ATTRS, PHOTO_ATTRS,
  request, apiUrl, api, stats, control, parseAnswer, element, children, unescapeXml,
};
