"""Integration fixtures: the real bmcd binary on loopback with a temporary config.

BMCD (environment) names the binary under test; default build/bmcd. Every daemon gets its
own free port, config and users file, and is stopped (SIGTERM) at the end of its test.
"""
import os
import random
import re
import signal
import socket
import subprocess
import tempfile
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BMCD = os.environ.get("BMCD", os.path.join(ROOT, "build", "bmcd"))
# e.g. BMCD_WRAP=qemu-aarch64-static to run a cross-built binary
BMCD_WRAP = os.environ.get("BMCD_WRAP", "").split()
# BMCD_SANITIZED: the binary is an ASan+UBSan build; BMCD_VALGRIND: run it under memcheck
SANITIZED = bool(os.environ.get("BMCD_SANITIZED"))
VALGRIND = bool(os.environ.get("BMCD_VALGRIND"))
if VALGRIND:
    BMCD_WRAP = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
                 "--errors-for-leak-kinds=definite,indirect", "--show-leak-kinds=definite,indirect",
                 "--track-fds=no"] + BMCD_WRAP
SLOW = bool(BMCD_WRAP)

USERS = """\
# test accounts
admin:admin
operator:operator:operator
user:user:user
"""

BASE_CONF = """\
[ipmi]
listen = 127.0.0.1
port = {port}
cipher_suites = 3,17
max_sessions = {max_sessions}
session_timeout = {session_timeout}
handshake_timeout_ms = 1000

[users]
file = users

[host]
backend = sim
short_press_ms = 50
long_press_ms = 300
busy_ms = 100
power_cycle_off_ms = 200
graceful_timeout_ms = 3000

[sim]
force_off_ms = 200
shutdown_ms = 300
boot_ms = 50
power_on = {power_on}

[log]
level = debug

# Redfish only where a test asks for it (a later [redfish] section sets its ports): tests
# never listen on the network, nor on a fixed port another run may hold
[redfish]
listen = 127.0.0.1
https_port = 0
"""


def free_udp_port():
    # below 32768: FreeIPMI's ipmiconsole rejects larger ports ("hostname invalid")
    for _ in range(200):
        port = random.randint(20000, 32767)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free UDP port")


def free_tcp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def asf_ping(port, timeout=0.2):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(bytes([6, 0, 0xFF, 6, 0, 0, 0x11, 0xBE, 0x80, 0x11, 0, 0]), ("127.0.0.1", port))
        data, _ = s.recvfrom(512)
        return len(data) >= 10 and data[8] == 0x40
    except OSError:
        return False
    finally:
        s.close()


class Bmcd:
    def __init__(self, tmp, port, conf_text, users_text=USERS, extra_files=None):
        self.dir = tmp
        self.port = port
        self.conf = os.path.join(tmp, "bmcd.conf")
        self.users = os.path.join(tmp, "users")
        with open(self.conf, "w") as f:
            f.write(conf_text)
        with open(self.users, "w") as f:
            f.write(users_text)
        for name, text in (extra_files or {}).items():
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
        self.logpath = os.path.join(tmp, "bmcd.log")
        self.proc = None

    def start(self, wait=True, args=(), wrap=()):
        self.logf = open(self.logpath, "w")
        self.proc = subprocess.Popen([*wrap, *BMCD_WRAP, BMCD, "-c", self.conf, *args],
                                     stdout=self.logf, stderr=subprocess.STDOUT)
        if wait:
            deadline = time.monotonic() + (30 if SLOW else 10)
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError("bmcd exited: " + self.log())
                if "ready in" in self.log():
                    if self.port is None or asf_ping(self.port):
                        return self
                time.sleep(0.02)
            raise RuntimeError("bmcd did not become ready: " + self.log())
        return self

    def log(self):
        with open(self.logpath) as f:
            return f.read()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30 if SLOW else 5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.logf.close()
        return self.proc.returncode if self.proc else None

    def sanitizer_reports(self):
        """Reports of ASan/UBSan/LeakSanitizer or valgrind in the daemon's output."""
        log = self.log() if os.path.exists(self.logpath) else ""
        marks = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                 "== Invalid", "== Conditional jump", "definitely lost in", "indirectly lost in",
                 "== Syscall param")
        bad = [l for l in log.splitlines() if any(m in l for m in marks)]
        if VALGRIND and self.proc and self.proc.returncode == 99:
            bad.append("valgrind exit code 99")
        return bad

    def rss_kib(self, field="VmRSS"):
        """VmRSS (everything resident, including text pages of the static binary) or
        RssAnon (heap, bss, stack: what a leak would grow)."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            m = re.search(field + r":\s+(\d+)", f.read())
            return int(m.group(1))

    # --- clients --------------------------------------------------------------------
    def ipmitool(self, *args, user="admin", password="admin", suite=None, priv=None,
                 iface="lanplus", timeout=30, check=True):
        cmd = ["ipmitool", "-I", iface, "-H", "127.0.0.1", "-p", str(self.port), "-U", user,
               "-P", password]
        if suite is not None:
            cmd += ["-C", str(suite)]
        if priv:
            cmd += ["-L", priv]
        r = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError("%s failed (%d):\n%s%s\n--- bmcd log ---\n%s" % (
                " ".join(cmd + list(args)), r.returncode, r.stdout, r.stderr, self.log()[-3000:]))
        return r

    def freeipmi(self, tool, *args, user="admin", password="admin", check=True, timeout=30,
                 extra=()):
        cmd = [tool, "-D", "LAN_2_0", "-h", "127.0.0.1:%d" % self.port, "-u", user, "-p",
               password, *extra, *args]
        # FreeIPMI caches SDRs under $HOME/.freeipmi by host:port; ports are reused across
        # tests, so another daemon's cache would be "out of date": one HOME per daemon. The
        # tools that keep a cache take the home directory from the password database, not
        # HOME (a run that met an old cache under /root/.freeipmi failed), so they are also
        # given the daemon's directory explicitly.
        if tool in ("ipmi-sensors", "ipmi-fru", "ipmi-sel", "bmc-config"):
            cmd[1:1] = ["--sdr-cache-directory", self.dir]
        env = dict(os.environ, HOME=self.dir)
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        if check and r.returncode != 0:
            raise AssertionError("%s failed (%d):\n%s%s" % (" ".join(cmd), r.returncode,
                                                            r.stdout, r.stderr))
        return r

    def power_is(self):
        out = self.ipmitool("power", "status").stdout
        return "is on" in out

    def wait_power(self, on, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.power_is() == on:
                return True
            time.sleep(0.05)
        return False


def make_conf(port, power_on=False, max_sessions=16, session_timeout=60, extra=""):
    return BASE_CONF.format(port=port, power_on="true" if power_on else "false",
                            max_sessions=max_sessions, session_timeout=session_timeout) + extra


@pytest.fixture
def bmcd_factory():
    started = []

    def make(power_on=False, max_sessions=16, session_timeout=60, extra="", users=USERS,
             extra_files=None, start=True, conf=None, port=None):
        tmp = tempfile.mkdtemp(prefix="bmcd-it-")
        port = port or free_udp_port()
        text = conf if conf is not None else make_conf(port, power_on, max_sessions,
                                                       session_timeout, extra)
        b = Bmcd(tmp, port, text, users, extra_files)
        started.append(b)
        if start:
            b.start()
        return b

    yield make
    reports = []
    for b in started:
        b.stop()
        reports += b.sanitizer_reports()
        subprocess.run(["rm", "-rf", b.dir])
    assert not reports, "daemon reports:\n" + "\n".join(reports[:40])


@pytest.fixture
def bmcd(bmcd_factory):
    return bmcd_factory()
