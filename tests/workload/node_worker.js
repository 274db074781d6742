'use strict';
// A Node.js queue worker that leaks, for the e2e tests: every 1/RATE s it takes a "job" whose
// result it keeps for ever (a 1 MiB Buffer and --objects small objects, so a heap snapshot has
// a heap to walk). On SIGTERM it stops taking jobs, finishes the one in hand (--drain seconds),
// reports "drained" and exits 0, as tests/workload/owload.c --drain does. Run it with
// `node --heapsnapshot-signal=SIGUSR2` to get a heap snapshot (Heap.*.heapsnapshot in its
// working directory) on SIGUSR2.
//
// node node_worker.js [--rate MIB_S] [--objects N] [--drain S] [--duration S] [--report FILE]
//                     [--exit-on-usr2 CODE]
// Report lines (FILE, else stdout): start pid=N, sigterm jobs=N drain_s=S, drained, done.
// --exit-on-usr2: a worker that dies on SIGUSR2 (as one whose snapshot runs it out of memory):
// reports "usr2" and exits CODE.
const fs = require('fs');

const args = process.argv.slice(2);
function opt(name, def) {
	const i = args.indexOf(name);
	return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
}
const rate = Number(opt('--rate', 8));
const objects = Number(opt('--objects', 200));
const drain = Number(opt('--drain', 3));
const duration = Number(opt('--duration', 120));
const report = opt('--report', '');
const exitOnUsr2 = opt('--exit-on-usr2', '');

function say(line) {
	if (report)
		fs.appendFileSync(report, line + '\n');
	else
		console.log(line);
}

const kept = [];
let jobs = 0;
const timer = setInterval(() => {
	const meta = [];
	for (let i = 0; i < objects; i++)
		meta.push({ job: jobs, i, note: 'result ' + i });
	kept.push({ data: Buffer.alloc(1024 * 1024, jobs & 0xff), meta });
	jobs++;
}, 1000 / rate);
const end = setTimeout(() => {
	say(`done jobs=${jobs} reason=duration`);
	process.exit(0);
}, duration * 1000);

process.on('SIGTERM', () => {
	clearInterval(timer);
	clearTimeout(end);
	say(`sigterm jobs=${jobs} drain_s=${drain}`);
	setTimeout(() => {
		say(`drained jobs=${jobs}`);
		process.exit(0);
	}, drain * 1000);
});
if (exitOnUsr2 !== '')
	process.on('SIGUSR2', () => {
		say(`usr2 jobs=${jobs}`);
		process.exit(Number(exitOnUsr2));
	});
say(`start pid=${process.pid} rate_mib_s=${rate}`);
