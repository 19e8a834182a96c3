#!/bin/sh
# Runs every test (C unit tests under ASan/UBSan, then integration tests with the real
# clients) and closes with one "N passed, M failed" line. Extra arguments go to pytest,
# e.g. tests/run.sh -k freeipmi
cd "$(dirname "$0")/.." || exit 2
unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE
mkdir -p build
/usr/bin/python3 -m pytest -p no:cacheprovider -q -rfE --junitxml=build/test-results.xml \
	tests/unit/test_binaries.py tests/integration "$@"
rc=$?
/usr/bin/python3 tests/summary.py build/test-results.xml || rc=1
exit $rc
