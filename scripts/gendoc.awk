# Generate the man page or the --help text from docs/oomwarden.8.in (its markup is described
# at the top of that file). POSIX awk (Debian's mawk):
#   awk -v out=man -v version=0.1.0 -f scripts/gendoc.awk docs/oomwarden.8.in >oomwarden.8
#   awk -v out=usage -f scripts/gendoc.awk docs/oomwarden.8.in >usage.h
# Exits 1 on a markup error, naming the line.

BEGIN {
	if (out != "man" && out != "usage") {
		print "gendoc: -v out=man or -v out=usage" >"/dev/stderr"
		exit 1
	}
	HELP_WIDTH = 80 # --help lines stay shorter than this
	nsyn = 0; nhelp = 0; ngroups = 0; nrows = 0
	kind = ""; npara = 0; plines = 0; ptext = ""; help_next = 0
	if (out == "man")
		printf ".TH OOMWARDEN 8 \"\" \"oomwarden %s\" \"System Administration\"\n", version
}

function fail(msg) {
	printf "gendoc: %s:%d: %s\n", FILENAME, FNR, msg >"/dev/stderr"
	failed = 1
	exit 1
}

function trim(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}

# --help shows the text as written, without the bold and italic marks.
function plain(s) {
	gsub(/`/, "", s)
	while (match(s, /\*[A-Za-z][^*]*\*/))
		s = substr(s, 1, RSTART - 1) substr(s, RSTART + 1, RLENGTH - 2) \
		    substr(s, RSTART + RLENGTH)
	return s
}

function roff_dashes(s) {
	gsub(/-/, "\\-", s)
	return s
}

# One word of running text: an option (a word starting with '-', after an opening bracket)
# is bold with escaped dashes.
function roff_word(w,    pre) {
	if (w == "-")
		return "\\-"
	pre = ""
	while (w ~ /^[[(]/) {
		pre = pre substr(w, 1, 1)
		w = substr(w, 2)
	}
	if (w ~ /^--?[A-Za-z]/) {
		match(w, /^--?[A-Za-z0-9-]*[A-Za-z0-9]/)
		return pre "\\fB" roff_dashes(substr(w, 1, RLENGTH)) "\\fR" substr(w, RLENGTH + 1)
	}
	return pre w
}

# Running text: backslashes escaped, `code` bold, *word* italic, options bold.
function roff_text(s,    out_s, seg) {
	gsub(/\\/, "\\e", s)
	out_s = ""
	while (match(s, /`[^`]*`/)) {
		seg = substr(s, 1, RSTART - 1)
		out_s = out_s roff_words(seg) "\\fB" roff_dashes(substr(s, RSTART + 1, RLENGTH - 2)) \
			"\\fR"
		s = substr(s, RSTART + RLENGTH)
	}
	s = out_s roff_words(s)
	while (match(s, /\*[A-Za-z][^*]*\*/))
		s = substr(s, 1, RSTART - 1) "\\fI" substr(s, RSTART + 1, RLENGTH - 2) "\\fR" \
		    substr(s, RSTART + RLENGTH)
	return s
}

function roff_words(s,    n, i, words, r) {
	n = split(s, words, " ")
	r = (s ~ /^ /) ? " " : ""
	for (i = 1; i <= n; i++)
		r = r (i > 1 ? " " : "") roff_word(words[i])
	if (n && s ~ / $/)
		r = r " "
	return r
}

# A synopsis line or an option's SPEC: options and command words bold, METAVARS italic,
# brackets and bars as they are.
function roff_spec(s,    n, i, words, w, pre, post, r) {
	n = split(s, words, " ")
	r = ""
	for (i = 1; i <= n; i++) {
		w = words[i]
		pre = ""; post = ""
		while (w ~ /^[[(]/) { pre = pre substr(w, 1, 1); w = substr(w, 2) }
		while (w ~ /[]),.|]$/) { post = substr(w, length(w)) post; w = substr(w, 1, length(w) - 1) }
		if (w == "" || w == "|")
			r = r (i > 1 ? " " : "") pre w post
		else if (w ~ /^[A-Z][A-Z0-9_]*$/)
			r = r (i > 1 ? " " : "") pre "\\fI" w "\\fR" post
		else
			r = r (i > 1 ? " " : "") pre "\\fB" roff_dashes(w) "\\fR" post
	}
	return r
}

# A line of roff text must not start with a control character.
function roff_line(s) {
	if (s ~ /^[.']/)
		s = "\\&" s
	print s
}

# Fill: print text as lines of at most 78 columns.
function roff_fill(s,    n, i, words, line) {
	n = split(s, words, " ")
	line = ""
	for (i = 1; i <= n; i++) {
		if (line != "" && length(line) + 1 + length(words[i]) > 78) {
			roff_line(line)
			line = ""
		}
		line = line (line == "" ? "" : " ") words[i]
	}
	if (line != "")
		roff_line(line)
}

# ---- paragraphs ----

function para_add(line) {
	ptext = plines ? ptext "\n" line : line
	plines++
}

function flush(    lines, n) {
	if (!plines)
		return
	n = split(ptext, lines, "\n")
	if (lines[1] ~ /^    /)
		flush_literal(lines, n)
	else
		flush_text(lines, n)
	plines = 0; ptext = ""
	npara++
}

function flush_literal(lines, n,    i, s) {
	if (out != "man")
		return
	print (kind == "" ? ".PP" : ".IP")
	print ".RS 4"
	print ".nf"
	for (i = 1; i <= n; i++) {
		s = lines[i]
		sub(/^    /, "", s)
		gsub(/\\/, "\\e", s)
		roff_line(roff_dashes(s)) # minus signs: commands copied from here must work
	}
	print ".fi"
	print ".RE"
}

function flush_text(lines, n,    i, text) {
	text = ""
	for (i = 1; i <= n; i++)
		text = text (text == "" ? "" : " ") trim(lines[i])
	emit_text(text, npara == 0)
}

function emit_text(text, first) {
	if (text == "")
		return
	if (help_next) {
		help_text[++nhelp] = plain(text)
		help_next = 0
	}
	if ((kind == "command" || kind == "option") && first)
		row_desc[nrows] = plain(text)
	if (out != "man")
		return
	if (kind == "")
		print ".PP"
	else if (!first)
		print ".IP"
	roff_fill(roff_text(text))
}

function close_synopsis() {
	if (syn_open && out == "man")
		print ".fi"
	syn_open = 0
}

function start_entry(k) {
	flush()
	close_synopsis()
	kind = k
	npara = 0
}

# ---- directives ----

/^#/ { next }

/^@section / {
	start_entry("")
	if (help_next)
		fail("@help must be followed by a paragraph")
	section = trim(substr($0, 10))
	if (out == "man")
		print ".SH " section
	next
}

/^@synopsis / {
	flush()
	syn[++nsyn] = trim(substr($0, 11))
	if (out == "man") {
		if (!syn_open)
			print ".nf"
		syn_open = 1
		print roff_spec(syn[nsyn])
	}
	next
}

/^@help$/ {
	flush()
	help_next = 1
	next
}

/^@command / {
	start_entry("command")
	if (!cmd_group) {
		group_title[++ngroups] = "Commands"
		cmd_group = ngroups
	}
	entry_row(cmd_group, trim(substr($0, 10)))
	next
}

/^@options / {
	start_entry("")
	group_title[++ngroups] = trim(substr($0, 10))
	if (out == "man")
		print ".SS " group_title[ngroups]
	next
}

/^@option / {
	start_entry("option")
	if (!ngroups || ngroups == cmd_group)
		fail("@option before any @options heading")
	entry_row(ngroups, trim(substr($0, 9)))
	next
}

/^@item / {
	start_entry("item")
	if (out == "man") {
		print ".TP"
		roff_line("\\fB" roff_text(trim(substr($0, 7))) "\\fR")
	}
	next
}

/^@/ { fail("unknown directive: " $0) }

/^[ \t]*$/ {
	flush()
	next
}

{
	close_synopsis()
	para_add($0)
}

function entry_row(group, term) {
	row_group[++nrows] = group
	row_term[nrows] = term
	row_desc[nrows] = ""
	if (out == "man") {
		print ".TP"
		print roff_spec(term)
	}
}

# ---- the help text ----

# Append text to the help, wrapped at HELP_WIDTH, the first line after `lead` (already
# `col` wide), the others indented to `col`.
function help_wrap(lead, col, text,    n, i, words, line, r, pad) {
	pad = sprintf("%" col "s", "")
	n = split(text, words, " ")
	line = lead
	r = ""
	# A term too long for its column sits on a line of its own: wrap only what follows it.
	if (index(line, "\n")) {
		r = substr(line, 1, index(line, "\n"))
		line = substr(line, index(line, "\n") + 1)
	}
	for (i = 1; i <= n; i++) {
		if (length(line) > col && length(line) + 1 + length(words[i]) >= HELP_WIDTH) {
			r = r line "\n"
			line = pad
		}
		line = line (length(line) > col ? " " : "") words[i]
	}
	return r line "\n"
}

function c_string(s) {
	gsub(/\\/, "\\\\", s)
	gsub(/"/, "\\\"", s)
	return s
}

function help_rows(g,    i, w, col, lead, r) {
	w = 0
	for (i = 1; i <= nrows; i++)
		if (row_group[i] == g && length(row_term[i]) > w)
			w = length(row_term[i])
	col = 2 + (w > 18 ? 18 : w) + 3
	r = ""
	for (i = 1; i <= nrows; i++) {
		if (row_group[i] != g)
			continue
		if (row_desc[i] == "")
			fail("no --help line for " row_term[i])
		lead = "  " row_term[i]
		if (length(lead) > col - 2)
			lead = lead "\n" sprintf("%" col "s", "")
		else
			lead = lead sprintf("%" (col - length(lead)) "s", "")
		r = r help_wrap(lead, col, row_desc[i])
	}
	return r
}

function print_usage(    i, g, text, n, lines) {
	text = ""
	for (i = 1; i <= nsyn; i++)
		text = text (i == 1 ? "Usage: " : "       ") syn[i] "\n"
	for (i = 1; i <= nhelp; i++)
		text = text "\n" help_wrap("", 0, help_text[i])
	for (g = 1; g <= ngroups; g++)
		text = text "\n" group_title[g] ":\n" help_rows(g)
	print "/* Generated by scripts/gendoc.awk from docs/oomwarden.8.in: edit that file. */"
	print "#define OW_USAGE_TEXT \\"
	n = split(text, lines, "\n")
	for (i = 1; i < n; i++)
		printf "\t\"%s\\n\"%s\n", c_string(lines[i]), i + 1 < n ? " \\" : ""
}

END {
	if (failed)
		exit 1
	flush()
	close_synopsis()
	if (!nsyn || !nhelp || !nrows) {
		print "gendoc: needs @synopsis, @help and @command/@option entries" >"/dev/stderr"
		exit 1
	}
	if (out == "usage")
		print_usage()
}
