/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libcurl, loaded with dlopen() in the alert sender child only. Linking it would map libcurl
 * and its ~30 dependencies (TLS, HTTP/2, LDAP, ...) into the daemon itself, where the loader
 * touches and mlockall() then pins their pages: ~5 MiB of resident memory the kill path never
 * uses. Include this instead of <curl/curl.h>; the curl_* calls below go through the table.
 */
#ifndef OW_CURL_DL_H
#define OW_CURL_DL_H

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

struct ow_curl_api {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *h);
	CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	CURLcode (*easy_perform)(CURL *h);
	const char *(*easy_strerror)(CURLcode rc);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *h);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *h);
	CURLMsg *(*multi_info_read)(CURLM *m, int *left);
	CURLMcode (*multi_perform)(CURLM *m, int *running);
	CURLMcode (*multi_poll)(CURLM *m, struct curl_waitfd *fds, unsigned int n, int ms,
				int *ret);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
	curl_version_info_data *(*version_info)(CURLversion v);
};

extern struct ow_curl_api ow_curl;

/* dlopen libcurl.so.4 and resolve the table; 0, or -ENOENT with a log line. Idempotent. */
int ow_curl_load(void);

/* curl.h defines these two as function-like macros even without its type checks. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init	 ow_curl.global_init
#define curl_easy_init		 ow_curl.easy_init
#define curl_easy_cleanup	 ow_curl.easy_cleanup
#define curl_easy_setopt	 ow_curl.easy_setopt
#define curl_easy_getinfo	 ow_curl.easy_getinfo
#define curl_easy_perform	 ow_curl.easy_perform
#define curl_easy_strerror	 ow_curl.easy_strerror
#define curl_multi_init		 ow_curl.multi_init
#define curl_multi_add_handle	 ow_curl.multi_add_handle
#define curl_multi_remove_handle ow_curl.multi_remove_handle
#define curl_multi_info_read	 ow_curl.multi_info_read
#define curl_multi_perform	 ow_curl.multi_perform
#define curl_multi_poll		 ow_curl.multi_poll
#define curl_slist_append	 ow_curl.slist_append
#define curl_slist_free_all	 ow_curl.slist_free_all
#define curl_version_info	 ow_curl.version_info

#endif /* OW_CURL_DL_H */
