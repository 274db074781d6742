#!/bin/sh
# Alert delivery against loopback receivers (tests/alert/alert_test.c, tls_test.c). Builds only
# the alert sources it needs, so it runs whatever state the rest of the daemon is in; the
# checks of the oomwarden binary's alert-test over HTTPS need build/oomwarden (make).
# The last line is "alert: N passed, N failed"; exits 1 on failure.
set -eu
cd "$(dirname "$0")/../.."

out=build/alert-test
mkdir -p "$out"
# The alert sender stands alone: alerts/, the small lib/, the webhook targets and the CA reader,
# and of core/ what a pod's deletion judges by (pod_delete.c, kube_names.c); nothing else.
${CC:-cc} -D_GNU_SOURCE -Iinclude -Ibuild -Iuserspace/alerts -Iuserspace/lib -Iuserspace/config \
	-Iuserspace/core \
	-DOW_VERSION='"test"' -O2 -g \
	-Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
	tests/alert/alert_test.c tests/alert/tls_test.c userspace/alerts/*.c userspace/lib/*.c \
	userspace/config/webhook.c userspace/config/ca_bundle.c userspace/core/pod_delete.c \
	userspace/core/kube_names.c \
	-lcjson -lm -o "$out/alert_test"

if ! command -v python3 >/dev/null 2>&1; then
	if [ -n "${CI:-}" ]; then
		echo "alert: python3 is missing"; echo "alert: 0 passed, 1 failed"; exit 1
	fi
	echo "SKIP alert: python3 is missing (the loopback receiver needs it)"
	echo "alert: 0 passed, 0 failed"
	exit 0
fi
# HTTPS: a throwaway CA and two server certificates it signs, for 127.0.0.1/localhost and for a
# name the receiver does not have; a copy of the CA only root may read. The directory is
# world-searchable so that only the copy's mode keeps the unprivileged sender out.
if ! command -v openssl >/dev/null 2>&1; then
	if [ -n "${CI:-}" ]; then
		echo "alert: openssl is missing"; echo "alert: 0 passed, 1 failed"; exit 1
	fi
	echo "SKIP alert https: openssl is missing (it makes the test certificates)"
	exec "$out/alert_test" tests/alert/receiver.py
fi
tls=$(mktemp -d /tmp/ow-alert-tls.XXXXXX)
trap 'rm -rf "$tls"' EXIT
trap 'exit 130' INT TERM
chmod 755 "$tls"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tls/$1.key"; }
key ca
openssl req -x509 -new -key "$tls/ca.key" -days 2 -subj "/CN=oomwarden alert test CA" \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
	-out "$tls/ca.pem" 2>/dev/null
for cert in server:IP:127.0.0.1,DNS:localhost wrong-name:DNS:wrong.example; do
	name=${cert%%:*}
	key "$name"
	openssl req -new -key "$tls/$name.key" -subj "/CN=$name" -out "$tls/$name.csr" 2>/dev/null
	printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "${cert#*:}" >"$tls/$name.ext"
	openssl x509 -req -in "$tls/$name.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
		-CAcreateserial -days 2 -extfile "$tls/$name.ext" -out "$tls/$name.pem" 2>/dev/null
done
chmod 644 "$tls/ca.pem"
cp "$tls/ca.pem" "$tls/ca-root-only.pem"
chmod 600 "$tls/ca-root-only.pem"
: >"$tls/empty.conf"
bin=build/oomwarden
if [ ! -x "$bin" ]; then
	if [ -n "${CI:-}" ]; then
		echo "alert: build/oomwarden is missing (make)"; echo "alert: 0 passed, 1 failed"; exit 1
	fi
	bin=""
fi
# shellcheck disable=SC2086
"$out/alert_test" tests/alert/receiver.py "$tls" $bin
