"""Issue 13: the sensors IPMI serves, as Redfish inventory tools read them: the BMC's
temperature under Chassis/0/Sensors (same source and thresholds as IPMI's "BMC Temp") and
the thermal view that links it. Bodies are checked against DMTF's schemas by request()."""
import re

from conftest import free_tcp_port
from test_redfish import request

CH = "/redfish/v1/Chassis/0"


def start(bmcd_factory, tmp_path, temp_text):
    temp = tmp_path / "temp"
    if temp_text is not None:
        temp.write_text(temp_text)
    http = free_tcp_port()
    b = bmcd_factory(extra="[sensors]\ntemp_file = %s\ntemp_upper_noncritical = 70\n"
                     "temp_upper_critical = 80\ntemp_upper_nonrecoverable = 90\n"
                     "[redfish]\nlisten = 127.0.0.1\nhttp_port = %d\nhttps_port = 0\n"
                     % (temp, http))
    b.http, b.https = http, 0
    return b, temp


def test_bmc_temperature_sensor_matches_ipmi(bmcd_factory, tmp_path):
    b, temp = start(bmcd_factory, tmp_path, "47000\n")
    st, _, ch, _ = request(b, "GET", CH)
    assert ch["Sensors"] == {"@odata.id": CH + "/Sensors"}
    assert ch["ThermalSubsystem"] == {"@odata.id": CH + "/ThermalSubsystem"}
    st, _, coll, _ = request(b, "GET", CH + "/Sensors")
    assert st == 200 and coll["Members"] == [{"@odata.id": CH + "/Sensors/BMCTemp"}]
    st, _, s, _ = request(b, "GET", CH + "/Sensors/BMCTemp")
    assert st == 200
    assert s["ReadingType"] == "Temperature" and s["ReadingUnits"] == "Cel"
    assert s["Reading"] == 47 and s["Status"]["Health"] == "OK"
    assert s["Thresholds"]["UpperCaution"]["Reading"] == 70
    assert s["Thresholds"]["UpperCritical"]["Reading"] == 80
    assert s["Thresholds"]["UpperFatal"]["Reading"] == 90
    # IPMI reads the same source
    out = b.ipmitool("sdr", "list").stdout
    m = re.search(r"BMC Temp\s*\|\s*(\d+) degrees C", out)
    assert m and int(m.group(1)) == 47, out
    st, _, th, _ = request(b, "GET", CH + "/ThermalSubsystem/ThermalMetrics")
    r = th["TemperatureReadingsCelsius"]
    assert r == [{"DataSourceUri": CH + "/Sensors/BMCTemp", "DeviceName": "BMC",
                  "PhysicalContext": "Manager", "Reading": 47}]
    # a hot board is a warning, then critical (IPMI's thresholds)
    temp.write_text("75000\n")
    import time
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        st, _, s, _ = request(b, "GET", CH + "/Sensors/BMCTemp")
        if s["Reading"] == 75:
            break
        time.sleep(0.3)
    assert s["Reading"] == 75 and s["Status"]["Health"] == "Warning", s


def test_no_temperature_source_means_no_sensor(bmcd_factory, tmp_path):
    b, _ = start(bmcd_factory, tmp_path, None)
    st, _, coll, _ = request(b, "GET", CH + "/Sensors")
    assert st == 200 and coll["Members"] == [] and coll["Members@odata.count"] == 0
    st, _, _, _ = request(b, "GET", CH + "/Sensors/BMCTemp")
    assert st == 404
    st, _, th, _ = request(b, "GET", CH + "/ThermalSubsystem")
    assert st == 200 and "ThermalMetrics" not in th
