"""The clients fleets drive BMCs with: Ansible's community.general Redfish and IPMI modules,
conman on an IPMI SoL console, and FreeIPMI the way MAAS's ipmi power driver calls it.

Every client runs as a subprocess with a time limit, against 127.0.0.1 only, and every
check reads the effect back (Redfish GET, ipmitool, the pty, bmcd's log), not only what the
client says about itself.

Notes on the clients as Debian 12 ships them:
- community.general 6.6.2's redfish_* modules always build "https://" + baseuri and never
  validate certificates: every Ansible Redfish call here goes over HTTPS (bmcd's ephemeral
  self-signed certificate); plain HTTP cannot be asked for (test_ansible_redfish_over_http
  skips while the installed module hardcodes the scheme).
- conman's `dev="ipmi:HOST"` takes HOST:PORT although conman.conf(5) only documents a host:
  the string goes to libipmiconsole, which parses an optional ":port".
"""
import json
import os
import re
import signal
import subprocess
import time

import pytest
import requests

from conftest import SLOW, free_tcp_port
from test_sol import Console, HostPty

# an administrator whose password appears nowhere else in the output: Ansible masks every
# occurrence of a no_log value (the password) in what a module returns
ADMIN, ADMIN_PW = "fleetadm", "Fleet-Pass-7"
# (admin:admin for conftest's ipmitool helpers)
USERS = """\
admin:admin
fleetadm:Fleet-Pass-7
operator:operator:operator
user:user:user
maas:maas-secret
"""
FRU = """\
[fru]
product_manufacturer = Acme Fleet
product_name = Rack Two
product_serial = SN-FLEET-7
chassis_serial = CH-FLEET-3
"""
T = 3 if SLOW else 1  # time multiplier under valgrind/qemu


def redfish_bmcd(bmcd_factory, extra=""):
    http, https = free_tcp_port(), free_tcp_port()
    b = bmcd_factory(users=USERS, extra=FRU + extra +
                     "[redfish]\nlisten = 127.0.0.1\nhttp_port = %d\nhttps_port = %d\n"
                     "session_timeout_max = 3600\n" % (http, https))
    b.http, b.https = http, https
    b.url = "http://127.0.0.1:%d/redfish/v1" % http
    return b


def rf_get(b, path, auth=(ADMIN, ADMIN_PW)):
    r = requests.get(b.url + path, auth=auth, timeout=10)
    assert r.status_code == 200, (path, r.status_code, r.text)
    return r.json()


def wait_redfish_power(b, want, timeout=10.0):
    deadline = time.monotonic() + timeout * T
    seen = []
    while time.monotonic() < deadline:
        st = rf_get(b, "/Systems/0")["PowerState"]
        if not seen or seen[-1] != st:
            seen.append(st)
        if st == want:
            return seen
        time.sleep(0.1)
    raise AssertionError("PowerState never became %s: %s\n--- bmcd log ---\n%s"
                         % (want, seen, b.log()[-3000:]))


# --- Ansible ---------------------------------------------------------------------------

def ansible_play(b, tasks, timeout=240):
    """Runs one playbook on localhost (connection local) with the json stdout callback and
    returns the per-task results (module return values). Nothing outside b.dir is touched:
    HOME, the local and remote temp dirs and the retry files live in b.dir/ansible."""
    if os.environ.get("BMCD_SANITIZED") or os.environ.get("BMCD_VALGRIND"):
        pytest.skip("Ansible runs in the release stage: its own start-up costs about a minute "
                    "per stage and exercises the client, not more of the daemon")
    home = os.path.join(b.dir, "ansible")
    os.makedirs(home, exist_ok=True)
    book = os.path.join(home, "play.json")
    with open(book, "w") as f:
        json.dump([{"hosts": "localhost", "gather_facts": False, "connection": "local",
                    "tasks": [dict(t, ignore_errors=True) for t in tasks]}], f)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(HOME=home, ANSIBLE_LOCAL_TEMP=home + "/tmp", ANSIBLE_REMOTE_TEMP=home + "/rtmp",
               ANSIBLE_NOCOLOR="1", ANSIBLE_STDOUT_CALLBACK="json",
               ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_PYTHON_INTERPRETER="/usr/bin/python3",
               ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_LOCALHOST_WARNING="0",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="0", ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="1",
               ANSIBLE_GALAXY_CACHE_DIR=home + "/galaxy", ANSIBLE_SSH_CONTROL_PATH_DIR=home + "/cp",
               ANSIBLE_PERSISTENT_CONTROL_PATH_DIR=home + "/pcp")
    # a session of its own: a timeout ends ansible's workers and modules too
    p = subprocess.Popen(["ansible-playbook", "-i", "localhost,", book], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env, cwd=home,
                         start_new_session=True)
    try:
        stdout, stderr = p.communicate(timeout=timeout * T)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        raise
    try:
        out = json.loads(stdout)
        results = [t["hosts"]["localhost"] for t in out["plays"][0]["tasks"]]
    except (ValueError, KeyError, IndexError):
        raise AssertionError("ansible-playbook (%d) printed no results:\n%s\n%s"
                             % (p.returncode, stdout[-3000:], stderr[-3000:]))
    assert len(results) == len(tasks), results
    for res in results:
        res.pop("invocation", None)
    return results


def rf_task(b, module, category, command, **args):
    return {"community.general." + module: dict(
        baseuri="127.0.0.1:%d" % b.https, username=ADMIN, password=ADMIN_PW, timeout=20,
        category=category, command=command, **args)}


def ok(res):
    assert not res.get("failed"), res
    return res


def test_ansible_redfish_inventory(bmcd_factory):
    """redfish_info: GetSystemInventory shows the [fru] identity, GetChassisInventory the
    chassis serial, ListUsers the accounts with their roles, GetSessions a session another
    client opened, GetManagerInventory and GetNetworkProtocols the manager and its ports."""
    b = redfish_bmcd(bmcd_factory)
    r = requests.post(b.url + "/SessionService/Sessions", timeout=10,
                      json={"UserName": "operator", "Password": "operator"})
    assert r.status_code == 201, r.text
    res = ansible_play(b, [
        rf_task(b, "redfish_info", "Systems", "GetSystemInventory"),
        rf_task(b, "redfish_info", "Chassis", "GetChassisInventory"),
        rf_task(b, "redfish_info", "Accounts", "ListUsers"),
        rf_task(b, "redfish_info", "Sessions", "GetSessions"),
        rf_task(b, "redfish_info", "Manager", "GetManagerInventory"),
        rf_task(b, "redfish_info", "Manager", "GetNetworkProtocols"),
    ])
    facts = [ok(x)["redfish_facts"] for x in res]

    system = facts[0]["system"]
    assert system["ret"], system
    [(where, inv)] = system["entries"]
    assert where == {"system_uri": "/redfish/v1/Systems/0"}
    assert (inv["Manufacturer"], inv["Model"], inv["SerialNumber"]) == \
        ("Acme Fleet", "Rack Two", "SN-FLEET-7"), inv
    assert inv["PowerState"] == "Off"

    chassis = facts[1]["chassis"]
    assert chassis["ret"] and len(chassis["entries"]) == 1, chassis
    assert chassis["entries"][0]["SerialNumber"] == "CH-FLEET-3", chassis
    assert chassis["entries"][0]["IndicatorLED"] == "Off", chassis

    users = facts[2]["user"]
    assert users["ret"], users
    roles = {u["UserName"]: u["RoleId"] for u in users["entries"]}
    assert roles == {ADMIN: "Administrator", "admin": "Administrator",
                     "operator": "Operator", "user": "ReadOnly", "maas": "Administrator"}, roles
    assert all(u["Enabled"] and not u["Locked"] for u in users["entries"]), users

    sessions = facts[3]["session"]
    assert sessions["ret"], sessions
    assert [s["UserName"] for s in sessions["entries"]] == ["operator"], sessions

    manager = facts[4]["manager"]
    assert manager["ret"], manager
    [(where, inv)] = manager["entries"]
    assert where == {"manager_uri": "/redfish/v1/Managers/bmc"}
    assert inv["ManagerType"] == "BMC" and inv["Status"]["State"] == "Enabled", inv

    protocols = facts[5]["network_protocols"]
    assert protocols["ret"], protocols
    assert protocols["entries"]["IPMI"] == {"Port": b.port, "ProtocolEnabled": True}, protocols
    assert protocols["entries"]["HTTPS"]["Port"] == b.https, protocols


def test_ansible_redfish_over_http(bmcd_factory):
    """Plain HTTP, where the installed community.general lets baseuri carry the scheme."""
    src = "/usr/lib/python3/dist-packages/ansible_collections/community/general/plugins/" \
          "modules/redfish_info.py"
    if os.path.exists(src) and 'root_uri = "https://" + module.params' in open(src).read():
        pytest.skip("client limitation: this community.general always prefixes baseuri with "
                    "https:// (redfish_info.py), so its Redfish modules cannot use HTTP")
    b = redfish_bmcd(bmcd_factory)
    [res] = ansible_play(b, [dict(rf_task(b, "redfish_info", "Systems", "GetSystemInventory"))])
    res = ok(res)
    inv = res["redfish_facts"]["system"]["entries"][0][1]
    assert inv["SerialNumber"] == "SN-FLEET-7"
    assert "GET /redfish/v1/Systems/0" in b.log()


def test_ansible_power_commands(bmcd_factory):
    """redfish_command PowerOn, PowerForceRestart, PowerGracefulShutdown, PowerForceOff, each
    followed by Redfish GETs until the simulated host is where the command sends it."""
    b = redfish_bmcd(bmcd_factory)
    # already off: Ansible reads PowerState and sends nothing; then on
    off_again, on = ansible_play(b, [
        rf_task(b, "redfish_command", "Systems", "PowerForceOff"),
        rf_task(b, "redfish_command", "Systems", "PowerOn"),
    ])
    assert ok(off_again)["changed"] is False, off_again
    assert ok(on)["changed"] is True, on
    assert "power off requested by %s" % ADMIN not in b.log()
    wait_redfish_power(b, "On")
    assert "power on requested by %s via Redfish" % ADMIN in b.log()

    [restart] = ansible_play(b, [rf_task(b, "redfish_command", "Systems", "PowerForceRestart")])
    assert ok(restart)["changed"] is True, restart
    wait_redfish_power(b, "On")
    log = b.log()
    assert "reset requested by %s via Redfish" % ADMIN in log, log[-2000:]
    assert "nothing to do" not in log

    [soft] = ansible_play(b, [rf_task(b, "redfish_command", "Systems", "PowerGracefulShutdown")])
    assert ok(soft)["changed"] is True, soft
    wait_redfish_power(b, "Off")
    assert "soft off requested by %s via Redfish" % ADMIN in b.log()

    on, off = ansible_play(b, [
        rf_task(b, "redfish_command", "Systems", "PowerOn"),
        rf_task(b, "redfish_command", "Systems", "PowerForceOff"),
    ])
    assert ok(on)["changed"] is True and ok(off)["changed"] is True, (on, off)
    wait_redfish_power(b, "Off")
    assert "power off requested by %s via Redfish" % ADMIN in b.log()
    # and IPMI agrees
    assert not b.ipmitool("power", "status", user=ADMIN, password=ADMIN_PW).stdout.count("is on")


def test_ansible_boot_led_and_session_service(bmcd_factory):
    """SetOneTimeBoot Pxe, Chassis IndicatorLedOn/Off and redfish_config SetSessionService,
    read back with Redfish GETs (and IPMI's boot flags)."""
    b = redfish_bmcd(bmcd_factory)
    boot, led_on = ansible_play(b, [
        rf_task(b, "redfish_command", "Systems", "SetOneTimeBoot", bootdevice="Pxe"),
        rf_task(b, "redfish_command", "Chassis", "IndicatorLedOn"),
    ])
    assert ok(boot)["changed"] is True and ok(led_on)["changed"] is True, (boot, led_on)
    s = rf_get(b, "/Systems/0")
    assert s["Boot"]["BootSourceOverrideTarget"] == "Pxe", s["Boot"]
    assert s["Boot"]["BootSourceOverrideEnabled"] == "Once", s["Boot"]
    flags = b.ipmitool("chassis", "bootparam", "get", "5").stdout
    assert "Force PXE" in flags and "next boot" in flags, flags
    c = rf_get(b, "/Chassis/0")
    assert c["IndicatorLED"] == "Lit" and c["LocationIndicatorActive"] is True, c

    led_off, timeout, again = ansible_play(b, [
        rf_task(b, "redfish_command", "Chassis", "IndicatorLedOff"),
        rf_task(b, "redfish_config", "Sessions", "SetSessionService",
                sessions_config={"SessionTimeout": 900}),
        rf_task(b, "redfish_config", "Sessions", "SetSessionService",
                sessions_config={"SessionTimeout": 900}),
    ])
    assert ok(led_off)["changed"] is True, led_off
    assert rf_get(b, "/Chassis/0")["IndicatorLED"] == "Off"
    assert ok(timeout)["changed"] is True, timeout
    assert rf_get(b, "/SessionService")["SessionTimeout"] == 900
    # the second run finds the value already set
    assert ok(again)["changed"] is False, again


def manager_log(b):
    """The entries of Managers/bmc/LogServices/Log, read with GETs (members expanded or
    not)."""
    coll = rf_get(b, "/Managers/bmc/LogServices/Log/Entries")
    members = coll["Members"]
    assert coll.get("Members@odata.count", len(members)) == len(members), coll
    return [m if "Message" in m else rf_get(b, m["@odata.id"][len("/redfish/v1"):])
            for m in members]


def test_ansible_manager_logs(bmcd_factory):
    """GetLogs and ClearLogs on category Manager: the manager's own log,
    /redfish/v1/Managers/bmc/LogServices/Log with Entries and LogService.ClearLog.
    Ansible's GetLogs reads the entries' properties from the Entries collection's Members;
    its ClearLogs ignores the POST's answer, so the clear is checked with a GET."""
    b = redfish_bmcd(bmcd_factory)
    # something for the log to hold besides the start
    r = requests.post(b.url + "/Systems/0/Actions/ComputerSystem.Reset", timeout=10,
                      json={"ResetType": "On"}, auth=(ADMIN, ADMIN_PW))
    assert r.status_code in (200, 202, 204), r.text
    wait_redfish_power(b, "On")

    [logs] = ansible_play(b, [rf_task(b, "redfish_info", "Manager", "GetLogs")])
    log = ok(logs)["redfish_facts"]["log"]
    assert log["ret"], "GetLogs: %s\n(Managers/bmc: %s)" % (log, rf_get(b, "/Managers/bmc"))
    by_name = {}
    for svc in log["entries"]:
        by_name.update({k: v for k, v in svc.items() if k != "Description"})
    # the module names each log after the last segment of its Entries URI
    assert "Entries" in by_name, log
    entries = by_name["Entries"]
    assert entries and all(e.get("Message") for e in entries), log
    assert all("Created" in e for e in entries), entries

    before = manager_log(b)
    assert {e["Message"] for e in entries} <= {e["Message"] for e in before}, (entries, before)

    [clear] = ansible_play(b, [rf_task(b, "redfish_command", "Manager", "ClearLogs")])
    assert ok(clear)["changed"] is True, clear
    after = manager_log(b)
    # nothing from before is left; at most an entry that says the log was cleared
    assert len(after) <= 1, (before, after)
    key = lambda e: (e.get("Created"), e.get("Message"))
    assert not {key(e) for e in after} & {key(e) for e in before}, (before, after)

    [logs] = ansible_play(b, [rf_task(b, "redfish_info", "Manager", "GetLogs")])
    log = ok(logs)["redfish_facts"]["log"]
    assert log["ret"], log
    left = [e for svc in log["entries"] for e in svc.get("Entries", [])]
    assert [e["Message"] for e in left] == [e["Message"] for e in after], (left, after)


def ipmi_task(b, module, check_mode=False, **args):
    t = {"community.general." + module: dict(name="127.0.0.1", port=b.port, user=ADMIN,
                                             password=ADMIN_PW, **args)}
    if check_mode:
        t["check_mode"] = True
    return t


def test_ansible_ipmi_power_and_boot(bmcd_factory):
    """community.general.ipmi_power and ipmi_boot (pyghmi over RMCP+): read the power state
    (check mode), set a one-time PXE boot, power on, reset ("boot" when on), power off;
    ipmitool reads back what they did."""
    b = bmcd_factory(users=USERS)
    read_off, boot = ansible_play(b, [
        # check mode with the state it already has: a pure read, "changed" false
        ipmi_task(b, "ipmi_power", check_mode=True, state="off", timeout=20),
        ipmi_task(b, "ipmi_boot", bootdev="network", persistent=False),
    ])
    assert ok(read_off)["changed"] is False and read_off["powerstate"] == "off", read_off
    assert ok(boot)["changed"] is True and boot["bootdev"] == "network", boot
    flags = b.ipmitool("chassis", "bootparam", "get", "5").stdout
    assert "Force PXE" in flags and "next boot" in flags and "Boot Flag Valid" in flags, flags
    assert "Chassis Power is off" in b.ipmitool("power", "status").stdout

    on, read_on, reset = ansible_play(b, [
        ipmi_task(b, "ipmi_power", state="on", timeout=20),
        ipmi_task(b, "ipmi_power", check_mode=True, state="on", timeout=20),
        ipmi_task(b, "ipmi_power", state="boot", timeout=20),
    ])
    assert ok(on)["changed"] is True and on["powerstate"] == "on", on
    assert ok(read_on)["changed"] is False and read_on["powerstate"] == "on", read_on
    assert ok(reset)["changed"] is True, reset
    assert b.wait_power(True, timeout=5 * T)
    log = b.log()
    assert "power on requested by %s via IPMI" % ADMIN in log, log[-2000:]
    # the simulated host took the one-time PXE boot at power on
    assert "one-time boot override consumed" in log, log[-2000:]
    assert "reset requested by %s via IPMI" % ADMIN in log, log[-2000:]
    flags = b.ipmitool("chassis", "bootparam", "get", "5").stdout
    assert "Force PXE" not in flags, flags

    [off] = ansible_play(b, [ipmi_task(b, "ipmi_power", state="off", timeout=20)])
    assert ok(off)["changed"] is True and off["powerstate"] == "off", off
    assert "Chassis Power is off" in b.ipmitool("power", "status").stdout


# --- conman ----------------------------------------------------------------------------

def test_conman_ipmi_sol_console(bmcd_factory, tmp_path):
    """conmand with an IPMI SoL console (libipmiconsole, dev="ipmi:127.0.0.1:PORT"): what the
    host writes on its serial port lands in conman's console log and in a joined conman
    client; what is typed into the client arrives on the host's serial port."""
    host = HostPty(str(tmp_path))
    b = bmcd_factory(users=USERS, extra="[sol]\ndevice = %s\n" % host.link)
    cport = free_tcp_port()
    d = str(tmp_path)
    conf = os.path.join(d, "conman.conf")
    with open(conf, "w") as f:
        f.write('SERVER port=%d\nSERVER loopback=on\nSERVER keepalive=off\n'
                'SERVER pidfile="%s/conmand.pid"\nSERVER logdir="%s"\n'
                'GLOBAL logopts="nolock,nosanitize,notimestamp"\n'
                'CONSOLE name="host" dev="ipmi:127.0.0.1:%d" log="console.%%N" '
                'ipmiopts="U:%s,P:%s,C:3,L:admin,W:solpayloadsize"\n'
                % (cport, d, d, b.port, ADMIN, ADMIN_PW))
    out = open(os.path.join(d, "conmand.out"), "w")
    conmand = subprocess.Popen(["conmand", "-F", "-v", "-c", conf], stdout=out,
                               stderr=subprocess.STDOUT, start_new_session=True)
    console_log = os.path.join(d, "console.host")
    client = None

    def conmand_says():
        with open(os.path.join(d, "conmand.out")) as f:
            return f.read()

    def wait(cond, timeout):
        deadline = time.monotonic() + timeout * T
        while time.monotonic() < deadline:
            if cond():
                return True
            time.sleep(0.05)
        return False

    def logged():
        if not os.path.exists(console_log):
            return ""
        with open(console_log, "rb") as f:
            return f.read().decode("latin-1")

    try:
        assert wait(lambda: "Console [host] connected to <127.0.0.1:%d>" % b.port
                    in conmand_says(), 15), conmand_says() + b.log()[-2000:]
        assert wait(lambda: "sol: activated by '%s'" % ADMIN in b.log(), 5), b.log()[-2000:]
        host.write(b"BIOS POST 0x1234 on serial\r\n")
        assert wait(lambda: "BIOS POST 0x1234 on serial" in logged(), 10), logged()

        client = Console(["conman", "-d", "127.0.0.1:%d" % cport, "-j", "host"])
        assert client.wait_for(b"Connection to console [host] opened", 10), client.buf
        host.write(b"login: ")
        assert client.wait_for(b"login: ", 10), client.buf
        client.send(b"root\r")
        got = host.read_until(b"root\r", 10)
        assert b"root\r" in got, got
        # a longer burst both ways
        blob = b"".join(b"line %03d of the host's console\r\n" % i for i in range(60))
        host.write(blob)
        assert client.wait_for(b"line 059 of the host's console", 10), client.buf[-500:]
        assert wait(lambda: "line 059 of the host's console" in logged(), 10)
        assert blob.decode() in logged().replace("\r\r\n", "\r\n"), logged()[-800:]
        client.send(b"echo typed-through-conman\r")
        got = host.read_until(b"typed-through-conman\r", 10)
        assert b"echo typed-through-conman\r" in got, got
        # the client's escape closes only the client
        client.send(b"&.")
        assert client.exited(10), client.buf[-300:]
        client.kill()
        client = None
        assert "sol: deactivated" not in b.log()
    finally:
        if client:
            client.kill()
        if conmand.poll() is None:
            conmand.send_signal(signal.SIGTERM)
            try:
                conmand.wait(10 * T)
            except subprocess.TimeoutExpired:
                conmand.kill()
                conmand.wait()
        out.close()
        host.close()
    # conmand's shutdown closes the SoL session cleanly
    assert wait(lambda: "sol: deactivated by '%s'" % ADMIN in b.log(), 5), b.log()[-2000:]


# --- FreeIPMI as MAAS drives it ---------------------------------------------------------

# MAAS's ipmi power driver (src/provisioningserver/drivers/power/ipmi.py): workaround flag
# opensesspriv, driver LAN_2_0, cipher suite 3 (default; 17 selectable), privilege OPERATOR
MAAS_CONFIG = """\
Section Chassis_Boot_Flags
        Boot_Flags_Persistent                         No
        Boot_Device                                   PXE
EndSection
"""
MAAS_ERRORS = ("username invalid", "password invalid", "password verification timeout",
               "k_g invalid", "privilege level insufficient",
               "privilege level cannot be obtained for this user",
               "authentication type unavailable for attempted privilege level",
               "cipher suite id unavailable", "ipmi 2.0 unavailable", "connection timeout",
               "session timeout", "internal IPMI error", "device not found", "driver timeout",
               "message timeout", "BMC busy", "could not find inband device")


def maas_args(b, suite="3"):
    return ["-W", "opensesspriv", "--driver-type", "LAN_2_0", "-h", "127.0.0.1:%d" % b.port,
            "-u", "maas", "-p", "maas-secret", "-I", suite, "-l", "OPERATOR",
            "--config-file", "/dev/null"]


def maas_ipmipower(b, action, suite="3"):
    """What MAAS's _issue_ipmipower_command does with the output: an error string in stdout
    or a non-zero exit is a failure; the state is the first ': on|off'."""
    cmd = ["ipmipower", *maas_args(b, suite), *action]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60 * T)
    for e in MAAS_ERRORS:
        assert e not in r.stdout, (cmd, r.stdout, r.stderr, b.log()[-2000:])
    assert r.returncode == 0, (cmd, r.returncode, r.stdout, r.stderr)
    m = re.search(r":\s*(on|off)", r.stdout)
    return r.stdout if m is None else m.group(1)


def test_maas_ipmi_power_driver(bmcd_factory, tmp_path):
    """MAAS power on (ipmi-chassis-config commits a one-time PXE boot, then ipmipower
    --cycle --on-if-off), query (--stat), off (--off) and soft off (--soft)."""
    b = bmcd_factory(users=USERS)
    assert maas_ipmipower(b, ["--stat"]) == "off"

    cfg = tmp_path / "maas-ipmi.conf"
    cfg.write_text(MAAS_CONFIG)
    cmd = ["ipmi-chassis-config", *maas_args(b), "--commit", "--filename", str(cfg)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60 * T)
    assert r.returncode == 0 and not r.stderr.strip(), (cmd, r.returncode, r.stdout, r.stderr)
    flags = b.ipmitool("chassis", "bootparam", "get", "5").stdout
    assert "Force PXE" in flags and "next boot" in flags and "Boot Flag Valid" in flags, flags
    # the same section read back by FreeIPMI
    r = subprocess.run(["ipmi-chassis-config", *maas_args(b), "--checkout", "-S",
                        "Chassis_Boot_Flags"], capture_output=True, text=True, timeout=60 * T)
    got = dict(l.split(None, 1) for l in r.stdout.splitlines()
               if l.strip() and not l.lstrip().startswith("#") and len(l.split()) >= 2)
    assert got.get("Boot_Device", "").strip() == "PXE", r.stdout
    assert got.get("Boot_Flags_Persistent", "").strip() == "No", r.stdout

    assert maas_ipmipower(b, ["--cycle", "--on-if-off"]) == "127.0.0.1: ok\n"
    assert b.wait_power(True, timeout=5 * T)
    log = b.log()
    assert "power on requested by maas via IPMI" in log, log[-2000:]
    assert "one-time boot override consumed" in log, log[-2000:]
    assert maas_ipmipower(b, ["--stat"]) == "on"

    assert maas_ipmipower(b, ["--off"]) == "127.0.0.1: ok\n"
    assert b.wait_power(False, timeout=5 * T)
    assert maas_ipmipower(b, ["--stat"]) == "off"
    assert "power off requested by maas via IPMI" in b.log()

    # on again while on: --cycle --on-if-off power-cycles; then a soft off (the simulated
    # host shuts down by itself)
    assert maas_ipmipower(b, ["--cycle", "--on-if-off"]) == "127.0.0.1: ok\n"
    assert b.wait_power(True, timeout=5 * T)
    time.sleep(0.5 * T)
    assert maas_ipmipower(b, ["--cycle", "--on-if-off"]) == "127.0.0.1: ok\n"
    assert b.wait_power(True, timeout=5 * T)
    assert "power cycle requested by maas via IPMI" in b.log(), b.log()[-2000:]
    assert maas_ipmipower(b, ["--soft"], suite="17") == "127.0.0.1: ok\n"
    assert b.wait_power(False, timeout=10 * T)
    assert maas_ipmipower(b, ["--stat"], suite="17") == "off"
    assert "soft off requested by maas via IPMI" in b.log(), b.log()[-2000:]


def bmc_config_section(b, section, verbose=False):
    cmd = ["bmc-config", *maas_args(b), "--checkout", "-S", section]
    if verbose:
        cmd.append("-vv")
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60 * T)
    body = re.search(r"^Section %s\n(.*?)^EndSection" % section, r.stdout, re.S | re.M)
    assert body, (cmd, r.returncode, r.stdout, r.stderr)
    keys = {}
    for line in body.group(1).splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            k, _, v = line.strip().partition(" ")
            keys[k] = v.strip()
    return r, keys


def test_maas_bmc_config_sections(bmcd_factory):
    """bmc-config --checkout of Lan_Channel, Lan_Conf and Rmcpplus_Conf_Privilege (what
    MAAS's commissioning script reads): every key of the first two, without errors; the
    cipher suite privileges for the suites bmcd offers."""
    b = bmcd_factory(users=USERS)
    r, lan_channel = bmc_config_section(b, "Lan_Channel")
    assert r.returncode == 0 and not r.stderr.strip(), (r.returncode, r.stdout, r.stderr)
    for mode in ("Volatile", "Non_Volatile"):
        assert lan_channel[mode + "_Access_Mode"] == "Always_Available", lan_channel
        assert lan_channel[mode + "_Channel_Privilege_Limit"] == "Administrator", lan_channel
        assert lan_channel[mode + "_Enable_User_Level_Auth"] in ("Yes", "No"), lan_channel

    r, lan_conf = bmc_config_section(b, "Lan_Conf")
    assert r.returncode == 0 and not r.stderr.strip(), (r.returncode, r.stdout, r.stderr)
    assert lan_conf["IP_Address_Source"] in ("Static", "DHCP", "Use_DHCP"), lan_conf
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", lan_conf["IP_Address"]), lan_conf
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", lan_conf["Subnet_Mask"]), lan_conf
    assert re.fullmatch(r"([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}", lan_conf["MAC_Address"]), lan_conf

    # FreeIPMI 1.6 asks for suites 0..15 and counts every one the BMC does not list as an
    # error (exit code 1 on any BMC that lacks one of them); 17 is beyond its table
    r, privs = bmc_config_section(b, "Rmcpplus_Conf_Privilege", verbose=True)
    assert not r.stderr.strip(), r.stderr
    assert privs == {"Maximum_Privilege_Cipher_Suite_Id_3": "Administrator"}, r.stdout
    unable = set(re.findall(r"Unable to checkout Rmcpplus_Conf_Privilege:"
                            r"Maximum_Privilege_Cipher_Suite_Id_(\d+)", r.stdout))
    assert unable == {str(i) for i in range(16)} - {"3"}, unable
