// SPDX-License-Identifier: GPL-2.0
/* The --metrics-listen address: see userspace/config/listen_addr.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listen_addr.h"

static int fail(char *err, size_t errlen, const char *why, const char *s)
{
	snprintf(err, errlen, "invalid value for --metrics-listen: '%s' (%s)", s, why);
	return -EINVAL;
}

static int parse_port(const char *p, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(p, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int ow_listen_addr_parse(const char *s, struct ow_listen_addr *out, char *err, size_t errlen)
{
	const char *colon = strrchr(s, ':');
	struct sockaddr_in *v4 = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->ss;
	char host[64];
	size_t hlen;
	uint16_t port;

	memset(out, 0, sizeof(*out));
	if (!colon || parse_port(colon + 1, &port))
		return fail(err, errlen, "ADDRESS:PORT, port 1 to 65535", s);
	hlen = (size_t)(colon - s);
	if (hlen >= sizeof(host) || !hlen)
		return fail(err, errlen, "ADDRESS:PORT with a loopback address", s);
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		if ((ntohl(v4->sin_addr.s_addr) >> 24) != 127)
			goto not_loopback;
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		out->len = sizeof(*v4);
		return 0;
	}
	if (hlen > 2 && host[0] == '[' && host[hlen - 1] == ']') {
		host[hlen - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &v6->sin6_addr) == 1) {
			if (!IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr))
				goto not_loopback;
			v6->sin6_family = AF_INET6;
			v6->sin6_port = htons(port);
			out->len = sizeof(*v6);
			return 0;
		}
	}
	return fail(err, errlen, "ADDRESS:PORT with a numeric loopback address", s);
not_loopback:
	return fail(err, errlen,
		    "only loopback addresses: the endpoint has no authentication; use a proxy, "
		    "or --metrics-file with node_exporter",
		    s);
}
