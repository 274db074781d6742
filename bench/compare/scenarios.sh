# shellcheck shell=bash
# The scenario matrix of the comparative benchmark. Sourced by bench/compare.sh, which
# sets LIMIT_MIB (the memcg limit of the rows), DATA_DIR, OWLOAD and QUICK.

SCENARIOS_ALL=(linear-1 linear-16 linear-256 linear-1024 drain-1 drain-16 drain-256 drain-1024
	node-leak sawtooth-rising sawtooth-flat plateau pagecache burst burst-88)
SCENARIOS_QUICK=(linear-256 burst)
# COMPARE_PARTS=drain: the real grace's rows (issue 16) and the burst the brake must let go.
DRAIN_SCENARIOS=(drain-1 drain-16 drain-256 drain-1024 burst-88)
# The drain rows' worker: on SIGTERM it stops growing and works this long before it exits 0.
DRAIN_S=5

# linear-1's and drain-1's memcg: at 1 MiB/s a LIMIT_MIB memcg takes LIMIT_MIB seconds a row to
# fill (over an hour for the matrix at 512 MiB), so they run in a smaller one (same for every
# watcher).
SLOW_LIMIT_MIB=${SLOW_LIMIT_MIB:-128}

# scenario NAME: sets S_KIND (leak|benign), S_LIMIT_MIB (its memcg limit), S_DUR (the
# workload's own --duration, s), S_DRAIN (the worker's --drain, s, or empty) and S_CMD (the
# workload's command line, without --report), or returns 1 for an unknown name. Leaks run long
# enough to reach the limit with no watcher; benign rows long enough to be judged.
scenario()
{
	local lim=$LIMIT_MIB q=${QUICK:-0}

	[[ ($1 == linear-1 || $1 == drain-1) && $SLOW_LIMIT_MIB -lt $lim ]] && lim=$SLOW_LIMIT_MIB
	S_KIND=leak S_LIMIT_MIB=$lim S_DRAIN=''
	case $1 in
	linear-1 | linear-16 | linear-256 | linear-1024)
		local rate=${1#linear-}
		S_DUR=$((lim / rate + 30))
		S_CMD=("$OWLOAD" linear --rate "$rate")
		;;
	drain-1 | drain-16 | drain-256 | drain-1024)
		# A queue worker leaking at the rate: on SIGTERM it stops taking work, keeps its
		# memory and finishes the job in hand for DRAIN_S s, then exits 0 ("drained").
		local rate=${1#drain-}
		S_DUR=$((lim / rate + 30)) S_DRAIN=$DRAIN_S
		S_CMD=("$OWLOAD" linear --rate "$rate" --drain "$DRAIN_S")
		;;
	node-leak)
		# A Map growing 32 MiB/s of JS heap (RSS grows faster: V8's own overhead). V8 sizes
		# its heap limit from the memcg's and aborts at it before the memcg fills; a service
		# whose --max-old-space-size is above its memcg limit (the story of the README) is
		# OOM-killed by the kernel instead, so the heap limit is set to twice the memcg's.
		S_DUR=$((lim / 32 + 30))
		S_CMD=(node --max-old-space-size=$((lim * 2)) "$PWD/bench/leak.js" --rate 32)
		;;
	sawtooth-rising)
		# GC-like: 15 % -> 45 % of the limit, the floor rising 6 % a cycle.
		S_DUR=60
		S_CMD=("$OWLOAD" sawtooth --low $((lim * 15 / 100)) --high $((lim * 45 / 100))
			--rate 64 --floor-rise $((lim * 6 / 100)))
		;;
	sawtooth-flat)
		S_KIND=benign S_DUR=$((q ? 20 : 60))
		S_CMD=("$OWLOAD" sawtooth --low $((lim * 30 / 100)) --high $((lim * 80 / 100))
			--rate 64)
		;;
	plateau)
		# Up to 75 % of the limit at 8 MiB/s, then flat.
		S_KIND=benign S_DUR=$((lim * 75 / 100 / 8 + (q ? 10 : 30)))
		S_CMD=("$OWLOAD" linear --rate 8 --stop-at $((lim * 75 / 100)))
		;;
	pagecache)
		# Twice the limit through the page cache, over and over.
		S_KIND=benign S_DUR=$((q ? 20 : 45))
		S_CMD=("$OWLOAD" pagecache --file "$DATA_DIR/owh-compare-cache.dat"
			--size $((lim * 2)))
		;;
	burst)
		# Start-up: 25 % of the limit at once, then held.
		S_KIND=benign S_DUR=$((q ? 10 : 30))
		S_CMD=("$OWLOAD" burst --size $((lim / 4)))
		;;
	burst-88)
		# A burst to 88 % of the limit at once (a cache warmed at start-up; 450 MiB of 512, as
		# tests/vm's brake-burst), then held flat: fast growth that stops short of the limit,
		# and of the 90 % high-water mark past which oomwarden acts on memory still climbing.
		S_KIND=benign S_DUR=$((q ? 10 : 30))
		S_CMD=("$OWLOAD" burst --size $((lim * 88 / 100)))
		;;
	*)
		return 1
		;;
	esac
	S_CMD+=(--duration "$S_DUR")
}
