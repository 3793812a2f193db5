#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The protocol's timers, timed on the wire: an unanswered initiation is
# sent again after REKEY_TIMEOUT (5 s, plus up to 1/3 s of jitter), a peer
# that received data and sent nothing back sends a keepalive after
# KEEPALIVE_TIMEOUT (10 s), and a peer that sent data and heard nothing
# back starts a new handshake after KEEPALIVE_TIMEOUT + REKEY_TIMEOUT
# (15 s, plus the jitter) though its session is still valid.  Each time is
# taken from a capture on the timed host's veth, from the packet that
# started the timer to the one it sent: never earlier than the rule (less
# 50 ms for the capture), never more than the rule, its jitter and 1 s of
# TCG's slack later (on a slow kernel that bound is only reported).
#
# The three waits would cost 15 s each one after the other: the first
# scenario run sets up three pairs of hosts, starts the three timers within
# a second of each other and waits once for all (about 17 s); each scenario
# then reads its own capture.  TIMED_KIND=wireguard puts Debian's WireGuard
# on the timed side, to hold these expectations against the reference.
. "$(dirname "$0")/../lib.sh"

TIMED_KIND=${TIMED_KIND:-ptun}
# What the first scenario measured, for the others: the captures, the
# counters and whether the measurement finished ($$ is the file's shell).
MEASURED=$TMPDIR/timers.$$

# pair P KIND_a KIND_b: netns Pa and Pb joined by a veth (192.168.241.1/2),
# each with a tunnel device tun0 of its kind (10.10.0.1/2; none: no tunnel)
# configured as each other's peer, a on port 51821, b on 51822.
pair() {
	local kinds=(- "$2" "$3") hosts=(- "${1}a" "${1}b") n pn
	netns_add "${hosts[1]}" "${hosts[2]}"
	ip link add veth-a netns "${hosts[1]}" type veth peer name veth-b netns "${hosts[2]}"
	ip -n "${hosts[1]}" addr add 192.168.241.1/24 dev veth-a
	ip -n "${hosts[2]}" addr add 192.168.241.2/24 dev veth-b
	ip -n "${hosts[1]}" link set veth-a up
	ip -n "${hosts[2]}" link set veth-b up
	for n in 1 2; do
		(umask 077; ptunctl genkey >"$TMPDIR/key-${hosts[n]}")
	done
	for n in 1 2; do
		[ "${kinds[n]}" != none ] || continue
		pn=$((3 - n))
		ip -n "${hosts[n]}" link add dev tun0 type "${kinds[n]}"
		ip -n "${hosts[n]}" addr add "10.10.0.$n/24" dev tun0
		in_ns "${hosts[n]}" "$(tool_for "${kinds[n]}")" set tun0 \
			private-key "$TMPDIR/key-${hosts[n]}" listen-port "5182$n" \
			peer "$(ptunctl pubkey <"$TMPDIR/key-${hosts[pn]}")" \
			endpoint "192.168.241.$pn:5182$pn" allowed-ips "10.10.0.$pn/32"
		ip -n "${hosts[n]}" link set tun0 up
	done
}

# capture NS DEV NAME: tcpdump writes the UDP datagrams on NS's DEV to
# $MEASURED/NAME.pcap until stop_captures; listening waits until it does.
capture_pids=()
capture() {
	in_ns "$1" tcpdump -i "$2" -U -w "$MEASURED/$3.pcap" udp 2>"$MEASURED/$3.log" &
	capture_pids+=($!)
}

# ready FILE WORD: FILE (a background program's output) says WORD within
# 10 s (PTUN_SLOW times that on a slow kernel).
ready() {
	for _ in $(seq $((100 * PTUN_SLOW))); do
		grep -q "$2" "$1" && return 0
		sleep 0.1
	done
	fail "not ready: $1: $(cat "$1")"
}

# wait_all PID...: each of these background jobs succeeded (wait with
# several only tells the last one's status).
wait_all() {
	local pid
	for pid; do
		wait "$pid"
	done
}

stop_captures() {
	kill "${capture_pids[@]}"
	wait "${capture_pids[@]}" || true
}

# send NS: one datagram into NS's tunnel, to 10.10.0.2 port 5000.
send() {
	in_ns "$1" bash -c 'echo timers >/dev/udp/10.10.0.2/5000'
}

# measure: the three timers of the file started at once, their captures
# and (ptun) the retransmitting peer's handshake counters in $MEASURED.
# The pairs are set up side by side: under TCG that halves the time.
measure() {
	local ns pids=()
	mkdir -p "$MEASURED"
	# 1: a's initiations go to a port that drops them unanswered.
	pair 1 "$TIMED_KIND" none &
	pids+=($!)
	# 2: a sends b one datagram, which b's tunnel takes.
	pair 2 ptun "$TIMED_KIND" &
	pids+=($!)
	# 3: a sends b one datagram in a session that b no longer answers.
	pair 3 "$TIMED_KIND" ptun &
	pids+=($!)
	wait_all "${pids[@]}"
	# A socket reads b's datagram and never answers: b sends nothing
	# back, not even an ICMP error (which would be data too).
	in_ns 2b python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 5000))
print("bound", flush=True)
while True:
    s.recv(2048)' >"$MEASURED/listener" 2>&1 &
	# A drop, not a closed port: no ICMP error reaches a either.
	in_ns 1b nft -f - <<-'EOF'
	table inet t {
		chain in {
			type filter hook input priority 0;
			udp dport 51822 drop
		}
	}
	EOF
	pids=()
	for ns in 2a 3a; do
		ping_ok $ns 10.10.0.2 &
		pids+=($!)
	done
	wait_all "${pids[@]}"
	# The session is up: b goes silent.
	ip -n 3b link set tun0 down
	# Each capture on the timed host's veth.
	capture 1a veth-a retransmit
	capture 2b veth-b keepalive
	capture 3a veth-a new-handshake
	for ns in retransmit keepalive new-handshake; do
		ready "$MEASURED/$ns.log" listening
	done
	ready "$MEASURED/listener" bound
	pids=()
	for ns in 1a 2a 3a; do
		send $ns &
		pids+=($!)
	done
	wait_all "${pids[@]}"
	# The last timer is due 15.33 s after its packet, its bound 1 s later.
	sleep $((PTUN_SLOW > 1 ? 19 : 17))
	stop_captures
	if [ "$TIMED_KIND" = ptun ]; then
		counters_dump 1a | awk -F '\t' 'NR > 1 { print $10 }' >"$MEASURED/handshakes"
	fi
	touch "$MEASURED/done"
}

# measured: measure, unless a scenario before this one did.
measured() {
	if [ ! -e "$MEASURED" ]; then
		measure
		return
	fi
	[ -e "$MEASURED/done" ] || fail "the measurement failed in an earlier scenario"
}

# messages NAME: one line per datagram of the capture: its time in seconds,
# source port, message type (the payload's first byte) and UDP payload
# length.  tcpdump prints the IP packet from its first byte; the payload
# starts after the IP header and the UDP header's 8 bytes.
messages() {
	tcpdump -tt -nn -x -r "$MEASURED/$1.pcap" 2>/dev/null | awk '
	function byte(s) { return (index(H, substr(s, 1, 1)) - 1) * 16 + index(H, substr(s, 2, 1)) - 1 }
	function flush() {
		if (t == "")
			return
		ihl = index(H, substr(hex, 2, 1)) - 1
		print t, sport, byte(substr(hex, (ihl * 4 + 8) * 2 + 1, 2)), len
		t = ""
	}
	BEGIN { H = "0123456789abcdef" }
	/^[0-9]/ {
		flush()
		t = $1; sport = $3; sub(/.*\./, "", sport); len = $NF; hex = ""
		next
	}
	/^[ \t]+0x/ { for (i = 2; i <= NF; i++) hex = hex $i }
	END { flush() }'
}

# ms_between T0 T1: T1 - T0 in milliseconds.
ms_between() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%d\n", (b - a) * 1000 + 0.5 }'
}

# within MS LOW HIGH WHAT: LOW <= MS (less 50 ms of capture granularity),
# always; MS <= HIGH, a speed bound.
within() {
	[ "$1" -ge $(($2 - 50)) ] || fail "$4 after $1 ms, earlier than the $2 ms the rule allows"
	speed_bound "$1" "$3" "$4 (ms)"
}

# An initiation that gets no response is sent again REKEY_TIMEOUT (+ jitter)
# later, again and again, each counted as a timeout.
retransmit_after_rekey_timeout() {
	local msgs times t prev='' gap gaps=() hs
	measured
	msgs=$(messages retransmit)
	echo "$msgs"
	read -r -a times <<<"$(awk '$2 == 51821 && $3 == 1 && $4 == 148 { print $1 }' <<<"$msgs" | xargs)"
	[ ${#times[@]} -ge 3 ] ||
		fail "${#times[@]} initiations in 17 s, expected one and two retries at least"
	for t in "${times[@]}"; do
		if [ -n "$prev" ]; then
			gap=$(ms_between "$prev" "$t")
			gaps+=("$gap")
			within "$gap" 5000 6333 "a retry"
		fi
		prev=$t
	done
	echo "# $TIMED_KIND: initiation retried after ${gaps[*]} ms"
	[ "$TIMED_KIND" = ptun ] || return 0
	hs=$(cat "$MEASURED/handshakes")
	echo "handshake counters: $hs"
	assert_eq "$(counter "$hs" initiations-sent)" "${#times[@]}" "initiations-sent"
	assert_eq "$(counter "$hs" timeouts)" "${#gaps[@]}" "timeouts"
	assert_eq "$(counter "$hs" responses-received)" 0 "responses-received"
}

# A peer that received data and sent nothing back for KEEPALIVE_TIMEOUT
# sends a keepalive, and it is the first thing it sends.
passive_keepalive_after_10s() {
	local msgs data reply delay
	measured
	msgs=$(messages keepalive)
	echo "$msgs"
	data=$(awk '$2 == 51821 && $3 == 4 && $4 > 32 { print $1; exit }' <<<"$msgs")
	[ -n "$data" ] || fail "no data message from a captured"
	reply=$(awk -v t="$data" '$2 == 51822 && $1 > t { print; exit }' <<<"$msgs")
	[ -n "$reply" ] || fail "b sent nothing within 17 s of a's data"
	read -r -a reply <<<"$reply"
	if [ "${reply[2]}" != 4 ] || [ "${reply[3]}" != 32 ]; then
		fail "b's first message after the data: type ${reply[2]}, ${reply[3]} bytes, not a keepalive"
	fi
	delay=$(ms_between "$data" "${reply[0]}")
	within "$delay" 10000 11000 "the keepalive"
	echo "# $TIMED_KIND: keepalive $delay ms after the data"
}

# A peer that sent data and received nothing for KEEPALIVE_TIMEOUT +
# REKEY_TIMEOUT starts a new handshake though its session is still valid
# (it sent the data as a transport message).
new_handshake_after_15s() {
	local msgs data init delay
	measured
	msgs=$(messages new-handshake)
	echo "$msgs"
	data=$(awk '$2 == 51821 && $3 == 4 && $4 > 32 { print $1; exit }' <<<"$msgs")
	[ -n "$data" ] || fail "no data message from a captured"
	init=$(awk -v t="$data" '$2 == 51821 && $1 > t && $3 == 1 && $4 == 148 { print $1; exit }' <<<"$msgs")
	[ -n "$init" ] || fail "no initiation from a within 17 s of its data"
	assert_eq "$(awk -v t="$data" -v i="$init" '$1 > t && $1 < i' <<<"$msgs" | wc -l)" 0 \
		"messages between the data and the initiation"
	delay=$(ms_between "$data" "$init")
	within "$delay" 15000 16333 "the new handshake"
	echo "# $TIMED_KIND: new handshake $delay ms after the data"
}

scenario "an unanswered initiation is sent again after 5 s (+ jitter), counted as a timeout" retransmit_after_rekey_timeout
scenario "a peer that received data and sent nothing back sends a keepalive after 10 s" passive_keepalive_after_10s
scenario "a peer that sent data and heard nothing back starts a new handshake after 15 s" new_handshake_after_15s
finish
