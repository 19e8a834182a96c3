#!/bin/sh
# Runs the benchmarks (see tools/bench/run.py and docs/PERFORMANCE.md).
# Usage: tools/bench/run.sh [--quick] [--only ipmi,handshake,redfish,pool,sol,footprint,hosts,callgrind,perf]
set -eu
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 tools/bench/run.py "$@"
