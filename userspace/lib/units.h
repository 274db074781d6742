/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Human units for reports and alerts: binary prefixes, three significant figures or so ("812 KiB",
 * "12.5 MiB", "1.20 GiB"). Pure. Each returns `buf`, so calls fit in a printf argument list;
 * OW_FMT_LEN bytes always suffice, a shorter buffer truncates.
 */
#ifndef OW_UNITS_H
#define OW_UNITS_H

#include <stddef.h>
#include <stdint.h>

#define OW_FMT_LEN 32

/* "0 B", "1023 B", "812 KiB", "12.5 MiB", "1.20 GiB", up to EiB. */
const char *ow_fmt_bytes(uint64_t bytes, char *buf, size_t len);

/* A change: "+12.5 MiB", "-812 KiB", "0 B" (a value that rounds to zero has no sign). */
const char *ow_fmt_bytes_signed(int64_t delta, char *buf, size_t len);

/* A growth rate, signed like ow_fmt_bytes_signed: "+12.5 MiB/s"; "n/a" when not finite. */
const char *ow_fmt_rate(double bytes_per_s, char *buf, size_t len);

/* A time to OOM: "2.1 s" under 2 min, "42 min" under 2 h, "6.8 h" under 2 days, "3.5 days";
 * "none" when not finite or negative (no OOM predicted). */
const char *ow_fmt_eta(double seconds, char *buf, size_t len);

#endif /* OW_UNITS_H */
