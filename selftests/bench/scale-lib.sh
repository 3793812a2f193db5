# SPDX-License-Identifier: GPL-2.0
#
# Many peers: configuration files, timings and kernel memory, shared by the
# scale scenarios (selftests/vm/tests/scale.sh) and make bench-scale
# (selftests/bench/scale-guest).  Sourced after selftests/vm/lib.sh; works on
# the two_hosts topology (a and b, each with tun0).

# scale_conf N FILE: a's configuration as a file: its key and port, its peer
# b, and N - 1 more peers with random keys and two allowed IPs each (an IPv4
# /32 in 10.128.0.0/9 and an IPv6 /128 in fd20::/64), no endpoints.
scale_conf() {
	(umask 077; : >"$2")
	/usr/bin/python3 - "$1" "$(cat "$KEY_a")" "$PUB_b" >"$2" <<'PY'
import base64, os, sys
n, key, pub_b = int(sys.argv[1]), sys.argv[2], sys.argv[3]
out = ["[Interface]", "PrivateKey = " + key, "ListenPort = 51821", "",
       "[Peer]", "PublicKey = " + pub_b, "Endpoint = 192.168.241.2:51822",
       "AllowedIPs = 10.10.0.2/32, fd10::2/128", ""]
for i in range(1, n):
    out += ["[Peer]", "PublicKey = " + base64.b64encode(os.urandom(32)).decode(),
            "AllowedIPs = 10.%d.%d.%d/32, fd20::%x/128" %
            (128 + (i >> 16), (i >> 8) & 255, i & 255, i), ""]
print("\n".join(out))
PY
}

# Kernel memory that peers take, in kB: slab, per-CPU areas and vmalloc,
# after the reclaimable caches are dropped so they do not blur the figure.
kernel_kb() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	awk '/^(Slab|Percpu|VmallocUsed):/ { kb += $2 } END { print kb }' /proc/meminfo
}

# ms_of CMD...: run CMD in a's netns, print how long it took in ms.
ms_of() {
	local t0 t1
	t0=$(date +%s%N)
	in_ns a "$@" >/dev/null
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

# dump_matches FILE: a's `show tun0 dump` lists exactly FILE's peers, each
# with its two allowed IPs.
dump_matches() {
	local conf=$1 tool
	tool=$(tool_for "$KIND_a")
	in_ns a "$tool" show tun0 dump | tail -n +2 >"$TMPDIR/dump"
	awk -F'\t' '{ print $1 }' "$TMPDIR/dump" | sort >"$TMPDIR/dump.keys"
	awk '$1 == "PublicKey" { print $3 }' "$conf" | sort >"$TMPDIR/conf.keys"
	cmp -s "$TMPDIR/dump.keys" "$TMPDIR/conf.keys" ||
		fail "the dump's $(wc -l <"$TMPDIR/dump.keys") peers are not the file's $(wc -l <"$TMPDIR/conf.keys")"
	awk -F'\t' '$4 !~ /^[^,]+,[^,]+$/ { bad++ } END { exit bad > 0 }' "$TMPDIR/dump" ||
		fail "a peer in the dump has not two allowed IPs"
}

# udp_kpps SECONDS: small UDP packets a to b through the tunnel, thousands
# received per second.
udp_kpps() {
	in_ns b iperf3 -s -1 -D
	sleep 0.5
	in_ns a iperf3 -c 10.10.0.2 -u -b 0 -l 100 -t "$1" -J |
		/usr/bin/python3 -c 'import json, sys
s = json.load(sys.stdin)["end"]["sum"]
print("%.2f" % ((s["packets"] - s["lost_packets"]) / s["seconds"] / 1e3))'
}

# rtnl_probe_start / rtnl_probe_stop: while they run, something else needs
# RTNL every few ms; stop prints the longest it waited, in ms.  Stop lets
# the wait in progress finish: the longest is often the one a command just
# ended, and killing the probe would lose it.
rtnl_probe_start() {
	ip link add rtnl-probe type dummy
	rm -f "$TMPDIR/rtnl-probe.stop"
	(
		while [ ! -e "$TMPDIR/rtnl-probe.stop" ]; do
			t0=$(date +%s%N)
			ip link set rtnl-probe mtu $((1300 + RANDOM % 100))
			t1=$(date +%s%N)
			echo $(((t1 - t0) / 1000000))
		done
	) >"$TMPDIR/rtnl-probe" 2>/dev/null &
	RTNL_PROBE=$!
	sleep 2
}

rtnl_probe_stop() {
	touch "$TMPDIR/rtnl-probe.stop"
	wait "$RTNL_PROBE" 2>/dev/null || true
	ip link del rtnl-probe
	sort -n "$TMPDIR/rtnl-probe" | awk '{ max = $1 } END { print max + 0 }'
}
