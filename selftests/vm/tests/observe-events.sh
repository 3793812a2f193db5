#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Observability, continued from observe.sh: netlink events through
# `ptunctl monitor', and endpoint names re-resolved when they move.
. "$(dirname "$0")/../lib.sh"

# wait_for FILE TEXT [SECONDS]: until a line of FILE holds TEXT, a fixed
# string (public keys hold "+"); 10 s at most.
wait_for() {
	for _ in $(seq $((${3:-10} * 5))); do
		grep -Fq -- "$2" "$1" && return 0
		sleep 0.2
	done
	fail "no line of $1 holds '$2': $(cat "$1")"
}

events_in_order() {
	local pub_x
	two_hosts ptun ptun
	netns_add c
	ip -n c link add dev tun0 type ptun
	in_ns a ptunctl monitor tun0 --json >"$TMPDIR/events" 2>&1 &
	in_ns c ptunctl monitor --json >"$TMPDIR/events-c" 2>&1 &
	pub_x=$(ptunctl genkey | ptunctl pubkey)
	# A listener has joined once an event comes through: add and remove a peer.
	join() {
		for _ in $(seq 50); do
			in_ns "$1" ptunctl set tun0 peer "$pub_x"
			in_ns "$1" ptunctl set tun0 peer "$pub_x" remove
			grep -q "\"peer\":\"$pub_x\"" "$2" && return 0
			sleep 0.2
		done
		fail "the monitor in $1 saw nothing"
	}
	join c "$TMPDIR/events-c"
	join a "$TMPDIR/events"
	ping_ok a 10.10.0.2
	wait_for "$TMPDIR/events" '"handshake"'
	# b moves; a follows its authenticated packets.
	ip -n b addr del 192.168.241.2/24 dev veth-b
	ip -n b addr add 192.168.241.3/24 dev veth-b
	ping_ok b 10.10.0.1
	wait_for "$TMPDIR/events" '"endpoint"'
	in_ns a ptunctl set tun0 peer "$PUB_b" remove
	wait_for "$TMPDIR/events" "\"peer-removed\",\"peer\":\"$PUB_b\""
	kill %1 %2
	wait
	cat "$TMPDIR/events"
	python3 - "$TMPDIR/events" "$PUB_b" "$pub_x" <<'PY'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
got = [(e["event"], e["peer"], e["endpoint"]) for e in events]
b, x = sys.argv[2], sys.argv[3]
assert all(e["interface"] == "tun0" for e in events), events
# First x, added and removed while the monitor was joining, then b.
n = len([e for e in got if e[1] == x])
assert n and all(e[1] == x for e in got[:n]), got
assert [e[0] for e in got[:n]][-1] == "peer-removed", got
# Under load a timer may start another handshake: more handshake events,
# never other ones, never out of this order.
want = [("handshake", b, "192.168.241.2:51822"),
        ("endpoint", b, "192.168.241.3:51822"),
        ("peer-removed", b, "192.168.241.3:51822")]
seen = [e for e in got[n:] if e in want]
extra = [e for e in got[n:] if e not in want]
assert seen == want, got[n:]
assert all(e[:2] == ("handshake", b) for e in extra), got[n:]
PY
	cat "$TMPDIR/events-c"
	assert_eq "$(grep -vc "\"peer\":\"$pub_x\"" "$TMPDIR/events-c")" 0 \
		"events of a's peers that a listener in another netns saw"
	# Without CAP_NET_ADMIN, no joining at all, in any netns.
	expect_error "monitor: .*Operation not permitted" \
		in_ns a timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups ptunctl monitor
}

reresolve_dns() {
	two_hosts ptun ptun
	# a knows b by a name, which first points where b is not.
	echo "192.168.241.9 peer-b.test" >"$TMPDIR/hosts"
	in_ns a ptunctl set tun0 peer "$PUB_b" endpoint 192.168.241.9:51822
	in_ns a unshare -m sh -c 'mount --bind "$1" /etc/hosts &&
		exec ptunctl monitor tun0 --reresolve "$2" peer-b.test:51822' \
		sh "$TMPDIR/hosts" "$PUB_b" >"$TMPDIR/events" 2>&1 &
	! in_ns a ping -c 1 -W 2 -q 10.10.0.2 >/dev/null || fail "b answered at the wrong address"
	# The name moves to b; a follows without help.
	echo "192.168.241.2 peer-b.test" >"$TMPDIR/hosts"
	wait_for "$TMPDIR/events" "reresolved peer $PUB_b endpoint 192.168.241.2:51822" 60
	ping_ok a 10.10.0.2
	kill %1
	wait
	cat "$TMPDIR/events"
	assert_eq "$(tun_show a endpoints | cut -f2)" 192.168.241.2:51822 "b's endpoint as a has it"
}

scenario "events of a handshake, a roam and removals arrive in order, only in their netns" events_in_order
scenario "a peer's endpoint name moves: the monitor re-resolves it, the tunnel recovers" reresolve_dns
finish
