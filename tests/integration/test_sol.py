"""Issue 4: Serial-over-LAN with ipmitool, ipmiconsole and pyghmi; a pty is the cable.

The test holds the pty's master side (the "host"); bmcd opens the slave side through a
symlink, so an unplugged adapter can be simulated by closing the master and pointing the
symlink at a fresh pty."""
import hashlib
import os
import pty
import re
import select
import signal
import subprocess
import threading
import time
import tty

import pytest

SOL_CONF = """
[sol]
device = {link}
replay_on_activate = {replay}
"""


class HostPty:
    """The host side of the serial cable."""

    def __init__(self, dirpath):
        self.link = os.path.join(dirpath, "ttyHOST")
        self.master = self.slave = -1
        self.plug()

    def plug(self):
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        tmp = self.link + ".new"
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.symlink(os.ttyname(self.slave), tmp)
        os.replace(tmp, self.link)

    def unplug(self):
        os.close(self.master)
        os.close(self.slave)
        self.master = self.slave = -1

    def write(self, data):
        view = memoryview(data)
        while view:
            n = os.write(self.master, view)
            view = view[n:]

    def read_until(self, want, timeout=5.0):
        got = b""
        end = time.monotonic() + timeout
        while want not in got and time.monotonic() < end:
            r, _, _ = select.select([self.master], [], [], 0.05)
            if r:
                got += os.read(self.master, 4096)
        return got

    def close(self):
        if self.master >= 0:
            self.unplug()


class Console:
    """An interactive SoL client (ipmitool or ipmiconsole) on a pty of its own."""

    def __init__(self, argv):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvp(argv[0], argv)
        self.buf = b""
        self.done = False

    def pump(self, timeout=0.05, limit=65536):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if r:
            try:
                data = os.read(self.fd, limit)
            except OSError:
                data = b""
            if not data:
                self.done = True
            self.buf += data

    def wait_for(self, want, timeout=10.0):
        end = time.monotonic() + timeout
        while want not in self.buf and time.monotonic() < end and not self.done:
            self.pump()
        return want in self.buf

    def send(self, data):
        os.write(self.fd, data)

    def exited(self, timeout=5.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.pid = 0
                return True
            self.pump()
        return False

    def kill(self, sig=signal.SIGKILL):
        if self.pid:
            try:
                os.kill(self.pid, sig)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.pid = 0
        try:
            os.close(self.fd)
        except OSError:
            pass


def ipmitool_sol(b, *extra, user="admin", password="admin"):
    return Console(["ipmitool", "-I", "lanplus", "-H", "127.0.0.1", "-p", str(b.port),
                    "-U", user, "-P", password, *extra, "sol", "activate"])


@pytest.fixture
def sol_env(bmcd_factory, tmp_path):
    host = HostPty(str(tmp_path))
    consoles = []

    def make(replay=0, extra="", session_timeout=60):
        b = bmcd_factory(extra=SOL_CONF.format(link=host.link, replay=replay) + extra,
                         session_timeout=session_timeout)
        assert b.log().count("open at 115200 baud") == 1, b.log()
        return b

    yield host, make, consoles
    for c in consoles:
        c.kill()
    host.close()


@pytest.mark.parametrize("suite", [3, 17])
def test_ipmitool_roundtrip(sol_env, suite):
    host, make, consoles = sol_env
    b = make()
    c = ipmitool_sol(b, "-C", str(suite))
    consoles.append(c)
    assert c.wait_for(b"SOL Session operational"), c.buf
    host.write(b"host says hello\r\n")
    assert c.wait_for(b"host says hello"), c.buf
    c.send(b"typed by operator\r")
    assert b"typed by operator\r" in host.read_until(b"operator\r")
    c.send(b"~.")
    assert c.exited()
    assert "sol: deactivated by 'admin'" in b.log()
    # a new activation works at once
    c2 = ipmitool_sol(b)
    consoles.append(c2)
    assert c2.wait_for(b"SOL Session operational")


def test_ipmiconsole_roundtrip(sol_env):
    host, make, consoles = sol_env
    b = make()
    c = Console(["ipmiconsole", "-h", "127.0.0.1:%d" % b.port, "-u", "admin", "-p", "admin"])
    consoles.append(c)
    assert c.wait_for(b"[SOL established]"), c.buf
    host.write(b"from the host\r\n")
    assert c.wait_for(b"from the host"), c.buf
    c.send(b"from ipmiconsole\r")
    assert b"from ipmiconsole" in host.read_until(b"ipmiconsole")
    c.send(b"&.")
    assert c.exited()


PYGHMI_CONSOLE = r"""
import sys, time
from pyghmi.ipmi import console
got = []
c = console.Console(bmc='127.0.0.1', port=int(sys.argv[1]), userid='admin', password='admin',
                    iohandler=lambda d: got.append(d if isinstance(d, (str, bytes)) else ''))
end = time.time() + 10
while time.time() < end and 'READY' not in ''.join(g if isinstance(g, str) else g.decode() for g in got):
    c.wait_for_rsp(0.1)
c.send_data('pyghmi typed\r')
end = time.time() + 2
while time.time() < end:
    c.wait_for_rsp(0.1)
c.close()
print(''.join(g if isinstance(g, str) else g.decode() for g in got))
"""


def test_pyghmi_console(sol_env):
    host, make, consoles = sol_env
    b = make()
    p = subprocess.Popen(["/usr/bin/python3", "-c", PYGHMI_CONSOLE, str(b.port)],
                         stdout=subprocess.PIPE, text=True)
    for _ in range(100):
        if "sol: activated" in b.log():
            break
        time.sleep(0.05)
    host.write(b"READY\r\n")
    assert b"pyghmi typed" in host.read_until(b"pyghmi typed", timeout=10)
    out, _ = p.communicate(timeout=20)
    assert "READY" in out


def burst(host, c, size, slow=False):
    data = os.urandom(size)
    want = hashlib.sha256(data).hexdigest()
    writer = threading.Thread(target=host.write, args=(data,))
    start = len(c.buf)
    t0 = time.monotonic()
    writer.start()
    deadline = t0 + 120
    while len(c.buf) - start < size and time.monotonic() < deadline and not c.done:
        if slow:
            time.sleep(0.002)  # a console that reads its terminal slowly
            c.pump(limit=2048)
        else:
            c.pump()
    elapsed = time.monotonic() - t0
    writer.join(timeout=10)
    got = c.buf[start:start + size]
    print("SoL host->client: %d bytes in %.2f s = %.0f KiB/s%s" % (
        len(got), elapsed, len(got) / 1024 / elapsed, " (slow client)" if slow else ""))
    return hashlib.sha256(got).hexdigest() == want, len(got)


@pytest.mark.parametrize("slow", [False, True], ids=["fast", "slow-client"])
def test_one_mib_burst_arrives_complete(sol_env, slow):
    host, make, consoles = sol_env
    b = make()
    c = ipmitool_sol(b)
    consoles.append(c)
    assert c.wait_for(b"SOL Session operational.  Use ~? for help]\r\n"), c.buf
    c.buf = b""
    ok, n = burst(host, c, 1 << 20, slow=slow)
    assert ok, "got %d of %d bytes, or corrupted; log:\n%s" % (n, 1 << 20, b.log()[-2000:])
    assert "lost" not in b.log()


def test_second_activation_refused_and_admin_deactivate(sol_env):
    host, make, consoles = sol_env
    b = make()
    c1 = ipmitool_sol(b)
    consoles.append(c1)
    assert c1.wait_for(b"SOL Session operational")
    r = b.ipmitool("sol", "activate", check=False, timeout=20)
    assert r.returncode != 0
    assert "SOL payload already active on another session" in r.stderr
    r = b.ipmitool("sol", "deactivate")
    assert r.returncode == 0
    assert "deactivated by an administrator" in b.log()
    # the old console's keystrokes are answered "SoL inactive", not typed
    c1.send(b"not for the host\r")
    time.sleep(0.5)
    assert b"not for the host" not in host.read_until(b"host", timeout=1)
    r = b.ipmitool("sol", "deactivate", check=False)
    assert "already de-activated" in r.stderr or r.returncode != 0
    c2 = ipmitool_sol(b)
    consoles.append(c2)
    assert c2.wait_for(b"SOL Session operational"), c2.buf


def test_killed_client_is_detected(sol_env):
    host, make, consoles = sol_env
    b = make(session_timeout=5)
    c1 = ipmitool_sol(b)
    consoles.append(c1)
    assert c1.wait_for(b"SOL Session operational")
    c1.kill(signal.SIGKILL)
    host.write(b"anyone there?\r\n")  # unacknowledged output: retries run out in ~4 s
    t0 = time.monotonic()
    while time.monotonic() - t0 < 10:
        r = b.ipmitool("sol", "activate", check=False, timeout=20)
        if "already active" not in r.stderr:
            break
        time.sleep(0.5)
    print("new activation possible after %.1f s" % (time.monotonic() - t0))
    assert "the console stopped acknowledging" in b.log() or "idle timeout" in b.log()
    c2 = ipmitool_sol(b)
    consoles.append(c2)
    assert c2.wait_for(b"SOL Session operational"), c2.buf


def test_adapter_unplug_and_replug(sol_env):
    host, make, consoles = sol_env
    b = make()
    c = ipmitool_sol(b)
    consoles.append(c)
    assert c.wait_for(b"SOL Session operational")
    host.write(b"before unplug\r\n")
    assert c.wait_for(b"before unplug")
    host.unplug()
    for _ in range(50):
        if "went away" in b.log():
            break
        time.sleep(0.05)
    assert "went away" in b.log()
    host.plug()
    for _ in range(60):
        if b.log().count("open at 115200 baud") == 2:
            break
        time.sleep(0.05)
    assert b.log().count("open at 115200 baud") == 2, b.log()
    host.write(b"after replug\r\n")
    assert c.wait_for(b"after replug"), c.buf
    c.send(b"still typing\r")
    assert b"still typing" in host.read_until(b"typing")
    # the IPMI session survived: the same console is still attached
    assert "sol: deactivated" not in b.log()


def test_history_replay(sol_env):
    host, make, consoles = sol_env
    b = make(replay=4096)
    host.write(b"EARLY BOOT MESSAGE before anyone attached\r\n")
    time.sleep(0.3)
    c = ipmitool_sol(b)
    consoles.append(c)
    assert c.wait_for(b"EARLY BOOT MESSAGE"), c.buf


def test_survives_reboot_and_keepalive(sol_env):
    host, make, consoles = sol_env
    b = make()
    b.ipmitool("power", "on")
    c = ipmitool_sol(b)
    consoles.append(c)
    assert c.wait_for(b"SOL Session operational")
    b.ipmitool("power", "reset")  # another session resets the host
    host.write(b"rebooting...\r\n")
    assert c.wait_for(b"rebooting...")
    time.sleep(17)  # idle: ipmitool's keep-alive (every 15 s) must not end the console
    host.write(b"after the keep-alive\r\n")
    assert c.wait_for(b"after the keep-alive"), c.buf
    assert "sol: deactivated" not in b.log()


def test_sol_info_and_set(sol_env):
    host, make, consoles = sol_env
    b = make()
    out = b.ipmitool("sol", "info", "1").stdout
    assert re.search(r"Enabled\s+: true", out)
    assert re.search(r"Force Encryption\s+: true", out)
    assert re.search(r"Privilege Level\s+: OPERATOR", out)
    assert re.search(r"Non-Volatile Bit Rate \(kbps\)\s+: 115.2", out)
    assert re.search(r"Payload Port\s+: %d" % b.port, out)
    b.ipmitool("sol", "set", "retry-count", "5", "1")
    b.ipmitool("sol", "set", "character-send-threshold", "64", "1")
    out = b.ipmitool("sol", "info", "1").stdout
    assert re.search(r"Retry Count\s+: 5", out)
    assert re.search(r"Character Send Threshold\s+: 64", out)
    b.ipmitool("sol", "set", "volatile-bit-rate", "9.6", "1")
    assert "now at 9600 baud" in b.log()
    r = b.ipmitool("sol", "set", "retry-count", "3", "1", user="user", password="user",
                   priv="USER", check=False)
    assert r.returncode != 0
    # a USER account cannot take the console (SoL needs OPERATOR by default)
    r = b.ipmitool("sol", "activate", user="user", password="user", priv="USER", check=False,
                   timeout=20)
    assert r.returncode != 0
    # Get User Payload Access says the same: admin and operator may activate SoL, user not;
    # the users file is the one database, so Set User Payload Access is refused
    for uid, state in ((1, "enabled"), (2, "enabled"), (3, "disabled"), (4, "disabled")):
        out = b.ipmitool("sol", "payload", "status", "1", str(uid)).stdout
        assert "User %d on channel 1 is %s" % (uid, state) in out, out
    r = b.ipmitool("sol", "payload", "enable", "1", "3", check=False)
    assert r.returncode != 0 and "not supported in present state" in r.stderr, r.stderr


def test_sol_disabled_without_device(bmcd):
    r = bmcd.ipmitool("sol", "activate", check=False, timeout=20)
    assert r.returncode != 0
    assert "SOL payload disabled" in r.stderr
    out = bmcd.ipmitool("sol", "payload", "status", "1", "1").stdout
    assert "User 1 on channel 1 is disabled" in out, out
