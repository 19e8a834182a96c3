#!/bin/sh
# Runs every test (C unit tests under ASan/UBSan, then integration tests with the real
# clients) and closes with one "N passed, M failed" line. Extra arguments go to pytest,
# e.g. tests/run.sh -k freeipmi. BMCD_TESTS replaces the list of test paths; BMCD_JUNIT
# the results file.
cd "$(dirname "$0")/.." || exit 2
unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE
mkdir -p build
tests=${BMCD_TESTS:-"tests/unit tests/integration"}
junit=${BMCD_JUNIT:-build/test-results.xml}
# shellcheck disable=SC2086
/usr/bin/python3 -m pytest -p no:cacheprovider -q -rfEs --junitxml="$junit" $tests "$@"
rc=$?
/usr/bin/python3 tests/summary.py "$junit" || rc=1
exit $rc
