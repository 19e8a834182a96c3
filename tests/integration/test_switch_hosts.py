"""Issue 16 (several hosts): `bmcd --kvmd` with `[kvmd] switch_hosts = yes` asks kvmd for its
PiKVM Switch at start-up (GET /switch) and makes one further host per port: IPMI on
switch_ipmi_base + i, backend kvmd-switch on port i, id SwitchPort<i>. Against the fake kvmd's
Switch (tests/integration/fake_kvmd.py): each endpoint drives exactly its port, its power state
follows that port's LED, kvmd going away makes them busy until it is back, and a kvmd that does
not answer, answers nonsense or reports a port that clashes with the configuration stops
start-up with the reason."""
import os
import random
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import BMCD, Bmcd, asf_ping, free_udp_port
from fake_kvmd import FakeKvmd

MAIN_YAML = """\
kvmd:
    server:
        unix: {sock}
ipmi:
    server:
        host: 127.0.0.1
        port: {port}
    auth:
        file: {users}
"""

CONF = """\
[pikvm]
main_yaml = main.yaml
override_dir = override.d
override_yaml = override.yaml

[kvmd]
poll_ms = 100
timeout_ms = 1000
switch_hosts = yes
switch_ipmi_base = {base}
switch_discovery_timeout_s = {wait}

[host]
short_press_ms = 50
long_press_ms = 300
busy_ms = 100

[log]
level = debug

[redfish]
listen = 127.0.0.1
https_port = 0
{extra}"""


def free_run(n):
    """A base port with n free UDP ports from it (below 32768, as free_udp_port)."""
    for _ in range(200):
        base = random.randint(20000, 32767 - n)
        socks = []
        try:
            for p in range(base, base + n):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free UDP port range")


def wait(cond, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


class Setup:
    def __init__(self, tmp, wait_s=10, extra=""):
        self.tmp = tmp
        self.sock = os.path.join(tmp, "kvmd.sock")
        self.base = free_run(4)
        self.port = free_udp_port()
        while self.base <= self.port < self.base + 4:
            self.port = free_udp_port()
        self.b = Bmcd(tmp, self.port, CONF.format(base=self.base, wait=wait_s, extra=extra),
                      extra_files={"main.yaml": MAIN_YAML.format(
                          sock=self.sock, port=self.port, users=os.path.join(tmp, "users"))})
        self.kvmd = None

    def start(self, wait=True):
        return self.b.start(wait=wait, args=("--kvmd",))

    def host(self, i):
        """A client view of Switch port i's endpoint (the same daemon)."""
        return self.view(self.base + i)

    def view(self, port):
        """ipmitool against another IPMI port of the same daemon (nothing written)."""
        v = Bmcd.__new__(Bmcd)
        v.dir, v.port, v.logpath, v.proc = self.tmp, port, self.b.logpath, None
        return v

    def failed_start(self, timeout=20):
        """Starts bmcd expecting it to give up: its exit code."""
        self.start(wait=False)
        try:
            return self.b.proc.wait(timeout=timeout)
        finally:
            self.b.logf.close()


@pytest.fixture
def setup():
    made = []
    tmp = tempfile.mkdtemp(prefix="bmcd-swh-")

    def make(**kw):
        d = os.path.join(tmp, str(len(made)))
        os.mkdir(d)
        s = Setup(d, **kw)
        made.append(s)
        return s

    yield make
    for s in made:
        s.b.stop()
        if s.kvmd:
            s.kvmd.close()
        bad = s.b.sanitizer_reports()
        assert not bad, "daemon reports:\n" + "\n".join(bad[:40])
    shutil.rmtree(tmp, ignore_errors=True)


def status(h):
    """'on', 'off' or the failure of ipmitool power status"""
    r = h.ipmitool("power", "status", check=False)
    if r.returncode:
        return r.stderr.strip()
    return "on" if "is on" in r.stdout else "off"


def test_one_host_per_port(setup):
    s = setup()
    k = s.kvmd = FakeKvmd(s.sock, switch=1)
    s.start()
    log = s.b.log()
    for i in range(4):
        assert "switch port %d: host port%d (id SwitchPort%d), IPMI port %d" % (
            i, i, i, s.base + i) in log, log
        assert re.search(r"host port%d \(id SwitchPort%d\): IPMI on \[127\.0\.0\.1\]:%d, backend "
                         r"kvmd-switch" % (i, i, s.base + i), log), log
    assert "host backend kvmd (" in log  # the default host is kvmd's own ATX, as before
    hosts = [s.host(i) for i in range(4)]
    assert [status(h) for h in hosts] == ["off"] * 4

    # power on through each endpoint reaches exactly its port
    for i, h in enumerate(hosts):
        h.ipmitool("chassis", "power", "on")
        assert wait(lambda: (i, "power") in k.sw_clicks), (i, k.sw_clicks, s.b.log()[-2000:])
        assert h.wait_power(True)
        assert k.sw_clicks == [(p, "power") for p in range(i + 1)]
        assert k.sw_power == [p <= i for p in range(4)]
    assert k.clicks == []  # kvmd's own ATX (the default host) untouched
    assert not s.b.power_is()
    assert k.sw_active == -1

    # each endpoint's state follows its port's power LED
    with k.lock:
        k.sw_power[1] = k.sw_power[3] = False
    assert wait(lambda: [status(h) for h in hosts] == ["on", "off", "on", "off"]), \
        [status(h) for h in hosts]
    hosts[3].ipmitool("chassis", "power", "on")
    assert hosts[3].wait_power(True)
    assert k.sw_clicks[-1] == (3, "power") and len(k.sw_clicks) == 5
    assert [status(h) for h in hosts] == ["on", "off", "on", "on"]

    # kvmd goes away: the endpoints answer busy; it comes back: they work again
    k.set_mode("down")
    assert wait(lambda: "Node busy" in status(hosts[1])), status(hosts[1])
    r = hosts[1].ipmitool("chassis", "power", "on", check=False)
    assert r.returncode != 0 and "Node busy" in r.stderr, r.stdout + r.stderr
    assert "Node busy" in status(hosts[2])
    hosts[2].ipmitool("mc", "info")  # the daemon itself is fine
    k.set_mode("up")
    assert wait(lambda: status(hosts[1]) == "off", 10), status(hosts[1])
    hosts[1].ipmitool("chassis", "power", "on")
    assert hosts[1].wait_power(True)
    assert k.sw_clicks[-1] == (1, "power")
    assert [status(h) for h in hosts] == ["on"] * 4
    assert {p for p, _ in k.sw_clicks} == {0, 1, 2, 3}


@pytest.mark.parametrize("late", ["socket", "ports"])
def test_waits_for_kvmd(setup, late):
    """kvmd starts after bmcd (no socket yet), or answers before its Switch reported its
    units (no ports yet): start-up asks again until the Switch is there."""
    s = setup()
    if late == "ports":
        s.kvmd = FakeKvmd(s.sock, switch=0)
    s.start(wait=False)
    time.sleep(1.0)
    assert s.b.proc.poll() is None, s.b.log()
    assert not asf_ping(s.port)
    if late == "socket":
        s.kvmd = FakeKvmd(s.sock, switch=1)
    else:
        s.kvmd.set_switch(1)
    assert wait(lambda: "ready in" in s.b.log(), 10), s.b.log()
    log = s.b.log()
    assert "asking again for up to 10 s" in log, log
    assert ("No such file" in log) if late == "socket" else ("no PiKVM Switch (no ports) yet" in log)
    assert "switch port 3: host port3" in log
    h = s.host(2)
    assert wait(lambda: asf_ping(h.port))
    h.ipmitool("chassis", "power", "on")
    assert h.wait_power(True)
    assert s.kvmd.sw_clicks == [(2, "power")]


def test_no_kvmd_is_a_startup_error(setup):
    s = setup(wait_s=1)
    t0 = time.monotonic()
    assert s.failed_start() == 1
    assert time.monotonic() - t0 < 10
    log = s.b.log()
    assert re.search(r"kvmd: \S+kvmd\.sock: no answer to GET /switch in 1 s "
                     r"\(kvmd\.switch_discovery_timeout_s; last: .*\); not starting", log), log
    assert "ready in" not in log


def test_no_switch_makes_no_hosts(setup):
    s = setup(wait_s=1)
    s.kvmd = FakeKvmd(s.sock, switch=0)
    s.start()
    log = s.b.log()
    assert "no PiKVM Switch attached (no ports): no hosts made for it" in log, log
    assert "switch port" not in log and "host port" not in log
    assert not asf_ping(s.base)
    s.b.ipmitool("mc", "info")


@pytest.mark.parametrize("kind,says", [
    ("no-api", "GET /switch: NotFound (this kvmd has no Switch API); not starting"),
    ("nonsense", "GET /switch: not kvmd's Switch state (bad JSON); not starting"),
    ("28-ports", "kvmd reports 28 Switch ports; a chain has at most 20"),
])
def test_bad_answer_is_a_startup_error(setup, kind, says):
    s = setup()
    k = s.kvmd = FakeKvmd(s.sock, switch=None if kind == "no-api" else 7)
    if kind == "nonsense":
        k.switch_state = lambda: {"model": {"ports": 4}, "summary": {"active_port": -1}}
    assert s.failed_start() == 1
    assert says in s.b.log(), s.b.log()
    assert "ready in" not in s.b.log()


def test_with_the_files_hosts(setup):
    """A port a [host.NAME] already drives gets no second host; the made hosts are checked
    like the file's (here: [hosts] max, then an IPMI port)."""
    s = setup(extra="[hosts]\nmax = 4\n[host.web]\nbackend = kvmd-switch\nswitch_port = 1.2\n"
                    "ipmi_port = %d\n")
    web = free_udp_port()
    while s.base <= web < s.base + 4 or web == s.port:
        web = free_udp_port()
    text = open(s.b.conf).read() % web
    with open(s.b.conf, "w") as f:
        f.write(text)
    k = s.kvmd = FakeKvmd(s.sock, switch=1)
    s.start()
    log = s.b.log()
    assert [int(p) for p in re.findall(r"switch port (\d+): host port", log)] == [0, 2, 3], log
    assert "host web (id web): IPMI on [127.0.0.1]:%d, backend kvmd-switch" % web in log
    assert not asf_ping(s.base + 1)
    v = s.view(web)
    v.ipmitool("chassis", "power", "on")
    assert v.wait_power(True)
    assert k.sw_clicks == [(1, "power")]
    s.b.stop()

    # another host on what would be port 2's IPMI port: a clean start-up error
    with open(s.b.conf, "w") as f:
        f.write(text + "[host.lab]\nipmi_port = %d\n" % (s.base + 2))
    assert s.failed_start() == 1
    lines = text.splitlines()
    at = lines.index("switch_hosts = yes") + 1
    log = s.b.log()
    assert re.search(r"bmcd\.conf:%d: \[host\.port3\]: more than hosts\.max = 4 further hosts"
                     % at, log), log
    assert re.search(r"bmcd\.conf:%d: host\.port2: IPMI on \[127\.0\.0\.1\]:%d is also "
                     r"host\.lab's" % (at, s.base + 2), log), log
    assert "the Switch's 4 port(s) do not fit the configuration; not starting" in log


def test_needs_kvmd(tmp_path):
    """switch_hosts without the kvmd backend, or without switch_ipmi_base: config errors."""
    (tmp_path / "users").write_text("admin:admin\n")
    conf = tmp_path / "bmcd.conf"
    conf.write_text("[users]\nfile = users\n[kvmd]\nswitch_hosts = yes\nswitch_ipmi_base = 7000\n")
    r = subprocess.run([BMCD, "-c", str(conf), "--check-config"], capture_output=True, text=True)
    assert r.returncode == 1
    assert "bmcd.conf:4: kvmd.switch_hosts needs the kvmd backend" in r.stderr, r.stderr
    conf.write_text("[users]\nfile = users\n[host]\nbackend = kvmd\n[kvmd]\nswitch_hosts = yes\n")
    r = subprocess.run([BMCD, "-c", str(conf), "--check-config"], capture_output=True, text=True)
    assert r.returncode == 1
    assert "bmcd.conf:6: kvmd.switch_hosts needs kvmd.switch_ipmi_base" in r.stderr, r.stderr
    conf.write_text("[users]\nfile = users\n[host]\nbackend = kvmd\n[kvmd]\nswitch_hosts = yes\n"
                    "switch_ipmi_base = 7000\n")
    r = subprocess.run([BMCD, "-c", str(conf), "--check-config"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr  # kvmd is asked at start-up, not by --check-config


def test_switch_hosts_on_redfish(setup):
    """The discovered hosts are Redfish systems with kvmd's ids (SwitchPort<i>), each with
    its own reset and its share of kvmd's drive."""
    import base64
    import json
    import urllib.request
    from conftest import free_tcp_port
    http = free_tcp_port()
    s = setup(extra="http_port = %d\n" % http)
    k = s.kvmd = FakeKvmd(s.sock, switch=1)
    s.start()

    def rf(method, path, body=None):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (http, path), method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        req.add_header("Authorization", "Basic " + base64.b64encode(b"admin:admin").decode())
        if body is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                data = r.read()
                return r.status, json.loads(data) if data else None
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    st, d = rf("GET", "/redfish/v1/Systems")
    assert st == 200, d
    assert [m["@odata.id"] for m in d["Members"]] == ["/redfish/v1/Systems/0"] + [
        "/redfish/v1/Systems/SwitchPort%d" % i for i in range(4)], d
    st, d = rf("GET", "/redfish/v1/Systems/SwitchPort2")
    assert st == 200 and d["SerialConsole"]["IPMI"]["Port"] == s.base + 2, d
    assert d["VirtualMedia"]["@odata.id"] == "/redfish/v1/Systems/SwitchPort2/VirtualMedia"
    st, d = rf("POST", "/redfish/v1/Systems/SwitchPort2/Actions/ComputerSystem.Reset",
               {"ResetType": "On"})
    assert st == 204, d
    assert wait(lambda: (2, "power") in k.sw_clicks), k.sw_clicks
    assert k.sw_clicks == [(2, "power")] and k.clicks == []
