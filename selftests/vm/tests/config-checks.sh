#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ptunctl's checks of configuration files (bad files change nothing,
# warnings), hostnames as endpoints, and show --json of a live tunnel.
. "$(dirname "$0")/../lib.sh"

# Each class of bad file: one line naming file and line, nothing changed.
bad_files_change_nothing() {
	local d=$TMPDIR/bad before key1 key2 cmd re1
	mkdir -p "$d"
	ip link add dev pt0 type ptun
	key1=$(ptunctl genkey | ptunctl pubkey)
	key2=$(ptunctl genkey | ptunctl pubkey)
	(umask 077; printf '[Interface]\nPrivateKey = %s\nListenPort = 51820\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.0/8\nEndpoint = 192.0.2.1:1\n' \
		"$(ptunctl genkey)" "$key2" >"$d/good")
	ptunctl setconf pt0 "$d/good"
	before=$(ptunctl showconf pt0)
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
	# dump comes second: a late packet may have been counted in between.
	assert int(rx) >= peer["rx_bytes"] and int(tx) >= peer["tx_bytes"]
	assert peer["rx_bytes"] > 0 and keepalive == "off" and peer["persistent_keepalive"] == 0
	PY
	in_ns a ptunctl showconf tun0 --json >"$TMPDIR/conf.json"
	/usr/bin/python3 "$TOP/selftests/unit/validate-json" "$TMPDIR/conf.json"
}

scenario "bad files: one line naming file and line, nothing changed" bad_files_change_nothing
scenario "host bits and readable keys: warnings, the file still applies" warnings_and_go_on
scenario "endpoints by hostname and [IPv6]" hostname_endpoints
scenario "show --json of a live tunnel: the schema's, dump's values" json_of_a_live_tunnel
finish
