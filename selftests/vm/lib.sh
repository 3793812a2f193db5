# SPDX-License-Identifier: GPL-2.0
#
# Shared by the VM scenarios: topology helpers, assertions and the TAP-ish
# report.  A scenario file defines one function per scenario and ends with
#
#	scenario "what it proves" function_name
#	...
#	finish
#
# Each scenario runs in a subshell with errexit, so any failing command fails
# it; its output is shown only when it fails.  Network namespaces and ptun
# devices are removed after every scenario.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PTUNCTL=$TOP/tools/ptunctl/ptunctl
GENL=$TOP/selftests/vm/genl.py
export PATH=$TOP/tools/ptunctl:$PATH

n_run=0
n_failed=0

# How many times slower than on Debian's kernels scenarios run here (vm/run
# says: 8 on the debug kernel).  Only bounds about ptun's speed heed it,
# never what must happen: see speed_bound.
PTUN_SLOW=${PTUN_SLOW:-1}

if [ -z "${PTUN_IN_VM:-}" ]; then
	echo "this scenario runs in the VM: selftests/vm/run -- $0" >&2
	exit 2
fi

# Remove what scenarios create: what runs in a netns (iperf3 servers, floods
# and the like), every netns, and every device of the initial netns but lo
# (the guest has no network card).
cleanup_topology() {
	local dev ns
	for ns in $(ip netns list 2>/dev/null | cut -d' ' -f1); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
	done
	ip -all netns delete 2>/dev/null
	for dev in $(ip -o link show 2>/dev/null | awk -F': ' '{ print $2 }'); do
		[ "$dev" = lo ] || ip link del "${dev%@*}" 2>/dev/null
	done
}

# scenario WHAT FUNCTION: register a scenario; finish runs them in order.
scenario_what=() scenario_fn=()
scenario() {
	scenario_what+=("$1")
	scenario_fn+=("$2")
}

# skip WHY: end the scenario here as skipped ("ok N - what # SKIP WHY"), for
# what this kernel cannot do; make check counts it apart.
skip() {
	echo "$*" >"$PTUN_SKIPPED"
	exit 0
}

# run_scenario WHAT FUNCTION: one TAP line, the scenario's output with it
# when it fails.
run_scenario() {
	local what=$1 fn=$2 log status t0=$SECONDS skipped
	n_run=$((n_run + 1))
	log=$(mktemp)
	skipped=$(mktemp)
	(set -eE -o pipefail; trap 'echo "failed: line $LINENO: $BASH_COMMAND" >&2' ERR
	 PTUN_SKIPPED=$skipped "$fn") >"$log" 2>&1
	status=$?
	if [ "$status" -eq 0 ] && [ -s "$skipped" ]; then
		cleanup_topology
		echo "ok $n_run - $what # SKIP $(head -n 1 "$skipped")"
		rm -f "$log" "$skipped"
		return
	fi
	rm -f "$skipped"
	cleanup_topology
	# The kernel checks that selftests/vm/files makes after a file, but
	# for the unload, after every scenario too, so that a report names
	# the scenario that caused it: the kernel log, and on the debug
	# kernel two kmemleak scans (about 13 s).  PTUN_CHECK_EACH=0 leaves
	# them to the end of the file.
	if [ "${PTUN_CHECK_EACH:-1}" != 0 ]; then
		"$TOP/selftests/vm/guest-checks" -u -c "$TOP/selftests/vm/dmesg-bad" >>"$log" 2>&1 ||
			status=1
	fi
	if [ "$status" -eq 0 ]; then
		echo "ok $n_run - $what"
		# A passing scenario's lines that start with "# " (see
		# speed_bound) are shown too.
		grep '^# ' "$log" || true
		echo "# $fn: $((SECONDS - t0)) s"
	else
		n_failed=$((n_failed + 1))
		echo "not ok $n_run - $what"
		sed 's/^/# /' "$log"
	fi
	rm -f "$log"
}

# finish: run the registered scenarios, or with PTUN_ONLY="fn1 fn2 ..."
# only those (the debug kernel's share of make check), after a TAP plan, so
# that whoever reads the results can tell a file that stopped half way.
# PTUN_SKIP="FILE:FN ..." reports those scenarios of the files named as
# skipped, for PTUN_SKIP_WHY (make check leaves its soaks to the first
# kernel).  A PTUN_ONLY or PTUN_SKIP name that is no scenario of the file
# fails, and so does a file that runs none: either would drop scenarios
# from a run without a word.
finish() {
	local only=() skip=() unknown=() i fn spec
	read -r -a only <<<"${PTUN_ONLY:-}"
	for spec in ${PTUN_SKIP:-}; do
		[ "${spec%%:*}" = "${0##*/}" ] && skip+=("${spec#*:}")
	done
	for fn in "${only[@]}" "${skip[@]}"; do
		[[ " ${scenario_fn[*]} " == *" $fn "* ]] || unknown+=("$fn")
	done
	local run=()
	for i in "${!scenario_fn[@]}"; do
		[ ${#only[@]} -eq 0 ] || [[ " ${only[*]} " == *" ${scenario_fn[$i]} "* ]] &&
			run+=("$i")
	done
	if [ ${#unknown[@]} -gt 0 ]; then
		echo "1..1"
		echo "not ok 1 - PTUN_ONLY or PTUN_SKIP names no scenario of this file: ${unknown[*]}"
		echo "# this file's scenarios: ${scenario_fn[*]}"
		return 1
	fi
	if [ ${#run[@]} -eq 0 ]; then
		echo "1..1"
		echo "not ok 1 - the file has no scenario to run"
		return 1
	fi
	echo "1..${#run[@]}"
	for i in "${run[@]}"; do
		if [[ " ${skip[*]} " == *" ${scenario_fn[$i]} "* ]]; then
			n_run=$((n_run + 1))
			echo "ok $n_run - ${scenario_what[$i]} # SKIP ${PTUN_SKIP_WHY:-skipped in this run}"
			continue
		fi
		run_scenario "${scenario_what[$i]}" "${scenario_fn[$i]}"
	done
	echo "# $((n_run - n_failed)) passed, $n_failed failed"
	[ "$n_failed" -eq 0 ]
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# speed_bound VALUE LIMIT WHAT: VALUE must not exceed LIMIT, a bound on
# ptun's speed (a time, a share of throughput).  On a slow kernel it is only
# reported: on the debug kernel, KASAN, kmemleak and lockdep make some paths
# 8 and others 60 times dearer, and what it tests there is the path, not its
# speed; Debian's kernels, in the same make check, hold the bound.
speed_bound() {
	[ "$1" -le "$2" ] && return 0
	[ "$PTUN_SLOW" -gt 1 ] || fail "$3: $1, over the bound of $2"
	echo "# $3: $1, over the bound of $2 (not checked on a kernel $PTUN_SLOW times slower)"
}

# assert_eq ACTUAL EXPECTED WHAT
assert_eq() {
	[ "$1" = "$2" ] && return 0
	fail "$3: expected '$2', got '$1'"
}

# assert_match TEXT REGEX WHAT
assert_match() {
	grep -Eq -- "$2" <<<"$1" && return 0
	fail "$3: '$1' does not match /$2/"
}

# expect_error REGEX CMD...: CMD fails, saying one line that matches REGEX.
expect_error() {
	local regex=$1 out status
	shift
	out=$("$@" 2>&1) && status=0 || status=$?
	[ "$status" -ne 0 ] || fail "'$*' succeeded, output: $out"
	[ "$(wc -l <<<"$out")" -eq 1 ] || fail "'$*' said more than one line: $out"
	assert_match "$out" "$regex" "error of '$*'"
}

netns_add() {
	local ns
	for ns; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
}

in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# counters_dump NS: ptunctl's counters dump of NS's tun0.
counters_dump() {
	in_ns "$1" ptunctl show tun0 dump --counters
}

# device_drops NS: tun0's drops, name=value,name=value.
device_drops() {
	counters_dump "$1" | head -n 1 | cut -f 5
}

# counter COLUMN NAME: one value out of name=value,name=value
counter() {
	tr , '\n' <<<"$1" | awk -F = -v n="$2" '$1 == n { print $2 }'
}

# One line of a device's statistics from sysfs.
dev_stat() {
	cat "/sys/class/net/$1/statistics/$2"
}

# ns_dev_stat NS DEV STAT: the same for a device in netns NS (sysfs shows
# only the devices of the netns it was mounted in, so it is read there).
ns_dev_stat() {
	in_ns "$1" cat "/sys/class/net/$2/statistics/$3"
}

# The configuration tool for a tunnel kind: both take wg(8)'s syntax.
tool_for() {
	case $1 in
	ptun) echo ptunctl ;;
	wireguard) echo wg ;;
	esac
}

# two_hosts KIND_A KIND_B: netns a and b joined by a veth (192.168.241.1/2,
# fd00:241::1/2), each with a tunnel device tun0 of its kind (10.10.0.1/2,
# fd10::1/2) configured as each other's peer with all of the other's tunnel
# addresses allowed.  Endpoints are IPv4 unless OUTER=6.  Leaves the keys
# in $KEY_a, $PUB_a, $KEY_b, $PUB_b and the kinds in $KIND_a, $KIND_b.
two_hosts() {
	KIND_a=$1 KIND_b=$2
	local h peer n
	netns_add a b
	ip link add veth-a netns a type veth peer name veth-b netns b
	for h in a b; do
		n=$([ $h = a ] && echo 1 || echo 2)
		ip -n $h addr add 192.168.241.$n/24 dev veth-$h
		ip -n $h addr add fd00:241::$n/64 dev veth-$h nodad
		ip -n $h link set veth-$h up
		ip -n $h link add dev tun0 type "$(eval echo \$KIND_$h)"
		ip -n $h addr add 10.10.0.$n/24 dev tun0
		ip -n $h addr add fd10::$n/64 dev tun0 nodad
		eval "KEY_$h=\$TMPDIR/key-$h"
		(umask 077; ptunctl genkey >"$TMPDIR/key-$h")
		eval "PUB_$h=\$(ptunctl pubkey <\$TMPDIR/key-$h)"
	done
	for h in a b; do
		n=$([ $h = a ] && echo 1 || echo 2)
		peer=$([ $h = a ] && echo b || echo a)
		local pn=$([ $h = a ] && echo 2 || echo 1)
		local endpoint=192.168.241.$pn:5182$pn
		[ "${OUTER:-4}" = 6 ] && endpoint=[fd00:241::$pn]:5182$pn
		in_ns $h "$(tool_for "$(eval echo \$KIND_$h)")" set tun0 \
			private-key "$TMPDIR/key-$h" listen-port 5182$n \
			peer "$(eval echo \$PUB_$peer)" endpoint "$endpoint" \
			allowed-ips 10.10.0.$pn/32,fd10::$pn/128
		ip -n $h link set tun0 up
	done
}

# show NS FIELD: the tunnel's `show tun0 FIELD` with the host's own tool.
tun_show() {
	in_ns "$1" "$(tool_for "$(eval echo \$KIND_$1)")" show tun0 "$2"
}

# Ping once with a few tries: the first packets wait for the handshake.
ping_ok() {
	local ns=$1 addr=$2
	in_ns "$ns" ping -c 2 -i 0.3 -w 10 -q "$addr" >/dev/null ||
		fail "ping $addr from $ns"
}

# capture_ping PCAP: a pings b (as two_hosts wires them) while tcpdump on
# b's end of the veth writes the datagrams to b's port to PCAP; the capture
# is complete when this returns.
capture_ping() {
	local pid
	in_ns b tcpdump -i veth-b -U -w "$1" udp port 51822 2>"$TMPDIR/tcpdump.log" &
	pid=$!
	for _ in $(seq 100); do
		grep -q listening "$TMPDIR/tcpdump.log" && break
		sleep 0.1
	done
	ping_ok a 10.10.0.2
	sleep 0.5
	kill "$pid"
	wait "$pid" || true
}

# first_message TYPE PCAP: the UDP payload, as hex, of the first WireGuard
# message of TYPE (1 initiation, 2 response, 4 data but not a keepalive) in
# a pcap file of Ethernet frames carrying IPv4.
first_message() {
	python3 - "$1" "$2" <<'PY'
import struct, sys
kind = int(sys.argv[1])
data = open(sys.argv[2], "rb").read()
off = 24
while off + 16 <= len(data):
    incl = struct.unpack_from("<I", data, off + 8)[0]
    frame = data[off + 16:off + 16 + incl]
    off += 16 + incl
    if len(frame) < 14 + 20 + 8 or frame[12:14] != b"\x08\x00":
        continue
    ihl = (frame[14] & 15) * 4
    payload = frame[14 + ihl + 8:]
    if payload[:4] == struct.pack("<I", kind) and (kind != 4 or len(payload) > 32):
        print(payload.hex())
        break
PY
}
