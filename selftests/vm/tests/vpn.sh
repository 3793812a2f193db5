#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job, as "make demo" shows it, checked: a client behind ptun is
# seen by a website as its VPN server, and its uplink carries no plaintext.
. "$(dirname "$0")/../lib.sh"

full_tunnel_through_a_nat_server() {
	"$TOP/selftests/demo"
}

scenario "full tunnel: the website sees the server, the wire only ciphertext" full_tunnel_through_a_nat_server
finish
