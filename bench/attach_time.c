// SPDX-License-Identifier: GPL-2.0
/*
 * attach-time OBJ PROG [N]: how long attaching and detaching one BPF program of OBJ takes (the
 * daemon's build/oomwarden.bpf.o and its rss_stat program: issue 17 item 3 would attach it only
 * while some cgroup is at risk). Loads PROG alone (the others' autoload off), then N times
 * (default 200): bpf_program__attach, bpf_link__destroy. Prints the median, min and max of each
 * in microseconds.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp);
	printf("%s: median %.1f us, min %.1f, max %.1f (n %d)\n", what, v[n / 2], v[0], v[n - 1],
	       n);
}

int main(int argc, char **argv)
{
	int n = argc > 3 ? atoi(argv[3]) : 200, i;
	struct bpf_program *prog, *p;
	double *att, *det, t0, t1;
	struct bpf_object *obj;
	struct bpf_link *link;

	if (argc < 3 || n < 1) {
		fprintf(stderr, "usage: attach-time OBJ PROG [N]\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	prog = obj ? bpf_object__find_program_by_name(obj, argv[2]) : NULL;
	if (!prog) {
		fprintf(stderr, "attach-time: %s: no program %s\n", argv[1], argv[2]);
		return 1;
	}
	bpf_object__for_each_program(p, obj) bpf_program__set_autoload(p, p == prog);
	if (bpf_object__load(obj)) {
		fprintf(stderr, "attach-time: load: %s\n", strerror(errno));
		return 1;
	}
	att = calloc(n, sizeof(*att));
	det = calloc(n, sizeof(*det));
	for (i = 0; i < n; i++) {
		t0 = now_us();
		link = bpf_program__attach(prog);
		t1 = now_us();
		if (!link) {
			fprintf(stderr, "attach-time: attach: %s\n", strerror(errno));
			return 1;
		}
		att[i] = t1 - t0;
		bpf_link__destroy(link);
		det[i] = now_us() - t1;
	}
	report("attach", att, n);
	report("detach", det, n);
	bpf_object__close(obj);
	return 0;
}
