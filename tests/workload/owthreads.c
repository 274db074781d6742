// SPDX-License-Identifier: GPL-2.0
/*
 * owthreads COUNT MIB: COUNT processes, one after another, whose leader thread ends first
 * (pthread_exit) while another thread goes on to touch MIB MiB and ends the process: the
 * process outlives its leader's exit. Prints each one's pid, a line each, once it has ended.
 * For tests/e2e/churn.sh: the BPF map of processes must forget each one at its end.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static size_t bytes;

static void *worker(void *arg)
{
	struct timespec ts = {0, 20 * 1000 * 1000}; /* the leader's exit first */
	char *p;

	(void)arg;
	nanosleep(&ts, NULL);
	p = malloc(bytes);
	if (p)
		memset(p, 1, bytes); /* faults after the leader's exit */
	free(p);
	return NULL; /* the last thread: the process ends with status 0 */
}

static void one_process(void)
{
	pthread_t t;

	if (pthread_create(&t, NULL, worker, NULL))
		_exit(2);
	pthread_exit(NULL);
}

int main(int argc, char **argv)
{
	long i, count;
	int status;
	pid_t pid;

	if (argc != 3 || (count = atol(argv[1])) <= 0 || atol(argv[2]) <= 0) {
		fprintf(stderr, "usage: owthreads COUNT MIB\n");
		return 2;
	}
	bytes = (size_t)atol(argv[2]) << 20;
	for (i = 0; i < count; i++) {
		fflush(stdout); /* not again from the child's exit() */
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (!pid)
			one_process();
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "owthreads: process %d did not end with status 0\n", pid);
			return 1;
		}
		printf("%d\n", pid);
	}
	return 0;
}
