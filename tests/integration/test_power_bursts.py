"""Power requests under bursts (issue 13): requests are intents, the latest wins, and a
burst never fills anything. Every action ipmipower and ipmitool send is answered "ok" (a
0xC0 makes ipmipower print nothing at all), at most one action waits, and the final state
is the last one asked for."""
import time

import requests


def stat(bmcd):
    r = bmcd.freeipmi("ipmipower", "--stat")
    assert "127.0.0.1: on" in r.stdout or "127.0.0.1: off" in r.stdout, r.stdout
    return "127.0.0.1: on" in r.stdout


# a one-second hold-off after every press, as bmcd's default: bursts outrun the buttons
SLOW_BUTTONS = "[host]\nbusy_ms = 1000\n"


def test_ipmipower_rounds_always_print_ok(bmcd_factory):
    """Six rounds of --on, --off, --reset, --cycle, each followed by four --stat calls."""
    bmcd = bmcd_factory(extra=SLOW_BUTTONS)
    for _ in range(6):
        for act in ("--on", "--off", "--reset", "--cycle"):
            r = bmcd.freeipmi("ipmipower", act)
            assert "127.0.0.1: ok" in r.stdout, (act, r.stdout, r.stderr, bmcd.log()[-2000:])
            for _ in range(4):
                stat(bmcd)
    assert "already queued" not in bmcd.log()
    # the last request was a cycle: it ends on
    assert bmcd.wait_power(True, timeout=20)


def test_ipmitool_burst_never_busy(bmcd_factory):
    """Three quick rounds of on, off, cycle, reset, soft: never "Node busy"; the last
    intent (soft off) wins."""
    bmcd = bmcd_factory(extra=SLOW_BUTTONS)
    for _ in range(3):
        for act in ("on", "off", "cycle", "reset", "soft"):
            r = bmcd.ipmitool("power", act, check=False)
            out = (r.stdout + r.stderr).lower()
            assert r.returncode == 0 and "busy" not in out, (act, out)
    assert bmcd.wait_power(False, timeout=20), bmcd.log()[-2000:]


def test_latest_intent_wins_and_sel_names_who(bmcd_factory):
    b = bmcd_factory(power_on=True)
    # off, on, off in a burst: ends off; off, on: ends on
    for act in ("off", "on", "off"):
        assert b.ipmitool("power", act).returncode == 0
    assert b.wait_power(False)
    time.sleep(0.5)
    assert not stat(b)
    for act in ("off", "on"):
        assert b.ipmitool("power", act).returncode == 0
    assert b.wait_power(True)
    log = b.log()
    assert "supersedes" in log
    assert "not requested through bmcd" not in log
    # the SEL names who asked for the power changes
    sel = b.ipmitool("sel", "elist").stdout
    assert sel.count("System ACPI Power State") >= 2, sel


def test_redfish_burst_shows_powering_state(bmcd_factory):
    from conftest import free_tcp_port
    port = free_tcp_port()
    b = bmcd_factory(power_on=False, extra=SLOW_BUTTONS +
                     "[redfish]\nlisten = 127.0.0.1\nhttp_port = %d\n" % port)
    url = "http://127.0.0.1:%d/redfish/v1/Systems/0" % port
    auth = ("admin", "admin")
    codes = []
    for rt in ("On", "ForceOff") * 6 + ("On",):
        r = requests.post(url + "/Actions/ComputerSystem.Reset", json={"ResetType": rt},
                          auth=auth, timeout=5)
        codes.append(r.status_code)
    assert codes == [204] * 13, codes
    st = requests.get(url, auth=auth, timeout=5).json()["PowerState"]
    assert st in ("PoweringOn", "PoweringOff", "On"), st
    assert b.wait_power(True, timeout=20)
    time.sleep(1.2)
    assert requests.get(url, auth=auth, timeout=5).json()["PowerState"] == "On"
