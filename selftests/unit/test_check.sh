#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The harness's own test: what make check counts when a test breaks.  It
# feeds make check's counting (selftests/relay.sh), the scenario runner
# (selftests/vm/lib.sh) and selftests/vm/files what broken tests do - a
# crash after some results, a silent exit 1, a file that stops half way, a
# PTUN_ONLY or PTUN_SKIP name that matches nothing, a guest whose kernel
# warned - and expects a "not ok" for each; and expects passes and skips
# (PTUN_SKIP's too) to be counted as such.  The fake scenario files touch no network and run on the host;
# one case boots the 6.1 guest (selftests/vm/run), about 20 s.  Prints
# TAP-ish lines.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
TOP=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "1..20"
n=0 nfailed=0

# counted COMMAND...: COMMAND relayed as make check relays a step, with
# fresh counters; its lines, then "= PASSED FAILED SKIPPED".
counted() {
	(
		. selftests/relay.sh
		relay "[t]" "$@"
		[ -z "${GUEST:-}" ] || guest_result "[t]"
		echo "= $passed $failed $skipped"
	)
}

# expect WHAT "PASSED FAILED SKIPPED" REGEX COMMAND...: relaying COMMAND
# counts that, and one of the relayed lines matches REGEX.
expect() {
	local what=$1 counts=$2 regex=$3 out
	shift 3
	out=$(counted "$@")
	n=$((n + 1))
	if [ "$(tail -n 1 <<<"$out")" = "= $counts" ] && grep -Eq -- "$regex" <<<"$out"; then
		echo "ok $n - $what"
	else
		nfailed=$((nfailed + 1))
		echo "not ok $n - $what"
		echo "# want: = $counts, a line matching /$regex/; got:"
		sed 's/^/#   /' <<<"$out"
	fi
}

# --- a step's exit status against its results --------------------------

expect "a clean step: every result counted as passed" "2 0 0" '^ok 2 - \[t\] b$' \
	bash -c 'echo 1..2; echo "ok 1 - a"; echo "ok 2 - b"'
expect "a step that crashes after two results: one failure more" "2 1 0" \
	'^not ok 3 - \[t\] exited 139 without reporting a failure$' \
	bash -c 'echo "ok 1 - a"; echo "ok 2 - b"; kill -SEGV $$'
expect "a step that exits 1 without a \"not ok\": one failure" "1 1 0" \
	'^not ok 2 - \[t\] exited 1 without reporting a failure$' \
	bash -c 'echo "ok 1 - a"; exit 1'
expect "a step that reports its failure: counted once" "1 1 0" '^not ok 2 - \[t\] b$' \
	bash -c 'echo "ok 1 - a"; echo "not ok 2 - b"; exit 1'
expect "a step that stops short of its plan: one failure more" "2 1 0" \
	'^not ok 3 - \[t\] printed 2 of the 3 results it announced$' \
	bash -c 'echo 1..3; echo "ok 1 - a"; echo "ok 2 - b"'
expect "skips are counted apart, and say so" "1 0 1" '^ok 1 - \[t\] a # SKIP no tool$' \
	bash -c 'echo "ok 1 - a # SKIP no tool"; echo "ok 2 - b"'

# A unit test that the sanitizers abort after its first result, run the
# way selftests/unit/Makefile runs its tests (make's status is then 2).
cat >"$work/overflow.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	char *p = malloc(4);

	(void)argv;
	puts("ok 1 - before the overflow");
	fflush(stdout);
	p[argc + 3] = 1;
	free(p);
	puts("ok 2 - after the overflow");
	return 0;
}
EOF
if gcc -fsanitize=address -g -o "$work/overflow" "$work/overflow.c" 2>"$work/cc.log"; then
	printf 'run:\n\t%s\n' "$work/overflow" >"$work/Makefile"
	expect "a unit test that ASan aborts after one result: one failure more" "1 1 0" \
		'^not ok 2 - \[t\] exited 2 without reporting a failure$' make -s -C "$work" run
else
	n=$((n + 1)) nfailed=$((nfailed + 1))
	echo "not ok $n - a unit test that ASan aborts: it builds"
	sed 's/^/# /' "$work/cc.log"
fi

# --- scenario files, as selftests/vm/files runs them --------------------

cat >"$work/fake.sh" <<EOF
#!/bin/bash
. "$TOP/selftests/vm/lib.sh"
passes() { true; }
fails() { false; }
skips() { skip "no such kernel feature"; false; }
# Kills the whole file, as a guest's timeout or a crash of bash would.
dies() { kill -KILL \$\$; }
scenario "a passing scenario" passes
scenario "a failing scenario" fails
scenario "a scenario that kills its file" dies
scenario "a scenario this kernel cannot run" skips
finish
EOF
printf '#!/bin/bash\n. "%s/selftests/vm/lib.sh"\nexit 1\n' "$TOP" >"$work/silent.sh"
printf '#!/bin/bash\n. "%s/selftests/vm/lib.sh"\nfinish\n' "$TOP" >"$work/empty.sh"
chmod +x "$work"/*.sh
# The kernel checks after each file would look at this host's kernel: a
# stand-in that finds nothing.
files() {
	env PTUN_IN_VM=1 PTUN_CHECK_EACH=0 PTUN_GUEST_CHECKS=true TMPDIR="$work" \
		selftests/vm/files t "$@"
}

expect "files: a scenario that passes, and the checks after the file" "2 0 0" \
	'^ok 1 - \[t fake\] a passing scenario$' files "$work/fake.sh:passes"
expect "files: a failing scenario fails, once" "2 1 0" '^not ok 2 - \[t fake\] a failing scenario$' \
	files "$work/fake.sh:passes fails"
expect "files: a file killed half way fails, though all it printed passed" "2 1 0" \
	'^not ok 2 - \[t fake\] printed 1 of the 2 results it announced$' \
	files "$work/fake.sh:passes dies"
expect "files: a scenario that skips is counted apart, and says why" "2 0 1" \
	'^ok 2 - \[t fake\] a scenario this kernel cannot run # SKIP no such kernel feature$' \
	files "$work/fake.sh:passes skips"
expect "files: a file that exits 1 without a \"not ok\" fails" "1 1 0" \
	'^not ok 1 - \[t silent\] exited 1 without reporting a failure$' files "$work/silent.sh"
expect "files: a PTUN_ONLY name that is no scenario fails the file" "1 1 0" \
	'^not ok 1 - \[t fake\] PTUN_ONLY or PTUN_SKIP names no scenario of this file: typo$' \
	files "$work/fake.sh:passes typo"
PTUN_SKIP="fake.sh:fails other.sh:whatever" PTUN_SKIP_WHY="a soak" \
	expect "files: a PTUN_SKIP scenario is counted as skipped, not run" "2 0 1" \
	'^ok 2 - \[t fake\] a failing scenario # SKIP a soak$' files "$work/fake.sh:passes fails"
PTUN_SKIP="fake.sh:typo" expect "files: a PTUN_SKIP name that is no scenario fails the file" "1 1 0" \
	'^not ok 1 - \[t fake\] PTUN_ONLY or PTUN_SKIP names no scenario of this file: typo$' \
	files "$work/fake.sh:passes"
expect "files: a file with no scenario to run fails" "1 1 0" \
	'^not ok 1 - \[t empty\] the file has no scenario to run$' files "$work/empty.sh"

# --- the guest's own result after selftests/vm/run ----------------------

GUEST=1 expect "guest: scenarios passed, checks after them failed (125): one failure" "1 1 0" \
	"^not ok 2 - \[t\] exited 125: the guest's checks after the command failed$" \
	bash -c 'echo "ok 1 - a"; exit 125'
GUEST=1 expect "guest: a scenario and the checks after it failed: two failures" "1 2 0" \
	"^not ok 3 - \[t\] guest finished, kernel log clean, ptun unloaded: exited 125" \
	bash -c 'echo "ok 1 - a"; echo "not ok 2 - b"; exit 125'
GUEST=1 expect "guest: a command that exits 1 silently fails, the clean guest passes" "2 1 0" \
	'^ok 3 - \[t\] guest finished, kernel log clean, ptun unloaded$' \
	bash -c 'echo "ok 1 - a"; exit 1'

# selftests/vm/run itself: a command that fails and a kernel that warned
# exit 125, not the command's 1, so the warning is not taken for a
# failure already reported.
n=$((n + 1))
selftests/vm/run -t 120 -k 6.1 -- sh -c 'echo "WARNING: CPU: 0 PID: 1 at harness test" >/dev/kmsg; exit 1' \
	>"$work/vm.log" 2>&1
status=$?
if [ "$status" -eq 125 ] && grep -q "the command's own exit status: 1" "$work/vm.log"; then
	echo "ok $n - vm/run: a failing command in a guest whose kernel warned exits 125"
else
	nfailed=$((nfailed + 1))
	echo "not ok $n - vm/run: a failing command in a guest whose kernel warned exits 125 (got $status)"
	tail -n 20 "$work/vm.log" | sed 's/^/# /'
fi

[ "$nfailed" -eq 0 ]
