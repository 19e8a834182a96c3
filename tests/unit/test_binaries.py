"""Runs each C unit-test executable (built with ASan+UBSan by `make unit`) as one test."""
import glob
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# make test-cross points these at cross-built tests and a qemu-user wrapper
UNIT_DIR = os.environ.get("BMCD_UNIT_DIR", os.path.join(ROOT, "build", "tests", "unit"))
WRAP = os.environ.get("BMCD_WRAP", "").split()
BINS = sorted(glob.glob(os.path.join(UNIT_DIR, "test_*")))


def test_unit_binaries_were_built():
    assert BINS, "no unit-test binaries: run `make unit` first"


@pytest.mark.parametrize("binary", BINS, ids=[os.path.basename(b) for b in BINS])
def test_unit(binary):
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
               UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    r = subprocess.run([*WRAP, binary], capture_output=True, text=True, timeout=900, env=env)
    print(r.stdout[-4000:])
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
