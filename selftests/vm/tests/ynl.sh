#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The ptun family driven from uapi/ptun.yaml alone, with the kernel's own
# YNL CLI (tools/net/ynl/cli.py of linux-source-6.12, fetched by
# selftests/vm/kernel ynl, validated by selftests/unit/check-ynl): what
# --do set-device writes, --dump get-device reads back, and ptunctl agrees.
. "$(dirname "$0")/../lib.sh"

SPEC=$TOP/uapi/ptun.yaml
YNL=$("$TOP/selftests/vm/kernel" ynl 6.12)

# The spec was validated against the kernel's schema on the host
# (check-ynl): each validation here would cost seconds of TCG.
ynl() {
	python3 "$YNL/tools/net/ynl/cli.py" --spec "$SPEC" --no-schema --output-json "$@"
}

# set_device JSON: set-device for pt0 with JSON's attributes besides ifname.
set_device() {
	ynl --do set-device --json "{\"ifname\": \"pt0\", $1}" >/dev/null
}

# dump: "--dump get-device" of pt0, one line per value, its path in the
# reply (message, attribute, index of a multi-attr) before "=", binary
# attributes in hex: 0.peer.0.public-key=...
dump() {
	ynl --dump get-device --json '{"ifname": "pt0"}' |
		jq -r 'paths(scalars) as $p | "\($p | map(tostring) | join("."))=\(getpath($p))"' \
		>"$TMPDIR/dump"
}

# field PATH: one value of the last dump.
field() {
	awk -v p="$1" 'index($0, p "=") == 1 { print substr($0, length(p) + 2) }' "$TMPDIR/dump"
}

# hex BASE64: a key as YNL's JSON takes and gives binary attributes.
hex() {
	base64 -d <<<"$1" | od -An -v -tx1 | tr -d ' \n'
}

KEY=$(wg genkey) PEER=$(wg genkey | wg pubkey) PEER2=$(wg genkey | wg pubkey)

set_device_then_dump() {
	ip link add dev pt0 type ptun
	# The endpoint is a struct sockaddr_in: AF_INET (2, host order),
	# port 51820 (0xca6c, network order), 192.0.2.1, eight bytes of zero.
	set_device "$(printf '"private-key": "%s", "listen-port": 51820, "fwmark": 42,
		"peer": [{"public-key": "%s", "endpoint": "0200ca6cc00002010000000000000000",
			  "persistent-keepalive-interval": 25,
			  "allowedip": [{"family": 2, "ipaddr": "0a080000", "cidr-mask": 24}]}]' \
		"$(hex "$KEY")" "$(hex "$PEER")")"
	dump
	assert_eq "$(grep -c '^0\.ifname=' "$TMPDIR/dump")/$(grep -c '^1\.' "$TMPDIR/dump")" 1/0 \
		"one message in the dump"
	assert_eq "$(field 0.ifname)" pt0 "ifname"
	assert_eq "$(field 0.ifindex)" "$(cat /sys/class/net/pt0/ifindex)" "ifindex"
	assert_eq "$(field 0.private-key)" "$(hex "$KEY")" "private key"
	assert_eq "$(field 0.public-key)" "$(hex "$(wg pubkey <<<"$KEY")")" "public key, derived"
	assert_eq "$(field 0.listen-port)" 51820 "listen port"
	assert_eq "$(field 0.fwmark)" 42 "fwmark"
	assert_eq "$(field 0.peer.0.public-key)" "$(hex "$PEER")" "the peer's key"
	assert_eq "$(field 0.peer.1.public-key)" "" "no second peer"
	assert_eq "$(field 0.peer.0.endpoint)" 0200ca6cc00002010000000000000000 "the peer's endpoint"
	assert_eq "$(field 0.peer.0.persistent-keepalive-interval)" 25 "keepalive"
	assert_eq "$(field 0.peer.0.allowedip.0.family)/$(field 0.peer.0.allowedip.0.ipaddr)/$(field 0.peer.0.allowedip.0.cidr-mask)" \
		2/0a080000/24 "the peer's allowed IP"
	assert_eq "$(field 0.peer.0.allowedip.1.family)" "" "no second allowed IP"
	assert_eq "$(field 0.drops.no-peer)" 0 "a drop counter"

	# ptunctl, with its own code, reads the same configuration.
	assert_eq "$(ptunctl show pt0 dump)" \
		"$(printf '%s\t%s\t51820\t0x2a\n%s\t(none)\t192.0.2.1:51820\t10.8.0.0/24\t0\t0\t0\t25' \
			"$KEY" "$(wg pubkey <<<"$KEY")" "$PEER")" "ptunctl show pt0 dump"
}

flags_by_their_spec_names() {
	ip link add dev pt0 type ptun
	set_device "$(printf '"peer": [{"public-key": "%s"}, {"public-key": "%s"}]' \
		"$(hex "$PEER")" "$(hex "$PEER2")")"
	set_device "$(printf '"peer": [{"public-key": "%s", "flags": ["remove-me"]}]' "$(hex "$PEER")")"
	dump
	assert_eq "$(field 0.peer.0.public-key)/$(field 0.peer.1.public-key)" "$(hex "$PEER2")/" \
		"remove-me removed that peer"
	set_device "$(printf '"flags": ["replace-peers"], "peer": [{"public-key": "%s"}]' "$(hex "$PEER")")"
	dump
	assert_eq "$(field 0.peer.0.public-key)/$(field 0.peer.1.public-key)" "$(hex "$PEER")/" \
		"replace-peers left only the peer named"
	# The kernel's refusal comes back through YNL: the attribute, and the
	# spec's exact-len as the kernel's policy.
	local out
	! out=$(ynl --do set-device --json '{"ifname": "pt0", "private-key": "00"}' 2>&1) ||
		fail "a one-byte private key was taken"
	assert_match "$out" "Numerical result out of range" "the error"
	assert_match "$out" "'min-length': 32, 'max-length': 32" "the policy the kernel reports"
	assert_match "$out" "'bad-attr': '.private-key'" "the attribute the kernel names"
}

scenario "set-device through YNL from the spec, read back by get-device and ptunctl" set_device_then_dump
scenario "flags by their spec names: remove-me, replace-peers; errors come back" flags_by_their_spec_names
finish
