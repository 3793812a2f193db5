#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configuration files with ptunctl and wg(8): round trips between the two,
# syncconf keeping sessions, bad files changing nothing, hostnames.
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

# Adding, changing and removing other peers leaves b's session alone.
syncconf_keeps_sessions() {
	local f=$TMPDIR/a.conf hs rx extra
	umask 077
	two_hosts ptun ptun
	ping_ok a 10.10.0.2
	hs=$(handshake_a)
	[ "$hs" -gt 0 ] || fail "no handshake"
	# A new handshake would now carry another second.
	sleep 2
	in_ns a ptunctl showconf tun0 >"$f"
	extra=$(ptunctl genkey | ptunctl pubkey)
	printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.10.9.0/24\n' "$extra" >>"$f"
	in_ns a ptunctl syncconf tun0 "$f"
	in_ns a ptunctl showconf tun0 | diff -u "$f" - || fail "syncconf did not reach the file's configuration"
	rx=$(received_a)
	ping_ok a 10.10.0.2
	assert_eq "$(handshake_a)" "$hs" "b's handshake after adding a peer"
	[ "$(received_a)" -gt "$rx" ] || fail "b's counters were reset"

	# Change the new peer, then remove it again; b's keepalive changes.
	sed -i "s|10.10.9.0/24|10.10.8.0/24|" "$f"
	in_ns a ptunctl syncconf tun0 "$f"
	assert_match "$(in_ns a ptunctl show tun0 allowed-ips)" "10.10.8.0/24" "the changed peer"
	in_ns a ptunctl showconf tun0 >"$f"
	python3 - "$f" <<-'PY'
	import sys
	path = sys.argv[1]
	text = open(path).read()
	# Keep [Interface] and the first peer (b); add a keepalive to it.
	blocks = text.split("\n\n")
	open(path, "w").write(blocks[0] + "\n\n" + blocks[1].rstrip("\n") + "\nPersistentKeepalive = 7\n")
	PY
	in_ns a ptunctl syncconf tun0 "$f"
	assert_eq "$(in_ns a ptunctl show tun0 peers | wc -l)" 1 "peers after removing the extra one"
	assert_eq "$(in_ns a ptunctl show tun0 persistent-keepalive | cut -f2)" 7 "b's new keepalive"
	ping_ok a 10.10.0.2
	assert_eq "$(handshake_a)" "$hs" "b's handshake after changing peers"

	# The control: setconf recreates the peers, which handshake again.
	in_ns a ptunctl setconf tun0 "$f"
	ping_ok a 10.10.0.2
	[ "$(handshake_a)" -gt "$hs" ] || fail "no new handshake after setconf"
}

syncconf_without_changes_sends_nothing() {
	local f=$TMPDIR/a.conf hs
	umask 077
	two_hosts ptun ptun
	ping_ok a 10.10.0.2
	hs=$(handshake_a)
	sleep 2
	in_ns a ptunctl showconf tun0 >"$f"
	in_ns a ptunctl syncconf tun0 "$f"
	in_ns a ptunctl syncconf tun0 "$f"
	ping_ok a 10.10.0.2
	assert_eq "$(handshake_a)" "$hs" "handshake after two syncconfs"
	in_ns a ptunctl showconf tun0 | diff -u "$f" - || fail "configuration changed"
}

# Each class of bad file: one line naming file and line, nothing changed.
bad_files_change_nothing() {
	local d=$TMPDIR/bad before key1 key2 cmd re1
	mkdir -p "$d"
	ip link add dev pt0 type ptun
	(umask 077; write_config "$d/good")
	ptunctl setconf pt0 "$d/good"
	before=$(ptunctl showconf pt0)
	key1=$(ptunctl genkey | ptunctl pubkey)
	key2=$(ptunctl genkey | ptunctl pubkey)
	re1=${key1//+/\\+}
	printf '[Interface]\nListenPort = 65536\n' >"$d/port"
	printf '[Interface]\nFwMark = 0x100000000\n' >"$d/fwmark"
	printf '[Peer]\nPublicKey = %s\nPersistentKeepalive = 70000\n' "$key1" >"$d/keepalive"
	printf '[Peer]\nPublicKey = %s\n[Peer]\nPublicKey = %s\n' "$key1" "$key1" >"$d/peer-twice"
	printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.0/8\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.0/8\n' \
		"$key1" "$key2" >"$d/ip-twice"
	printf '[Interface]\nAddress = 10.0.0.1/24\nDNS = 10.0.0.53\n' >"$d/wg-quick"
	printf '[Interface]\nListenPort = 1\n[Peer]\nEndpoint = 192.0.2.1\n' >"$d/endpoint"
	printf '[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.0/8\nListenPort = 1\n' "$key1" >"$d/section"
	for cmd in setconf addconf syncconf; do
		expect_error "$d/port:2: .*65536" ptunctl $cmd pt0 "$d/port"
		expect_error "$d/fwmark:2: .*0x100000000" ptunctl $cmd pt0 "$d/fwmark"
		expect_error "$d/keepalive:3: .*70000" ptunctl $cmd pt0 "$d/keepalive"
		expect_error "$d/peer-twice:4: .*$re1.*line 2" ptunctl $cmd pt0 "$d/peer-twice"
		expect_error "$d/ip-twice:6: .*10.0.0.0/8.*line 3" ptunctl $cmd pt0 "$d/ip-twice"
		expect_error "Address \(line 2\), DNS \(line 3\).*ptun-quick strip" ptunctl $cmd pt0 "$d/wg-quick"
		expect_error "$d/endpoint:4: .*192.0.2.1" ptunctl $cmd pt0 "$d/endpoint"
		expect_error "$d/section:4: .*ListenPort.*\[Interface\]" ptunctl $cmd pt0 "$d/section"
		expect_error "$d/missing: No such file" ptunctl $cmd pt0 "$d/missing"
	done
	assert_eq "$(ptunctl showconf pt0)" "$before" "configuration after the bad files"
}

# Host bits are cleared with a warning; keys others can read, a warning.
warnings_and_go_on() {
	local f=$TMPDIR/warn out
	ip link add dev pt0 type ptun
	printf '[Interface]\nPrivateKey = %s\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.3.3.3/16\n' \
		"$(ptunctl genkey)" "$(ptunctl genkey | ptunctl pubkey)" >"$f"
	chmod 644 "$f"
	out=$(ptunctl setconf pt0 "$f" 2>&1)
	echo "$out"
	assert_match "$out" "$f:5: warning: .*10.3.3.3/16.*10.3.0.0/16" "host bits warning"
	assert_match "$out" "warning: $f holds keys and is readable" "readable keys warning"
	assert_match "$(ptunctl show pt0 allowed-ips)" "10.3.0.0/16" "the normalised allowed IP"
}

# Endpoint names resolve as wg resolves them; IPv6 in brackets.
hostname_endpoints() {
	local f=$TMPDIR/names
	# AI_ADDRCONFIG wants an address other than loopback.
	ip link add dev d0 type dummy
	ip addr add 192.0.2.5/24 dev d0
	ip addr add 2001:db8:5::5/64 dev d0 nodad
	ip link set dev d0 up
	ip link add dev pt0 type ptun
	printf '[Peer]\nPublicKey = %s\nEndpoint = localhost:51820\n[Peer]\nPublicKey = %s\nEndpoint = [::1]:51821\n' \
		"$(ptunctl genkey | ptunctl pubkey)" "$(ptunctl genkey | ptunctl pubkey)" >"$f"
	ptunctl addconf pt0 "$f"
	assert_eq "$(ptunctl show pt0 endpoints | cut -f2 | sort | tr '\n' ' ')" \
		"127.0.0.1:51820 [::1]:51821 " "resolved endpoints"
	printf '[Peer]\nPublicKey = %s\nEndpoint = no-such-host.invalid:1\n' \
		"$(ptunctl genkey | ptunctl pubkey)" >"$f"
	PTUN_ENDPOINT_RESOLUTION_RETRIES=0 expect_error "$f:3: endpoint .no-such-host.invalid:1'" \
		ptunctl addconf pt0 "$f"
	assert_eq "$(ptunctl show pt0 peers | wc -l)" 2 "peers after the failed name"
}

# show --json of a live tunnel: valid against the schema, and the values
# of show dump.
json_of_a_live_tunnel() {
	local doc=$TMPDIR/show.json
	two_hosts ptun ptun
	ping_ok a 10.10.0.2
	in_ns a ptunctl show --json >"$doc"
	cat "$doc"
	/usr/bin/python3 "$TOP/selftests/unit/validate-json" --runtime "$doc"
	in_ns a ptunctl show tun0 dump >"$TMPDIR/dump"
	/usr/bin/python3 - "$doc" "$TMPDIR/dump" <<-'PY'
	import datetime, json, sys
	doc = json.load(open(sys.argv[1]))
	dev, = doc["interfaces"]
	lines = [l.split("\t") for l in open(sys.argv[2]).read().splitlines()]
	priv, pub, port, fwmark = lines[0]
	assert dev["name"] == "tun0"
	assert (dev["private_key"], dev["public_key"]) == (priv, pub)
	assert dev["listen_port"] == int(port) and fwmark == "off" and dev["fwmark"] == 0
	peer, = dev["peers"]
	key, psk, endpoint, ips, hs, rx, tx, keepalive = lines[1]
	assert peer["public_key"] == key and psk == "(none)" and peer["preshared_key"] is None
	assert peer["endpoint"] == endpoint == "192.168.241.2:51822"
	assert ",".join(peer["allowed_ips"]) == ips
	assert peer["latest_handshake"]["epoch_seconds"] == int(hs) > 0
	when = datetime.datetime.fromtimestamp(int(hs), datetime.timezone.utc)
	assert peer["latest_handshake"]["iso8601"] == when.strftime("%Y-%m-%dT%H:%M:%SZ")
	assert (peer["rx_bytes"], peer["tx_bytes"]) == (int(rx), int(tx))
	assert peer["rx_bytes"] > 0 and keepalive == "off" and peer["persistent_keepalive"] == 0
	PY
	in_ns a ptunctl showconf tun0 --json >"$TMPDIR/conf.json"
	/usr/bin/python3 "$TOP/selftests/unit/validate-json" "$TMPDIR/conf.json"
}

scenario "ptunctl showconf → wg setconf → wg showconf → ptunctl setconf: same config" wg_round_trip
scenario "syncconf adds, changes and removes peers; b keeps its session" syncconf_keeps_sessions
scenario "syncconf of an unchanged file: no new handshake" syncconf_without_changes_sends_nothing
scenario "bad files: one line naming file and line, nothing changed" bad_files_change_nothing
scenario "host bits and readable keys: warnings, the file still applies" warnings_and_go_on
scenario "endpoints by hostname and [IPv6]" hostname_endpoints
scenario "show --json of a live tunnel: the schema's, dump's values" json_of_a_live_tunnel
finish
