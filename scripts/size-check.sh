#!/bin/bash
# make size-check: no source file over 700 lines and no function over 60 (issue 15): the
# limits under which a file and a function can be read at once. Kernel style is assumed (a
# function's body opens with "{" in column 0 and closes with "}" in column 0).
# Prints each offender and "size-check: N files, N functions over the limits".
set -u
cd "$(dirname "$0")/.." || exit 1
FILE_MAX=${FILE_MAX:-700} FUNC_MAX=${FUNC_MAX:-60}
files=0 funcs=0
while IFS= read -r f; do
	n=$(wc -l <"$f")
	if ((n > FILE_MAX)); then
		echo "$f: $n lines (at most $FILE_MAX)"
		files=$((files + 1))
	fi
	while IFS= read -r line; do
		echo "$line"
		funcs=$((funcs + 1))
	done < <(awk -v max="$FUNC_MAX" -v file="$f" '
		/^[A-Za-z_].*\(/ { sig = $0; sigline = FNR }
		/^\{/ { start = FNR; name = sig; sub(/\(.*/, "", name); sub(/.*[ *]/, "", name) }
		/^\}/ && start {
			len = FNR - start - 1
			if (len > max)
				printf "%s:%d: %s() is %d lines (at most %d)\n", file, sigline, name, len, max
			start = 0
		}' "$f")
done < <(find userspace -name '*.[ch]' | sort)
echo "size-check: $files files, $funcs functions over the limits"
((files == 0 && funcs == 0))
