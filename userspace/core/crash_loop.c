// SPDX-License-Identifier: GPL-2.0
/* Crash loops: see userspace/core/crash_loop.h. */
#include <stdio.h>
#include <string.h>

#include "crash_loop.h"

static void restart_count(struct ow_crash_loop *l, const char *who)
{
	snprintf(l->who, sizeof(l->who), "%s", who);
	l->n = 0;
	l->said = false;
}

bool ow_crash_loop_note(struct ow_crash_loop *l, const char *who, double lifetime_s,
			uint64_t now_ns)
{
	bool short_lived = lifetime_s >= 0 && lifetime_s <= OW_LOOP_SHORT_S;

	if (strcmp(l->who, who) || !l->last_ns || now_ns - l->last_ns > OW_LOOP_GAP_NS)
		restart_count(l, who);
	l->last_ns = now_ns;
	if (!short_lived) {
		restart_count(l, who);
		return false;
	}
	if (l->n == OW_LOOP_COUNT)
		memmove(l->lifetimes, l->lifetimes + 1, sizeof(l->lifetimes) - sizeof(double));
	else
		l->n++;
	l->lifetimes[l->n - 1] = lifetime_s;
	if (l->n < OW_LOOP_COUNT || l->said)
		return false;
	l->said = true;
	l->loops++;
	return true;
}

void ow_crash_loop_text(const struct ow_crash_loop *l, char *buf, size_t len)
{
	double longest = 0;
	size_t off;
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (l->lifetimes[i] > longest)
			longest = l->lifetimes[i];
	off = (size_t)snprintf(buf, len,
			       "restarts into the same leak within %.1f s; last %u lifetimes",
			       longest, l->n);
	for (i = 0; i < l->n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s %.1f s", i ? "," : "",
					l->lifetimes[i]);
}
