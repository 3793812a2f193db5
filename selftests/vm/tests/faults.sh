#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every allocation failure of every configuration call.  Each request shape
# is made again and again with the task's Nth allocation failing
# (/proc/thread-self/fail-nth, through selftests/faults/fail-nth), for
# n = 1, 2, ... until the call meets fewer than n failure points.  After
# each: the call succeeded or failed cleanly (ENOMEM, or ENOBUFS from
# netlink itself), the device answers GET, and its configuration is the old
# one or a whole-peer prefix of the request (uapi/ptun.yaml, set-device).
# The kernel log and kmemleak are read after each scenario (lib.sh).  Only a
# kernel with CONFIG_FAULT_INJECTION has fail-nth (the debug kernel); on
# others the scenarios skip.
. "$(dirname "$0")/../lib.sh"

FAIL_NTH=$TOP/selftests/faults/fail-nth
# A bound, so that a call which always meets one more failure point ends.
MAX_POINTS=5000
NEW_PEERS=3
IPS_PER_PEER=16

need_fail_nth() {
	local attr
	[ -e /proc/thread-self/fail-nth ] ||
		skip "this kernel has no fault injection (CONFIG_FAULT_INJECTION)"
	[ -x "$FAIL_NTH" ] || fail "$FAIL_NTH is not built (make -C selftests/faults)"
	# By default only allocations that cannot sleep may fail, and those
	# that fail print a stack trace: every allocation here, quietly.
	for attr in failslab fail_page_alloc; do
		echo N >"/sys/kernel/debug/$attr/ignore-gfp-wait"
		echo 0 >"/sys/kernel/debug/$attr/verbose"
	done
	echo 0 >/sys/kernel/debug/fail_page_alloc/min-order
}

# walk NAME CHECK ARGS...: for n = 1, 2, ...: fail-nth n ARGS, then CHECK n
# STATUS REPLIES (which says what is wrong in $why and returns 1), until
# the call meets fewer than n failure points; PREPARE, if set, runs before
# each call.  Sets $points.
walk() {
	local name=$1 check=$2 n hit status replies started=$SECONDS
	shift 2
	for ((n = 1; ; n++)); do
		[ $n -le $MAX_POINTS ] || fail "$name: more than $MAX_POINTS failure points"
		[ $((n % 25)) -ne 0 ] || echo "# $name: $n failure points in $((SECONDS - started)) s"
		[ -z "${PREPARE:-}" ] || $PREPARE
		read -r hit status replies <<<"$("$FAIL_NTH" "$n" "$@")"
		case $hit:$status in
		hit:0|hit:ENOMEM|hit:ENOBUFS|miss:0) ;;
		*) fail "$name: failure point $n: '$hit $status'" \
			"(the call must succeed, or fail with ENOMEM or ENOBUFS)" ;;
		esac
		why=
		$check "$n" "$status" "$replies" ||
			fail "$name: after failure point $n ($status): $why"
		[ "$hit" = hit ] || break
	done
	points=$((n - 1))
	echo "# $name: $points failure points, each failed cleanly ($((SECONDS - started)) s)"
	[ $points -gt 0 ] || fail "$name: no failure point at all: fail-nth did not take"
}

# one_of STATE FILE...: STATE equals the contents of one FILE.
one_of() {
	local state=$1 file
	shift
	for file in "$@"; do
		[ "$state" = "$(cat "$file")" ] && return 0
	done
	return 1
}

# peer_spec I: genl.py's nest for new peer I, with its allowed IPs.
peer_spec() {
	local i=$1 j spec
	spec="public-key=$(cat "$TMPDIR/pub$i")"
	for ((j = 0; j < IPS_PER_PEER; j += 2)); do
		spec+=";allowedip=10.$i.$j.0/24;allowedip=fd00:$i:$j::/48"
	done
	echo "$spec"
}

# A device tun0 with a key, a port and one peer: the old state.
base_device() {
	local i
	ip link add dev tun0 type ptun
	ptunctl genkey >"$TMPDIR/key"
	for ((i = 0; i <= NEW_PEERS; i++)); do
		ptunctl genkey | ptunctl pubkey >"$TMPDIR/pub$i"
	done
	cat >"$TMPDIR/base.conf" <<-EOF
	[Interface]
	PrivateKey = $(cat "$TMPDIR/key")
	ListenPort = 51820

	[Peer]
	PublicKey = $(cat "$TMPDIR/pub0")
	AllowedIPs = 192.168.7.0/24, fd07::/64
	Endpoint = 127.0.0.1:51821
	EOF
	ptunctl setconf tun0 "$TMPDIR/base.conf"
}

peers_state() {
	ptunctl show tun0 allowed-ips
}

reset_to_base() {
	ptunctl setconf tun0 "$TMPDIR/base.conf"
}

# expect_prefixes FLAGS: the request (new peers 1..NEW_PEERS, device FLAGS)
# in $TMPDIR/req, and the state after each whole-peer prefix of it, made
# without faults, in $TMPDIR/prefix0..NEW_PEERS.
expect_prefixes() {
	local flags=$1 i k args
	for ((k = 0; k <= NEW_PEERS; k++)); do
		args=(--ifname tun0 --attr "flags=$flags")
		for ((i = 1; i <= k; i++)); do
			args+=(--peer "$(peer_spec $i)")
		done
		reset_to_base
		python3 "$GENL" set "${args[@]}" >/dev/null
		peers_state >"$TMPDIR/prefix$k"
	done
	python3 "$GENL" set "${args[@]}" --out "$TMPDIR/req"
	peers_state >"$TMPDIR/whole"
	reset_to_base
	peers_state >"$TMPDIR/old"
	[ "$(wc -l <"$TMPDIR/whole")" -eq $((NEW_PEERS + 1 - flags)) ] ||
		fail "the request without faults left $(wc -l <"$TMPDIR/whole") peers"
}

# After a SET: all of it, or (on an error) the old state or a prefix.
check_set() {
	local status=$2 state
	state=$(peers_state) || { why="GET failed"; return 1; }
	if [ "$status" = 0 ]; then
		[ "$state" = "$(cat "$TMPDIR/whole")" ] && return 0
		why="it succeeded but the device holds: $state"
		return 1
	fi
	one_of "$state" "$TMPDIR/old" "$TMPDIR"/prefix* && return 0
	why="neither the old state nor a whole-peer prefix: $state"
	return 1
}

set_adds_peers() {
	need_fail_nth
	base_device
	expect_prefixes 0
	PREPARE=reset_to_base walk "SET adding $NEW_PEERS peers with $IPS_PER_PEER allowed IPs each" \
		check_set send "$TMPDIR/req"
}

set_replaces_peers() {
	need_fail_nth
	base_device
	expect_prefixes 1
	PREPARE=reset_to_base walk "SET replacing the peers with $NEW_PEERS new ones" \
		check_set send "$TMPDIR/req"
}

# After a key change: the old key or the new one, the peers as they were.
check_key() {
	local status=$2 key
	key=$(ptunctl show tun0 private-key) || { why="GET failed"; return 1; }
	[ "$(peers_state)" = "$(cat "$TMPDIR/old")" ] || { why="the peers changed"; return 1; }
	[ "$key" = "$(cat "$TMPDIR/key2")" ] && return 0
	[ "$status" != 0 ] && [ "$key" = "$(cat "$TMPDIR/key")" ] && return 0
	why="the private key is $key"
	return 1
}

set_private_key() {
	need_fail_nth
	base_device
	peers_state >"$TMPDIR/old"
	ptunctl genkey >"$TMPDIR/key2"
	python3 "$GENL" set --ifname tun0 \
		--attr "private-key=$(base64 -d "$TMPDIR/key2" | od -An -tx1 | tr -d ' \n')" \
		--out "$TMPDIR/req"
	PREPARE=reset_to_base walk "SET changing the private key" check_key send "$TMPDIR/req"
}

# After a dump: complete, or a clean error; the device unchanged.
check_dump() {
	local status=$2 replies=$3
	[ "$(peers_state)" = "$(cat "$TMPDIR/old")" ] || { why="the configuration changed"; return 1; }
	[ "$status" != 0 ] || [ "$replies" = "$DUMP_PARTS" ] && return 0
	why="the dump succeeded with $replies parts, not $DUMP_PARTS"
	return 1
}

get_dump() {
	local i j
	need_fail_nth
	base_device
	# Enough peers and allowed IPs for a dump of several parts.
	for ((i = 1; i <= 40; i++)); do
		echo "[Peer]"
		echo "PublicKey = $(ptunctl genkey | ptunctl pubkey)"
		for ((j = 0; j < 16; j++)); do
			echo "AllowedIPs = 10.$i.$j.0/24, fd00:$i:$j::/48"
		done
	done >>"$TMPDIR/base.conf"
	reset_to_base
	peers_state >"$TMPDIR/old"
	python3 "$GENL" get --ifname tun0 --out "$TMPDIR/req"
	read -r _ _ DUMP_PARTS <<<"$("$FAIL_NTH" "$MAX_POINTS" send "$TMPDIR/req")"
	[ "$DUMP_PARTS" -gt 2 ] || fail "the dump has $DUMP_PARTS parts, not several"
	echo "# the dump has $DUMP_PARTS parts"
	walk "GET dump of 41 peers with 1,000 allowed IPs" check_dump send "$TMPDIR/req"
}

gone_pt9() {
	ip link del pt9 2>/dev/null || true
}

there_pt9() {
	ip link show pt9 >/dev/null 2>&1 || ip link add pt9 type ptun
}

check_newlink() {
	local status=$2
	if [ "$status" = 0 ]; then
		ptunctl show pt9 dump >/dev/null && return 0
		why="the new device does not answer GET"
	else
		! ip link show pt9 >/dev/null 2>&1 && return 0
		why="a failed creation left pt9 behind"
	fi
	return 1
}

check_dellink() {
	local status=$2
	if [ "$status" = 0 ]; then
		! ip link show pt9 >/dev/null 2>&1 && return 0
		why="pt9 is still there"
	else
		ptunctl show pt9 dump >/dev/null && return 0
		why="a failed deletion left a device that does not answer GET"
	fi
	return 1
}

device_life() {
	need_fail_nth
	modprobe ptun
	PREPARE=gone_pt9 walk "device creation (RTM_NEWLINK)" check_newlink newlink pt9
	PREPARE=there_pt9 walk "device deletion (RTM_DELLINK)" check_dellink dellink pt9
}

unloaded() {
	[ ! -e /sys/module/ptun ] || rmmod ptun
}

check_load() {
	local status=$2
	if [ "$status" = 0 ]; then
		ip link add pt9 type ptun && ptunctl show pt9 dump >/dev/null &&
			ip link del pt9 && rmmod ptun && return 0
		why="the loaded module does not make a working device, or does not unload"
	else
		[ ! -e /sys/module/ptun ] && return 0
		why="a failed load left the module behind"
	fi
	return 1
}

# The module as users load it: the guest's may be the debug build, whose
# self-tests at load would add thousands of failure points of their own.
module_load() {
	need_fail_nth
	[ -n "${PTUN_PLAIN_MODULE:-}" ] ||
		skip "no build of ptun.ko without self-tests for this kernel (PTUN_PLAIN_MODULE)"
	cp "$PTUN_PLAIN_MODULE" "$TMPDIR/ptun.ko"
	# What ptun needs is loaded once, outside the walk.
	modprobe ptun
	rmmod ptun
	PREPARE=unloaded walk "module load" check_load load "$TMPDIR/ptun.ko"
	modprobe ptun
}

scenario "fail-nth: a SET adding peers ends whole, old, or a whole-peer prefix" set_adds_peers
scenario "fail-nth: a SET replacing the peers ends whole, old, or a whole-peer prefix" \
	set_replaces_peers
scenario "fail-nth: a private key change ends with the old key or the new one" set_private_key
scenario "fail-nth: a GET dump ends complete or with a clean error, the device unchanged" get_dump
scenario "fail-nth: device creation and deletion fail cleanly" device_life
scenario "fail-nth: module load fails cleanly, or loads a working module" module_load
finish
