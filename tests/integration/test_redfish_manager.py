"""Issue 13: what the Manager offers inventory and log tools - its own log
(Managers/bmc/LogServices/Log: logins, failures, sessions, configuration, power requests with
who asked; clearable by an administrator), MessageIds on every LogEntry resolvable in bmcd's
message registry, and the BMC's network interfaces (Managers/bmc/EthernetInterfaces, the
same facts IPMI's `lan print` shows). Every body is checked against DMTF's schemas by
request() (test_redfish.py)."""
import base64

from test_redfish import request, rf  # noqa: F401  (rf is a fixture)

MGR = "/redfish/v1/Managers/bmc"
LOG = MGR + "/LogServices/Log"


def basic(user, pw):
    return "Basic " + base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()


def entries(b, path=LOG + "/Entries"):
    st, _, d, _ = request(b, "GET", path)
    assert st == 200, d
    assert d["Members@odata.count"] == len(d["Members"])
    return d["Members"]


def test_manager_log_records_logins_and_power_requests(rf):
    st, _, mgr, _ = request(rf, "GET", MGR)
    assert st == 200
    assert mgr["LogServices"] == {"@odata.id": MGR + "/LogServices"}
    st, _, coll, _ = request(rf, "GET", MGR + "/LogServices")
    assert st == 200 and coll["Members"] == [{"@odata.id": LOG}]
    st, _, svc, _ = request(rf, "GET", LOG)
    assert st == 200
    assert svc["Entries"] == {"@odata.id": LOG + "/Entries"}
    assert svc["MaxNumberOfRecords"] == 128  # [redfish] bmc_log_entries default
    assert svc["Actions"]["#LogService.ClearLog"]["target"] == LOG + "/Actions/LogService.ClearLog"
    first = entries(rf)
    # start-up is in the log from the first moment (the OCP baseline wants an entry)
    assert any("ready in" in e["Message"] and e["MessageId"] == "Bmcd.1.0.ServiceEvent"
               for e in first), first
    # a failed Redfish login and a power request with who asked
    st, _, _, _ = request(rf, "GET", "/redfish/v1/Systems/0", auth=basic("admin", "wrong"))
    assert st == 401
    st, _, _, _ = request(rf, "POST", "/redfish/v1/Systems/0/Actions/ComputerSystem.Reset",
                          {"ResetType": "On"}, auth=basic("operator", "operator"))
    assert st in (200, 202, 204)
    log = entries(rf)
    failed = [e for e in log if "login failed" in e["Message"] and "'admin'" in e["Message"]]
    assert failed and failed[-1]["MessageId"] == "Bmcd.1.0.RedfishEvent", log
    assert failed[-1]["Severity"] in ("OK", "Warning")
    assert "wrong" not in str(log)  # never the password
    power = [e for e in log if "operator" in e["Message"] and "on" in e["Message"].lower()
             and e["MessageId"] == "Bmcd.1.0.HostEvent"]
    assert power, log
    for e in log:
        assert e["EntryType"] == "Event" and e["Created"].endswith("Z") or "+" in e["Created"]
        assert e["MessageArgs"] == [e["Message"]]
    # one entry by its id; ids are never reused
    one = log[-1]
    st, _, d, _ = request(rf, "GET", one["@odata.id"])
    assert st == 200 and d["Message"] == one["Message"]
    st, _, _, _ = request(rf, "GET", LOG + "/Entries/999999")
    assert st == 404


def test_manager_log_clear_needs_an_administrator(rf):
    target = LOG + "/Actions/LogService.ClearLog"
    # reading it too: it names who failed to log in from where
    for who in (("operator", "operator"), ("user", "user")):
        st, _, d, _ = request(rf, "GET", LOG + "/Entries", auth=basic(*who))
        assert st == 403, d
    st, _, d, _ = request(rf, "POST", target, {}, auth=basic("operator", "operator"))
    assert st == 403, d
    before = entries(rf)
    st, _, _, _ = request(rf, "POST", target, {})
    assert st == 204
    after = entries(rf)
    # what is left is the record of the clearing itself, with who did it
    assert all(e["Id"] not in {b["Id"] for b in before} for e in after), after
    assert any("BMC log cleared by admin" in e["Message"] for e in after), after
    assert int(after[0]["Id"]) > max(int(b["Id"]) for b in before)


def test_log_entries_carry_message_ids_of_a_served_registry(rf):
    st, _, _, _ = request(rf, "POST", "/redfish/v1/Systems/0/Actions/ComputerSystem.Reset",
                          {"ResetType": "On"})
    assert st in (200, 202, 204)
    sel = entries(rf, "/redfish/v1/Systems/0/LogServices/EventLog/Entries")
    assert sel
    st, _, regs, _ = request(rf, "GET", "/redfish/v1/Registries")
    assert {"@odata.id": "/redfish/v1/Registries/Bmcd"} in regs["Members"]
    st, _, f, _ = request(rf, "GET", "/redfish/v1/Registries/Bmcd")
    assert st == 200 and f["Registry"] == "Bmcd.1.0"
    uri = f["Location"][0]["Uri"]
    st, _, reg, _ = request(rf, "GET", uri)
    assert st == 200 and reg["RegistryPrefix"] == "Bmcd" and reg["RegistryVersion"] == "1.0.0"
    for e in sel + entries(rf):
        prefix, major, minor, name = e["MessageId"].split(".")
        assert (prefix, major, minor) == ("Bmcd", "1", "0"), e
        assert name in reg["Messages"], e
        assert e["Severity"] in ("OK", "Warning", "Critical")
        assert len(e["MessageArgs"]) == reg["Messages"][name]["NumberOfArgs"]
    assert any(e["MessageId"] == "Bmcd.1.0.PowerOnRequested" for e in sel), sel


def test_ethernet_interfaces_show_the_bmc_network(rf):
    st, _, mgr, _ = request(rf, "GET", MGR)
    assert mgr["EthernetInterfaces"] == {"@odata.id": MGR + "/EthernetInterfaces"}
    st, _, coll, _ = request(rf, "GET", MGR + "/EthernetInterfaces")
    assert st == 200 and coll["Members@odata.count"] >= 1
    ids = [m["@odata.id"].rsplit("/", 1)[1] for m in coll["Members"]]
    assert "lo" in ids, ids
    st, _, lo, _ = request(rf, "GET", MGR + "/EthernetInterfaces/lo")
    assert st == 200
    v4 = lo["IPv4Addresses"]
    assert v4 and v4[0]["Address"] == "127.0.0.1" and v4[0]["SubnetMask"] == "255.0.0.0", lo
    assert lo["InterfaceEnabled"] is True and lo["Status"]["State"] == "Enabled"
    with open("/sys/class/net/lo/mtu") as fh:
        assert lo["MTUSize"] == int(fh.read())
    assert v4[0]["Gateway"]  # 0.0.0.0 when there is none, as IPMI says
    want = []
    try:
        with open("/etc/resolv.conf") as fh:
            want = [l.split()[1] for l in fh if l.startswith("nameserver") and len(l.split()) > 1]
    except OSError:
        pass
    assert lo["NameServers"] == want[:3]
    st, _, d, _ = request(rf, "GET", MGR + "/EthernetInterfaces/nosuch0")
    assert st == 404
    # a non-loopback interface, when the machine has one, comes first and has its MAC
    for name in ids:
        if name == "lo":
            continue
        st, _, nic, _ = request(rf, "GET", MGR + "/EthernetInterfaces/" + name)
        assert st == 200
        with open("/sys/class/net/%s/address" % name) as fh:
            assert nic["MACAddress"] == fh.read().strip()
