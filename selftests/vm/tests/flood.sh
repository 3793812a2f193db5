#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A server under a handshake flood: established tunnels keep flowing, a new
# peer still gets in (through the cookie path) within 10 s, the memory the
# flood cost comes back, and the cookie path works between ptun and
# WireGuard both ways.  A flood with wrong MAC1s stops at the first check;
# one from a single address gets its rate of cookie replies and no more
# (the ratelimiter's in-module self-test checks the buckets' arithmetic,
# these the whole path).  On the debug kernel, whose server cannot drain its
# queue within REKEY_TIMEOUT, the newcomer gets in only because ptun drops
# the messages that waited too long to be worth answering (drop reason
# handshake-late).
. "$(dirname "$0")/../lib.sh"

# The flood tool: the build from selftests/flood when it is current, else
# one made here (the source tree is read-only in the guest).
flood_tool() {
	local dir=$TOP/selftests/flood
	FLOOD=$dir/flood
	if [ ! -x "$FLOOD" ] || [ "$FLOOD" -ot "$dir/flood.c" ] ||
	   [ "$FLOOD" -ot "$dir/blake2s.c" ]; then
		FLOOD=$TMPDIR/flood
		[ -x "$FLOOD" ] || cc -O2 -D_GNU_SOURCE -o "$FLOOD" "$dir/flood.c" "$dir/blake2s.c" -lsodium
	fi
}

# around_server KIND_a KIND_b KIND_c: a server a with tunnel 10.10.0.1, its
# established client b (10.10.0.2), a newcomer c (10.10.0.3, not yet
# configured) and a flooder f, each on its own veth to a (192.168.24N.0/24,
# N = 2, 3, 4).  f's flood comes from 10.99.0.0/16: a routes it back to f,
# where it is local, so f sees the cookie replies.
around_server() {
	KIND_a=$1 KIND_b=$2 KIND_c=$3
	local h n
	netns_add a b c f
	n=2
	for h in b c f; do
		ip link add veth-a$h netns a type veth peer name veth-$h netns $h
		ip -n a addr add 192.168.24$n.1/24 dev veth-a$h
		ip -n $h addr add 192.168.24$n.2/24 dev veth-$h
		ip -n a link set veth-a$h up
		ip -n $h link set veth-$h up
		n=$((n + 1))
	done
	ip -n a route add 10.99.0.0/16 via 192.168.244.2
	ip -n f route add local 10.99.0.0/16 dev lo
	n=1
	for h in a b c; do
		ip -n $h link add dev tun0 type "$(eval echo \$KIND_$h)"
		ip -n $h addr add 10.10.0.$n/24 dev tun0
		(umask 077; ptunctl genkey >"$TMPDIR/key-$h")
		eval "PUB_$h=\$(ptunctl pubkey <\$TMPDIR/key-$h)"
		ip -n $h link set tun0 up
		n=$((n + 1))
	done
	in_ns a "$(tool_for "$KIND_a")" set tun0 private-key "$TMPDIR/key-a" \
		listen-port 51820 peer "$PUB_b" allowed-ips 10.10.0.2/32
	in_ns b "$(tool_for "$KIND_b")" set tun0 private-key "$TMPDIR/key-b" \
		peer "$PUB_a" endpoint 192.168.242.1:51820 allowed-ips 10.10.0.0/24
	ping_ok b 10.10.0.1
	flood_tool
}

# start_flood: f floods a's port until end_flood stops it (at most 100 s,
# or PTUN_SLOW times that); the tool's summary goes to $TMPDIR/flood.out.
# On a slow kernel (the debug kernel), sending a packet costs about as much
# as a's Curve25519 operation: at the usual priority the flooder got no
# more CPU than a's workers, which kept up with it (236 initiations a
# second) and so were never under load.  There it runs at the top priority
# (459 a second), as the machines of a real flood would have CPUs of their
# own.
start_flood() {
	local nice=0
	[ "$PTUN_SLOW" -eq 1 ] || nice=-20
	ip netns exec f nice -n $nice "$FLOOD" -k "${FLOOD_KEY:-$PUB_a}" \
		-t 192.168.244.1:51820 -s "${FLOOD_FROM:-10.99.0.0/16}" \
		-d $((100 * PTUN_SLOW)) >"$TMPDIR/flood.out" &
	FLOOD_PID=$!
	# Long enough for the handshake queue to fill.
	sleep 2
}

# stop_flood: stop the flood and read the tool's summary: SENT
# initiations in SECS seconds, REPLIES cookie replies back.
stop_flood() {
	kill -INT "$FLOOD_PID" 2>/dev/null || true
	wait "$FLOOD_PID"
	sed "s/^/# /" "$TMPDIR/flood.out"
	read -r _ SENT _ _ SECS _ _ REPLIES _ <"$TMPDIR/flood.out"
	SECS=${SECS%.*}
}

# Stop the flood and check it was one: enough initiations, and the server
# answered some with cookie replies (so it was under load, and the MAC1s
# were right).
end_flood() {
	stop_flood
	[ "$SENT" -ge 5000 ] || fail "the flood sent only $SENT initiations"
	[ "$REPLIES" -gt 0 ] || fail "no cookie replies to $SENT initiations: the server never was under load"
}

# join_c: c becomes a's peer and pings a, which must answer within 10 s
# (a speed bound: on a slow kernel, c has PTUN_SLOW times as long to get
# in at all).  c captures what a sends it: its handshake must have met a
# cookie reply.  A flood in a small VM does not keep the queue long all
# the time; when c got in between two loaded spells, its session is
# started again (up to three times) until one handshake goes through the
# cookie path.
join_c() {
	local attempt t0 t1 ms cookies
	in_ns a "$(tool_for "$KIND_a")" set tun0 peer "$PUB_c" allowed-ips 10.10.0.3/32
	in_ns c "$(tool_for "$KIND_c")" set tun0 private-key "$TMPDIR/key-c" \
		peer "$PUB_a" endpoint 192.168.243.1:51820 allowed-ips 10.10.0.0/24
	for attempt in 1 2 3; do
		: >"$TMPDIR/tcpdump.err"
		ip netns exec c tcpdump -Z root -i veth-c -n -U -w "$TMPDIR/c.pcap" \
			'udp src port 51820' 2>"$TMPDIR/tcpdump.err" &
		CAPTURE_PID=$!
		for _ in $(seq 100); do
			! grep -q listening "$TMPDIR/tcpdump.err" || break
			sleep 0.1
		done
		t0=$(date +%s%N)
		in_ns c ping -c 1 -w $((10 * PTUN_SLOW)) -q 10.10.0.1 >/dev/null ||
			fail "c could not reach a within $((10 * PTUN_SLOW)) s"
		t1=$(date +%s%N)
		ms=$(((t1 - t0) / 1000000))
		speed_bound $((ms / 1000)) 10 "c's first ping took, in whole seconds"
		sleep 0.5
		kill "$CAPTURE_PID"
		wait "$CAPTURE_PID" || true
		cookies=$(cookie_replies_to_c)
		echo "attempt $attempt: c's first ping came back after" \
		     "$ms ms, $cookies cookie replies on the way"
		[ "$cookies" -eq 0 ] || return 0
		ip -n c link set tun0 down
		ip -n c link set tun0 up
	done
	fail "c never met a cookie reply: was a loaded?"
}

# Cookie replies (type 3, 64 bytes) c received from a.
cookie_replies_to_c() {
	tcpdump -r "$TMPDIR/c.pcap" -n 'udp[8] = 3 and udp[4:2] = 72' 2>/dev/null | wc -l
}

# iperf3 from b to a over the tunnel for SECONDS: bits per second.
throughput() {
	in_ns a iperf3 -s -1 -D
	sleep 0.5
	in_ns b iperf3 -c 10.10.0.1 -t "$1" -J |
		python3 -c 'import json, sys; print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))'
}

# Unreclaimable slab in kB, once every cache has been shrunk: that frees
# empty slabs held per CPU and, under KASAN, the freed objects its
# quarantine holds back (tens of MB after a flood on the debug kernel).
# The debug kernel's own bookkeeping is left out: kmemleak's record of
# every object, and the pool of debugobjects, which grows with the timers
# and work items in flight and keeps what it grew (2.5 MB after a flood).
unreclaimable_kb() {
	local cache
	for cache in /sys/kernel/slab/*/shrink; do
		echo 1 >"$cache" 2>/dev/null || true
	done
	awk '/^SUnreclaim:/ { kb += $2 }
	     /^(kmemleak_object|debug_objects_cache) / { kb -= $15 * $6 * 4 }
	     END { print kb }' /proc/meminfo /proc/slabinfo
}

# The flooder runs in this guest and takes one of its two CPUs, which a
# real flood's machines would not: the baseline is the tunnel's throughput
# while the same flooder sends initiations whose MAC1s were made for
# another key (b's), which a drops at the first check.  Against that, the
# flood a answers with cookie replies (about 4000 a second, which the
# guest also has to receive) must leave the tunnel at least a third.
# Measured on 6.12 (2026-12-07, 4 s rounds): 58-74% of the baseline in
# three runs; 4 s rounds under TCG vary by a third, and half of the
# throughput without a flood, the bound before, failed two of the day's
# make check runs (by 0.3% and 4%).  A server that did Curve25519 for
# the flood or let it starve the data path keeps far less.
established_tunnel_and_newcomer_through_a_flood() {
	local before junk during mem0 mem1
	around_server ptun ptun ptun
	before=$(throughput 4)
	sleep 1
	mem0=$(unreclaimable_kb)

	FLOOD_KEY=$PUB_b start_flood
	junk=$(throughput 4)
	stop_flood
	start_flood
	during=$(throughput 4)
	join_c
	end_flood
	echo "# iperf3 b to a, bit/s: $before without a flood, $junk during one" \
	     "dropped at the first check, $during during one answered with cookies"
	speed_bound "$junk" $((during * 3)) \
		"the tunnel's bit/s during a flood of wrong MAC1s, against three times those during the cookie flood"
	ping_ok b 10.10.0.1

	# The ratelimiter forgets idle sources within two seconds; its entries
	# are freed after an RCU grace period.  Give it twice that (PTUN_SLOW
	# times as long on a slow kernel).
	for _ in $(seq $((4 * PTUN_SLOW))); do
		sleep 1
		mem1=$(unreclaimable_kb)
		[ "$mem1" -gt $((mem0 + 1024)) ] || break
	done
	echo "unreclaimable slab: $mem0 kB before, $mem1 kB after"
	[ "$mem1" -le $((mem0 + 1024)) ] || fail "memory did not come back after the flood"
}

# newcomer KIND_a KIND_c: c of KIND_c reaches a loaded a of KIND_a through a cookie reply.
newcomer() {
	around_server "$1" ptun "$2"
	start_flood
	join_c
	end_flood
	if [ "$1" = ptun ]; then
		late_explained
	fi
}

# A loaded ptun that dropped messages for waiting too long (only a slow
# kernel's does: the debug kernel's, where c got in thanks to it) counts
# them, and ptunctl show says what they mean.
late_explained() {
	local late
	late=$(counter "$(device_drops a)" handshake-late)
	echo "# handshake messages a dropped as too late: $late"
	[ -n "$late" ] || fail "no handshake-late counter in a's dump"
	[ "$PTUN_SLOW" -eq 1 ] || [ "$late" -gt 0 ] ||
		fail "on a kernel $PTUN_SLOW times slower, a never dropped a late message"
	[ "$late" -eq 0 ] ||
		grep -q "note: [0-9]* handshake messages\? waited too long" <<<"$(in_ns a ptunctl show tun0)" ||
		fail "ptunctl show does not explain the $late late messages"
}

wireguard_newcomer_to_loaded_ptun() {
	newcomer ptun wireguard
}

ptun_newcomer_to_loaded_wireguard() {
	newcomer wireguard ptun
}

# A flood whose MAC1s were made for another key (b's): a drops all of it
# at the first check (mac1-invalid), answers none and spends no Curve25519
# on it, and its tunnel with b keeps working.
junk_flood_stops_at_mac1() {
	local drops n
	around_server ptun ptun ptun
	FLOOD_KEY=$PUB_b start_flood
	ping_ok b 10.10.0.1
	sleep 3
	stop_flood
	drops=$(device_drops a)
	echo "# a's drops: $drops"
	[ "$SENT" -ge 1000 ] || fail "the flood sent only $SENT initiations"
	[ "$REPLIES" -eq 0 ] || fail "a answered $REPLIES initiations whose MAC1 was wrong"
	n=$(counter "$drops" mac1-invalid)
	[ "$n" -ge $((SENT / 2)) ] ||
		fail "a counted $n of $SENT initiations as mac1-invalid"
	for n in handshake-invalid mac2-needed ratelimited; do
		[ "$(counter "$drops" $n)" -eq 0 ] || fail "a counted junk as $n"
	done
	ping_ok b 10.10.0.1
}

# A flood from one address, MAC1s right: once a is under load it writes
# that address at most 20 cookie replies a second (after a burst of 5),
# and counts the initiations it did not answer as ratelimited.  (Before
# the load, a answers every initiation in full: the debug kernel's a,
# slower to fill its queue, did so for most of them.)
one_address_flood_is_held_to_its_rate() {
	local drops limited answered most
	around_server ptun ptun ptun
	FLOOD_FROM=10.99.0.1/32 start_flood
	sleep 4
	stop_flood
	drops=$(device_drops a)
	echo "# a's drops: $drops"
	limited=$(counter "$drops" ratelimited)
	answered=$(($(counter "$drops" mac2-needed) - limited))
	# The tokens of the flood's seconds (rounded up) and of the two more
	# its last messages may wait in a's queue (handshake-late).
	most=$((5 + 20 * (SECS + 1 + 2)))
	[ "$SENT" -ge 1000 ] || fail "the flood sent only $SENT initiations"
	[ "$REPLIES" -gt 0 ] ||
		fail "no cookie replies to $SENT initiations: a never was under load"
	[ "$limited" -gt 0 ] ||
		fail "a, under load, counted none of $SENT initiations from one address as ratelimited"
	[ "$answered" -le "$most" ] ||
		fail "a wrote $answered cookie replies to one address in $SECS s"
	[ "$REPLIES" -le "$most" ] ||
		fail "$REPLIES cookie replies came back to one address in $SECS s"
	ping_ok b 10.10.0.1
}

scenario "a flood: the established tunnel keeps a third of the throughput a flood of wrong MAC1s leaves it, a newcomer gets in via a cookie within 10 s, memory comes back" \
	established_tunnel_and_newcomer_through_a_flood
scenario "a WireGuard newcomer gets through a loaded ptun's cookie within 10 s" \
	wireguard_newcomer_to_loaded_ptun
scenario "a ptun newcomer gets through a loaded WireGuard's cookie within 10 s" \
	ptun_newcomer_to_loaded_wireguard
scenario "a flood with wrong MAC1s is dropped at the first check, unanswered, and b's tunnel keeps working" \
	junk_flood_stops_at_mac1
scenario "a flood from one address gets at most 20 cookie replies a second, the rest counted as ratelimited" \
	one_address_flood_is_held_to_its_rate
finish
