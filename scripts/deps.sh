#!/bin/sh
# Install the Debian/Ubuntu packages oomwarden needs to build and test: only those missing, so
# a machine that has them all changes nothing. `make run` and `make test` call this as root;
# as another user it uses sudo. With the argument `test` (make test) it also installs what only
# the tests use.
set -eu

PKGS="make gcc clang libbpf-dev libelf-dev zlib1g-dev libcmocka-dev pkg-config"
# webhook alerts: HTTP(S) through libcurl, payloads built with cJSON.
PKGS="$PKGS libcurl4-openssl-dev libcjson-dev"
# the config file (/etc/oomwarden.conf): INI, parsed with inih.
PKGS="$PKGS libinih-dev"
# make test-vm (tests/vm/run.sh): qemu boots Debian's kernels with an initramfs of busybox
# (static: nothing to resolve before it runs) packed by cpio, and an ext4 data disk.
PKGS="$PKGS qemu-system-x86 busybox-static cpio e2fsprogs"
# e2e scripts read JSON reports and run loopback receivers with python3; setpriv (util-linux)
# runs diagnose as an unprivileged user, and a VM guest's daemon without CAP_BPF; curl fetches
# GET /metrics.
PKGS="$PKGS python3 util-linux curl"
# tests/alert/run.sh makes a throwaway CA and server certificates for its HTTPS receivers.
PKGS="$PKGS openssl"
# make install-check: the man page rendered (groff, man) and the unit checked by
# systemd-analyze. The systemd package is only the tools and units: it does not make systemd
# PID 1 (systemd-sysv does), so it is safe where another init runs, as on the test VMs.
PKGS="$PKGS groff-base man-db systemd"
# make analyze (cppcheck); make fuzz / fuzz-smoke: clang's libFuzzer runtime (compiler-rt).
# make asan-test uses gcc's libasan/libubsan, which come with gcc.
PKGS="$PKGS cppcheck libclang-rt-dev"
# tests/e2e/grace.sh: a real supervisord (its own config, socket and pidfile under a temp dir)
# whose stopwaitsecs= lengthens the grace. PM2 comes from npm (tests/e2e/manager.sh).
PKGS="$PKGS supervisor"
if [ "${1:-}" = test ]; then
	# make deploy-check: promtool (Debian's prometheus package) checks and unit-tests the
	# alerting rules; make image-check: podman and buildah build and run the OCI image, with
	# runc (crun refuses this machine's hybrid cgroup hierarchy); tests/e2e/container.sh: real
	# Podman and Docker containers (docker.io's dockerd, started by the test).
	PKGS="$PKGS prometheus podman buildah runc docker.io"
fi

installed()
{
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=""
for p in $PKGS; do
	installed "$p" || missing="$missing $p"
done
# bpftool: its own package on Debian 12; on Ubuntu it comes with linux-tools.
need_bpftool=false
command -v bpftool >/dev/null 2>&1 || need_bpftool=true

[ -z "$missing" ] && ! $need_bpftool && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
if $need_bpftool; then
	if apt-cache show bpftool >/dev/null 2>&1; then
		missing="$missing bpftool"
	else
		missing="$missing linux-tools-common linux-tools-generic"
	fi
fi
echo "deps: installing$missing"
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
