#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Observability: every drop counter moves for its cause and for nothing
# else, handshakes are counted, and `show' explains a peer without one.
# Events and re-resolution are in observe-events.sh (one guest's time each).
. "$(dirname "$0")/../lib.sh"

# With PUB, the peer's drops (COL 9) or handshakes (10); counters_dump,
# device_drops and counter are lib.sh's.
peer_column() {
	counters_dump "$1" | awk -F '\t' -v k="$2" -v c="$3" 'NR > 1 && $1 == k { print $c }'
}

peer_drops() {
	peer_column "$1" "$2" 9
}

peer_handshakes() {
	peer_column "$1" "$2" 10
}

# changed BEFORE AFTER: the names of the counters that differ, space-separated.
changed() {
	paste -d ' ' <(tr , '\n' <<<"$1") <(tr , '\n' <<<"$2") |
		awk '$1 != $2 { sub(/=.*/, "", $1); printf "%s%s", sep, $1; sep = " " }'
}

# send_udp NS HEX: one datagram from NS to b's tunnel port.
send_udp() {
	in_ns "$1" python3 -c "
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(bytes.fromhex(sys.argv[1]), ('192.168.241.2', 51822))" "$2"
}

# settle NS BEFORE: the device's drops once they differ from BEFORE (up to
# 10 s) and then hold still, as the workers finish.
settle() {
	local last now
	now=$(device_drops "$1")
	for _ in $(seq 50); do
		[ "$now" = "$2" ] || break
		sleep 0.2
		now=$(device_drops "$1")
	done
	for _ in $(seq 20); do
		sleep 0.3
		last=$now
		now=$(device_drops "$1")
		[ "$now" = "$last" ] && echo "$now" && return 0
	done
	fail "the drop counters of $1 keep moving: $now"
}

# expect_drop NS PEER REASON CMD...: CMD makes exactly the drop REASON move,
# once or more, on NS's device and (unless PEER is -) on its peer PEER.
expect_drop() {
	local ns=$1 peer=$2 reason=$3 dev_before dev_after peer_before peer_after
	shift 3
	dev_before=$(device_drops "$ns")
	[ "$peer" = - ] || peer_before=$(peer_drops "$ns" "$peer")
	"$@" >/dev/null 2>&1 || true
	dev_after=$(settle "$ns" "$dev_before")
	echo "$ns device drops: $dev_after"
	assert_eq "$(changed "$dev_before" "$dev_after")" "$reason" "device drops that moved"
	[ "$peer" != - ] || return 0
	peer_after=$(peer_drops "$ns" "$peer")
	echo "$ns peer drops: $peer_after"
	assert_eq "$(changed "$peer_before" "$peer_after")" "$reason" "peer drops that moved"
}

no_peer_for_destination() {
	two_hosts ptun ptun
	expect_drop a - no-peer in_ns a ping -c 1 -W 1 10.10.0.77
	assert_eq "$(counter "$(device_drops a)" no-peer)" 1 "no-peer after one ping"
	assert_match "$(in_ns a ptunctl show tun0)" "drops: no-peer 1" "the full view"
}

peer_without_endpoint() {
	local pub_c
	two_hosts ptun ptun
	pub_c=$(ptunctl genkey | ptunctl pubkey)
	in_ns a ptunctl set tun0 peer "$pub_c" allowed-ips 10.10.0.3/32
	expect_drop a "$pub_c" no-endpoint in_ns a ping -c 2 -i 0.3 -W 1 10.10.0.3
	assert_match "$(in_ns a ptunctl show tun0)" \
		"note: 2 packets had nowhere to go: the peer has no endpoint" "the explanation"
}

wrong_public_key() {
	local wrong out
	two_hosts ptun ptun
	wrong=$(ptunctl genkey | ptunctl pubkey)
	# b believes a has another key: a cannot even tell the message is for it.
	in_ns b ptunctl set tun0 peer "$PUB_a" remove peer "$wrong" \
		endpoint 192.168.241.1:51821 allowed-ips 10.10.0.1/32
	expect_drop a - mac1-invalid in_ns b ping -c 1 -W 2 10.10.0.1
	assert_eq "$(counter "$(peer_handshakes b "$wrong")" responses-received)" 0 \
		"responses b received"
	[ "$(counter "$(peer_handshakes b "$wrong")" initiations-sent)" -ge 1 ] ||
		fail "b counted no initiation"
	out=$(in_ns b ptunctl show tun0)
	echo "$out"
	assert_match "$out" "note: [0-9]+ initiations? sent, none answered: is the endpoint reachable" \
		"b's explanation"
	assert_match "$(in_ns a ptunctl show tun0)" \
		"note: [0-9]+ handshake messages? (was|were) not made for this interface's public key" \
		"a's explanation"
}

unknown_peer() {
	two_hosts ptun ptun
	in_ns a ptunctl set tun0 peer "$PUB_b" remove
	expect_drop a - unknown-peer in_ns b ping -c 1 -W 2 10.10.0.1
}

spoofed_inner_source() {
	two_hosts ptun ptun
	ping_ok b 10.10.0.1
	# b sends from an address a does not allow it.
	ip -n b addr add 10.10.0.5/32 dev tun0
	expect_drop a "$PUB_b" source-not-allowed \
		in_ns b ping -c 1 -W 1 -I 10.10.0.5 10.10.0.1
}

handshakes_are_counted() {
	local hs_a hs_b
	two_hosts ptun ptun
	ping_ok a 10.10.0.2
	hs_a=$(peer_handshakes a "$PUB_b")
	hs_b=$(peer_handshakes b "$PUB_a")
	echo "a: $hs_a"
	echo "b: $hs_b"
	assert_eq "$(counter "$hs_a" initiations-sent)" 1 "initiations a sent"
	assert_eq "$(counter "$hs_a" responses-received)" 1 "responses a received"
	assert_eq "$(counter "$hs_b" initiations-received)" 1 "initiations b received"
	assert_eq "$(counter "$hs_b" responses-sent)" 1 "responses b sent"
	assert_eq "$(counter "$hs_b" initiations-sent)" 0 "initiations b sent"
	assert_eq "$(device_drops a)" "$(device_drops b)" "drops after a clean handshake"
	assert_match "$(device_drops a)" "^no-peer=0(,[a-z0-9-]+=0)+$" "a's drops, all zero"
	# show --json has them too, as the schema says.
	in_ns a ptunctl show tun0 --json >"$TMPDIR/show.json"
	/usr/bin/python3 "$TOP/selftests/unit/validate-json" --runtime "$TMPDIR/show.json"
	python3 - "$TMPDIR/show.json" <<'PY'
import json, sys
dev = json.load(open(sys.argv[1]))["interfaces"][0]
assert dev["drops"]["no_peer"] == 0 and dev["drops"]["other"] == 0, dev["drops"]
assert dev["drops"]["handshake_late"] == 0, dev["drops"]
assert dev["peers"][0]["handshakes"]["initiations_sent"] == 1, dev["peers"][0]
assert dev["peers"][0]["handshakes"]["responses_received"] == 1, dev["peers"][0]
PY
	# Without --counters, dump is wg's: 4 fields, then 8 per peer.
	assert_eq "$(in_ns a ptunctl show tun0 dump | awk -F '\t' '{ print NF }' | tr '\n' ' ')" \
		"4 8 " "fields of the plain dump"
}

# Messages captured on their way to b, sent again or bent.
replayed_and_forged_messages() {
	local data init bad
	two_hosts ptun ptun
	capture_ping "$TMPDIR/cap.pcap"
	data=$(first_message 4 "$TMPDIR/cap.pcap")
	init=$(first_message 1 "$TMPDIR/cap.pcap")
	[ -n "$data" ] && [ -n "$init" ] || fail "no data message or initiation captured"

	expect_drop b "$PUB_a" replayed send_udp a "$data"
	# The last byte is the tag's.
	bad=${data%??}$(printf %02x $(( (0x${data: -2} + 1) % 256 )))
	expect_drop b "$PUB_a" decrypt-failed send_udp a "$bad"
	# Bytes 4 to 7 are the receiver's index.
	bad=${data:0:8}deadbeef${data:16}
	expect_drop b - unknown-receiver send_udp a "$bad"
	expect_drop b "$PUB_a" timestamp-stale send_udp a "$init"
	expect_drop b - malformed send_udp a 0900000000
	ping_ok a 10.10.0.2
}

scenario "no peer for the destination: no-peer, and nothing else" no_peer_for_destination
scenario "a peer without an endpoint: no-endpoint, explained" peer_without_endpoint
scenario "the wrong public key: mac1-invalid at one end, an explanation at both" wrong_public_key
scenario "an initiation from a key no peer has: unknown-peer" unknown_peer
scenario "a spoofed inner source: source-not-allowed, on the device and the peer" spoofed_inner_source
scenario "handshakes are counted on both sides; a clean run drops nothing" handshakes_are_counted
scenario "replayed, forged, misaddressed and stale messages each have their counter" replayed_and_forged_messages
finish
