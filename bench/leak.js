// SPDX-License-Identifier: GPL-2.0
// A Node.js heap leak for the comparative benchmark: a Map that grows by RATE MiB/s of small
// arrays (JS heap, not Buffers) until the end of --duration, SIGTERM or SIGINT. It reports
// like build/owload (one line per event, "EVENT pid=N role=leaker t=S ...", appended to
// --report), so the harness judges both alike: "sigterm" then "done reason=sigterm" is a
// graceful stop, exit 0.
//
// usage: node bench/leak.js --rate MIB_PER_S [--duration S] [--report FILE]
'use strict';
const fs = require('fs');

const ENTRY_SLOTS = 126; // 126 Smis + header: ~1 KiB of heap per entry
const ENTRY_BYTES = 1024;
const TICK_MS = 10;

function parse(argv) {
	const o = { rate: 0, duration: 0, report: null };
	for (let i = 0; i < argv.length; i += 2) {
		const v = argv[i + 1];
		if (argv[i] === '--rate') o.rate = Number(v);
		else if (argv[i] === '--duration') o.duration = Number(v);
		else if (argv[i] === '--report') o.report = v;
		else {
			process.stderr.write(`leak.js: unknown option '${argv[i]}'\n`);
			process.exit(2);
		}
	}
	if (!(o.rate >= 0) || !(o.duration >= 0)) {
		process.stderr.write('leak.js: bad --rate or --duration\n');
		process.exit(2);
	}
	return o;
}

const opts = parse(process.argv.slice(2));
const t0 = process.hrtime.bigint();
const elapsed = () => Number(process.hrtime.bigint() - t0) / 1e9;
const rssMib = () => process.memoryUsage().rss / 1048576;
const leak = new Map();
let added = 0;

// The process name the benchmark's watchers are told to prefer (earlyoom, nohang).
process.title = 'owh-nodeleak';

function report(event, extra) {
	const line = `${event} pid=${process.pid} role=leaker t=${elapsed().toFixed(3)}` +
		(extra ? ` ${extra}` : '') + '\n';
	if (opts.report) fs.appendFileSync(opts.report, line);
	else process.stdout.write(line);
}

function finish(reason) {
	report('done', `reason=${reason} rss_mib=${rssMib().toFixed(1)} ` +
		`held_mib=${(leak.size * ENTRY_BYTES / 1048576).toFixed(1)}`);
	process.exit(0);
}

function stop(signal) {
	report('sigterm', `signal=${signal} rss_mib=${rssMib().toFixed(1)}`);
	finish('sigterm');
}

function tick() {
	if (opts.duration > 0 && elapsed() >= opts.duration) finish('duration');
	const want = Math.floor(opts.rate * 1048576 * elapsed() / ENTRY_BYTES);
	for (; added < want; added++) leak.set(added, new Array(ENTRY_SLOTS).fill(added & 0xffff));
}

process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
report('start', `mode=node-map rate=${opts.rate.toFixed(1)}`);
setInterval(tick, TICK_MS);
