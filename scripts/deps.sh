#!/bin/sh
# Install the Debian/Ubuntu packages oomwarden needs to build and test, only those missing.
# Runs as root (make run / make test are run as root); uses sudo if not.
set -eu
PKGS="make gcc clang llvm libbpf-dev libelf-dev zlib1g-dev libcmocka-dev pkg-config"
# bpftool is its own package on Debian 12; Ubuntu ships it in linux-tools.
if apt-cache show bpftool >/dev/null 2>&1 || ! command -v apt-get >/dev/null; then
	PKGS="$PKGS bpftool"
fi
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
command -v bpftool >/dev/null 2>&1 || case "$missing" in *bpftool*) ;; *) missing="$missing bpftool" ;; esac
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
