// SPDX-License-Identifier: GPL-2.0
/* The kernel lockdown level: see userspace/sys/lockdown.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lockdown.h"
#include "readfile.h"

static const char *const names[] = {"none", "integrity", "confidentiality"};

/* The one bracketed word of `s`, as a level; -EINVAL for none, two, or an unknown word. */
static int parse(const char *s, enum ow_lockdown *out)
{
	const char *open = strchr(s, '['), *close = open ? strchr(open, ']') : NULL;
	size_t n, i;

	if (!close || strchr(close, '['))
		return -EINVAL;
	n = (size_t)(close - open - 1);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i]) == n && !strncmp(open + 1, names[i], n)) {
			*out = (enum ow_lockdown)i;
			return 0;
		}
	}
	return -EINVAL;
}

int ow_lockdown_read(const char *securityfs, enum ow_lockdown *out)
{
	char path[PATH_MAX], buf[128];
	ssize_t len;
	int n = snprintf(path, sizeof(path), "%s/lockdown", securityfs);

	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	len = ow_read_file(path, buf, sizeof(buf), true);
	if (len == -EFBIG)
		return -EINVAL;
	if (len < 0)
		return (int)len;
	return parse(buf, out);
}

const char *ow_lockdown_name(enum ow_lockdown level)
{
	return (unsigned int)level < sizeof(names) / sizeof(names[0]) ? names[level] : "?";
}
