/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The --metrics-listen setting: a loopback address and port, parsed when the options are read
 * (the HTTP server of metrics/metrics_http.h listens on it).
 */
#ifndef OW_LISTEN_ADDR_H
#define OW_LISTEN_ADDR_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

struct ow_listen_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/*
 * Parse "127.0.0.1:PORT", "[::1]:PORT" or "localhost:PORT" (a loopback address, port 1 to
 * 65535). Pure. 0, or -EINVAL with one line in err.
 */
int ow_listen_addr_parse(const char *s, struct ow_listen_addr *out, char *err, size_t errlen);

#endif /* OW_LISTEN_ADDR_H */
