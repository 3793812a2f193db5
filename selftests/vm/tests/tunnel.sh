#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Traffic through the tunnel: ptun with ptun and with WireGuard, each side
# starting, over IPv4 and IPv6 on both layers.
. "$(dirname "$0")/../lib.sh"

# a starts: its first packet triggers the handshake.
traffic_both_ways() {
	ping_ok a 10.10.0.2
	ping_ok a fd10::2
	ping_ok b 10.10.0.1
	ping_ok b fd10::1
}

counters_agree() {
	local rx_a tx_a rx_b tx_b try
	# A keepalive may be on its way while we read: read again then.
	for try in 1 2 3; do
		read -r _ rx_a tx_a <<<"$(tun_show a transfer)"
		read -r _ rx_b tx_b <<<"$(tun_show b transfer)"
		[ "$rx_a" = "$tx_b" ] && [ "$rx_b" = "$tx_a" ] && break
		sleep 1
	done
	echo "a: rx $rx_a tx $tx_a; b: rx $rx_b tx $tx_b"
	[ "$rx_a" -gt 0 ] && [ "$tx_a" -gt 0 ] || fail "no bytes counted on a"
	assert_eq "$rx_a" "$tx_b" "bytes a received vs bytes b sent"
	assert_eq "$rx_b" "$tx_a" "bytes b received vs bytes a sent"
	[ "$(tun_show a latest-handshakes | cut -f2)" -gt 0 ] || fail "no handshake time on a"
	[ "$(tun_show b latest-handshakes | cut -f2)" -gt 0 ] || fail "no handshake time on b"
}

# tun0_rx NS: inner bytes NS's tun0 has handed to its stack.
tun0_rx() {
	in_ns "$1" cat /sys/class/net/tun0/statistics/rx_bytes
}

# iperf_one PORT RECEIVER FILE [-R]: a sends 2 MiB to b (b to a with -R)
# and RECEIVER's tun0 must take them in: iperf3's own receiver figure
# stops at its last whole interval, so the device's counter is the proof.
iperf_one() {
	local port=$1 rcv=$2 out=$3 before after
	shift 3
	in_ns b iperf3 -s -D -1 -p "$port" >/dev/null
	sleep 0.5
	before=$(tun0_rx "$rcv")
	in_ns a iperf3 -c 10.10.0.2 -p "$port" -n 2M -J "$@" >"$out" ||
		fail "iperf3 to port $port: exit $?"
	after=$(tun0_rx "$rcv")
	[ $((after - before)) -ge $((2 << 20)) ] ||
		fail "$rcv's tun0 took in $((after - before)) bytes, not 2 MiB"
}

# 2 MiB each way (iperf3's M is 2^20), however long that takes (the debug
# kernel is slow).
iperf_both_ways() {
	iperf_one 5201 b "$TMPDIR/up.json"
	iperf_one 5202 a "$TMPDIR/down.json" -R
	python3 - "$TMPDIR/up.json" "$TMPDIR/down.json" <<'PY'
import json, sys
for path in sys.argv[1:]:
    end = json.load(open(path))["end"]
    bits = end["sum_received"]["bits_per_second"]
    print("%s: %.1f Mbit/s" % (path.rsplit("/", 1)[1], bits / 1e6))
    sent = end["sum_sent"]["bytes"]
    assert sent >= 2 << 20, "iperf3 sent %d bytes, not 2 MiB" % sent
PY
}

ptun_ptun() {
	two_hosts ptun ptun
	traffic_both_ways
	iperf_both_ways
	counters_agree
}

ptun_ptun_outer_ipv6() {
	OUTER=6 two_hosts ptun ptun
	traffic_both_ways
	counters_agree
	assert_match "$(tun_show a endpoints)" '\[fd00:241::2\]:51822' "endpoint"
}

ptun_initiates_to_wireguard() {
	two_hosts ptun wireguard
	traffic_both_ways
	iperf_both_ways
	counters_agree
}

wireguard_initiates_to_ptun() {
	two_hosts wireguard ptun
	traffic_both_ways
	iperf_both_ways
	counters_agree
}

wireguard_ptun_outer_ipv6() {
	OUTER=6 two_hosts wireguard ptun
	ping_ok a fd10::2
	ping_ok b 10.10.0.1
	counters_agree
}

scenario "ptun <-> ptun: ping v4/v6 both ways, iperf3 both ways, counters agree" ptun_ptun
scenario "ptun <-> ptun over IPv6 endpoints" ptun_ptun_outer_ipv6
scenario "ptun initiates to WireGuard: ping, iperf3, counters agree" ptun_initiates_to_wireguard
scenario "WireGuard initiates to ptun: ping, iperf3, counters agree" wireguard_initiates_to_ptun
scenario "WireGuard <-> ptun over IPv6 endpoints" wireguard_ptun_outer_ipv6
finish
