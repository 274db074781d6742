// SPDX-License-Identifier: GPL-2.0
/*
 * HTTPS delivery. tests/alert/run.sh makes a throwaway CA in TLSDIR with two server
 * certificates signed by it (server: 127.0.0.1 and localhost; wrong-name: wrong.example) and a
 * copy of the CA readable by root only; receiver.py serves them. Checked: with webhook_ca the
 * alert arrives; without it (the system store does not know this CA), or with a certificate for
 * another name, the handshake fails, is retried, counted as failed and logged with curl's
 * reason and the URL redacted, and nothing is delivered; a CA file only root may read works,
 * since the parent read it before the sender dropped to nobody; alert-test, in the library and
 * through the oomwarden binary (flag, config key, a missing file).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alert_sender.h"
#include "ca_bundle.h"
#include "harness.h"

struct tls_env {
	const char *dir;
	const char *bin; /* build/oomwarden, or NULL */
	char url[64];	 /* https://127.0.0.1:PORT of the receiver with the right certificate */
	char wrong_url[64];
	char log[300]; /* their request logs */
	char wrong_log[300];
};

static const struct ow_alerter_cfg tls_fast = {
	.backoff_ms = 100, .max_backoff_ms = 400, .max_tries = 3, .timeout_ms = 5000};

static const char *in_dir(const struct tls_env *env, const char *name)
{
	static char path[4][300];
	static unsigned int next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", env->dir, name);
	return p;
}

static int count(const char *file, const char *prefix)
{
	cJSON *r = requests_in(file, prefix);
	int n = cJSON_GetArraySize(r);

	cJSON_Delete(r);
	return n;
}

/* The sender logs on stdout here (main's ow_log_setup), the one descriptor it keeps besides its
 * socket: while a scenario runs, stdout goes to a file, read back into buf and shown. */
static int capture_start(const struct tls_env *env)
{
	int save, fd = open(in_dir(env, "sender.log"), O_WRONLY | O_CREAT | O_TRUNC, 0600);

	fflush(stdout);
	save = dup(1);
	dup2(fd, 1);
	close(fd);
	return save;
}

static void capture_end(const struct tls_env *env, int save, char *buf, size_t len)
{
	FILE *f;
	size_t n = 0;

	fflush(stdout);
	dup2(save, 1);
	close(save);
	f = fopen(in_dir(env, "sender.log"), "r");
	if (f) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	fputs(buf, stdout);
}

/* One alert to one target; the sender's exit status (0: delivered), its log in `log`. */
static int send_one(const struct tls_env *env, const char *at, const char *path,
		    const struct ow_ca_bundle *ca, struct ow_webhook_target *t, char *log,
		    size_t loglen)
{
	struct ow_alerter_cfg cfg = tls_fast;
	const char *paths[] = {path}, *fmts[] = {"json"};
	struct ow_alerter *al;
	struct ow_alert a;
	int save, st;

	cfg.ca_pem = ca ? ca->pem : NULL;
	cfg.ca_len = ca ? ca->len : 0;
	if (targets_at(at, t, paths, fmts, 1) != 1)
		return -1;
	save = capture_start(env);
	st = ow_alerter_start(t, 1, &cfg, &al);
	if (!st) {
		make_alert(&a, OW_ALERT_ACT, 7);
		ow_alerter_send(al, &a);
		st = ow_alerter_stop(al, 5000);
	}
	capture_end(env, save, log, loglen);
	return st;
}

static int read_ca(const struct tls_env *env, const char *name, struct ow_ca_bundle *ca)
{
	char err[512];
	int rc = ow_ca_bundle_read(in_dir(env, name), "webhook_ca", ca, err, sizeof(err));

	if (rc)
		printf("%s\n", err);
	return rc;
}

static void test_https_delivered(const struct tls_env *env)
{
	struct ow_ca_bundle ca = {0};
	struct ow_webhook_target t;
	const char *schema;
	char log[8192];
	cJSON *r, *body;
	int st;

	CHECK(read_ca(env, "ca.pem", &ca) == 0, "read ca.pem");
	st = send_one(env, env->url, "/ok/tls-json", &ca, &t, log, sizeof(log));
	r = requests_in(env->log, "/ok/tls-json");
	CHECK(st == 0 && cJSON_GetArraySize(r) == 1, "with webhook_ca: exit %d, %d requests", st,
	      cJSON_GetArraySize(r));
	body = cJSON_Parse(rstr(cJSON_GetArrayItem(r, 0), "body"));
	schema = cJSON_GetStringValue(cJSON_GetObjectItem(body, "schema"));
	CHECK(schema && !strcmp(schema, "oomwarden.alert.v1"), "the body is the json alert");
	CHECK(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(r, 0), "tls")),
	      "it came over TLS");
	cJSON_Delete(body);
	cJSON_Delete(r);
	ow_ca_bundle_free(&ca);
}

/* A certificate the sender cannot verify: every try fails, nothing arrives. `handshakes`: how
 * many the receiver saw aborted (-1: not counted). */
static void expect_refused(const struct tls_env *env, const char *rx_log, const char *path, int st,
			   const struct ow_webhook_target *t, const char *log, const char *reason,
			   int handshakes)
{
	char prefix[64];
	const char *q;

	snprintf(prefix, sizeof(prefix), "%.*s", (int)strcspn(path, "?"), path);
	CHECK(st != 0, "%s: the sender reports the failure (exit %d)", path, st);
	CHECK(count(rx_log, prefix) == 0, "%s: nothing may be delivered", path);
	if (handshakes >= 0)
		CHECK(handshakes == (int)tls_fast.max_tries, "%s: %d failed handshakes, want %u",
		      path, handshakes, tls_fast.max_tries);
	CHECK(strstr(log, reason) != NULL, "%s: curl's reason '%s' is logged", path, reason);
	q = strstr(log, "alert_retry");
	CHECK(q && strstr(q + 1, "alert_retry") && strstr(log, "alert_failed"),
	      "%s: retried, then given up", path);
	CHECK(strstr(log, "delivered=0 failed=1") != NULL, "%s: counted as failed", path);
	CHECK(strstr(log, t->redacted) && !strstr(log, "SECRET"), "%s: the URL is redacted (%s)",
	      path, t->redacted);
}

static void test_https_unverified(const struct tls_env *env)
{
	struct ow_webhook_target t;
	char log[16384];
	int st, before = count(env->log, "!tls");

	/* No webhook_ca: the system store, which does not know the throwaway CA. */
	st = send_one(env, env->url, "/ok/tls-noca?token=SECRET", NULL, &t, log, sizeof(log));
	expect_refused(env, env->log, "/ok/tls-noca?token=SECRET", st, &t, log,
		       "SSL certificate problem: unable to get local issuer certificate",
		       count(env->log, "!tls") - before);
}

static void test_https_wrong_name(const struct tls_env *env)
{
	struct ow_ca_bundle ca = {0};
	struct ow_webhook_target t;
	char log[16384];
	int st;

	/* The right CA, a certificate for wrong.example: host name verification is on. curl checks
	 * the name once the handshake is done, so the receiver sees no failed handshake. */
	CHECK(read_ca(env, "ca.pem", &ca) == 0, "read ca.pem");
	st = send_one(env, env->wrong_url, "/ok/tls-wrong-name?token=SECRET", &ca, &t, log,
		      sizeof(log));
	expect_refused(
		env, env->wrong_log, "/ok/tls-wrong-name?token=SECRET", st, &t, log,
		"no alternative certificate subject name matches target host name '127.0.0.1'", -1);
	ow_ca_bundle_free(&ca);
}

/* errno of open(path) as nobody, 0 if it opened. */
static int open_as_nobody(const char *path)
{
	pid_t pid = fork();
	int st = -1;

	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(255);
		_exit(open(path, O_RDONLY) < 0 ? errno : 0);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_https_root_only_ca(const struct tls_env *env)
{
	const char *path = in_dir(env, "ca-root-only.pem");
	struct ow_ca_bundle ca = {0};
	struct ow_webhook_target t;
	struct stat sb;
	char log[8192];
	int st;

	if (geteuid() != 0) {
		printf("SKIP https root-only CA: not root\n");
		return;
	}
	CHECK(!stat(path, &sb) && sb.st_uid == 0 && (sb.st_mode & 0777) == 0600, "mode %o",
	      sb.st_mode & 0777);
	/* The mode is what keeps nobody out: the same directory's 0644 copy opens. */
	CHECK(open_as_nobody(path) == EACCES, "nobody must not read %s", path);
	CHECK(open_as_nobody(in_dir(env, "ca.pem")) == 0, "nobody reads the 0644 copy");
	CHECK(read_ca(env, "ca-root-only.pem", &ca) == 0, "read");
	st = send_one(env, env->url, "/ok/tls-root-ca", &ca, &t, log, sizeof(log));
	CHECK(st == 0 && count(env->log, "/ok/tls-root-ca") == 1,
	      "a CA only root may read: exit %d, %d requests", st,
	      count(env->log, "/ok/tls-root-ca"));
	ow_ca_bundle_free(&ca);
}

static void test_https_alert_test(const struct tls_env *env)
{
	const char *paths[] = {"/ok/tls-at"};
	struct ow_alerter_cfg cfg = {0};
	struct ow_alert_test_result res;
	struct ow_ca_bundle ca = {0};
	struct ow_webhook_target t;
	int rc;

	CHECK(read_ca(env, "ca.pem", &ca) == 0, "read");
	targets_at(env->url, &t, paths, NULL, 1);
	cfg.ca_pem = ca.pem;
	cfg.ca_len = ca.len;
	rc = ow_alert_test(&t, 1, &cfg, &res);
	printf("https alert-test with the CA: %s -> %ld %s\n", t.redacted, res.http_status,
	       res.error);
	CHECK(rc == 0 && res.http_status == 200, "rc %d status %ld", rc, res.http_status);
	rc = ow_alert_test(&t, 1, NULL, &res);
	printf("https alert-test without: %s -> %ld %s\n", t.redacted, res.http_status, res.error);
	CHECK(rc == -EIO && res.http_status == 0 && strstr(res.error, "SSL certificate problem"),
	      "rc %d, error '%s'", rc, res.error);
	CHECK(count(env->log, "/ok/tls-at") == 1, "one test alert arrived");
	ow_ca_bundle_free(&ca);
}

/* Run argv; its exit status, stdout and stderr. */
static int run_cli(char *const *argv, char *out, size_t outlen, char *err, size_t errlen)
{
	int po[2], pe[2], st = -1;
	ssize_t n;
	pid_t pid;

	if (pipe(po) || pipe(pe))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	waitpid(pid, &st, 0); /* a few lines: they fit in the pipes */
	n = read(po[0], out, outlen - 1);
	out[n > 0 ? n : 0] = '\0';
	n = read(pe[0], err, errlen - 1);
	err[n > 0 ? n : 0] = '\0';
	close(po[0]);
	close(pe[0]);
	printf("$ %s ... -> exit %d\n%s%s", argv[1], WEXITSTATUS(st), out, err);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_https_cli(const struct tls_env *env)
{
	char url[128], noca_url[128], out[2048], err[2048], conf_path[300];
	char *conf = strdup(in_dir(env, "empty.conf")), *ca = strdup(in_dir(env, "ca.pem"));
	char *root_ca = strdup(in_dir(env, "ca-root-only.pem"));
	char *missing = strdup(in_dir(env, "missing.pem"));
	FILE *f;
	int rc;

	snprintf(url, sizeof(url), "%s/ok/tls-cli", env->url);
	snprintf(noca_url, sizeof(noca_url), "%s/ok/tls-cli-noca", env->url);
	/* the flag, with the CA only root may read: the test child drops to nobody too */
	rc = run_cli((char *[]){(char *)env->bin, "alert-test", "--config", conf, "--webhook", url,
				"--webhook-ca", root_ca, NULL},
		     out, sizeof(out), err, sizeof(err));
	CHECK(rc == 0 && strstr(out, "-> 200"), "alert-test --webhook-ca: exit %d", rc);
	CHECK(count(env->log, "/ok/tls-cli") == 1, "the CLI's test alert arrived");
	/* without it: curl's reason, exit 1, nothing delivered */
	rc = run_cli((char *[]){(char *)env->bin, "alert-test", "--config", conf, "--webhook",
				noca_url, NULL},
		     out, sizeof(out), err, sizeof(err));
	CHECK(rc == 1 && strstr(out, "-> 0 SSL certificate problem"), "without: exit %d", rc);
	CHECK(count(env->log, "/ok/tls-cli-noca") == 0, "nothing delivered without the CA");
	/* a missing file: exit 2, one line naming it, no request */
	rc = run_cli((char *[]){(char *)env->bin, "alert-test", "--config", conf, "--webhook",
				noca_url, "--webhook-ca", missing, NULL},
		     out, sizeof(out), err, sizeof(err));
	CHECK(rc == 2 && !out[0] && strstr(err, missing) && strstr(err, "No such file") &&
		      strchr(err, '\n') == err + strlen(err) - 1,
	      "missing CA: exit %d, stderr '%s'", rc, err);
	/* the config key */
	snprintf(conf_path, sizeof(conf_path), "%s", in_dir(env, "tls.conf"));
	f = fopen(conf_path, "w");
	if (f) {
		fprintf(f, "webhook = %s/ok/tls-cli-conf\nwebhook_ca = %s\n", env->url, ca);
		fclose(f);
	}
	rc = run_cli((char *[]){(char *)env->bin, "alert-test", "--config", conf_path, NULL}, out,
		     sizeof(out), err, sizeof(err));
	CHECK(rc == 0 && strstr(out, "-> 200") && count(env->log, "/ok/tls-cli-conf") == 1,
	      "webhook_ca in the config file: exit %d", rc);
	free(conf);
	free(ca);
	free(root_ca);
	free(missing);
}

void tls_tests(const char *script, const char *dir, const char *bin)
{
	struct tls_env env = {.dir = dir, .bin = bin};
	pid_t rx, wrong;

	snprintf(env.log, sizeof(env.log), "%s/tls.jsonl", dir);
	snprintf(env.wrong_log, sizeof(env.wrong_log), "%s/tls-wrong.jsonl", dir);
	rx = start_receiver(script, env.log, in_dir(&env, "server.pem"), in_dir(&env, "server.key"),
			    env.url, sizeof(env.url));
	wrong = start_receiver(script, env.wrong_log, in_dir(&env, "wrong-name.pem"),
			       in_dir(&env, "wrong-name.key"), env.wrong_url,
			       sizeof(env.wrong_url));
	CHECK(rx > 0 && wrong > 0, "the TLS receivers start");
	if (rx > 0 && wrong > 0) {
		test_https_delivered(&env);
		test_https_unverified(&env);
		test_https_wrong_name(&env);
		test_https_root_only_ca(&env);
		test_https_alert_test(&env);
		if (bin)
			test_https_cli(&env);
		else
			printf("SKIP https alert-test command: no oomwarden binary (make)\n");
	}
	if (rx > 0)
		kill(rx, SIGTERM);
	if (wrong > 0)
		kill(wrong, SIGTERM);
	if (rx > 0)
		waitpid(rx, NULL, 0);
	if (wrong > 0)
		waitpid(wrong, NULL, 0);
}
