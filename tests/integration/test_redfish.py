"""Issue 5: Redfish over HTTP and HTTPS with redfishtool, sushy and curl against the real
binary; every response body validated against DMTF's schemas (tests/rf_schema.py)."""
import base64
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
import warnings

import pytest

from conftest import ROOT, free_tcp_port

sys.path.insert(0, os.path.join(ROOT, "tests"))
import rf_schema  # noqa: E402

AUTH = "Basic " + base64.b64encode(b"admin:admin").decode()


@pytest.fixture
def rf(bmcd_factory):
    http, https = free_tcp_port(), free_tcp_port()
    b = bmcd_factory(extra="[redfish]\nlisten = 127.0.0.1\nhttp_port = %d\nhttps_port = %d\n"
                     "max_sessions = 4\nmax_connections = 16\nmax_sse = 2\n" % (http, https))
    b.http, b.https = http, https
    b.url = "http://127.0.0.1:%d" % http
    b.surl = "https://127.0.0.1:%d" % https
    return b


def raw(port, data, tls=False, timeout=5.0, read_all=True):
    """Sends raw bytes, returns everything the server answers until it closes (or times out)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    if tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s)
    s.sendall(data)
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
            if not read_all and b"\r\n\r\n" in out:
                head, body = out.split(b"\r\n\r\n", 1)
                m = re.search(rb"Content-Length: (\d+)", head, re.I)
                if m and len(body) >= int(m.group(1)):
                    break
    except socket.timeout:
        pass
    s.close()
    return out


def request(b, method, path, body=None, headers=None, auth=AUTH, tls=False):
    h = {"Host": "localhost"}
    if auth:
        h["Authorization"] = auth
    if body is not None:
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        h["Content-Type"] = "application/json"
        h["Content-Length"] = str(len(body))
    h.update(headers or {})
    req = ("%s %s HTTP/1.1\r\n" % (method, path) + "".join("%s: %s\r\n" % kv for kv in h.items())
           + "Connection: close\r\n\r\n").encode() + (body or b"")
    out = raw(b.https if tls else b.http, req, tls=tls)
    head, _, payload = out.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    data = None
    if payload and "json" in hdrs.get("content-type", ""):
        data = json.loads(payload)
        errs = [] if path == "/redfish" else rf_schema.validate(data)
        assert not errs, "%s %s: schema errors %s" % (method, path, errs)
    return status, hdrs, data, payload


def message_ids(data):
    return [m["MessageId"].split(".")[-1] for m in data["error"]["@Message.ExtendedInfo"]]


# --- the seed's redfishtool commands ---------------------------------------------------------

@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_redfishtool_seed_commands(rf, https):
    target = "127.0.0.1:%d" % (rf.https if https else rf.http)
    extra = ["-S", "Always"] if https else ["-S", "Never"]
    r = subprocess.run(["redfishtool", *extra, "-r", target, "root"], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0 and '"RedfishVersion"' in r.stdout, r.stderr
    r = subprocess.run(["redfishtool", *extra, "-u", "admin", "-p", "admin", "-r", target,
                        "Systems"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and "/redfish/v1/Systems/0" in r.stdout, r.stderr
    rf.ipmitool("power", "on")
    assert rf.wait_power(True)
    r = subprocess.run(["redfishtool", *extra, "-u", "admin", "-p", "admin", "-r", target,
                        "Systems", "reset", "ForceOff"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    assert rf.wait_power(False)
    assert "power off requested by admin via Redfish" in rf.log()
    # redfishtool's session login (-A Session) needs Id in the 201 body
    r = subprocess.run(["redfishtool", *extra, "-A", "Session", "-u", "admin", "-p", "admin",
                        "-r", target, "Systems", "-I", "0"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0 and '"PowerState": "Off"' in r.stdout, r.stdout + r.stderr


# --- sushy, as Ironic uses it -------------------------------------------------------------

SUSHY = r"""
import os, sys, time, warnings
warnings.simplefilter("ignore")
for v in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):  # these override verify=False in requests
    os.environ.pop(v, None)
import sushy
from sushy import auth
url, mode = sys.argv[1], sys.argv[2]
a = auth.BasicAuth("admin", "admin") if mode == "basic" else auth.SessionAuth("admin", "admin")
root = sushy.Sushy(url, auth=a, verify=False)
s = root.get_system("/redfish/v1/Systems/0")
print("power", s.power_state)
print("allowed", sorted(str(v) for v in s.get_allowed_reset_system_values()))
s.set_system_boot_options(sushy.BOOT_SOURCE_TARGET_PXE, sushy.BOOT_SOURCE_ENABLED_ONCE,
                          sushy.BOOT_SOURCE_MODE_UEFI)
s.refresh()
print("boot", s.boot.target, s.boot.enabled, s.boot.mode)
s.set_system_boot_options(sushy.BOOT_SOURCE_TARGET_HDD, sushy.BOOT_SOURCE_ENABLED_CONTINUOUS)
s.refresh()
print("boot", s.boot.target, s.boot.enabled, s.boot.mode)
for t in [sushy.RESET_ON, sushy.RESET_FORCE_OFF, sushy.RESET_FORCE_ON,
          sushy.RESET_GRACEFUL_SHUTDOWN, sushy.RESET_GRACEFUL_RESTART, sushy.RESET_FORCE_RESTART,
          sushy.RESET_TYPE_POWER_CYCLE, sushy.RESET_PUSH_POWER_BUTTON]:
    s.reset_system(t)
    time.sleep(0.05)
print("resets ok")
m = root.get_manager("/redfish/v1/Managers/bmc")
print("manager", m.identity, m.firmware_version)
print("uuid", s.uuid)
"""


@pytest.mark.parametrize("mode", ["basic", "session"])
@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_sushy(rf, mode, https):
    url = (rf.surl if https else rf.url) + "/redfish/v1"
    env = dict(os.environ)
    env.pop("REQUESTS_CA_BUNDLE", None)
    env.pop("CURL_CA_BUNDLE", None)
    r = subprocess.run(["/usr/bin/python3", "-c", SUSHY, url, mode], capture_output=True,
                       text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert re.search(r"^power .*off$", out, re.I | re.M), out
    assert "resets ok" in out
    allowed = re.search(r"allowed \[(.*)\]", out).group(1)
    assert allowed.count("ResetType.") == 8 and "NMI" not in allowed, allowed
    assert re.search(r"^boot \S*pxe \S*once \S*uefi$", out, re.I | re.M), out
    assert re.search(r"^boot \S*hdd \S*continuous", out, re.I | re.M), out
    guid = re.search(r"GUID ([0-9a-f-]{36})", rf.log()).group(1)
    assert "uuid " + guid in out
    # every reset went through the host model's queue, in order, none dropped: each one is
    # either performed or found unnecessary when its turn came
    for _ in range(200):
        if "push power button requested by admin via Redfish" in rf.log():
            break
        time.sleep(0.1)
    log = rf.log()
    order = [log.find("host: %s requested by admin via Redfish" % a) for a in
             ("power on", "power off", "soft off", "graceful restart", "reset", "power cycle",
              "push power button")]
    assert -1 not in order and order[1:] == sorted(order[1:]), (order, log)


# --- status codes ---------------------------------------------------------------------------

def test_status_codes(rf):
    st, h, d, _ = request(rf, "GET", "/redfish", auth=None)
    assert st == 200 and d == {"v1": "/redfish/v1/"}
    st, h, d, _ = request(rf, "GET", "/redfish/v1/", auth=None)
    assert st == 200 and d["RedfishVersion"] and d["Links"]["Sessions"]
    assert h["odata-version"] == "4.0"
    st, h, d, _ = request(rf, "GET", "/redfish/v1", auth=None)
    assert st == 200
    st, h, d, body = request(rf, "GET", "/redfish/v1/$metadata", auth=None)
    assert st == 200 and h["content-type"].startswith("application/xml")
    assert b"ComputerSystem" in body
    # 401 with WWW-Authenticate, 403, 404, 405 with Allow
    st, h, d, _ = request(rf, "GET", "/redfish/v1/Systems/0", auth=None)
    assert st == 401 and h["www-authenticate"].startswith("Basic realm=")
    st, h, d, _ = request(rf, "GET", "/redfish/v1/Systems/0",
                          auth="Basic " + base64.b64encode(b"admin:wrong").decode())
    assert st == 401
    st, h, d, _ = request(rf, "GET", "/redfish/v1/Systems/0",
                          auth="Basic !!notbase64!!")
    assert st == 401
    st, h, d, _ = request(rf, "POST", "/redfish/v1/Systems/0/Actions/ComputerSystem.Reset",
                          {"ResetType": "On"}, auth="Basic " + base64.b64encode(b"user:user").decode())
    assert st == 403 and message_ids(d) == ["InsufficientPrivilege"]
    st, h, d, _ = request(rf, "GET", "/redfish/v1/Systems/42")
    assert st == 404 and message_ids(d) == ["ResourceNotFound"]
    st, h, d, _ = request(rf, "DELETE", "/redfish/v1/Systems/0")
    assert st == 405 and "GET" in h["allow"]
    st, h, d, _ = request(rf, "GET", "/redfish/v1/Systems/0")
    assert st == 200 and "PATCH" in h["allow"] and h["etag"].startswith('"')
    assert "rel=describedby" in h["link"] and "cache-control" in h
    etag = h["etag"]
    # 304 / 412 with ETags
    st, h, d, _ = request(rf, "GET", "/redfish/v1/Systems/0", headers={"If-None-Match": etag})
    assert st == 304
    st, h, d, _ = request(rf, "PATCH", "/redfish/v1/Systems/0", {"PowerRestorePolicy": "AlwaysOff"},
                          headers={"If-Match": '"0000000000000000"'})
    assert st == 412 and message_ids(d) == ["PreconditionFailed"]
    st, h, d, _ = request(rf, "PATCH", "/redfish/v1/Systems/0", {"PowerRestorePolicy": "AlwaysOn"},
                          headers={"If-Match": etag})
    assert st in (200, 204)
    # 400 flavours
    st, h, d, _ = request(rf, "PATCH", "/redfish/v1/Systems/0", '{"Boot": ')
    assert st == 400 and message_ids(d) == ["MalformedJSON"]
    st, h, d, _ = request(rf, "PATCH", "/redfish/v1/Systems/0", {"NoSuchThing": 1})
    assert st == 400 and "PropertyUnknown" in message_ids(d)
    st, h, d, _ = request(rf, "PATCH", "/redfish/v1/Systems/0", {"PowerState": "On"})
    assert st == 400 and "PropertyNotWritable" in message_ids(d)
    st, h, d, _ = request(rf, "PATCH", "/redfish/v1/Systems/0",
                          {"Boot": {"BootSourceOverrideTarget": "Mars"}})
    assert st == 400 and "PropertyValueNotInList" in message_ids(d)
    st, h, d, _ = request(rf, "PATCH", "/redfish/v1/Systems/0", '{"a": 1, "a": 2}')
    assert st == 400 and message_ids(d) == ["MalformedJSON"]
    st, h, d, _ = request(rf, "PATCH", "/redfish/v1/Systems/0", b'{"IndicatorLED": "\xff"}')
    assert st == 400
    st, h, d, _ = request(rf, "POST", "/redfish/v1/Systems/0/Actions/ComputerSystem.Reset", {})
    assert st == 400 and message_ids(d) == ["ActionParameterMissing"]
    st, h, d, _ = request(rf, "POST", "/redfish/v1/Systems/0/Actions/ComputerSystem.Reset",
                          {"ResetType": "Nmi"})
    assert st == 400 and message_ids(d) == ["ActionParameterValueNotInList"]
    st, h, d, _ = request(rf, "POST", "/redfish/v1/Systems/0/Actions/ComputerSystem.Reset",
                          {"ResetType": "On"})
    assert st == 204
    # OData-Version 3.0 / 4.1 -> 412; query options we do not do -> 501
    for v in ("3.0", "4.1"):
        st, h, d, _ = request(rf, "GET", "/redfish/v1/Systems/0", headers={"OData-Version": v})
        assert st == 412
    st, h, d, _ = request(rf, "GET", "/redfish/v1/Systems?$expand=*")
    assert st == 501 and message_ids(d) == ["QueryNotSupported"]
    # HEAD: headers only, same length as GET
    out = raw(rf.http, b"HEAD /redfish/v1/Systems/0 HTTP/1.1\r\nHost: x\r\nAuthorization: "
              + AUTH.encode() + b"\r\nConnection: close\r\n\r\n")
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and body == b""
    assert int(re.search(rb"Content-Length: (\d+)", head).group(1)) > 100


def test_http_framing_limits(rf):
    # chunked bodies: 411; oversized body: 413; oversized head: 431
    out = raw(rf.http, b"POST /redfish/v1/SessionService/Sessions HTTP/1.1\r\nHost: x\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 411")
    assert b"Base.1.22." in out
    out = raw(rf.http, b"PATCH /redfish/v1/Systems/0 HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 413")
    out = raw(rf.http, b"GET /redfish/v1/ HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 431")
    out = raw(rf.http, b"GARBAGE\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 400")
    # Expect: 100-continue gets an interim answer before the body is sent
    s = socket.create_connection(("127.0.0.1", rf.http), timeout=5)
    body = json.dumps({"UserName": "admin", "Password": "admin"}).encode()
    s.sendall(b"POST /redfish/v1/SessionService/Sessions HTTP/1.1\r\nHost: x\r\n"
              b"Content-Type: application/json\r\nExpect: 100-continue\r\n"
              b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
    assert s.recv(100).startswith(b"HTTP/1.1 100 Continue")
    s.sendall(body)
    rest = b""
    while True:
        c = s.recv(65536)
        if not c:
            break
        rest += c
    s.close()
    assert rest.startswith(b"HTTP/1.1 201") and b"X-Auth-Token" in rest
    # pipelining: three requests in one write, three answers in order
    req = b"".join(b"GET /redfish/v1/%s HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n\r\n" %
                   (p, AUTH.encode()) for p in (b"Systems/0", b"Chassis", b"Managers/bmc"))
    req += b"GET /redfish HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    out = raw(rf.http, req)
    assert out.count(b"HTTP/1.1 200") == 4
    bodies = [json.loads(part.split(b"\r\n\r\n", 1)[1]) for part in out.split(b"HTTP/1.1 200")[1:]]
    assert [b.get("@odata.id") for b in bodies[:3]] == \
        ["/redfish/v1/Systems/0", "/redfish/v1/Chassis", "/redfish/v1/Managers/bmc"]
    assert bodies[3] == {"v1": "/redfish/v1/"}
    # keep-alive over TLS: two requests on one connection
    out = raw(rf.https, b"GET /redfish/v1/ HTTP/1.1\r\nHost: x\r\n\r\n"
              b"GET /redfish/v1/Systems/0 HTTP/1.1\r\nHost: x\r\nAuthorization: " + AUTH.encode()
              + b"\r\nConnection: close\r\n\r\n", tls=True)
    assert out.count(b"HTTP/1.1 200") == 2


def test_sessions(rf):
    for path in ("/redfish/v1/SessionService/Sessions", "/redfish/v1/SessionService/Sessions/Members"):
        st, h, d, _ = request(rf, "POST", path, {"UserName": "admin", "Password": "admin"}, auth=None)
        assert st == 201 and h["location"].startswith("/redfish/v1/SessionService/Sessions/")
        assert d["Id"] and len(h["x-auth-token"]) >= 32
    # also with an Authorization header present
    st, h, d, _ = request(rf, "POST", "/redfish/v1/SessionService/Sessions",
                          {"UserName": "operator", "Password": "operator"})
    assert st == 201
    token, loc = h["x-auth-token"], h["location"]
    st, h, d, _ = request(rf, "GET", "/redfish/v1/SessionService/Sessions", auth=None,
                          headers={"X-Auth-Token": token})
    assert st == 200 and d["Members@odata.count"] == 3 and isinstance(d["Members@odata.count"], int)
    # the operator's token may reset but not clear the log
    st, h, d, _ = request(rf, "POST", "/redfish/v1/Systems/0/Actions/ComputerSystem.Reset",
                          {"ResetType": "On"}, auth=None, headers={"X-Auth-Token": token})
    assert st == 204
    st, h, d, _ = request(rf, "POST",
                          "/redfish/v1/Systems/0/LogServices/EventLog/Actions/LogService.ClearLog",
                          {}, auth=None, headers={"X-Auth-Token": token})
    assert st == 403
    # a guessed token: 401
    st, h, d, _ = request(rf, "GET", "/redfish/v1/Systems/0", auth=None,
                          headers={"X-Auth-Token": "0" * 32})
    assert st == 401
    # logout, then the token is dead
    st, h, d, _ = request(rf, "DELETE", loc, auth=None, headers={"X-Auth-Token": token})
    assert st in (200, 204)
    st, h, d, _ = request(rf, "GET", "/redfish/v1/Systems/0", auth=None, headers={"X-Auth-Token": token})
    assert st == 401
    # the fixed pool (max_sessions = 4, so 2 per account and 2 kept for administrators):
    # an account logging in again and again replaces its own idlest session
    tokens = []
    for _ in range(4):
        st, h, d, _ = request(rf, "POST", "/redfish/v1/SessionService/Sessions",
                              {"UserName": "admin", "Password": "admin"}, auth=None)
        assert st == 201
        tokens.append(h["x-auth-token"])
    alive = [request(rf, "GET", "/redfish/v1/Systems/0", auth=None,
                     headers={"X-Auth-Token": t})[0] for t in tokens]
    assert alive == [401, 401, 200, 200], alive
    # accounts below Administrator leave the reserve free: past it, a clean 503
    codes = [request(rf, "POST", "/redfish/v1/SessionService/Sessions",
                     {"UserName": u, "Password": u}, auth=None)[0]
             for u in ("operator", "user", "user")]
    assert codes == [201, 201, 503], codes


def test_login_throttling(rf):
    bad = "Basic " + base64.b64encode(b"admin:guess").decode()
    codes = [request(rf, "GET", "/redfish/v1/Systems/0", auth=bad)[0] for _ in range(8)]
    assert codes[:5] == [401] * 5 and 429 in codes[5:], codes
    # even the right password waits while the source is slowed down
    st, h, d, _ = request(rf, "GET", "/redfish/v1/Systems/0")
    assert st == 429 and "retry-after" in h
    assert "login" in rf.log().lower()


def crawl(b, tls=False):
    seen, todo = set(), ["/redfish/v1"]
    while todo:
        p = todo.pop()
        if p in seen or "#" in p:
            continue
        seen.add(p)
        st, h, d, _ = request(b, "GET", p, tls=tls)
        assert st == 200, (p, st, d)
        if p.rstrip("/") != "/redfish/v1":
            assert d["@odata.id"].rstrip("/") == p.rstrip("/"), (p, d["@odata.id"])

        def walk(x):
            if isinstance(x, dict):
                for k, v in x.items():
                    if k in ("@odata.id", "@Redfish.ActionInfo") and isinstance(v, str) and \
                            v.startswith("/redfish/v1"):
                        todo.append(v)
                    else:
                        walk(v)
            elif isinstance(x, list):
                for v in x:
                    walk(v)
        walk(d)
    return seen


def test_crawl_everything_validates(rf):
    rf.ipmitool("power", "on")  # a few log entries
    seen = crawl(rf)
    for want in ("/redfish/v1/Systems/0", "/redfish/v1/Chassis/0", "/redfish/v1/Managers/bmc",
                 "/redfish/v1/Managers/bmc/NetworkProtocol", "/redfish/v1/AccountService/Roles/Operator",
                 "/redfish/v1/Systems/0/LogServices/EventLog/Entries",
                 "/redfish/v1/EventService", "/redfish/v1/Systems/0/ResetActionInfo"):
        assert want in seen, want
    assert len(seen) >= 20
    # the same over HTTPS
    assert crawl(rf, tls=True) == seen


def test_sse_event_after_ipmi_power_off(rf):
    rf.ipmitool("power", "on")
    assert rf.wait_power(True)
    s = socket.create_connection(("127.0.0.1", rf.http), timeout=10)
    s.sendall(b"GET /redfish/v1/EventService/SSE HTTP/1.1\r\nHost: x\r\nAuthorization: "
              + AUTH.encode() + b"\r\nAccept: text/event-stream\r\n\r\n")
    buf = b""
    while b"\r\n\r\n" not in buf:
        buf += s.recv(4096)
    assert buf.startswith(b"HTTP/1.1 200") and b"text/event-stream" in buf
    rf.ipmitool("power", "off")
    deadline = time.monotonic() + 10
    events = []
    while time.monotonic() < deadline:
        try:
            buf += s.recv(65536)
        except socket.timeout:
            break
        for frame in re.findall(rb"data: (\{.*?\})\n\n", buf):
            events.append(json.loads(frame))
        if any("Off" in json.dumps(e) for e in events):
            break
    s.close()
    assert events, buf
    for e in events:
        assert not rf_schema.validate(e), rf_schema.validate(e)
    text = json.dumps(events)
    assert "/redfish/v1/Systems/0" in text and "Off" in text
    # a bounded number of streams (max_sse = 2): the third is refused
    conns = []
    for _ in range(2):
        c = socket.create_connection(("127.0.0.1", rf.http), timeout=5)
        c.sendall(b"GET /redfish/v1/EventService/SSE HTTP/1.1\r\nHost: x\r\nAuthorization: "
                  + AUTH.encode() + b"\r\n\r\n")
        assert c.recv(4096).startswith(b"HTTP/1.1 200")
        conns.append(c)
    out = raw(rf.http, b"GET /redfish/v1/EventService/SSE HTTP/1.1\r\nHost: x\r\nAuthorization: "
              + AUTH.encode() + b"\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 503")
    for c in conns:
        c.close()


def test_boot_override_shared_with_ipmi(rf):
    st, h, d, _ = request(rf, "PATCH", "/redfish/v1/Systems/0", {"Boot": {
        "BootSourceOverrideTarget": "Pxe", "BootSourceOverrideEnabled": "Continuous",
        "BootSourceOverrideMode": "UEFI"}})
    assert st in (200, 204)
    out = rf.ipmitool("chassis", "bootparam", "get", "5").stdout
    assert "Force PXE" in out and "all future boots" in out and "BIOS EFI boot" in out
    rf.ipmitool("chassis", "bootdev", "cdrom")
    st, h, d, _ = request(rf, "GET", "/redfish/v1/Systems/0")
    assert d["Boot"]["BootSourceOverrideTarget"] == "Cd"
    assert d["Boot"]["BootSourceOverrideEnabled"] == "Once"
    # one-time: consumed by the next power-on that the host model performs
    st, h, d, _ = request(rf, "POST", "/redfish/v1/Systems/0/Actions/ComputerSystem.Reset",
                          {"ResetType": "On"})
    assert rf.wait_power(True)
    st, h, d, _ = request(rf, "GET", "/redfish/v1/Systems/0")
    assert d["Boot"]["BootSourceOverrideEnabled"] == "Disabled"


def test_force_off_then_on_ends_on(rf):
    rf.ipmitool("power", "on")
    assert rf.wait_power(True)
    time.sleep(0.3)  # past the power-on's hold-off: the ForceOff runs, it is not superseded
    assert request(rf, "POST", "/redfish/v1/Systems/0/Actions/ComputerSystem.Reset",
                   {"ResetType": "ForceOff"})[0] == 204
    st, h, d, _ = request(rf, "GET", "/redfish/v1/Systems/0")
    assert d["PowerState"] in ("PoweringOff", "On")
    assert request(rf, "POST", "/redfish/v1/Systems/0/Actions/ComputerSystem.Reset",
                   {"ResetType": "On"})[0] == 204
    time.sleep(1.5)
    assert rf.wait_power(True)
    st, h, d, _ = request(rf, "GET", "/redfish/v1/Systems/0/LogServices/EventLog/Entries")
    msgs = " ".join(e.get("Message", "") for e in d["Members"])
    assert "Redfish" in msgs and "admin" in msgs, msgs


NETNS_PROBE = r"""
import socket, subprocess, sys, time
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
subprocess.run(["ip", "addr", "add", "192.0.2.1/32", "dev", "lo"], check=True)
bmcd, conf, port, auth = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
p = subprocess.Popen([bmcd, "-c", conf], stderr=subprocess.DEVNULL)
def get(src):
    for _ in range(100):
        try:
            s = socket.create_connection(("192.0.2.1" if src != "127.0.0.1" else "127.0.0.1", port),
                                         timeout=5, source_address=(src, 0))
            break
        except OSError:
            time.sleep(0.05)
    s.sendall(b"GET /redfish/v1/Systems/0 HTTP/1.1\r\nHost: x\r\nAuthorization: " + auth.encode()
              + b"\r\nConnection: close\r\n\r\n")
    out = b""
    while True:
        c = s.recv(65536)
        if not c:
            break
        out += c
    return out
try:
    print(get("192.0.2.1").decode(errors="replace").replace("\r\n", " | ").replace("\n", " "))
    print(get("127.0.0.1")[:12].decode())
finally:
    p.terminate()
    p.wait()
"""


def test_plain_http_is_loopback_only(bmcd_factory):
    """Plain HTTP answers the API only to loopback peers (Basic credentials must not cross a
    network in clear). The non-loopback peer lives in a network namespace of our own: a
    documentation address (192.0.2.1) on its loopback device, so nothing leaves the machine."""
    probe = subprocess.run(["unshare", "--net", "ip", "addr", "add", "192.0.2.1/32", "dev", "lo"],
                           capture_output=True)
    if probe.returncode != 0:
        pytest.skip("cannot create a network namespace here: %s" % probe.stderr.decode())
    http = free_tcp_port()
    b = bmcd_factory(start=False, extra="[redfish]\nlisten = ::\nhttp_port = %d\nhttps_port = 0\n" % http)
    from conftest import BMCD
    r = subprocess.run(["unshare", "--net", "/usr/bin/python3", "-c", NETNS_PROBE, BMCD, b.conf,
                        str(http), AUTH], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    first, second = r.stdout.strip().split("\n")[-2:]
    assert first.startswith("HTTP/1.1 403") and "HTTPS" in first, first
    assert second.startswith("HTTP/1.1 200"), second
