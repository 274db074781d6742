// SPDX-License-Identifier: GPL-2.0
/*
 * attach-empty OBJ: load the BPF object OBJ (bench/empty_rss.bpf.c), attach its programs, print
 * "attached" and hold them until SIGTERM or SIGINT. For bench/bench.sh's attach-floor rows.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int attach_all(struct bpf_object *obj)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj)
	{
		if (!bpf_program__attach(prog))
			return -errno;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	sigset_t set;
	int err, sig;

	if (argc != 2) {
		fprintf(stderr, "usage: attach-empty OBJ\n");
		return 2;
	}
	/* Block the signals first, so one sent right after "attached" is not lost. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "attach-empty: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	err = bpf_object__load(obj);
	if (!err)
		err = attach_all(obj);
	if (err) {
		fprintf(stderr, "attach-empty: %s: %s\n", argv[1], strerror(-err));
		bpf_object__close(obj);
		return 1;
	}
	printf("attached\n");
	fflush(stdout);
	sigwait(&set, &sig);
	bpf_object__close(obj);
	return 0;
}
