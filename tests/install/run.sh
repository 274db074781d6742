#!/bin/bash
# make install / uninstall into temporary DESTDIRs (never the real system), the installed unit
# through `systemd-analyze verify` and its `security` score, and the man page through groff
# and man. Prints PASS/FAIL/SKIP lines and `install: N passed, N failed`; a SKIP (a missing
# tool) does not count as passed. With CI set, a SKIP is a failure. Run from the repo root.
set -u
export LC_ALL=C # file lists sort the same everywhere

cd "$(dirname "$0")/../.." || exit 1
PASSED=0 FAILED=0 SKIPPED=0
TMPD=$(mktemp -d /tmp/oomwarden-install.XXXXXX) || exit 1
trap 'rm -rf "$TMPD"' EXIT
trap 'exit 130' INT TERM
# A score above this fails: the unit's hardening got weaker (3.1 when written, 3.2 since the
# brake needs cgroupfs writable: ProtectControlGroups=no, 0.2).
MAX_EXPOSURE=3.5

# check NAME [REASON...]: PASS without reasons, else FAIL with them.
check()
{
	local name=$1
	shift
	if (($# == 0)); then
		echo "PASS $name"
		PASSED=$((PASSED + 1))
	else
		echo "FAIL $name: $*"
		FAILED=$((FAILED + 1))
	fi
}

skip()
{
	echo "SKIP $1: $2"
	SKIPPED=$((SKIPPED + 1))
}

# mk DESTDIR TARGET [VAR=VALUE]...: make install or uninstall, its output in $TMPD/make.out.
mk()
{
	local dest=$1 target=$2
	shift 2
	make -s --no-print-directory "$target" DESTDIR="$dest" "$@" >"$TMPD/make.out" 2>&1
}

# files DESTDIR: every file and link under it, with its mode, sorted.
files()
{
	(cd "$1" && find . -type f -o -type l | sed 's|^\.||' | sort |
		while read -r f; do echo "$(stat -c %a ".$f") $f"; done)
}

# 1. Default PREFIX: exactly these files, with these modes, and a unit that runs the binary.
D=$TMPD/default
reasons=()
mk "$D" install || reasons+=("make install failed: $(tail -n3 "$TMPD/make.out")")
want=$'600 /etc/oomwarden.conf\n644 /usr/local/lib/systemd/system/oomwarden.service
755 /usr/local/sbin/oomwarden\n644 /usr/local/share/man/man8/oomwarden.8'
got=$(files "$D")
[[ $got == "$want" ]] || reasons+=("installed files:"$'\n'"$got"$'\n'"expected:"$'\n'"$want")
grep -qx 'ExecStart=/usr/local/sbin/oomwarden run' \
	"$D/usr/local/lib/systemd/system/oomwarden.service" 2>/dev/null ||
	reasons+=("the unit does not run /usr/local/sbin/oomwarden")
grep -q '@SBINDIR@' "$D/usr/local/lib/systemd/system/oomwarden.service" &&
	reasons+=("@SBINDIR@ left in the unit")
cmp -s <("$D/usr/local/sbin/oomwarden" --help) <(build/oomwarden --help) ||
	reasons+=("the installed binary's --help differs from build/oomwarden's")
cmp -s etc/oomwarden.conf "$D/etc/oomwarden.conf" || reasons+=("the config is not etc/oomwarden.conf")
check install-default "${reasons[@]}"

# 2. The unit as systemd reads it. verify wants ExecStart's binary and the man page of
#    Documentation= to exist: point them at the DESTDIR copies.
if ! command -v systemd-analyze >/dev/null; then
	skip unit-verify "systemd-analyze is missing (Debian package systemd; scripts/deps.sh)"
else
	reasons=()
	mkdir -p "$TMPD/unit"
	sed "s|^ExecStart=/usr/local/sbin/|ExecStart=$D/usr/local/sbin/|" \
		"$D/usr/local/lib/systemd/system/oomwarden.service" >"$TMPD/unit/oomwarden.service"
	MANPATH=$D/usr/local/share/man systemd-analyze verify "$TMPD/unit/oomwarden.service" \
		>"$TMPD/verify.out" 2>&1 || reasons+=("verify: $(cat "$TMPD/verify.out")")
	[[ -s $TMPD/verify.out ]] && reasons+=("verify printed: $(cat "$TMPD/verify.out")")
	check unit-verify "${reasons[@]}"

	reasons=()
	systemd-analyze security --offline=true "$TMPD/unit/oomwarden.service" \
		>"$TMPD/security.out" 2>&1
	score=$(sed -n 's/.*Overall exposure level for oomwarden.service: \([0-9.]*\).*/\1/p' \
		"$TMPD/security.out")
	echo "    systemd-analyze security --offline=true: exposure ${score:-?} (10 = unprotected)"
	[[ -n $score ]] || reasons+=("no score: $(tail -n3 "$TMPD/security.out")")
	awk -v s="${score:-99}" -v m=$MAX_EXPOSURE 'BEGIN { exit !(s <= m) }' ||
		reasons+=("exposure ${score:-?} above $MAX_EXPOSURE")
	check unit-security "${reasons[@]}"
fi

# 3. The man page renders without a warning, and man finds it where it was installed.
page=$D/usr/local/share/man/man8/oomwarden.8
if ! command -v groff >/dev/null || ! command -v man >/dev/null; then
	skip man-render "groff or man is missing (Debian packages groff-base, man-db; scripts/deps.sh)"
else
	reasons=()
	groff -man -Tutf8 -ww "$page" >"$TMPD/man.txt" 2>"$TMPD/groff.err" ||
		reasons+=("groff failed")
	[[ -s $TMPD/groff.err ]] && reasons+=("groff warned: $(head -n5 "$TMPD/groff.err")")
	MANWIDTH=80 man -l "$page" >"$TMPD/man-l.txt" 2>"$TMPD/man.err" || reasons+=("man -l failed")
	[[ -s $TMPD/man.err ]] && reasons+=("man -l warned: $(head -n5 "$TMPD/man.err")")
	for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS FILES SIGNALS 'EXIT STATUS' EXAMPLES \
		'SEE ALSO'; do
		grep -qx "$s" "$TMPD/man-l.txt" || reasons+=("no $s section in the rendered page")
	done
	grep -q -- '--warn-horizon S' "$TMPD/man-l.txt" || reasons+=("--warn-horizon not rendered")
	MANPATH=$D/usr/local/share/man man -w oomwarden >"$TMPD/man-w.txt" 2>&1
	[[ $(cat "$TMPD/man-w.txt") == "$page" ]] ||
		reasons+=("man -w oomwarden: $(cat "$TMPD/man-w.txt")")
	check man-render "${reasons[@]}"
fi

# 4. An edited config survives a reinstall; the new default lands beside it.
reasons=()
echo "dry_run = yes # mine" >>"$D/etc/oomwarden.conf"
cp "$D/etc/oomwarden.conf" "$TMPD/edited.conf"
mk "$D" install || reasons+=("make install failed")
cmp -s "$D/etc/oomwarden.conf" "$TMPD/edited.conf" || reasons+=("the edited config was replaced")
cmp -s etc/oomwarden.conf "$D/etc/oomwarden.conf.new" || reasons+=("no oomwarden.conf.new")
grep -q "kept your $D/etc/oomwarden.conf" "$TMPD/make.out" || reasons+=("install did not say so")
check reinstall-keeps-config "${reasons[@]}"

# 5. Uninstall removes what install put, and keeps only the edited config, saying so.
reasons=()
mk "$D" uninstall || reasons+=("make uninstall failed")
got=$(files "$D")
[[ $got == "600 /etc/oomwarden.conf" ]] || reasons+=("left after uninstall: $got")
grep -q "kept $D/etc/oomwarden.conf" "$TMPD/make.out" || reasons+=("uninstall did not say so")
check uninstall-keeps-edited-config "${reasons[@]}"

# 6. An untouched install uninstalls to nothing; a second install changes nothing.
D=$TMPD/clean
reasons=()
mk "$D" install && mk "$D" install || reasons+=("make install failed")
[[ -e $D/etc/oomwarden.conf.new ]] && reasons+=("a reinstall over the same config made .new")
mk "$D" uninstall || reasons+=("make uninstall failed")
got=$(files "$D")
[[ -z $got ]] || reasons+=("left after uninstall: $got")
check uninstall-leaves-nothing "${reasons[@]}"

# 7. PREFIX=/usr: the distribution's directories; UNITDIR= overrides the unit's.
D=$TMPD/usr
reasons=()
mk "$D" install PREFIX=/usr || reasons+=("make install PREFIX=/usr failed")
want=$'600 /etc/oomwarden.conf\n644 /usr/lib/systemd/system/oomwarden.service
755 /usr/sbin/oomwarden\n644 /usr/share/man/man8/oomwarden.8'
got=$(files "$D")
[[ $got == "$want" ]] || reasons+=("installed files:"$'\n'"$got")
grep -qx 'ExecStart=/usr/sbin/oomwarden run' "$D/usr/lib/systemd/system/oomwarden.service" \
	2>/dev/null || reasons+=("the unit does not run /usr/sbin/oomwarden")
mk "$D" uninstall PREFIX=/usr || reasons+=("make uninstall PREFIX=/usr failed")
[[ -z $(files "$D") ]] || reasons+=("left after uninstall: $(files "$D")")
D=$TMPD/opt
mk "$D" install PREFIX=/opt/oomwarden UNITDIR=/etc/systemd/system || reasons+=("UNITDIR failed")
[[ -f $D/etc/systemd/system/oomwarden.service && -x $D/opt/oomwarden/sbin/oomwarden ]] ||
	reasons+=("PREFIX=/opt/oomwarden UNITDIR=/etc/systemd/system: $(files "$D")")
mk "$D" uninstall PREFIX=/opt/oomwarden UNITDIR=/etc/systemd/system
[[ -z $(files "$D") ]] || reasons+=("left after uninstall: $(files "$D")")
check prefix-and-unitdir "${reasons[@]}"

echo "install: $PASSED passed, $FAILED failed, $SKIPPED skipped"
((FAILED == 0)) && { [[ -z ${CI:-} ]] || ((SKIPPED == 0)); }
