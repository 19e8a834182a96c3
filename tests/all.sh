#!/bin/bash
# `make test`: every test stage, one after another, then one closing "N passed, M failed"
# line over all of them. A stage that fails to build counts as one failed test under its
# own name, so a broken build can never look like a green run.
#
#   release   C unit tests (ASan+UBSan) and integration tests against build/bmcd (musl, static)
#   asan      the integration tests against bmcd built with ASan+UBSan (glibc host build)
#   valgrind  a short subset against bmcd under memcheck (zero errors, zero leaks)
#   armhf     unit tests and the smoke test for the armhf build, under qemu-user
#   aarch64   the same for aarch64
#             (each then builds its PiKVM OS package and checks it with pacman: tests/package)
#   fuzz      every libFuzzer harness for FUZZ_SECONDS (20) from recorded seeds
#
# BMCD_STAGES picks stages (default: all of the above, in that order), e.g.
#   BMCD_STAGES="release fuzz" make test
set -u
cd "$(dirname "$0")/.." || exit 2
mkdir -p build/results
stages=${BMCD_STAGES:-"release asan valgrind armhf aarch64 fuzz"}
make="make --no-print-directory"
files=()
t0=$(date +%s)

# stage NAME JUNIT COMMAND...: runs COMMAND; if it leaves no JUnit file, writes one with a
# single failed test case (the stage itself) so the summary counts it.
stage() {
	local name=$1 junit=$2
	shift 2
	local s0
	s0=$(date +%s)
	echo "=== stage $name: $*"
	rm -f "$junit"
	"$@"
	local rc=$?
	if [ ! -s "$junit" ]; then
		python3 tests/summary.py --stage "$name" "$rc" >"$junit"
	elif [ "$rc" -ne 0 ] && ! grep -qE 'failures="[1-9]|errors="[1-9]' "$junit"; then
		# the runner failed without a failed test (e.g. pytest could not collect)
		python3 tests/summary.py --stage "$name" "$rc" >"$junit.stage"
		files+=("$junit.stage")
	fi
	files+=("$junit")
	echo "=== stage $name: exit $rc after $(($(date +%s) - s0)) s"
}

for s in $stages; do
	case $s in
	release)
		stage release build/results/release.xml sh -c \
			"$make all unit && BMCD_JUNIT=build/results/release.xml tests/run.sh" ;;
	asan)
		stage asan build/results/asan.xml sh -c \
			"$make build/asan/bmcd && BMCD=build/asan/bmcd BMCD_SANITIZED=1 \
			BMCD_TESTS=tests/integration BMCD_JUNIT=build/results/asan.xml tests/run.sh" ;;
	valgrind)
		stage valgrind build/results/valgrind.xml \
			$make test-valgrind BMCD_JUNIT=build/results/valgrind.xml ;;
	armhf | aarch64)
		stage "$s" "build/results/cross-$s.xml" \
			$make test-cross ARCH="$s" BMCD_JUNIT="build/results/cross-$s.xml"
		# the PiKVM OS package of that build (tests/package)
		stage "package-$s" "build/results/package-$s.xml" \
			$make test-package ARCH="$s" BMCD_JUNIT="build/results/package-$s.xml" ;;
	fuzz)
		rm -rf build/fuzz/results
		stage fuzz build/results/fuzz.xml sh -c \
			"$make fuzz FUZZ_SECONDS=${FUZZ_SECONDS:-20} FUZZ_PARALLEL=2; rc=\$?; \
			python3 tests/summary.py --fuzz build/fuzz/results >build/results/fuzz.xml; exit \$rc" ;;
	*)
		echo "unknown stage '$s'" >&2
		stage "$s" "build/results/$s.xml" false ;;
	esac
done

echo "=== all stages: $(($(date +%s) - t0)) s"
python3 tests/summary.py "${files[@]}"
