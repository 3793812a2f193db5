#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ifupdown hook: removes the ptun device the if-pre-up.d hook created.
[ -n "$IF_PTUN_CONFIG" ] || exit 0
[ "$MODE" = stop ] || exit 0
if ip link show dev "$IFACE" >/dev/null 2>&1; then
	ip link delete dev "$IFACE"
fi
