#!/bin/sh
# Install or uninstall the configuration file without ever losing an admin's edits.
#   install-config.sh install SRC DEST: DEST absent -> SRC installed (mode 0600: it may hold
#     webhook URLs, which are secrets); DEST the same as SRC -> nothing; DEST edited -> kept,
#     and SRC installed beside it as DEST.new to compare with.
#   install-config.sh uninstall SRC DEST: DEST and DEST.new removed only when they are still
#     SRC as shipped; an edited DEST is kept, and said so.
set -eu

[ $# -eq 3 ] || { echo "usage: $0 install|uninstall SRC DEST" >&2; exit 2; }
action=$1 src=$2 dest=$3

case $action in
install)
	if [ ! -e "$dest" ]; then
		install -m 0600 "$src" "$dest"
	elif cmp -s "$src" "$dest"; then
		:
	else
		install -m 0600 "$src" "$dest.new"
		echo "install: kept your $dest; the new default is $dest.new"
	fi
	;;
uninstall)
	if [ -e "$dest.new" ] && cmp -s "$src" "$dest.new"; then
		rm -f "$dest.new"
	fi
	if [ -e "$dest" ] && cmp -s "$src" "$dest"; then
		rm -f "$dest"
	elif [ -e "$dest" ]; then
		echo "uninstall: kept $dest (edited; remove it by hand if unwanted)"
	fi
	;;
*)
	echo "usage: $0 install|uninstall SRC DEST" >&2
	exit 2
	;;
esac
