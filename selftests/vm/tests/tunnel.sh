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

# copy_over FROM TO ADDR PORT: 2 MiB of random bytes from FROM to TO (at
# ADDR) over TCP through the tunnel; TO must receive exactly those bytes.
copy_over() {
	local from=$1 to=$2 addr=$3 port=$4 pid want
	head -c $((2 << 20)) /dev/urandom >"$TMPDIR/payload"
	want="$((2 << 20)) $(sha256sum <"$TMPDIR/payload" | cut -d' ' -f1)"
	in_ns "$to" python3 "$TOP/selftests/vm/tcp-copy.py" recv "$addr" "$port" \
		>"$TMPDIR/arrived" &
	pid=$!
	in_ns "$from" python3 "$TOP/selftests/vm/tcp-copy.py" send "$addr" "$port" \
		"$TMPDIR/payload"
	wait $pid
	assert_eq "$(cat "$TMPDIR/arrived")" "$want" "bytes and SHA-256 of 2 MiB from $from to $to"
}

# 2 MiB each way, checked byte for byte, however long that takes (the debug
# kernel is slow); then iperf3's throughput each way, for the record
# (iperf3 -n stops its receiver when the sender has written the last byte,
# so what it counts as received is no proof of delivery).  Not on the debug
# kernel: its figures say nothing, and its 4 MiB cost a minute there.
copy_then_iperf() {
	copy_over a b 10.10.0.2 5301
	copy_over b a 10.10.0.1 5302
	if [ "$PTUN_SLOW" -gt 1 ]; then
		echo "# iperf3 not run: a kernel $PTUN_SLOW times slower"
		return
	fi
	in_ns b iperf3 -s -D -1 -p 5201 >/dev/null
	sleep 0.5
	in_ns a iperf3 -c 10.10.0.2 -p 5201 -n 2M -J >"$TMPDIR/up.json"
	in_ns b iperf3 -s -D -1 -p 5202 >/dev/null
	sleep 0.5
	in_ns a iperf3 -c 10.10.0.2 -p 5202 -n 2M -R -J >"$TMPDIR/down.json"
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
	copy_then_iperf
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
	copy_then_iperf
	counters_agree
}

wireguard_initiates_to_ptun() {
	two_hosts wireguard ptun
	traffic_both_ways
	copy_then_iperf
	counters_agree
}

wireguard_ptun_outer_ipv6() {
	OUTER=6 two_hosts wireguard ptun
	ping_ok a fd10::2
	ping_ok b 10.10.0.1
	counters_agree
}

scenario "ptun <-> ptun: ping v4/v6 both ways, 2 MiB over TCP each way, counters agree" ptun_ptun
scenario "ptun <-> ptun over IPv6 endpoints" ptun_ptun_outer_ipv6
scenario "ptun initiates to WireGuard: ping, 2 MiB over TCP each way, counters agree" ptun_initiates_to_wireguard
scenario "WireGuard initiates to ptun: ping, 2 MiB over TCP each way, counters agree" wireguard_initiates_to_ptun
scenario "WireGuard <-> ptun over IPv6 endpoints" wireguard_ptun_outer_ipv6
finish
