// SPDX-License-Identifier: GPL-2.0
/*
 * The help text, the man page and the parser must agree: both documents are generated from
 * docs/oomwarden.8.in (scripts/gendoc.awk), and these tests hold them against each other and
 * against getopt's table, so an option added to one place and not the others fails here.
 */
#include <getopt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "options.h"

#define MAX_NAMES 128
#define NAME_LEN  48

struct names {
	char v[MAX_NAMES][NAME_LEN];
	unsigned int n;
};

static void add_name(struct names *s, const char *name, size_t len)
{
	unsigned int i;

	assert_true(len > 0 && len < NAME_LEN);
	for (i = 0; i < s->n; i++)
		if (strlen(s->v[i]) == len && !strncmp(s->v[i], name, len))
			return;
	assert_true(s->n < MAX_NAMES);
	memcpy(s->v[s->n], name, len);
	s->v[s->n++][len] = '\0';
}

static bool has_name(const struct names *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], name))
			return true;
	return false;
}

/* The options of the help's rows: "  -v, --verbose   text" or "  --cgroup PATH   text"; the
 * term ends at three spaces or at the end of the line. */
static void help_options(struct names *s)
{
	const char *line = ow_usage_text, *end, *p;

	memset(s, 0, sizeof(*s));
	for (; *line; line = *end ? end + 1 : end) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		if (strncmp(line, "  -", 3))
			continue;
		for (p = line + 2; p < end && strncmp(p, "   ", 3);) {
			size_t len = strcspn(p, " ,\n");

			if (*p == '-')
				add_name(s, p, len);
			p += len;
			p += strspn(p, " ,");
		}
	}
}

/* The help's command rows: the lines after "Commands:" up to the blank line. */
static void help_commands(struct names *s)
{
	const char *p = strstr(ow_usage_text, "\nCommands:\n");

	memset(s, 0, sizeof(*s));
	assert_non_null(p);
	for (p = strchr(p + 1, '\n') + 1; !strncmp(p, "  ", 2); p = strchr(p, '\n') + 1)
		if (p[2] != ' ')
			add_name(s, p + 2, strcspn(p + 2, " \n"));
}

static char *read_manpage(void)
{
	FILE *f = fopen(OW_MANPAGE, "r");
	char *buf = calloc(1, 1 << 17);
	size_t n;

	assert_non_null(f);
	assert_non_null(buf);
	n = fread(buf, 1, (1 << 17) - 1, f);
	fclose(f);
	assert_true(n > 1000 && n < (1 << 17) - 1);
	return buf;
}

/* "\fB\-\-dry\-run\fR" at p: the option it names, unescaped, into out. */
static void roff_bold_option(const char *p, char *out, size_t outlen)
{
	const char *end = strstr(p, "\\fR");
	size_t n = 0;

	assert_non_null(end);
	for (p += 3; p < end && n + 1 < outlen; p++) {
		if (p[0] == '\\' && p[1] == '-')
			p++;
		out[n++] = *p;
	}
	out[n] = '\0';
}

/* Options the man page names: `tagged` those heading an option's .TP paragraph, `all` every
 * bold option anywhere (synopsis, prose). */
static void man_options(const char *man, struct names *tagged, struct names *all)
{
	const char *p;
	char name[NAME_LEN];

	memset(tagged, 0, sizeof(*tagged));
	memset(all, 0, sizeof(*all));
	for (p = strstr(man, "\\fB\\-"); p; p = strstr(p + 1, "\\fB\\-")) {
		roff_bold_option(p, name, sizeof(name));
		add_name(all, name, strlen(name));
	}
	for (p = strstr(man, "\n.TP\n\\fB\\-"); p; p = strstr(p + 1, "\n.TP\n\\fB\\-")) {
		const char *q = p + 5, *eol = strchr(q, '\n');

		for (; q && q < eol; q = strstr(q + 1, "\\fB\\-")) {
			if (q >= eol)
				break;
			roff_bold_option(q, name, sizeof(name));
			add_name(tagged, name, strlen(name));
		}
	}
}

static void test_help_and_man_list_the_same_options(void **state)
{
	struct names help, tagged, all;
	char *man = read_manpage();
	unsigned int i;

	help_options(&help);
	man_options(man, &tagged, &all);
	assert_true(help.n >= 15);
	assert_true(has_name(&help, "--cgroup") && has_name(&help, "-v"));
	for (i = 0; i < help.n; i++)
		if (!has_name(&tagged, help.v[i]))
			fail_msg("%s is in --help but has no entry in the man page", help.v[i]);
	for (i = 0; i < tagged.n; i++)
		if (!has_name(&help, tagged.v[i]))
			fail_msg("%s has a man page entry but is not in --help", tagged.v[i]);
	assert_int_equal(help.n, tagged.n);
	free(man);
}

static void test_man_names_only_real_options(void **state)
{
	struct names help, tagged, all;
	char *man = read_manpage();
	unsigned int i;

	help_options(&help);
	man_options(man, &tagged, &all);
	assert_true(all.n >= tagged.n);
	for (i = 0; i < all.n; i++)
		if (!has_name(&help, all.v[i]))
			fail_msg("the man page mentions %s, which is not an option", all.v[i]);
	free(man);
}

static void test_parser_and_help_agree(void **state)
{
	const struct option *tables[] = {ow_options_table(), ow_diag_options_table()}, *opt;
	struct names help, table = {0};
	char name[NAME_LEN];
	unsigned int i, t;

	help_options(&help);
	for (t = 0; t < 2; t++)
		for (opt = tables[t]; opt->name; opt++) {
			snprintf(name, sizeof(name), "--%s", opt->name);
			add_name(&table, name, strlen(name));
			if (!has_name(&help, name))
				fail_msg("the parser accepts %s but --help does not show it", name);
			if (opt->val < 256) {
				snprintf(name, sizeof(name), "-%c", opt->val);
				add_name(&table, name, strlen(name));
				if (!has_name(&help, name))
					fail_msg("--%s has the short form %s, not in --help",
						 opt->name, name);
			}
		}
	for (i = 0; i < help.n; i++)
		if (!has_name(&table, help.v[i]))
			fail_msg("--help shows %s, which the parser does not accept", help.v[i]);
}

/* A man page .TP heading of one bold word, its dashes escaped as the generator does. */
static void roff_tag(const char *word, char *out, size_t outlen)
{
	size_t n = (size_t)snprintf(out, outlen, "\n.TP\n\\fB");

	for (; *word && n + 8 < outlen; word++) {
		if (*word == '-')
			out[n++] = '\\';
		out[n++] = *word;
	}
	snprintf(out + n, outlen - n, "\\fR\n");
}

static void test_help_commands_parse_and_are_in_the_man_page(void **state)
{
	struct names cmds;
	struct ow_options o;
	char err[256], tag[64], *man = read_manpage();
	unsigned int i;

	help_commands(&cmds);
	assert_true(cmds.n >= 3);
	assert_true(has_name(&cmds, "run") && has_name(&cmds, "status"));
	for (i = 0; i < cmds.n; i++) {
		char *argv[] = {"oomwarden", cmds.v[i], "--help", NULL};

		if (ow_options_parse(3, argv, &o, err, sizeof(err)))
			fail_msg("--help shows the command %s, which the parser refuses: %s",
				 cmds.v[i], err);
		ow_options_free(&o);
		roff_tag(cmds.v[i], tag, sizeof(tag));
		if (!strstr(man, tag))
			fail_msg("the command %s has no entry in the man page", cmds.v[i]);
	}
	assert_non_null(strstr(man, "\n.TP\n\\fBalert\\-test\\fR\n"));
	free(man);
}

static void test_help_lines_fit_80_columns(void **state)
{
	const char *line = ow_usage_text, *end;

	assert_int_equal(strncmp(ow_usage_text, "Usage: oomwarden ", 17), 0);
	for (; *line; line = end + 1) {
		end = strchr(line, '\n');
		assert_non_null(end);
		if (end - line >= 80)
			fail_msg("help line too long: %.*s", (int)(end - line), line);
	}
}

static void test_man_page_has_every_section(void **state)
{
	static const char *const sections[] = {
		"NAME",	 "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS",
		"FILES", "SIGNALS",  "EXIT STATUS", "EXAMPLES", "SEE ALSO",
	};
	char *man = read_manpage(), want[32];
	unsigned int i;

	assert_int_equal(strncmp(man, ".TH OOMWARDEN 8 ", 16), 0);
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		snprintf(want, sizeof(want), "\n.SH %s\n", sections[i]);
		if (!strstr(man, want))
			fail_msg("the man page lacks the section %s", sections[i]);
	}
	assert_non_null(strstr(man, "\\fBSIGHUP\\fR\nReload"));
	free(man);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_and_man_list_the_same_options),
		cmocka_unit_test(test_man_names_only_real_options),
		cmocka_unit_test(test_parser_and_help_agree),
		cmocka_unit_test(test_help_commands_parse_and_are_in_the_man_page),
		cmocka_unit_test(test_help_lines_fit_80_columns),
		cmocka_unit_test(test_man_page_has_every_section),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
