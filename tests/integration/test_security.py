"""Issue 12: regression tests for the security findings, written against the wanted
behaviour. Loopback only; other source addresses are 127.0.0.2/.3; every loop is bounded.

1. the IPMI random stream does not give away the TLS private key
2. a forged RAKP 3 cannot end an active session; Get Session Info hides other sessions'
   addresses from a USER-privilege session
3. failed-login counters are per (address, user): another account's success does not reset
   them (IPMI and Redfish)
4. reloading the users file revokes IPMI sessions, Redfish tokens and SSE streams of users
   whose password or privilege changed or who were removed; deleting a Redfish session ends
   its SSE stream
5. the users file: an unknown privilege is an error, ':' in passwords, PiKVM's format, a
   warning for a world-readable file
6. a read-only account cannot fill the IPMI session table or the Redfish session pool
7. a user name in RAKP 1 cannot inject log lines or terminal escapes
8. Redfish odds: a non-string password is not echoed; a JSON body without Content-Type is 415
"""
import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import signal
import socket
import ssl
import struct
import subprocess
import time

import requests
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from conftest import BMCD, BMCD_WRAP, SLOW, free_tcp_port
from rmcp import RMCP, Rmcp

OPEN_ALGS_17 = bytes([0, 0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 8, 4, 0, 0, 0, 2, 0, 0, 8, 1, 0, 0, 0])


# --- helpers --------------------------------------------------------------------------------

def redfish_conf(http=0, https=0, more=""):
    return ("[redfish]\nlisten = 127.0.0.1\nhttp_port = %d\nhttps_port = %d\n" % (http, https)
            + more)


def rf_factory(bmcd_factory, more="", **kw):
    http = free_tcp_port()
    b = bmcd_factory(extra=redfish_conf(http=http, more=more), **kw)
    b.http = http
    b.url = "http://127.0.0.1:%d" % http
    return b


def presession(ptype, payload):
    """An unauthenticated RMCP+ packet (session ID 0, sequence 0)."""
    return RMCP + bytes([6, ptype]) + struct.pack("<IIH", 0, 0, len(payload)) + payload


def open_session_payload(con_sid, tag=0, role=0):
    return bytes([tag, role, 0, 0]) + struct.pack("<I", con_sid) + OPEN_ALGS_17


def drain(sock, seconds=0.3):
    """Reads and discards whatever answers are queued on sock (so a later request does not
    take a stale error message for its answer)."""
    old = sock.gettimeout()
    sock.settimeout(seconds)
    got = []
    try:
        while len(got) < 50:
            got.append(sock.recv(2048))
    except (socket.timeout, BlockingIOError):
        pass
    finally:
        sock.settimeout(old)
    return got


def login_steps(c, user, password, role=0x14):
    """Rmcp.login, but says where it stopped: ("open"|"rakp2"|"rakp4", status) with status
    -1 for no answer, or ("ok", 0). Only "rakp4" means the password was checked."""
    c.user, kuid = user.encode(), password.encode().ljust(20, b"\0")
    c.con_sid = struct.unpack("<I", os.urandom(4))[0] | 1
    r = c._xfer(c._pre(0x10, bytes([1, 0, 0, 0]) + struct.pack("<I", c.con_sid) + OPEN_ALGS_17))
    if not r or len(r) < 18:
        return "open", -1
    if r[17] != 0:
        return "open", r[17]
    c.bmc_sid = struct.unpack("<I", r[24:28])[0]
    rm = os.urandom(16)
    r = c._xfer(c._pre(0x12, bytes([2, 0, 0, 0]) + struct.pack("<I", c.bmc_sid) + rm +
                       bytes([role, 0, 0, len(c.user)]) + c.user))
    if not r or len(r) < 18:
        return "rakp2", -1
    if r[17] != 0:
        return "rakp2", r[17]
    rc = r[24:40]
    code = hmac.new(kuid, rc + struct.pack("<I", c.con_sid) + bytes([role, len(c.user)]) + c.user,
                    hashlib.sha256).digest()
    r = c._xfer(c._pre(0x14, bytes([3, 0, 0, 0]) + struct.pack("<I", c.bmc_sid) + code))
    if not r or len(r) < 18:
        return "rakp4", -1
    if r[17] != 0:
        return "rakp4", r[17]
    sik = hmac.new(kuid, rm + rc + bytes([role, len(c.user)]) + c.user, hashlib.sha256).digest()
    c.k1 = hmac.new(sik, b"\1" * 20, hashlib.sha256).digest()
    c.k2 = hmac.new(sik, b"\2" * 20, hashlib.sha256).digest()[:16]
    c.seq = 0
    return "ok", 0


def get_device_id(c):
    cc, data = c.cmd(0x06, 0x01)
    return cc


def reload_users(b, text, sighup=True, timeout=5.0):
    """Rewrites the users file and makes bmcd read it (SIGHUP); waits for the reload line."""
    before = b.log().count("reload:")
    with open(b.users, "w") as f:
        f.write(text)
    if sighup:
        b.proc.send_signal(signal.SIGHUP)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if b.log().count("reload:") > before:
            return
        time.sleep(0.05)
    raise AssertionError("users file not reloaded:\n" + b.log()[-2000:])


def rf_token(b, user, password):
    r = requests.post(b.url + "/redfish/v1/SessionService/Sessions",
                      json={"UserName": user, "Password": password}, timeout=5)
    assert r.status_code == 201, (r.status_code, r.text)
    return r.headers["X-Auth-Token"], r.headers["Location"]


def sse_open(b, headers):
    """An SSE stream over plain HTTP; returns the socket once the 200 head is read."""
    s = socket.create_connection(("127.0.0.1", b.http), timeout=5)
    s.sendall(("GET /redfish/v1/EventService/SSE HTTP/1.1\r\nHost: x\r\n"
               "Accept: text/event-stream\r\n" +
               "".join("%s: %s\r\n" % kv for kv in headers.items()) + "\r\n").encode())
    head = b""
    end = time.monotonic() + 5
    while b"\r\n\r\n" not in head and time.monotonic() < end:
        chunk = s.recv(4096)
        if not chunk:
            break
        head += chunk
    assert head.startswith(b"HTTP/1.1 200") and b"text/event-stream" in head, head
    return s


def closed_within(s, seconds):
    """True when the server closes (EOF or reset) the stream within `seconds`."""
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return False
        s.settimeout(left)
        try:
            if not s.recv(65536):
                return True
        except socket.timeout:
            return False
        except (ConnectionResetError, BrokenPipeError):
            return True


def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


# --- 1. RNG separation ------------------------------------------------------------------------

def _p256_candidates(stream):
    """Every 32-byte window of stream, read big- and little-endian, that is a valid P-256
    scalar."""
    n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    out = []
    for off in range(0, len(stream) - 31):
        w = stream[off:off + 32]
        for order in ("big", "little"):
            k = int.from_bytes(w, order)
            if 0 < k < n:
                out.append(("offset %d %s-endian" % (off, order), k))
    return out


def test_ipmi_randoms_do_not_reveal_tls_key(bmcd_factory):
    https = free_tcp_port()
    b = bmcd_factory(extra=redfish_conf(https=https))
    # before any other IPMI traffic: 8 Open Sessions, then one RAKP 1 for an Rc
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(2)
    sids = []
    for i in range(8):
        s.sendto(presession(0x10, open_session_payload(0x1000 + i, tag=i)), ("127.0.0.1", b.port))
        r = s.recv(2048)
        assert len(r) >= 28 and r[17] == 0, r
        sids.append(r[24:28])  # the BMC session ID as on the wire (little-endian)
    s.sendto(presession(0x12, bytes([9, 0, 0, 0]) + sids[0] + os.urandom(16) +
                        bytes([0x14, 0, 0, 5]) + b"admin"), ("127.0.0.1", b.port))
    r = s.recv(2048)
    assert len(r) >= 40 and r[17] == 0, r
    rc = r[24:40]
    s.close()

    pem = ssl.get_server_certificate(("127.0.0.1", https), timeout=5)
    cert = x509.load_pem_x509_certificate(pem.encode())
    pub = cert.public_key()
    assert isinstance(pub, ec.EllipticCurvePublicKey) and pub.curve.name == "secp256r1"
    want = pub.public_numbers()

    wire = b"".join(sids)
    as_be = b"".join(x[::-1] for x in sids)  # the IDs as numbers, written big-endian
    found = []
    for label, stream in (("session IDs", wire), ("session IDs + Rc", wire + rc),
                          ("Rc + session IDs", rc + wire), ("session IDs (BE)", as_be),
                          ("session IDs (BE) + Rc", as_be + rc)):
        for where, k in _p256_candidates(stream):
            cand = ec.derive_private_key(k, ec.SECP256R1()).public_key().public_numbers()
            if cand == want:
                found.append("%s, %s" % (label, where))
    assert not found, "the TLS private key is readable from the IPMI randoms: %s" % found


# --- 2. forged RAKP 3, session info ----------------------------------------------------------

def test_forged_rakp3_does_not_end_active_session(bmcd_factory):
    b = bmcd_factory()
    c = Rmcp(b.port)
    assert c.login("admin", "admin") == 0
    assert get_device_id(c) == 0
    sid = struct.pack("<I", c.bmc_sid)
    # same source address and port as the console; unauthenticated (session ID 0 in the header)
    forged_garbage = presession(0x14, bytes([0x21, 0x00, 0, 0]) + sid + os.urandom(32))
    forged_abort = presession(0x14, bytes([0x22, 0x0F, 0, 0]) + sid)
    c.s.sendto(forged_garbage, ("127.0.0.1", b.port))
    drain(c.s)
    assert get_device_id(c) == 0, "session dead after a RAKP 3 with a garbage code"
    for i in range(6):  # more than failed_logins (5): must not count or lock anything
        c.s.sendto(forged_abort, ("127.0.0.1", b.port))
    drain(c.s)
    cc = get_device_id(c)
    log = b.log()
    assert cc == 0, "session no longer answers after a forged RAKP 3 with status 0x0F " \
        "(cc %r):\n%s" % (cc, log[-1500:])
    assert "console aborted" not in log, log[-1500:]
    assert "failed logins from 127.0.0.1" not in log, log[-1500:]
    # the same address can still log in (nothing was counted against it)
    d = Rmcp(b.port)
    assert d.login("admin", "admin") == 0
    d.close()
    c.close()


def test_session_info_hides_other_sessions_address(bmcd_factory):
    b = bmcd_factory()
    adm = Rmcp(b.port)
    assert adm.login("admin", "admin") == 0
    cc, mine = adm.cmd(0x06, 0x3D, b"\x00")
    assert cc == 0 and len(mine) >= 18, (cc, mine)
    admin_handle = mine[0]
    admin_port = adm.s.getsockname()[1]
    assert mine[6:10] == bytes([127, 0, 0, 1]) and struct.unpack("<H", mine[16:18])[0] == admin_port

    usr = Rmcp(b.port)
    assert usr.login("user", "user") == 0
    # its own session: the real address and port
    cc, own = usr.cmd(0x06, 0x3D, b"\x00")
    assert cc == 0 and len(own) >= 18, (cc, own)
    assert own[6:10] == bytes([127, 0, 0, 1]), own.hex()
    assert struct.unpack("<H", own[16:18])[0] == usr.s.getsockname()[1], own.hex()

    leaks = []
    answers = [("handle 0x%02x" % admin_handle, usr.cmd(0x06, 0x3D, bytes([0xFE, admin_handle]))),
               ("session ID", usr.cmd(0x06, 0x3D, b"\xFF" + struct.pack("<I", adm.bmc_sid)))]
    for idx in (1, 2, 3):
        answers.append(("index %d" % idx, usr.cmd(0x06, 0x3D, bytes([idx]))))
    for how, (cc, data) in answers:
        if cc != 0 or len(data) < 1 or data[0] != admin_handle:
            continue  # refused (acceptable), or not the admin's session
        ip = data[6:10]
        port = data[16:18]
        if ip.strip(b"\0") or port.strip(b"\0"):
            leaks.append("%s: address %s port %s" % (how, ip.hex(), port.hex()))
    assert not leaks, "a USER session learns the admin's address: %s" % leaks
    usr.close()
    adm.close()


# --- 3. failure counters per (address, user) --------------------------------------------------

def test_ipmi_failed_logins_not_reset_by_another_user(bmcd_factory):
    # the defaults, spelled out: 5 failures within 60 s, then a wait from 1 s up
    b = bmcd_factory(extra="[ipmi]\nfailed_logins = 5\nfailed_login_window = 60\nlockout_max = 60\n")
    steps = []
    for rnd in range(6):
        for i in range(4):
            c = Rmcp(b.port, timeout=0.5)
            steps.append(login_steps(c, "admin", "wrong%d%d" % (rnd, i)))
            c.s.close()
        c = Rmcp(b.port, timeout=0.5)
        ok = login_steps(c, "user", "user")  # may or may not be served: not asserted
        if ok[0] == "ok":
            c.close()
        else:
            c.s.close()
    checked = [s for s in steps if s[0] == "rakp4"]
    refused = [s for s in steps if s[0] in ("open", "rakp2")]
    assert all(s[0] in ("open", "rakp2", "rakp4") for s in steps), steps
    assert refused, "24 wrong admin passwords from one address, each password checked " \
        "(%d), never throttled: a good login as another user resets the counter" % len(checked)


def test_redfish_failed_logins_not_reset_by_another_user(bmcd_factory):
    b = rf_factory(bmcd_factory)
    codes = []
    retry_after = []
    for rnd in range(12):
        for i in range(4):
            r = requests.get(b.url + "/redfish/v1/Systems/0", auth=("admin", "guess%d" % i),
                             timeout=5)
            codes.append(r.status_code)
            if r.status_code == 429:
                retry_after.append(r.headers.get("Retry-After"))
        requests.get(b.url + "/redfish/v1/Systems/0", auth=("user", "user"), timeout=5)
    assert 429 in codes, "48 wrong admin passwords, never throttled: %s" % codes
    assert all(v and v.isdigit() for v in retry_after), retry_after


# --- 4. reloading the users file revokes ------------------------------------------------------

def open_both(b, user, password):
    """An IPMI session and a Redfish token for one account, both checked to work."""
    c = Rmcp(b.port)
    assert c.login(user, password) == 0
    assert get_device_id(c) == 0
    token, _ = rf_token(b, user, password)
    assert requests.get(b.url + "/redfish/v1/Systems/0", headers={"X-Auth-Token": token},
                        timeout=5).status_code == 200
    return c, token


def test_reload_password_change_revokes_sessions(bmcd_factory):
    b = rf_factory(bmcd_factory)
    c, token = open_both(b, "admin", "admin")
    reload_users(b, "admin:N3wPassw0rd\noperator:operator:operator\nuser:user:user\n")
    t0 = time.monotonic()
    cc = get_device_id(c)  # Rmcp waits 1 s for an answer
    assert cc != 0 and time.monotonic() - t0 < 2.5, \
        "IPMI session of admin still answers after the password changed (cc %r)" % cc
    st = requests.get(b.url + "/redfish/v1/Systems/0", headers={"X-Auth-Token": token},
                      timeout=5).status_code
    assert st == 401, "Redfish token of admin still valid after the password changed: %d" % st
    c.s.close()


def test_reload_privilege_change_revokes_sessions(bmcd_factory):
    b = rf_factory(bmcd_factory)
    c, token = open_both(b, "operator", "operator")
    reload_users(b, "admin:admin\noperator:operator:user\nuser:user:user\n")
    cc = get_device_id(c)
    st = requests.get(b.url + "/redfish/v1/Systems/0", headers={"X-Auth-Token": token},
                      timeout=5).status_code
    assert cc != 0 and st == 401, \
        "operator -> user: IPMI session answers (cc %r), Redfish token gets %d" % (cc, st)
    c.s.close()


def test_sse_stream_closed_when_its_session_is_deleted(bmcd_factory):
    b = rf_factory(bmcd_factory)
    token, loc = rf_token(b, "operator", "operator")
    s = sse_open(b, {"X-Auth-Token": token})
    r = requests.delete(b.url + loc, headers={"X-Auth-Token": token}, timeout=5)
    assert r.status_code in (200, 204), r.status_code
    assert requests.get(b.url + "/redfish/v1/Systems/0", headers={"X-Auth-Token": token},
                        timeout=5).status_code == 401
    closed = closed_within(s, 3.0)
    s.close()
    assert closed, "SSE stream of a deleted session still open after 3 s"


def test_sse_stream_closed_when_its_user_is_removed(bmcd_factory):
    b = rf_factory(bmcd_factory)
    s = sse_open(b, {"Authorization": basic("user", "user")})
    reload_users(b, "admin:admin\noperator:operator:operator\n")
    closed = closed_within(s, 3.0)
    s.close()
    assert closed, "SSE stream (Basic) of a removed user still open after 3 s"


# --- 5. users file ---------------------------------------------------------------------------

def check_config(b):
    r = subprocess.run([*BMCD_WRAP, BMCD, "-c", b.conf, "--check-config"], capture_output=True,
                       text=True, timeout=60 if SLOW else 20)
    return r.returncode, r.stdout + r.stderr


def test_users_file_unknown_privilege_is_an_error(bmcd_factory):
    # accepted: a ':' inside a password followed by a privilege, and PiKVM's ipmipasswd format
    b = bmcd_factory(start=False, users="bob:pa:ss:admin\nadmin:secret -> admin:admin\n")
    rc, out = check_config(b)
    assert rc == 0, out
    b.start()
    b.ipmitool("-L", "ADMINISTRATOR", "chassis", "power", "status", user="bob", password="pa:ss")
    b.ipmitool("chassis", "power", "status", user="admin", password="secret")
    b.stop()
    # refused: an unknown privilege is not silently part of the password
    b2 = bmcd_factory(start=False, users="bob:Secret42:no-access\n")
    rc, out = check_config(b2)
    assert rc == 1, "bob:Secret42:no-access accepted (exit %d): %s" % (rc, out)
    assert "%s:1:" % b2.users in out, out


def test_world_readable_users_file_warns(bmcd_factory):
    b = bmcd_factory(start=False)
    os.chmod(b.users, 0o644)
    b.start()  # still starts
    lines = [l for l in b.log().splitlines() if b.users in l and
             re.search(r"(?i)readable|permission|mode|chmod|644|world|others", l)]
    assert lines, "no warning about the world-readable users file:\n" + b.log()[-2000:]
    assert b.ipmitool("chassis", "power", "status").returncode == 0


# --- 6. a read-only account cannot fill the session tables -------------------------------------

def test_user_cannot_fill_ipmi_session_table(bmcd_factory):
    b = bmcd_factory(max_sessions=16)
    held = []
    results = []
    try:
        for i in range(40):
            c = Rmcp(b.port, source="127.0.0.%d" % (2 + i % 2), timeout=0.5)
            st = c.login("user", "user")
            results.append(st)
            if st == 0:
                held.append(c)
            else:
                c.s.close()
        assert held, results
        r = b.ipmitool("chassis", "power", "status", check=False, timeout=20)
        assert r.returncode == 0 and "Chassis Power is" in r.stdout, \
            "admin locked out after 'user' opened %d sessions: %s%s" % (len(held), r.stdout,
                                                                       r.stderr)
    finally:
        for c in held:
            c.close()


def test_user_cannot_fill_redfish_session_pool(bmcd_factory):
    b = rf_factory(bmcd_factory, more="max_sessions = 16\n")
    codes = []
    for _ in range(20):
        r = requests.post(b.url + "/redfish/v1/SessionService/Sessions",
                          json={"UserName": "user", "Password": "user"}, timeout=5)
        codes.append(r.status_code)
    assert 201 in codes, codes
    r = requests.post(b.url + "/redfish/v1/SessionService/Sessions",
                      json={"UserName": "admin", "Password": "admin"}, timeout=5)
    assert r.status_code == 201, "admin login %d after 'user' made 20 sessions %s" % (
        r.status_code, codes)


# --- 7. log injection --------------------------------------------------------------------------

def test_rakp1_user_name_cannot_inject_log_lines(bmcd_factory):
    b = bmcd_factory()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.2", 0))
    s.settimeout(2)
    s.sendto(presession(0x10, open_session_payload(0x4242)), ("127.0.0.1", b.port))
    r = s.recv(2048)
    assert r[17] == 0, r
    sid = r[24:28]
    name = b"x\n<0>FAKE\x1b[31m"  # 14 bytes: within the 16-byte limit
    s.sendto(presession(0x12, bytes([1, 0, 0, 0]) + sid + os.urandom(16) +
                        bytes([0x14, 0, 0, len(name)]) + name), ("127.0.0.1", b.port))
    r = s.recv(2048)
    s.close()
    assert len(r) >= 18 and r[17] != 0, r  # unknown user: refused (and logged)
    time.sleep(0.1)
    log = b.log()
    bad = [l for l in log.split("\n") if l.startswith("<0>") or l.startswith("FAKE")]
    assert not bad, "forged log line(s): %r" % bad
    assert "\x1b" not in log, "ESC byte in the log: %r" % [l for l in log.split("\n") if "\x1b" in l]


# --- 8. Redfish odds ---------------------------------------------------------------------------

def test_session_login_with_numeric_password_not_echoed(bmcd_factory):
    b = rf_factory(bmcd_factory)
    r = requests.post(b.url + "/redfish/v1/SessionService/Sessions",
                      json={"UserName": "admin", "Password": 123456789}, timeout=5)
    assert r.status_code == 400, (r.status_code, r.text)
    assert "123456789" not in r.text, r.text


def test_json_body_without_content_type_is_415(bmcd_factory):
    b = rf_factory(bmcd_factory)

    def send(method, path, body, headers):
        c = http.client.HTTPConnection("127.0.0.1", b.http, timeout=5)
        c.request(method, path, body=body, headers=headers)  # adds no Content-Type
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, data

    login = send("POST", "/redfish/v1/SessionService/Sessions",
                 json.dumps({"UserName": "admin", "Password": "admin"}).encode(), {})
    patch = send("PATCH", "/redfish/v1/Systems/0", json.dumps({"IndicatorLED": "Lit"}).encode(),
                 {"Authorization": basic("admin", "admin")})
    assert (login[0], patch[0]) == (415, 415), \
        "without Content-Type: session POST %d, Systems/0 PATCH %d" % (login[0], patch[0])
