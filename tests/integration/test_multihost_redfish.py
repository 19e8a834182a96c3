"""Several hosts from one bmcd, the Redfish side: every host is a ComputerSystem (and a
Chassis) of the one Manager; reset, boot override, event log and events are per system,
with curl-style raw requests (schema-validated), redfishtool and sushy."""
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import Bmcd, asf_ping, free_tcp_port, free_udp_port, make_conf
from fake_kvmd import FakeKvmd
from test_fake_kvmd_msd import www  # noqa: F401  (a fixture)
from test_redfish import AUTH, crawl, request


def two_hosts(bmcd_factory, extra_b="", extra=""):
    pa, pb = free_udp_port(), free_udp_port()
    while pb == pa:
        pb = free_udp_port()
    http = free_tcp_port()
    conf = make_conf(pa, extra="""
[redfish]
listen = 127.0.0.1
http_port = %d
https_port = 0
max_sse = 2

[fru]
product_name = Box A
%s
[host.b]
ipmi_port = %d
backend = sim
product_name = Box B
product_serial = SN-B
%s""" % (http, extra, pb, extra_b))
    a = bmcd_factory(conf=conf, port=pa)
    b = Bmcd(a.dir, pb, conf)  # the same daemon, seen through host b's IPMI port
    b.logpath = a.logpath
    assert asf_ping(pb), a.log()
    a.http = b.http = http
    return a, b


def members(a, path):
    st, _, d, _ = request(a, "GET", path)
    assert st == 200, d
    return [m["@odata.id"] for m in d["Members"]]


def test_every_host_is_a_system_and_the_crawl_validates(bmcd_factory):
    a, b = two_hosts(bmcd_factory)
    assert members(a, "/redfish/v1/Systems") == ["/redfish/v1/Systems/0", "/redfish/v1/Systems/b"]
    assert members(a, "/redfish/v1/Chassis") == ["/redfish/v1/Chassis/0", "/redfish/v1/Chassis/b"]
    st, _, m, _ = request(a, "GET", "/redfish/v1/Managers/bmc")
    assert [x["@odata.id"] for x in m["Links"]["ManagerForServers"]] == \
        ["/redfish/v1/Systems/0", "/redfish/v1/Systems/b"]
    assert [x["@odata.id"] for x in m["Links"]["ManagerForChassis"]] == \
        ["/redfish/v1/Chassis/0", "/redfish/v1/Chassis/b"]

    st, _, sb, _ = request(a, "GET", "/redfish/v1/Systems/b")
    assert st == 200 and sb["Id"] == "b"
    assert sb["Model"] == "Box B" and sb["SerialNumber"] == "SN-B"
    assert sb["Links"]["ManagedBy"] == [{"@odata.id": "/redfish/v1/Managers/bmc"}]
    assert sb["Links"]["Chassis"] == [{"@odata.id": "/redfish/v1/Chassis/b"}]
    assert sb["SerialConsole"]["IPMI"]["Port"] == b.port
    st, _, s0, _ = request(a, "GET", "/redfish/v1/Systems/0")
    assert s0["Model"] == "Box A" and s0["SerialConsole"]["IPMI"]["Port"] == a.port
    # the UUID is the GUID each IPMI endpoint reports
    for s, h in ((s0, a), (sb, b)):
        g = re.search(r"System GUID\s*:\s*(\S+)", h.ipmitool("mc", "guid").stdout).group(1)
        assert s["UUID"] == g
    assert s0["UUID"] != sb["UUID"]

    # the BMC's own sensors are on the default chassis only
    st, _, cb, _ = request(a, "GET", "/redfish/v1/Chassis/b")
    assert st == 200 and "Sensors" not in cb and cb["Links"]["ComputerSystems"] == \
        [{"@odata.id": "/redfish/v1/Systems/b"}]
    assert request(a, "GET", "/redfish/v1/Chassis/b/Sensors")[0] == 404
    st, _, d, _ = request(a, "GET", "/redfish/v1/Systems/c")
    assert st == 404 and "ResourceNotFound" in json.dumps(d)

    b.ipmitool("power", "on")  # entries in b's log
    assert b.wait_power(True)
    seen = crawl(a)  # every answer is checked against DMTF's schemas
    for want in ("/redfish/v1/Systems/b", "/redfish/v1/Chassis/b",
                 "/redfish/v1/Systems/b/ResetActionInfo",
                 "/redfish/v1/Systems/b/LogServices/EventLog/Entries/1"):
        assert want in seen, want


def test_reset_boot_and_log_are_per_system(bmcd_factory):
    a, b = two_hosts(bmcd_factory)
    st, _, d, _ = request(a, "POST", "/redfish/v1/Systems/b/Actions/ComputerSystem.Reset",
                          {"ResetType": "On"})
    assert st == 204, d
    assert b.wait_power(True)
    assert not a.power_is()
    st, _, d, _ = request(a, "GET", "/redfish/v1/Systems/b")
    assert d["PowerState"] in ("On", "PoweringOn")
    assert request(a, "GET", "/redfish/v1/Systems/0")[2]["PowerState"] == "Off"

    st, _, d, _ = request(a, "PATCH", "/redfish/v1/Systems/b",
                          {"Boot": {"BootSourceOverrideTarget": "Pxe",
                                    "BootSourceOverrideEnabled": "Once"}})
    assert st == 200 and d["Boot"]["BootSourceOverrideTarget"] == "Pxe", d
    assert "Force PXE" in b.ipmitool("chassis", "bootparam", "get", "5").stdout
    assert "Force PXE" not in a.ipmitool("chassis", "bootparam", "get", "5").stdout
    assert request(a, "GET", "/redfish/v1/Systems/0")[2]["Boot"]["BootSourceOverrideTarget"] \
        == "None"

    eb = request(a, "GET", "/redfish/v1/Systems/b/LogServices/EventLog/Entries")[2]
    e0 = request(a, "GET", "/redfish/v1/Systems/0/LogServices/EventLog/Entries")[2]
    assert eb["Members@odata.count"] >= 1 and e0["Members@odata.count"] == 0
    assert "Power on requested by admin via Redfish" in json.dumps(eb)
    assert all(m["@odata.id"].startswith("/redfish/v1/Systems/b/") for m in eb["Members"])
    st, _, d, _ = request(a, "POST",
                          "/redfish/v1/Systems/b/LogServices/EventLog/Actions/LogService.ClearLog",
                          {})
    assert st == 204, d
    assert re.search(r"Entries\s+: 0", b.ipmitool("sel", "info").stdout)


def test_redfishtool_and_sushy_address_each_system(bmcd_factory):
    a, b = two_hosts(bmcd_factory)
    target = "127.0.0.1:%d" % a.http
    rt = ["redfishtool", "-S", "Never", "-u", "admin", "-p", "admin", "-r", target]
    r = subprocess.run(rt + ["Systems"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and "/redfish/v1/Systems/b" in r.stdout, r.stdout + r.stderr
    r = subprocess.run(rt + ["Systems", "-I", "b", "reset", "On"], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    assert b.wait_power(True) and not a.power_is()
    r = subprocess.run(rt + ["Systems", "-I", "b"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and '"Id": "b"' in r.stdout, r.stdout + r.stderr

    script = r"""
import os, sys, warnings
warnings.simplefilter("ignore")
for v in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
    os.environ.pop(v, None)
import sushy
from sushy import auth
root = sushy.Sushy(sys.argv[1], auth=auth.BasicAuth("admin", "admin"), verify=False)
print("members", sorted(root.get_system_collection().members_identities))
s = root.get_system("/redfish/v1/Systems/0")
s.set_system_boot_options(sushy.BOOT_SOURCE_TARGET_HDD, sushy.BOOT_SOURCE_ENABLED_CONTINUOUS)
s.reset_system(sushy.RESET_ON)
s = root.get_system("/redfish/v1/Systems/b")
s.reset_system(sushy.RESET_FORCE_OFF)
s.refresh()
print("b", s.identity, s.uuid, s.boot.target)
print("managers", [m.identity for m in s.managers])
"""
    env = dict(os.environ)
    env.pop("REQUESTS_CA_BUNDLE", None)
    r = subprocess.run(["/usr/bin/python3", "-c", script, "http://%s/redfish/v1" % target],
                       capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "members ['/redfish/v1/Systems/0', '/redfish/v1/Systems/b']" in r.stdout, r.stdout
    assert a.wait_power(True) and b.wait_power(False)
    assert "Force Boot from default Hard-Drive" in a.ipmitool("chassis", "bootparam", "get",
                                                              "5").stdout
    assert "Force Boot from default Hard-Drive" not in b.ipmitool("chassis", "bootparam", "get",
                                                                  "5").stdout
    g = re.search(r"System GUID\s*:\s*(\S+)", b.ipmitool("mc", "guid").stdout).group(1)
    assert "b b %s " % g in r.stdout, r.stdout
    assert "managers ['bmc']" in r.stdout, r.stdout


def read_events(s, buf, want, timeout=10):
    deadline = time.monotonic() + timeout
    events = []
    while time.monotonic() < deadline:
        try:
            buf += s.recv(65536)
        except socket.timeout:
            break
        events = [json.loads(f) for f in re.findall(rb"data: (\{.*?\})\n\n", buf)]
        if want(events):
            break
    return events


def test_events_name_the_system(bmcd_factory):
    a, b = two_hosts(bmcd_factory)
    s = socket.create_connection(("127.0.0.1", a.http), timeout=10)
    s.sendall(b"GET /redfish/v1/EventService/SSE HTTP/1.1\r\nHost: x\r\nAuthorization: "
              + AUTH.encode() + b"\r\nAccept: text/event-stream\r\n\r\n")
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += s.recv(4096)
    assert buf.startswith(b"HTTP/1.1 200")

    def origins(events):
        return [r["OriginOfCondition"]["@odata.id"] for e in events for r in e["Events"]]

    b.ipmitool("power", "on")  # through host b's IPMI endpoint
    events = read_events(s, buf, lambda ev: any(o == "/redfish/v1/Systems/b" and
                                                 "PoweredOn" in json.dumps(ev) for o in origins(ev)))
    s.close()
    o = origins(events)
    assert "/redfish/v1/Systems/b" in o, events
    assert any(x.startswith("/redfish/v1/Systems/b/LogServices/EventLog/Entries/") for x in o), o
    assert not any(x.startswith("/redfish/v1/Systems/0") for x in o), o


# --- virtual media: every host its own drive; the hosts of one PiKVM Switch share kvmd's ---

def test_sim_hosts_have_a_drive_each(bmcd_factory):
    a, b = two_hosts(bmcd_factory)
    st, _, d, _ = request(a, "GET", "/redfish/v1/Systems/b")
    assert d["VirtualMedia"] == {"@odata.id": "/redfish/v1/Systems/b/VirtualMedia"}
    cd_b = "/redfish/v1/Systems/b/VirtualMedia/Cd"
    st, h, d, _ = request(a, "POST", cd_b + "/Actions/VirtualMedia.InsertMedia",
                          {"Image": "http://127.0.0.1:9/b.iso"})
    assert st == 202, d
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        st, _, d, _ = request(a, "GET", h["location"])
        if st != 202:
            break
        time.sleep(0.1)
    assert st == 204, d
    assert request(a, "GET", cd_b)[2]["Inserted"] is True
    assert request(a, "GET", "/redfish/v1/Managers/bmc/VirtualMedia/Cd")[2]["Inserted"] is False
    assert request(a, "GET", "/redfish/v1/Systems/0/VirtualMedia/Cd")[2]["Inserted"] is False
    # the record goes into b's event log, and b boots from it once
    eb = json.dumps(request(a, "GET", "/redfish/v1/Systems/b/LogServices/EventLog/Entries")[2])
    assert "Virtual media inserted (b.iso)" in eb
    e0 = json.dumps(request(a, "GET", "/redfish/v1/Systems/0/LogServices/EventLog/Entries")[2])
    assert "Virtual media" not in e0
    st, _, d, _ = request(a, "PATCH", "/redfish/v1/Systems/b",
                          {"Boot": {"BootSourceOverrideTarget": "Cd",
                                    "BootSourceOverrideEnabled": "Once"}})
    assert st == 200, d
    # a one-time CD boot of host 0, whose drive is empty, is refused
    st, _, d, _ = request(a, "PATCH", "/redfish/v1/Systems/0",
                          {"Boot": {"BootSourceOverrideTarget": "Cd",
                                    "BootSourceOverrideEnabled": "Once"}})
    assert st == 409, d


@pytest.fixture
def switch_pair(bmcd_factory):
    """One bmcd, two hosts on ports 0 and 2 of the fake kvmd's one-unit Switch."""
    d = tempfile.mkdtemp(prefix="bmcd-sw2-")
    sock = os.path.join(d, "kvmd.sock")
    fakes = [FakeKvmd(sock, switch=1)]
    pa, pb, http = free_udp_port(), free_udp_port(), free_tcp_port()
    while pb == pa:
        pb = free_udp_port()
    conf = make_conf(pa, extra="""
[host]
backend = kvmd-switch
[kvmd]
socket = %s
switch_port = 0
poll_ms = 100
timeout_ms = 1000
[redfish]
listen = 127.0.0.1
http_port = %d
https_port = 0

[host.b]
ipmi_port = %d
backend = kvmd-switch
switch_port = 2
""" % (sock, http, pb))
    a = bmcd_factory(conf=conf, port=pa)
    b = Bmcd(a.dir, pb, conf)
    b.logpath = a.logpath
    a.http = b.http = http
    yield a, b, fakes, sock
    for k in fakes:
        k.close()
    shutil.rmtree(d, ignore_errors=True)


def wait(cond, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.1)
    return cond()


def reset(a, sid, kind):
    return request(a, "POST", "/redfish/v1/Systems/%s/Actions/ComputerSystem.Reset" % sid,
                   {"ResetType": kind})[0]


def test_switch_hosts_power_and_kvmd_going_away(switch_pair):
    a, b, fakes, sock = switch_pair
    k = fakes[0]
    assert wait(lambda: b.ipmitool("power", "status", check=False).returncode == 0), a.log()
    assert reset(a, "b", "On") == 204
    assert b.wait_power(True)
    assert k.sw_clicks == [(2, "power")]
    assert reset(a, "0", "On") == 204
    assert a.wait_power(True)
    assert k.sw_clicks == [(2, "power"), (0, "power")]
    assert k.sw_power == [True, False, True, False]
    assert request(a, "GET", "/redfish/v1/Systems/b")[2]["PowerState"] == "On"

    k.close()  # kvmd goes away: every host answers "busy", the daemon itself is fine

    def offline(sid):
        st, _, d, _ = request(a, "GET", "/redfish/v1/Systems/" + sid)
        return st == 200 and d["Status"]["State"] != "Enabled"
    assert wait(lambda: offline("0") and offline("b")), a.log()
    assert reset(a, "b", "ForceOff") == 503
    assert reset(a, "0", "ForceOff") == 503
    r = b.ipmitool("power", "off", check=False)
    assert r.returncode != 0, r.stdout + r.stderr
    a.ipmitool("mc", "info")
    st, _, d, _ = request(a, "GET", "/redfish/v1/Systems")
    assert st == 200 and d["Members@odata.count"] == 2

    k2 = FakeKvmd(sock, switch=1)  # back: both hosts work again
    fakes.append(k2)
    with k2.lock:
        k2.sw_power[2] = True
    assert wait(lambda: reset(a, "b", "ForceOff") == 204), a.log()
    assert wait(lambda: (2, "power_long") in k2.sw_clicks), k2.sw_clicks
    assert reset(a, "0", "On") == 204
    assert wait(lambda: (0, "power") in k2.sw_clicks), k2.sw_clicks
    assert {p for p, _ in k2.sw_clicks} == {0, 2}


def test_switch_hosts_share_kvmds_drive(switch_pair, www):
    a, b, fakes, sock = switch_pair
    k = fakes[0]
    cd0 = "/redfish/v1/Systems/0/VirtualMedia/Cd"
    cdb = "/redfish/v1/Systems/b/VirtualMedia/Cd"

    def ready(cd):
        return request(a, "GET", cd)[2]["Status"]["State"] == "Enabled"

    assert wait(lambda: ready(cd0) and ready(cdb)), a.log()
    url = www["base"] + "/test.iso"
    st, h, d, _ = request(a, "POST", cd0 + "/Actions/VirtualMedia.InsertMedia", {"Image": url})
    assert st == 202, d
    assert wait(lambda: request(a, "GET", cd0)[2]["Inserted"] is True), a.log()
    assert k.sw_active == 0
    with k.lock:
        assert k.msd_drive["image"] == "bmcd-port0/test.iso" and k.msd_drive["connected"]
    # host b's insert while host 0 holds the drive: refused, host 0's media untouched
    assert wait(lambda: request(a, "GET", cdb)[2]["Inserted"] is False)
    st, _, d, _ = request(a, "POST", cdb + "/Actions/VirtualMedia.InsertMedia", {"Image": url})
    assert st == 409, d
    ext = d["error"]["@Message.ExtendedInfo"]
    assert ext[0]["MessageId"].endswith("ResourceInUse"), ext
    assert "holds test.iso for system 0" in ext[0]["Resolution"], ext
    assert k.sw_active == 0
    with k.lock:
        assert k.msd_drive["image"] == "bmcd-port0/test.iso" and k.msd_drive["connected"]
    # host 0 ejects: the drive is free, host b's insert makes port 2 active
    st, _, d, _ = request(a, "POST", cd0 + "/Actions/VirtualMedia.EjectMedia", {})
    assert st == 204, d

    def drive_free():
        with k.lock:
            return not k.msd_drive["connected"]
    assert wait(drive_free), a.log()
    answers = []  # 409 until b's drive has seen the change
    assert wait(lambda: answers.append(request(a, "POST", cdb +
                                               "/Actions/VirtualMedia.InsertMedia",
                                               {"Image": url})[0]) or answers[-1] == 202), \
        (answers, a.log())
    assert set(answers) <= {409, 202}, answers
    assert wait(lambda: request(a, "GET", cdb)[2]["Inserted"] is True, 30), a.log()
    assert k.sw_active == 2
    with k.lock:
        assert k.msd_drive["image"] == "bmcd-port2/test.iso"
    assert wait(lambda: request(a, "GET", cd0)[2]["Inserted"] is False)
    eb = json.dumps(request(a, "GET", "/redfish/v1/Systems/b/LogServices/EventLog/Entries")[2])
    assert "Virtual media inserted (test.iso)" in eb


def test_per_host_users_on_redfish(bmcd_factory):
    """[host.b] users = admin: the operator uses host 0 only, on IPMI and on Redfish."""
    a, b = two_hosts(bmcd_factory, extra_b="users = admin\n")
    op = "Basic " + base64.b64encode(b"operator:operator").decode()
    st, _, d, _ = request(a, "GET", "/redfish/v1/Systems", auth=op)
    assert st == 200 and [m["@odata.id"] for m in d["Members"]] == ["/redfish/v1/Systems/0"]
    st, _, d, _ = request(a, "GET", "/redfish/v1/Chassis", auth=op)
    assert [m["@odata.id"] for m in d["Members"]] == ["/redfish/v1/Chassis/0"]
    st, _, d, _ = request(a, "GET", "/redfish/v1/Managers/bmc", auth=op)
    assert d["Links"]["ManagerForServers"] == [{"@odata.id": "/redfish/v1/Systems/0"}]
    for path in ("/redfish/v1/Systems/b", "/redfish/v1/Chassis/b",
                 "/redfish/v1/Systems/b/LogServices/EventLog/Entries",
                 "/redfish/v1/Systems/b/VirtualMedia/Cd"):
        st, _, d, _ = request(a, "GET", path, auth=op)
        assert st == 404 and "ResourceNotFound" in json.dumps(d), (path, st, d)
    st, _, d, _ = request(a, "POST", "/redfish/v1/Systems/b/Actions/ComputerSystem.Reset",
                          {"ResetType": "On"}, auth=op)
    assert st == 404, d
    assert not b.power_is()
    # the event stream names every host: not for the operator
    st, _, d, _ = request(a, "GET", "/redfish/v1/EventService/SSE", auth=op)
    assert st == 403 and "InsufficientPrivilege" in json.dumps(d), d
    # host 0 is the operator's as before, on Redfish and IPMI
    st, _, d, _ = request(a, "POST", "/redfish/v1/Systems/0/Actions/ComputerSystem.Reset",
                          {"ResetType": "On"}, auth=op)
    assert st == 204, d
    assert a.wait_power(True)
    r = b.ipmitool("power", "status", user="operator", password="operator", check=False)
    assert r.returncode != 0
    # the administrator sees and uses both
    assert members(a, "/redfish/v1/Systems") == ["/redfish/v1/Systems/0", "/redfish/v1/Systems/b"]
    assert reset(a, "b", "On") == 204
    assert b.wait_power(True)
