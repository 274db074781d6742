/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the alert scenarios share (tests/alert/alert_test.c: plain HTTP and main; tls_test.c:
 * HTTPS): the pass/fail counters, loopback receivers (receiver.py) and their request logs.
 */
#ifndef OW_ALERT_HARNESS_H
#define OW_ALERT_HARNESS_H

#include <stdio.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "alert.h"

extern int passed, failed;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (cond) {                                                                        \
			passed++;                                                                  \
		} else {                                                                           \
			failed++;                                                                  \
			printf("FAIL %s:%d: %s: ", __func__, __LINE__, #cond);                     \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

/* A receiver logging to `log`; with cert and key it speaks HTTPS. Its URL into url. */
pid_t start_receiver(const char *script, const char *log, const char *cert, const char *key,
		     char *url, size_t urllen);

/* The requests in the log `file` whose path starts with prefix, oldest first (a cJSON array to
 * free). A failed TLS handshake is recorded with the path "!tls". */
cJSON *requests_in(const char *file, const char *prefix);

/* A field of a recorded request ("" when absent). */
const char *rstr(const cJSON *req, const char *key);

/* An act (or warn, ...) alert for cgroup leak<i>.service. */
void make_alert(struct ow_alert *a, enum ow_alert_kind kind, int i);

/* Targets at `at` (a receiver's URL) + each path; the count or -1. */
int targets_at(const char *at, struct ow_webhook_target *t, const char *const *paths,
	       const char *const *fmts, unsigned int n);

/* HTTPS scenarios (tls_test.c): certificates in `dir` (tests/alert/run.sh), the oomwarden
 * binary `bin` for its alert-test command. */
void tls_tests(const char *script, const char *dir, const char *bin);

#endif /* OW_ALERT_HARNESS_H */
