#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The ptun network device: creation, properties, namespaces, lifetime.
. "$(dirname "$0")/../lib.sh"

autoload_through_ip_link() {
	! grep -q '^ptun ' /proc/modules || rmmod ptun
	ip link add dev pt0 type ptun
	grep -q '^ptun ' /proc/modules || fail "ptun.ko was not loaded"
	ip -d link show dev pt0 | grep -qw ptun || fail "ip -d link does not show the kind"
}

device_properties() {
	local details
	ip link add dev pt0 type ptun
	ip link set dev pt0 up
	details=$(ip -d link show dev pt0)
	echo "$details"
	assert_match "$details" '<POINTOPOINT,NOARP,UP,LOWER_UP>' "flags"
	assert_match "$details" ' mtu 1420 ' "default MTU"
	assert_match "$details" ' qdisc noqueue ' "no qdisc"
	assert_match "$details" 'link/none' "no link-layer address"
	assert_match "$details" 'minmtu 68 maxmtu 65475' "MTU bounds"
	assert_eq "$(cat /sys/class/net/pt0/type)" 65534 "ARPHRD_NONE"
	grep -qx 'DEVTYPE=ptun' /sys/class/net/pt0/uevent || fail "no DEVTYPE=ptun in uevent"
	assert_match "$details" 'addrgenmode none' "IPv6 address generation"
	assert_eq "$(ip -6 addr show dev pt0)" "" "IPv6 addresses nobody configured"
}

mtu_bounds() {
	ip link add dev pt0 type ptun
	ip link set dev pt0 mtu 1280
	ip link set dev pt0 mtu 65475
	! ip link set dev pt0 mtu 67 2>/dev/null || fail "MTU 67 accepted"
	! ip link set dev pt0 mtu 65476 2>/dev/null || fail "MTU 65476 accepted"
	assert_match "$(ip link show dev pt0)" ' mtu 65475 ' "MTU after rejected changes"
}

unrouted_packets_get_icmp_unreachable() {
	local out
	ip link add dev pt0 type ptun
	ip addr add 10.99.0.1/24 dev pt0
	ip addr add fd99::1/64 dev pt0
	ip link set dev pt0 up
	out=$(ping -c 1 -W 2 10.99.0.2 2>&1) && fail "ping through a peerless device succeeded"
	assert_match "$out" 'Destination Host Unreachable' "IPv4 ping"
	out=$(ping -6 -c 1 -W 2 fd99::2 2>&1) && fail "ping6 through a peerless device succeeded"
	assert_match "$out" 'Destination unreachable: Address unreachable' "IPv6 ping"
	assert_eq "$(dev_stat pt0 tx_errors)" 2 "tx_errors"
	assert_eq "$(dev_stat pt0 tx_packets)" 0 "tx_packets"
}

devices_in_two_netns() {
	netns_add a b
	ip -n a link add dev pt0 type ptun
	ip -n b link add dev pt0 type ptun
	ip -n b link add dev pt1 type ptun
	assert_eq "$(ip -n a -o link show type ptun | wc -l)" 1 "devices in a"
	assert_eq "$(ip -n b -o link show type ptun | wc -l)" 2 "devices in b"
	ip -n a link del dev pt0
	assert_eq "$(ip -n b -o link show type ptun | wc -l)" 2 "devices in b after deleting a's"
}

netns_move_keeps_configuration() {
	local key
	netns_add a b
	ip -n a link add dev pt0 type ptun
	key=$(ptunctl genkey)
	in_ns a ptunctl set pt0 private-key <(echo "$key") listen-port 5555 fwmark 7
	ip -n a link set dev pt0 netns b
	assert_eq "$(ip -n a -o link show type ptun | wc -l)" 0 "devices left in a"
	assert_eq "$(in_ns b ptunctl show pt0 private-key)" "$key" "private key after the move"
	assert_eq "$(in_ns b ptunctl show pt0 listen-port)" 5555 "listen port after the move"
	assert_eq "$(in_ns b ptunctl show pt0 fwmark)" 0x7 "fwmark after the move"
	expect_error 'pt0' in_ns a ptunctl show pt0
}

netns_deletion_removes_its_devices() {
	netns_add a
	ip -n a link add dev pt0 type ptun
	ip -n a link add dev pt1 type ptun
	ip netns del a
	# netns teardown runs in a worker; wait for it without a fixed sleep
	for _ in $(seq 50); do
		ip -o link show type ptun | grep -q . || break
		sleep 0.1
	done
	assert_eq "$(ip -o link show type ptun | wc -l)" 0 "ptun devices anywhere"
	rmmod ptun
}

rmmod_with_devices_present() {
	netns_add a
	ip link add dev pt0 type ptun
	ip link set dev pt0 up
	ip -n a link add dev pt1 type ptun
	ptunctl set pt0 private-key <(ptunctl genkey)
	rmmod ptun
	! grep -q '^ptun ' /proc/modules || fail "ptun still loaded"
	assert_eq "$(ip -o link show type ptun 2>/dev/null | wc -l)" 0 "devices after rmmod"
	assert_eq "$(ip -n a -o link show 2>/dev/null | grep -c pt1)" 0 "devices in a after rmmod"
}

# Unreclaimable slab after N create/delete cycles, in KiB.
sunreclaim() {
	awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo
}

cycles() {
	local n=$1 i batch
	batch=$(mktemp)
	for i in $(seq "$n"); do
		echo "link add dev pt$i type ptun"
		echo "link set dev pt$i up"
		echo "link del dev pt$i"
	done >"$batch"
	ip -batch "$batch"
	rm -f "$batch"
}

device_cycles_keep_memory_steady() {
	local before after growth
	# Warm the caches first: the first devices grow slabs that stay.
	cycles 100
	sleep 1
	before=$(sunreclaim)
	cycles 500
	sleep 1
	after=$(sunreclaim)
	growth=$((after - before))
	echo "SUnreclaim: $before KiB before, $after KiB after 500 cycles"
	# A leaked net_device alone is several KiB: 500 leaks would be > 2 MiB.
	[ "$growth" -lt 1024 ] || fail "unreclaimable slab grew by $growth KiB"
	assert_eq "$(ip -o link show type ptun | wc -l)" 0 "devices left"
}

scenario "ip link add loads ptun.ko" autoload_through_ip_link
scenario "point-to-point ARP-less L3 device, MTU 1420, no qdisc" device_properties
scenario "MTU limits enforced" mtu_bounds
scenario "packets with no peer get ICMP unreachable and count as tx errors" unrouted_packets_get_icmp_unreachable
scenario "devices in two netns at once" devices_in_two_netns
scenario "a device moved to another netns keeps its configuration" netns_move_keeps_configuration
scenario "deleting a netns removes its ptun devices" netns_deletion_removes_its_devices
scenario "rmmod ptun with devices in two netns" rmmod_with_devices_present
scenario "500 create/delete cycles leave slab memory steady" device_cycles_keep_memory_steady
finish
