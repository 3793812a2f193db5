#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The protocol's promises: cryptokey routing, roaming, replay protection,
# recovery after a key change, a device that moved netns, garbage at the port.
. "$(dirname "$0")/../lib.sh"

# peer_transfer NS PEER rx|tx: the tunnel bytes NS's tun0 took from or
# sent to PEER, as the host's own tool reports them.
peer_transfer() {
	in_ns "$1" ptunctl show tun0 transfer |
		awk -v k="$2" -v col="$([ "$3" = rx ] && echo 2 || echo 3)" '$1 == k { print $col }'
}

no_ping() {
	! in_ns "$1" ping -c 1 -W 1 -q "$2" >/dev/null 2>&1 || fail "ping $2 from $1 got through"
}

# three_hosts: a with peers b and c on two veths; c also owns 10.20.0.0/24
# behind its tunnel (10.20.0.1 on a dummy device).
three_hosts() {
	local h n
	netns_add a b c
	for h in b c; do
		n=$([ $h = b ] && echo 2 || echo 3)
		ip link add veth-a$h netns a type veth peer name veth-$h netns $h
		ip -n a addr add 192.168.24$n.1/24 dev veth-a$h
		ip -n $h addr add 192.168.24$n.2/24 dev veth-$h
		ip -n a link set veth-a$h up
		ip -n $h link set veth-$h up
	done
	for h in a b c; do
		ip -n $h link add dev tun0 type ptun
		(umask 077; ptunctl genkey >"$TMPDIR/key-$h")
		eval "PUB_$h=\$(ptunctl pubkey <\$TMPDIR/key-$h)"
		ip -n $h link set tun0 up
	done
	ip -n a addr add 10.10.0.1/24 dev tun0
	ip -n b addr add 10.10.0.2/24 dev tun0
	ip -n c addr add 10.10.0.3/24 dev tun0
	ip -n c link add dummy0 type dummy
	ip -n c addr add 10.20.0.1/24 dev dummy0
	ip -n c link set dummy0 up
	ip -n a route add 10.20.0.0/24 dev tun0
	in_ns a ptunctl set tun0 private-key "$TMPDIR/key-a" listen-port 51820 \
		peer "$PUB_b" allowed-ips 10.10.0.2/32 \
		peer "$PUB_c" allowed-ips 10.10.0.3/32,10.20.0.0/24
	for h in b c; do
		n=$([ $h = b ] && echo 2 || echo 3)
		in_ns $h ptunctl set tun0 private-key "$TMPDIR/key-$h" \
			peer "$PUB_a" endpoint 192.168.24$n.1:51820 allowed-ips 0.0.0.0/0
		ip -n $h route add 10.0.0.0/8 dev tun0 2>/dev/null || true
		# b and c start, so that a learns their endpoints.
		ping_ok $h 10.10.0.1
	done
}

routing_by_allowed_ips() {
	local b0 c0
	three_hosts
	b0=$(peer_transfer a "$PUB_b" tx) c0=$(peer_transfer a "$PUB_c" tx)
	ping_ok a 10.20.0.1
	assert_eq "$(peer_transfer a "$PUB_b" tx)" "$b0" "bytes sent to b while pinging behind c"
	[ "$(peer_transfer a "$PUB_c" tx)" -gt "$c0" ] || fail "nothing went to c"
	ping_ok a 10.10.0.2
	ping_ok a 10.10.0.3
}

changing_allowed_ips() {
	three_hosts
	# Replace c's list: 10.20.0.0/24 is no one's now.
	in_ns a ptunctl set tun0 peer "$PUB_c" allowed-ips 10.10.0.3/32
	assert_eq "$(in_ns a ptunctl show tun0 allowed-ips | grep "$PUB_c" | cut -f2)" \
		10.10.0.3/32 "c's allowed IPs after replacing"
	no_ping a 10.20.0.1
	# Give it to b, then to c: a prefix belongs to one peer at most.
	in_ns a ptunctl set tun0 peer "$PUB_b" allowed-ips +10.20.0.0/24
	in_ns a ptunctl set tun0 peer "$PUB_c" allowed-ips +10.20.0.0/24
	assert_eq "$(in_ns a ptunctl show tun0 allowed-ips | grep "$PUB_b" | cut -f2)" \
		10.10.0.2/32 "b's allowed IPs after c took the prefix"
	ping_ok a 10.20.0.1
	# Remove just that one.
	in_ns a ptunctl set tun0 peer "$PUB_c" allowed-ips -10.20.0.0/24
	assert_eq "$(in_ns a ptunctl show tun0 allowed-ips | grep "$PUB_c" | cut -f2)" \
		10.10.0.3/32 "c's allowed IPs after removing one"
	no_ping a 10.20.0.1
}

spoofed_source_is_dropped() {
	local errors a_rx b_rx i
	three_hosts
	errors=$(ns_dev_stat a tun0 rx_frame_errors)
	a_rx=$(peer_transfer a "$PUB_c" rx)
	b_rx=$(ns_dev_stat b tun0 rx_packets)
	# c claims b's tunnel address: a must take nothing from c under it.
	# Had a taken the pings, its answers would have gone to b, the
	# address's owner, so b must receive nothing either.
	ip -n c addr add 10.10.0.2/32 dev dummy0
	in_ns c ping -c 2 -i 0.3 -W 1 -q -I 10.10.0.2 10.10.0.1 >/dev/null 2>&1 || :
	# Decryption is asynchronous: give the count a moment to settle.
	for i in $(seq 50); do
		[ $(($(ns_dev_stat a tun0 rx_frame_errors) - errors)) -lt 2 ] || break
		sleep 0.2
	done
	assert_eq $(($(ns_dev_stat a tun0 rx_frame_errors) - errors)) 2 \
		"spoofed packets a counted as frame errors"
	assert_eq "$(peer_transfer a "$PUB_c" rx)" "$a_rx" "bytes a took from c"
	assert_eq "$(ns_dev_stat b tun0 rx_packets)" "$b_rx" "packets b's tun0 received"
	ping_ok c 10.10.0.1
}

removed_peer_gets_no_traffic() {
	three_hosts
	in_ns a ptunctl set tun0 peer "$PUB_b" remove
	assert_eq "$(in_ns a ptunctl show tun0 peers)" "$PUB_c" "peers left"
	no_ping a 10.10.0.2
	no_ping b 10.10.0.1
	ping_ok a 10.10.0.3
}

roaming() {
	two_hosts ptun ptun
	ping_ok a 10.10.0.2
	# b moves to another address; a follows its authenticated packets.
	ip -n b addr del 192.168.241.2/24 dev veth-b
	ip -n b addr add 192.168.241.3/24 dev veth-b
	ping_ok b 10.10.0.1
	assert_eq "$(tun_show a endpoints | cut -f2)" 192.168.241.3:51822 "b's endpoint as a sees it"
	ping_ok a 10.10.0.2
}

moved_device_keeps_its_socket() {
	two_hosts ptun ptun
	netns_add app
	ip -n a link set tun0 netns app
	ip -n app addr add 10.10.0.1/24 dev tun0
	ip -n app link set tun0 up
	# The socket is still in a, where the veth is; app has no other link.
	ping_ok app 10.10.0.2
	assert_eq "$(in_ns app ptunctl show tun0 listen-port)" 51821 "port after the move"
	in_ns a ss -uln | grep -q ':51821 ' || fail "the socket left the birth netns"
}

# b's view of a: "<tunnel rx bytes> <device rx packets> <data messages from
# a's real port> <their IP bytes> <datagrams from other ports> <their bytes>".
# The nft counters tell genuine traffic in the window (a passive keepalive
# from a, 32 bytes 10 s after a's last reply) apart from the replay.
replay_snapshot() {
	local rx pkts
	rx=$(tun_show b transfer | cut -f2)
	pkts=$(ns_dev_stat b tun0 rx_packets)
	echo "$rx" "$pkts" $(in_ns b nft list chain inet t in |
		sed -n 's/.*counter packets \([0-9]*\) bytes \([0-9]*\).*/\1 \2/p')
}

# replay_view: b's counters at a quiet moment.  A snapshot reads them one
# after the other, so a's passive keepalive could land between the reads;
# two equal snapshots 0.5 s apart show that nothing did, nor was in flight.
replay_view() {
	local first second
	for _ in $(seq 20); do
		first=$(replay_snapshot)
		sleep 0.5
		second=$(replay_snapshot)
		[ "$first" != "$second" ] || break
	done
	echo "$second"
}

replayed_packet_is_dropped() {
	local payload b0 b1
	two_hosts ptun ptun
	ping_ok a 10.10.0.2
	in_ns b nft add table inet t
	in_ns b nft 'add chain inet t in { type filter hook input priority 0; }'
	# Transport data messages (type 4) from a's own socket.
	in_ns b nft add rule inet t in ip saddr 192.168.241.1 udp sport 51821 \
		udp dport 51822 @th,64,8 4 counter
	in_ns b nft add rule inet t in ip saddr 192.168.241.1 udp sport != 51821 \
		udp dport 51822 counter
	capture_ping "$TMPDIR/cap.pcap"
	payload=$(first_message 4 "$TMPDIR/cap.pcap")
	[ -n "$payload" ] || fail "no data message captured"
	sleep 1
	read -r -a b0 <<<"$(replay_view)"
	# Sent again, from another port: no roaming either.
	in_ns a python3 -c "
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(bytes.fromhex(sys.argv[1]), ('192.168.241.2', 51822))" "$payload"
	sleep 1
	read -r -a b1 <<<"$(replay_view)"
	[ ${#b1[@]} -eq 6 ] || fail "b's counters: '${b1[*]}'"
	assert_eq "$((b1[4] - b0[4]))" 1 "replayed datagrams that reached b"
	# Whatever b counted must be a's genuine messages: packets one for one,
	# bytes as UDP payload (IP bytes less 20 + 8 per packet).
	assert_eq "$((b1[1] - b0[1]))" "$((b1[2] - b0[2]))" \
		"packets b received after the replay, less a's genuine ones"
	assert_eq "$((b1[0] - b0[0]))" "$((b1[3] - b0[3] - 28 * (b1[2] - b0[2])))" \
		"bytes b received after the replay, less a's genuine ones"
	assert_eq "$(tun_show b endpoints | cut -f2)" 192.168.241.1:51821 "a's endpoint as b sees it"
}

new_private_key_recovers() {
	local new_pub
	two_hosts ptun wireguard
	ping_ok a 10.10.0.2
	(umask 077; ptunctl genkey >"$TMPDIR/key-new")
	new_pub=$(ptunctl pubkey <"$TMPDIR/key-new")
	in_ns a ptunctl set tun0 private-key "$TMPDIR/key-new"
	in_ns b wg set tun0 peer "$PUB_a" remove peer "$new_pub" \
		endpoint 192.168.241.1:51821 allowed-ips 10.10.0.1/32,fd10::1/128
	ping_ok a 10.10.0.2
	ping_ok b 10.10.0.1
	assert_eq "$(tun_show b peers)" "$new_pub" "the peer b knows"
}

garbage_at_the_port() {
	two_hosts ptun ptun
	ping_ok a 10.10.0.2
	in_ns a python3 - <<'PY'
import os, random, socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
target = ("192.168.241.2", 51822)
sizes = {1: 148, 2: 92, 3: 64}
for i in range(6000):
    kind = i % 6
    if kind == 0:
        msg = os.urandom(random.randint(0, 1500))
    elif kind in (1, 2, 3):
        msg = struct.pack("<I", kind) + os.urandom(sizes[kind] - 4)
    elif kind == 4:
        msg = struct.pack("<I", 4) + os.urandom(random.randint(0, 1500))
    else:
        t = random.randint(1, 4)
        msg = struct.pack("<I", t) + os.urandom(random.choice([0, 3, 12, 27, 60, 88, 144, 145]))
    s.sendto(msg, target)
PY
	ping_ok a 10.10.0.2
	ping_ok b 10.10.0.1
}

# tx_flowing HOST: HOST's tunnel sends (more than 10 packets in a
# second and the time the reads take).
tx_flowing() {
	local before
	before=$(ns_dev_stat "$1" tun0 tx_packets)
	sleep 1
	[ "$(ns_dev_stat "$1" tun0 tx_packets)" -gt $((before + 10)) ]
}

# Peers, keys and devices go away while both directions are saturated: the
# queues holding their packets are drained without a leak or a stale pointer
# (the rig checks the kernel log and the module unload; the debug kernel adds
# KASAN and kmemleak).
removal_under_load() {
	local floods=()
	two_hosts ptun ptun
	ping_ok a 10.10.0.2
	in_ns b iperf3 -s -D -1
	in_ns a iperf3 -s -D -1
	sleep 1
	# UDP floods both ways, long enough to outlast every step below even
	# on the debug kernel.  Their iperf3 control connections run through
	# the tunnel as well, so once it is gone they would wait for TCP to
	# give up (many minutes): they are stopped at the end, not awaited.
	in_ns a iperf3 -c 10.10.0.2 -u -b 0 -l 1300 -t 600 >"$TMPDIR/flood-a" 2>&1 &
	floods+=($!)
	in_ns b iperf3 -c 10.10.0.1 -u -b 0 -l 1300 -t 600 >"$TMPDIR/flood-b" 2>&1 &
	floods+=($!)
	sleep 2
	tx_flowing a || fail "a's flood is not flowing: $(cat "$TMPDIR/flood-a")"
	tx_flowing b || fail "b's flood is not flowing: $(cat "$TMPDIR/flood-b")"
	# The peer goes and comes back, twice, then a new private key.
	in_ns a ptunctl set tun0 peer "$PUB_b" remove
	assert_eq "$(in_ns a ptunctl show tun0 peers)" "" "a's peers after the removal"
	in_ns a ptunctl set tun0 peer "$PUB_b" endpoint 192.168.241.2:51822 allowed-ips 10.10.0.2/32
	sleep 1
	in_ns a ptunctl set tun0 peer "$PUB_b" remove
	in_ns a ptunctl set tun0 peer "$PUB_b" endpoint 192.168.241.2:51822 allowed-ips 10.10.0.2/32
	in_ns a ptunctl set tun0 private-key "$KEY_a"
	sleep 1
	tx_flowing b || fail "b's flood stopped before its device went: $(cat "$TMPDIR/flood-b")"
	# The receiving side's device vanishes mid-stream, then the sender's.
	ip -n b link del tun0
	sleep 1
	ip -n a link del tun0
	kill "${floods[@]}" 2>/dev/null || true
	wait || true
	assert_eq "$(ip -n a -o link show type ptun; ip -n b -o link show type ptun)" "" "ptun devices left"
	# A fresh pair works as before.
	cleanup_topology
	two_hosts ptun ptun
	ping_ok a 10.10.0.2
}

# Outgoing encapsulated packets carry the device's fwmark.
fwmark_on_outgoing_packets() {
	two_hosts ptun ptun
	in_ns a nft add table inet t
	in_ns a nft 'add chain inet t out { type filter hook output priority 0; }'
	in_ns a nft add rule inet t out udp dport 51822 meta mark 0x2a counter
	in_ns a ptunctl set tun0 fwmark 0x2a
	ping_ok a 10.10.0.2
	in_ns a nft list chain inet t out | grep -Eq 'counter packets [1-9]' ||
		fail "no packet left with mark 0x2a"
}

# Persistent keepalives flow without any traffic.
persistent_keepalive() {
	local before after
	two_hosts ptun ptun
	ping_ok a 10.10.0.2
	in_ns a ptunctl set tun0 peer "$PUB_b" persistent-keepalive 1
	before=$(tun_show b transfer | cut -f2)
	sleep 4
	after=$(tun_show b transfer | cut -f2)
	echo "b received $before then $after bytes"
	# A keepalive is a 32-byte message.
	[ "$after" -ge $((before + 3 * 32)) ] || fail "fewer than 3 keepalives in 4 s"
}

scenario "three hosts: packets go to the peer whose allowed IPs hold the destination" routing_by_allowed_ips
scenario "allowed IPs replaced, moved between peers and removed" changing_allowed_ips
scenario "a packet from an address its peer is not allowed is dropped" spoofed_source_is_dropped
scenario "a removed peer gets no traffic and sends none through" removed_peer_gets_no_traffic
scenario "outgoing packets carry the fwmark" fwmark_on_outgoing_packets
scenario "persistent keepalives flow without traffic" persistent_keepalive
scenario "roaming: a peer that changes address is followed" roaming
scenario "a device moved to another netns tunnels through its birth netns" moved_device_keeps_its_socket
scenario "a replayed data packet is dropped: only genuine traffic is counted" replayed_packet_is_dropped
scenario "a new private key and a new handshake recover the session" new_private_key_recovers
scenario "thousands of garbage datagrams leave the tunnel working" garbage_at_the_port
scenario "peers, keys and devices removed under load in both directions" removal_under_load
finish
