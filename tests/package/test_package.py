"""The PiKVM OS package (packaging/pikvm): `make dist`, then the PKGBUILD built by Debian's
makepkg for one ARM architecture (BMCD_ARCH: armhf -> armv7h, aarch64 -> aarch64), checked
with pacman and installed into a scratch root beside a fake kvmd package.

Run by `make test-package ARCH=...`, which the armhf and aarch64 stages of `make test` call
after their cross build: the package build reuses that stage's dependencies and objects
(BMCD_PKG_PREBUILT=1, see packaging/pikvm/build-package.sh), so makepkg does not build
musl, BearSSL and libgpiod again and only relinks bmcd (makepkg dates the unpacked sources
to SOURCE_DATE_EPOCH, the last commit's time: objects older than that are compiled again).
Either way the packaged binary must be byte for byte the one the stage just ran under qemu.

Needs makepkg, pacman, bsdtar, zstd and fakeroot (tools/need.sh package). As root (CI),
makepkg runs as nobody and pacman -U/-R as root into the scratch root; as another user,
pacman runs under fakeroot.
"""
import hashlib
import os
import re
import shutil
import subprocess
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ARCH = os.environ.get("BMCD_ARCH", "armhf")
CARCH = {"armhf": "armv7h", "aarch64": "aarch64"}[ARCH]
VERSION = open(os.path.join(ROOT, "VERSION")).read().strip()
QEMU = {"armhf": "qemu-arm-static", "aarch64": "qemu-aarch64-static"}[ARCH]
IS_ROOT = os.geteuid() == 0

DROPIN = "usr/lib/systemd/system/kvmd-ipmi.service.d/20-bmcd.conf"
KVMD_UNIT = "usr/lib/systemd/system/kvmd-ipmi.service"
# path -> mode: what the package installs (directories aside)
FILES = {
    "usr/bin/bmcd": 0o755,
    DROPIN: 0o644,
    "usr/lib/systemd/system/bmcd.service": 0o644,
    "usr/share/bmcd/pikvm/redfish.nginx.conf": 0o644,
    "usr/share/bmcd/pikvm/override.yaml.example": 0o644,
    "etc/bmcd/bmcd.conf.example": 0o644,
    "etc/bmcd/users.example": 0o600,
    "usr/share/doc/bmcd/README.md": 0o644,
}

# kvmd's unit as kvmd 4.197 ships it (configs/os/services/kvmd-ipmi.service in pikvm/kvmd)
KVMD_IPMI_SERVICE = """\
[Unit]
Description=PiKVM - IPMI to KVMD proxy
After=kvmd.service

[Service]
User=kvmd-ipmi
Group=kvmd-ipmi
Type=simple
Restart=always
RestartSec=3
AmbientCapabilities=CAP_NET_BIND_SERVICE

ExecStart=/usr/bin/kvmd-ipmi --run
TimeoutStopSec=3

[Install]
WantedBy=multi-user.target
"""


def fake_package(outdir, name, files):
    """A minimal pacman package of `files` (path -> (mode, text)): .PKGINFO and the files,
    packed by bsdtar. pacman installs it as it is; makepkg would add ~10 s of lint per run."""
    top = os.path.join(outdir, name + ".tree")
    for path, (mode, text) in files.items():
        os.makedirs(os.path.dirname(os.path.join(top, path)), exist_ok=True)
        with open(os.path.join(top, path), "w") as f:
            f.write(text)
        os.chmod(os.path.join(top, path), mode)
    with open(os.path.join(top, ".PKGINFO"), "w") as f:
        f.write("pkgname = %s\npkgbase = %s\npkgver = 4.197-1\npkgdesc = fake %s\n"
                "builddate = 1700000000\npackager = tests/package\nsize = 1024\narch = any\n"
                % (name, name, name))
    pkg = os.path.join(outdir, "%s-4.197-1-any.pkg.tar.zst" % name)
    check(["bsdtar", "--uid", "0", "--gid", "0", "--uname", "root", "--gname", "root", "--zstd",
           "-cf", pkg, ".PKGINFO"] + sorted({p.split("/")[0] for p in files}), cwd=top)
    return pkg


def run(cmd, **kw):
    kw.setdefault("cwd", ROOT)
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, **kw)


def check(cmd, **kw):
    r = run(cmd, **kw)
    assert r.returncode == 0, "%s: exit %d\n%s" % (" ".join(cmd), r.returncode, r.stdout[-4000:])
    return r.stdout


def in_git():
    return run(["git", "rev-parse", "--show-toplevel"]).stdout.strip() == os.path.realpath(ROOT)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


@pytest.fixture(scope="module")
def built():
    missing = [t for t in ("makepkg", "pacman", "bsdtar", "zstd", "fakeroot")
               if shutil.which(t) is None]
    assert not missing, "missing %s: run tools/need.sh package" % " ".join(missing)
    assert os.path.exists(os.path.join(ROOT, "build", ARCH, "bmcd")), \
        "no build/%s/bmcd: make ARCH=%s first (make test-package does)" % (ARCH, ARCH)
    # a work tree with changes: archive them (a commit object that `git stash create` makes
    # without touching the tree or the stash), so the package holds the stage's build
    tree = ""
    if in_git():
        tree = run(["git", "stash", "create"]).stdout.strip()
    out = check(["make", "--no-print-directory", "dist"] + (["DIST_TREE=" + tree] if tree else []))
    tarball = os.path.join(ROOT, "build/dist/bmcd-%s.tar.gz" % VERSION)
    assert os.path.exists(tarball), out
    env = dict(os.environ, BMCD_PKG_PREBUILT="1")
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(k, None)
    out = check(["packaging/pikvm/build-package.sh", ARCH, tarball], env=env)
    m = re.search(r"^built (\S+\.pkg\.tar\.zst)$", out, re.M)
    assert m, out
    pkg = m.group(1)
    assert os.path.basename(pkg) == "bmcd-%s-1-%s.pkg.tar.zst" % (VERSION, CARCH)

    fake = tempfile.mkdtemp(prefix="bmcd-pkgtest-")
    kvmd = fake_package(fake, "kvmd", {
        KVMD_UNIT: (0o644, KVMD_IPMI_SERVICE),
        "usr/bin/kvmd-ipmi": (0o755, "#!/bin/sh\necho python kvmd-ipmi\n")})
    # the negative control: a package with its own unit at kvmd's path must conflict
    clash = fake_package(fake, "clash", {KVMD_UNIT: (0o644, "[Service]\nExecStart=/bin/true\n")})

    conf = os.path.join(fake, "pacman.conf")
    with open(conf, "w") as f:
        # foreign packages on this x86-64 host: name the architectures, or pacman says
        # "does not have a valid architecture"
        f.write("[options]\nArchitecture = armv7h aarch64\nSigLevel = Never\n")
    os.makedirs(os.path.join(fake, "db"))
    yield {"tarball": tarball, "pkg": pkg, "kvmd": kvmd, "clash": clash, "conf": conf,
           "dbpath": os.path.join(fake, "db"), "tmp": fake}
    shutil.rmtree(fake, ignore_errors=True)


def query(b, *args):
    return check(["pacman", "--config", b["conf"], "--dbpath", b["dbpath"]] + list(args))


def test_dist_tarball(built):
    names = check(["tar", "-tzf", built["tarball"]]).split()
    top = "bmcd-%s/" % VERSION
    assert all(n.startswith(top) for n in names)
    files = {n[len(top):] for n in names if not n.endswith("/")}
    for f in ("Makefile", "VERSION", "tools/build-deps.sh", "tools/need.sh", "tools/packages.txt",
              "packaging/pikvm/PKGBUILD", "packaging/pikvm/bmcd.install",
              "configs/systemd/kvmd-ipmi.service.d/20-bmcd.conf", "firmware/main.c"):
        assert f in files, f
    assert not any(f.startswith("build/") for f in files)
    if in_git():
        # every tracked file (as in the work tree: deleted ones are gone), nothing else
        tracked = {f for f in check(["git", "ls-files"]).split()
                   if os.path.lexists(os.path.join(ROOT, f))}
        assert files == tracked, (sorted(files - tracked), sorted(tracked - files))


def test_metadata(built):
    info = query(built, "-Qip", built["pkg"])
    fields = dict(re.findall(r"^(\S[^:\n]*?)\s*: (.*)$", info, re.M))
    assert fields["Name"] == "bmcd", info
    assert fields["Version"] == VERSION + "-1", info
    assert fields["Architecture"] == CARCH, info
    assert fields["Depends On"].split() == ["kvmd"], info
    assert fields["Conflicts With"] == "None" and fields["Replaces"] == "None", info
    assert fields["Install Script"] == "Yes", info
    # the checked-in PKGBUILD names the same version (make package rewrites its copy anyway)
    pkgbuild = open(os.path.join(ROOT, "packaging/pikvm/PKGBUILD")).read()
    assert re.search(r"^pkgver=%s$" % re.escape(VERSION), pkgbuild, re.M), \
        "packaging/pikvm/PKGBUILD pkgver is not VERSION (%s)" % VERSION
    assert re.search(r"^arch=\(armv7h aarch64\)$", pkgbuild, re.M)


def test_file_list(built):
    listed = query(built, "-Qlp", built["pkg"]).splitlines()
    paths = {line.split(" ", 1)[1].lstrip("/") for line in listed}
    files = {p for p in paths if not p.endswith("/")}
    assert files == set(FILES), "unexpected %s, missing %s" % (
        sorted(files - set(FILES)), sorted(set(FILES) - files))
    # never a file that kvmd owns
    assert KVMD_UNIT not in paths
    # modes and owners as packed (fakeroot: root)
    for line in check(["bsdtar", "-tvf", built["pkg"]]).splitlines():
        m = re.match(r"([-dl][rwxsStT-]{9})\s+\d+\s+(\S+)\s+(\S+)\s+\d+.*? (\S+)$", line)
        assert m, line
        perm, owner, group, path = m.groups()
        assert (owner, group) == ("root", "root"), line
        if path in FILES:
            want = FILES[path]
            got = sum(1 << (8 - i) for i, c in enumerate(perm[1:]) if c != "-")
            assert got == want, "%s: %o, not %o" % (path, got, want)


def test_binary_is_the_tested_build(built):
    out = os.path.join(built["tmp"], "x")
    os.makedirs(out)
    check(["bsdtar", "-xf", built["pkg"], "-C", out, "usr/bin/bmcd"])
    binary = os.path.join(out, "usr/bin/bmcd")
    assert sha(binary) == sha(os.path.join(ROOT, "build", ARCH, "bmcd")), \
        "the packaged bmcd is not build/%s/bmcd" % ARCH
    desc = check(["file", "-b", binary]) if shutil.which("file") else ""
    if desc:
        assert ("ARM, EABI5" if ARCH == "armhf" else "ARM aarch64") in desc, desc
        assert "statically linked" in desc, desc
    if shutil.which(QEMU):
        assert VERSION in check([QEMU, binary, "--version"])


def test_same_files_as_make_install(built):
    """The package installs what `make install` does, with the drop-in instead of a unit at
    kvmd's path, and the same contents and modes."""
    dest = os.path.join(built["tmp"], "destdir")
    pkgroot = os.path.join(built["tmp"], "pkgroot")
    os.makedirs(pkgroot)
    check(["make", "--no-print-directory", "ARCH=" + ARCH, "install", "DESTDIR=" + dest,
           "PREFIX=/usr"])
    check(["bsdtar", "-xpf", built["pkg"], "-C", pkgroot, "--exclude", ".*"])

    def tree(top):
        found = {}
        for d, _, fs in os.walk(top):
            for f in fs:
                p = os.path.join(d, f)
                found[os.path.relpath(p, top)] = (os.stat(p).st_mode & 0o7777, sha(p))
        return found
    installed, packaged = tree(dest), tree(pkgroot)
    assert KVMD_UNIT in installed
    del installed[KVMD_UNIT]
    del packaged[DROPIN]
    assert packaged == installed


def parse_unit(text):
    sections, cur = {}, None
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            cur = sections.setdefault(line.strip("[]"), [])
            continue
        k, v = line.split("=", 1)
        cur.append((k.strip(), v.strip()))
    return sections


# settings that add up across a unit and its drop-ins (an empty assignment resets them)
LISTS = {"ExecStart", "ExecReload", "After", "Before", "Wants", "Requires", "SupplementaryGroups",
         "AmbientCapabilities", "CapabilityBoundingSet", "RestrictAddressFamilies",
         "SystemCallArchitectures"}


def effective(*texts):
    """What systemd makes of a unit file and its drop-ins, in order (for these settings)."""
    eff = {}
    for text in texts:
        for sec, items in parse_unit(text).items():
            d = eff.setdefault(sec, {})
            for k, v in items:
                if k not in LISTS:
                    d[k] = v
                elif v == "":
                    d[k] = []
                elif k.startswith("Exec"):
                    d.setdefault(k, []).append(v)
                else:
                    d[k] = sorted(set(d.get(k, [])) | set(v.split()))
    return eff


def test_dropin_gives_the_tested_unit():
    """kvmd's unit with our drop-in is configs/systemd/kvmd-ipmi.service (the unit the
    integration tests and `make install` use), plus kvmd's TimeoutStopSec."""
    dropin = open(os.path.join(ROOT, "configs/systemd/kvmd-ipmi.service.d/20-bmcd.conf")).read()
    ours = effective(open(os.path.join(ROOT, "configs/systemd/kvmd-ipmi.service")).read())
    merged = effective(KVMD_IPMI_SERVICE, dropin)
    assert merged["Service"]["ExecStart"] == ["/usr/bin/bmcd --kvmd"]
    for k, v in ours["Service"].items():
        assert merged["Service"].get(k) == v, "%s: %r with the drop-in, %r in our unit" % (
            k, merged["Service"].get(k), v)
    assert set(merged["Service"]) - set(ours["Service"]) == {"TimeoutStopSec"}
    assert merged["Unit"] == ours["Unit"]
    assert "Install" not in parse_unit(dropin)


def pacman_root(b, rootdir, *args):
    """pacman on a scratch root (as root; otherwise under fakeroot)."""
    cmd = ["pacman", "--config", b["conf"], "--root", rootdir,
           "--dbpath", os.path.join(rootdir, "var/lib/pacman")]
    if args[0] in ("-U", "-R"):
        # --cachedir: or pacman makes the host's /var/cache/pacman/pkg; --noscriptlet: the
        # scriptlet would run chrooted into a root with no shell (test_scriptlet checks it)
        cmd += ["--cachedir", os.path.join(rootdir, "var/cache/pacman/pkg"),
                "--logfile", os.path.join(rootdir, "var/log/pacman.log"),
                "--noconfirm", "--noscriptlet"]
    cmd += list(args)
    if not IS_ROOT:
        cmd = ["fakeroot"] + cmd
    return run(cmd)


def systemd_view(rootdir):
    """kvmd-ipmi.service as systemd itself loads it from rootdir: the unit part of
    `systemd-analyze --root=... verify`'s debug dump (its exit status only reflects what a
    scratch root lacks, such as sysinit.target and /bin/kill)."""
    r = subprocess.run(["systemd-analyze", "--root=" + rootdir, "verify", "kvmd-ipmi.service"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                       env=dict(os.environ, SYSTEMD_LOG_LEVEL="debug"))
    lines = r.stdout.splitlines()
    assert "\t-> Unit kvmd-ipmi.service:" in lines, r.stdout[-2000:] + r.stderr[-2000:]
    view, exe = {"DropIn Path": []}, None
    for line in lines[lines.index("\t-> Unit kvmd-ipmi.service:") + 1:]:
        if not line.startswith("\t\t"):
            break
        line = line.strip()
        if line.startswith("-> "):
            exe = line[3:].rstrip(":")
            view[exe] = []
        elif line.startswith("Command Line: ") and exe:
            view[exe].append(line[len("Command Line: "):])
        elif ": " in line:
            k, v = line.split(": ", 1)
            if k == "DropIn Path":
                view[k].append(v[len(rootdir):])
            else:
                view.setdefault(k, v)
    return view


@pytest.fixture
def scratch(built):
    rootdir = tempfile.mkdtemp(prefix="bmcd-pacroot-", dir=built["tmp"])
    for d in ("var/lib/pacman", "var/cache/pacman/pkg", "var/log"):
        os.makedirs(os.path.join(rootdir, d))
    return rootdir


def test_install_beside_kvmd_and_remove(built, scratch):
    r = pacman_root(built, scratch, "-U", built["kvmd"])
    assert r.returncode == 0, r.stdout
    unit = os.path.join(scratch, KVMD_UNIT)
    before = sha(unit)
    # no --nodeps: the fake kvmd satisfies depends=(kvmd); no file conflict with it
    r = pacman_root(built, scratch, "-U", built["pkg"])
    assert r.returncode == 0, r.stdout
    assert "conflicting files" not in r.stdout and "exists in filesystem" not in r.stdout, r.stdout
    assert "kvmd %s" % "4.197-1" in pacman_root(built, scratch, "-Qo", unit).stdout
    r = pacman_root(built, scratch, "-Qo", os.path.join(scratch, DROPIN))
    assert "owned by bmcd %s-1" % VERSION in r.stdout, r.stdout
    for p in FILES:
        assert os.path.exists(os.path.join(scratch, p)), p
    assert sha(unit) == before
    assert "ExecStart=/usr/bin/bmcd --kvmd" in open(os.path.join(scratch, DROPIN)).read()
    # what systemd makes of it: kvmd's unit file, our drop-in, bmcd's command line
    assert shutil.which("systemd-analyze"), "no systemd-analyze: tools/need.sh %s" % ARCH
    v = systemd_view(scratch)
    assert v["Fragment Path"] == unit and v["DropIn Path"] == ["/" + DROPIN], v
    assert v["ExecStart"] == ["/usr/bin/bmcd --kvmd"], v
    assert v["Description"] == "PiKVM - IPMI and Redfish (bmcd)", v
    assert (v["User"], v["Group"], v["SupplementaryGroups"]) == \
        ("kvmd-ipmi", "kvmd-ipmi", "kvmd kvmd-selfauth uucp"), v
    assert v["AmbientCapabilities"] == v["CapabilityBoundingSet"] == "cap_net_bind_service", v
    # an administrator's `systemctl edit kvmd-ipmi` still wins over the package's drop-in
    admin = os.path.join(scratch, "etc/systemd/system/kvmd-ipmi.service.d/override.conf")
    os.makedirs(os.path.dirname(admin))
    with open(admin, "w") as f:
        f.write("[Service]\nExecStart=\nExecStart=/usr/bin/bmcd --kvmd --admin\n")
    v = systemd_view(scratch)
    assert v["ExecStart"] == ["/usr/bin/bmcd --kvmd --admin"], v
    shutil.rmtree(os.path.join(scratch, "etc/systemd"))
    # kvmd cannot go while bmcd depends on it
    r = pacman_root(built, scratch, "-R", "kvmd")
    assert r.returncode != 0 and "bmcd" in r.stdout, r.stdout

    r = pacman_root(built, scratch, "-R", "bmcd")
    assert r.returncode == 0, r.stdout
    assert not os.path.exists(os.path.join(scratch, DROPIN))
    assert not os.path.exists(os.path.dirname(os.path.join(scratch, DROPIN)))
    assert not os.path.exists(os.path.join(scratch, "usr/bin/bmcd"))
    assert sha(unit) == before
    assert open(unit).read() == KVMD_IPMI_SERVICE
    assert "ExecStart=/usr/bin/kvmd-ipmi --run" in open(unit).read()
    assert "kvmd 4.197-1" in pacman_root(built, scratch, "-Qo", unit).stdout
    assert pacman_root(built, scratch, "-Q", "bmcd").returncode != 0
    # and systemd is back to kvmd's Python daemon
    v = systemd_view(scratch)
    assert v["DropIn Path"] == [] and v["ExecStart"] == ["/usr/bin/kvmd-ipmi --run"], v
    assert v["Description"] == "PiKVM - IPMI to KVMD proxy", v
    assert "SupplementaryGroups" not in v or v["SupplementaryGroups"] == "", v


def test_unit_at_kvmds_path_is_a_conflict(built, scratch):
    """Negative control: a package shipping kvmd-ipmi.service itself is refused here, so the
    test above would catch a bmcd package that did."""
    assert pacman_root(built, scratch, "-U", built["kvmd"]).returncode == 0
    before = sha(os.path.join(scratch, KVMD_UNIT))
    r = pacman_root(built, scratch, "-U", built["clash"])
    assert r.returncode != 0, r.stdout
    assert "conflicting files" in r.stdout and "owned by kvmd" in r.stdout, r.stdout
    assert sha(os.path.join(scratch, KVMD_UNIT)) == before


def test_scriptlet():
    """bmcd.install parses, defines the three hooks, and reloads systemd and restarts
    kvmd-ipmi (only if running: try-restart) exactly when systemd is running."""
    script = os.path.join(ROOT, "packaging/pikvm/bmcd.install")
    check(["bash", "-n", script])
    stub = tempfile.mkdtemp(prefix="bmcd-stub-")
    try:
        log = os.path.join(stub, "log")
        with open(os.path.join(stub, "systemctl"), "w") as f:
            f.write('#!/bin/sh\necho "$*" >>%s\n' % log)
        os.chmod(os.path.join(stub, "systemctl"), 0o755)
        env = dict(os.environ, PATH=stub + ":" + os.environ["PATH"])
        for hook in ("post_install", "post_upgrade", "post_remove"):
            if os.path.exists(log):
                os.remove(log)
            check(["bash", "-c", '. "$1" && %s' % hook, "sh", script], env=env)
            calls = open(log).read().splitlines() if os.path.exists(log) else []
            if os.path.isdir("/run/systemd/system"):
                assert calls == ["daemon-reload", "try-restart kvmd-ipmi.service"], (hook, calls)
            else:
                assert calls == [], (hook, calls)
    finally:
        shutil.rmtree(stub)
