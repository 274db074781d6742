// SPDX-License-Identifier: GPL-2.0
/*
 * prom-lint FILE: check a Prometheus text exposition file strictly (tests/lib/prom_lint.h).
 * Prints "FILE: N samples" and exits 0, or prints "FILE: line N: why" and exits 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom_lint.h"

int main(int argc, char **argv)
{
	char err[512], *text = NULL;
	size_t len = 0, cap = 0, n;
	FILE *f;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: prom-lint FILE\n");
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			text = realloc(text, cap);
			if (!text)
				return 1;
		}
		n = fread(text + len, 1, cap - len, f);
		len += n;
	} while (n);
	fclose(f);
	ret = ow_prom_lint(text, len, err, sizeof(err));
	free(text);
	if (ret < 0) {
		printf("%s: %s\n", argv[1], err);
		return 1;
	}
	printf("%s: %d samples\n", argv[1], ret);
	return 0;
}
