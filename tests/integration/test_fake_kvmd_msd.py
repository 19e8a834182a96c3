"""Issue 15 (virtual media, backend half): the fake kvmd's mass storage drive API
(tests/integration/fake_kvmd.py) against kvmd's documented behaviour, with a real ISO
(xorriso) served over HTTP on 127.0.0.1; then bmcd's kvmd backend (hal/msd_kvmd.c, through
the test driver tests/integration/msd_drive.c) against that fake."""
import http.server
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse

import pytest

from conftest import ROOT
from fake_kvmd import FakeKvmd

DRIVE = os.path.join(ROOT, "build", "tests", "msd_drive")


def dechunk(body):
    """(payload, complete): tolerant of a stream cut off without the last chunk."""
    out, i = b"", 0
    while True:
        j = body.find(b"\r\n", i)
        if j < 0:
            return out, False
        try:
            n = int(body[i:j].split(b";")[0], 16)
        except ValueError:
            return out, False
        if n == 0:
            return out, True
        if len(body) < j + 2 + n + 2:
            return out + body[j + 2:j + 2 + n], False
        out += body[j + 2:j + 2 + n]
        i = j + 2 + n + 2


class Answer:
    def __init__(self, raw):
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {l.split(":", 1)[0].lower(): l.split(":", 1)[1].strip() for l in lines[1:]}
        self.raw_body = body
        self.complete = True
        if self.headers.get("transfer-encoding") == "chunked":
            body, self.complete = dechunk(body)
        self.body = body

    def json(self):
        return json.loads(self.body)

    def lines(self):
        assert self.headers["content-type"] == "application/x-ndjson"
        assert self.body.endswith(b"\r\n")
        return [json.loads(l) for l in self.body.split(b"\r\n") if l]


def kreq(sock, method, path, _timeout=30, **query):
    target = path + ("?" + urllib.parse.urlencode(query) if query else "")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(_timeout)
    s.connect(sock)
    s.sendall(("%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n%s\r\n" %
               (method, target, "Content-Length: 0\r\n" if method == "POST" else "")).encode())
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    s.close()
    return Answer(data)


def err(a):
    r = a.json()
    assert r["ok"] is False and set(r["result"]) == {"error", "error_msg"}
    return r["result"]["error"]


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        if self.path.startswith("/drop/"):  # promises more than it sends
            self.send_response(200)
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            self.wfile.write(b"x" * 200000)
            self.wfile.flush()
            self.close_connection = True
            return
        if self.path.startswith("/nolength/"):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"x" * 1000)
            self.close_connection = True
            return
        return super().do_GET()


@pytest.fixture(scope="module")
def www():
    if not shutil.which("xorriso"):
        pytest.skip("xorriso is not installed (tools/packages.txt)")
    tmp = tempfile.mkdtemp(prefix="bmcd-msd-www-")
    src = os.path.join(tmp, "src")
    os.makedirs(src)
    with open(os.path.join(src, "payload.bin"), "wb") as f:
        f.write(os.urandom(700 * 1024))
    with open(os.path.join(src, "README.TXT"), "w") as f:
        f.write("bmcd test image\n")
    pub = os.path.join(tmp, "pub")
    os.makedirs(pub)
    iso = os.path.join(pub, "test.iso")
    subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-V", "BMCDTEST", "-o", iso, src],
                   check=True, capture_output=True)
    with open(os.path.join(pub, "big.iso"), "wb") as f:
        f.write(os.urandom(2 * 1024 * 1024))
    with open(os.path.join(pub, "disk.img"), "wb") as f:
        f.write(os.urandom(256 * 1024))
    srv = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a, **k: Handler(*a, directory=pub, **k))
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    base = "http://127.0.0.1:%d" % srv.server_address[1]
    yield {"base": base, "iso": open(iso, "rb").read()}
    srv.shutdown()
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def kvmd():
    tmp = tempfile.mkdtemp(prefix="bmcd-msd-")
    k = FakeKvmd(os.path.join(tmp, "kvmd.sock"))
    yield k
    k.close()
    shutil.rmtree(tmp, ignore_errors=True)


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


# --- the fake's API ----------------------------------------------------------------------

def test_state_shape(kvmd):
    a = kvmd_get = kreq(kvmd.path, "GET", "/msd")
    assert a.status == 200 and b'\n    "ok": true' in a.body  # pretty-printed, sorted
    r = kvmd_get.json()["result"]
    assert list(r) == sorted(r) == ["busy", "drive", "enabled", "online", "storage"]
    assert r["enabled"] and r["online"] and not r["busy"]
    assert r["storage"]["images"] == {} and r["storage"]["uploading"] is None
    assert r["storage"]["parts"][""]["free"] == r["storage"]["parts"][""]["size"]
    assert r["drive"] == {"image": None, "connected": False, "cdrom": True, "rw": False}
    kvmd.msd_online = False
    r = kreq(kvmd.path, "GET", "/msd").json()["result"]
    assert r["online"] is False and r["storage"] is None and r["drive"] is None
    assert kreq(kvmd.path, "GET", "/msd/set_params").status == 405
    assert kreq(kvmd.path, "GET", "/atx").status == 200  # the ATX API is still there


def test_write_remote_select_connect(kvmd, www):
    iso = www["iso"]
    assert iso[0x8001:0x8006] == b"CD001"
    kvmd.msd_add_image("isos/ubuntu.iso", 1000)
    a = kreq(kvmd.path, "POST", "/msd/write_remote", url=www["base"] + "/test.iso",
             image="test.iso", prefix="bmcd", timeout="5", remove_incomplete="1")
    assert a.status == 200 and a.complete
    lines = a.lines()
    assert all(l["ok"] for l in lines) and len(lines) >= 2
    assert lines[0]["result"]["image"] == {"name": "bmcd/test.iso", "size": len(iso), "written": 0}
    assert lines[-1]["result"]["image"]["written"] == len(iso)
    assert kvmd.msd_images["bmcd/test.iso"]["data"] == iso
    r = kreq(kvmd.path, "GET", "/msd").json()["result"]
    img = r["storage"]["images"]["bmcd/test.iso"]
    assert img["complete"] and img["size"] == len(iso) and img["writable"] is False
    assert r["storage"]["parts"][""]["free"] == kvmd.msd_storage_size - len(iso) - 1000
    assert not r["busy"]

    # rw is dropped for a CD-ROM (kvmd >= 4.169)
    a = kreq(kvmd.path, "POST", "/msd/set_params", image="bmcd/test.iso", cdrom="1", rw="1")
    assert a.status == 200 and a.json() == {"ok": True, "result": {}}
    assert kreq(kvmd.path, "POST", "/msd/set_connected", connected="1").status == 200
    d = kreq(kvmd.path, "GET", "/msd").json()["result"]["drive"]
    assert d["connected"] and d["cdrom"] and not d["rw"] and d["image"]["name"] == "bmcd/test.iso"
    assert d["image"]["in_storage"]

    # connected: set_params, write, remove (any image) are refused
    assert err(kreq(kvmd.path, "POST", "/msd/set_params", cdrom="0")) == "MsdConnectedError"
    assert err(kreq(kvmd.path, "POST", "/msd/remove", image="isos/ubuntu.iso")) == "MsdConnectedError"
    a = kreq(kvmd.path, "POST", "/msd/write_remote", url=www["base"] + "/test.iso", image="x.iso")
    assert a.status == 400 and err(a) == "MsdConnectedError"
    assert err(kreq(kvmd.path, "POST", "/msd/set_connected", connected="1")) == "MsdConnectedError"
    assert kreq(kvmd.path, "POST", "/msd/set_connected", connected="0").status == 200
    assert err(kreq(kvmd.path, "POST", "/msd/set_connected", connected="0")) == "MsdDisconnectedError"

    # again under the same name: exists
    a = kreq(kvmd.path, "POST", "/msd/write_remote", url=www["base"] + "/test.iso",
             image="test.iso", prefix="bmcd")
    assert a.status == 400 and err(a) == "MsdImageExistsError"
    assert kreq(kvmd.path, "POST", "/msd/remove", image="bmcd/test.iso").status == 200
    r = kreq(kvmd.path, "GET", "/msd").json()["result"]
    assert "bmcd/test.iso" not in r["storage"]["images"] and r["drive"]["image"] is None
    assert err(kreq(kvmd.path, "POST", "/msd/remove", image="bmcd/test.iso")) == "MsdUnknownImageError"


def test_errors_before_streaming(kvmd, www):
    p = kvmd.path
    a = kreq(p, "POST", "/msd/write_remote", url=www["base"] + "/missing.iso", image="m.iso")
    assert a.status == 400 and err(a) == "ClientResponseError" and "404" in a.json()["result"]["error_msg"]
    a = kreq(p, "POST", "/msd/write_remote", url="http://127.0.0.1:%d/x.iso" % closed_port())
    assert a.status == 400 and err(a) == "ClientConnectorError"
    a = kreq(p, "POST", "/msd/write_remote", url=www["base"] + "/nolength/x.iso")
    assert a.status == 400 and err(a) == "ClientError"
    assert err(kreq(p, "POST", "/msd/write_remote", url="ftp://h/x.iso")) == "ValidatorError"
    assert err(kreq(p, "POST", "/msd/write_remote", url=www["base"] + "/test.iso",
                    timeout="0")) == "ValidatorError"
    assert err(kreq(p, "POST", "/msd/write_remote", url=www["base"] + "/test.iso",
                    image="..")) == "ValidatorError"
    assert kvmd.msd_images == {}
    assert err(kreq(p, "POST", "/msd/set_params", image="nope.iso")) == "MsdUnknownImageError"
    assert err(kreq(p, "POST", "/msd/set_params", image="http://h/x.iso")) == "MsdRemoteDisabledError"
    assert err(kreq(p, "POST", "/msd/set_params", cdrom="maybe")) == "ValidatorError"
    assert err(kreq(p, "POST", "/msd/set_connected", connected="1")) == "MsdImageNotSelected"
    assert err(kreq(p, "POST", "/msd/set_connected")) == "ValidatorError"
    kvmd.msd_online = False
    a = kreq(p, "POST", "/msd/write_remote", url=www["base"] + "/test.iso")
    assert a.status == 400 and err(a) == "MsdOfflineError"
    assert err(kreq(p, "POST", "/msd/set_params", cdrom="1")) == "MsdOfflineError"
    assert kreq(p, "POST", "/msd/reset").status == 200


def test_busy_while_downloading(kvmd, www):
    kvmd.msd_chunk_delay = 0.03  # 32 chunks: about a second
    first = {}
    t = threading.Thread(target=lambda: first.update(a=kreq(
        kvmd.path, "POST", "/msd/write_remote", url=www["base"] + "/big.iso", prefix="bmcd")))
    t.start()
    deadline = time.monotonic() + 10
    while not kreq(kvmd.path, "GET", "/msd").json()["result"]["busy"]:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    r = kreq(kvmd.path, "GET", "/msd").json()["result"]
    assert r["storage"]["uploading"]["name"] == "bmcd/big.iso"
    a = kreq(kvmd.path, "POST", "/msd/write_remote", url=www["base"] + "/test.iso")
    assert a.status == 409 and err(a) == "MsdIsBusyError"
    assert kreq(kvmd.path, "POST", "/msd/set_params", cdrom="0").status == 409
    assert kreq(kvmd.path, "POST", "/msd/reset").status == 409
    t.join(20)
    lines = first["a"].lines()
    assert len(lines) > 3 and lines[-1]["result"]["image"]["written"] == 2 * 1024 * 1024
    assert [l["result"]["image"]["written"] for l in lines] == \
        sorted(l["result"]["image"]["written"] for l in lines)
    assert not kreq(kvmd.path, "GET", "/msd").json()["result"]["busy"]


@pytest.mark.parametrize("remove_incomplete", ["1", "0"])
def test_storage_full_and_dropped_download(kvmd, www, remove_incomplete):
    kvmd.msd_storage_size = 300 * 1024
    a = kreq(kvmd.path, "POST", "/msd/write_remote", url=www["base"] + "/test.iso",
             image="t.iso", remove_incomplete=remove_incomplete)
    assert a.status == 200 and not a.complete  # cut off without the last chunk
    lines = a.lines()
    assert lines[-1] == {"ok": False, "result": {"error": "OSError",
                                                 "error_msg": "[Errno 28] No space left on device"}}
    assert lines[-2]["ok"] and 0 < lines[-2]["result"]["image"]["written"] <= 300 * 1024
    images = kreq(kvmd.path, "GET", "/msd").json()["result"]["storage"]["images"]
    assert ("t.iso" in images) == (remove_incomplete == "0")
    if remove_incomplete == "0":
        assert images["t.iso"]["complete"] is False
    kvmd.msd_storage_size = 64 * 1024 * 1024
    a = kreq(kvmd.path, "POST", "/msd/write_remote", url=www["base"] + "/drop/d.iso",
             remove_incomplete=remove_incomplete)
    assert a.status == 200 and not a.complete
    assert a.lines()[-1]["result"]["error"] == "ClientPayloadError"
    assert not kreq(kvmd.path, "GET", "/msd").json()["result"]["busy"]


def test_listing_lags(kvmd, www):
    kvmd.msd_list_lag = 0.5
    a = kreq(kvmd.path, "POST", "/msd/write_remote", url=www["base"] + "/test.iso", prefix="bmcd")
    assert a.status == 200 and a.lines()[-1]["ok"]
    assert err(kreq(kvmd.path, "POST", "/msd/set_params", image="bmcd/test.iso")) == "MsdUnknownImageError"
    time.sleep(0.6)
    assert kreq(kvmd.path, "POST", "/msd/set_params", image="bmcd/test.iso").status == 200


# --- bmcd's kvmd backend (hal/msd_kvmd.c) against the fake ---------------------------------

@pytest.fixture(scope="module")
def drive():
    r = subprocess.run(["make", "-s", "build/tests/msd_drive"], cwd=ROOT, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    return DRIVE


def run_drive(drive, kvmd, *cmds, opts=(), timeout=90):
    r = subprocess.run([drive, "-s", kvmd.path, "-t", "2000", *opts, *cmds], capture_output=True,
                       text=True, timeout=timeout)
    assert r.returncode == 0, r.stderr
    assert "ERROR: AddressSanitizer" not in r.stderr and "runtime error" not in r.stderr, r.stderr
    out = [json.loads(l) for l in r.stdout.splitlines()]
    return out, r.stderr


def final(out):
    return [o for o in out if "state" in o][-1]


def test_backend_insert_eject(drive, kvmd, www):
    kvmd.msd_add_image("isos/person.iso", 1234)
    kvmd.msd_add_image("bmcd/old.iso", 99)  # left over by an earlier bmcd
    kvmd.msd_list_lag = 0.3
    url = www["base"] + "/test.iso"
    out, log = run_drive(drive, kvmd, "insert", url, "1", "1", "wait", "status",
                         "insert", url, "1", "1", "run", "700")
    st = final(out)
    assert st["state"] == "inserted", (out, log)
    assert st["image"] == "test.iso" and st["cdrom"] and not st["rw"] and st["connected"]
    assert st["size"] == st["written"] == len(www["iso"]) and st["url"] == url
    assert out[0] == {"insert": 0, "err": ""}
    assert {"insert": 1, "err": ""} in out  # the same URL again: nothing to do
    r = kreq(kvmd.path, "GET", "/msd").json()["result"]
    assert r["drive"]["connected"] and r["drive"]["image"]["name"] == "bmcd/test.iso"
    assert r["drive"]["cdrom"] and not r["drive"]["rw"]
    assert set(r["storage"]["images"]) == {"isos/person.iso", "bmcd/test.iso"}
    assert kvmd.msd_images["bmcd/test.iso"]["data"] == www["iso"]
    wr = [q for m, p, q in kvmd.msd_requests if p == "/msd/write_remote"]
    assert wr == [{"url": url, "image": "test.iso", "prefix": "bmcd", "timeout": "5",
                   "remove_incomplete": "1"}]

    # a new bmcd adopts its connected image, then ejects it; the person's image stays
    out, log = run_drive(drive, kvmd, "run", "400", "eject", "wait")
    assert [o for o in out if "state" in o][1]["state"] == "inserted", (out, log)
    st = final(out)
    assert st["state"] == "empty" and not st["connected"], (out, log)
    r = kreq(kvmd.path, "GET", "/msd").json()["result"]
    assert not r["drive"]["connected"] and set(r["storage"]["images"]) == {"isos/person.iso"}


def test_backend_replaces_a_connected_image(drive, kvmd, www):
    kvmd.msd_add_image("isos/person.iso", 1234)
    assert kreq(kvmd.path, "POST", "/msd/set_params", image="isos/person.iso").status == 200
    assert kreq(kvmd.path, "POST", "/msd/set_connected", connected="1").status == 200
    out, log = run_drive(drive, kvmd, "insert", www["base"] + "/disk.img?x=1", "0", "1", "wait")
    st = final(out)
    assert st["state"] == "inserted" and st["image"] == "disk.img" and st["rw"], (out, log)
    d = kreq(kvmd.path, "GET", "/msd").json()["result"]["drive"]
    assert d["image"]["name"] == "bmcd/disk.img" and d["connected"] and not d["cdrom"] and d["rw"]
    assert "isos/person.iso" in kvmd.msd_images
    # a flash drive asked rw with an .iso: kvmd turns rw off, and the status says so
    out, log = run_drive(drive, kvmd, "insert", www["base"] + "/test.iso", "0", "1", "wait")
    st = final(out)
    assert st["state"] == "inserted" and not st["cdrom"] and not st["rw"], (out, log)
    assert set(kvmd.msd_images) == {"isos/person.iso", "bmcd/test.iso"}


def test_backend_failures(drive, kvmd, www):
    base = www["base"]
    out, _ = run_drive(drive, kvmd, "insert", base + "/missing.iso", "1", "0", "wait")
    st = final(out)
    assert st["state"] == "failed" and st["error"].startswith("ClientResponseError: 404"), out

    out, _ = run_drive(drive, kvmd, "insert", "http://joe:secret@127.0.0.1:%d/x.iso" % closed_port(),
                       "1", "0", "wait")
    st = final(out)
    assert st["state"] == "failed" and "ClientConnectorError" in st["error"], out
    assert "secret" not in json.dumps(out) and st["url"].startswith("http://***@127.0.0.1:")

    kvmd.msd_storage_size = 300 * 1024
    out, _ = run_drive(drive, kvmd, "insert", base + "/test.iso", "1", "0", "wait")
    st = final(out)
    assert st["state"] == "failed" and "No space left on device" in st["error"], out
    assert kvmd.msd_images == {}  # remove_incomplete=1
    kvmd.msd_storage_size = 64 * 1024 * 1024

    out, _ = run_drive(drive, kvmd, "insert", base + "/drop/d.iso", "1", "0", "wait")
    assert "ClientPayloadError" in final(out)["error"], out

    out, _ = run_drive(drive, kvmd, "insert", "ftp://h/x.iso", "1", "0", "insert", base + "/test.iso",
                       "1", "0", "insert", base + "/test.iso", "1", "0")
    assert out[0]["insert"] == -1 and "http" in out[0]["err"]
    assert out[-1]["insert"] == -1 and "in progress" in out[-1]["err"]

    kvmd.msd_online = False
    out, _ = run_drive(drive, kvmd, "insert", base + "/test.iso", "1", "0", "wait", "run", "400",
                       "insert", base + "/test.iso", "1", "0")
    assert final(out)["state"] == "failed" and "offline" in final(out)["error"]
    assert out[-1]["insert"] == -1 and "not available" in out[-1]["err"]
    kvmd.msd_online = True

    # kvmd busy (an upload through its web UI) for longer than busy_ms
    kvmd.msd_busy = True
    out, _ = run_drive(drive, kvmd, "insert", base + "/test.iso", "1", "0", "wait",
                       opts=("-b", "1000"))
    assert final(out)["state"] == "failed" and "busy" in final(out)["error"], out
    kvmd.msd_busy = False

    # kvmd goes away mid-way: the request times out, the operation fails, no hang
    kvmd.set_mode("hang")
    out, _ = run_drive(drive, kvmd, "insert", base + "/test.iso", "1", "0", "wait")
    assert final(out)["state"] == "failed" and "no answer in time" in final(out)["error"], out
    kvmd.set_mode("down")
    out, _ = run_drive(drive, kvmd, "run", "500", "status", "insert", base + "/test.iso", "1", "0")
    assert final(out)["online"] is False and out[-1]["insert"] == -1
    kvmd.set_mode("up")


def test_backend_eject_cancels_download(drive, kvmd, www):
    kvmd.msd_chunk_delay = 0.05
    out, log = run_drive(drive, kvmd, "insert", www["base"] + "/big.iso", "1", "0", "run", "600",
                         "eject", "wait")
    states = [o["state"] for o in out if "state" in o]
    assert {"eject": 0, "err": ""} in out and "inserted" not in states, (out, log)
    i = out.index({"eject": 0, "err": ""})
    assert [o for o in out[:i] if "state" in o][-1]["state"] == "busy"  # cancelled mid-way
    assert not [q for m, p, q in kvmd.msd_requests if p == "/msd/set_connected"]
    st = final(out)
    assert st["state"] == "empty", (out, log)
    r = kreq(kvmd.path, "GET", "/msd").json()["result"]
    assert not r["busy"] and r["storage"]["images"] == {} and not r["drive"]["connected"]


def test_backend_kvmd_auth(drive, kvmd, www):
    kvmd.user = ("bmcd", "pw")
    out, _ = run_drive(drive, kvmd, "insert", www["base"] + "/test.iso", "1", "0", "wait")
    assert final(out)["state"] == "failed" and "403" in final(out)["error"] or \
        "Forbidden" in final(out)["error"], out
    out, _ = run_drive(drive, kvmd, "insert", www["base"] + "/test.iso", "1", "0", "wait",
                       opts=("-u", "bmcd", "-P", "pw"))
    assert final(out)["state"] == "inserted", out


def test_sim_backend(drive):
    out, _ = run_drive(drive, type("K", (), {"path": "/nonexistent"}), "insert", "http://h/a.iso",
                       "1", "0", "wait", "cd", "insert", "http://h/fail.iso", "1", "0", "wait",
                       opts=("-S",))
    assert {"cd": "a.iso"} in out
    assert final(out)["state"] == "failed" and "simulated" in final(out)["error"]
