"""Issue 17: Redfish event subscriptions (EventService/Subscriptions) pushing power, log and
test events to webhooks over http:// and https://, with sushy as Ironic uses it, a local
receiver (http.server in a thread) and the real clients (ipmitool, curl) on loopback."""
import http.server
import json
import os
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import free_tcp_port
from test_redfish import AUTH, message_ids, request

SUBS = "/redfish/v1/EventService/Subscriptions"


# --- a webhook receiver ------------------------------------------------------------------------

class Receiver:
    """An HTTP(S) server on 127.0.0.1 in a thread; mode: ok | 500 | slow | reset."""

    def __init__(self, mode="ok", tls=None):
        self.events, self.mode, self.hits = [], mode, 0
        self.cond = threading.Condition()
        rec = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                with rec.cond:
                    rec.hits += 1
                if rec.mode == "slow":  # reads one byte a second, never answers in time
                    for _ in range(30):
                        if not self.rfile.read(1):
                            return
                        time.sleep(1)
                    return
                if rec.mode == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                               struct.pack("ii", 1, 0))
                    self.close_connection = True
                    return
                n = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(n)
                if rec.mode == "500":
                    self.send_response(500)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                with rec.cond:
                    rec.events.append((self.path, dict(self.headers), json.loads(body)))
                    rec.cond.notify_all()
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()
                if rec.mode == "close":  # closes without saying so in the answer
                    self.close_connection = True

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.srv.daemon_threads = True
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.srv.socket = ctx.wrap_socket(self.srv.socket, server_side=True)
        self.port = self.srv.server_address[1]
        self.url = "%s://127.0.0.1:%d/hook" % ("https" if tls else "http", self.port)
        self.t = threading.Thread(target=self.srv.serve_forever, daemon=True)
        self.t.start()

    def wait(self, pred, timeout=10.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not pred(self.events):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
        return True

    def records(self):
        return [(b["Context"] if "Context" in b else None, int(b["Id"]), r)
                for _, _, b in self.events for r in b["Events"]]

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


@pytest.fixture(scope="module")
def pki():
    """A test CA, a receiver certificate it signed (IP:127.0.0.1) and a self-signed one."""
    d = tempfile.mkdtemp(prefix="bmcd-subs-pki-")
    run = lambda *a: subprocess.run(a, cwd=d, check=True, capture_output=True, timeout=60)
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=bmcd test CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
    run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1")
    with open(os.path.join(d, "ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    run("openssl", "x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "srv.pem", "-days", "2", "-extfile", "ext")
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-keyout", "self.key", "-out", "self.pem", "-days", "2", "-subj", "/CN=self")
    yield {k: os.path.join(d, k) for k in ("ca.pem", "srv.pem", "srv.key", "self.pem", "self.key")}
    subprocess.run(["rm", "-rf", d])


@pytest.fixture
def rfs(bmcd_factory, pki):
    http = free_tcp_port()
    b = bmcd_factory(extra="[redfish]\nlisten = 127.0.0.1\nhttp_port = %d\nsubscriptions = 3\n"
                     "event_queue = 8\ndelivery_retry_attempts = 2\ndelivery_retry_interval = 1\n"
                     "delivery_timeout_ms = 1500\nsubscription_ca = %s\n" % (http, pki["ca.pem"]))
    b.http = http
    b.url = "http://127.0.0.1:%d" % http
    receivers = []

    def receiver(*a, **k):
        r = Receiver(*a, **k)
        receivers.append(r)
        return r
    b.receiver = receiver
    yield b
    for r in receivers:
        r.close()


def subscribe(b, dest, **props):
    body = {"Destination": dest, "Protocol": "Redfish"}
    body.update(props)
    st, h, d, _ = request(b, "POST", SUBS, body)
    assert st == 201, (st, d)
    assert h["location"] == d["@odata.id"]
    return d


def timed(fn):
    t = time.monotonic()
    fn()
    return time.monotonic() - t


# --- sushy, as Ironic calls it -------------------------------------------------------------------

SUSHY = r"""
import os, sys, warnings
warnings.simplefilter("ignore")
import sushy
from sushy import auth
root = sushy.Sushy(sys.argv[1], auth=auth.BasicAuth("admin", "admin"), verify=False)
es = root.get_event_service()
print("retry", es.delivery_retry_attempts, es.delivery_retry_interval)
print("types", sorted(es.event_types_for_subscription))
subs = es.subscriptions
s = subs.create({"Destination": sys.argv[2], "EventTypes": ["Alert"], "Protocol": "Redfish",
                 "Context": "ironic-node-1", "HttpHeaders": [{"X-Token": "secret"}]})
print("created", s.identity, s.destination, s.context, s.event_types, s.http_headers)
subs.refresh()
print("members", subs.members_identities)
es.submit_test_event("t1", "2026-01-01T00:00:00Z", "Alert", "hello", [], "Base.1.0.Success",
                     "/redfish/v1/Systems/0", "OK")
s.delete()
subs.refresh()
print("after delete", subs.members_identities)
"""


def test_sushy_subscription_api(rfs):
    rec = rfs.receiver()
    env = dict(os.environ)
    env.pop("REQUESTS_CA_BUNDLE", None)
    env.pop("CURL_CA_BUNDLE", None)
    r = subprocess.run(["/usr/bin/python3", "-c", SUSHY, rfs.url + "/redfish/v1", rec.url],
                       capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert "retry 2 1" in out, out
    assert "ALERT" in out.split("types", 1)[1].split("\n", 1)[0].upper(), out
    assert "created 1 %s ironic-node-1 ['Alert'] []" % rec.url in out, out
    assert "members ('/redfish/v1/EventService/Subscriptions/1',)" in out, out
    assert "after delete ()" in out, out
    assert rec.wait(lambda ev: ev), "the test event never came"
    path, hdrs, body = rec.events[0]
    assert path == "/hook" and hdrs.get("X-Token") == "secret"
    assert body["Context"] == "ironic-node-1" and body["@odata.type"].startswith("#Event.")
    e = body["Events"][0]
    assert e["MessageId"] == "Base.1.0.Success" and e["EventId"] == "t1"
    assert e["OriginOfCondition"] == {"@odata.id": "/redfish/v1/Systems/0"}


# --- IPMI and Redfish changes reach the webhook, in order -------------------------------------

def test_power_and_sel_events_in_order(rfs):
    rec = rfs.receiver()
    other = rfs.receiver()
    subscribe(rfs, rec.url, Context="ctx-A")
    subscribe(rfs, other.url, Context="ctx-B", ResourceTypes=["LogEntry"])

    created = lambda ev: any(r["MessageId"].endswith("ResourceCreated") for _, _, b in ev
                             for r in b["Events"])  # a LogEntry (power actions are logged)

    def powered(state):
        return lambda ev: any(r.get("MessageId", "").endswith(state)
                              for _, _, b in ev for r in b["Events"])
    rfs.ipmitool("power", "on")
    assert rec.wait(powered("ResourcePoweredOn")), rec.events
    rfs.ipmitool("power", "off")
    assert rec.wait(powered("ResourcePoweredOff")), rec.events
    n = len(rec.events)
    st, _, _, _ = request(rfs, "POST", "/redfish/v1/Systems/0/Actions/ComputerSystem.Reset",
                          {"ResetType": "On"})
    assert st in (200, 204)
    assert rec.wait(lambda ev: powered("ResourcePoweredOn")(ev[n:])), rec.events
    n = len(rec.events)
    # an IPMI Add SEL Entry (a system event record) is a new LogEntry for subscribers
    rfs.ipmitool("raw", "0x0a", "0x44", *("0x%02x" % v for v in (
        0, 0, 0x02, 0, 0, 0, 0, 0x41, 0, 0x04, 0x12, 0x01, 0x6F, 0x02, 0xFF, 0xFF)))
    assert rec.wait(lambda ev: created(ev[n:])), rec.records()
    n = len(rec.events)
    rfs.ipmitool("sel", "clear")
    cleared = lambda ev: any(r["OriginOfCondition"]["@odata.id"].endswith("/EventLog/Entries")
                             for _, _, b in ev for r in b["Events"])
    assert rec.wait(lambda ev: cleared(ev[n:])), ([r["MessageId"] for _, _, r in rec.records()],
                                                  rfs.log()[-3000:])
    recs = rec.records()
    assert all(c == "ctx-A" for c, _, _ in recs)
    ids = [i for _, i, _ in recs]
    assert ids == sorted(ids) and len(set(ids)) == len(rec.events)
    order = [m for _, _, r in recs for m in [r["MessageId"].split(".")[-1]]
             if m in ("ResourcePoweredOn", "ResourcePoweredOff")]
    assert order[:3] == ["ResourcePoweredOn", "ResourcePoweredOff", "ResourcePoweredOn"], order
    # the clear is the last thing: the log (now empty) changed
    last = recs[-1][2]
    assert last["MessageId"].endswith("ResourceChanged")
    assert last["OriginOfCondition"]["@odata.id"].endswith("/LogServices/EventLog/Entries")
    # the LogEntry-only subscription got log events only, with its own Context
    assert other.wait(created)
    assert all(c == "ctx-B" and "/Entries" in r["OriginOfCondition"]["@odata.id"]
               for c, _, r in other.records())
    # the same records as the SSE stream: valid Events
    import rf_schema
    for _, _, body in rec.events:
        assert not rf_schema.validate(body), rf_schema.validate(body)


def test_submit_test_event_reaches_matching_subscriptions(rfs):
    a, b = rfs.receiver(), rfs.receiver()
    subscribe(rfs, a.url, Context="all")
    subscribe(rfs, b.url, Context="resource-events-only", RegistryPrefixes=["ResourceEvent"])
    st, _, d, _ = request(rfs, "POST", "/redfish/v1/EventService/Actions/EventService.SubmitTestEvent",
                          {"MessageId": "Base.1.0.Success", "Message": "x",
                           "OriginOfCondition": "/redfish/v1/Managers/bmc"})
    assert st == 204, d
    st, _, d, _ = request(rfs, "POST", "/redfish/v1/EventService/Actions/EventService.SubmitTestEvent",
                          {"MessageId": "ResourceEvent.1.4.ResourceChanged",
                           "OriginOfCondition": "/redfish/v1/Systems/0"})
    assert st == 204, d
    assert a.wait(lambda ev: len(ev) >= 2)
    assert b.wait(lambda ev: len(ev) >= 1)
    time.sleep(0.3)
    assert [r["MessageId"] for _, _, r in a.records()] == ["Base.1.0.Success",
                                                          "ResourceEvent.1.4.ResourceChanged"]
    assert [r["MessageId"] for _, _, r in b.records()] == ["ResourceEvent.1.4.ResourceChanged"]
    st, _, d, _ = request(rfs, "POST", "/redfish/v1/EventService/Actions/EventService.SubmitTestEvent",
                          {"Message": "no id"})
    assert st == 400 and message_ids(d) == ["ActionParameterMissing"]


def test_receiver_closing_kept_connections_loses_nothing(rfs):
    rec = rfs.receiver(mode="close")
    subscribe(rfs, rec.url)
    for i in range(4):
        st, _, d, _ = request(rfs, "POST",
                              "/redfish/v1/EventService/Actions/EventService.SubmitTestEvent",
                              {"MessageId": "Base.1.0.Success", "EventId": "e%d" % i})
        assert st == 204, d
        time.sleep(0.1 * i)
    assert rec.wait(lambda ev: len(ev) == 4), rec.events
    assert [r["EventId"] for _, _, r in rec.records()] == ["e0", "e1", "e2", "e3"]
    assert "failed" not in rfs.log()


# --- https ------------------------------------------------------------------------------------------

def test_https_destinations(rfs, pki):
    good = rfs.receiver(tls=(pki["srv.pem"], pki["srv.key"]))
    selfsigned = rfs.receiver(tls=(pki["self.pem"], pki["self.key"]))
    subscribe(rfs, good.url, Context="verified", VerifyCertificate=True)
    subscribe(rfs, selfsigned.url, Context="unverified", VerifyCertificate=False)
    rogue = subscribe(rfs, selfsigned.url.replace("/hook", "/rogue"), Context="rogue",
                      VerifyCertificate=True)
    rfs.ipmitool("sel", "clear")
    assert good.wait(lambda ev: ev), rfs.log()[-2000:]
    assert selfsigned.wait(lambda ev: any(p == "/hook" for p, _, _ in ev)), rfs.log()[-2000:]
    assert good.events[0][2]["Context"] == "verified"
    # the certificate the CA did not sign is refused: retries, then suspension
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        st, _, d, _ = request(rfs, "GET", rogue["@odata.id"])
        if d["Status"]["State"] == "Disabled":
            break
        time.sleep(0.2)
    assert d["Status"]["State"] == "Disabled", d
    assert not any(p == "/rogue" for p, _, _ in selfsigned.events)
    assert "suspended after 3 failed deliveries" in rfs.log()


# --- failing receivers ------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["down", "500", "slow", "reset"])
def test_failing_receiver_retries_then_suspension(rfs, mode):
    if mode == "down":
        port = free_tcp_port()
        url = "http://127.0.0.1:%d/hook" % port
        rec = None
    else:
        rec = rfs.receiver(mode=mode)
        url = rec.url
    good = rfs.receiver()
    sub = subscribe(rfs, url, Context="failing")
    subscribe(rfs, good.url, Context="healthy")
    t0 = time.monotonic()
    rfs.ipmitool("sel", "clear")
    # meanwhile IPMI and Redfish answer in normal time
    worst = 0
    while time.monotonic() - t0 < 12:
        worst = max(worst, timed(lambda: rfs.ipmitool("mc", "info")))
        r = [None]
        worst = max(worst, timed(lambda: r.__setitem__(0, subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-u", "admin:admin",
             rfs.url + "/redfish/v1/Systems/0"], capture_output=True, text=True, timeout=10))))
        assert r[0].stdout == "200"
        st, _, d, _ = request(rfs, "GET", sub["@odata.id"])
        if d["Status"]["State"] == "Disabled":
            break
    took = time.monotonic() - t0
    assert d["Status"]["State"] == "Disabled", (d, rfs.log()[-2000:])
    # 1 attempt + 2 retries 1 s apart (each at most the 1.5 s timeout)
    assert 2.0 <= took < 10, took
    assert worst < 1.0, worst
    log = rfs.log()
    assert "event subscription 1 to %s suspended after 3 failed deliveries" % url in log, log
    assert log.count("delivery to %s failed" % url) == 2
    if rec and mode != "slow":
        assert rec.hits == 3, rec.hits
    # the healthy subscription was not held back
    assert good.wait(lambda ev: ev, timeout=1)
    # the BMC's own log has it too
    st, _, d, _ = request(rfs, "GET", "/redfish/v1/Managers/bmc/LogServices/Log/Entries")
    assert any("suspended" in m["Message"] for m in d["Members"]), d
    # PATCH Status/State re-enables it; new events are tried again
    st, _, d, _ = request(rfs, "PATCH", sub["@odata.id"], {"Status": {"State": "Enabled"}})
    assert st == 200 and d["Status"]["State"] == "Enabled", d


def test_terminate_and_retry_forever_policies(rfs):
    url = "http://127.0.0.1:%d/hook" % free_tcp_port()
    term = subscribe(rfs, url, DeliveryRetryPolicy="TerminateAfterRetries")
    forever = subscribe(rfs, url, DeliveryRetryPolicy="RetryForever")
    rfs.ipmitool("sel", "clear")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        st, _, _, _ = request(rfs, "GET", term["@odata.id"])
        if st == 404:
            break
        time.sleep(0.2)
    assert st == 404
    assert "removed after 3 failed deliveries" in rfs.log()
    st, _, d, _ = request(rfs, "GET", forever["@odata.id"])
    assert st == 200 and d["Status"]["State"] == "Enabled"
    time.sleep(1.5)
    assert rfs.log().count("event subscription %s: delivery" % forever["Id"]) >= 4


def test_queue_overflow_drops_oldest(rfs):
    rec = rfs.receiver(mode="500")
    sub = subscribe(rfs, rec.url, DeliveryRetryPolicy="RetryForever")
    for _ in range(12):  # event_queue = 8
        rfs.ipmitool("sel", "clear")
    rec.mode = "ok"
    assert rec.wait(lambda ev: len(ev) >= 8, timeout=15), (len(rec.events), rfs.log()[-2000:])
    time.sleep(1.5)
    assert len(rec.events) <= 9, len(rec.events)
    assert "events dropped (queue full)" in rfs.log()
    st, _, d, _ = request(rfs, "GET", sub["@odata.id"])
    assert d["Status"]["State"] == "Enabled"


# --- validation -------------------------------------------------------------------------------------

def test_validation_and_limits(rfs):
    def post(body, want_status=400):
        st, _, d, _ = request(rfs, "POST", SUBS, body)
        assert st == want_status, (st, d)
        return message_ids(d) if st >= 400 else d
    ok = "http://127.0.0.1:9/x"
    assert post({"Destination": "http://example.com/hook", "Protocol": "Redfish"}) == \
        ["PropertyValueFormatError"]
    st, _, d, _ = request(rfs, "POST", SUBS, {"Destination": "http://example.com/", "Protocol": "Redfish"})
    assert "does not resolve names" in json.dumps(d)
    assert post({"Destination": "ftp://127.0.0.1/", "Protocol": "Redfish"}) == ["PropertyValueFormatError"]
    assert post({"Destination": "http://127.0.0.1/" + "a" * 300}) == ["PropertyValueFormatError"]
    assert post({"Destination": "http://127.0.0.1:99999/"}) == ["PropertyValueFormatError"]
    assert post({"Destination": "http://127.0.0.1/a b"}) == ["PropertyValueFormatError"]
    assert post({"Destination": ok, "HttpHeaders": [{"X-Big": "v" * 2000}]}) == \
        ["PropertyValueFormatError"]
    assert post({"Destination": ok, "HttpHeaders": [{"Bad\r\nName": "v"}]}) == \
        ["PropertyValueFormatError"]
    assert post({"Destination": ok, "HttpHeaders": [{"X": "a\r\nInjected: 1"}]}) == \
        ["PropertyValueFormatError"]
    assert post({"Destination": ok, "HttpHeaders": [{"Host": "x"}]}) == ["PropertyValueNotInList"]
    assert post({"Destination": ok, "Bogus": 1}) == ["PropertyUnknown"]
    assert post({"Destination": ok, "Id": "7"}) == ["PropertyNotWritable"]
    assert post({"Destination": 5}) == ["PropertyValueTypeError"]
    assert post({"Destination": ok, "Context": 5}) == ["PropertyValueTypeError"]
    assert post({"Destination": ok, "Protocol": "SNMPv2c"}) == ["PropertyValueNotInList"]
    assert post({"Destination": ok, "DeliveryRetryPolicy": "Never"}) == ["PropertyValueNotInList"]
    assert post({"Destination": ok, "EventTypes": ["MetricReport"]}) == ["PropertyValueNotInList"]
    assert post({"Destination": ok, "RegistryPrefixes": ["Foo"]}) == ["PropertyValueNotInList"]
    assert post({"Protocol": "Redfish"}) == ["CreateFailedMissingReqProperties"]
    assert post({"Destination": "https://127.0.0.1:9/", "VerifyCertificate": "no"}) == \
        ["PropertyValueTypeError"]
    # operators may not subscribe (ConfigureManager)
    import base64
    op = "Basic " + base64.b64encode(b"operator:operator").decode()
    st, _, d, _ = request(rfs, "POST", SUBS, {"Destination": ok}, auth=op)
    assert st == 403
    # HttpHeaders are never shown; PATCH rules
    d = post({"Destination": "http://[::1]:9/x", "HttpHeaders": [{"Authorization": "Bearer s3cret"}],
              "Context": "c"}, 201)
    assert d["HttpHeaders"] == [] and "s3cret" not in json.dumps(d)
    st, _, g, body = request(rfs, "GET", d["@odata.id"])
    assert st == 200 and b"s3cret" not in body and g["Destination"] == "http://[::1]:9/x"
    st, _, p, _ = request(rfs, "PATCH", d["@odata.id"], {"Context": "new", "DeliveryRetryPolicy":
                                                         "TerminateAfterRetries"})
    assert st == 200 and p["Context"] == "new" and p["DeliveryRetryPolicy"] == "TerminateAfterRetries"
    st, _, p, _ = request(rfs, "PATCH", d["@odata.id"], {"Destination": "http://127.0.0.1/"})
    assert st == 400 and message_ids(p) == ["PropertyNotWritable"]
    st, _, p, _ = request(rfs, "PATCH", d["@odata.id"], {"Nope": 1})
    assert st == 400 and message_ids(p) == ["PropertyUnknown"]
    # the pool (subscriptions = 3) is full after three: a clean error
    post({"Destination": ok}, 201)
    post({"Destination": ok}, 201)
    assert post({"Destination": ok}, 503) == ["CreateLimitReachedForResource"]
    st, _, c, _ = request(rfs, "GET", SUBS)
    assert st == 200 and c["Members@odata.count"] == 3
    st, _, _, _ = request(rfs, "DELETE", d["@odata.id"])
    assert st == 204
    st, _, _, _ = request(rfs, "GET", d["@odata.id"])
    assert st == 404
    post({"Destination": ok}, 201)
    # the EventService advertises it all
    st, _, es, _ = request(rfs, "GET", "/redfish/v1/EventService")
    assert es["DeliveryRetryAttempts"] == 2 and es["DeliveryRetryIntervalSeconds"] == 1
    assert es["Subscriptions"] == {"@odata.id": SUBS} and "Alert" in es["EventTypesForSubscription"]
    assert es["ServerSentEventUri"] and es["RegistryPrefixes"] and es["ResourceTypes"]
    assert "#EventService.SubmitTestEvent" in es["Actions"]


def test_config_errors(tmp_path, pki):
    from conftest import BMCD
    conf = tmp_path / "bmcd.conf"
    conf.write_text("[redfish]\nsubscriptions = 65\nevent_queue = 0\n")
    r = subprocess.run([BMCD, "-c", str(conf), "--check-config"], capture_output=True, text=True,
                       timeout=10)
    assert r.returncode != 0
    assert "bmcd.conf:2: redfish.subscriptions: expected a number from 0 to 64" in r.stderr, r.stderr
    assert "bmcd.conf:3: redfish.event_queue: expected a number from 1 to 256" in r.stderr, r.stderr
    # a CA bundle that is not one stops the start with the file named
    (tmp_path / "users").write_text("admin:admin\n")
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate\n")
    conf.write_text("[users]\nfile = users\n[ipmi]\nenabled = false\n[redfish]\nlisten = 127.0.0.1\n"
                    "https_port = 0\nhttp_port = %d\nsubscription_ca = ca.pem\n" % free_tcp_port())
    r = subprocess.run([BMCD, "-c", str(conf)], capture_output=True, text=True, timeout=10)
    assert r.returncode != 0 and "subscription_ca: %s: no CERTIFICATE found" % bad in r.stderr, \
        r.stderr


def test_media_events(rfs):
    """Virtual media insert/eject (the sim drive) reach a VirtualMedia-only subscriber."""
    rec = rfs.receiver()
    subscribe(rfs, rec.url, Context="media", ResourceTypes=["VirtualMedia"])
    cd = "/redfish/v1/Managers/bmc/VirtualMedia/Cd"
    st, _, d, _ = request(rfs, "POST", cd + "/Actions/VirtualMedia.InsertMedia",
                          {"Image": "http://127.0.0.1:9/images/boot.iso"})
    assert st in (202, 204), d
    msgs = lambda ev: [r["MessageId"] for _, _, b in ev for r in b["Events"]]
    assert rec.wait(lambda ev: any(m.startswith("Bmcd.") for m in msgs(ev))), rfs.log()[-2000:]
    n = len(rec.events)
    st, _, d, _ = request(rfs, "POST", cd + "/Actions/VirtualMedia.EjectMedia", {})
    assert st in (200, 204), d
    assert rec.wait(lambda ev: any(m.startswith("Bmcd.") for m in msgs(ev[n:]))), rec.events
    rfs.ipmitool("power", "on")  # not a VirtualMedia event: filtered out
    time.sleep(0.5)
    assert all(c == "media" and r["OriginOfCondition"]["@odata.id"] == cd
               for c, _, r in rec.records()), rec.records()
