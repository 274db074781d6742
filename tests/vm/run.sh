#!/bin/bash
# End-to-end scenarios on Debian's own kernels, in qemu guests with cgroup v2.
#
# The development machines run kernel 6.18 with the memory controller on cgroup v1; users run
# cgroup v2 on older kernels. For each kernel series this boots Debian's newest package of it
# under qemu-system-x86_64 -accel tcg (no KVM here), with an initramfs built now from busybox,
# bash, build/oomwarden, build/owload, tests/e2e/ and tests/vm/, and reads the results back from
# the serial console (see tests/vm/init). Each kernel boots one guest per suite:
#   e2e       tests/e2e/run.sh, the host's matrix in 256 MiB cgroups (OW_VM_MEM, 1 GiB guest)
#   machine   tests/vm/machine.sh, what a host cannot risk: leaks with no cgroup limit that
#             would exhaust the guest's RAM, page cache larger than RAM, a leak throttled by
#             memory.high (OW_VM_SMALL_MEM, 512 MiB guest, no swap)
#   brake     tests/vm/machine.sh's brake
#             scenarios (memory.high set and restored around a fast leak's drain; BRAKE_SCENARIOS)
#             in a 512 MiB cgroup, so in a guest of OW_VM_MEM (1 GiB): in the machine guest's
#             512 MiB the machine itself would be the tighter limit
#   detach    tests/e2e/detach.sh, the page-fault program detached under the default watch of
#             the whole machine on cgroup v2 (OW_VM_DETACH_MEM, 5 GiB: reads prove a machine of
#             4 GiB or more only; the guest touches little of it), then tests/vm/sight.sh,
#             v2's step-to-read time (a measurement in its PASS line; on OW_VM_SIGHT_KERNELS),
#             then tests/e2e/hostile/delegated-flood.sh, a user's flood of its delegated v2
#             subtree (its subtree_control written in a loop too; on OW_VM_HOSTILE_KERNELS)
#   lockdown  booted with lockdown=confidentiality, which makes the kernel refuse every program
#             the daemon loads (bpf_probe_read_kernel is withheld): the slow leaks of both scripts
#             must be stopped by the daemon's own degraded mode (LOCKDOWN_SCENARIOS)
#   compare   only when named (bench/compare/vm.sh, `make bench`), on OW_VM_COMPARE_KERNELS:
#             tests/vm/compare.sh, the comparative benchmark's host-wide rows (no cgroup limit)
#             with the kernel OOM killer alone, earlyoom, nohang and oomwarden (OW_VM_SMALL_MEM);
#             earlyoom and nohang are Debian's packages and nohang runs on the host's python3,
#             both on the guest's data disk. Its rows are results, not verdicts: a row fails
#             only when it could not be run. Its cg- rows (compare:cg-NAME, tests/vm/compare.sh
#             --list-cg) run in a 512 MiB cgroup and need a guest of OW_VM_COMPARE_MEM=1024.
#
# usage: tests/vm/run.sh [SUITE | SCENARIO | SUITE:SCENARIO]...
#        (default: e2e machine lockdown brake detach)
#   a bare scenario name runs in the suite whose script has it (brake, machine, else e2e);
#   compare scenarios are named compare:NAME
# environment:
#   OW_VM_KERNELS   kernel series or linux-image package names (default "6.1 6.12")
#   OW_VM_SUITES    suites booted when no argument names one (default "e2e machine lockdown brake
#                   detach")
#   OW_VM_LOCKDOWN_KERNELS  kernels that also boot the lockdown suite (default 6.1, Debian 12's
#                   own: the daemon's degraded mode is the same on both, and make test's budget
#                   is 45 minutes; "6.1 6.12" boots it on both)
#   OW_VM_COMPARE_KERNELS   kernels that boot the compare suite when it is named (default 6.12)
#   OW_VM_COMPARE_WATCHERS  the compare suite's watchers (default: tests/vm/compare.sh's all)
#   OW_VM_COMPARE_TIMEOUT   seconds before the compare guest is killed (default 1800)
#   OW_VM_COMPARE_MEM       the compare guest's RAM in MiB (default OW_VM_SMALL_MEM)
#   OW_VM_CACHE     where kernel packages are downloaded and unpacked, outside the clone so
#                   one machine fetches them once (default /var/cache/oomwarden-vm)
#   OW_VM_MEM       e2e and brake guest RAM in MiB (default 1024)
#   OW_VM_SMALL_MEM machine and lockdown guest RAM in MiB (default 512)
#   OW_VM_DETACH_MEM  detach guest RAM in MiB (default 5120)
#   OW_VM_SIGHT_KERNELS  kernels whose detach guest also runs tests/vm/sight.sh, a measurement
#                   of ~60 s (default 6.12)
#   OW_VM_HOSTILE_KERNELS  kernels whose detach guest also runs the delegated flood (default
#                   "6.1 6.12": ~70 s a guest; it found a crash on v2 only, a cgroup let go
#                   beside a braked one, in session 21)
#   OW_VM_SMP       guest CPUs (default: the host's, at most 2)
#   OW_VM_JOBS      guests booted at once (default 2: a guest keeps ~half a host core busy,
#                   the scenarios mostly wait, so two fit the 15-minute budget side by side)
#   OW_VM_TIMEOUT   seconds before a guest is killed (default 840)
#   OW_VM_KEEP=1    keep build/vm (initramfs, disks, serial logs) even when everything passed
# Prints `vm <kernel>: N passed, N failed` per kernel and a line per suite, then each failure
# with its scenario, kernel and the daemon's last log lines; exits 1 on any failure, 2 when it
# cannot run.
set -u

cd "$(dirname "$0")/../.." || exit 2

KERNELS=${OW_VM_KERNELS:-6.1 6.12}
CACHE=${OW_VM_CACHE:-/var/cache/oomwarden-vm}
MEM=${OW_VM_MEM:-1024}
SMALL_MEM=${OW_VM_SMALL_MEM:-512}
SUITES=${OW_VM_SUITES:-e2e machine lockdown brake detach}
DETACH_MEM=${OW_VM_DETACH_MEM:-5120}
SIGHT_KERNELS=${OW_VM_SIGHT_KERNELS:-6.12}
HOSTILE_KERNELS=${OW_VM_HOSTILE_KERNELS-6.1 6.12}
LOCKDOWN_KERNELS=${OW_VM_LOCKDOWN_KERNELS:-6.1}
COMPARE_KERNELS=${OW_VM_COMPARE_KERNELS:-6.12}
COMPARE_WATCHERS=${OW_VM_COMPARE_WATCHERS:-}
COMPARE_TIMEOUT=${OW_VM_COMPARE_TIMEOUT:-1800}
COMPARE_MEM=${OW_VM_COMPARE_MEM:-$SMALL_MEM}
# The compare suite's machine-wide watchers besides oomwarden, as Debian ships them.
COMPARE_DEBS=(earlyoom nohang)
# The slow leaks (a 256 MiB cgroup at 2 and 32 MiB/s, the machine at 16 MiB/s) where the
# kernel refuses BPF: each is stopped from cgroup files, /proc/meminfo and PSI alone.
LOCKDOWN_SCENARIOS=(linear-2 linear-32 root-leak-16)
SMP=${OW_VM_SMP:-$(($(nproc) < 2 ? $(nproc) : 2))}
JOBS=${OW_VM_JOBS:-2}
TIMEOUT=${OW_VM_TIMEOUT:-840}
OUT=build/vm
# virtio-blk for the data disk, ext4 to mount it; crc32c is ext4's soft dependency, which
# module "depends=" does not list. Built-in ones are skipped, dependencies added.
GUEST_MODULES=(crc32c_generic virtio_pci virtio_blk ext4)

die()
{
	echo "vm: $*" >&2
	exit 2
}

for tool in qemu-system-x86_64 cpio gzip mkfs.ext4 objcopy setpriv; do
	command -v "$tool" >/dev/null || die "$tool is missing (scripts/deps.sh installs it)"
done
BUSYBOX=$(command -v busybox) || die "busybox is missing (install busybox-static)"
# A dynamic busybox would need its libraries in the guest before anything else runs.
ldd "$BUSYBOX" >/dev/null 2>&1 && die "$BUSYBOX is dynamically linked: install busybox-static"
for bin in build/oomwarden build/owload; do
	[[ -x $bin ]] || die "$bin is missing: build it first (make)"
done

# Arguments -> the suites to boot (SUITE_LIST) and their scenarios (SUITE_NAMES[suite], empty:
# the suite's whole list).
MACHINE_NAMES=" $(tests/vm/machine.sh --list) "
BRAKE_NAMES=" $(tests/vm/machine.sh --list-brake) "
declare -A SUITE_NAMES=()
SUITE_LIST=()
add_suite()
{
	local s
	for s in "${SUITE_LIST[@]}"; do
		[[ $s == "$1" ]] && return 0
	done
	SUITE_LIST+=("$1")
	SUITE_NAMES[$1]=''
}
for arg in "$@"; do
	[[ $arg =~ ^[A-Za-z0-9_.:-]+$ ]] || die "bad scenario name '$arg'"
	case $arg in
	e2e | machine | lockdown | brake | compare | detach) add_suite "$arg" ;;
	e2e:* | machine:* | lockdown:* | brake:* | compare:*)
		add_suite "${arg%%:*}"
		SUITE_NAMES[${arg%%:*}]+=" ${arg#*:}"
		;;
	*:*) die "unknown suite in '$arg' (suites: e2e machine lockdown brake compare detach)" ;;
	*)
		if [[ $BRAKE_NAMES == *" $arg "* ]]; then
			add_suite brake
			SUITE_NAMES[brake]+=" $arg"
		elif [[ $MACHINE_NAMES == *" $arg "* ]]; then
			add_suite machine
			SUITE_NAMES[machine]+=" $arg"
		else
			add_suite e2e
			SUITE_NAMES[e2e]+=" $arg"
		fi
		;;
	esac
done
if ((${#SUITE_LIST[@]} == 0)); then
	for s in $SUITES; do
		add_suite "$s"
	done
fi
[[ -n ${SUITE_NAMES[lockdown]+set} && -z ${SUITE_NAMES[lockdown]} ]] &&
	SUITE_NAMES[lockdown]=" ${LOCKDOWN_SCENARIOS[*]}"
[[ -n ${SUITE_NAMES[brake]+set} && -z ${SUITE_NAMES[brake]} ]] && SUITE_NAMES[brake]=$BRAKE_NAMES

rm -rf "$OUT"
mkdir -p "$OUT" "$CACHE" || die "cannot create $OUT or $CACHE"

# newest_package SERIES: the newest linux-image package of a series that apt knows, e.g.
# 6.1 -> linux-image-6.1.0-56-amd64, 6.12 -> linux-image-6.12.117+deb12-amd64 (not the cloud,
# rt or unsigned flavours, which differ only in config or signature).
newest_package()
{
	local re

	re="^linux-image-${1//./\\.}\\.[0-9]+(-[0-9]+)?(\\+deb[0-9]+)?-amd64\$"
	apt-cache search --names-only "$re" 2>/dev/null | awk '{ print $1 }' | sort -V | tail -n1
}

# cached_package SERIES: the newest package of the series already unpacked in the cache, for
# when apt cannot answer (no network, no lists).
cached_package()
{
	local re d

	re="^linux-image-${1//./\\.}\\.[0-9]+(-[0-9]+)?(\\+deb[0-9]+)?-amd64\$"
	for d in "$CACHE"/linux-image-*/.complete; do
		[[ -e $d ]] || continue
		d=${d%/.complete}
		d=${d##*/}
		[[ $d =~ $re ]] && echo "$d"
	done | sort -V | tail -n1
}

# fetch_deb PKG: sets PDIR, the package unpacked in the cache, downloading and unpacking it
# first when it is not there yet (kernels, and the compare suite's earlyoom and nohang).
fetch_deb()
{
	local pkg=$1 deb tmp

	PDIR=$CACHE/$pkg
	[[ -e $PDIR/.complete ]] && return 0

	echo "vm: downloading $pkg into $CACHE"
	tmp=$(mktemp -d "$CACHE/.dl.XXXXXX") || return 1
	# apt downloads as its sandbox user _apt, which must be able to write there.
	id _apt >/dev/null 2>&1 && chown _apt "$tmp"
	(cd "$tmp" && apt-get download -qq "$pkg")
	deb=$(find "$tmp" -maxdepth 1 -name "${pkg}_*.deb" | head -n1)
	if [[ -z $deb ]]; then
		rm -rf "$tmp"
		echo "vm: apt-get download $pkg failed" >&2
		return 1
	fi
	rm -rf "$PDIR"
	mkdir -p "$PDIR"
	# The .complete stamp makes a half-unpacked tree (interrupted run) be unpacked again; the
	# version is what the compare suite reports.
	if ! dpkg -x "$deb" "$PDIR"; then
		rm -rf "$tmp" "$PDIR"
		return 1
	fi
	dpkg-deb -f "$deb" Version >"$PDIR/.version"
	rm -rf "$tmp"
	touch "$PDIR/.complete"
}

# fetch_kernel SPEC: sets KPKG and KDIR (the unpacked package in the cache). Only the kernel
# and its modules are used.
fetch_kernel()
{
	local spec=$1

	if [[ $spec == linux-image-* ]]; then
		KPKG=$spec
	else
		KPKG=$(newest_package "$spec")
		[[ -n $KPKG ]] || KPKG=$(cached_package "$spec")
		[[ -n $KPKG ]] || { echo "vm: no linux-image package for $spec in apt or $CACHE" >&2; return 1; }
	fi
	fetch_deb "$KPKG" || return 1
	KDIR=$PDIR
}

# copy_libs ROOT FILE...: copies the shared libraries and the loader that ldd names for each
# file to the same paths under ROOT.
copy_libs()
{
	local root=$1 f lib
	shift

	for f in "$@"; do
		while read -r lib; do
			[[ -e $root$lib ]] && continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib" || return 1
		done < <(ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
	done
}

# build_base ROOT: the part of the initramfs every kernel shares.
build_base()
{
	local root=$1 applet

	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,tmp,run,mnt,etc,ow/build,ow/tests}
	# bash first: tests/e2e/run.sh needs the real one, and busybox must not shadow it.
	cp /bin/bash "$root/bin/bash" && copy_libs "$root" /bin/bash || return 1
	cp "$BUSYBOX" "$root/bin/busybox" || return 1
	# Every applet (awk, grep, sed, stat, df, mktemp, sort, timeout...) so that whatever
	# coreutils tests/e2e/ calls now or later is there.
	while read -r applet; do
		[[ -e $root/$applet || -L $root/$applet ]] && continue
		mkdir -p "$root/$(dirname "$applet")"
		ln -s /bin/busybox "$root/$applet"
	done < <("$BUSYBOX" --list-full)
	# The binaries go where tests/e2e/run.sh looks: build/ under the clone's root, here /ow.
	cp build/oomwarden build/owload "$root/ow/build/" || return 1
	copy_libs "$root" build/oomwarden build/owload || return 1
	# setpriv (util-linux) starts a daemon without CAP_BPF (tests/vm/machine.sh).
	cp "$(command -v setpriv)" "$root/usr/bin/setpriv" && copy_libs "$root" "$root/usr/bin/setpriv" ||
		return 1
	cp -r tests/e2e "$root/ow/tests/" || return 1
	mkdir -p "$root/ow/tests/vm" &&
		cp tests/vm/machine.sh tests/vm/compare.sh tests/vm/sight.sh "$root/ow/tests/vm/" ||
		return 1
	# The compare suite runs the host benchmark's scenarios, judge and watcher helpers.
	mkdir -p "$root/ow/bench" && cp -r bench/compare "$root/ow/bench/" || return 1
	cp tests/vm/init "$root/init" || return 1
	chmod 755 "$root/init"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
	echo 'root:x:0:' >"$root/etc/group"
}

# module_file MODDIR NAME: the .ko of a module (file names use - or _ interchangeably).
module_file()
{
	local n=$1/kernel name=$2

	find "$n" \( -name "$name.ko*" -o -name "${name//_/-}.ko*" \) -print -quit
}

# add_modules ROOT MODDIR NAME...: copies the modules and their dependencies (modinfo
# "depends=", read from the .modinfo section: depmod is not needed) and writes their load
# order, dependencies first, to ROOT/lib/modules/load.order.
add_modules()
{
	local root=$1 moddir=$2 name
	local -A seen=()
	shift 2

	mkdir -p "$root/lib/modules"
	: >"$root/lib/modules/load.order"
	for name in "$@"; do
		add_module "$root" "$moddir" "$name" || return 1
	done
}

add_module()
{
	local root=$1 moddir=$2 name=${3//-/_} ko deps dep dst

	[[ -n ${seen[$name]:-} ]] && return 0
	seen[$name]=1
	# Built in (modules.builtin lists kernel/.../name.ko): nothing to load.
	grep -qE "/${name//_/[_-]}\\.ko\$" "$moddir/modules.builtin" 2>/dev/null && return 0
	ko=$(module_file "$moddir" "$name")
	if [[ -z $ko ]]; then
		echo "vm: module $name not found in $moddir" >&2
		return 1
	fi
	dst=$root/lib/modules/$name.ko
	# busybox insmod may not read compressed modules (6.12's are .ko.xz, 6.1's are not), and
	# objcopy cannot read them either: decompress here.
	case $ko in
	*.ko.xz) xz -dc "$ko" >"$dst" ;;
	*.ko.zst) zstd -qdc "$ko" >"$dst" ;;
	*.ko.gz) gzip -dc "$ko" >"$dst" ;;
	*) cp "$ko" "$dst" ;;
	esac || return 1
	# To a file: objcopy replaces its output by rename, which turns a /dev/stdout that leads
	# to a regular file into a regular file.
	objcopy -O binary --only-section=.modinfo "$dst" "$dst.modinfo" || return 1
	deps=$(tr '\0' '\n' <"$dst.modinfo" | sed -n 's/^depends=//p')
	rm -f "$dst.modinfo"
	for dep in ${deps//,/ }; do
		add_module "$root" "$moddir" "$dep" || return 1
	done
	echo "/lib/modules/$name.ko" >>"$root/lib/modules/load.order"
}

# make_disk FILE [TREE]: an ext4 image for the 1 GiB page-cache file (sparse on the host),
# holding a copy of TREE when given.
make_disk()
{
	rm -f "$1"
	truncate -s 2G "$1" &&
		mkfs.ext4 -q -F -O ^has_journal,^metadata_csum -E lazy_itable_init=0 ${2:+-d "$2"} "$1"
}

# build_compare_tree DIR: what the compare guest finds under compare/ on its data disk:
# earlyoom and nohang unpacked from their packages, the host's python3 and its standard library
# for nohang (on the disk, not in the initramfs, which is RAM the rows compete for), coreutils'
# date (bench/compare/ times launches with %N, which busybox's lacks) and VERSIONS.
build_compare_tree()
{
	local dir=$1/compare pkg py ver

	rm -rf "$1"
	mkdir -p "$dir/bin" "$dir/python/usr/bin" "$dir/python/usr/lib" || return 1
	: >"$dir/VERSIONS"
	for pkg in "${COMPARE_DEBS[@]}"; do
		fetch_deb "$pkg" || return 1
		cp -a "$PDIR" "$dir/$pkg" || return 1
		echo "$pkg $(cat "$PDIR/.version")" >>"$dir/VERSIONS"
	done
	# nohang's interpreter (#! /usr/bin/python3), the distribution's, not a user's.
	py=$(readlink -f /usr/bin/python3) || return 1
	[[ -x $py ]] || { echo "vm: /usr/bin/python3 is missing (scripts/deps.sh installs it)" >&2; return 1; }
	ver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])') || return 1
	cp "$py" "$dir/python/usr/bin/python3" || return 1
	# The standard library without what nohang never imports (tests, build files, GUIs).
	tar -C /usr/lib -cf - --exclude="python$ver/test" --exclude="python$ver/config-*" \
		--exclude="python$ver/idlelib" --exclude="python$ver/tkinter" \
		--exclude="python$ver/turtledemo" --exclude="python$ver/lib2to3" \
		--exclude="python$ver/ensurepip" --exclude="python$ver/pydoc_data" \
		--exclude="python$ver/distutils" "python$ver" | tar -C "$dir/python/usr/lib" -xf - ||
		return 1
	copy_libs "$dir/python" "$py" "/usr/lib/python$ver/lib-dynload"/*.so || return 1
	echo "python3 $("$py" -c 'import platform; print(platform.python_version())')" >>"$dir/VERSIONS"
	# The guest mounts the disk somewhere: the wrapper finds the tree from its own path.
	cat >"$dir/bin/python3" <<-'WRAPPER'
		#!/bin/sh
		d=${0%/bin/*}/python
		LD_LIBRARY_PATH=$d/lib/x86_64-linux-gnu:$d/usr/lib/x86_64-linux-gnu PYTHONHOME=$d/usr
		export LD_LIBRARY_PATH PYTHONHOME
		exec "$d/usr/bin/python3" "$@"
	WRAPPER
	chmod 755 "$dir/bin/python3"
	cp "$(command -v date)" "$dir/bin/date" && copy_libs "$dir/python" "$dir/bin/date"
}

# one_of KPKG KERNELS...: true if KPKG is one of KERNELS (a series, 6.12, or a package name).
one_of()
{
	local k

	for k in "${@:2}"; do
		[[ $1 == "linux-image-$k."* || $1 == "$k" ]] && return 0
	done
	return 1
}

# run_guest GUEST: boots guest KPKG/SUITE (the kernel's files in $OUT/KPKG, the guest's in
# $OUT/KPKG/SUITE), serial console to its serial.log.
run_guest()
{
	local dir=$OUT/$1 kdir=$OUT/${1%/*} suite=${1#*/} append mem=$SMALL_MEM timeout=$TIMEOUT
	local -a names

	append="console=ttyS0 panic=-1 quiet loglevel=3 mitigations=off ow.suite=$suite"
	[[ $suite == e2e || $suite == brake ]] && mem=$MEM
	[[ $suite == detach ]] && mem=$DETACH_MEM
	# shellcheck disable=SC2086 # lists of single words
	[[ $suite == detach ]] && ! one_of "${1%/*}" $SIGHT_KERNELS && append+=" ow.sight=0"
	# shellcheck disable=SC2086
	[[ $suite == detach ]] && ! one_of "${1%/*}" $HOSTILE_KERNELS && append+=" ow.hostile=0"
	# confidentiality (not integrity) withholds bpf_probe_read_kernel: the daemon's programs
	# fail to load; modules still load, being signed.
	[[ $suite == lockdown ]] && append+=" lockdown=confidentiality ow.mode=degraded"
	if [[ $suite == compare ]]; then
		timeout=$COMPARE_TIMEOUT mem=$COMPARE_MEM
		[[ -n $COMPARE_WATCHERS ]] && append+=" ow.watchers=$(tr ' ' ',' <<<"$COMPARE_WATCHERS")"
	fi
	read -r -a names <<<"${SUITE_NAMES[$suite]}"
	((${#names[@]})) && append+=" ow.scenarios=$(
		IFS=,
		echo "${names[*]}"
	)"
	date +%s >"$dir/start"
	# -no-reboot with panic=-1: a panic (or init dying) ends qemu instead of looping.
	# thread=single: with one host thread per vCPU (MTTCG), a 6.12 guest oopsed ("int3" in
	# copy_page_range, at a tracepoint's jump-label NOP) as the daemon stopped after linear-2
	# and its tracepoints' static keys were patched (text_poke_bp) while another vCPU forked;
	# round-robin TCG runs one vCPU at a time, so none runs stale code mid-patch.
	timeout -k 10 "$timeout" qemu-system-x86_64 \
		-accel tcg,thread=single -cpu max -smp "$SMP" -m "$mem" \
		-nodefaults -nographic -no-reboot -serial stdio -monitor none \
		-kernel "$kdir/vmlinuz" -initrd "$kdir/initrd.gz" -append "$append" \
		-drive "file=$dir/data.img,if=virtio,format=raw" \
		</dev/null >"$dir/serial.log" 2>"$dir/qemu.err"
	echo $? >"$dir/rc"
	date +%s >"$dir/end"
}

# probe_notes LOG: why the probe daemon (-vv) fell back from a faster attach flavour: each
# refused flavour with its error, and the verifier's verdict (the last line of its log before
# the "processed N insns" statistics). The fallback works, so these are notes, not failures.
probe_notes()
{
	grep '^OWVM-PROBELOG ' "$1" | grep '"attach flavour failed"' |
		sed -n 's/.*"mode":"\([^"]*\)".*"error":"\([^"]*\)".*/\1 refused: \2/p'
	grep '^OWVM-PROBELOG ' "$1" | grep 'BEGIN PROG LOAD LOG' | while IFS= read -r line; do
		printf '%s\n' "${line//\\u000a/$'\n'}" | grep -B1 '^processed [0-9]* insns' |
			head -n1 | sed "s/^/verifier ($(sed -n "s/.*prog '\([^']*\)'.*/\1/p" <<<"$line")): /"
	done
}

# report GUEST: prints the guest's suite line, its notes and measurements; failures go to
# $OUT/failures. Sets G_PASSED and G_FAILED (a guest without a result counts one failure).
report()
{
	local dir=$OUT/$1 suite=${1#*/} log=$OUT/$1/serial.log res krel secs boot mode

	krel=$(cat "$OUT/${1%/*}/krel")
	G_PASSED=0 G_FAILED=1
	# The serial console ends lines with CR LF, and the firmware writes terminal escapes.
	sed -i -e 's/\r$//' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' "$log"
	secs=$(($(cat "$dir/end") - $(cat "$dir/start")))
	boot=$(sed -n 's/^OWVM-BOOT .* uptime=\([0-9.]*\).*/\1/p' "$log" | head -n1)
	mode=$(grep -m1 '^OWVM-PROBE ' "$log" | grep -oE '"mode" *: *"[^"]*"' | grep -oE '"[^"]*"$' | tr -d '"')
	res=$(grep -m1 '^OWVM-RESULT ' "$log")
	if [[ -z $res ]]; then
		echo "    $suite: no result (qemu exit $(cat "$dir/rc"), ${secs}s): the guest died or timed out"
		{
			echo "FAIL guest $suite on $krel: no OWVM-RESULT line (qemu exit $(cat "$dir/rc"); ${secs}s)"
			echo "    --- scenario results before it ended:"
			grep -E '^(PASS|FAIL) ' "$log" | sed 's/^/    /'
			echo "    --- kernel oops/panic lines:"
			grep -E '\] (Oops|BUG|Kernel panic|RIP|CPU: [0-9]+ .*Comm|Call Trace|Out of memory)' "$log" |
				head -n 8 | sed 's/^/    /'
			echo "    --- last serial console lines ($log):"
			grep -v '^OWVM-LOG ' "$log" | tail -n 25 | sed 's/^/    /'
			[[ -s $dir/qemu.err ]] && sed 's/^/    qemu: /' "$dir/qemu.err"
		} >>"$OUT/failures"
		return 1
	fi
	G_PASSED=$(sed -n 's/.* passed=\([0-9]*\).*/\1/p' <<<"$res")
	G_FAILED=$(sed -n 's/.* failed=\([0-9]*\).*/\1/p' <<<"$res")
	echo "    $suite: $G_PASSED passed, $G_FAILED failed (boot ${boot:-?}s, mode ${mode:-?}, ${secs}s in qemu)"
	grep -E '^OWVM-(ERROR|WARN|LOCKDOWN) ' "$log" | sed "s/^OWVM-/        /"
	grep '^OWVM-NOTE ' "$log" | sed 's/^OWVM-NOTE /        /'
	probe_notes "$log" | sed "s/^/        probe: /"
	if grep -q '^OWVM-PROBE .*no ready line' "$log"; then
		{
			echo "FAIL probe ($suite) on $krel: the daemon never logged \"ready\""
			grep '^OWVM-PROBELOG ' "$log" | sed 's/^OWVM-PROBELOG /    /'
		} >>"$OUT/failures"
		G_FAILED=$((G_FAILED + 1))
	fi
	grep '^OWVM-FAIL ' "$log" | while read -r _ name reason; do
		echo "FAIL $name ($suite) on $krel: $reason"
		if grep -q "^OWVM-LOG $name " "$log"; then
			echo "    --- daemon log (last lines):"
			grep "^OWVM-LOG $name " "$log" | sed "s/^OWVM-LOG $name /    /"
		fi
	done >>"$OUT/failures"
	((G_FAILED == 0))
}

# kernel_suites SPEC: the suites the kernel boots.
kernel_suites()
{
	local suite

	for suite in "${SUITE_LIST[@]}"; do
		[[ $suite == lockdown && " $LOCKDOWN_KERNELS " != *" $1 "* ]] && continue
		[[ $suite == compare && " $COMPARE_KERNELS " != *" $1 "* ]] && continue
		echo "$suite"
	done
}

# prepare_kernel SPEC: the kernel and its initramfs in $OUT/KPKG, shared by its guests, and a
# data disk for each of them; appends KPKG to KPKGS and KPKG/SUITE to GUESTS. A kernel with no
# suite to boot is skipped.
prepare_kernel()
{
	local spec=$1 dir moddir suite tree
	local -a suites

	mapfile -t suites < <(kernel_suites "$spec")
	((${#suites[@]})) || return 0
	fetch_kernel "$spec" || return 1
	dir=$OUT/$KPKG
	mkdir -p "$dir"
	vmlinuz=$(find "$KDIR/boot" -name 'vmlinuz-*' -print -quit)
	[[ -n $vmlinuz ]] || { echo "vm: no vmlinuz in $KDIR/boot" >&2; return 1; }
	echo "${vmlinuz##*/vmlinuz-}" >"$dir/krel"
	cp "$vmlinuz" "$dir/vmlinuz"
	moddir=$KDIR/lib/modules/$(cat "$dir/krel")
	rm -rf "$dir/root"
	cp -a "$OUT/base" "$dir/root"
	add_modules "$dir/root" "$moddir" "${GUEST_MODULES[@]}" || return 1
	(cd "$dir/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
		gzip -1 >"$dir/initrd.gz" || return 1
	rm -rf "$dir/root"
	KPKGS+=("$KPKG")
	for suite in "${suites[@]}"; do
		mkdir -p "$dir/$suite"
		tree=''
		[[ $suite == compare ]] && tree=$OUT/compare-disk
		make_disk "$dir/$suite/data.img" "$tree" || return 1
		GUESTS+=("$KPKG/$suite")
	done
}

# The longest guests first (the compare rows, detach with its flood, the e2e matrix), so the
# shorter ones fill in beside them: two lanes end together (session 20's order, detach last,
# made test-vm 970 s for 1,687 s of guests).
by_length()
{
	local suite g

	for suite in compare detach e2e machine lockdown brake; do
		for g in "${GUESTS[@]}"; do
			[[ ${g#*/} == "$suite" ]] && echo "$g"
		done
	done
}

T0=$SECONDS
build_base "$OUT/base" || die "cannot build the initramfs base in $OUT/base"
if [[ " ${SUITE_LIST[*]} " == *" compare "* ]]; then
	build_compare_tree "$OUT/compare-disk" || die "cannot build the compare suite's disk tree"
fi
KPKGS=() GUESTS=()
SETUP_FAILED=0
for spec in $KERNELS; do
	if ! prepare_kernel "$spec"; then
		echo "vm $spec: cannot prepare the kernel, its initramfs or disks"
		SETUP_FAILED=1
	fi
done

# Guests run JOBS at a time; each one's serial log is read when all are done.
running=0
while read -r guest; do
	run_guest "$guest" &
	running=$((running + 1))
	if ((running >= JOBS)); then
		wait -n
		running=$((running - 1))
	fi
done < <(by_length)
wait

rc=$SETUP_FAILED
: >"$OUT/failures"
for kpkg in "${KPKGS[@]}"; do
	passed=0 failed=0
	: >"$OUT/$kpkg/summary"
	for guest in "${GUESTS[@]}"; do
		[[ ${guest%/*} == "$kpkg" ]] || continue
		report "$guest" >>"$OUT/$kpkg/summary" || rc=1
		passed=$((passed + G_PASSED)) failed=$((failed + G_FAILED))
	done
	echo "vm $(cat "$OUT/$kpkg/krel"): $passed passed, $failed failed"
	cat "$OUT/$kpkg/summary"
done
cat "$OUT/failures"
echo "vm: $((SECONDS - T0))s in all"
if ((rc == 0)) && [[ -z ${OW_VM_KEEP:-} ]]; then
	for kpkg in "${KPKGS[@]}"; do
		rm -f "$OUT/$kpkg"/*/data.img "$OUT/$kpkg/initrd.gz" "$OUT/$kpkg/vmlinuz"
	done
	rm -rf "$OUT/base"
else
	rm -f "$OUT"/*/*/data.img
	echo "vm: serial logs in $OUT/*/*/serial.log"
fi
rm -rf "$OUT/compare-disk"
exit "$rc"
