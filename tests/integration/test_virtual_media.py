"""Issue 15 (Redfish half): virtual media. The BMC's virtual CD, found the way Ironic finds
it (Systems/0 -> Links.ManagedBy -> Manager -> VirtualMedia -> Cd, and Systems/0/VirtualMedia),
InsertMedia / EjectMedia with curl-style requests and their errors, then sushy doing what
Ironic's redfish-virtual-media boot does, ending with the simulated host booting from the CD
(read on its serial console through IPMI SoL). Against the `sim` backend (a simulated
download of about 3 s). Every body is checked against DMTF's schemas by request()."""
import os
import re
import subprocess
import time

import pytest

from test_redfish import message_ids, request  # noqa: F401
from test_sol import ipmitool_sol
from conftest import free_tcp_port

MGR = "/redfish/v1/Managers/bmc"
SYS = "/redfish/v1/Systems/0"
CD = MGR + "/VirtualMedia/Cd"
INSERT = CD + "/Actions/VirtualMedia.InsertMedia"
EJECT = CD + "/Actions/VirtualMedia.EjectMedia"
OP = "Basic b3BlcmF0b3I6b3BlcmF0b3I="  # operator:operator
RO = None


@pytest.fixture
def vm(bmcd_factory):
    http = free_tcp_port()
    b = bmcd_factory(extra="[redfish]\nlisten = 127.0.0.1\nhttp_port = %d\n"
                     "[sim]\nconsole = true\n[sol]\ndevice = sim\n" % http)
    b.http = http
    b.url = "http://127.0.0.1:%d" % http
    return b


def get(b, path):
    st, _, d, _ = request(b, "GET", path)
    assert st == 200, (path, st, d)
    return d


def wait_inserted(b, path=CD, want=True, timeout=15):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        d = get(b, path)
        if d["Inserted"] == want:
            return d
        time.sleep(0.2)
    raise AssertionError("Inserted never became %s: %s" % (want, d))


def test_discovery(vm):
    s = get(vm, SYS)
    assert s["Links"]["ManagedBy"] == [{"@odata.id": MGR}]
    assert s["VirtualMedia"] == {"@odata.id": SYS + "/VirtualMedia"}
    m = get(vm, s["Links"]["ManagedBy"][0]["@odata.id"])
    assert m["VirtualMedia"] == {"@odata.id": MGR + "/VirtualMedia"}
    for coll in (MGR + "/VirtualMedia", SYS + "/VirtualMedia"):
        c = get(vm, coll)
        assert c["Members"] == [{"@odata.id": coll + "/Cd"}] and c["Members@odata.count"] == 1
        cd = get(vm, coll + "/Cd")
        assert cd["@odata.id"] == coll + "/Cd"
        assert cd["Id"] == "Cd" and cd["MediaTypes"] == ["CD", "DVD"]
        assert cd["Inserted"] is False and cd["Image"] is None
        assert cd["ConnectedVia"] == "NotConnected" and cd["WriteProtected"] is True
        assert cd["TransferMethod"] == "Upload"
        assert cd["TransferProtocolType@Redfish.AllowableValues"] == ["HTTP", "HTTPS"]
        acts = cd["Actions"]
        assert acts["#VirtualMedia.InsertMedia"]["target"] == \
            coll + "/Cd/Actions/VirtualMedia.InsertMedia"
        assert acts["#VirtualMedia.EjectMedia"]["target"] == \
            coll + "/Cd/Actions/VirtualMedia.EjectMedia"
        info = get(vm, acts["#VirtualMedia.InsertMedia"]["@Redfish.ActionInfo"])
        assert [p["Name"] for p in info["Parameters"] if p["Required"]] == ["Image"]
    st, _, _, _ = request(vm, "GET", MGR + "/VirtualMedia/Floppy")
    assert st == 404


def test_insert_eject_and_errors(vm):
    url = "http://127.0.0.1:9/images/boot.iso"
    # errors first: nothing is inserted by any of them
    cases = [
        ({}, 400, "ActionParameterMissing"),
        ({"Inserted": True}, 400, "ActionParameterMissing"),
        ({"Image": url, "WriteProtected": False}, 400, "ActionParameterNotSupported"),
        ({"Image": url, "Inserted": False}, 400, "ActionParameterNotSupported"),
        ({"Image": url, "UserName": "u", "Password": "p"}, 400, "ActionParameterNotSupported"),
        ({"Image": url, "TransferMethod": "Stream"}, 400, "ActionParameterValueNotInList"),
        ({"Image": url, "TransferProtocolType": "NFS"}, 400, "ActionParameterValueNotInList"),
        ({"Image": url, "TransferProtocolType": "HTTPS"}, 400, "ActionParameterValueConflict"),
        ({"Image": "nfs://10.0.0.1/boot.iso"}, 400, "ActionParameterValueFormatError"),
        ({"Image": 5}, 400, "ActionParameterValueTypeError"),
        ({"Image": url, "Bogus": 1}, 400, "ActionParameterUnknown"),
    ]
    for body, status, mid in cases:
        st, _, d, _ = request(vm, "POST", INSERT, body)
        assert st == status and mid in message_ids(d), (body, st, d)
    st, _, d, _ = request(vm, "POST", INSERT)  # no body at all
    assert st == 400 and message_ids(d) == ["ActionParameterMissing"], d
    assert get(vm, CD)["Inserted"] is False
    # read-only users cannot insert
    st, _, _, _ = request(vm, "POST", INSERT, {"Image": url},
                          auth="Basic dXNlcjp1c2Vy")  # user:user (ReadOnly)
    assert st in (401, 403)
    # an operator inserts; a second insert while the download runs is refused cleanly
    st, h, d, _ = request(vm, "POST", INSERT, {"Image": url, "Inserted": True,
                                               "WriteProtected": True,
                                               "TransferProtocolType": "HTTP",
                                               "TransferMethod": "Upload"}, auth=OP)
    # the download runs as a task: 202, its monitor in Location, the Task in the body
    assert st == 202, d
    mon = h["location"]
    assert mon.startswith("/redfish/v1/TaskService/TaskMonitors/"), h
    assert d["TaskState"] == "Running" and d["TaskMonitor"] == mon, d
    task = d["@odata.id"]
    busy = get(vm, CD)
    assert busy["Inserted"] is False and busy["Image"] == url
    st, _, d, _ = request(vm, "POST", INSERT, {"Image": url + "2"})
    assert st == 409 and message_ids(d) == ["ResourceInUse"], d
    # progress while it runs, then the monitor gives the outcome (204) and the task ends
    seen = set()
    end = time.monotonic() + 15
    while time.monotonic() < end:
        st, h, d, _ = request(vm, "GET", mon)
        if st != 202:
            break
        assert d["TaskState"] == "Running" and h["retry-after"] == "1", (h, d)
        seen.add(d["PercentComplete"])
        time.sleep(0.2)
    assert st == 204, (st, d)
    assert len(seen) >= 3 and max(seen) < 100, seen
    t = get(vm, task)
    assert t["TaskState"] == "Completed" and t["PercentComplete"] == 100, t
    assert [m["MessageId"] for m in t["Messages"]] == [
        "TaskEvent.1.0.TaskStarted", "TaskEvent.1.0.TaskCompletedOK", "Bmcd.1.0.MediaInserted"]
    assert t["StartTime"] <= t["EndTime"]
    cd = wait_inserted(vm)
    assert cd["Image"] == url and cd["ImageName"] and "boot" in cd["ImageName"]
    assert cd["ConnectedVia"] == "URI" and cd["TransferProtocolType"] == "HTTP"
    sys_cd = get(vm, SYS + "/VirtualMedia/Cd")  # the same drive
    assert sys_cd["Inserted"] is True and sys_cd["Image"] == url
    # the same URL again: nothing to do
    st, _, _, _ = request(vm, "POST", SYS + "/VirtualMedia/Cd/Actions/VirtualMedia.InsertMedia",
                          {"Image": url})
    assert st == 204 and get(vm, CD)["Inserted"] is True
    # eject without a body (sushy) and with {} (its retry)
    st, _, _, _ = request(vm, "POST", EJECT)
    assert st == 204
    cd = wait_inserted(vm, want=False)
    assert cd["Image"] is None and cd["ConnectedVia"] == "NotConnected"
    st, _, _, _ = request(vm, "POST", SYS + "/VirtualMedia/Cd/Actions/VirtualMedia.EjectMedia", {})
    assert st == 204
    st, _, d, _ = request(vm, "POST", EJECT, {"Image": None})
    assert st == 400 and message_ids(d) == ["ActionParameterUnknown"], d
    # a download that fails leaves the drive empty with a warning
    st, h, d, _ = request(vm, "POST", INSERT, {"Image": "http://127.0.0.1:9/fail.iso"})
    assert st == 202, d
    mon = h["location"]
    end = time.monotonic() + 10
    while get(vm, CD)["Status"]["Health"] != "Warning" and time.monotonic() < end:
        time.sleep(0.2)
    cd = get(vm, CD)
    assert cd["Status"]["Health"] == "Warning" and cd["Inserted"] is False
    st, _, d, _ = request(vm, "GET", mon)
    assert st == 400 and message_ids(d) == ["GeneralError"], d
    assert "fail.iso could not be inserted" in d["error"]["@Message.ExtendedInfo"][0]["Resolution"]
    t = get(vm, "/redfish/v1/TaskService/Tasks/" + mon.rsplit("/", 1)[1])
    assert t["TaskState"] == "Exception" and t["TaskStatus"] == "Critical", t
    # the event log says who inserted what, and what failed
    entries = get(vm, SYS + "/LogServices/EventLog/Entries")["Members"]
    msgs = [(e["MessageId"], e["Message"]) for e in entries]
    assert ("Bmcd.1.0.MediaInserted",
            "Virtual media inserted (boot.iso) by operator via Redfish") in msgs, msgs
    assert ("Bmcd.1.0.MediaEjected", "Virtual media ejected by admin via Redfish") in msgs, msgs
    assert ("Bmcd.1.0.MediaInsertFailed",
            "Virtual media insertion failed (fail.iso) by admin via Redfish") in msgs, msgs
    log = vm.log()
    assert "inserting http://127.0.0.1:9/images/boot.iso by operator" in log, log


SUSHY = r"""
import os, sys, time, warnings
warnings.simplefilter("ignore")
for v in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
    os.environ.pop(v, None)
import sushy
from sushy import auth
url, image = sys.argv[1], sys.argv[2]
root = sushy.Sushy(url, auth=auth.SessionAuth("admin", "admin"), verify=False)
system = root.get_system("/redfish/v1/Systems/0")
system.reset_system(sushy.RESET_FORCE_OFF)
for mgr in system.managers:
    for vm in mgr.virtual_media.get_members():
        print("slot", vm.identity, sorted(str(t) for t in vm.media_types), vm.inserted)
        if vm.inserted:
            vm.eject_media()
mgr = root.get_manager("bmc") if False else system.managers[0]
vm = mgr.virtual_media.get_member(mgr.virtual_media.members_identities[0])
vm.eject_media()
vm.insert_media(image, inserted=True, write_protected=True)
end = time.time() + 20
while time.time() < end:
    vm.refresh()
    if vm.inserted:
        break
    time.sleep(0.3)
print("inserted", vm.inserted, vm.image, vm.image_name)
system.set_system_boot_options(sushy.BOOT_SOURCE_TARGET_CD, sushy.BOOT_SOURCE_ENABLED_ONCE)
system.refresh()
print("boot", system.boot.target, system.boot.enabled)
system.reset_system(sushy.RESET_ON)
print("done")
"""


def test_sushy_ironic_flow_boots_from_cd(vm):
    con = ipmitool_sol(vm)
    try:
        assert con.wait_for(b"SOL Session operational", 10), con.buf
        image = "http://127.0.0.1:%d/boot.iso" % free_tcp_port()
        env = dict(os.environ)
        env.pop("REQUESTS_CA_BUNDLE", None)
        env.pop("CURL_CA_BUNDLE", None)
        r = subprocess.run(["/usr/bin/python3", "-c", SUSHY, vm.url + "/redfish/v1", image],
                           capture_output=True, text=True, timeout=120, env=env)
        assert r.returncode == 0, r.stdout + r.stderr
        out = r.stdout
        assert re.search(r"^slot Cd .*CD.*DVD.* False$", out, re.M), out
        assert "inserted True %s boot.iso" % image in out, out
        assert re.search(r"^boot \S*cd \S*once$", out, re.I | re.M), out
        assert "done" in out
        assert vm.wait_power(True)
        assert con.wait_for(b"Booting from CD: boot.iso", 10), con.buf[-2000:]
    finally:
        con.kill()


SUSHY_NO_WAIT = r"""
import os, sys, time, warnings
warnings.simplefilter("ignore")
import sushy
from sushy import auth
url, image = sys.argv[1], sys.argv[2]
root = sushy.Sushy(url, auth=auth.SessionAuth("admin", "admin"), verify=False)
system = root.get_system("/redfish/v1/Systems/0")
vm = system.managers[0].virtual_media.get_member("/redfish/v1/Managers/bmc/VirtualMedia/Cd")
vm.eject_media()
vm.insert_media(image, inserted=True, write_protected=True)
vm.refresh()
print("inserted-at-once", vm.inserted)
system.set_system_boot_options(sushy.BOOT_SOURCE_TARGET_CD, sushy.BOOT_SOURCE_ENABLED_ONCE)
system.reset_system(sushy.RESET_ON)
print("done")
"""


def test_power_on_waits_for_the_insertion_then_next_boot_is_disk(vm):
    """Ironic does not wait for the download: it sets a one-time CD boot and powers on at
    once. The power-on waits for the insertion, the host boots the new image, and the next
    power-on (the override consumed) boots from disk."""
    con = ipmitool_sol(vm)
    try:
        assert con.wait_for(b"SOL Session operational", 10), con.buf
        image = "http://127.0.0.1:%d/later.iso" % free_tcp_port()
        env = dict(os.environ)
        env.pop("REQUESTS_CA_BUNDLE", None)
        r = subprocess.run(["/usr/bin/python3", "-c", SUSHY_NO_WAIT, vm.url + "/redfish/v1",
                            image], capture_output=True, text=True, timeout=60, env=env)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "inserted-at-once False" in r.stdout and "done" in r.stdout, r.stdout
        # the power-on waits: the host is still off while the download runs
        time.sleep(1)
        assert get(vm, SYS)["PowerState"] == "Off"
        assert vm.wait_power(True, timeout=20)
        assert get(vm, CD)["Inserted"] is True
        assert con.wait_for(b"Booting from CD: later.iso", 10), con.buf[-2000:]
        assert "waits for the virtual media insertion" in vm.log()
        assert get(vm, SYS)["Boot"]["BootSourceOverrideEnabled"] == "Disabled"
        # the next boot is from disk, though the CD is still inserted
        st, _, d, _ = request(vm, "POST", SYS + "/Actions/ComputerSystem.Reset",
                              {"ResetType": "ForceRestart"})
        assert st == 204, d
        assert con.wait_for(b"Booting from disk", 15), con.buf[-2000:]
    finally:
        con.kill()


def test_one_time_cd_boot_needs_an_image(vm):
    st, _, d, _ = request(vm, "PATCH", SYS, {"Boot": {"BootSourceOverrideTarget": "Cd",
                                                     "BootSourceOverrideEnabled": "Once"}})
    assert st == 409 and message_ids(d) == ["PropertyValueResourceConflict"], d
    assert get(vm, SYS)["Boot"]["BootSourceOverrideEnabled"] == "Disabled"
    # redfishtool, with its raw verb, sees the same refusal
    r = subprocess.run(["redfishtool", "-r", "127.0.0.1:%d" % vm.http, "-u", "admin", "-p",
                        "admin", "-S", "Never", "raw", "PATCH", SYS, "-d",
                        '{"Boot": {"BootSourceOverrideTarget": "Cd", '
                        '"BootSourceOverrideEnabled": "Once"}}'],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and "409" in r.stdout + r.stderr, r.stdout + r.stderr


# --- the kvmd backend (PiKVM), against the fake kvmd and a real ISO over HTTP --------------

from test_fake_kvmd_msd import kreq, www  # noqa: E402,F401  (www is a fixture)
from test_pikvm import pikvm  # noqa: E402,F401  (a fixture)


def kvmd_bmcd(pikvm):
    """bmcd on the fake kvmd, once its drive is online."""
    make, _ = pikvm
    p = make()
    b = p.b.start()
    b.url = "http://127.0.0.1:%d" % p.http
    b.http = p.http
    end = time.monotonic() + 15
    while get(b, CD)["Status"]["State"] != "Enabled" and time.monotonic() < end:
        time.sleep(0.2)
    return p, b


def test_kvmd_insert_eject(pikvm, www):
    p, b = kvmd_bmcd(pikvm)
    assert get(b, CD)["Status"]["State"] == "Enabled"
    url = www["base"] + "/test.iso"
    st, _, d, _ = request(b, "POST", INSERT, {"Image": url})
    assert st == 202 and d["TaskState"] == "Running", d
    cd = wait_inserted(b, timeout=30)
    assert cd["Image"] == url and cd["ImageName"] == "test.iso", cd
    drive = kreq(p.kvmd.path, "GET", "/msd").json()["result"]["drive"]
    assert drive["connected"] and drive["cdrom"] and drive["image"]["name"].endswith("test.iso")
    st, _, _, _ = request(b, "POST", EJECT)
    assert st == 204
    wait_inserted(b, want=False, timeout=30)
    # Inserted turns false when the eject starts; kvmd's drive follows when it has run
    end = time.monotonic() + 15
    while kreq(p.kvmd.path, "GET", "/msd").json()["result"]["drive"]["connected"] and \
            time.monotonic() < end:
        time.sleep(0.1)
    assert not kreq(p.kvmd.path, "GET", "/msd").json()["result"]["drive"]["connected"]
    # kvmd's drive gone: a clean 503, and the resource says so
    p.kvmd.msd_online = False
    end = time.monotonic() + 15
    while get(b, CD)["Status"]["State"] == "Enabled" and time.monotonic() < end:
        time.sleep(0.3)
    assert get(b, CD)["Status"]["State"] == "UnavailableOffline"
    st, hdrs, d, _ = request(b, "POST", INSERT, {"Image": url})
    assert st == 503 and message_ids(d) == ["ServiceTemporarilyUnavailable"], d


def test_kvmd_failures_are_task_exceptions(pikvm, www):
    """Through Redfish against the fake kvmd: a 404 image URL and a full storage end the
    task in Exception with kvmd's reason, leave no bmcd image in kvmd's storage, and bmcd
    keeps serving; an image a person uploaded is never touched."""
    p, b = kvmd_bmcd(pikvm)
    p.kvmd.msd_images["mine.iso"] = {"size": 1, "complete": True, "mod_ts": 1.0,
                                     "listed_at": 0.0, "data": b"x"}

    def outcome(url):
        st, h, d, _ = request(b, "POST", INSERT, {"Image": url})
        assert st == 202, d
        mon = h["location"]
        end = time.monotonic() + 30
        while time.monotonic() < end:
            st, _, d, _ = request(b, "GET", mon)
            if st != 202:
                return st, d, get(b, "/redfish/v1/TaskService/Tasks/" + mon.rsplit("/", 1)[1])
            time.sleep(0.2)
        raise AssertionError("task never ended")

    st, d, t = outcome(www["base"] + "/missing.iso")
    assert st == 400 and message_ids(d) == ["GeneralError"], d
    assert t["TaskState"] == "Exception", t
    assert "missing.iso could not be inserted" in t["Messages"][-1]["Message"], t
    p.kvmd.msd_storage_size = 1024  # smaller than test.iso
    st, d, t = outcome(www["base"] + "/test.iso")
    assert st == 400 and t["TaskState"] == "Exception", (d, t)
    names = sorted(p.kvmd.msd_images)
    assert names == ["mine.iso"], names
    assert get(b, SYS)["PowerState"] in ("On", "Off")
    entries = get(b, SYS + "/LogServices/EventLog/Entries")["Members"]
    assert sum(e["MessageId"] == "Bmcd.1.0.MediaInsertFailed" for e in entries) == 2, entries
