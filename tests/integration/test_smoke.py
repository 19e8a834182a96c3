"""A short end-to-end check, also run against the ARM builds under qemu (make test-cross):
IPMI power on/status with both cipher suites and Redfish GETs over HTTP and HTTPS."""
import json
import subprocess

from conftest import free_tcp_port


def test_smoke_ipmi_and_redfish(bmcd_factory):
    http, https = free_tcp_port(), free_tcp_port()
    b = bmcd_factory(extra="[redfish]\nlisten = 127.0.0.1\nhttp_port = %d\nhttps_port = %d\n" %
                     (http, https))
    assert "is off" in b.ipmitool("power", "status", suite=17).stdout
    assert "Up/On" in b.ipmitool("power", "on", suite=3).stdout
    assert b.wait_power(True, timeout=15)
    for url in ("http://127.0.0.1:%d/redfish/v1/Systems/0" % http,
                "https://127.0.0.1:%d/redfish/v1/Systems/0" % https):
        r = subprocess.run(["curl", "-sk", "-u", "admin:admin", "--max-time", "20", url],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        body = json.loads(r.stdout)
        assert body["PowerState"] == "On", body
