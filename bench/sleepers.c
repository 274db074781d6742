// SPDX-License-Identifier: GPL-2.0
/*
 * The scale benchmark's population: sleepers DIR COUNT puts COUNT sleeping processes into the
 * cgroups listed one a line in DIR/list (round robin), prints "ready N" and waits for SIGTERM.
 * Children die with the parent (PR_SET_PDEATHSIG), so one kill ends them all.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>

#define MAX_CGROUPS 65536
#define TOUCH_BYTES (64 * 1024)

static int read_list(const char *path, char **dirs, int max)
{
	char line[4096];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return -errno;
	while (n < max && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (*line)
			dirs[n++] = strdup(line);
	}
	fclose(f);
	return n;
}

/* In the child: join the cgroup, then sleep until the parent dies. */
static void sleeper(const char *dir)
{
	char path[4200], pid[32], *touch;
	int fd, len;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	len = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (fd < 0 || write(fd, pid, len) != len)
		_exit(1);
	close(fd);
	/* A few pages faulted in the cgroup: the daemon's BPF side sees the memcg in use, as it
	 * would a service's (a memcg no task of which faults is never read whole). */
	touch = malloc(TOUCH_BYTES);
	if (touch)
		memset(touch, 1, TOUCH_BYTES);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	static char *dirs[MAX_CGROUPS];
	int ncg, count, i;
	pid_t p;

	if (argc != 3) {
		fprintf(stderr, "usage: sleepers LISTFILE COUNT\n");
		return 2;
	}
	ncg = read_list(argv[1], dirs, MAX_CGROUPS);
	count = atoi(argv[2]);
	if (ncg <= 0 || count <= 0) {
		fprintf(stderr, "sleepers: no cgroups in %s or bad count\n", argv[1]);
		return 2;
	}
	for (i = 0; i < count; i++) {
		p = fork();
		if (p < 0) {
			perror("sleepers: fork");
			return 1;
		}
		if (p == 0)
			sleeper(dirs[i % ncg]);
	}
	printf("ready %d\n", count);
	fflush(stdout);
	for (;;)
		pause();
}
