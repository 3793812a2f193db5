#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ifupdown hook: an interface whose stanza has "ptun-config FILE" is a ptun
# device configured from FILE (ptunctl setconf's format; ptun-quick's own
# keys such as Address are left to the stanza and ignored here):
#
#	auto pt0
#	iface pt0 inet static
#		address 10.8.0.2/24
#		ptun-config /etc/ptun/pt0.conf
set -e
[ -n "$IF_PTUN_CONFIG" ] || exit 0
[ "$MODE" = start ] || exit 0
# A package removed but not purged leaves this hook (a conffile) behind.
[ -x @SBINDIR@/ptun-quick ] || exit 0

ip link add dev "$IFACE" type ptun
if ! @SBINDIR@/ptun-quick strip "$IF_PTUN_CONFIG" >/dev/null ||
   ! bash -c 'exec "$1"/ptunctl setconf "$2" <(exec "$1"/ptun-quick strip "$3")' \
	sh @SBINDIR@ "$IFACE" "$IF_PTUN_CONFIG"; then
	ip link delete dev "$IFACE"
	exit 1
fi
