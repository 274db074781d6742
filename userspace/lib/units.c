// SPDX-License-Identifier: GPL-2.0
/* Human units: see userspace/lib/units.h. */
#include <math.h>
#include <stdio.h>

#include "units.h"

struct unit {
	const char *name;
	double scale;
	int decimals;
};

static const struct unit units[] = {
	{"B", 1.0, 0},
	{"KiB", 1024.0, 0},
	{"MiB", 1048576.0, 1},
	{"GiB", 1073741824.0, 2},
	{"TiB", 1099511627776.0, 2},
	{"PiB", 1125899906842624.0, 2},
	{"EiB", 1152921504606846976.0, 2},
};

#define NUNITS (sizeof(units) / sizeof(units[0]))

/*
 * `v` (0 <= v < 1024) rounded half up to `decimals`; printing the rounded value makes the
 * unit choice and the text agree. Done by hand: the daemon does not link libm.
 */
static double rounded(double v, int decimals)
{
	double p = decimals == 2 ? 100.0 : decimals == 1 ? 10.0 : 1.0;

	return (double)(uint64_t)(v * p + 0.5) / p;
}

/*
 * The unit is chosen after rounding, so 1023.96 KiB reads "1.0 MiB", never "1024 KiB".
 * `sign` is '+', '-' or 0; it is dropped when the magnitude prints as zero.
 */
static const char *fmt_magnitude(double mag, char sign, const char *suffix, char *buf, size_t len)
{
	const struct unit *u = &units[0];
	double v = 0.0;
	size_t i;

	for (i = 0; i < NUNITS; i++) {
		u = &units[i];
		v = mag / u->scale;
		if (v >= 1024.0 && i + 1 < NUNITS)
			continue;
		v = rounded(v, u->decimals);
		if (v < 1024.0 || i + 1 == NUNITS)
			break;
	}
	if (v == 0.0)
		sign = 0;
	if (sign)
		snprintf(buf, len, "%c%.*f %s%s", sign, u->decimals, v, u->name, suffix);
	else
		snprintf(buf, len, "%.*f %s%s", u->decimals, v, u->name, suffix);
	return buf;
}

const char *ow_fmt_bytes(uint64_t bytes, char *buf, size_t len)
{
	return fmt_magnitude((double)bytes, 0, "", buf, len);
}

const char *ow_fmt_bytes_signed(int64_t delta, char *buf, size_t len)
{
	/* -(INT64_MIN) overflows; its magnitude is exact as an unsigned. */
	uint64_t mag = delta < 0 ? (uint64_t)(-(delta + 1)) + 1 : (uint64_t)delta;

	return fmt_magnitude((double)mag, delta < 0 ? '-' : '+', "", buf, len);
}

const char *ow_fmt_rate(double bytes_per_s, char *buf, size_t len)
{
	if (!isfinite(bytes_per_s)) {
		snprintf(buf, len, "n/a");
		return buf;
	}
	return fmt_magnitude(fabs(bytes_per_s), bytes_per_s < 0 ? '-' : '+', "/s", buf, len);
}

const char *ow_fmt_eta(double seconds, char *buf, size_t len)
{
	if (!isfinite(seconds) || seconds < 0)
		snprintf(buf, len, "none");
	else if (seconds < 120)
		snprintf(buf, len, "%.1f s", seconds);
	else if (seconds < 7200)
		snprintf(buf, len, "%.0f min", seconds / 60);
	else if (seconds < 172800)
		snprintf(buf, len, "%.1f h", seconds / 3600);
	else /* diagnose sees slow leaks: weeks in hours would be unreadable */
		snprintf(buf, len, "%.1f days", seconds / 86400);
	return buf;
}
