// SPDX-License-Identifier: GPL-2.0
/*
 * supervisord's configuration and command line (svconf.c, svconf_read.c). The first byte picks
 * the group and process looked for; the rest, cut at its first NUL, is the main file and an
 * included one, fed to the parser, then written as etc/sv.conf and etc/inc/a.conf for the
 * reader (supervisord 1 runs "supervisord -c /etc/sv.conf"); the same bytes are also parsed as
 * supervisord's argv. The reader runs as a supervisord of uid 65534, so only what that user may
 * read is read: never a host file only root may (a glob can climb out with "..").
 */
#include "fuzz.h"
#include "svconf.h"

static const char *const names[][2] = {
	{"x", "x"},
	{"queue", "worker_01"},
	{"g", "a"},
	{"w", "w-1"},
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static void put_readable(const char *rel, const void *data, size_t size)
{
	char path[256];

	fuzz_put(rel, data, size);
	snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), rel);
	chmod(path, 0644);
}

static void tree(void)
{
	static const char *const dirs[] = {"", "/proc", "/proc/1", "/etc", "/etc/inc"};
	static const char argv[] = "supervisord\0-c\0/etc/sv.conf";
	static bool made;
	char path[256];
	unsigned int i;

	if (made)
		return;
	fuzz_put("proc/1/cmdline", (const uint8_t *)argv, sizeof(argv));
	fuzz_put("etc/inc/a.conf", NULL, 0);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", fuzz_dir(), dirs[i]);
		chmod(path, 0755);
	}
	made = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int restart;
	const char *group, *process;
	char *s, conf[256], here[256], proc[128];
	struct ow_svconf *c;
	size_t k;
	double v;

	if (!size)
		return 0;
	group = names[data[0] % NNAMES][0];
	process = names[data[0] % NNAMES][1];
	data++;
	size--;
	s = fuzz_str(data, size);
	k = strlen(s);
	c = ow_svconf_new(group, process);
	if (!c)
		abort();
	ow_svconf_feed(c, s, true);
	if (k < size)
		ow_svconf_feed(c, s + k + 1, false);
	ow_svconf_includes(c);
	v = ow_svconf_stopwait(c);
	if (v != -1 && !(v >= 0))
		abort();
	restart = ow_svconf_autorestart(c);
	if (restart < OW_SV_RESTART_UNKNOWN || restart > OW_SV_RESTART_ON_0)
		abort();
	ow_svconf_free(c);
	ow_svconf_argv((const char *)data, size, conf, sizeof(conf), here, sizeof(here));

	tree();
	put_readable("etc/sv.conf", data, k);
	put_readable("etc/inc/a.conf", k < size ? data + k + 1 : data, k < size ? size - k - 1 : 0);
	snprintf(proc, sizeof(proc), "%s/proc", fuzz_dir());
	v = ow_svconf_read(fuzz_dir(), proc, 1, 65534, group, process, &restart);
	if (v != -1 && !(v >= 0))
		abort();
	free(s);
	return 0;
}
