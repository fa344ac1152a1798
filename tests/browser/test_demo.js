// test_demo.js: ./demo.sh itself, as a person runs it: it refuses a port
// that is taken, starts the whole stack, and SIGTERM or Ctrl-C (SIGINT)
// stops every process it started and removes its socket.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { srcdir, builddir, outdir, startDemo, waitGone } = require('./stack.js');

test('demo.sh refuses a port that is taken, naming it, and starts nothing', { timeout: 60000 }, async () => {
	const srv = net.createServer();
	await new Promise((r) => srv.listen(0, '127.0.0.1', r));
	const taken = srv.address().port;
	const rundir = path.join(outdir, 'run-demo-taken');
	try {
		const r = spawnSync(path.join(srcdir, 'demo.sh'), ['--no-build'], {
			env: { ...process.env, RP_DEMO_PORT: String(taken), RP_SIM_PORT: '1',
				RP_DEMO_BUILDDIR: builddir, RP_DEMO_RUNDIR: rundir },
			encoding: 'utf8', timeout: 20000,
		});
		assert.notEqual(r.status, 0, 'demo.sh must fail');
		assert.match(r.stderr, new RegExp(`port ${taken} \\(RP_DEMO_PORT\\) is already in use`));
		assert.equal(fs.existsSync(path.join(rundir, 'richprofile-sim.pid')), false,
			'nothing may be started');
	} finally {
		srv.close();
	}
});

// Starts the demo, checks it serves, signals it, checks everything is gone.
async function startAndStop(signal) {
	const stack = await startDemo(`demo-${signal}`);
	const pids = Object.values(stack.pids);
	let stopped = false;
	try {
		assert.equal(pids.length, 3, `three processes recorded: ${JSON.stringify(stack.pids)}`);
		const ping = await fetch(`${stack.siteUrl}/richprofile/ping`);
		assert.equal(ping.status, 200);
		assert.equal((await ping.text()).trim(), 'ok');
		const page = await fetch(`${stack.siteUrl}/`);
		assert.match(await page.text(), /La Boutique du Quai/);

		const exited = new Promise((r) => stack.proc.once('exit', (code, sig) => r({ code, sig })));
		stack.proc.kill(signal);
		const { code } = await exited;
		stopped = true;
		assert.equal(code, 0, 'demo.sh exits 0 when asked to stop');
		for (const pid of pids)
			assert.ok(await waitGone(pid, 2000), `process ${pid} is gone`);
		assert.match(stack.output(), /demo\.sh: stopped/);
		const left = fs.readdirSync(stack.rundir).filter((f) => /\.(pid|sock)$/.test(f));
		assert.deepEqual(left, [], 'no pid file or socket left');
		await assert.rejects(fetch(`${stack.siteUrl}/`), 'nothing listens any more');
	} finally {
		if (!stopped)
			await stack.stop();
	}
}

test('demo.sh starts the stack, and SIGTERM stops everything it started', { timeout: 60000 }, () => startAndStop('SIGTERM'));

test('Ctrl-C (SIGINT) stops everything too', { timeout: 60000 }, () => startAndStop('SIGINT'));
