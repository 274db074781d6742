// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for supervisord's stop timeout (userspace/sys/svconf.c, svconf_read.c): the
 * configuration parser over buffers, supervisord's command line, the reader over the fake
 * procfs and root of tests/fixtures/manager (Debian's layout with the globs of conf.d, a user's
 * supervisord with a relative -c, supervisor's default search), and over a tree made at test
 * time with what git cannot hold: FIFOs, a sparse file over the cap, files and directories
 * only root may read (those need root). alarm() turns a blocking open into a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "svconf.h"

#ifndef OW_FIXTURES
#error "build with -DOW_FIXTURES='\"/abs/path/tests/fixtures\"'"
#endif

#define PROC   OW_FIXTURES "/manager/proc"
#define ROOT   OW_FIXTURES "/manager/root"
#define HANG_S 10

/* stopwaitsecs of group:process over one main file, and an included one if not NULL. */
static double parse2(const char *group, const char *process, const char *main_text,
		     const char *included)
{
	struct ow_svconf *c = ow_svconf_new(group, process);
	double v;

	assert_non_null(c);
	ow_svconf_feed(c, main_text, true);
	if (included)
		ow_svconf_feed(c, included, false);
	v = ow_svconf_stopwait(c);
	ow_svconf_free(c);
	return v;
}

static double parse(const char *name, const char *text)
{
	return parse2(name, name, text, NULL);
}

/* autorestart of group:process over one main file. */
static int restart_of(const char *group, const char *process, const char *text)
{
	struct ow_svconf *c = ow_svconf_new(group, process);
	int v;

	assert_non_null(c);
	ow_svconf_feed(c, text, true);
	v = ow_svconf_autorestart(c);
	ow_svconf_free(c);
	return v;
}

/* ---- the parser ---- */

/* What supervisord does after a SIGTERM not its own: autorestart (default unexpected) and,
 * for unexpected, exitcodes (default 0). A graceful worker exits 0: with the defaults it
 * stays stopped, which the note says. */
static void test_parse_autorestart(void **state)
{
	char note[256];

	assert_int_equal(restart_of("x", "x", "[program:x]\ncommand=/bin/x\n"),
			 OW_SV_RESTART_NOT_ON_0);
	assert_int_equal(restart_of("x", "x", "[program:x]\nautorestart = true\n"),
			 OW_SV_RESTART_ALWAYS);
	assert_int_equal(restart_of("x", "x", "[program:x]\nAutoRestart = Yes\n"),
			 OW_SV_RESTART_ALWAYS);
	assert_int_equal(restart_of("x", "x", "[program:x]\nautorestart = off\n"),
			 OW_SV_RESTART_NEVER);
	assert_int_equal(restart_of("x", "x", "[program:x]\nexitcodes = 1,2\n"),
			 OW_SV_RESTART_ON_0);
	assert_int_equal(restart_of("x", "x", "[program:x]\nexitcodes = 2, 0\n"),
			 OW_SV_RESTART_NOT_ON_0);
	assert_int_equal(restart_of("x", "x", "[program:x]\nautorestart = maybe\n"),
			 OW_SV_RESTART_UNKNOWN); /* supervisord refuses it */
	assert_int_equal(restart_of("x", "x", "[program:x]\nexitcodes = %(ENV_X)s\n"),
			 OW_SV_RESTART_UNKNOWN);
	assert_int_equal(restart_of("g", "a",
				    "[group:g]\nprograms = a,b\n[program:a]\n"
				    "autorestart = true\n[program:b]\n"),
			 OW_SV_RESTART_ALWAYS); /* the one whose name it is */
	assert_int_equal(restart_of("x", "x", "[program:y]\n"), OW_SV_RESTART_UNKNOWN);
	ow_sv_restart_note("queue:worker", OW_SV_RESTART_NOT_ON_0, note, sizeof(note));
	assert_string_equal(note, "queue:worker has autorestart=unexpected and exit code 0 "
				  "expected: a graceful exit leaves it stopped (autorestart=true "
				  "restarts it)");
	ow_sv_restart_note("queue:worker", OW_SV_RESTART_UNKNOWN, note, sizeof(note));
	assert_string_equal(note, "");
}

static void test_parse_program(void **state)
{
	assert_true(parse("x", "[program:x]\nstopwaitsecs = 7\n") == 7);
	assert_true(parse("x", "[program:x]\ncommand=/bin/x\n") == -1); /* not set: 10 s */
	assert_true(parse("y", "[program:x]\nstopwaitsecs = 7\n") == -1);
	assert_true(parse("x", "[program:x ]\nstopwaitsecs = 7\n") == 7); /* names are trimmed */
	assert_true(parse("x", "[fcgi-program:x]\nstopwaitsecs=3\n") == 3);
	assert_true(parse("x", "[eventlistener:x]\nstopwaitsecs=4\n") == 4);
	assert_true(parse("x", "[ program:x]\nstopwaitsecs=4\n") == -1); /* not a program */
	assert_true(parse("x", "") == -1);
}

static void test_parse_syntax(void **state)
{
	/* keys in any case, ":" too, comments after white space, CRLF */
	assert_true(parse("x", "[program:x]\r\nStopWaitSecs: 8 ; eight\r\n") == 8);
	assert_true(parse("x", "[program:x] ; here\nstopwaitsecs=8 # eight\n") == 8);
	assert_true(
		parse("x", "[program:x]\n  ; stopwaitsecs=1\n#stopwaitsecs=2\nstopwaitsecs=8\n") ==
		8);
	assert_true(parse("x", "[program:x]\nstopwaitsecs=8;x\n") == -1); /* "8;x": no int */
	/* a deeper line continues the value, a blank line in between too */
	assert_true(parse("x", "[program:x]\nstopwaitsecs=\n\n    9\ncommand=x\n") == 9);
	/* the first of "=" and ":" splits */
	assert_true(parse("x", "[program:x]\ncommand=a:b\nstopwaitsecs : 6\n") == 6);
	/* later wins; a section given twice is one */
	assert_true(parse("x", "[program:x]\nstopwaitsecs=1\n[other]\n[program:x]\n"
			       "stopwaitsecs=2\n") == 2);
	assert_true(parse2("x", "x", "[program:x]\nstopwaitsecs=1\n",
			   "[program:x]\nstopwaitsecs=3\n") == 3);
	/* the header is up to the last "]" */
	assert_true(parse("x]y", "[program:x]y]\nstopwaitsecs=5\n") == 5);
}

/* A line supervisord refuses makes the whole configuration unknown. */
static void test_parse_refused(void **state)
{
	assert_true(parse("x", "stopwaitsecs=5\n[program:x]\nstopwaitsecs=5\n") == -1);
	assert_true(parse("x", "[program:x]\nstopwaitsecs=5\n[other]\ngarbage\n") == -1);
	assert_true(parse("x", "[program:x]\nstopwaitsecs=5\n= 5\n") == -1);
	assert_true(parse("x", "[]\n[program:x]\nstopwaitsecs=5\n") == -1);
	/* each file starts outside any section */
	assert_true(parse2("x", "x", "[program:x]\n", "stopwaitsecs=5\n") == -1);
}

static void test_parse_values(void **state)
{
	static const struct {
		const char *v;
		double want;
	} cases[] = {
		{"0", 0},    {" 12 ", 12}, {"+3", 3},	      {"1_0", 10}, {"-5", 0},
		{"ten", -1}, {"1__0", -1}, {"_1", -1},	      {"1_", -1},  {"1.5", -1},
		{"", -1},    {"%%5", -1},  {"%(ENV_X)s", -1},
	};
	char text[128];
	unsigned int i;
	double got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "[program:x]\nstopwaitsecs=%s\n", cases[i].v);
		got = parse("x", text);
		if (got != cases[i].want)
			fail_msg("stopwaitsecs=%s: %f, not %f", cases[i].v, got, cases[i].want);
	}
	/* more than any grace: kept large (the caller caps it) */
	assert_true(parse("x", "[program:x]\nstopwaitsecs=99999999999999999999\n") >= 1e12);
}

static void test_groups(void **state)
{
	static const char conf[] =
		"[group:g]\nprograms = a, b ,c\n"
		"[program:a]\nstopwaitsecs=1\n"
		"[program:b]\nprocess_name=b_%(process_num)02d\nnumprocs=3\n"
		"stopwaitsecs=2\n"
		"[fcgi-program:c]\nprocess_name=%(group_name)s-%(program_name)s\n"
		"stopwaitsecs=3\n"
		"[program:g]\nstopwaitsecs=9\n";

	assert_true(parse2("g", "a", conf, NULL) == 1);
	assert_true(parse2("g", "b_02", conf, NULL) == 2);
	assert_true(parse2("g", "b_03", conf, NULL) == -1); /* numprocs=3: 00 to 02 */
	assert_true(parse2("g", "g-c", conf, NULL) == 3);
	/* [program:g] is in no group named g: the group's programs are a, b and c */
	assert_true(parse2("g", "g", conf, NULL) == -1);
	/* a member that is not there, or is both a program and an fcgi-program */
	assert_true(parse2("g", "a", "[group:g]\nprograms=a,z\n[program:a]\nstopwaitsecs=1\n",
			   NULL) == -1);
	assert_true(parse2("g", "a",
			   "[group:g]\nprograms=a\n[program:a]\nstopwaitsecs=1\n"
			   "[fcgi-program:a]\nstopwaitsecs=1\n",
			   NULL) == -1);
	assert_true(parse2("g", "a", "[group:g]\nprograms=\n[program:a]\nstopwaitsecs=1\n", NULL) ==
		    -1);
}

static void test_process_names(void **state)
{
	assert_true(parse2("w", "w-7",
			   "[program:w]\nprocess_name=%(program_name)s-%(process_num)d\n"
			   "numprocs=2\nnumprocs_start=6\nstopwaitsecs=4\n",
			   NULL) == 4);
	assert_true(
		parse2("w", "w-  1|1 |001|%",
		       "[program:w]\nprocess_name=%(program_name)s-%(process_num)3d|"
		       "%(process_num)-2s|%(process_num).3d|%%\nstopwaitsecs=4\nnumprocs_start=1\n",
		       NULL) == 4);
	/* an expansion only supervisord knows: the one program that may make it */
	assert_true(parse2("w", "box_0",
			   "[program:w]\nprocess_name=%(host_node_name)s_%(process_num)d\n"
			   "stopwaitsecs=4\n",
			   NULL) == 4);
	/* two that may, which disagree; then agree */
	assert_true(parse2("g", "x",
			   "[group:g]\nprograms=a,b\n"
			   "[program:a]\nprocess_name=%(ENV_A)s\nstopwaitsecs=1\n"
			   "[program:b]\nprocess_name=%(ENV_B)s\nstopwaitsecs=2\n",
			   NULL) == -1);
	assert_true(parse2("g", "x",
			   "[group:g]\nprograms=a,b\n"
			   "[program:a]\nprocess_name=%(ENV_A)s\nstopwaitsecs=2\n"
			   "[program:b]\nprocess_name=%(ENV_B)s\nstopwaitsecs=2\n",
			   NULL) == 2);
	/* one that makes it is preferred to one that may */
	assert_true(parse2("g", "a",
			   "[group:g]\nprograms=a,b\n[program:a]\nstopwaitsecs=1\n"
			   "[program:b]\nprocess_name=%(ENV_B)s\nstopwaitsecs=2\n",
			   NULL) == 1);
	/* formats supervisord refuses: "%d" of a name, a lone "%", a key it has not */
	assert_true(parse2("w", "w", "[program:w]\nprocess_name=%(program_name)d\nstopwaitsecs=4\n",
			   NULL) == -1);
	assert_true(parse2("w", "w%", "[program:w]\nprocess_name=w%\nstopwaitsecs=4\n", NULL) ==
		    -1);
	assert_true(parse2("w", "w", "[program:w]\nprocess_name=%(nope)s\nstopwaitsecs=4\n",
			   NULL) == -1);
}

static void test_includes_of_main_file_only(void **state)
{
	struct ow_svconf *c = ow_svconf_new("x", "x");

	assert_non_null(c);
	ow_svconf_feed(c, "[include]\nfiles = a/*.conf\n  b.conf\n", true);
	assert_string_equal(ow_svconf_includes(c), "a/*.conf\nb.conf");
	ow_svconf_feed(c, "[include]\nfiles = evil/*.conf\n", false);
	assert_string_equal(ow_svconf_includes(c), "a/*.conf\nb.conf");
	ow_svconf_set_unknown(c);
	ow_svconf_feed(c, "[program:x]\nstopwaitsecs=1\n", false);
	assert_true(ow_svconf_stopwait(c) == -1);
	ow_svconf_free(c);
}

static void test_too_many_programs(void **state)
{
	char *text = malloc(300 * 40);
	size_t n = 0;
	int i;

	assert_non_null(text);
	n += (size_t)sprintf(text, "[program:x]\nstopwaitsecs=1\n");
	for (i = 0; i < 300; i++)
		n += (size_t)sprintf(text + n, "[program:p%d]\n", i);
	assert_true(parse("x", text) == -1); /* more than are kept: not known whole */
	free(text);
}

/* ---- supervisord's command line ---- */

static int argv_of(const char *args, size_t len, char *conf, char *here)
{
	return ow_svconf_argv(args, len, conf, PATH_MAX, here, PATH_MAX);
}

#define ARGV(s) (s), sizeof(s) - 1

static void test_argv(void **state)
{
	char conf[PATH_MAX], here[PATH_MAX];

	assert_int_equal(argv_of(ARGV("/usr/bin/python3\0/usr/bin/supervisord\0-n\0-c\0"
				      "/etc/s.conf\0"),
				 conf, here),
			 0);
	assert_string_equal(conf, "/etc/s.conf");
	assert_string_equal(here, "/usr");
	assert_int_equal(argv_of(ARGV("/usr/local/bin/supervisord\0-nc/x.conf\0"), conf, here), 0);
	assert_string_equal(conf, "/x.conf");
	assert_string_equal(here, "/usr/local");
	assert_int_equal(argv_of(ARGV("supervisord\0--configuration=a.conf\0"), conf, here), 0);
	assert_string_equal(conf, "a.conf");
	assert_string_equal(here, "");
	/* a unique prefix of a long option is the option */
	assert_int_equal(argv_of(ARGV("supervisord\0--conf\0b.conf\0-n\0"), conf, here), 0);
	assert_string_equal(conf, "b.conf");
	/* other options' values are skipped: "-c" is the user's name here */
	assert_int_equal(argv_of(ARGV("supervisord\0-u\0-c\0--logfile\0/l\0"), conf, here), 0);
	assert_string_equal(conf, "");
	assert_int_equal(argv_of(ARGV("/supervisord\0"), conf, here), 0);
	assert_string_equal(here, "/");
	assert_int_equal(argv_of(ARGV("/a//b//supervisord\0"), conf, here), 0);
	assert_string_equal(here, "/a");
	assert_int_equal(argv_of(ARGV("supervisord\0--\0"), conf, here), 0);
}

static void test_argv_refused(void **state)
{
	static const struct {
		const char *argv;
		size_t len;
	} bad[] = {
		{ARGV("/usr/bin/python3\0/srv/app.py\0-c\0/x\0")}, /* not supervisord */
		{ARGV("supervisord\0--c\0/x\0")},		   /* ambiguous: childlogdir too */
		{ARGV("supervisord\0-c\0a\0-c\0b\0")},		   /* conflicting */
		{ARGV("supervisord\0-c\0")},			   /* no value */
		{ARGV("supervisord\0-x\0")},			   /* unknown */
		{ARGV("supervisord\0--nodaemon=1\0")},		   /* a flag with a value */
		{ARGV("supervisord\0-n\0extra\0")},		   /* a positional argument */
		{ARGV("supervisord\0--\0-c\0/x\0")},		   /* after "--": positional */
		{ARGV("supervisord\0--configuration=\0")},	   /* empty */
		{ARGV("")},
	};
	char conf[PATH_MAX], here[PATH_MAX];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (argv_of(bad[i].argv, bad[i].len, conf, here) != -EINVAL)
			fail_msg("argv %u was taken", i);
	}
}

/* ---- the reader over tests/fixtures/manager ---- */

static double fixture(pid_t sd, uid_t as_uid, const char *group, const char *process)
{
	return ow_svconf_read(ROOT, PROC, sd, as_uid, group, process, NULL);
}

/* supervisord 500: -c /etc/supervisor/supervisord.conf, which includes conf.d's .conf files */
static void test_read_debian_layout(void **state)
{
	assert_true(fixture(500, 0, "queue", "worker_01") == 45);
	assert_true(fixture(500, 0, "queue", "worker_00") == 45);
	assert_true(fixture(500, 0, "queue", "beat") == 5);
	assert_true(fixture(500, 0, "queue", "worker_02") == -1);
	/* conf.d/web.conf overrides the main file; .hidden.conf and notes.txt are not read */
	assert_true(fixture(500, 0, "web", "web") == 30);
	assert_true(fixture(500, 0, "api", "api") == 60);
	assert_true(fixture(500, 0, "cron", "cron") == -1);
	assert_true(fixture(500, 0, "envy", "envy") == -1);
	assert_true(fixture(500, 0, "hasty", "hasty") == 0);
	assert_true(fixture(500, 0, "alerts", "alerts") == 10);
	assert_true(fixture(500, 0, "nosuch", "nosuch") == -1);
}

static void test_read_search(void **state)
{
	/* a user's: -c sv/supervisord.conf from its working directory /home/deploy; files =
	 * the .ini files of programs/ and %(here)s/extra.conf, every file readable by uid 1000 */
	assert_true(fixture(502, 1000, "jobs", "jobs-2") == 120);
	assert_true(fixture(502, 1000, "jobs", "jobs-4") == -1); /* numprocs_start=1: 1 to 3 */
	assert_true(fixture(502, 1000, "mail", "mail") == 20);
	/* no -c: /opt/sv/etc/supervisord.conf, /opt/sv/supervisord.conf, then the working
	 * directory's supervisord.conf */
	assert_true(fixture(503, 0, "app", "app") == 15);
	/* argv[0] /usr/local/bin/supervisord: /usr/local/etc/supervisord.conf */
	assert_true(fixture(504, 0, "local", "local") == 8);
	/* the search reaches supervisord.conf in a working directory not known: not guessed */
	assert_true(fixture(505, 0, "web", "web") == -1);
	/* not supervisord, no such process */
	assert_true(fixture(1006, 0, "queue", "worker_01") == -1);
	assert_true(fixture(99999, 0, "queue", "worker_01") == -1);
}

/* ---- a tree a user planted things in ---- */

static char tree[64];

static void tree_path(char *buf, size_t len, const char *rel)
{
	assert_true((size_t)snprintf(buf, len, "%s/%s", tree, rel) < len);
}

static void put(const char *rel, const char *text, off_t size, mode_t mode, uid_t uid)
{
	char p[256];
	int fd;

	tree_path(p, sizeof(p), rel);
	unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	if (size)
		assert_int_equal(ftruncate(fd, size), 0); /* sparse */
	assert_int_equal(fchmod(fd, mode), 0);
	if (uid && geteuid() == 0)
		assert_int_equal(fchown(fd, uid, uid), 0);
	close(fd);
}

static void fifo(const char *rel)
{
	char p[256];

	tree_path(p, sizeof(p), rel);
	unlink(p);
	assert_int_equal(mkfifo(p, 0644), 0);
}

static void dir(const char *rel, mode_t mode)
{
	char p[256];

	tree_path(p, sizeof(p), rel);
	assert_int_equal(mkdir(p, mode), 0);
	assert_int_equal(chmod(p, mode), 0);
}

static int setup(void **state)
{
	static const char argv[] = "/usr/bin/supervisord\0-c\0/etc/sv.conf";
	char p[256];
	FILE *f;

	snprintf(tree, sizeof(tree), "/tmp/ow-test-svconf.XXXXXX");
	if (!mkdtemp(tree))
		return -1;
	dir("proc", 0755);
	dir("proc/77", 0755);
	dir("etc", 0755);
	dir("etc/inc", 0755);
	dir("etc/closed", 0700);
	/* supervisord 77: "/usr/bin/supervisord -c /etc/sv.conf" */
	tree_path(p, sizeof(p), "proc/77/cmdline");
	f = fopen(p, "w");
	if (!f || fwrite(argv, 1, sizeof(argv), f) != sizeof(argv) || fclose(f))
		return -1;
	put("etc/inc/a.conf", "[program:x]\nstopwaitsecs=99\n", 0, 0600, 0);
	put("etc/closed/b.conf", "[program:x]\nstopwaitsecs=98\n", 0, 0644, 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tree);
	return system(cmd) ? -1 : 0;
}

/* stopwaitsecs of x:x for supervisord 77 running as as_uid. */
static double read_as(uid_t as_uid)
{
	char proc[128];
	double v;

	tree_path(proc, sizeof(proc), "proc");
	alarm(HANG_S);
	v = ow_svconf_read(tree, proc, 77, as_uid, "x", "x", NULL);
	alarm(0);
	return v;
}

/* The same with this main file, the user's. */
static double planted(const char *main_text, uid_t as_uid)
{
	put("etc/sv.conf", main_text, 0, 0644, as_uid);
	return read_as(as_uid);
}

static void test_planted_fifo_and_size(void **state)
{
	char p[256];

	assert_true(planted("[program:x]\nstopwaitsecs=5\n", 0) == 5);
	/* an include that is a FIFO or over the cap: unknown, and no hang */
	fifo("etc/inc/f.conf");
	assert_true(planted("[program:x]\nstopwaitsecs=5\n[include]\nfiles=inc/*.conf\n", 0) == -1);
	tree_path(p, sizeof(p), "etc/inc/f.conf");
	unlink(p);
	put("etc/inc/g.conf", "[program:x]\nstopwaitsecs=6\n", 1 << 20, 0644, 0);
	assert_true(planted("[program:x]\nstopwaitsecs=5\n[include]\nfiles=inc/*.conf\n", 0) == -1);
	tree_path(p, sizeof(p), "etc/inc/g.conf");
	unlink(p);
	/* the main file a FIFO */
	fifo("etc/sv.conf");
	assert_true(read_as(0) == -1);
	tree_path(p, sizeof(p), "etc/sv.conf");
	unlink(p);
}

static void test_planted_includes(void **state)
{
	/* as root: inc/a.conf (root's, 0600) is read */
	assert_true(planted("[program:x]\nstopwaitsecs=5\n[include]\nfiles=inc/*.conf\n", 0) == 99);
	/* an include that does not exist is no error; a literal one is read */
	assert_true(planted("[program:x]\nstopwaitsecs=5\n[include]\nfiles=none/*.conf "
			    "%(here)s/closed/b.conf\n",
			    0) == 98);
	/* a glob in a directory, an expansion of supervisord's environment: not known here */
	assert_true(planted("[program:x]\nstopwaitsecs=5\n[include]\nfiles=*/b.conf\n", 0) == -1);
	assert_true(planted("[program:x]\nstopwaitsecs=5\n[include]\nfiles=%(ENV_D)s/*.conf\n",
			    0) == -1);
}

/* A supervisord running as uid 1000 reads what uid 1000 may read, no more. */
static void test_planted_as_user(void **state)
{
	if (geteuid() != 0)
		skip(); /* the files must be root's */
	/* inc/a.conf is root's 0600: skipped, as supervisord's own read would */
	assert_true(planted("[program:x]\nstopwaitsecs=5\n[include]\nfiles=inc/*.conf\n", 1000) ==
		    5);
	/* closed/ is root's 0700: the user's supervisord cannot list it for a glob */
	assert_true(planted("[program:x]\nstopwaitsecs=5\n[include]\nfiles=closed/*.conf\n",
			    1000) == 5);
	/* the main file not the user's to read: nothing known */
	put("etc/sv.conf", "[program:x]\nstopwaitsecs=5\n", 0, 0600, 0);
	assert_true(read_as(1000) == -1);
	assert_true(read_as(0) == 5);
}

static void test_planted_too_many_includes(void **state)
{
	char name[64];
	int i;

	dir("etc/many", 0755);
	for (i = 0; i < 70; i++) {
		snprintf(name, sizeof(name), "etc/many/%02d.conf", i);
		put(name, "[program:y]\n", 0, 0644, 0);
	}
	assert_true(planted("[program:x]\nstopwaitsecs=5\n[include]\nfiles=many/*.conf\n", 0) ==
		    -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_program),
		cmocka_unit_test(test_parse_autorestart),
		cmocka_unit_test(test_parse_syntax),
		cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_parse_values),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_process_names),
		cmocka_unit_test(test_includes_of_main_file_only),
		cmocka_unit_test(test_too_many_programs),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_argv_refused),
		cmocka_unit_test(test_read_debian_layout),
		cmocka_unit_test(test_read_search),
		cmocka_unit_test(test_planted_fifo_and_size),
		cmocka_unit_test(test_planted_includes),
		cmocka_unit_test(test_planted_as_user),
		cmocka_unit_test(test_planted_too_many_includes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
