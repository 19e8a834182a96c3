"""A short tour of every protocol for `make test-valgrind` (and harmless elsewhere):
IPMI login and commands with both suites, SoL through a pty, Redfish over HTTP and HTTPS
with a session, an SSE stream; then a daemon with two hosts (both IPMI endpoints, each
host's power, SEL and SoL on its own pty). The fixture fails the test on any memcheck
report."""
import json
import subprocess

from conftest import free_tcp_port
from test_sol import HostPty, ipmitool_sol


def test_every_protocol_once(bmcd_factory, tmp_path):
    host = HostPty(str(tmp_path))
    http, https = free_tcp_port(), free_tcp_port()
    b = bmcd_factory(extra="[redfish]\nlisten = 127.0.0.1\nhttp_port = %d\nhttps_port = %d\n"
                     "[sol]\ndevice = %s\n" % (http, https, host.link))
    try:
        for suite in (3, 17):
            b.ipmitool("power", "on", suite=suite)
            b.ipmitool("sdr", "list", suite=suite)
            b.ipmitool("sel", "list", suite=suite)
            b.ipmitool("fru", "print", "0", suite=suite)
        b.ipmitool("power", "status", password="wrong", check=False)
        c = ipmitool_sol(b)
        try:
            assert c.wait_for(b"SOL Session operational", timeout=30)
            host.write(b"valgrind says hi\r\n")
            assert c.wait_for(b"valgrind says hi", timeout=30)
            c.send(b"~.")
            c.exited(10)
        finally:
            c.kill()
        for url in ("http://127.0.0.1:%d" % http, "https://127.0.0.1:%d" % https):
            r = subprocess.run(["curl", "-sk", "-i", "-X", "POST", "-H", "Content-Type: application/json",
                                "-d", '{"UserName": "admin", "Password": "admin"}',
                                url + "/redfish/v1/SessionService/Sessions"],
                               capture_output=True, text=True, timeout=60)
            token = [l.split(":", 1)[1].strip() for l in r.stdout.splitlines()
                     if l.lower().startswith("x-auth-token")][0]
            r = subprocess.run(["curl", "-sk", "-H", "X-Auth-Token: " + token,
                                url + "/redfish/v1/Systems/0"], capture_output=True, text=True,
                               timeout=60)
            assert json.loads(r.stdout)["Id"] == "0"
            r = subprocess.run(["curl", "-sk", "-H", "X-Auth-Token: " + token, "-X", "PATCH",
                                "-H", "Content-Type: application/json", "-d",
                                '{"Boot": {"BootSourceOverrideTarget": "Pxe"}}',
                                url + "/redfish/v1/Systems/0"], capture_output=True, text=True,
                               timeout=60)
            r = subprocess.run(["curl", "-sk", "--max-time", "3", "-H", "X-Auth-Token: " + token,
                                url + "/redfish/v1/EventService/SSE"], capture_output=True,
                               text=True, timeout=60)
    finally:
        host.close()
    assert b.stop() == 0


def test_two_hosts(bmcd_factory, tmp_path):
    from test_multihost import ipmipower, two_hosts
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    pty_a, pty_b = HostPty(str(tmp_path / "a")), HostPty(str(tmp_path / "b"))
    try:
        a, b = two_hosts(bmcd_factory, "sol_device = %s\n" % pty_b.link,
                         "[sol]\ndevice = %s\n" % pty_a.link)
        a.ipmitool("power", "on")
        assert a.wait_power(True, timeout=30)
        b.ipmitool("power", "on", suite=3)
        assert b.wait_power(True, timeout=30)
        b.ipmitool("power", "off")
        assert b.wait_power(False, timeout=30)
        assert a.power_is()
        for h in (a, b):
            h.ipmitool("sel", "list")
            h.ipmitool("fru", "print", "0")
            h.ipmitool("mc", "guid")
        # FreeIPMI: both endpoints in one host list
        r = ipmipower(a, "127.0.0.1:%d,127.1:%d" % (a.port, b.port), "--stat")
        assert sorted(r) == [["127.0.0.1", "on"], ["127.1", "off"]], r
        for h, p in ((a, pty_a), (b, pty_b)):
            c = ipmitool_sol(h)
            try:
                assert c.wait_for(b"SOL Session operational", timeout=30), c.buf
                p.write(b"two hosts under valgrind, port %d\r\n" % h.port)
                assert c.wait_for(b"port %d" % h.port, timeout=30), c.buf
                c.send(b"typed at %d\r" % h.port)
                assert b"typed at %d" % h.port in p.read_until(b"at %d" % h.port, timeout=30)
                c.send(b"~.")
                c.exited(10)
            finally:
                c.kill()
    finally:
        pty_a.close()
        pty_b.close()
    assert a.stop() == 0
