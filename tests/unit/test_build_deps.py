"""tools/build-deps.sh survives being killed midway: it builds in a temporary directory
and moves the result into place only when complete, so a run that was killed (or that
failed) never leaves an output directory that the next run trusts, and the next run
recovers without any manual clean-up.

The script runs in a sandbox copy of the tree (tools/ and a copy of the BearSSL and libgpiod
sources from build/deps/src), so the real build/deps is never touched. It builds the "host" variant
(plain gcc: BearSSL and libgpiod, about a minute on two cores).
BMCD_BUILD_DEPS_SCRIPT runs the test against another copy of the script (e.g. an older one).
"""
import glob
import os
import shutil
import signal
import subprocess
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.environ.get("BMCD_BUILD_DEPS_SCRIPT", os.path.join(ROOT, "tools/build-deps.sh"))
SRC = os.path.join(ROOT, "build/deps/src")


def have_sources():
    return all(glob.glob(os.path.join(SRC, p + "-[0-9]*")) for p in ("bearssl", "libgpiod"))


@pytest.fixture
def sandbox(tmp_path):
    if not have_sources():
        pytest.skip("no unpacked BearSSL/libgpiod sources in build/deps/src (run make first)")
    if shutil.which("gcc") is None:
        pytest.skip("no gcc")
    top = tmp_path / "top"
    (top / "tools").mkdir(parents=True)
    shutil.copy(SCRIPT, top / "tools/build-deps.sh")
    for f in ("need.sh", "packages.txt"):
        shutil.copy(os.path.join(ROOT, "tools", f), top / "tools" / f)
    # a copy of the BearSSL and libgpiod sources (a few MB), so nothing the script under
    # test does can touch the real cache
    (top / "build/deps/src").mkdir(parents=True)
    for p in glob.glob(os.path.join(SRC, "bearssl*")) + glob.glob(os.path.join(SRC, "libgpiod*")):
        dst = top / "build/deps/src" / os.path.basename(p)
        if os.path.isdir(p):
            shutil.copytree(p, dst, symlinks=True)
        else:
            shutil.copy(p, dst)
    return top


def start(top, log):
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "BMCD_DEPS_DIR")}
    return subprocess.Popen(["sh", str(top / "tools/build-deps.sh"), "host"], cwd=str(top),
                            stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)


def test_killed_build_is_recovered(sandbox, tmp_path):
    deps = sandbox / "build/deps"
    out = deps / "host"
    # what an interrupted run of an older script left: a library without the stamp, and
    # the build directory of a process that is gone
    (out / "lib").mkdir(parents=True)
    (out / "lib/libbearssl.a").write_bytes(b"half a library")
    (deps / "host.tmp.999999999/lib").mkdir(parents=True)

    # 1. start a build and kill its whole process group once BearSSL is being compiled
    with open(tmp_path / "first.log", "wb") as log:
        p = start(sandbox, log)
        deadline = time.time() + 300
        while time.time() < deadline and p.poll() is None:
            if glob.glob(str(deps / "host*/bearssl-build/build/obj/*.o")):
                break
            time.sleep(0.1)
        if p.poll() is not None:
            text = (tmp_path / "first.log").read_text(errors="replace")[-3000:]
            assert p.returncode != 0 or not glob.glob(str(out / "lib/*")), \
                "build-deps.sh finished without compiling BearSSL: it trusted the half-made " \
                "output of an earlier run (%s)\n%s" % (sorted(os.listdir(out / "lib")), text)
            pytest.fail("build-deps.sh ended before BearSSL was compiled:\n" + text)
        time.sleep(1)
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()

    # nothing that a later run (or the Makefile, which looks for .done and the libraries)
    # could take for a finished build
    assert not (out / ".done").exists()
    assert not (out / "lib/libbearssl.a").exists(), "a killed build left lib/libbearssl.a in place"
    assert not out.exists(), "a killed build left %s (%s)" % (out, sorted(os.listdir(out)))

    # 2. the next run recovers on its own
    with open(tmp_path / "second.log", "wb") as log:
        p = start(sandbox, log)
        rc = p.wait(timeout=600)
    text = (tmp_path / "second.log").read_text(errors="replace")
    assert rc == 0, text[-3000:]
    for f in ("lib/libbearssl.a", "lib/libgpiod.a", "include/bearssl.h", "include/gpiod.h"):
        assert (out / f).stat().st_size > 0, f
    for f in ("lib/libbearssl.a", "lib/libgpiod.a"):
        assert (out / f).read_bytes()[:8] == b"!<arch>\n", "%s is not an archive" % f
    assert (out / ".done").exists()
    assert not glob.glob(str(deps / "host.tmp.*")), "leftover build directories"

    # 3. a complete build is not redone
    t = time.time()
    r = subprocess.run(["sh", str(sandbox / "tools/build-deps.sh"), "host"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert time.time() - t < 10
