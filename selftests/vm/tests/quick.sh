#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ptun-quick, its kill switch and exec, the ifupdown hooks and make install,
# on four hosts:
#
#   client --- internet --- server (ptun, NAT)
#
# where the internet also holds a website on addresses of its own (HTTP, a
# UDP echo, DNS for site.test; it logs who asks).
#
# The client's uplink is captured wherever leaks matter.  /etc/resolv.conf
# and /etc/network are the guest's read-only ones: scenarios that need them
# run in a private mount namespace with writable copies bound over them.
. "$(dirname "$0")/../lib.sh"

QUICK=$TOP/tools/ptun-quick/ptun-quick
SITE4=192.0.2.10 SITE6=2001:db8:3::10
SERVER4=203.0.113.2 SERVER6=2001:db8:5::2
CLIENT4=198.51.100.2 CLIENT6=2001:db8:c::2

link() {	# link NS1 IF1 ADDR4 ADDR6 NS2 IF2 ADDR4 ADDR6
	ip link add "$2" netns "$1" type veth peer name "$6" netns "$5"
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$1" addr add "$4" dev "$2" nodad
	ip -n "$5" addr add "$7" dev "$6"
	ip -n "$5" addr add "$8" dev "$6" nodad
	ip -n "$1" link set "$2" up
	ip -n "$5" link set "$6" up
}

# The website: HTTP on 80, a UDP echo on 7, DNS on 53 (site.test is itself),
# both families; every request is logged with its source address.
WEBSITE_PY='
import socket, sys, threading, http.server
log = open(sys.argv[1], "a", buffering=1)
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        log.write("http %s %s\n" % (self.client_address[0], self.path))
        self.send_response(200); self.end_headers(); self.wfile.write(b"hello\n")
    def log_message(self, *a): pass
class S6(http.server.ThreadingHTTPServer): address_family = socket.AF_INET6
def udp(family, addr, port, answer):
    s = socket.socket(family, socket.SOCK_DGRAM); s.bind((addr, port))
    while True:
        data, peer = s.recvfrom(2048)
        reply = answer(data, peer[0])
        if reply: s.sendto(reply, peer)
def echo(data, src):
    log.write("udp %s %s\n" % (src, data.decode(errors="replace"))); return data
def dns(q, src):
    i = 12
    while q[i]: i += q[i] + 1
    name = q[12:i]; qtype = q[i + 1:i + 3]; end = i + 5
    log.write("dns %s %s\n" % (src, name[1:].decode(errors="replace")))
    ans = b""
    if qtype == b"\x00\x01": ans = b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" + socket.inet_pton(socket.AF_INET, "192.0.2.10")
    if qtype == b"\x00\x1c": ans = b"\xc0\x0c\x00\x1c\x00\x01\x00\x00\x00\x3c\x00\x10" + socket.inet_pton(socket.AF_INET6, "2001:db8:3::10")
    return q[:2] + b"\x81\x80" + q[4:6] + (b"\x00\x01" if ans else b"\x00\x00") + b"\x00\x00\x00\x00" + q[12:end] + ans
for fam, a in ((socket.AF_INET, "192.0.2.10"), (socket.AF_INET6, "2001:db8:3::10")):
    threading.Thread(target=udp, args=(fam, a, 7, echo), daemon=True).start()
    threading.Thread(target=udp, args=(fam, a, 53, dns), daemon=True).start()
threading.Thread(target=http.server.ThreadingHTTPServer(("192.0.2.10", 80), H).serve_forever, daemon=True).start()
S6(("2001:db8:3::10", 80), H).serve_forever()
'

# The three hosts; the server's ptun with NAT for both families; the
# client's key.  Then the website, unless NO_WEBSITE is set.
three_hosts() {
	rm -rf /run/ptun-quick "${TMPDIR:?}/etc" "$TMPDIR/resolv.conf" "$TMPDIR/resolvconf"
	netns_add client internet server
	link client eth0 $CLIENT4/24 $CLIENT6/64 internet to-client 198.51.100.1/24 2001:db8:c::1/64
	link server eth0 $SERVER4/24 $SERVER6/64 internet to-server 203.0.113.1/24 2001:db8:5::1/64
	ip -n internet link add site type dummy
	ip -n internet addr add $SITE4/32 dev site
	ip -n internet addr add $SITE6/128 dev site nodad
	ip -n internet link set site up
	in_ns internet sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	in_ns server sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	ip -n client route add default via 198.51.100.1
	ip -n client -6 route add default via 2001:db8:c::1
	ip -n server route add default via 203.0.113.1
	ip -n server -6 route add default via 2001:db8:5::1
	in_ns server nft 'add table inet nat; add chain inet nat post { type nat hook postrouting priority 100; }; add rule inet nat post oifname "eth0" masquerade'

	(umask 077; ptunctl genkey >"$TMPDIR/server.key"; ptunctl genkey >"$TMPDIR/client.key")
	SERVER_PUB=$(ptunctl pubkey <"$TMPDIR/server.key")
	CLIENT_PUB=$(ptunctl pubkey <"$TMPDIR/client.key")
	server_up
	mkdir -p "$TMPDIR/etc"
	[ -z "${NO_WEBSITE:-}" ] || return 0

	WEBLOG=$TMPDIR/website.log
	: >"$WEBLOG"
	in_ns internet python3 -c "$WEBSITE_PY" "$WEBLOG" >/dev/null 2>&1 &
	WEBSITE_PID=$!
	trap 'kill "$WEBSITE_PID"' EXIT
	# The uplink's name server, as DHCP would register it.
	echo "nameserver 198.51.100.1" | on_client resolvconf -a eth0
	for _ in $(seq 100); do
		in_ns client curl -s -o /dev/null "http://[$SITE6]/" && break
		sleep 0.2
	done
}

server_up() {
	ip -n server link add dev pt0 type ptun
	in_ns server ptunctl set pt0 private-key "$TMPDIR/server.key" listen-port 51820 \
		peer "$CLIENT_PUB" allowed-ips 10.8.0.2/32,fd08::2/128
	ip -n server addr add 10.8.0.1/24 dev pt0
	ip -n server addr add fd08::1/64 dev pt0 nodad
	ip -n server link set pt0 up
}

# client_config [LINE...]: $CONF, a full tunnel with DNS at the website;
# the lines are added to [Interface].
client_config() {
	local line
	CONF=$TMPDIR/etc/pt0.conf
	{
		echo "[Interface]"
		echo "PrivateKey = $(cat "$TMPDIR/client.key")"
		echo "Address = 10.8.0.2/32, fd08::2/128"
		echo "DNS = $SITE4"
		for line; do echo "$line"; done
		echo
		echo "[Peer]"
		echo "PublicKey = $SERVER_PUB"
		echo "Endpoint = $SERVER4:51820"
		echo "AllowedIPs = 0.0.0.0/0, ::/0"
		echo "PersistentKeepalive = 1"
	} >"$CONF"
	chmod 600 "$CONF"
}

# on_client CMD...: CMD in the client's netns with a private, writable
# /etc/resolv.conf and resolvconf state, as on a system that runs resolvconf
# and no local name server (whose configuration, the guest's, is read-only).
on_client() {
	[ -d "$TMPDIR/resolvconf" ] || mkdir -p /run/resolvconf "$TMPDIR/resolvconf"
	[ -e "$TMPDIR/resolv.conf" ] || echo "# Generated by resolvconf" >"$TMPDIR/resolv.conf"
	[ -e "$TMPDIR/resolvconf.conf" ] || echo "resolv_conf=/etc/resolv.conf" >"$TMPDIR/resolvconf.conf"
	in_ns client unshare -m --propagation private bash -c '
		mount --bind "$1" /etc/resolv.conf
		mount --bind "$2" /run/resolvconf
		mount --bind "$3" /etc/resolvconf.conf
		shift 3
		exec "$@"' bash "$TMPDIR/resolv.conf" "$TMPDIR/resolvconf" "$TMPDIR/resolvconf.conf" "$@"
}

# capture NAME / capture_stop NAME: the client's uplink into $TMPDIR/NAME.pcap.
capture() {
	in_ns client tcpdump -i eth0 -U -n -w "$TMPDIR/$1.pcap" 2>"$TMPDIR/$1.tcpdump" &
	CAPTURE_PID=$!
	for _ in $(seq 100); do
		grep -q listening "$TMPDIR/$1.tcpdump" && return
		sleep 0.1
	done
	fail "tcpdump did not start"
}

capture_stop() {
	sleep 0.5
	kill "$CAPTURE_PID"
	wait "$CAPTURE_PID" 2>/dev/null || true
}

# What the client sent on its uplink other than ptun's UDP to the server
# (and neighbour discovery, which stays on the link): one line a packet.
# What comes in (the server's port unreachable while its ptun is gone) is
# not the client's to leak.
clear_packets() {
	local mac
	mac=$(ip -n client -br link show dev eth0 | awk '{ print $3 }')
	tcpdump -n -r "$TMPDIR/$1.pcap" \
		"ether src $mac and (ip or ip6) and not (udp and dst host $SERVER4 and dst port 51820) and
		 not (icmp6 and (ip6[40] >= 133 and ip6[40] <= 137))" 2>/dev/null
}

ciphertext_packets() {
	tcpdump -n -r "$TMPDIR/$1.pcap" "udp and dst host $SERVER4 and dst port 51820" 2>/dev/null | wc -l
}

# visit TAG: what the client sends to the website, in both families and
# every protocol, each tagged; fails if any gets no answer.
visit() {
	local tag=$1
	in_ns client ping -c 1 -w 30 -q $SITE4 >/dev/null
	in_ns client ping -c 1 -W 5 -q $SITE6 >/dev/null
	in_ns client curl -s -m 5 -o /dev/null "http://$SITE4/$tag-tcp4"
	in_ns client curl -s -m 5 -o /dev/null "http://[$SITE6]/$tag-tcp6"
	in_ns client python3 -c '
import socket, sys
for fam, addr in ((socket.AF_INET, "192.0.2.10"), (socket.AF_INET6, "2001:db8:3::10")):
    s = socket.socket(fam, socket.SOCK_DGRAM); s.settimeout(5)
    s.sendto(sys.argv[1].encode(), (addr, 7))
    assert s.recvfrom(100)[0] == sys.argv[1].encode()
' "$tag-udp"
	assert_eq "$(on_client getent ahostsv4 "$tag-dns.site.test" | awk 'NR == 1 { print $1 }')" \
		$SITE4 "DNS answer"
}

# The sources the website saw for requests tagged TAG, sorted, on one line.
seen_as() {
	awk -v tag="$1" 'index($0, tag) { print $2 }' "$WEBLOG" | sort -u | tr '\n' ' '
}

# The server in both families, as seen_as shows it.
SERVER_SEEN=$(printf '%s\n' $SERVER4 $SERVER6 | sort | tr '\n' ' ')

# The client's routing, firewall, network sysctls and resolv.conf.
client_state() {
	in_ns client bash -c 'ip -4 rule; ip -6 rule; ip -4 route show table all
		ip -6 route show table all; nft list ruleset; ip -br link
		sysctl net.ipv4.conf net.ipv6.conf | grep -v "\.pt0\."'
	cat "$TMPDIR/resolv.conf"
}

full_tunnel_then_no_trace() {
	local before during after
	three_hosts
	client_config "MTU = 1400" "PostUp = touch $TMPDIR/up-%i" "PostDown = touch $TMPDIR/down-%i"
	before=$(client_state)
	on_client "$QUICK" up "$CONF"
	during=$(client_state)
	assert_match "$during" "not from all fwmark 0xca6c lookup 51820" "the full tunnel's rule"
	assert_match "$during" "from all lookup main suppress_prefixlength 0" "the main table's rule"
	assert_match "$during" "table inet ptun-quick-pt0" "the nftables table"
	assert_match "$during" "net.ipv4.conf.all.src_valid_mark = 1" "src_valid_mark"
	assert_match "$(cat "$TMPDIR/resolv.conf")" "nameserver $SITE4" "resolv.conf through resolvconf"
	assert_eq "$(in_ns client cat /sys/class/net/pt0/mtu)" 1400 "MTU"
	[ -e "$TMPDIR/up-pt0" ] || fail "PostUp did not run with %i"

	capture full
	visit full
	capture_stop
	assert_eq "$(seen_as full-)" "$SERVER_SEEN" "the website saw"
	assert_eq "$(seen_as full-dns)" "$SERVER4 " "the DNS server saw"
	assert_eq "$(clear_packets full)" "" "packets in clear on the uplink"
	[ "$(ciphertext_packets full)" -ge 10 ] || fail "no ciphertext on the uplink"
	! grep -aq "full-" "$TMPDIR/full.pcap" || fail "a tag in clear on the uplink"

	on_client "$QUICK" down "$CONF"
	[ -e "$TMPDIR/down-pt0" ] || fail "PostDown did not run"
	after=$(client_state)
	diff -u <(echo "$before") <(echo "$after") || fail "up then down left changes"
	in_ns client curl -s -m 5 -o /dev/null "http://$SITE4/after-down"
	assert_eq "$(seen_as after-down)" "$CLIENT4 " "after down, the website saw"
	expect_error "pt0 is not a ptun-quick interface that is up" on_client "$QUICK" down "$CONF"
}

# expect_nothing_reaches TAG: every protocol fails, and none gets through.
expect_nothing_reaches() {
	local -x RES_OPTIONS="timeout:1 attempts:1"
	! in_ns client ping -c 1 -W 2 -q $SITE4 >/dev/null 2>&1 || fail "ping got through"
	! in_ns client ping -c 1 -W 2 -q $SITE6 >/dev/null 2>&1 || fail "ping6 got through"
	! in_ns client curl -s -m 3 -o /dev/null "http://$SITE4/$1-tcp4" || fail "TCP got through"
	! in_ns client curl -s -m 3 -o /dev/null "http://[$SITE6]/$1-tcp6" || fail "TCP6 got through"
	! on_client getent ahostsv4 "$1-dns.site.test" >/dev/null || fail "DNS got through"
	assert_eq "$(seen_as "$1-")" "" "what the website saw"
}

kill_switch_holds() {
	local before
	three_hosts
	client_config "KillSwitch = true" "AllowLAN = 192.168.0.0/16, fd00::/8"
	before=$(client_state)
	on_client "$QUICK" up "$CONF"
	assert_match "$(in_ns client ip -4 rule)" "to 192.168.0.0/16 lookup main" "the LAN's rule"
	visit ks-up
	assert_eq "$(seen_as ks-up)" "$SERVER_SEEN" "the website saw"
	# DNS to a resolver that is not the config's is refused, even through
	# the tunnel.
	expect_error "Operation not permitted" in_ns client python3 -c '
import socket
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"q", ("192.0.2.1", 53))
except OSError as e:
    raise SystemExit(e.strerror)'

	# The server dead, and routes behind the tunnel's back, as DHCP's
	# option 121 would add them.
	ip -n server link del pt0
	ip -n client route add $SITE4/32 via 198.51.100.1 dev eth0
	ip -n client -6 route add $SITE6/128 via 2001:db8:c::1 dev eth0
	capture dead
	expect_nothing_reaches dead
	capture_stop
	assert_eq "$(clear_packets dead)" "" "packets in clear while the server is dead"

	# The server back: the specific routes do not pull traffic out.
	server_up
	capture back
	visit ks-back
	capture_stop
	assert_eq "$(seen_as ks-back)" "$SERVER_SEEN" "the website saw"
	assert_eq "$(clear_packets back)" "" "packets in clear with the specific routes"

	# The tunnel down, then gone: still nothing.
	capture gone
	ip -n client link set pt0 down
	! in_ns client curl -s -m 3 -o /dev/null "http://$SITE4/down-tcp4" || fail "TCP got through"
	ip -n client link del pt0
	expect_nothing_reaches gone
	capture_stop
	assert_eq "$(clear_packets gone)" "" "packets in clear with the tunnel down or gone"
	assert_eq "$(seen_as down-)" "" "what the website saw with the tunnel down"

	on_client "$QUICK" down "$CONF"
	ip -n client route del $SITE4/32
	ip -n client -6 route del $SITE6/128
	diff -u <(echo "$before") <(client_state) || fail "down left changes"
}

exec_confines_one_program() {
	local out status
	three_hosts
	client_config
	capture exec
	out=$(in_ns client "$QUICK" exec "$CONF" -- bash -c "
		curl -s -m 30 -o /dev/null http://$SITE4/exec-tcp4 &&
		curl -s -m 5 -o /dev/null http://[$SITE6]/exec-tcp6 &&
		getent ahostsv4 exec-dns.site.test >/dev/null && ip -br link show up")
	capture_stop
	# Up, that is: a kernel with sit built in (the debug kernel) gives
	# every netns its fallback device, sit0, down.
	assert_eq "$(awk '{ print $1 }' <<<"$out" | tr '\n' ' ')" "lo pt0 " "the program's interfaces that are up"
	assert_eq "$(seen_as exec-)" "$SERVER_SEEN" "the website saw the program as"
	assert_eq "$(clear_packets exec)" "" "the program's packets in clear"
	# Everything else is unaffected, and nothing is left behind.
	in_ns client curl -s -m 5 -o /dev/null "http://$SITE4/other"
	assert_eq "$(seen_as other)" "$CLIENT4 " "the website saw other programs as"
	! ip -n client link show pt0 2>/dev/null || fail "pt0 left in the client"
	# Its exit status is the program's, and it adds nothing to the output.
	status=0
	out=$(in_ns client "$QUICK" exec "$CONF" -- bash -c 'echo exit 3; exit 3' 2>&1) || status=$?
	assert_eq "$status" 3 "ptun-quick exec's exit status"
	assert_eq "$out" "exit 3" "ptun-quick exec's output"
}

ifupdown_hooks() {
	local root=$TMPDIR/root NO_WEBSITE=1
	three_hosts
	client_config
	make -s -C "$TOP" install PREFIX="$root/usr" SYSCONFDIR="$root/etc" >/dev/null
	mkdir -p "$root/etc/network/if-up.d" "$root/etc/network/if-down.d"
	cat >"$TMPDIR/interfaces" <<-EOF
	iface pt0 inet static
		address 10.8.0.2/24
		ptun-config $CONF
	EOF
	in_ns client unshare -m --propagation private bash -c '
		set -e
		mount --bind "$1/etc/network" /etc/network
		timeout 120 ifup -i "$2/interfaces" --state-dir "$2/ifstate" pt0
		ip -br addr show dev pt0
		ptunctl show pt0 peers
		ping -c 2 -i 0.3 -w 10 -q 10.8.0.1
		timeout 120 ifdown -i "$2/interfaces" --state-dir "$2/ifstate" pt0
		! ip link show dev pt0 2>/dev/null' bash "$root" "$TMPDIR" >"$TMPDIR/ifupdown.log" 2>&1 ||
		{ cat "$TMPDIR/ifupdown.log"; fail "ifup, ping, ifdown"; }
	assert_match "$(cat "$TMPDIR/ifupdown.log")" "pt0 +[A-Z]+ +10\.8\.0\.2/24" "pt0 after ifup"
	grep -qF "$SERVER_PUB" "$TMPDIR/ifupdown.log" || fail "pt0's peer after ifup: not $SERVER_PUB"
}

install_and_uninstall() {
	local root=$TMPDIR/install-root files
	rm -rf "$root"
	make -s -C "$TOP" install DESTDIR="$root" PREFIX=/usr SYSCONFDIR=/etc >/dev/null
	files=$(cd "$root" && find . -type f | sort | tr '\n' ' ')
	for f in usr/sbin/ptunctl usr/sbin/ptun-quick usr/share/man/man8/ptun-quick.8 usr/share/man/man8/ptunctl.8 \
		 usr/lib/systemd/system/ptun-quick@.service etc/network/if-pre-up.d/ptun \
		 etc/network/if-post-down.d/ptun usr/share/bash-completion/completions/ptun-quick; do
		assert_match "$files" "\./$f( |$)" "installed files"
	done
	assert_match "$(cat "$root/usr/lib/systemd/system/ptun-quick@.service")" \
		"ExecStart=/usr/sbin/ptun-quick up %i" "the unit's ExecStart"
	make -s -C "$TOP" uninstall DESTDIR="$root" PREFIX=/usr SYSCONFDIR=/etc >/dev/null
	assert_eq "$(cd "$root" && find . -mindepth 1)" "" "files and directories left after uninstall"

	# Installed where it runs from, the unit passes systemd's checks: the
	# commands it names exist.  It wants a writable /tmp.  Its man pages
	# are found by man -w (systemd would render each, a minute under TCG).
	make -s -C "$TOP" install PREFIX="$root/usr" SYSCONFDIR="$root/etc" >/dev/null
	cp "$root/usr/lib/systemd/system/ptun-quick@.service" "$TMPDIR/ptun-quick@pt0.service"
	unshare -m bash -c 'mount -t tmpfs tmpfs /tmp &&
		systemd-analyze verify --man=no "$1"' bash "$TMPDIR/ptun-quick@pt0.service"
	assert_eq "$(sed -n 's/^Documentation=//p' "$TMPDIR/ptun-quick@pt0.service")" \
		"man:ptun-quick(8) man:ptunctl(8)" "the unit's Documentation"
	MANPATH=$root/usr/share/man man -w 8 ptun-quick ptunctl >/dev/null
	make -s -C "$TOP" uninstall PREFIX="$root/usr" SYSCONFDIR="$root/etc" >/dev/null
	assert_eq "$(cd "$root" && find . -mindepth 1)" "" "files and directories left after uninstall"
}

# quick-config.sh builds on the hosts and helpers above.
[ -z "${QUICK_HELPERS_ONLY:-}" ] || return 0

scenario "full tunnel: ping, TCP, UDP, DNS in both families only as ciphertext; down undoes up" full_tunnel_then_no_trace
scenario "kill switch: server dead, specific routes, tunnel down or gone: nothing leaks" kill_switch_holds
scenario "exec: one program reaches the website only through the server" exec_confines_one_program
scenario "ifupdown: ifup brings pt0 up from ptun-config, ifdown removes it" ifupdown_hooks
scenario "make install puts every file in place; make uninstall removes them and its directories" install_and_uninstall

# Re-resolution: the client knows the server by a name from its own
# /etc/hosts ($TMPDIR/hosts, bound over the guest's read-only one).

# named_config NAME [LINE...]: $CONF, a tunnel to the server's 10.8.0.1 by
# the endpoint NAME:51820; the lines are added to [Interface].
named_config() {
	local name=$1 line
	shift
	CONF=$TMPDIR/etc/pt0.conf
	{
		echo "[Interface]"
		echo "PrivateKey = $(cat "$TMPDIR/client.key")"
		echo "Address = 10.8.0.2/32"
		for line; do echo "$line"; done
		echo "[Peer]"
		echo "PublicKey = $SERVER_PUB"
		echo "Endpoint = $name:51820"
		echo "AllowedIPs = 10.8.0.1/32"
	} >"$CONF"
	chmod 600 "$CONF"
}

with_hosts() {	# with_hosts CMD...: CMD in the client, with $TMPDIR/hosts
	in_ns client unshare -m --propagation private bash -c \
		'mount --bind "$1" /etc/hosts; shift; exec "$@"' bash "$TMPDIR/hosts" "$@"
}

# The re-resolvers running for pt0, one pid a line.
reresolvers() {
	pgrep -f -- "monitor pt0 --reresolve" || true
}

# A failed scenario's re-resolver would keep its netns, and pt0 in it.
kill_reresolvers_on_exit() {
	trap 'kill $(reresolvers) 2>/dev/null || true' EXIT
}

# wait_gone PID: the process ends within 15 s.
wait_gone() {
	for _ in $(seq 75); do
		[ -e "/proc/$1" ] || return 0
		sleep 0.2
	done
	fail "process $1 is still there: $(tr '\0' ' ' <"/proc/$1/cmdline")"
}

quick_reresolve_follows_name() {
	local pid
	NO_WEBSITE=1 three_hosts
	kill_reresolvers_on_exit
	echo "203.0.113.9 server.test" >"$TMPDIR/hosts"
	named_config server.test
	# As under systemd, the re-resolver's lines go to up's standard error
	# when it is the stream JOURNAL_STREAM names (device:inode).
	: >"$TMPDIR/up.log"
	JOURNAL_STREAM=$(stat -c %d:%i "$TMPDIR/up.log") \
		with_hosts "$QUICK" up "$CONF" 2>"$TMPDIR/up.log"
	pid=$(reresolvers)
	[ -n "$pid" ] || fail "no re-resolver after up: $(cat "$TMPDIR/up.log")"
	assert_eq "$(in_ns client ptunctl show pt0 endpoints | cut -f2)" 203.0.113.9:51820 \
		"the endpoint the name first gave"
	! in_ns client ping -c 1 -W 2 -q 10.8.0.1 >/dev/null || fail "the server answered at a wrong address"
	# The name moves to the server; the tunnel follows without help.
	echo "$SERVER4 server.test" >"$TMPDIR/hosts"
	for _ in $(seq 300); do
		grep -Fq "reresolved peer $SERVER_PUB endpoint $SERVER4:51820" "$TMPDIR/up.log" && break
		sleep 0.2
	done
	in_ns client ping -c 1 -w 30 -q 10.8.0.1 >/dev/null || fail "no tunnel after the name moved: $(cat "$TMPDIR/up.log")"
	grep -Fq "pt0: reresolved peer $SERVER_PUB endpoint $SERVER4:51820" "$TMPDIR/up.log" ||
		fail "no reresolved event: $(cat "$TMPDIR/up.log")"
	assert_eq "$(in_ns client ptunctl show pt0 endpoints | cut -f2)" "$SERVER4:51820" "the endpoint"
	in_ns client "$QUICK" down "$CONF" 2>/dev/null
	wait_gone "$pid"
	assert_eq "$(reresolvers)" "" "re-resolvers after down"
	[ ! -e /run/ptun-quick/pt0 ] || fail "down left /run/ptun-quick/pt0"
}

# The kill switch lets the tunnel follow its re-resolved endpoint to an
# address it did not know at up (and still lets nothing else out).
quick_reresolve_through_the_kill_switch() {
	NO_WEBSITE=1 three_hosts
	kill_reresolvers_on_exit
	echo "203.0.113.9 server.test" >"$TMPDIR/hosts"
	named_config server.test "KillSwitch = true"
	: >"$TMPDIR/up.log"
	JOURNAL_STREAM=$(stat -c %d:%i "$TMPDIR/up.log") \
		with_hosts "$QUICK" up "$CONF" 2>"$TMPDIR/up.log"
	echo "$SERVER4 server.test" >"$TMPDIR/hosts"
	in_ns client ping -c 1 -w 30 -q 10.8.0.1 >/dev/null ||
		fail "no tunnel through the kill switch after the name moved: $(cat "$TMPDIR/up.log")"
	assert_eq "$(in_ns client ptunctl show pt0 endpoints | cut -f2)" "$SERVER4:51820" "the endpoint"
	! in_ns client ping -c 1 -W 2 -q "$SERVER4" >/dev/null 2>&1 ||
		fail "the kill switch let a ping to the server's address out"
	in_ns client "$QUICK" down "$CONF" 2>/dev/null
}

quick_reresolve_only_when_asked() {
	local pid
	NO_WEBSITE=1 three_hosts
	kill_reresolvers_on_exit
	echo "$SERVER4 server.test" >"$TMPDIR/hosts"
	# An address for an endpoint: nothing to re-resolve.
	named_config "$SERVER4"
	in_ns client "$QUICK" up "$CONF" 2>"$TMPDIR/up.log"
	in_ns client ping -c 1 -w 30 -q 10.8.0.1 >/dev/null
	assert_eq "$(reresolvers)" "" "re-resolvers for an address"
	in_ns client "$QUICK" down "$CONF" 2>/dev/null
	# A name, but Reresolve = off.
	named_config server.test "Reresolve = off"
	with_hosts "$QUICK" up "$CONF" 2>"$TMPDIR/up.log"
	in_ns client ping -c 1 -w 30 -q 10.8.0.1 >/dev/null
	assert_eq "$(reresolvers)" "" "re-resolvers with Reresolve = off"
	out=$(in_ns client "$QUICK" strip "$CONF")
	grep -qxF "PublicKey = $SERVER_PUB" <<<"$out" &&
		grep -qxF "Endpoint = server.test:51820" <<<"$out" ||
		fail "strip lost the peer: $out"
	! grep -qi reresolve <<<"$out" || fail "strip kept Reresolve: $out"
	in_ns client "$QUICK" save "$CONF" 2>/dev/null
	assert_match "$(cat "$CONF")" "Reresolve = false" "save keeps Reresolve"
	in_ns client "$QUICK" down "$CONF" 2>/dev/null
	(umask 077; sed "4i Reresolve = sometimes" "$CONF" >"$TMPDIR/etc/bad.conf")
	expect_error "line 4: Reresolve must be true or false, not 'sometimes'" \
		"$QUICK" strip "$TMPDIR/etc/bad.conf"
	# The device deleted behind ptun-quick's back: the re-resolver goes too.
	named_config server.test
	with_hosts "$QUICK" up "$CONF" 2>/dev/null
	pid=$(reresolvers)
	[ -n "$pid" ] || fail "no re-resolver for a name"
	ip -n client link del pt0
	wait_gone "$pid"
	in_ns client "$QUICK" down "$CONF" 2>/dev/null
	[ ! -e /run/ptun-quick/pt0 ] || fail "down left /run/ptun-quick/pt0"
}

scenario "re-resolution: the endpoint's name moves, the tunnel follows; down ends the re-resolver" quick_reresolve_follows_name
scenario "re-resolution: none for an address or Reresolve = off; it ends with the device" quick_reresolve_only_when_asked
scenario "re-resolution through the kill switch: the tunnel follows its endpoint to a new address" \
	quick_reresolve_through_the_kill_switch
finish
