"""What operators' configuration tools print (issue 13): FreeIPMI's bmc-config the way MAAS
uses it and ipmitool's lan print."""
import re


def test_cipher_suite_privileges_per_suite_id(bmcd):
    """LAN parameter 24 is read per cipher suite ID (not per entry of parameter 23): suite
    3 is offered at ADMINISTRATOR, suites 0 and 1 are unused."""
    out = bmcd.ipmitool("lan", "print", "1").stdout
    m = re.search(r"Cipher Suite Priv Max\s*:\s*(\S+)", out)
    assert m, out
    nibbles = m.group(1)
    assert nibbles[3] == "a", nibbles
    assert nibbles[0] == "X" and nibbles[1] == "X", nibbles
    # (bmc-config exits 1 here whatever parameter 24 says: it also asks for an IPv6 LAN
    # parameter that bmcd does not have; the section's content is what MAAS reads)
    r = bmcd.freeipmi("bmc-config", "--checkout", "--section", "Rmcpplus_Conf_Privilege",
                      check=False)
    lines = {l.split()[0]: " ".join(l.split()[1:]) for l in r.stdout.splitlines()
             if l.strip().startswith("Maximum_Privilege_Cipher_Suite_Id_")}
    assert lines.get("Maximum_Privilege_Cipher_Suite_Id_3") == "Administrator", r.stdout
    assert all(v in ("Unused", "Administrator") for v in lines.values()), lines
    assert lines.get("Maximum_Privilege_Cipher_Suite_Id_0", "Unused") == "Unused", lines


def test_redfish_inventory_matches_ipmi_fru(bmcd_factory):
    """Systems/0 shows the [fru] settings IPMI serves, so Redfish inventory tools do not see
    an empty machine; what bmcd cannot know stays out."""
    import requests
    from conftest import free_tcp_port
    port = free_tcp_port()
    b = bmcd_factory(extra="[fru]\nproduct_manufacturer = Acme\nproduct_name = Rack One\n"
                     "product_serial = SN-42\nproduct_part_number = PN-7\nasset_tag = AT-9\n"
                     "chassis_serial = CS-3\n"
                     "[redfish]\nlisten = 127.0.0.1\nhttp_port = %d\n" % port)
    fru = b.ipmitool("fru", "print", "0").stdout
    assert "Acme" in fru and "SN-42" in fru, fru
    base = "http://127.0.0.1:%d/redfish/v1" % port
    s = requests.get(base + "/Systems/0", auth=("admin", "admin"), timeout=5).json()
    assert (s["Manufacturer"], s["Model"], s["SerialNumber"], s["PartNumber"], s["AssetTag"]) == \
        ("Acme", "Rack One", "SN-42", "PN-7", "AT-9"), s
    assert "BiosVersion" not in s and "ProcessorSummary" not in s
    c = requests.get(base + "/Chassis/0", auth=("admin", "admin"), timeout=5).json()
    assert c["SerialNumber"] == "CS-3"


def test_chassis_identify_from_redfishtool_and_ipmi(bmcd_factory):
    """Chassis/0 IndicatorLED / LocationIndicatorActive: the one identify state that IPMI's
    chassis identify and Systems/0 show; redfishtool's Chassis setIndicatorLed works."""
    import subprocess

    import requests
    from conftest import free_tcp_port
    port = free_tcp_port()
    b = bmcd_factory(extra="[redfish]\nlisten = 127.0.0.1\nhttp_port = %d\n" % port)
    base = "http://127.0.0.1:%d/redfish/v1" % port
    r = subprocess.run(["redfishtool", "-r", "127.0.0.1:%d" % port, "-u", "admin", "-p", "admin",
                        "-S", "Never", "Chassis", "-I", "0", "setIndicatorLed", "Lit"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    c = requests.get(base + "/Chassis/0", auth=("admin", "admin"), timeout=5).json()
    assert c["IndicatorLED"] == "Lit" and c["LocationIndicatorActive"] is True
    s = requests.get(base + "/Systems/0", auth=("admin", "admin"), timeout=5).json()
    assert s["IndicatorLED"] == "Lit"
    b.ipmitool("chassis", "identify", "0")
    c = requests.get(base + "/Chassis/0", auth=("admin", "admin"), timeout=5).json()
    assert c["IndicatorLED"] == "Off" and c["LocationIndicatorActive"] is False
    # a read-only account may not change it
    r = requests.patch(base + "/Chassis/0", json={"LocationIndicatorActive": True},
                       auth=("user", "user"), timeout=5)
    assert r.status_code == 403


def test_session_timeout_patch(bmcd_factory):
    """PATCH SessionService SessionTimeout (Ansible's SetSessionService) within the
    configured range; kept in RAM; an administrator's job."""
    import requests
    from conftest import free_tcp_port
    port = free_tcp_port()
    bmcd_factory(extra="[redfish]\nlisten = 127.0.0.1\nhttp_port = %d\nsession_timeout_max = 3600\n"
                 % port)
    url = "http://127.0.0.1:%d/redfish/v1/SessionService" % port
    r = requests.patch(url, json={"SessionTimeout": 900}, auth=("admin", "admin"), timeout=5)
    assert r.status_code == 200 and r.json()["SessionTimeout"] == 900, r.text
    assert requests.get(url, auth=("user", "user"), timeout=5).json()["SessionTimeout"] == 900
    r = requests.patch(url, json={"SessionTimeout": 7200}, auth=("admin", "admin"), timeout=5)
    assert r.status_code == 400
    assert r.json()["error"]["@Message.ExtendedInfo"][0]["MessageId"].endswith(
        "PropertyValueOutOfRange")
    r = requests.patch(url, json={"SessionTimeout": 600}, auth=("operator", "operator"), timeout=5)
    assert r.status_code == 403
