"""Issue 16 (several hosts), the kvmd Switch backend: `backend = kvmd-switch` drives one port of
a PiKVM Switch through kvmd's /switch API (GET /switch for the port's power LED, POST
/switch/atx/click for presses), against the fake kvmd's Switch (tests/integration/fake_kvmd.py).
Only the configured port may change; no switch, no such port or a kvmd without the Switch API
fail cleanly (IPMI "busy", Redfish 503), and bad switch_port values are config errors.

Virtual media on a Switch port ("the MSD follows the Switch's active port"): an insert makes
the port active before the drive is connected; while another port is active the host does not
see the media (Inserted false, Health Warning) and bmcd does not switch back; another host's
media in the drive while its port is active is refused (409), never disconnected."""
import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest

from conftest import BMCD, free_tcp_port
from fake_kvmd import FakeKvmd
from test_fake_kvmd_msd import www  # noqa: F401  (a fixture)

SYS = "/redfish/v1/Systems/0"


@pytest.fixture
def kvmd_dir():
    d = tempfile.mkdtemp(prefix="bmcd-sw-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def switch_bmcd(bmcd_factory, kvmd_dir):
    fakes = []

    def make(units=1, port="2", start=True):
        sock = os.path.join(kvmd_dir, "kvmd%d.sock" % len(fakes))
        k = FakeKvmd(sock, switch=units)
        fakes.append(k)
        http = free_tcp_port()
        extra = ("[host]\nbackend = kvmd-switch\n[kvmd]\nsocket = %s\npoll_ms = 100\n"
                 "timeout_ms = 1000\n%s[redfish]\nlisten = 127.0.0.1\nhttp_port = %d\n"
                 % (sock, "switch_port = %s\n" % port if port is not None else "", http))
        b = bmcd_factory(extra=extra, start=start)
        b.http = http
        return b, k

    yield make
    for k in fakes:
        k.close()


def rf(b, method, path, body=None):
    st, _, d = rfh(b, method, path, body)
    return st, d


def rfh(b, method, path, body=None):
    """(status, headers, JSON body)"""
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (b.http, path), method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Authorization", "Basic " + base64.b64encode(b"admin:admin").decode())
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            data = r.read()
            return r.status, r.headers, json.loads(data) if data else None
    except urllib.error.HTTPError as e:
        data = e.read()
        return e.code, e.headers, json.loads(data) if data else None


def wait(cond, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def clicks_sent(k):
    return [(q.get("port"), q.get("button")) for m, p, q in k.sw_requests
            if m == "POST" and p.startswith("/switch/atx/")]


@pytest.mark.parametrize("spec", ["2", "1.3"])
def test_one_port_is_the_host(switch_bmcd, spec):
    """switch_port = 2 (kvmd's 0-based index) and 1.3 (unit 1, channel 3) are the same port."""
    b, k = switch_bmcd(units=1, port=spec)
    with k.lock:
        k.sw_power[1] = True  # another host on the switch, running
    assert wait(lambda: "switch port 2 (unit 1, channel 3) of 4" in b.log()), b.log()
    assert "host backend kvmd-switch" in b.log()
    assert "is off" in b.ipmitool("power", "status").stdout
    assert rf(b, "GET", SYS)[1]["PowerState"] == "Off"

    b.ipmitool("power", "on")
    assert b.wait_power(True)
    assert k.sw_power == [False, True, True, False]
    assert k.sw_clicks == [(2, "power")]
    assert rf(b, "GET", SYS)[1]["PowerState"] == "On"

    b.ipmitool("power", "reset")
    assert wait(lambda: (2, "reset") in k.sw_clicks)

    b.ipmitool("power", "off")  # hard off: a long press
    assert b.wait_power(False)
    assert (2, "power_long") in k.sw_clicks
    assert k.sw_power == [False, True, False, False]

    b.ipmitool("power", "on")
    assert b.wait_power(True)
    b.ipmitool("power", "cycle")  # off (long press), a pause, on again
    assert wait(lambda: k.sw_clicks[-2:] == [(2, "power_long"), (2, "power")], 8), k.sw_clicks
    assert b.wait_power(True)

    st, _ = rf(b, "POST", SYS + "/Actions/ComputerSystem.Reset", {"ResetType": "ForceOff"})
    assert st in (200, 202, 204), st
    assert b.wait_power(False)
    assert rf(b, "GET", SYS)[1]["PowerState"] == "Off"
    st, _ = rf(b, "POST", SYS + "/Actions/ComputerSystem.Reset", {"ResetType": "On"})
    assert st in (200, 202, 204), st
    assert b.wait_power(True)
    assert wait(lambda: rf(b, "GET", SYS)[1]["PowerState"] == "On")

    # only port 2 was ever touched, always by its index
    assert {p for p, _ in k.sw_clicks} == {2}
    assert {p for p, _ in clicks_sent(k)} == {"2"}
    assert k.sw_power[0] is False and k.sw_power[1] is True and k.sw_power[3] is False
    assert k.sw_active == -1  # bmcd never switches the KVM over


def test_second_unit_and_busy_port(switch_bmcd):
    """A port on the second unit (2.2 = index 5); a press while the port is still busy with
    another is held until the port is free (kvmd would drop it silently)."""
    b, k = switch_bmcd(units=2, port="2.2")
    assert wait(lambda: "switch port 5 (unit 2, channel 2) of 8" in b.log()), b.log()
    free_at = time.monotonic() + 2.0
    with k.lock:
        k.sw_busy_until[5] = free_at  # someone pressed it in kvmd's web UI
    b.ipmitool("power", "on")
    time.sleep(0.3)
    if time.monotonic() < free_at - 0.2:  # (a slow machine may be past it already)
        assert k.sw_clicks == []
        assert any(m == "GET" for m, _, _ in k.sw_requests[-3:])  # it keeps looking
    assert b.wait_power(True)
    assert k.sw_clicks == [(5, "power")]
    assert k.sw_power == [False] * 5 + [True] + [False] * 2


@pytest.mark.parametrize("units,port,says", [
    (1, "6", "has 4 port(s) (0..3), not port 6"),
    (0, "2", "no PiKVM Switch is attached"),
    (None, "2", "this kvmd has no Switch API"),
])
def test_missing_port_fails_cleanly(switch_bmcd, units, port, says):
    b, k = switch_bmcd(units=units, port=port)
    assert wait(lambda: says in b.log()), b.log()
    r = b.ipmitool("power", "status", check=False)
    assert r.returncode != 0 and "Node busy" in r.stderr, r.stdout + r.stderr
    r = b.ipmitool("power", "on", check=False)
    assert r.returncode != 0
    st, _ = rf(b, "POST", SYS + "/Actions/ComputerSystem.Reset", {"ResetType": "On"})
    assert st == 503, st
    assert clicks_sent(k) == [] and k.sw_clicks == []
    b.ipmitool("mc", "info")  # the daemon itself is fine
    if units is not None:
        # the switch (or a second unit) is plugged in: the port appears, power works
        k.set_switch(2)
        assert wait(lambda: b.ipmitool("power", "status", check=False).returncode == 0)
        b.ipmitool("power", "on")
        assert b.wait_power(True)
        assert k.sw_clicks == [(int(port), "power")]


@pytest.mark.parametrize("line,err", [
    ("switch_port = 20", "bmcd.conf:%d: kvmd.switch_port: expected a port index from 0 to 19 "
                         "or unit.channel from 1.1 to 5.4, got '20'"),
    ("switch_port = 0.5", "got '0.5'"),
    ("switch_port = 6.1", "got '6.1'"),
    ("switch_port = 1.10", "got '1.10'"),
    ("switch_port = -1", "got '-1'"),
    ("switch_port = two", "got 'two'"),
    (None, "host.backend = kvmd-switch needs kvmd.switch_port"),
])
def test_config_errors(switch_bmcd, line, err):
    b, k = switch_bmcd(port=None, start=False)
    text = open(b.conf).read()
    if line:
        text = text.replace("[kvmd]\n", "[kvmd]\n%s\n" % line)
        lineno = text.splitlines().index(line) + 1
        err = err % lineno if "%d" in err else err
    with open(b.conf, "w") as f:
        f.write(text)
    r = subprocess.run([BMCD, "-c", b.conf, "--check-config"], capture_output=True, text=True)
    assert r.returncode == 1 and err in r.stderr, r.stderr


def test_switch_port_needs_the_backend(bmcd_factory):
    b = bmcd_factory(start=False, extra="[kvmd]\nswitch_port = 1\n")
    r = subprocess.run([BMCD, "-c", b.conf, "--check-config"], capture_output=True, text=True)
    assert r.returncode == 1 and "kvmd.switch_port is set, but host.backend is not kvmd-switch" \
        in r.stderr, r.stderr


# --- virtual media on a Switch port ---------------------------------------------------------

CD = "/redfish/v1/Managers/bmc/VirtualMedia/Cd"
INSERT = CD + "/Actions/VirtualMedia.InsertMedia"
EJECT = CD + "/Actions/VirtualMedia.EjectMedia"


def drive(k):
    with k.lock:
        return dict(k.msd_drive)


def msd_ready(b):
    return wait(lambda: rf(b, "GET", CD)[1]["Status"]["State"] == "Enabled", 10)


def set_actives(k):
    return [q.get("port") for m, p, q in k.sw_requests if m == "POST" and p == "/switch/set_active"]


def test_insert_makes_the_port_active_and_follows_it(switch_bmcd, www):
    b, k = switch_bmcd(units=1, port="1.3")  # port 2
    with k.lock:
        k.sw_active = 0  # someone is on port 0
        k.sw_active_lag = 0.4  # kvmd queues the switch-over
    assert msd_ready(b), b.log()
    url = www["base"] + "/test.iso"
    st, h, d = rfh(b, "POST", INSERT, {"Image": url})
    assert st == 202 and d["TaskState"] == "Running", (st, d)
    mon = h["Location"]
    end = time.monotonic() + 30
    while time.monotonic() < end:
        st, _, d = rfh(b, "GET", mon)
        if st != 202:
            break
        time.sleep(0.1)
    assert st == 204, (st, d, b.log())
    assert k.sw_active == 2 and set_actives(k) == ["2"], k.sw_requests[-5:]
    dr = drive(k)
    assert dr["connected"] and dr["image"] == "bmcd-port2/test.iso", dr
    # the port was made active, and seen active, before the drive was connected
    reqs = [(m, p, q) for m, p, q in k.all_requests if m == "POST"]
    i_act = next(i for i, r in enumerate(k.all_requests) if r[1] == "/switch/set_active")
    i_con = next(i for i, r in enumerate(k.all_requests)
                 if r[1] == "/msd/set_connected" and r[2].get("connected") == "1")
    assert i_act < i_con, reqs
    assert any(r[1] == "/switch" for r in k.all_requests[i_act + 1:i_con]), k.all_requests[i_act:]
    cd = rf(b, "GET", CD)[1]
    assert cd["Inserted"] and cd["ConnectedVia"] == "URI" and cd["Status"]["Health"] == "OK", cd

    # someone switches the KVM to port 1: the drive no longer reaches this host
    with k.lock:
        k.sw_active = 1
    assert wait(lambda: rf(b, "GET", CD)[1]["Inserted"] is False), rf(b, "GET", CD)
    cd = rf(b, "GET", CD)[1]
    assert cd["Status"]["Health"] == "Warning" and cd["ConnectedVia"] == "NotConnected", cd
    assert cd["Image"] == url and cd["ImageName"] == "test.iso", cd
    time.sleep(0.5)
    assert k.sw_active == 1 and set_actives(k) == ["2"]  # bmcd does not switch back
    assert drive(k)["connected"]
    assert b.log().count("switch port 2 is not the active one") == 1, b.log()

    # back to port 2: inserted again, without a request of bmcd's
    with k.lock:
        k.sw_active = 2
    assert wait(lambda: rf(b, "GET", CD)[1]["Inserted"] is True), rf(b, "GET", CD)
    assert rf(b, "GET", CD)[1]["Status"]["Health"] == "OK"
    assert "switch port 2 is active again" in b.log()

    # port 1 again, then the same image asked for: only the port is made active again
    with k.lock:
        k.sw_active = 1
    assert wait(lambda: rf(b, "GET", CD)[1]["Inserted"] is False)
    writes = sum(p == "/msd/write_remote" for _, p, _ in k.msd_requests)
    st, h, d = rfh(b, "POST", INSERT, {"Image": url})
    assert st == 202, (st, d)
    assert wait(lambda: rf(b, "GET", CD)[1]["Inserted"] is True, 10), b.log()
    assert k.sw_active == 2 and set_actives(k) == ["2", "2"]
    assert sum(p == "/msd/write_remote" for _, p, _ in k.msd_requests) == writes

    # eject: the drive is disconnected, the active port stays
    st, _ = rf(b, "POST", EJECT, {})
    assert st == 204
    assert wait(lambda: rf(b, "GET", CD)[1]["Inserted"] is False and not drive(k)["connected"], 10)
    assert wait(lambda: "bmcd-port2/test.iso" not in k.msd_images, 10)
    assert k.sw_active == 2 and set_actives(k) == ["2", "2"]


def test_another_hosts_media_is_refused(switch_bmcd, www):
    b, k = switch_bmcd(units=1, port="2", start=False)
    k.msd_add_image("theirs.iso", 4096)
    with k.lock:
        k.sw_active = 1
        k.msd_drive = {"image": "theirs.iso", "connected": True, "cdrom": True, "rw": False}
    b.start()
    assert msd_ready(b), b.log()  # online is set once GET /msd and GET /switch were read
    cd = rf(b, "GET", CD)[1]
    assert cd["Inserted"] is False and cd["Status"]["Health"] == "OK", cd
    posts = lambda: [r for r in k.all_requests if r[0] == "POST"]  # noqa: E731
    before = posts()
    url = www["base"] + "/test.iso"
    st, d = rf(b, "POST", INSERT, {"Image": url})
    assert st == 409, (st, d)
    ext = d["error"]["@Message.ExtendedInfo"]
    assert ext[0]["MessageId"].endswith("ResourceInUse"), ext
    assert "theirs.iso" in ext[0]["Resolution"] and "switch port 1" in ext[0]["Resolution"], ext
    # eject leaves it too
    st, _ = rf(b, "POST", EJECT, {})
    assert st == 204
    time.sleep(0.5)
    assert posts() == before, posts()[len(before):]
    assert drive(k) == {"image": "theirs.iso", "connected": True, "cdrom": True, "rw": False}
    assert k.sw_active == 1 and "theirs.iso" in k.msd_images

    # port 2 chosen in kvmd's UI: the media now reaches this host; an insert replaces it
    with k.lock:
        k.sw_active = 2
    answers = []  # 409 until bmcd's next look at the Switch
    assert wait(lambda: answers.append(rf(b, "POST", INSERT, {"Image": url})) or
                answers[-1][0] == 202), answers
    assert {st for st, _ in answers} <= {409, 202}, answers
    assert wait(lambda: rf(b, "GET", CD)[1]["Inserted"] is True, 30), b.log()
    assert drive(k)["image"] == "bmcd-port2/test.iso" and "theirs.iso" in k.msd_images


@pytest.mark.parametrize("units,port,says", [
    (1, "6", "has 4 port(s), not port 6"),
    (None, "2", "this kvmd has no Switch API"),
])
def test_media_without_the_port_fails_cleanly(switch_bmcd, www, units, port, says):
    """No such port or no Switch API: the insertion's task ends in Exception saying why,
    before the drive is touched."""
    b, k = switch_bmcd(units=units, port=port)
    assert msd_ready(b), b.log()
    st, h, d = rfh(b, "POST", INSERT, {"Image": www["base"] + "/test.iso"})
    assert st == 202, (st, d)
    end = time.monotonic() + 15
    while time.monotonic() < end:
        st, _, d = rfh(b, "GET", h["Location"])
        if st != 202:
            break
        time.sleep(0.1)
    assert st == 400, (st, d)
    assert says in d["error"]["@Message.ExtendedInfo"][0]["Resolution"], d
    assert [r for r in k.all_requests if r[0] == "POST"] == []
    assert not drive(k)["connected"] and k.msd_images == {}
