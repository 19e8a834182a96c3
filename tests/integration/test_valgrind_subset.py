"""A short tour of every protocol for `make test-valgrind` (and harmless elsewhere):
IPMI login and commands with both suites, SoL through a pty, Redfish over HTTP and HTTPS
with a session, an SSE stream. The fixture fails the test on any memcheck report."""
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
