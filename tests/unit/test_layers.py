"""The layering check (tools/check-layers.py): no include circle, no include across the
layer rules, no call circle between modules (nm over build/obj, so `make all` first: `make
check` and `make test` build before they run the tests). Also checks that the check itself
finds what it must, on a scratch copy of the tree."""
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(ROOT, "tools", "check-layers.py")
OBJ = os.path.join(ROOT, "build", "obj")


def run(*args):
    return subprocess.run([sys.executable, TOOL, *args], capture_output=True, text=True,
                          timeout=300)


def test_layers_of_this_tree():
    if not os.path.isdir(OBJ):
        pytest.fail("no build/obj: run `make all` first")
    r = run("--root", ROOT, "--obj", OBJ)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.splitlines()[-1].startswith("ok:"), r.stdout


def scratch(tmp_path, files):
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return str(tmp_path)


def test_finds_include_circle(tmp_path):
    root = scratch(tmp_path, {
        "proto/a.h": '#include "b.h"\n',
        "proto/b.h": '#include "../proto/sub/c.h"\n',
        "proto/sub/c.h": '#include "../a.h"\n',
        "proto/ok.h": '#include "a.h"\n',
    })
    r = run("--root", root, "--no-symbols")
    assert r.returncode == 1
    assert "include circle: proto/a.h -> proto/b.h -> proto/sub/c.h -> proto/a.h" in r.stdout


def test_finds_forbidden_includes(tmp_path):
    root = scratch(tmp_path, {
        "proto/p.c": '#include "../net/n.h"\n#include "../hal/h.h"\n',
        "hal/h.c": '#include "../net/n.h"\n',
        "net/n.c": '#include "../firmware/f.h"\n#include "../proto/p.h"\n',
        "firmware/f.c": '#include "../net/n.h"\n#include "../proto/p.h"\n',
        "net/n.h": "", "hal/h.h": "", "firmware/f.h": "", "proto/p.h": "",
    })
    r = run("--root", root, "--no-symbols")
    assert r.returncode == 1
    bad = sorted(l.split()[1] for l in r.stdout.splitlines() if l.startswith("layer:"))
    assert bad == ["hal/h.c:1", "net/n.c:1", "proto/p.c:1", "proto/p.c:2"], r.stdout


@pytest.mark.skipif(not shutil.which("gcc") or not shutil.which("nm"), reason="needs gcc, nm")
def test_finds_call_circle(tmp_path):
    # a -> b -> c -> a through symbols; proto/sub/x.c and y.c are one module (proto/sub)
    srcs = {
        "proto/a.c": "void b1(void); void a1(void); void a1(void) { b1(); }\n",
        "proto/b.c": "void c1(void); void b1(void); void b1(void) { c1(); }\n",
        "proto/sub/x.c": "void a1(void); void c1(void); void c1(void) { a1(); }\n",
        "proto/sub/y.c": "void c1(void); void y1(void); void y1(void) { c1(); }\n",
        "proto/d.c": "void y1(void); void d1(void); void d1(void) { y1(); }\n",
    }
    root = scratch(tmp_path, srcs)
    obj = tmp_path / "build" / "obj"
    for rel in srcs:
        o = obj / (rel[:-2] + ".o")
        o.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["gcc", "-c", "-o", str(o), os.path.join(root, rel)], check=True)
    (obj / "proto" / "gone.o").write_bytes((obj / "proto" / "a.o").read_bytes())  # stale
    r = run("--root", root, "--obj", str(obj))
    assert r.returncode == 1
    circles = [l for l in r.stdout.splitlines() if l.startswith("call circle")]
    assert len(circles) == 1, r.stdout
    assert circles[0].startswith("call circle among proto/a, proto/b, proto/sub:"), r.stdout
    # without the back edge there is no circle
    os.remove(os.path.join(root, "proto/sub/x.c"))
    r = run("--root", root, "--obj", str(obj))
    assert r.returncode == 0, r.stdout
