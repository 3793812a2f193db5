#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The ptun netlink family through ptunctl and through hand-made requests:
# configuration round trips, wg(8)-compatible output, validation, permissions.
. "$(dirname "$0")/../lib.sh"

KEY=$(mktemp)
trap 'rm -f "$KEY"' EXIT

set_show_round_trip() {
	local pub
	ip link add dev pt0 type ptun
	ptunctl genkey >"$KEY"
	ptunctl set pt0 private-key "$KEY" listen-port 51820 fwmark 0x2a
	assert_eq "$(ptunctl show pt0 private-key)" "$(cat "$KEY")" "private key"
	pub=$(wg pubkey <"$KEY")
	assert_eq "$(ptunctl show pt0 public-key)" "$pub" "public key (wg pubkey of the private key)"
	assert_eq "$(ptunctl show pt0 listen-port)" 51820 "listen port"
	assert_eq "$(ptunctl show pt0 fwmark)" 0x2a "fwmark"
	assert_eq "$(ptunctl show pt0 dump)" "$(printf '%s\t%s\t51820\t0x2a' "$(cat "$KEY")" "$pub")" "dump"
	assert_eq "$(ptunctl show all dump)" "$(printf 'pt0\t%s\t%s\t51820\t0x2a' "$(cat "$KEY")" "$pub")" "dump of all"

	# Only what is given changes.
	ptunctl set pt0 listen-port 0
	assert_eq "$(ptunctl show pt0 dump)" "$(printf '%s\t%s\t0\t0x2a' "$(cat "$KEY")" "$pub")" "dump after port change"
	ptunctl set pt0 fwmark off
	assert_eq "$(ptunctl show pt0 fwmark)" off "fwmark off"
	ptunctl set pt0 private-key /dev/null
	assert_eq "$(ptunctl show pt0 private-key)" "(none)" "private key cleared"
	assert_eq "$(ptunctl show pt0 public-key)" "(none)" "public key cleared with it"
}

unclamped_key_is_stored_clamped() {
	local raw=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAP8=  # 31 zero bytes, 0xff
	ip link add dev pt0 type ptun
	ptunctl set pt0 private-key <(echo "$raw")
	# 0xff clamps to 0x7f | 0x40 = 0x7f in the last byte.
	assert_eq "$(ptunctl show pt0 private-key)" AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAH8= "clamped key"
	assert_eq "$(ptunctl show pt0 public-key)" "$(echo "$raw" | wg pubkey)" "public key"
}

# Configure a WireGuard device in netns wg and a ptun device in netns pt, both
# called tun0, the same way; then every view of them must read the same.
compare_with_wg() {
	local view
	for view in "" "tun0" "tun0 dump" "all dump" "interfaces" "tun0 public-key" \
		    "tun0 private-key" "tun0 listen-port" "tun0 fwmark" "all fwmark"; do
		# shellcheck disable=SC2086
		assert_eq "$(in_ns pt ptunctl show $view)" "$(in_ns wg wg show $view)" "show $view"
	done
}

output_matches_wg() {
	netns_add wg pt
	ip -n wg link add dev tun0 type wireguard
	ip -n pt link add dev tun0 type ptun
	compare_with_wg
	ptunctl genkey >"$KEY"
	in_ns wg wg set tun0 private-key "$KEY" listen-port 4242 fwmark 0x1234
	in_ns pt ptunctl set tun0 private-key "$KEY" listen-port 4242 fwmark 0x1234
	compare_with_wg
	in_ns wg wg set tun0 fwmark off listen-port 0
	in_ns pt ptunctl set tun0 fwmark off listen-port 0
	compare_with_wg
	in_ns wg wg set tun0 private-key /dev/null
	in_ns pt ptunctl set tun0 private-key /dev/null
	compare_with_wg
}

# Each bad request fails with a one-line reason and changes nothing.
bad_input_via_ptunctl() {
	local before
	ip link add dev pt0 type ptun
	ip link add dev dummy0 type dummy
	ptunctl genkey >"$KEY"
	ptunctl set pt0 private-key "$KEY" listen-port 1000 fwmark 5
	before=$(ptunctl show pt0 dump)

	expect_error 'port' ptunctl set pt0 listen-port 65536
	expect_error 'port' ptunctl set pt0 listen-port -1
	expect_error 'port' ptunctl set pt0 listen-port 12ab
	expect_error 'port' ptunctl set pt0 fwmark 9 listen-port ''
	expect_error 'fwmark' ptunctl set pt0 fwmark 0x100000000
	expect_error 'fwmark' ptunctl set pt0 fwmark blue
	expect_error 'nonexistent' ptunctl set pt0 listen-port 7 private-key /nonexistent
	expect_error 'key' ptunctl set pt0 listen-port 7 private-key <(echo "not a key")
	expect_error 'key' ptunctl set pt0 listen-port 7 private-key <(head -c 43 "$KEY")
	expect_error 'colour' ptunctl set pt0 colour red
	expect_error 'No such device|nosuch' ptunctl set nosuch listen-port 7
	expect_error 'not a ptun device' ptunctl set dummy0 listen-port 7
	expect_error 'No such device|nosuch' ptunctl show nosuch
	expect_error 'not a ptun device' ptunctl show dummy0 dump
	assert_eq "$(ptunctl show pt0 dump)" "$before" "configuration after the rejected requests"
}

# Requests ptunctl would never build, straight to the kernel.
bad_input_via_netlink() {
	local before ifindex
	ip link add dev pt0 type ptun
	ip link add dev dummy0 type dummy
	ptunctl genkey >"$KEY"
	ptunctl set pt0 private-key "$KEY" listen-port 1000 fwmark 5
	before=$(ptunctl show pt0 dump)
	ifindex=$(cat /sys/class/net/pt0/ifindex)

	assert_match "$($GENL set --ifname pt0 --attr public-key="$(printf '%064x' 1)")" \
		'^error: EINVAL: .*public key .*cannot be set' "setting the public key"
	assert_match "$($GENL set --ifname pt0 --raw 3="$(printf '%062x' 1)")" \
		'^error: ERANGE: .+' "a 31-byte private key"
	assert_match "$($GENL set --ifname pt0 --raw 5=01000000)" \
		'^error: EINVAL: .+' "a 32-bit listen port"
	assert_match "$($GENL set --ifname pt0 --raw 200=00)" \
		'^error: EINVAL: .+' "an unknown attribute"
	assert_match "$($GENL set --attr listen-port=7)" \
		'^error: EINVAL: .*ifindex or ifname' "no device given"
	assert_match "$($GENL set --ifindex "$ifindex" --ifname dummy0 --attr listen-port=7)" \
		'^error: EINVAL: .*different devices' "ifindex and ifname disagree"
	assert_match "$($GENL set --ifname nosuch --attr listen-port=7)" \
		'^error: ENODEV: no device of that name' "unknown name"
	assert_match "$($GENL set --ifindex 99999 --attr listen-port=7)" \
		'^error: ENODEV: no device with that ifindex' "unknown ifindex"
	assert_match "$($GENL set --ifname dummy0 --attr listen-port=7)" \
		'^error: EOPNOTSUPP: .*not a ptun device' "a dummy device"
	assert_match "$($GENL get --ifname dummy0)" \
		'^error: EOPNOTSUPP: .*not a ptun device' "get of a dummy device"
	assert_match "$($GENL get --ifname pt0 --attr listen-port=7)" \
		'^error: EINVAL: .+' "get with a configuration attribute"
	assert_eq "$(ptunctl show pt0 dump)" "$before" "configuration after the rejected requests"

	# The same device by ifindex, by name, and by both.
	assert_match "$($GENL get --ifindex "$ifindex")" 'listen-port: 1000' "get by ifindex"
	assert_match "$($GENL get --ifname pt0)" 'fwmark: 5' "get by ifname"
	assert_match "$($GENL set --ifindex "$ifindex" --ifname pt0 --attr listen-port=2000)" '^ok$' "set by both"
	assert_eq "$(ptunctl show pt0 listen-port)" 2000 "listen port set by ifindex and ifname"
}

unprivileged_users_are_refused() {
	local nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
	ip link add dev pt0 type ptun
	ptunctl set pt0 listen-port 1000
	expect_error 'Operation not permitted' "${nobody[@]}" "$PTUNCTL" show pt0 dump
	expect_error 'Operation not permitted' "${nobody[@]}" "$PTUNCTL" set pt0 listen-port 2000
	assert_eq "$(ptunctl show pt0 listen-port)" 1000 "listen port"
}

# CAP_NET_ADMIN over the netns's owning user namespace is enough: an
# unprivileged user manages ptun in a netns of its own.
user_namespace_admin() {
	local nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
	local out
	# The module is already loaded; a user namespace could not load it.
	ip link add dev pt0 type ptun
	out=$("${nobody[@]}" unshare --user --map-root-user --net bash -c "
		set -e
		ip link add dev pt9 type ptun
		$PTUNCTL set pt9 listen-port 3333 fwmark 9
		$PTUNCTL show pt9 dump
		$PTUNCTL show interfaces")
	assert_eq "$out" "$(printf '(none)\t(none)\t3333\t0x9\npt9')" "ptunctl inside the user's namespaces"
	assert_eq "$(ptunctl show interfaces)" pt0 "devices in the initial netns"
}

# The same peers on a WireGuard and a ptun device (both down: no handshake
# yet), then every view of them must read the same.
peers_match_wg() {
	local psk peers=() i
	netns_add wg pt
	ip -n wg link add dev tun0 type wireguard
	ip -n pt link add dev tun0 type ptun
	(umask 077; ptunctl genkey >"$KEY"; ptunctl genpsk >"$TMPDIR/psk")
	for i in 1 2 3; do
		peers+=("$(ptunctl genkey | ptunctl pubkey)")
	done
	for tool in "in_ns wg wg" "in_ns pt ptunctl"; do
		$tool set tun0 private-key "$KEY" listen-port 7777 \
			peer "${peers[0]}" preshared-key "$TMPDIR/psk" endpoint 192.0.2.1:51820 \
				persistent-keepalive 25 allowed-ips 10.0.0.0/24,fd00::/64 \
			peer "${peers[1]}" endpoint [2001:db8::1]:4444 allowed-ips 10.1.0.1/32 \
			peer "${peers[2]}"
	done
	compare_with_wg
	local view
	for view in "tun0 peers" "tun0 endpoints" "tun0 allowed-ips" "tun0 latest-handshakes" \
		    "tun0 transfer" "tun0 persistent-keepalive" "tun0 preshared-keys" "all allowed-ips"; do
		# shellcheck disable=SC2086
		assert_eq "$(in_ns pt ptunctl show $view)" "$(in_ns wg wg show $view)" "show $view"
	done
	# Changing and removing, the same way on both.
	for tool in "in_ns wg wg" "in_ns pt ptunctl"; do
		$tool set tun0 peer "${peers[0]}" allowed-ips 10.0.0.0/24,10.9.0.0/16 \
			persistent-keepalive off preshared-key /dev/null \
			peer "${peers[1]}" remove
	done
	compare_with_wg
}

# Larger than one netlink message, both ways: many peers, one with many
# allowed IPs.  WireGuard given the same must show the same dump.
big_config_splits() {
	local args=() many keys i
	netns_add wg pt
	ip -n wg link add dev tun0 type wireguard
	ip -n pt link add dev tun0 type ptun
	many=$(python3 -c 'print(",".join("10.%d.%d.0/24" % (i // 256, i % 256) for i in range(1500)))')
	# Any 32 bytes but a few low-order points are a public key: 301 from
	# one process rather than 602 ptunctl runs.
	read -r -a keys <<<"$(python3 -c 'import base64, os
print(" ".join(base64.b64encode(os.urandom(32)).decode() for _ in range(301)))')"
	args+=(peer "${keys[0]}" allowed-ips "$many")
	for i in $(seq 300); do
		args+=(peer "${keys[$i]}" allowed-ips "172.16.$((i / 256)).$((i % 256))/32")
	done
	in_ns pt ptunctl set tun0 "${args[@]}"
	in_ns wg wg set tun0 "${args[@]}"
	assert_eq "$(in_ns pt ptunctl show tun0 peers | wc -l)" 301 "peers read back"
	assert_eq "$(in_ns pt ptunctl show tun0 allowed-ips | wc -w)" 2101 "keys and allowed IPs read back"
	assert_eq "$(in_ns pt ptunctl show tun0 dump)" "$(in_ns wg wg show tun0 dump)" "dump against WireGuard's"
}

peer_validation() {
	local before own pub
	ip link add dev pt0 type ptun
	(umask 077; ptunctl genkey >"$KEY")
	pub=$(ptunctl genkey | ptunctl pubkey)
	ptunctl set pt0 private-key "$KEY" peer "$pub" allowed-ips 10.0.0.0/24
	before=$(ptunctl show pt0 dump)
	# The all-zero key and the order-8 points are no keys.
	expect_error 'low-order' ptunctl set pt0 peer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
	expect_error 'low-order' ptunctl set pt0 peer 4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA=
	# A request with one bad peer changes nothing, not even its good peers.
	assert_match "$($GENL set --ifname pt0 --peer "public-key=$(ptunctl genkey | ptunctl pubkey)" \
		--peer "public-key=$pub;allowedip=10.9.0.1/16")" \
		'^error: EINVAL: .*bits set past its prefix' "host bits in an allowed IP"
	assert_match "$($GENL set --ifname pt0 --peer "public-key=$pub;raw=4:02000000c00002010000000000000000")" \
		'^error: EINVAL: .*endpoint needs a port' "an endpoint without a port"
	assert_match "$($GENL set --ifname pt0 --peer "allowedip=10.0.0.0/8")" \
		'^error: EINVAL: .*public key' "a peer without a key"
	assert_match "$($GENL set --ifname pt0 --peer "public-key=$pub;raw=7:00")" \
		'^error: EINVAL: .*read-only' "setting transfer counters"
	assert_eq "$(ptunctl show pt0 dump)" "$before" "configuration after the rejected requests"

	# Our own key in the peer list is skipped, so one file can list a mesh.
	own=$(ptunctl pubkey <"$KEY")
	ptunctl set pt0 peer "$own" allowed-ips 10.5.0.0/24
	assert_eq "$(ptunctl show pt0 peers)" "$pub" "peers after adding our own key"
	# update-only never creates; replace-peers keeps only what it names.
	assert_match "$($GENL set --ifname pt0 --peer "public-key=$own;flags=4")" '^ok$' "update-only"
	assert_eq "$(ptunctl show pt0 peers)" "$pub" "peers after update-only of an unknown key"
	own=$(ptunctl genkey | ptunctl pubkey)
	assert_match "$($GENL set --ifname pt0 --attr flags=1 --peer "public-key=$own")" '^ok$' "replace-peers"
	assert_eq "$(ptunctl show pt0 peers)" "$own" "peers after replace-peers"
}

scenario "set and show every device field" set_show_round_trip
scenario "peers: ptunctl show prints what wg show prints for the same peers" peers_match_wg
scenario "a configuration larger than a message is split on set and on dump" big_config_splits
scenario "peer validation: low-order keys, host bits, endpoints, own key, flags" peer_validation
scenario "a private key is stored clamped, its public key derived" unclamped_key_is_stored_clamped
scenario "ptunctl show prints what wg show prints for the same config" output_matches_wg
scenario "bad input to ptunctl: one-line error, state unchanged" bad_input_via_ptunctl
scenario "bad netlink requests: extack message, state unchanged" bad_input_via_netlink
scenario "without CAP_NET_ADMIN get and set are refused" unprivileged_users_are_refused
scenario "CAP_NET_ADMIN in the netns's user namespace suffices" user_namespace_admin
finish
