"""Issue 3: boot options, SEL, sensors/SDR, FRU, LAN, users and channels, power policy."""
import os
import re
import subprocess
import time

import pytest

PYGHMI = "/usr/bin/python3"


def pyghmi(b, code, user="admin", password="admin"):
    prog = ("import sys\nfrom pyghmi.ipmi import command\n"
            "c = command.Command(bmc='127.0.0.1', port=%d, userid=%r, password=%r)\n" %
            (b.port, user, password)) + code
    r = subprocess.run([PYGHMI, "-c", prog], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize("suite", [3, 17])
def test_bootdev_roundtrip_all_clients(bmcd, suite):
    r = bmcd.ipmitool("chassis", "bootdev", "pxe", "options=persistent,efiboot", suite=suite)
    assert "Set Boot Device to pxe" in r.stdout
    out = bmcd.ipmitool("chassis", "bootparam", "get", "5", suite=suite).stdout
    assert "Boot Flag Valid" in out
    assert "Options apply to all future boots" in out
    assert "BIOS EFI boot" in out
    assert "Force PXE" in out
    r = bmcd.freeipmi("ipmi-chassis", "--get-boot-flags")
    assert re.search(r"Boot device selector\s+: Force PXE", r.stdout), r.stdout
    assert re.search(r"BIOS boot type\s+: Extensible firmware Interface", r.stdout), r.stdout
    out = pyghmi(bmcd, "print(c.get_bootdev())")
    assert "'bootdev': 'network'" in out and "'persistent': True" in out
    assert "'uefimode': True" in out
    # pyghmi sets, ipmitool and FreeIPMI read back
    pyghmi(bmcd, "c.set_bootdev('hd', persist=False)")
    out = bmcd.ipmitool("chassis", "bootparam", "get", "5").stdout
    assert "Force Boot from default Hard-Drive" in out
    assert "Options apply to only next boot" in out
    # (FreeIPMI 1.6.10's --set-boot-flags --boot-device keeps the old device: its
    # ipmi-chassis.c tests the option flag the wrong way round, so it is not used here)


def test_one_time_override_cleared_by_power_on(bmcd):
    bmcd.ipmitool("chassis", "bootdev", "cdrom")
    assert "Force Boot from CD/DVD" in bmcd.ipmitool("chassis", "bootparam", "get", "5").stdout
    bmcd.ipmitool("power", "on")
    assert bmcd.wait_power(True)
    out = bmcd.ipmitool("chassis", "bootparam", "get", "5").stdout
    assert "Boot Flag Invalid" in out
    assert "one-time boot override consumed" in bmcd.log()
    # a persistent one survives a reset
    bmcd.ipmitool("chassis", "bootdev", "bios", "options=persistent")
    bmcd.ipmitool("power", "reset")
    time.sleep(0.3)
    out = bmcd.ipmitool("chassis", "bootparam", "get", "5").stdout
    assert "Force Boot into BIOS Setup" in out and "Boot Flag Valid" in out


def test_sel_records_who_and_what(bmcd):
    bmcd.ipmitool("power", "on")
    assert bmcd.wait_power(True)
    bmcd.ipmitool("power", "off", user="operator", password="operator", priv="OPERATOR")
    assert bmcd.wait_power(False)
    el = bmcd.ipmitool("sel", "elist").stdout
    assert re.search(r"System Boot .*\| Initiated by power up \| Asserted", el), el
    assert re.search(r"Host Power .*\| S0/G0: working \| Asserted", el), el
    assert re.search(r"Power Unit .*\| Power off/down \| Asserted", el), el
    assert re.search(r"Host Power .*\| S5/G2: soft-off \| Asserted", el), el
    # the power-off record names user 2 (operator) and IPMI as origin in its OEM data
    ids = [l.split("|")[0].strip() for l in el.splitlines() if "Power off/down" in l]
    raw = bmcd.ipmitool("sel", "get", "0x" + ids[0]).stdout
    assert re.search(r"Event Data \(RAW\)\s+: a00211", raw, re.I), raw
    out = bmcd.freeipmi("ipmi-sel").stdout
    assert "Power Unit" in out and "Power Off/Power Down" in out
    assert "power off requested by operator via IPMI" in bmcd.log()
    # SEL info, time, clear
    info = bmcd.ipmitool("sel", "info").stdout
    assert re.search(r"Entries\s+: 4", info), info
    assert "'Reserve'" in info
    t = bmcd.ipmitool("sel", "time", "get").stdout.strip()
    assert re.match(r"\d\d/\d\d/\d\d \d\d:\d\d:\d\d", t), t
    bmcd.ipmitool("sel", "time", "set", "01/02/30 03:04:05")  # locale %x %X
    assert bmcd.ipmitool("sel", "time", "get").stdout.startswith("01/02/30 03:04")
    assert "Clearing SEL" in bmcd.ipmitool("sel", "clear").stdout
    assert re.search(r"Entries\s+: 0", bmcd.ipmitool("sel", "info").stdout)


def test_sel_reservation_and_add(bmcd):
    # Add SEL Entry: a standard record comes back with our ID and timestamp
    r = bmcd.ipmitool("raw", "0x0a", "0x44", "0", "0", "2", "0", "0", "0", "0", "0x20", "0",
                      "4", "0x12", "0x99", "0x6f", "0x01", "0xff", "0xff")
    assert r.stdout.split() == ["01", "00"]
    r1 = bmcd.ipmitool("raw", "0x0a", "0x42").stdout.split()
    r2 = bmcd.ipmitool("raw", "0x0a", "0x42").stdout.split()
    assert r1 != r2
    # a stale reservation (r1, replaced by r2) cannot clear the SEL
    r = bmcd.ipmitool("raw", "0x0a", "0x47", "0x" + r1[0], "0x" + r1[1], "0x43", "0x4c", "0x52",
                      "0xaa", check=False)
    assert r.returncode != 0 and "rsp=0xc5" in r.stderr, r.stderr
    r = bmcd.ipmitool("raw", "0x0a", "0x47", "0x" + r2[0], "0x" + r2[1], "0x43", "0x4c", "0x52",
                      "0xaa")
    assert r.stdout.split() == ["01"]
    # a USER account may read the SEL but not clear it
    r = bmcd.ipmitool("sel", "clear", user="user", password="user", priv="USER", check=False)
    assert "Insufficient privilege" in r.stderr


def test_sel_ring_overwrites_oldest(bmcd_factory):
    b = bmcd_factory(extra="[sel]\nentries = 16\n")
    for i in range(20):
        b.ipmitool("raw", "0x0a", "0x44", "0", "0", "2", "0", "0", "0", "0", "0x20", "0", "4",
                   "0x12", "0x99", "0x6f", "0x01", "0xff", "0xff")
    info = b.ipmitool("sel", "info").stdout
    assert re.search(r"Entries\s+: 16", info), info
    assert re.search(r"Overflow\s+: true", info), info
    first = b.ipmitool("sel", "list").stdout.splitlines()[0]
    assert first.split("|")[0].strip() == "5"  # IDs 1-4 were overwritten


def test_sensors_with_temperature(bmcd_factory, tmp_path):
    temp = tmp_path / "temp"
    temp.write_text("45123\n")
    b = bmcd_factory(extra="[sensors]\ntemp_file = %s\n" % temp)
    sl = b.ipmitool("sensor", "list").stdout
    row = [l for l in sl.splitlines() if l.startswith("BMC Temp")][0]
    cols = [c.strip() for c in row.split("|")]
    assert cols[1] == "45.000" and cols[2] == "degrees C" and cols[3] == "ok", row
    assert cols[7:10] == ["70.000", "80.000", "85.000"], row
    assert "Host Power" in sl and "HDD Activity" in sl
    sdr = b.ipmitool("sdr", "list").stdout
    assert re.search(r"BMC Temp\s+\| 45 degrees C\s+\| ok", sdr), sdr
    el = b.ipmitool("sdr", "elist").stdout
    assert re.search(r"Host Power\s+\| \w+h \| ok\s+\|.*\| S5/G2: soft-off", el), el
    r = b.freeipmi("ipmi-sensors")
    assert re.search(r"BMC Temp\s+\| Temperature\s+\| 45.00\s+\| C\s+\| 'OK'", r.stdout), r.stdout
    temp.write_text("82000\n")
    time.sleep(1.1)  # the reading is cached for a second
    row = [l for l in b.ipmitool("sensor", "list").stdout.splitlines()
           if l.startswith("BMC Temp")][0]
    assert row.split("|")[3].strip() == "cr", row
    b.ipmitool("power", "on")
    assert b.wait_power(True)
    el = b.ipmitool("sdr", "elist").stdout
    assert re.search(r"Host Power .*S0/G0: working", el), el


def test_sensors_absent_without_source(bmcd_factory, tmp_path):
    b = bmcd_factory(extra="[sensors]\ntemp_file = %s\n" % (tmp_path / "missing"))
    assert "BMC Temp" not in b.ipmitool("sdr", "list", "all").stdout
    assert "sensor left out" in b.log()
    # reading an absent sensor is a clean "not present"
    r = b.ipmitool("raw", "0x04", "0x2d", "3", check=False)
    assert "rsp=0xcb" in r.stderr


FRU_CONF = """
[fru]
chassis_type = 23
chassis_serial = CH-42
board_manufacturer = Acme Boards
board_product = X99
board_serial = BRD-1
board_part_number = P-77
product_manufacturer = Acme
product_name = Server 9000
product_part_number = S9K
product_version = 1.2
product_serial = SN-123
asset_tag = RACK-7
"""


def test_fru_print_and_write_refused(bmcd_factory):
    b = bmcd_factory(extra=FRU_CONF)
    out = b.ipmitool("fru", "print", "0").stdout
    for want in ["Chassis Type          : Rack Mount Chassis", "Chassis Serial        : CH-42",
                 "Board Mfg             : Acme Boards", "Board Product         : X99",
                 "Board Serial          : BRD-1", "Board Part Number     : P-77",
                 "Product Manufacturer  : Acme", "Product Name          : Server 9000",
                 "Product Part Number   : S9K", "Product Version       : 1.2",
                 "Product Serial        : SN-123", "Product Asset Tag     : RACK-7"]:
        assert want in out, out
    r = b.freeipmi("ipmi-fru")
    assert "FRU Product Name: Server 9000" in r.stdout
    assert "FRU Board Serial Number: BRD-1" in r.stdout
    out = pyghmi(b, "print(c.get_inventory_of_component('System'))")
    assert "'Product name': 'Server 9000'" in out
    r = b.ipmitool("raw", "0x0a", "0x12", "0", "0", "0", "0x41", check=False)
    assert "rsp=0x80" in r.stderr
    r = b.ipmitool("raw", "0x0a", "0x10", "1", check=False)
    assert "rsp=0xcb" in r.stderr


def test_lan_print(bmcd):
    out = bmcd.ipmitool("lan", "print", "1").stdout
    assert re.search(r"IP Address Source\s+: Static Address", out), out
    assert re.search(r"IP Address\s+: 127.0.0.1", out), out
    assert re.search(r"Subnet Mask\s+: 255.0.0.0", out), out
    assert re.search(r"RMCP\+ Cipher Suites\s+: 3,17", out), out
    # per cipher suite ID (issue 13): suite 3 at ADMINISTRATOR, 0..2 unused
    assert re.search(r"Cipher Suite Priv Max\s+: XXXaX", out), out
    r = bmcd.ipmitool("lan", "set", "1", "ipaddr", "10.9.9.9", check=False)
    assert r.returncode != 0 or "10.9.9.9" not in bmcd.ipmitool("lan", "print", "1").stdout
    assert "127.0.0.1" in bmcd.ipmitool("lan", "print", "1").stdout
    # an operator may read it; a USER may not (IPMI's privilege table)
    bmcd.ipmitool("lan", "print", "1", user="operator", password="operator", priv="OPERATOR")
    r = bmcd.ipmitool("lan", "print", "1", user="user", password="user", priv="USER",
                      check=False)
    assert "IP Address              : 127.0.0.1" not in r.stdout


def test_users_and_channels(bmcd):
    out = bmcd.ipmitool("user", "list", "1").stdout
    rows = {l.split()[1]: l for l in out.splitlines()[1:] if len(l.split()) > 5}
    assert "ADMINISTRATOR" in rows["admin"]
    assert "OPERATOR" in rows["operator"]
    assert rows["user"].rstrip().endswith("USER")
    out = bmcd.ipmitool("channel", "getaccess", "1", "2").stdout
    assert "User Name            : operator" in out
    assert "Privilege Level      : OPERATOR" in out
    r = bmcd.ipmitool("user", "set", "name", "5", "mallory", check=False)
    assert r.returncode != 0
    r = bmcd.ipmitool("user", "set", "password", "1", "newpass", check=False)
    assert r.returncode != 0
    # still the old password
    bmcd.ipmitool("power", "status")
    g = bmcd.ipmitool("channel", "getciphers", "ipmi", "1").stdout
    assert [l.split()[0] for l in g.splitlines()[1:] if l.strip()] == ["3", "17"]
    r = bmcd.ipmitool("raw", "0x06", "0x4e", "1")  # Get Channel Payload Support
    assert r.stdout.split()[:3] == ["01", "00", "3f"]


def test_power_policy_poh_restart_cause(bmcd):
    out = bmcd.ipmitool("chassis", "policy", "list").stdout
    assert "always-off" in out and "always-on" in out and "previous" in out
    bmcd.ipmitool("chassis", "policy", "always-on")
    assert "Power Restore Policy : always-on" in bmcd.ipmitool("chassis", "status").stdout
    r = bmcd.freeipmi("ipmi-chassis", "--get-chassis-status")
    assert re.search(r"Power restore policy\s+: Always on", r.stdout), r.stdout
    bmcd.ipmitool("power", "on")
    assert bmcd.wait_power(True)
    assert "chassis power control command" in bmcd.ipmitool("chassis", "restart_cause").stdout
    assert re.match(r"POH Counter\s+: 0 days, 0 hours, 0 minutes",
                    bmcd.ipmitool("chassis", "poh").stdout)


def test_policy_always_on_applied_at_start(bmcd_factory):
    b = bmcd_factory(extra="", start=False)
    with open(b.conf) as f:
        text = f.read()
    with open(b.conf, "w") as f:
        f.write(text.replace("[host]\n", "[host]\npower_restore_policy = always-on\n"))
    b.start()
    assert b.wait_power(True)
    assert "always-on and the host is off: powering on" in b.log()
    out = b.ipmitool("chassis", "restart_cause").stdout
    assert "always-restore power policy" in out, out
