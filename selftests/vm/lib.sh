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

if [ -z "${PTUN_IN_VM:-}" ]; then
	echo "this scenario runs in the VM: selftests/vm/run -- $0" >&2
	exit 2
fi

# Remove what scenarios create: every netns, and every device of the initial
# netns but lo (the guest has no network card).
cleanup_topology() {
	local dev
	ip -all netns delete 2>/dev/null
	for dev in $(ip -o link show 2>/dev/null | awk -F': ' '{ print $2 }'); do
		[ "$dev" = lo ] || ip link del "${dev%@*}" 2>/dev/null
	done
}

scenario() {
	local what=$1 fn=$2 log status
	n_run=$((n_run + 1))
	log=$(mktemp)
	(set -eE -o pipefail; trap 'echo "failed: line $LINENO: $BASH_COMMAND" >&2' ERR; "$fn") >"$log" 2>&1
	status=$?
	cleanup_topology
	if [ "$status" -eq 0 ]; then
		echo "ok $n_run - $what"
	else
		n_failed=$((n_failed + 1))
		echo "not ok $n_run - $what"
		sed 's/^/# /' "$log"
	fi
	rm -f "$log"
}

finish() {
	echo "# $((n_run - n_failed)) passed, $n_failed failed"
	[ "$n_failed" -eq 0 ]
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
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

# One line of a device's statistics from sysfs.
dev_stat() {
	cat "/sys/class/net/$1/statistics/$2"
}
