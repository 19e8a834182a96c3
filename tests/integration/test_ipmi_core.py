"""Issue 2: IPMI 2.0 power management with the real clients against the real binary."""
import concurrent.futures
import os
import re
import signal
import subprocess
import time

import pytest

from conftest import BMCD


@pytest.mark.parametrize("suite", [3, 17])
def test_ipmitool_power_cycle_of_life(bmcd, suite):
    assert "is off" in bmcd.ipmitool("power", "status", suite=suite).stdout
    assert "Up/On" in bmcd.ipmitool("power", "on", suite=suite).stdout
    assert bmcd.wait_power(True)
    assert "Down/Off" in bmcd.ipmitool("power", "off", suite=suite).stdout
    assert bmcd.wait_power(False)
    # cycle while off just powers on
    assert "Cycle" in bmcd.ipmitool("power", "cycle", suite=suite).stdout
    assert bmcd.wait_power(True)
    assert "Reset" in bmcd.ipmitool("power", "reset", suite=suite).stdout
    assert "Soft" in bmcd.ipmitool("power", "soft", suite=suite).stdout
    assert bmcd.wait_power(False)
    log = bmcd.log()
    assert "power on requested by admin via IPMI" in log
    assert "reset requested by admin via IPMI" in log
    assert "soft off requested by admin via IPMI" in log


def test_ipmitool_default_suite_is_17_from_cipher_list(bmcd):
    # no -C: ipmitool asks Get Channel Cipher Suites before the session and picks 17
    r = bmcd.ipmitool("power", "status")
    assert "is off" in r.stdout
    assert "Unable to Get Channel Cipher Suites" not in r.stderr
    assert "suite 17" in bmcd.log()


def test_off_then_on_ends_on(bmcd_factory):
    b = bmcd_factory(power_on=True)
    b.ipmitool("power", "off")
    b.ipmitool("power", "on")  # waits for the long press, not dropped
    time.sleep(1.2)
    assert b.wait_power(True)
    assert "power on requested by admin via IPMI waits for power off to finish" in b.log()


def test_mc_info_guid_status_identify_session_channel(bmcd):
    info = bmcd.ipmitool("mc", "info").stdout
    assert "IPMI Version              : 2.0" in info
    assert "Chassis Device" in info
    guid = re.search(r"GUID ([0-9a-f-]{36})", bmcd.log()).group(1)
    out = bmcd.ipmitool("mc", "guid").stdout
    assert "System GUID   : " + guid in out
    assert "GUID Encoding : IPMI" in out
    st = bmcd.ipmitool("chassis", "status").stdout
    assert "System Power         : off" in st
    assert "Power Restore Policy : always-off" in st
    bmcd.ipmitool("chassis", "identify", "force")
    r = bmcd.freeipmi("ipmi-chassis", "--get-chassis-status")
    assert re.search(r"Chassis Identify state\s+: indefinite on", r.stdout, re.I), r.stdout
    bmcd.ipmitool("chassis", "identify", "0")
    r = bmcd.freeipmi("ipmi-chassis", "--get-chassis-status")
    assert re.search(r"Chassis Identify state\s+: off", r.stdout, re.I), r.stdout
    s = bmcd.ipmitool("session", "info", "active").stdout
    assert "privilege level               : ADMINISTRATOR" in s
    assert "session type                  : IPMIv2/RMCP+" in s
    assert "console ip                    : 127.0.0.1" in s
    c = bmcd.ipmitool("channel", "info").stdout
    assert "Channel Medium Type   : 802.3 LAN" in c
    assert "Access Mode         : always available" in c
    g = bmcd.ipmitool("channel", "getciphers", "ipmi").stdout
    lines = [l.split()[0] for l in g.splitlines()[1:] if l.strip()]
    assert lines == ["3", "17"]
    assert "Selftest: passed" in bmcd.ipmitool("mc", "selftest").stdout


def test_freeipmi_tools(bmcd):
    r = bmcd.freeipmi("ipmipower", "--stat")
    assert "127.0.0.1: off" in r.stdout
    r = bmcd.freeipmi("ipmipower", "--on")
    assert "127.0.0.1: ok" in r.stdout
    assert bmcd.wait_power(True)
    r = bmcd.freeipmi("ipmipower", "--off")
    assert "127.0.0.1: ok" in r.stdout
    assert bmcd.wait_power(False)
    r = bmcd.freeipmi("bmc-info")
    assert re.search(r"IPMI Version\s+: 2.0", r.stdout)
    guid = re.search(r"GUID ([0-9a-f-]{36})", bmcd.log()).group(1)
    assert re.search(r"System GUID\s+: " + guid, r.stdout), r.stdout
    r = bmcd.freeipmi("ipmi-chassis", "--get-chassis-status")
    assert re.search(r"System Power\s+: off", r.stdout)
    # an operator with -l operator gets power control
    r = bmcd.freeipmi("ipmipower", "--on", user="operator", password="operator",
                      extra=("-l", "operator"))
    assert "127.0.0.1: ok" in r.stdout
    assert bmcd.wait_power(True)
    # FreeIPMI's default cipher for ipmipower is 3; -I 17 selects 17
    r = bmcd.freeipmi("ipmipower", "--stat", extra=("-I", "17"))
    assert "127.0.0.1: on" in r.stdout


PYGHMI = r"""
import sys
from pyghmi.ipmi import command
c = command.Command(bmc='127.0.0.1', port=int(sys.argv[1]), userid=sys.argv[2],
                    password=sys.argv[3])
print('power', c.get_power()['powerstate'])
print('set', c.set_power('on', wait=5))
print('power', c.get_power()['powerstate'])
print('set', c.set_power('off', wait=5))
print('power', c.get_power()['powerstate'])
c.set_identify(on=True)
c.ipmi_session.logout()
"""


def test_pyghmi_client(bmcd):
    r = subprocess.run(["/usr/bin/python3", "-c", PYGHMI, str(bmcd.port), "admin", "admin"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "power off"
    assert lines[2] == "power on"
    assert lines[4] == "power off"
    assert "suite 17" in bmcd.log()


def test_pyghmi_operator_falls_back(bmcd):
    # pyghmi asks for ADMINISTRATOR; the operator's session is capped, Set Session Privilege
    # answers 0x81, and pyghmi retries at OPERATOR by itself
    r = subprocess.run(["/usr/bin/python3", "-c", PYGHMI, str(bmcd.port), "operator",
                        "operator"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[2] == "power on"


def test_refusals(bmcd):
    r = bmcd.ipmitool("power", "status", password="wrong", check=False, timeout=20)
    assert r.returncode != 0
    assert "Unable to establish IPMI v2 / RMCP+ session" in r.stderr
    time.sleep(1.3)  # ipmitool saw the bad password in RAKP 2 and went quiet
    assert "login of 'admin' not completed" in bmcd.log()
    r = bmcd.ipmitool("-v", "power", "status", user="nobody", password="x", check=False,
                      timeout=20)
    assert r.returncode != 0
    assert "unauthorized name" in r.stderr
    r = bmcd.ipmitool("power", "status", suite=0, check=False, timeout=20)
    assert r.returncode != 0
    assert "invalid authentication algorithm" in r.stderr
    r = bmcd.freeipmi("ipmipower", "--stat", password="wrong", check=False)
    assert "password invalid" in r.stdout + r.stderr
    r = bmcd.freeipmi("ipmipower", "--stat", user="nobody", check=False)
    assert "username invalid" in r.stdout + r.stderr
    # a USER account may look but not touch
    r = bmcd.ipmitool("power", "off", user="user", password="user", priv="USER", check=False)
    assert r.returncode != 0
    assert "Insufficient privilege level" in r.stderr
    r = bmcd.ipmitool("power", "status", user="user", password="user", priv="USER")
    assert "is off" in r.stdout
    # ... and asking for ADMINISTRATOR gets no power control either
    r = bmcd.ipmitool("power", "on", user="user", password="user", priv="ADMINISTRATOR",
                      check=False)
    assert r.returncode != 0
    assert "Set Session Privilege Level to ADMINISTRATOR failed" in r.stderr
    assert not bmcd.power_is()
    # IPMI 1.5 (-I lan) is not offered: clear, immediate failure
    r = bmcd.ipmitool("power", "status", iface="lan", check=False, timeout=20)
    assert r.returncode != 0
    assert "Authentication type NONE not supported" in r.stderr


def test_twenty_clients_at_once(bmcd_factory):
    b = bmcd_factory(max_sessions=32)

    def one(i):
        return b.ipmitool("power", "status", suite=(3 if i % 2 else 17), check=False)

    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as ex:
        results = list(ex.map(one, range(20)))
    failed = [r for r in results if r.returncode != 0 or "is off" not in r.stdout]
    assert not failed, failed[0].stderr if failed else ""


def test_session_table_full_and_idle_timeout(bmcd_factory):
    b = bmcd_factory(max_sessions=1, session_timeout=5)
    # pyghmi keeps its session open; ipmitool then finds the table full
    hold = subprocess.Popen(["/usr/bin/python3", "-c", r"""
import sys, time
from pyghmi.ipmi import command
c = command.Command(bmc='127.0.0.1', port=int(sys.argv[1]), userid='admin', password='admin')
c.get_power()
print('ok', flush=True)
time.sleep(30)
""", str(b.port)], stdout=subprocess.PIPE, text=True)
    try:
        assert hold.stdout.readline().strip() == "ok"
        r = b.ipmitool("-v", "power", "status", check=False, timeout=20)
        assert r.returncode != 0
        assert "insufficient resources for session" in r.stderr
        hold.kill()
        hold.wait()
        time.sleep(6)  # session_timeout = 5 s: the abandoned session is closed
        assert "idle timeout" in b.log()
        assert "is off" in b.ipmitool("power", "status").stdout
    finally:
        hold.kill()
        hold.wait()


def test_users_reload_on_sighup(bmcd):
    with open(bmcd.users, "a") as f:
        f.write("newbie:newpass:operator\n")
    bmcd.proc.send_signal(signal.SIGHUP)
    time.sleep(0.3)
    assert "reload: 4 user(s)" in bmcd.log()
    r = bmcd.ipmitool("power", "on", user="newbie", password="newpass", priv="OPERATOR")
    assert "Up/On" in r.stdout
    # a broken file keeps the old users
    with open(bmcd.users, "a") as f:
        f.write("broken line\n")
    bmcd.proc.send_signal(signal.SIGHUP)
    time.sleep(0.3)
    assert "keeping the users already loaded" in bmcd.log()
    bmcd.ipmitool("power", "status", user="newbie", password="newpass", priv="OPERATOR")


def test_check_config(tmp_path):
    users = tmp_path / "users"
    users.write_text("admin:admin\nadmin:again\nno-colon\n")
    conf = tmp_path / "bmcd.conf"
    conf.write_text("[ipmi]\nport = 99999\ncipher_suites = 0,3\n[users]\nfile = users\n"
                    "[bogus]\n")
    r = subprocess.run([BMCD, "-c", str(conf), "--check-config"], capture_output=True, text=True)
    assert r.returncode == 1
    assert "bmcd.conf:2: ipmi.port" in r.stderr
    assert "bmcd.conf:3: ipmi.cipher_suites: suite 0" in r.stderr
    assert "bmcd.conf:6: unknown section [bogus]" in r.stderr
    assert "users:2: duplicate user 'admin'" in r.stderr
    assert "users:3: expected name:password" in r.stderr
    conf.write_text("[users]\nfile = users\n")
    users.write_text("admin:admin\n")
    r = subprocess.run([BMCD, "-c", str(conf), "--check-config"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([BMCD, "-c", str(tmp_path / "missing.conf")], capture_output=True,
                       text=True)
    assert r.returncode == 1
    assert "No such file" in r.stderr
    r = subprocess.run([BMCD, "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("bmcd ")
    r = subprocess.run([BMCD, "--bogus"], capture_output=True, text=True)
    assert r.returncode == 2


@pytest.mark.skipif(bool(os.environ.get("BMCD_SANITIZED") or os.environ.get("BMCD_VALGRIND")),
                    reason="the sanitizer and valgrind builds are dynamic glibc builds")
def test_binary_is_static():
    out = subprocess.run(["file", BMCD], capture_output=True, text=True).stdout
    assert "statically linked" in out or "static-pie linked" in out


def test_sigterm_stops_cleanly(bmcd):
    bmcd.ipmitool("power", "status")
    assert bmcd.stop() == 0
    assert "stopped" in bmcd.log()


def test_shipped_configs_parse(tmp_path):
    """configs/bmcd.conf documents every key with its default: it must stay valid."""
    from conftest import ROOT
    users = tmp_path / "users"
    users.write_text("admin:admin\n")
    text = open(os.path.join(ROOT, "configs/bmcd.conf")).read()
    text = re.sub(r"(?m)^file = /etc/bmcd/users.*$", "file = %s" % users, text)
    conf = tmp_path / "bmcd.conf"
    conf.write_text(text)
    r = subprocess.run([BMCD, "-c", str(conf), "--check-config"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([BMCD, "-c", os.path.join(ROOT, "configs/demo.conf"), "--check-config"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
