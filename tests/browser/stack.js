// stack.js: what every browser test shares.  Starts the demo stack
// exactly as a person does (demo.sh, with --no-build on the tree under
// test) on free loopback ports, launches Debian's Chromium through
// playwright-core with a fresh profile, and stops both by PID.
'use strict';

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const srcdir = process.env.top_srcdir || path.resolve(__dirname, '..', '..');
const builddir = process.env.top_builddir || srcdir;
// Screenshots and the run directories (logs) of the demo stacks, so a
// person can look at them after `make check`; removed by `make clean`.
const outdir = path.join(builddir, 'tests', 'output', 'browser');
const chromiumPath = process.env.RP_CHROMIUM || '/usr/bin/chromium';
const chromiumArgs = [
	'--no-sandbox', '--disable-gpu', '--no-first-run',
	'--disable-background-networking', '--disable-component-update',
	'--disable-sync', '--disable-quic',
];

// Why the browser tests cannot run here, or false (node:test skips on
// null too).  Only a missing Chromium is a reason to skip; everything
// else is a failure.
function skipReason() {
	if (!fs.existsSync(chromiumPath))
		return `${chromiumPath} is missing (apt-get install chromium)`;
	return false;
}

// playwright-core from tests/browser/node_modules (tests/lib/deps.sh runs npm
// install there).  A tree without it (make distcheck's copy of the
// sources) gets it installed from the committed lock file into the build
// tree's output folder; npm's cache usually has it already.
function playwright() {
	const here = path.join(srcdir, 'tests', 'browser');
	try {
		return require(require.resolve('playwright-core', { paths: [here] }));
	} catch (e) {
		if (e.code !== 'MODULE_NOT_FOUND')
			throw e;
	}
	const dir = path.join(outdir, 'npm');
	const mod = path.join(dir, 'node_modules', 'playwright-core');
	if (!fs.existsSync(mod)) {
		// Several test files start at once (make -j): each installs into
		// a directory of its own and renames it into place; the first wins.
		const tmp = `${dir}.tmp-${process.pid}`;
		fs.rmSync(tmp, { recursive: true, force: true });
		fs.mkdirSync(tmp, { recursive: true });
		for (const f of ['package.json', 'package-lock.json'])
			fs.copyFileSync(path.join(here, f), path.join(tmp, f));
		execFileSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--silent'],
			{ cwd: tmp, stdio: ['ignore', 'inherit', 'inherit'], timeout: 120000 });
		try {
			fs.renameSync(tmp, dir);
		} catch {
			fs.rmSync(tmp, { recursive: true, force: true });
		}
	}
	return require(mod);
}

const { freePort, sleep } = require('../lib/stack');

function alive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

// Starts ./demo.sh --no-build on free ports, resolves when it prints
// "Demo ready:".  name names the run directory under the output folder.
// Ports can be taken between the probe and the start: a refusal for a
// taken port is retried with new ports.
async function startDemo(name) {
	let lastErr;
	for (let attempt = 0; attempt < 3; attempt++) {
		const sitePort = await freePort();
		let simPort = await freePort();
		while (simPort === sitePort)
			simPort = await freePort();
		const rundir = path.join(outdir, `run-${name}`);
		try {
			return await startDemoOn(rundir, sitePort, simPort);
		} catch (e) {
			lastErr = e;
			if (!/already in use/.test(e.message))
				break;
		}
	}
	throw lastErr;
}

function startDemoOn(rundir, sitePort, simPort) {
	fs.mkdirSync(path.dirname(rundir), { recursive: true });
	const env = {
		...process.env,
		RP_DEMO_PORT: String(sitePort),
		RP_SIM_PORT: String(simPort),
		RP_DEMO_BUILDDIR: builddir,
		RP_DEMO_RUNDIR: rundir,
	};
	const proc = spawn(path.join(srcdir, 'demo.sh'), ['--no-build'],
		{ env, stdio: ['ignore', 'pipe', 'pipe'] });
	// Should the test process end without stopping it (a crash), demo.sh
	// still gets its SIGTERM and stops what it started.
	const onExit = () => proc.kill('SIGTERM');
	process.once('exit', onExit);
	proc.once('exit', () => process.off('exit', onExit));
	let out = '';
	let err = '';
	proc.stdout.on('data', (d) => { out += d; });
	proc.stderr.on('data', (d) => { err += d; });
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			finish(new Error(`demo.sh did not print "Demo ready" within 30 s:\n${out}\n${err}`));
		}, 30000);
		const onExit = (code) => {
			finish(new Error(`demo.sh exited with status ${code} during start-up:\n${err}`));
		};
		const onData = () => {
			if (/^Demo ready: /m.test(out))
				finish(null);
		};
		proc.stdout.on('data', onData);
		proc.on('exit', onExit);
		async function finish(e) {
			clearTimeout(timer);
			proc.stdout.off('data', onData);
			proc.off('exit', onExit);
			if (e) {
				await stopProc(proc, readPids(rundir));
				reject(e);
				return;
			}
			const stack = {
				siteUrl: `http://127.0.0.1:${sitePort}`,
				simUrl: `http://127.0.0.1:${simPort}`,
				rundir,
				proc,
				pids: readPids(rundir),
				output: () => out + err,
				stop: () => stopProc(proc, stack.pids),
			};
			resolve(stack);
		}
	});
}

// The PIDs demo.sh recorded: { 'richprofile-sim': n, ... }.
function readPids(rundir) {
	const pids = {};
	for (const name of ['richprofile-sim', 'richprofile-fcgi', 'nginx']) {
		try {
			pids[name] = Number(fs.readFileSync(path.join(rundir, `${name}.pid`), 'utf8').trim());
		} catch {
			// not started
		}
	}
	return pids;
}

// SIGTERM to demo.sh, which stops what it started; whatever is still
// alive after 10 s is killed by its own PID.
async function stopProc(proc, pids) {
	if (proc.exitCode === null && proc.signalCode === null) {
		const exited = new Promise((r) => proc.once('exit', r));
		proc.kill('SIGTERM');
		await Promise.race([exited, sleep(10000)]);
		if (proc.exitCode === null && proc.signalCode === null)
			proc.kill('SIGKILL');
	}
	for (const pid of Object.values(pids)) {
		if (pid > 0 && alive(pid))
			process.kill(pid, 'SIGKILL');
	}
}

// Waits until pid has exited (at most ms).
async function waitGone(pid, ms) {
	for (let t = 0; t < ms && alive(pid); t += 50)
		await sleep(50);
	return !alive(pid);
}

// Chromium with a fresh profile directory, headless, French like the
// site's visitors (Accept-Language decides the fragments' language when
// the profile does not).  Close it with closeBrowser.
async function launchBrowser() {
	const { chromium } = playwright();
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'rp-chromium-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: chromiumPath,
		headless: true,
		args: chromiumArgs,
		locale: 'fr-FR',
		viewport: { width: 1200, height: 900 },
		timeout: 30000,
	});
	context.setDefaultTimeout(10000);
	context.rpProfileDir = profile;
	return context;
}

async function closeBrowser(context) {
	if (!context)
		return;
	await context.close().catch(() => {});
	fs.rmSync(context.rpProfileDir, { recursive: true, force: true });
}

// The demo users as the simulator reads them (conf/sim-users.conf, INI as
// inih reads it: `;`/`#` comment lines, ` ;` inline comments), so the
// tests expect what the data says rather than a copy of it.
// Returns [{ id, keys: { lower-case key: value } }] in file order.
function demoUsers() {
	const file = path.join(srcdir, 'conf', 'sim-users.conf');
	const users = [];
	let cur = null;
	for (const raw of fs.readFileSync(file, 'utf8').split('\n')) {
		const line = raw.trim();
		if (line === '' || line[0] === ';' || line[0] === '#')
			continue;
		const sec = /^\[\s*user\s+([^\]\s]+)\s*\]/.exec(line);
		if (sec) {
			cur = { id: sec[1], keys: {} };
			users.push(cur);
			continue;
		}
		if (line[0] === '[') {
			cur = null;
			continue;
		}
		const eq = line.indexOf('=');
		if (!cur || eq < 0)
			continue;
		const key = line.slice(0, eq).trim().toLowerCase();
		const value = line.slice(eq + 1).replace(/\s;.*$/, '').trim();
		cur.keys[key] = value;
	}
	return users;
}

// What a person should see of user u: the name the card shows, the
// interests, the language, and which consent state the user starts in.
function expectations(u) {
	const k = u.keys;
	const refused = (k.refused || '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
	const isRefused = (name) => refused.includes('*') || refused.includes(name.toLowerCase());
	const display = k.displayname || k.displaynme || '';
	const full = [k.firstname, k.lastname].filter(Boolean).join(' ');
	return {
		id: u.id,
		about: k.about || '',
		lang: (k.preferredlanguage || k.language || 'fr').slice(0, 2).toLowerCase() === 'en' ? 'en' : 'fr',
		names: [display, full].filter(Boolean),
		interests: (k.centersofinterests || '').split(',').map((s) => s.trim()).filter(Boolean),
		photo: !/^(no|false|0)$/i.test(k.photo || 'yes'),
		// The simulator serves a real photo unless the file gives the URL.
		photoLoads: !/^(no|false|0)$/i.test(k.photo || 'yes') && !isRefused('PictureTagMediumURL') &&
			!Object.keys(k).some((key) => key.startsWith('picturetag')),
		expired: /^(yes|true|1)$/i.test(k.expired || 'no'),
		everythingRefused: refused.includes('*'),
		photoRefused: isRefused('PictureTagMediumURL'),
		refused,
		isRefused,
	};
}

// Labels and messages a person reads, per language (lib/attr.c, lib/i18n.c).
const labels = {
	fr: { Firstname: 'Prénom', UserEMail: 'Adresse e-mail', DateOfBirth: 'Date de naissance',
		CentersOfInterests: "Centres d'intérêt", withheld: 'Non partagé',
		unavailable: 'momentanément indisponible', consent: 'besoin de votre accord' },
	en: { Firstname: 'First name', UserEMail: 'E-mail address', DateOfBirth: 'Date of birth',
		CentersOfInterests: 'Interests', withheld: 'Not shared',
		unavailable: 'unavailable right now', consent: 'needs your consent' },
};

// Signs in as user u the way a person does: the site's "Se connecter"
// button, then the user's entry on the demo sign-in page; ends on the
// account page.
async function signIn(page, stack, u) {
	await page.goto(`${stack.siteUrl}/`);
	await page.locator('#signin').click();
	await page.waitForURL(/\/signin/);
	await page.locator(`a[href^="/signin?user=${u.id}&"]`).click();
	await page.waitForURL(`${stack.siteUrl}/account.shtml`);
}

// On the simulator's privacy page: "once", "always" or "refuse".
async function privacyChoice(page, choice) {
	await page.locator(`button[name="choice"][value="${choice}"]`).click();
}

// Waits until the page and everything it loads (photos, profile.json)
// are done.
async function settled(page) {
	await page.waitForLoadState('networkidle');
	await page.waitForFunction(() => Array.from(document.images).every((i) => i.complete));
}

function screenshotPath(name) {
	const dir = path.join(outdir, 'screenshots');
	fs.mkdirSync(dir, { recursive: true });
	return path.join(dir, `${name}.png`);
}

/*
 * Registers the before/after hooks every page test file needs: the demo
 * stack started as `name` and a browser, both stopped after the file.
 * Returns { stack, browser }, filled in once before() has run (left
 * empty when skip is set).
 */
function useDemo(name, skip) {
	const { before, after } = require('node:test');
	const demo = { stack: null, browser: null };
	before(async () => {
		if (skip)
			return;
		demo.stack = await startDemo(name);
		demo.browser = await launchBrowser();
	}, { timeout: 120000 });
	after(async () => {
		await closeBrowser(demo.browser);
		if (demo.stack)
			await demo.stack.stop();
	}, { timeout: 60000 });
	return demo;
}

module.exports = {
	srcdir, builddir, outdir, skipReason, startDemo, launchBrowser,
	closeBrowser, useDemo, screenshotPath, waitGone, sleep, demoUsers, expectations,
	labels, signIn, settled, privacyChoice,
};
