// SPDX-License-Identifier: GPL-2.0
/* libcurl through dlopen: see userspace/alerts/curl_dl.h. */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

#include "curl_dl.h"
#include "log.h"

struct ow_curl_api ow_curl;

#define SYM(field, name)                                                                           \
	{                                                                                          \
		offsetof(struct ow_curl_api, field), name                                          \
	}

static const struct {
	size_t off;
	const char *name;
} syms[] = {
	SYM(global_init, "curl_global_init"),
	SYM(easy_init, "curl_easy_init"),
	SYM(easy_cleanup, "curl_easy_cleanup"),
	SYM(easy_setopt, "curl_easy_setopt"),
	SYM(easy_getinfo, "curl_easy_getinfo"),
	SYM(easy_perform, "curl_easy_perform"),
	SYM(easy_strerror, "curl_easy_strerror"),
	SYM(multi_init, "curl_multi_init"),
	SYM(multi_add_handle, "curl_multi_add_handle"),
	SYM(multi_remove_handle, "curl_multi_remove_handle"),
	SYM(multi_info_read, "curl_multi_info_read"),
	SYM(multi_perform, "curl_multi_perform"),
	SYM(multi_poll, "curl_multi_poll"),
	SYM(slist_append, "curl_slist_append"),
	SYM(slist_free_all, "curl_slist_free_all"),
	SYM(version_info, "curl_version_info"),
};

int ow_curl_load(void)
{
	void *lib;
	size_t i;

	if (ow_curl.global_init)
		return 0;
	lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		ow_log(OW_LOG_ERROR, "alerter", "cannot load libcurl: no alerts can be sent",
		       OW_STR("error", dlerror()));
		return -ENOENT;
	}
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *fn = dlsym(lib, syms[i].name);

		if (!fn) {
			ow_log(OW_LOG_ERROR, "alerter", "libcurl lacks a function",
			       OW_STR("function", syms[i].name));
			return -ENOENT;
		}
		*(void **)((char *)&ow_curl + syms[i].off) = fn;
	}
	return 0;
}
