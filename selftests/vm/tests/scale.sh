#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tens of thousands of peers: setconf takes them all, the dump gives them
# all back, memory per peer is measured, traffic to one of them costs about
# what it cost with one peer (within a factor of ten: make bench-scale gives
# the figures), and removing them all is quick and keeps RTNL only briefly.
. "$(dirname "$0")/../lib.sh"
. "$TOP/selftests/bench/scale-lib.sh"

# many_peers N: a gets N peers (b among them) from one setconf, then loses them.
many_peers() {
	local n=$1 kb0 kb1 set_ms del_ms rtnl_idle rtnl_ms kpps1 kppsn kpps1b
	two_hosts ptun ptun
	ping_ok a 10.10.0.2
	kpps1=$(udp_kpps 3)
	scale_conf "$n" "$TMPDIR/many.conf"
	scale_conf 1 "$TMPDIR/one.conf"

	kb0=$(kernel_kb)
	set_ms=$(ms_of ptunctl setconf tun0 "$TMPDIR/many.conf")
	kb1=$(kernel_kb)
	dump_matches "$TMPDIR/many.conf"
	ping_ok a 10.10.0.2
	kppsn=$(udp_kpps 3)

	rtnl_probe_start
	rtnl_idle=$(rtnl_probe_stop)
	rtnl_probe_start
	del_ms=$(ms_of ptunctl setconf tun0 "$TMPDIR/one.conf")
	rtnl_ms=$(rtnl_probe_stop)
	dump_matches "$TMPDIR/one.conf"
	ping_ok a 10.10.0.2
	# Before and after, against drift in a shared machine's speed.
	kpps1b=$(udp_kpps 3)

	echo "# $n peers: setconf $set_ms ms, $(((kb1 - kb0) * 1024 / (n - 1))) bytes per peer;" \
	     "UDP $kpps1 and $kpps1b kpps with 1 peer, $kppsn kpps with $n;" \
	     "removing them $del_ms ms, RTNL waited at most $rtnl_ms ms (idle: $rtnl_idle ms)"
	# Speed is make bench-scale's to measure; this only catches per-packet
	# work that grows with the peer count (a walk over 10,000 peers would
	# cost hundreds of times more), with room for a busy machine's noise:
	# single 3 s samples with one peer differed by 20% in one CI run.
	/usr/bin/python3 -c "import sys; sys.exit(not $kppsn >= 0.05 * ($kpps1 + $kpps1b))" ||
		fail "a packet costs ten times as much among $n peers as with one"
	# Removal holds RTNL only to unhook the peers and for the NAPI teardown
	# (RTNL guards the device's NAPI list); under TCG, briefly means within
	# a few seconds for 50,000 peers.
	speed_bound "$rtnl_ms" $((rtnl_idle + 3000)) "the longest wait for RTNL, in ms"
}

# The device goes while a SET releases the 10,000 peers it removed: the
# release runs after the SET has dropped RTNL and the device's lock, so
# the deletion can overtake it; the SET must finish, the device and every
# peer must go (the rig then checks the kernel log and the module unload).
removal_meets_deletion() {
	local del_ms gone_ms rc pinger setter
	two_hosts ptun ptun
	scale_conf 10000 "$TMPDIR/many.conf"
	scale_conf 1 "$TMPDIR/one.conf"
	in_ns a ptunctl setconf tun0 "$TMPDIR/many.conf"
	del_ms=$(ms_of ptunctl setconf tun0 "$TMPDIR/one.conf")
	in_ns a ptunctl setconf tun0 "$TMPDIR/many.conf"
	in_ns a ping -q -i 0.01 -w 600 10.10.0.2 >/dev/null 2>&1 &
	pinger=$!
	in_ns a ptunctl setconf tun0 "$TMPDIR/one.conf" 2>"$TMPDIR/err" &
	setter=$!
	# The peers are unhooked first, released after: aim at the release.
	sleep "$(awk -v ms="$del_ms" 'BEGIN { printf "%.3f", ms * 0.6 / 1000 }')"
	gone_ms=$(ms_of ip link del tun0)
	rc=0
	wait $setter || rc=$?
	kill $pinger 2>/dev/null || true
	echo "# removing 10,000 peers took $del_ms ms; the deletion, sent at 60% of" \
	     "that, took $gone_ms ms; setconf: exit $rc"
	[ $rc = 0 ] || [ "$(wc -l <"$TMPDIR/err")" = 1 ] ||
		fail "setconf failed without a one-line reason (exit $rc): $(cat "$TMPDIR/err")"
	! in_ns a ip link show tun0 >/dev/null 2>&1 || fail "tun0 is still there"
	# The module is in a sane state: a new device takes a configuration.
	ip -n a link add dev tun0 type ptun
	in_ns a ptunctl setconf tun0 "$TMPDIR/one.conf"
	dump_matches "$TMPDIR/one.conf"
}

ten_thousand_peers() {
	many_peers 10000
}

fifty_thousand_peers() {
	many_peers 50000
}

scenario "10,000 peers with 2 allowed IPs each: setconf, dump, per-packet cost, quick removal" \
	ten_thousand_peers
scenario "a device deleted while a setconf releases the 10,000 peers it removed" \
	removal_meets_deletion
scenario "50,000 peers with 2 allowed IPs each: setconf, dump, per-packet cost, quick removal" \
	fifty_thousand_peers
finish
