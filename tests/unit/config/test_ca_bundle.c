// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for userspace/config/ca_bundle.c: the PEM check over buffers, and the reader over the
 * fixtures in tests/fixtures/ca/ (a certificate, a two-certificate CRLF bundle with comments,
 * and broken ones: empty, DER, a public key, truncated, bad base64, an empty block).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ca_bundle.h"

#define CA(name) OW_FIXTURES "/ca/" name

static char err[512];

static int check(const char *pem, unsigned int *line)
{
	*line = 12345;
	return ow_ca_bundle_check(pem, strlen(pem), line);
}

static void test_check_counts_certificates(void **state)
{
	unsigned int line;

	assert_int_equal(check("-----BEGIN CERTIFICATE-----\nAAAA\nBB==\n"
			       "-----END CERTIFICATE-----\n",
			       &line),
			 1);
	/* text around blocks, CRLF, trailing blanks, no final newline */
	assert_int_equal(check("# a comment\r\n-----BEGIN CERTIFICATE-----\r\nAAAA \r\n"
			       "-----END CERTIFICATE-----\r\nsomething\n"
			       "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----",
			       &line),
			 2);
}

static void test_check_rejects(void **state)
{
	static const char with_nul[] = "-----BEGIN CERTIFICATE-----\nAA\0A\n"
				       "-----END CERTIFICATE-----\n";
	unsigned int line;

	assert_int_equal(check("", &line), -EINVAL);
	assert_int_equal(line, 0);
	assert_int_equal(check("just text\n", &line), -EINVAL);
	assert_int_equal(line, 0);
	assert_int_equal(
		check("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", &line),
		-EINVAL);
	assert_int_equal(line, 0);
	/* never closed: the line it began */
	assert_int_equal(check("x\n-----BEGIN CERTIFICATE-----\nAAAA\n", &line), -EINVAL);
	assert_int_equal(line, 2);
	/* not base64 */
	assert_int_equal(
		check("-----BEGIN CERTIFICATE-----\nAA!A\n-----END CERTIFICATE-----\n", &line),
		-EINVAL);
	assert_int_equal(line, 2);
	/* an empty block */
	assert_int_equal(check("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n", &line),
			 -EINVAL);
	assert_int_equal(line, 2);
	/* a NUL inside a block */
	assert_int_equal(ow_ca_bundle_check(with_nul, sizeof(with_nul) - 1, &line), -EINVAL);
	assert_int_equal(line, 2);
	/* a good block, then a bad one: the whole file is refused, as OpenSSL would */
	assert_int_equal(check("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
			       "-----BEGIN CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n",
			       &line),
			 -EINVAL);
	assert_int_equal(line, 5);
}

static void test_read_good(void **state)
{
	struct ow_ca_bundle a = {0}, b = {0}, none = {0};

	assert_int_equal(ow_ca_bundle_read(CA("good.pem"), "--webhook-ca", &a, err, sizeof(err)),
			 0);
	assert_non_null(a.pem);
	assert_int_equal(a.len, 611);
	assert_int_equal(strlen(a.pem), a.len); /* NUL-terminated */
	assert_int_equal(strncmp(a.pem, "-----BEGIN CERTIFICATE-----\n", 28), 0);
	assert_int_equal(ow_ca_bundle_read(CA("bundle-crlf.pem"), "x", &b, err, sizeof(err)), 0);
	assert_int_equal(b.len, 1296);
	assert_true(ow_ca_bundle_equal(&a, &a));
	assert_false(ow_ca_bundle_equal(&a, &b));
	assert_false(ow_ca_bundle_equal(&a, &none));
	assert_true(ow_ca_bundle_equal(&none, &none));
	ow_ca_bundle_free(&a);
	assert_null(a.pem);
	assert_int_equal(a.len, 0);
	ow_ca_bundle_free(&b);
	ow_ca_bundle_free(&b); /* twice is harmless */
}

/* One line, starting with the name, naming the file and what is wrong with it. */
static void expect_read_error(const char *path, int rc, const char *what)
{
	struct ow_ca_bundle b = {0};
	char prefix[300];

	memset(err, 0, sizeof(err));
	assert_int_equal(ow_ca_bundle_read(path, "--webhook-ca", &b, err, sizeof(err)), rc);
	assert_null(b.pem);
	assert_null(strchr(err, '\n'));
	snprintf(prefix, sizeof(prefix), "--webhook-ca: '%s'", path);
	if (strncmp(err, prefix, strlen(prefix)) && strncmp(err, "--webhook-ca: cannot read '", 27))
		fail_msg("error '%s' does not start with the name", err);
	if (!strstr(err, path))
		fail_msg("error '%s' does not name %s", err, path);
	if (!strstr(err, what))
		fail_msg("error '%s' does not say '%s'", err, what);
}

static void test_read_errors(void **state)
{
	expect_read_error(CA("no-such.pem"), -ENOENT, "No such file or directory");
	expect_read_error(CA(""), -EINVAL, "not a regular file"); /* the directory */
	expect_read_error("/dev/null", -EINVAL, "not a regular file");
	expect_read_error(CA("empty.pem"), -EINVAL, "holds no PEM certificate");
	expect_read_error(CA("der.crt"), -EINVAL, "holds no PEM certificate");
	expect_read_error(CA("public-key.pem"), -EINVAL, "holds no PEM certificate");
	expect_read_error(CA("truncated.pem"), -EINVAL, "line 1: malformed");
	expect_read_error(CA("bad-base64.pem"), -EINVAL, "line 4: malformed");
	expect_read_error(CA("empty-body.pem"), -EINVAL, "line 2: malformed");
}

/* Past 1 MiB it is not a CA bundle: a sparse file, so nothing is written. */
static void test_read_too_large(void **state)
{
	char path[] = "/tmp/ow-ca-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, OW_CA_BUNDLE_MAX + 1), 0);
	close(fd);
	expect_read_error(path, -EFBIG, "larger than 1024 KiB");
	unlink(path);
}

/* A FIFO is refused at once, not opened and waited on. */
static void test_read_fifo(void **state)
{
	char dir[] = "/tmp/ow-ca-XXXXXX", path[64];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ca.pem", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(10);
	expect_read_error(path, -EINVAL, "not a regular file");
	alarm(0);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_counts_certificates),
		cmocka_unit_test(test_check_rejects),
		cmocka_unit_test(test_read_good),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_read_too_large),
		cmocka_unit_test(test_read_fifo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
