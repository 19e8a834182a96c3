#!/bin/bash
# Runs libFuzzer harnesses for a fixed time each and summarises; used by `make fuzz`.
#
#   tests/fuzz/run.sh BUILD_FUZZ_DIR harness...
# Environment: FUZZ_SECONDS (20), FUZZ_RSS_MB (2048), FUZZ_TIMEOUT (10, seconds per input),
#   FUZZ_PARALLEL (1: harnesses run one after another; 2 on a two-core machine halves
#   the wall time), FUZZ_ARGS (extra libFuzzer flags for every harness), FUZZ_KNOWN
#   (harness checks to skip, see fuzz_common.h).
#
# Each harness runs on a fresh copy of its seeds (BUILD_FUZZ_DIR/corpus/<h> ->
# BUILD_FUZZ_DIR/work/<h>), so the seed corpus stays as generated and the working corpus of
# the last run can be inspected afterwards. Reproducers go to BUILD_FUZZ_DIR/crashes/<h>/,
# the full output to BUILD_FUZZ_DIR/logs/<h>.log. Exit status 1 when any harness crashed,
# leaked, hit a sanitizer report, timed out or ran out of memory.
set -u
dir=$1
shift
secs=${FUZZ_SECONDS:-20}
rss=${FUZZ_RSS_MB:-2048}
tmo=${FUZZ_TIMEOUT:-10}
par=${FUZZ_PARALLEL:-1}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir/logs" "$dir/work" "$dir/crashes" "$dir/results"

# Larger inputs where the format needs them (a Redfish body, an HTTP head near its limit,
# a TLS flight); libFuzzer's default of 4096 elsewhere.
max_len() {
	case $1 in
	fuzz_http | fuzz_redfish) echo 12288 ;;
	fuzz_tls | fuzz_config | fuzz_users | fuzz_yaml | fuzz_kvmd | fuzz_msd_kvmd) echo 8192 ;;
	*) echo 4096 ;;
	esac
}

run_one() {
	h=$1
	bin="$dir/$h"
	log="$dir/logs/$h.log"
	work="$dir/work/$h"
	crash="$dir/crashes/$h"
	res="$dir/results/$h"
	rm -rf "$work" "$res"
	mkdir -p "$work" "$crash"
	[ -d "$dir/corpus/$h" ] && cp -r "$dir/corpus/$h/." "$work/"
	rm -f "$work/.done"
	dict=
	for d in "$dir/corpus/$h.dict" "$here/$h.dict"; do
		[ -f "$d" ] && dict="-dict=$d" && break
	done
	before=$(find "$crash" -type f | wc -l)
	# shellcheck disable=SC2086
	ASAN_OPTIONS=detect_leaks=1:symbolize=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:symbolize=1 \
		"$bin" "$work" -max_total_time="$secs" -rss_limit_mb="$rss" -timeout="$tmo" \
		-max_len="$(max_len "$h")" -print_final_stats=1 -artifact_prefix="$crash/" \
		$dict ${FUZZ_ARGS:-} >"$log" 2>&1
	rc=$?
	after=$(find "$crash" -type f ! -name 'slow-unit-*' | wc -l)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
	last=$(grep -E '^#[0-9]+' "$log" | tail -n1)
	cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p')
	status=ok
	bad='ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer)'
	bad="$bad|runtime error:|FUZZ_ASSERT"
	if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ] || grep -qE "$bad" "$log"; then
		status="FAILED (rc $rc, see $log)"
	fi
	printf '%-18s execs %10s  exec/s %6s  cov %5s  ft %6s  corpus %-12s %s\n' "$h" \
		"${execs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$status" >"$res"
	if [ "$status" != ok ]; then
		grep -E -m3 -A12 'ERROR: |runtime error:|FUZZ_ASSERT' "$log" | head -40 >>"$res"
		find "$crash" -type f ! -name 'slow-unit-*' | sed 's/^/  reproducer: /' >>"$res"
	fi
	cat "$res"
}

echo "fuzz: $# harness(es), ${secs}s each, $par at a time"
running=0
for h in "$@"; do
	if [ ! -x "$dir/$h" ]; then
		echo "fuzz: $dir/$h is not built" >&2
		echo "$h missing FAILED" >"$dir/results/$h"
		continue
	fi
	run_one "$h" &
	running=$((running + 1))
	if [ "$running" -ge "$par" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
echo "--- summary ---"
fail=0
for h in "$@"; do
	head -n1 "$dir/results/$h"
	grep -q FAILED "$dir/results/$h" && fail=1
done
if [ "$fail" -eq 0 ]; then
	echo "fuzz: all harnesses ran clean"
else
	echo "fuzz: FAILURES (reproducers under $dir/crashes/)"
fi
exit "$fail"
