#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ptun-quick's config keys beyond up and down, on quick.sh's hosts (client,
# internet, server): SaveConfig and save write the running tunnel back to
# the file, strip feeds ptunctl and wg, Table routes elsewhere or nowhere,
# and the systemd unit's reload applies the file to the running tunnel.
# A file of its own: with quick.sh's scenarios, one guest would outgrow
# make check's time limit for a file.
QUICK_HELPERS_ONLY=1 . "$(dirname "$0")/quick.sh"

# has_line TEXT LINE WHAT: TEXT holds LINE, exactly.
has_line() {
	grep -qxF -- "$2" <<<"$1" || fail "$3: no line '$2' in: $1"
}

# A peer and an address added to the running tunnel by hand, as save
# should find them.
add_to_running() {
	NEW_PUB=$(ptunctl genkey | ptunctl pubkey)
	in_ns client ptunctl set pt0 peer "$NEW_PUB" allowed-ips 10.9.0.0/24,fd09::/64 \
		endpoint 203.0.113.9:51821
	ip -n client address add 10.8.0.3/32 dev pt0
}

# expect_saved TEXT: the running tunnel as add_to_running left it, and
# the config's own keys.
expect_saved() {
	local what="the saved config"
	has_line "$1" "PrivateKey = $(cat "$TMPDIR/client.key")" "$what"
	has_line "$1" "Address = 10.8.0.2/32" "$what"
	has_line "$1" "Address = fd08::2/128" "$what"
	has_line "$1" "Address = 10.8.0.3/32" "$what"
	has_line "$1" "DNS = $SITE4" "$what"
	has_line "$1" "PublicKey = $SERVER_PUB" "$what"
	has_line "$1" "Endpoint = $SERVER4:51820" "$what"
	has_line "$1" "AllowedIPs = 0.0.0.0/0, ::/0" "$what"
	has_line "$1" "PublicKey = $NEW_PUB" "$what"
	has_line "$1" "AllowedIPs = 10.9.0.0/24, fd09::/64" "$what"
	has_line "$1" "Endpoint = 203.0.113.9:51821" "$what"
	assert_eq "$(grep -c '^\[Peer\]$' <<<"$1")" 2 "[Peer] sections saved"
	assert_eq "$(stat -c %a "$CONF")" 600 "the saved file's mode"
}

save_config_on_down() {
	local NO_WEBSITE=1 saved
	three_hosts
	client_config "MTU = 1400" "SaveConfig = true" "PostUp = touch $TMPDIR/up-%i"
	on_client "$QUICK" up "$CONF"
	add_to_running
	on_client "$QUICK" down "$CONF"
	saved=$(cat "$CONF")
	expect_saved "$saved"
	has_line "$saved" "MTU = 1400" "the saved config"
	has_line "$saved" "SaveConfig = true" "the saved config"
	has_line "$saved" "PostUp = touch $TMPDIR/up-%i" "the saved config"

	# The saved file brings the same tunnel back, and saves the same.
	on_client "$QUICK" up "$CONF"
	assert_eq "$(in_ns client ptunctl show pt0 peers | sort)" \
		"$(printf '%s\n' "$SERVER_PUB" "$NEW_PUB" | sort)" "peers after up from the saved file"
	assert_match "$(ip -n client address show dev pt0)" "inet 10\.8\.0\.3/32" "pt0's addresses"
	ping_ok client 10.8.0.1
	on_client "$QUICK" down "$CONF"
	assert_eq "$(cat "$CONF")" "$saved" "the config saved a second time"
}

save_writes_running_config() {
	local NO_WEBSITE=1 saved
	three_hosts
	client_config
	cp "$CONF" "$TMPDIR/orig.conf"
	expect_error "pt0 does not exist" on_client "$QUICK" save "$CONF"
	cmp "$CONF" "$TMPDIR/orig.conf" || fail "a failed save changed the file"
	on_client "$QUICK" up "$CONF"
	add_to_running
	on_client "$QUICK" save "$CONF"
	saved=$(cat "$CONF")
	expect_saved "$saved"
	! grep -qi '^SaveConfig' <<<"$saved" || fail "save turned SaveConfig on: $saved"
	# Without SaveConfig, down leaves the file alone.
	in_ns client ptunctl set pt0 peer "$NEW_PUB" remove
	on_client "$QUICK" down "$CONF"
	assert_eq "$(cat "$CONF")" "$saved" "the file after down"
}

strip_for_setconf_and_wg() {
	local NO_WEBSITE=1 out key
	three_hosts
	client_config "MTU = 1400" "Table = off" "PreUp = true" "PostUp = true" "PreDown = true" \
		"PostDown = true" "SaveConfig = false" "KillSwitch = false" "AllowLAN = 192.168.0.0/16"
	out=$("$QUICK" strip "$CONF")
	key=$(cat "$TMPDIR/client.key")
	for k in Address DNS MTU Table PreUp PostUp PreDown PostDown SaveConfig KillSwitch AllowLAN; do
		! grep -qi "^$k *=" <<<"$out" || fail "strip left $k: $out"
	done
	has_line "$out" "PrivateKey = $key" "strip's output"
	has_line "$out" "PublicKey = $SERVER_PUB" "strip's output"
	printf '%s\n' "$out" >"$TMPDIR/stripped.conf"

	# The file as it is: ptunctl refuses ptun-quick's keys.
	ip -n client link add pt1 type ptun
	expect_error "unknown key .KillSwitch" in_ns client ptunctl setconf pt1 "$CONF"
	in_ns client ptunctl setconf pt1 "$TMPDIR/stripped.conf"
	assert_eq "$(in_ns client ptunctl show pt1 private-key)" "$key" "pt1's private key"
	assert_eq "$(in_ns client ptunctl show pt1 allowed-ips)" "$SERVER_PUB	0.0.0.0/0 ::/0" \
		"pt1's peer"
	ip -n client link add wg1 type wireguard
	in_ns client wg setconf wg1 "$TMPDIR/stripped.conf"
	assert_eq "$(in_ns client wg show wg1 private-key)" "$key" "wg1's private key"
	assert_eq "$(in_ns client wg show wg1 allowed-ips)" "$SERVER_PUB	0.0.0.0/0 ::/0" \
		"wg1's peer"
	assert_eq "$(in_ns client wg show wg1 endpoints)" "$SERVER_PUB	$SERVER4:51820" \
		"wg1's endpoint"

	# A full tunnel's fwmark, chosen by up, survives syncconf of strip.
	client_config
	on_client "$QUICK" up "$CONF"
	out=$("$QUICK" strip "$CONF")
	has_line "$out" "FwMark = 51820" "strip's output for a running full tunnel"
	in_ns client ptunctl syncconf pt0 <(printf '%s\n' "$out")
	assert_eq "$(in_ns client ptunctl show pt0 fwmark)" 0xca6c "pt0's fwmark after syncconf"
	ping_ok client 10.8.0.1
	on_client "$QUICK" down "$CONF"
}

# The routes through pt0 that are not the kernel's own (local, multicast,
# link-local), in both families.
tunnel_routes() {
	{
		ip -n client -4 route show table all dev pt0
		ip -n client -6 route show table all dev pt0
	} | grep -v ' proto kernel ' || true
}

client_rules() {
	ip -n client -4 rule
	ip -n client -6 rule
}

table_off_adds_no_routes() {
	local NO_WEBSITE=1 before rules
	three_hosts
	client_config "Table = off"
	on_client true
	before=$(client_state)
	rules=$(client_rules)
	on_client "$QUICK" up "$CONF"
	assert_eq "$(tunnel_routes)" "" "routes through pt0"
	assert_eq "$(client_rules)" "$rules" "the rules with Table = off"
	assert_eq "$(in_ns client nft list ruleset)" "" "nftables with Table = off"
	# The tunnel works; nothing sends traffic into it.
	! in_ns client ping -c 1 -W 2 -q 10.8.0.1 >/dev/null || fail "10.8.0.1 reached without a route"
	ip -n client route add 10.8.0.1/32 dev pt0
	ping_ok client 10.8.0.1
	on_client "$QUICK" down "$CONF"
	diff -u <(echo "$before") <(client_state) || fail "down left changes"
}

table_number_gets_the_routes() {
	local NO_WEBSITE=1 before rules routes
	three_hosts
	client_config "Table = 1234"
	on_client true
	before=$(client_state)
	rules=$(client_rules)
	on_client "$QUICK" up "$CONF"
	routes=$(tunnel_routes)
	assert_eq "$(grep -c '^default table 1234 ' <<<"$routes")" 2 "pt0's default routes in table 1234"
	assert_eq "$(grep -vc ' table 1234' <<<"$routes")" 0 "routes through pt0 elsewhere: $routes"
	assert_eq "$(client_rules)" "$rules" "the rules with Table = 1234"
	assert_eq "$(in_ns client nft list ruleset)" "" "nftables with Table = 1234"
	# Only a rule of one's own leads into the table.
	! in_ns client ping -c 1 -W 2 -q -I 10.8.0.2 10.8.0.1 >/dev/null ||
		fail "10.8.0.1 reached without a rule"
	ip -n client -4 rule add from 10.8.0.2 table 1234
	ip -n client -6 rule add from fd08::2 table 1234
	in_ns client ping -c 1 -w 10 -q -I 10.8.0.2 10.8.0.1 >/dev/null
	in_ns client ping -c 1 -w 10 -q -I fd08::2 fd08::1 >/dev/null
	ip -n client -4 rule del from 10.8.0.2 table 1234
	ip -n client -6 rule del from fd08::2 table 1234
	on_client "$QUICK" down "$CONF"
	diff -u <(echo "$before") <(client_state) || fail "down left changes"
}

# unit_reload: the unit's ExecReload as systemd runs it (its quoting, the
# process substitution), here for $CONF rather than /etc/ptun/pt0.conf.
unit_reload() {
	local reload
	reload=$(sed -n 's/^ExecReload=//p' "$TOP/tools/systemd/ptun-quick@.service")
	reload=${reload//@SBINDIR@\/ptun-quick strip %i/$QUICK strip $CONF}
	reload=${reload//@SBINDIR@\/ptunctl syncconf %i/$PTUNCTL syncconf pt0}
	[[ $reload != *[@%]* ]] || fail "ExecReload not understood: $reload"
	eval "in_ns client $reload"
}

# systemctl reload: peers added to or removed from the file are applied to
# the running tunnel, which stays up (same device, no new handshake).
systemd_reload_syncs_peers() {
	local NO_WEBSITE=1 ifindex handshake new_pub
	three_hosts
	client_config
	on_client "$QUICK" up "$CONF"
	ping_ok client 10.8.0.1
	ifindex=$(ip -n client -o link show pt0 | cut -d: -f1)
	handshake=$(in_ns client ptunctl show pt0 latest-handshakes | cut -f2)
	new_pub=$(ptunctl genkey | ptunctl pubkey)
	printf '\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.9.0.0/24\n' "$new_pub" >>"$CONF"
	unit_reload
	assert_eq "$(in_ns client ptunctl show pt0 peers | sort)" \
		"$(printf '%s\n' "$SERVER_PUB" "$new_pub" | sort)" "peers after a reload"
	assert_eq "$(in_ns client ptunctl show pt0 allowed-ips | grep "$new_pub" | cut -f2)" \
		10.9.0.0/24 "the new peer's allowed IPs"
	client_config
	unit_reload
	assert_eq "$(in_ns client ptunctl show pt0 peers)" "$SERVER_PUB" "peers after the second reload"
	assert_eq "$(ip -n client -o link show pt0 | cut -d: -f1)" "$ifindex" "pt0's ifindex"
	assert_eq "$(in_ns client ptunctl show pt0 latest-handshakes | cut -f2)" "$handshake" \
		"the server's latest handshake"
	ping_ok client 10.8.0.1
	on_client "$QUICK" down "$CONF"
}

scenario "SaveConfig: down writes the running addresses and peers back; the file brings them back" save_config_on_down
scenario "save writes the running config to the file, as it was otherwise; save of a down tunnel fails" save_writes_running_config
scenario "strip: its output is accepted by ptunctl setconf and wg setconf; syncconf keeps up's fwmark" strip_for_setconf_and_wg
scenario "Table = off: no routes, no rules; the tunnel works when routed by hand" table_off_adds_no_routes
scenario "Table = 1234: the routes go into table 1234, nothing else changes" table_number_gets_the_routes
scenario "systemctl reload: the unit's ExecReload applies added and removed peers, the tunnel stays up" systemd_reload_syncs_peers
finish
