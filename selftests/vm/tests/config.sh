#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configuration files with ptunctl and wg(8): round trips between the two,
# syncconf keeping sessions.  config-checks.sh has the refusals.
. "$(dirname "$0")/../lib.sh"

# write_config FILE: a configuration with every setting, two peers.
write_config() {
	local psk
	psk=$(ptunctl genpsk)
	cat >"$1" <<-EOF
	# made by config.sh
	[Interface]
	PrivateKey = $(ptunctl genkey)
	ListenPort = 51820
	FwMark = 0x2a

	[Peer]
	PublicKey = $(ptunctl genkey | ptunctl pubkey)
	PresharedKey = $psk
	AllowedIPs = 10.1.0.0/16, fd01::/64
	AllowedIPs = 192.168.7.7/32
	Endpoint = 192.0.2.1:51820
	PersistentKeepalive = 25

	[Peer]
	PublicKey = $(ptunctl genkey | ptunctl pubkey)
	AllowedIPs = 10.2.0.0/16
	Endpoint = [2001:db8::2]:51821
	EOF
}

# ptunctl showconf → wg setconf → wg showconf → ptunctl setconf: the same.
wg_round_trip() {
	local f=$TMPDIR/config
	(umask 077; write_config "$f.in")
	ip link add dev pt0 type ptun
	ip link add dev wg0 type wireguard
	ip link add dev pt1 type ptun
	ptunctl setconf pt0 "$f.in"
	ptunctl showconf pt0 >"$f.pt0"
	cat "$f.pt0"
	wg setconf wg0 "$f.pt0"
	wg showconf wg0 >"$f.wg0"
	ptunctl setconf pt1 "$f.wg0"
	ptunctl showconf pt1 >"$f.pt1"
	diff -u "$f.pt0" "$f.wg0" || fail "wg showconf differs from ptunctl showconf"
	diff -u "$f.pt0" "$f.pt1" || fail "the round trip changed the configuration"
	assert_eq "$(grep -c '^\[Peer\]' "$f.pt1")" 2 "peers after the round trip"
	assert_eq "$(ptunctl show pt1 dump)" "$(ptunctl show pt0 dump)" "dump of pt1 vs pt0"
}

# a's latest handshake with b, in seconds since the epoch.
handshake_a() {
	in_ns a ptunctl show tun0 latest-handshakes | grep -F "$PUB_b" | cut -f2
}

# Bytes a received from b.
received_a() {
	in_ns a ptunctl show tun0 transfer | grep -F "$PUB_b" | cut -f2
}

# canon: showconf's text with each AllowedIPs list sorted, since the
# kernel need not list them in the file's order.
canon() {
	python3 -c 'import re, sys
print(re.sub(r"^(AllowedIPs = )(.*)$", lambda m: m.group(1) + ", ".join(sorted(m.group(2).split(", "))), sys.stdin.read(), flags=re.M), end="")'
}

# sync_keeps_session WHAT: syncconf a to $f, then check that b's session
# went on: its counters kept counting (a peer made anew starts from zero)
# and no handshake came sooner than the protocol's own rekey, 120 s.
sync_keeps_session() {
	local what=$1 hs rx now
	hs=$(handshake_a)
	rx=$(received_a)
	# A new handshake would carry another second.
	sleep 1
	in_ns a ptunctl syncconf tun0 "$f"
	diff -u <(canon <"$f") <(in_ns a ptunctl showconf tun0 | canon) ||
		fail "$what: not the file's configuration"
	ping_ok a 10.10.0.2
	now=$(handshake_a)
	[ "$now" = "$hs" ] || [ $((now - hs)) -ge 120 ] ||
		fail "$what: a new handshake with b, $((now - hs)) s after the last"
	[ "$(received_a)" -gt "$rx" ] || fail "$what: b's counters started again"
}

# Adding and removing other peers, and changing b, leave b's session alone.
syncconf_keeps_sessions() {
	local f=$TMPDIR/a.conf rx extra
	umask 077
	two_hosts ptun ptun
	ping_ok a 10.10.0.2
	[ "$(handshake_a)" -gt 0 ] || fail "no handshake"
	in_ns a ptunctl showconf tun0 >"$f"
	cp "$f" "$f.orig"
	sync_keeps_session "the unchanged file"

	extra=$(ptunctl genkey | ptunctl pubkey)
	printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.10.9.0/24\n' "$extra" >>"$f"
	sync_keeps_session "a peer added"
	assert_eq "$(in_ns a ptunctl show tun0 peers | wc -l)" 2 "peers"

	# The other peer removed, and b itself changed in place.
	sed 's|^\(AllowedIPs = .*\)$|\1, 10.10.7.0/24|' "$f.orig" >"$f"
	sync_keeps_session "the other peer removed, b's allowed IPs changed"
	assert_eq "$(in_ns a ptunctl show tun0 peers | wc -l)" 1 "peers"
	assert_match "$(in_ns a ptunctl show tun0 allowed-ips)" "10.10.7.0/24" "b's allowed IPs"

	# The control: setconf makes the peers anew, counting from zero.
	rx=$(received_a)
	in_ns a ptunctl setconf tun0 "$f"
	ping_ok a 10.10.0.2
	[ "$(received_a)" -lt "$rx" ] || fail "setconf kept b's counters"
}

scenario "ptunctl showconf → wg setconf → wg showconf → ptunctl setconf: same config" wg_round_trip
scenario "syncconf adds and removes peers and changes b in place; b keeps its session" syncconf_keeps_sessions
finish
