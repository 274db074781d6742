// SPDX-License-Identifier: GPL-2.0
/*
 * One alert message as one HTTP POST through libcurl (loaded by curl_dl.c in the sender
 * child only), TLS verification always on, and what the answer means for a retry. Used by the
 * sender child (alert_queue.c) and alert-test (alert_sender.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curl_dl.h"

#include "alert.h"
#include "alert_sender.h"
#include "alert_sender_int.h"
#include "log.h"
#include "readfile.h"

#ifndef OW_VERSION
#define OW_VERSION "dev"
#endif

/* ---- TLS ---- */

/*
 * Verification is always on, set explicitly so that no default can turn it off. With a bundle
 * it is the only trust: libcurl reads CURLOPT_CAINFO_BLOB from memory (the file was read before
 * the drop to nobody; a CURLOPT_CAINFO path is opened when libcurl connects, after the drop, and
 * fails on a file only root may read: "error setting certificate file"), and the built-in CA
 * file and directory are cleared: a blob replaces only the file, and Debian's libcurl (built
 * --with-ca-path=/etc/ssl/certs) would still trust that directory beside it.
 */
static CURLcode set_tls(CURL *easy, const struct curl_blob *ca)
{
	CURLcode rc = curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);

	if (rc == CURLE_OK)
		rc = curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	if (rc == CURLE_OK && ca)
		rc = curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, ca);
	if (rc == CURLE_OK && ca)
		rc = curl_easy_setopt(easy, CURLOPT_CAINFO, (char *)NULL);
	if (rc == CURLE_OK && ca)
		rc = curl_easy_setopt(easy, CURLOPT_CAPATH, (char *)NULL);
	return rc;
}

/* A libcurl older than 7.77, or one whose TLS library takes no CA blob (GnuTLS), refuses the
 * bundle: found once at start with the reason, rather than at every alert. 0 or -ENOTSUP. */
int ow_http_check_tls(const struct curl_blob *ca, char *why, size_t len)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	CURL *easy = curl_easy_init();
	CURLcode rc;

	if (!easy)
		return -ENOMEM;
	rc = set_tls(easy, ca);
	curl_easy_cleanup(easy);
	if (rc == CURLE_OK)
		return 0;
	snprintf(why, len,
		 "libcurl %s (%s) cannot verify with webhook_ca: %s (needs libcurl 7.77 or later "
		 "with OpenSSL)",
		 v->version, v->ssl_version ? v->ssl_version : "no TLS", curl_easy_strerror(rc));
	return -ENOTSUP;
}

/* The bundle as libcurl takes it; NULL without one. NOCOPY: the bytes live as long as we do. */
const struct curl_blob *ow_http_ca_blob(const struct ow_alerter_cfg *cfg, struct curl_blob *b)
{
	if (!cfg->ca_pem)
		return NULL;
	*b = (struct curl_blob){(void *)cfg->ca_pem, cfg->ca_len, CURL_BLOB_NOCOPY};
	return b;
}

/* ---- one HTTP request ---- */

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	return size * n; /* receivers' answers are not ours to print */
}

void ow_http_request_free(struct ow_http_request *r)
{
	if (r->easy)
		curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->hdrs);
	ow_payload_free(&r->pl);
	r->easy = NULL;
	r->hdrs = NULL;
}

#define TOKEN_MAX (16 * 1024)

/* "Authorization: Bearer TOKEN" from the token file, read now: the kubelet rotates the token
 * in place (bound service account tokens last an hour). Read as the sender's user: the
 * kubelet's token files are 0644 by default. */
static int read_bearer(struct ow_http_request *r, const char *file)
{
	struct curl_slist *l = NULL;
	char *tok = NULL, *hdr;
	ssize_t n = ow_read_untrusted(AT_FDCWD, file, 0, TOKEN_MAX, &tok);

	if (n < 0)
		return (int)n;
	while (n && (tok[n - 1] == '\n' || tok[n - 1] == '\r' || tok[n - 1] == ' '))
		tok[--n] = '\0';
	if (!n || strpbrk(tok, "\r\n")) {
		free(tok);
		return -EINVAL;
	}
	hdr = malloc((size_t)n + 32);
	if (hdr) {
		snprintf(hdr, (size_t)n + 32, "Authorization: Bearer %s", tok);
		l = curl_slist_append(r->hdrs, hdr);
		if (l)
			r->hdrs = l;
	}
	free(tok);
	free(hdr);
	return l ? 0 : -ENOMEM;
}

/* The token, or one line that names its file (the caller logs that the request was not built). */
static int bearer(struct ow_http_request *r, const char *file)
{
	int err = read_bearer(r, file);

	if (err)
		ow_log(OW_LOG_ERROR, "alert_token", "cannot read the Kubernetes token",
		       OW_STR("file", file), OW_STR("error", strerror(-err)));
	return err;
}

/* What every request sets alike: headers, agent, timeouts, errors, TLS. */
static int common_options(struct ow_http_request *r, unsigned int timeout_ms,
			  const struct curl_blob *ca)
{
	curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->hdrs);
	curl_easy_setopt(r->easy, CURLOPT_USERAGENT, "oomwarden/" OW_VERSION);
	curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, r->errbuf);
	if (set_tls(r->easy, ca) != CURLE_OK)
		return -ENOTSUP; /* check_tls said so at start already */
	return r->hdrs ? 0 : -ENOMEM;
}

int ow_http_request_init(struct ow_http_request *r, const struct ow_webhook_target *t,
			 const struct ow_alert *a, unsigned int n, unsigned int timeout_ms,
			 const struct curl_blob *ca)
{
	char ctype[128];
	unsigned int i;
	int err = ow_alert_coalesce(t, a, n, &r->pl);

	if (!err && t->token_file[0])
		err = bearer(r, t->token_file);
	if (err)
		return err;
	r->easy = curl_easy_init();
	if (!r->easy)
		return -ENOMEM;
	snprintf(ctype, sizeof(ctype), "Content-Type: %s", r->pl.content_type);
	r->hdrs = curl_slist_append(r->hdrs, ctype);
	for (i = 0; i < r->pl.nheaders; i++)
		r->hdrs = curl_slist_append(r->hdrs, r->pl.headers[i]);
	/* No "100 continue" round trip: it costs a second against receivers that skip it. */
	r->hdrs = curl_slist_append(r->hdrs, "Expect:");
	r->errbuf[0] = '\0';
	curl_easy_setopt(r->easy, CURLOPT_URL, r->pl.url[0] ? r->pl.url : t->url);
	curl_easy_setopt(r->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->pl.body);
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE, (long)r->pl.len);
	curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, discard);
	return common_options(r, timeout_ms, ca);
}

/* ---- a request to the Kubernetes API (pod_delete.c) ---- */

#define BODY_MAX (1 << 20) /* a Pod's JSON is a few kB; managedFields can make it tens */

static size_t keep(char *p, size_t size, size_t n, void *ud)
{
	struct ow_http_body *b = ud;
	size_t len = size * n;
	char *nb;

	if (b->len + len > BODY_MAX) {
		b->truncated = true;
		return 0; /* ends the transfer: CURLE_WRITE_ERROR */
	}
	nb = realloc(b->buf, b->len + len + 1);
	if (!nb)
		return 0;
	b->buf = nb;
	memcpy(b->buf + b->len, p, len);
	b->len += len;
	b->buf[b->len] = '\0';
	return len;
}

void ow_http_body_free(struct ow_http_body *b)
{
	free(b->buf);
	*b = (struct ow_http_body){0};
}

int ow_http_api_init(struct ow_http_request *r, const char *url, const char *body,
		     const char *token_file, unsigned int timeout_ms, const struct curl_blob *ca,
		     struct ow_http_body *out)
{
	int err = bearer(r, token_file);

	if (err)
		return err;
	r->easy = curl_easy_init();
	if (!r->easy)
		return -ENOMEM;
	r->hdrs = curl_slist_append(r->hdrs, "Accept: application/json");
	if (body)
		r->hdrs = curl_slist_append(r->hdrs, "Content-Type: application/json");
	r->hdrs = curl_slist_append(r->hdrs, "Expect:");
	r->errbuf[0] = '\0';
	curl_easy_setopt(r->easy, CURLOPT_URL, url);
	curl_easy_setopt(r->easy, CURLOPT_PROTOCOLS_STR, "https");
	if (body) {
		curl_easy_setopt(r->easy, CURLOPT_CUSTOMREQUEST, "DELETE");
		curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, out);
	return common_options(r, timeout_ms, ca);
}

enum ow_http_outcome ow_http_classify(CURLcode rc, long status)
{
	if (rc != CURLE_OK)
		return OW_HTTP_RETRY; /* connection refused, timeout, TLS: the receiver may come
					 back */
	if (status >= 200 && status < 300)
		return OW_HTTP_DELIVERED;
	if (status == 429 || status == 408 || status >= 500)
		return OW_HTTP_RETRY;
	return OW_HTTP_GIVE_UP; /* 4xx: a wrong URL or token stays wrong */
}

void ow_http_test_one(const struct ow_webhook_target *t, unsigned int timeout_ms,
		      const struct curl_blob *ca, struct ow_alert_test_result *res)
{
	struct ow_http_request r = {0};
	struct ow_alert a;
	CURLcode rc;
	int err;

	ow_alert_init(&a, OW_ALERT_TEST);
	ow_alert_incident_id(a.incident, sizeof(a.incident), a.host, 0, a.time_ns);
	snprintf(a.reason, sizeof(a.reason), "oomwarden alert-test");
	memset(res, 0, sizeof(*res));
	err = ow_http_request_init(&r, t, &a, 1, timeout_ms, ca);
	if (err) {
		snprintf(res->error, sizeof(res->error), "%s", strerror(-err));
		ow_http_request_free(&r);
		return;
	}
	rc = curl_easy_perform(r.easy);
	curl_easy_getinfo(r.easy, CURLINFO_RESPONSE_CODE, &res->http_status);
	if (rc != CURLE_OK)
		snprintf(res->error, sizeof(res->error), "%s",
			 r.errbuf[0] ? r.errbuf : curl_easy_strerror(rc));
	else if (res->http_status < 200 || res->http_status >= 300)
		snprintf(res->error, sizeof(res->error), "HTTP %ld", res->http_status);
	ow_http_request_free(&r);
}
