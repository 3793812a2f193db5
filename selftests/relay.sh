# SPDX-License-Identifier: GPL-2.0
#
# make check's counting, shared by selftests/check and the harness's own
# test (selftests/unit/test_check.sh): every result is renumbered into one
# TAP-ish stream, and whatever a step prints is reconciled with how it
# ended.  The caller prints "$passed passed, $failed failed, $skipped
# skipped" at the end.

passed=0 failed=0 skipped=0

# result ok|"not ok"|skip WHAT
result() {
	local ok=$1 what=$2
	case $ok in
	ok) passed=$((passed + 1)) ;;
	skip) skipped=$((skipped + 1)) ok=ok ;;
	*) failed=$((failed + 1)) ;;
	esac
	echo "$ok $((passed + failed + skipped)) - $what"
}

# status_text STATUS: what an exit status means, as selftests/vm/run and
# timeout(1) use them.
status_text() {
	case $1 in
	124) echo "exited 124: it did not finish in time" ;;
	125) echo "exited 125: the guest's checks after the command failed" ;;
	*) echo "exited $1 without reporting a failure" ;;
	esac
}

# relay LABEL COMMAND...: run COMMAND and re-number its TAP lines under LABEL
# (a line "__ptun_label NEW" from COMMAND changes it, to LABEL again when NEW
# is empty); other output becomes diagnostics.  "ok ... # SKIP why" counts
# as a skip.  Sets $seen to the number of results and $status to COMMAND's
# exit status.
#
# What COMMAND prints is reconciled with how it ended, so that a crash
# after some results is never read as a pass:
#   - COMMAND's exit status is not 0 and none of its results failed: one
#     more failure, "LABEL exited STATUS" ($status_failed is then set);
#   - a part that announced a TAP plan "1..N" printed fewer than N results
#     before the next label, a "__ptun_end STATUS" line or the end: one more
#     failure;
#   - a part that ends with "__ptun_end STATUS" (selftests/vm/files prints
#     one after each scenario file) is held to the same rule as COMMAND.
relay() {
	local label=$1 first=$1 line part_label part_seen part_failed=0 planned=
	local step_failed=0
	shift
	seen=0 status= status_failed=
	# close_part [STATUS]: the rules above, for the part that ends here.
	close_part() {
		local got=$((seen - part_seen))
		if [ -n "$planned" ] && [ "$got" -lt "$planned" ]; then
			result "not ok" "${part_label:+$part_label }printed $got of the $planned results it announced"
			part_failed=$((part_failed + 1)) step_failed=$((step_failed + 1))
		fi
		if [ -n "${1:-}" ] && [ "$1" -ne 0 ] && [ "$part_failed" -eq 0 ]; then
			result "not ok" "${part_label:+$part_label }$(status_text "$1")"
			step_failed=$((step_failed + 1))
		fi
		part_label=$label part_seen=$seen part_failed=0 planned=
	}
	part_label=$label part_seen=0
	while IFS= read -r line; do
		case $line in
		"__ptun_status "*) status=${line#__ptun_status } ;;
		"__ptun_end "*) close_part "${line#__ptun_end }" ;;
		__ptun_label) close_part; label=$first part_label=$first ;;
		"__ptun_label "*) close_part; label=${line#__ptun_label } part_label=$label ;;
		1..[0-9]*) planned=${line#1..} ;;
		"ok "*"# SKIP"*)
			seen=$((seen + 1))
			result skip "${label:+$label }${line#ok * - }" ;;
		"ok "*)
			seen=$((seen + 1))
			result ok "${label:+$label }${line#ok * - }" ;;
		"not ok "*)
			seen=$((seen + 1)) part_failed=$((part_failed + 1))
			step_failed=$((step_failed + 1))
			result "not ok" "${label:+$label }${line#not ok * - }" ;;
		"") ;;
		"#"*) echo "$line" ;;
		*) echo "# $line" ;;
		esac
	done < <("$@" 2>&1; echo "__ptun_status $?")
	close_part
	if [ "${status:-1}" -ne 0 ] && [ "$step_failed" -eq 0 ]; then
		result "not ok" "${first:+$first }$(status_text "${status:-1}")"
		status_failed=1
	fi
}

# step LABEL COMMAND...: relay; a step that reported nothing at all fails.
step() {
	relay "$@"
	[ "$seen" -gt 0 ] || [ -n "$status_failed" ] || result "not ok" "$1 reported no result"
}

# guest_result LABEL: after relay LABEL selftests/vm/run ..., the guest's
# own result.  The scenarios may pass and the guest still fail: a kernel
# warning after the last file, a guest that hung.  relay has counted a
# failing status already when nothing else failed.
guest_result() {
	local label=$1
	if [ "$seen" -eq 0 ] && [ -z "$status_failed" ]; then
		result "not ok" "$label the scenarios ran"
	elif [ "$status" -le 1 ]; then
		result ok "$label guest finished, kernel log clean, ptun unloaded"
	elif [ -z "$status_failed" ]; then
		result "not ok" "$label guest finished, kernel log clean, ptun unloaded: $(status_text "$status")"
	fi
}
