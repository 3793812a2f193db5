#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The netlink fuzzer (selftests/vm/nlfuzz.py): set-device requests built
# from uapi/ptun.yaml and mutated, sent to a configured device that is up,
# interleaved with its deletion and with the deletion of the netns a device
# was born in.  Every errno must be one the kernel's netlink code may give,
# and a refused request must change nothing (GET before and after).  A
# fixed set of seeds, then one random seed (printed: "# nlfuzz seed N").
# PTUN_NLFUZZ_COUNT requests per seed.  A failure prints the request's hex,
# which "nlfuzz.py --replay HEX" sends again.  The kernel log and kmemleak
# are read after each scenario (lib.sh).
. "$(dirname "$0")/../lib.sh"

NLFUZZ=$TOP/selftests/vm/nlfuzz.py
COUNT=${PTUN_NLFUZZ_COUNT:-50}
SEEDS="1 22"

# A device with a key, a port, a mark and three peers: one with an
# endpoint, keepalive and allowed IPs of both families, one with a
# preshared key, one bare.  Up, so that port changes open sockets.
configured_device() {
	local key psk
	key=$TMPDIR/nlfuzz-key psk=$TMPDIR/nlfuzz-psk
	ptunctl genkey >"$key"
	ptunctl genkey >"$psk"
	ip link add dev pt0 type ptun
	ptunctl set pt0 private-key "$key" listen-port 51820 fwmark 0x2a \
		peer "$(ptunctl genkey | ptunctl pubkey)" endpoint 192.0.2.1:51820 \
		persistent-keepalive 25 allowed-ips 10.1.0.0/24,fd00:1::/64 \
		peer "$(ptunctl genkey | ptunctl pubkey)" preshared-key "$psk" \
		allowed-ips 10.2.0.1/32 \
		peer "$(ptunctl genkey | ptunctl pubkey)"
	ip link set pt0 up
}

# fuzz SEED...: one run per seed; each must hold every oracle, have
# requests both accepted and refused, and leave a device that answers.
fuzz() {
	local seed out accepted refused
	for seed; do
		out=$("$NLFUZZ" --ifname pt0 --count "$COUNT" ${seed:+--seed "$seed"}) ||
			fail "nlfuzz found a problem: $out"
		grep '^# ' <<<"$out"
		accepted=$(sed -n 's/.* \([0-9]*\) accepted,.*/\1/p' <<<"$out")
		refused=$(sed -n 's/.* \([0-9]*\) refused,.*/\1/p' <<<"$out")
		[ "${accepted:-0}" -gt 0 ] || fail "no request was accepted: $out"
		[ "${refused:-0}" -gt 0 ] || fail "no request was refused: $out"
		assert_match "$out" "^# nlfuzz errnos: .*EINVAL=" "the per-errno figures"
		ptunctl show pt0 >/dev/null || fail "pt0 does not answer GET after seed $seed"
	done
}

fixed_seeds_hold_every_oracle() {
	configured_device
	# shellcheck disable=SC2086
	fuzz $SEEDS
	ip link del pt0
}

# A seed of its own every run finds more, but a failure would then not
# come back in the next run: make check keeps to the fixed seeds.
random_seed_holds_every_oracle() {
	[ "${PTUN_NLFUZZ_RANDOM:-0}" = 1 ] ||
		skip "a random seed only with PTUN_NLFUZZ_RANDOM=1 (docs/testing.md)"
	configured_device
	fuzz ""
	ip link del pt0
}

scenario "nlfuzz: seeds $SEEDS, $COUNT requests each: errnos expected, refusals change nothing" fixed_seeds_hold_every_oracle
scenario "nlfuzz: a random seed, $COUNT requests" random_seed_holds_every_oracle
finish
