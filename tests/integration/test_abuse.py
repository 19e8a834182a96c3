"""Issue 8: abuse and fault tests, loopback only, each bounded in time. Attackers use other
127.x source addresses; the legitimate operator uses 127.0.0.1 and the real clients."""
import base64
import os
import random
import signal
import socket
import subprocess
import threading
import time

import pytest

from conftest import BMCD, free_tcp_port
from rmcp import Rmcp


def bounded_thread(target, seconds):
    stop = threading.Event()
    t = threading.Thread(target=target, args=(stop,), daemon=True)
    t.start()
    return stop, t


def test_session_table_flood_does_not_lock_out_admin(bmcd_factory):
    b = bmcd_factory(max_sessions=8)

    def attacker(stop):
        # half-open sessions as fast as possible from 127.0.0.2, and full ones from .3
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.2", 0))
        algs = bytes([0, 0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 8, 4, 0, 0, 0, 2, 0, 0, 8, 1, 0, 0, 0])
        n = 0
        end = time.monotonic() + 15
        while not stop.is_set() and time.monotonic() < end and n < 200000:
            n += 1
            payload = bytes([1, 0, 0, 0]) + n.to_bytes(4, "little") + algs
            s.sendto(bytes([6, 0, 0xFF, 7, 6, 0x10]) + bytes(8) + len(payload).to_bytes(2, "little")
                     + payload, ("127.0.0.1", b.port))
        s.close()

    full = []

    def holder(stop):
        while not stop.is_set() and len(full) < 20:
            c = Rmcp(b.port, source="127.0.0.3")
            if c.login("admin", "admin") == 0:
                full.append(c)
            time.sleep(0.05)

    stops = [bounded_thread(attacker, 15), bounded_thread(holder, 15)]
    try:
        time.sleep(1)
        ok = 0
        for _ in range(10):
            r = b.ipmitool("power", "status", check=False, timeout=30)
            ok += r.returncode == 0 and "Chassis Power is" in r.stdout
        assert ok == 10, b.log()[-3000:]
    finally:
        for stop, t in stops:
            stop.set()
            t.join(timeout=20)
        for c in full:
            c.close()
    assert len(full) <= 6  # the per-address cap: max_sessions - 2


def test_rakp_brute_force_is_slowed_and_logged(bmcd_factory):
    b = bmcd_factory()
    c = Rmcp(b.port, source="127.0.0.2")
    statuses = [c.login("admin", "guess%d" % i) for i in range(8)]
    assert statuses[:5] == [0x0F] * 5, statuses  # bad password (RAKP 4 status)
    assert 0x01 in statuses[5:], statuses         # then: come back later
    assert c.login("admin", "admin") == 0x01      # even with the right password, for now
    assert "failed logins from 127.0.0.2" in b.log()
    # another address is not affected
    assert "is off" in b.ipmitool("power", "status").stdout
    d = Rmcp(b.port, source="127.0.0.4")
    assert d.login("admin", "admin") == 0
    d.close()


def test_replay_inside_and_outside_the_window(bmcd_factory):
    b = bmcd_factory()
    c = Rmcp(b.port)
    assert c.login("admin", "admin") == 0
    assert c.cmd(0x06, 0x3B, b"\x04")[0] == 0  # Set Session Privilege: ADMINISTRATOR
    on = c.packet(0x00, 0x02, b"\x01")  # Chassis Control: power up
    cc, _ = c.decode(c.resend(on))
    assert cc == 0
    assert b.wait_power(True)
    b.ipmitool("power", "off")
    assert b.wait_power(False)
    # the captured packet again, inside the window: no answer, no action
    assert c.resend(on) is None
    time.sleep(0.5)
    assert not b.power_is()
    # and after the window moved on (40 more requests)
    for _ in range(40):
        assert c.cmd(0x06, 0x01)[0] == 0
    assert c.resend(on) is None
    time.sleep(0.5)
    assert not b.power_is()
    # a tampered copy (one bit of the MAC) is dropped too
    bad = bytearray(c.packet(0x00, 0x02, b"\x01"))
    bad[-1] ^= 1
    assert c.resend(bytes(bad)) is None
    c.close()


def test_malformed_flood_while_operator_works(bmcd_factory, tmp_path):
    b = bmcd_factory()
    rng = random.Random(7)
    seeds = [bytes([6, 0, 0xFF, 7, 6, 0x10]) + bytes(8) + b"\x20\x00" + bytes(32),
             bytes([6, 0, 0xFF, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]) + bytes(9),
             bytes([6, 0, 0xFF, 7, 6, 0x00]) + bytes(10)]
    sent = [0]

    def flooder(stop):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.2", 0))
        end = time.monotonic() + 10
        while not stop.is_set() and time.monotonic() < end:
            t0 = time.monotonic()
            for _ in range(1000):  # 10,000 a second, in bursts of 1,000
                k = rng.random()
                if k < 0.4:
                    d = rng.randbytes(rng.randint(0, 300))
                else:
                    base = bytearray(rng.choice(seeds))
                    for _ in range(rng.randint(0, 4)):
                        base[rng.randrange(len(base))] = rng.randrange(256)
                    d = bytes(base[:rng.randint(0, len(base))])
                s.sendto(d, ("127.0.0.1", b.port))
                sent[0] += 1
            time.sleep(max(0, 0.1 - (time.monotonic() - t0)))
        s.close()

    cmds = tmp_path / "cmds"
    cmds.write_text("chassis power status\n" * 20)
    stop, t = bounded_thread(flooder, 10)
    answered = 0
    try:
        for _ in range(10):  # 200 commands spread over the ten seconds of flood
            t0 = time.monotonic()
            r = b.ipmitool("exec", str(cmds), timeout=60)
            answered += r.stdout.count("Chassis Power is off")
            time.sleep(max(0, 1.0 - (time.monotonic() - t0)))
        t.join(timeout=15)
    finally:
        stop.set()
        t.join(timeout=15)
    assert answered == 200, r.stderr
    assert sent[0] >= 90000, sent[0]
    assert b.proc.poll() is None


def test_slowloris_and_garbage_while_curl_works(bmcd_factory):
    http = free_tcp_port()
    b = bmcd_factory(extra="[redfish]\nlisten = 127.0.0.1\nhttp_port = %d\nhttps_port = 0\n"
                     "max_connections = 32\n" % http)
    slow = []
    for i in range(200):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.bind(("127.0.0.%d" % (2 + i % 50), 0))
        try:
            s.connect(("127.0.0.1", http))
        except BlockingIOError:
            pass
        slow.append(s)
    end = time.monotonic() + 8
    worst = 0.0
    served = 0
    try:
        while time.monotonic() < end:
            for s in slow:  # a byte now and then: never a whole request head
                try:
                    s.send(b"G")
                except OSError:
                    pass
            g = socket.create_connection(("127.0.0.1", http), timeout=2)
            g.sendall(b"\x16\x03garbage\r\n\r\n")
            g.close()
            t0 = time.monotonic()
            r = subprocess.run(["curl", "-s", "--max-time", "3", "-o", "/dev/null", "-w",
                                "%{http_code}", "http://127.0.0.1:%d/redfish/v1/" % http],
                               capture_output=True, text=True)
            dt = time.monotonic() - t0
            worst = max(worst, dt)
            assert r.stdout == "200", (r.stdout, b.log()[-2000:])
            served += 1
            time.sleep(0.2)
    finally:
        for s in slow:
            s.close()
    print("curl served %d times under slowloris; slowest answer %.3f s" % (served, worst))
    assert served >= 10


def test_redfish_abuse_gives_clean_errors_and_leaks_nothing(bmcd_factory):
    http = free_tcp_port()
    b = bmcd_factory(extra="[redfish]\nlisten = 127.0.0.1\nhttp_port = %d\nhttps_port = 0\n" % http)

    def send(data):
        s = socket.create_connection(("127.0.0.1", http), timeout=5)
        s.sendall(data)
        out = b""
        while True:
            c = s.recv(65536)
            if not c:
                break
            out += c
        s.close()
        return out

    auth = b"Authorization: Basic " + base64.b64encode(b"admin:admin") + b"\r\n"
    cases = [
        (b"GET /redfish/v1/ HTTP/1.1\r\nHost: x\r\nX: " + b"y" * 20000 + b"\r\n\r\n", b"431"),
        (b"PATCH /redfish/v1/Systems/0 HTTP/1.1\r\nHost: x\r\n" + auth +
         b"Content-Length: 100000\r\n\r\n", b"413"),
        (b"PATCH /redfish/v1/Systems/0 HTTP/1.1\r\nHost: x\r\n" + auth +
         b"Content-Type: application/json\r\nContent-Length: 401\r\nConnection: close\r\n\r\n" +
         b"[" * 200 + b"]" * 200 + b"\n", b"400"),
        (b"PATCH /redfish/v1/Systems/0 HTTP/1.1\r\nHost: x\r\n" + auth +
         b"Content-Type: application/json\r\nContent-Length: 21\r\nConnection: close\r\n\r\n" +
         b'{"IndicatorLED": "\xc0\xaf"}', b"400"),
        (b"GET /redfish/v1/Systems/0 HTTP/1.1\r\nHost: x\r\nAuthorization: Basic YWRtaW46\xff\xff"
         b"\r\nConnection: close\r\n\r\n", b"40"),
        (b"GET /redfish/v1/Systems/0 HTTP/1.1\r\nHost: x\r\nAuthorization: Basic c2VjcmV0LXBhc3N3b3Jk"
         b"\r\nConnection: close\r\n\r\n", b"401"),
        (b"GET /redfish/v1/Systems/0 HTTP/1.1\r\nHost: x\r\nX-Auth-Token: deadbeefdeadbeefdead"
         b"beefdeadbeef\r\nConnection: close\r\n\r\n", b"401"),
        (b"GET /redfish/v1/../../etc/passwd HTTP/1.1\r\nHost: x\r\n" + auth +
         b"Connection: close\r\n\r\n", b"40"),
        (b"GET /redfish/v1/Systems/%00 HTTP/1.1\r\nHost: x\r\n" + auth +
         b"Connection: close\r\n\r\n", b"40"),
    ]
    for req, code in cases:
        out = send(req)
        assert out.startswith(b"HTTP/1.1 " + code), (req[:80], out[:200])
        body = out.partition(b"\r\n\r\n")[2]
        for secret in (b"admin:admin", b"YWRtaW46YWRtaW4", b"secret-password",
                       b"c2VjcmV0LXBhc3N3b3Jk", b"deadbeefdeadbeef"):
            assert secret not in body, (req[:60], body)
    # token guessing: 50 random tokens, all refused, the server fine afterwards
    for _ in range(50):
        tok = os.urandom(16).hex().encode()
        out = send(b"GET /redfish/v1/Systems/0 HTTP/1.1\r\nHost: x\r\nX-Auth-Token: " + tok +
                   b"\r\nConnection: close\r\n\r\n")
        assert out.startswith(b"HTTP/1.1 401") and tok not in out
    assert send(b"GET /redfish HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").startswith(b"HTTP/1.1 200")


def test_missing_gpio_chip_is_a_clear_error(tmp_path):
    conf = tmp_path / "bmcd.conf"
    users = tmp_path / "users"
    users.write_text("admin:admin\n")
    conf.write_text("[ipmi]\nlisten = 127.0.0.1\nport = 1\n[users]\nfile = users\n"
                    "[host]\nbackend = gpiod\nchip = /dev/gpiochip-nonexistent\n")
    r = subprocess.run([BMCD, "-c", str(conf)], capture_output=True, text=True, timeout=20)
    assert r.returncode == 1
    assert "/dev/gpiochip-nonexistent" in r.stderr and "cannot open" in r.stderr, r.stderr


def test_sigterm_closes_sessions(bmcd_factory):
    b = bmcd_factory()
    c = Rmcp(b.port)
    assert c.login("admin", "admin") == 0
    assert b.stop() == 0
    log = b.log()
    assert "closed: bmcd stopping" in log and "stopped" in log


def _sockets(pid):
    n = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            n += os.readlink("/proc/%d/fd/%s" % (pid, fd)).startswith("socket:")
        except OSError:
            pass
    return n


def _wait(cond, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def test_clients_that_stop_reading(bmcd_factory):
    """An HTTP client that pipelines requests and never reads the answers, and an SSE client
    that never reads its stream: neither holds the loop back or grows memory. The SSE stream
    is dropped when its fixed buffer is full, the HTTP connection after idle_timeout_ms
    without progress, and other clients are answered all the while."""
    port = free_tcp_port()
    b = bmcd_factory(extra="[redfish]\nlisten = 127.0.0.1\nhttp_port = %d\nhttps_port = 0\n"
                     "idle_timeout_ms = 3000\nmax_sse = 2\n" % port)
    auth = "Basic " + base64.b64encode(b"admin:admin").decode()
    pid = b.proc.pid
    base = _sockets(pid)

    def stalled():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window
        s.connect(("127.0.0.1", port))
        return s

    def curl_ok():
        r = subprocess.run(["curl", "-s", "-m", "1", "-o", "/dev/null", "-w", "%{http_code}",
                            "-u", "admin:admin", "http://127.0.0.1:%d/redfish/v1/Systems/0" % port],
                           capture_output=True, text=True, timeout=10)
        return r.stdout == "200"

    rss = b.rss_kib("VmRSS")
    # 1. an SSE stream that is never read, fed with events (SEL entries added over IPMI)
    #    until bmcd gives it up: the kernel's socket buffers take megabytes first, then
    #    bmcd's fixed output buffer fills and the stream is closed
    e = stalled()
    e.sendall(("GET /redfish/v1/EventService/SSE HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n"
               "\r\n" % auth).encode())
    assert _wait(lambda: _sockets(pid) == base + 1, 2), (_sockets(pid), base)
    c = Rmcp(b.port)
    assert c.login("admin", "admin") == 0
    assert c.cmd(0x06, 0x3B, bytes([4]))[0] == 0
    rec = bytes([0, 0, 0x02, 0, 0, 0, 0, 0x41, 0, 0x04, 0x12, 0x01, 0x6F, 0x02, 0xFF, 0xFF])
    added, end = 0, time.monotonic() + 90
    while _sockets(pid) > base and added < 100000 and time.monotonic() < end:
        cc, _ = c.cmd(0x0A, 0x44, rec)
        assert cc == 0, "Add SEL Entry %d: 0x%02x" % (added, cc)
        added += 1
        if added % 1000 == 0:
            assert curl_ok()
    assert _sockets(pid) == base, "SSE stream still open after %d events" % added
    print("SSE stream dropped after %d events" % added)
    # a reading stream still works afterwards
    r = socket.create_connection(("127.0.0.1", port), timeout=5)
    r.sendall(("GET /redfish/v1/EventService/SSE HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n"
               "\r\n" % auth).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += r.recv(4096)
    assert head.startswith(b"HTTP/1.1 200"), head
    assert c.cmd(0x0A, 0x44, rec)[0] == 0
    got = b""
    while b"ResourceCreated" not in got:
        got += r.recv(4096)
    r.close()
    assert _wait(lambda: _sockets(pid) == base, 2)
    # 2. pipelined GETs that are never read (20,000 of them, 2 MB): bmcd answers as long as
    #    the kernel takes its output, then nothing moves
    h = stalled()
    h.setblocking(False)
    req = ("GET /redfish/v1/Systems/0 HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n\r\n"
           % auth).encode()
    sent, end = 0, time.monotonic() + 5
    while time.monotonic() < end and sent < 20000:
        try:
            h.send(req)
            sent += 1
        except BlockingIOError:
            time.sleep(0.01)
    stalled_at = time.monotonic()
    assert _sockets(pid) == base + 1
    # others are answered while it holds its slot ...
    for _ in range(5):
        assert curl_ok()
    assert c.cmd(0x06, 0x01)[0] == 0
    # ... which bmcd frees once nothing moved for idle_timeout_ms (3 s)
    assert _wait(lambda: _sockets(pid) == base, 10), (_sockets(pid), base)
    assert time.monotonic() - stalled_at >= 2.0
    # memory: fixed pools, touched at most once more per slot
    assert b.rss_kib("VmRSS") - rss < 512, (rss, b.rss_kib("VmRSS"))
    h.close()
    e.close()
    c.close()
    assert curl_ok()


@pytest.mark.parametrize("size", [1 << 20, 4 << 20], ids=["1MiB", "4MiB"])
def test_refusal_of_a_large_body_reaches_the_client(bmcd_factory, tmp_path, size):
    """Issue 13.5: a body far over the limit gets its 413 over HTTP and HTTPS, every time. The
    server answers before the body is read; it then drops the rest of the body (lingering
    close) instead of closing with unread data (a reset loses the answer) or stalling the
    TLS engine behind the unread records (the client then waited for ever)."""
    http, https = free_tcp_port(), free_tcp_port()
    b = bmcd_factory(extra="[redfish]\nlisten = 127.0.0.1\nhttp_port = %d\nhttps_port = %d\n"
                     % (http, https))
    body = tmp_path / "body"
    body.write_bytes(b"{" * size)
    seen = {}
    for _ in range(5):
        for url in ("http://127.0.0.1:%d" % http, "https://127.0.0.1:%d" % https):
            r = subprocess.run(["curl", "-sk", "--max-time", "10", "-o", "/dev/null", "-w",
                                "%{http_code}", "-u", "admin:admin", "-H",
                                "Content-Type: application/json", "--data-binary", "@%s" % body,
                                url + "/redfish/v1/SessionService/Sessions"],
                               capture_output=True, text=True, timeout=20)
            key = (url.split(":")[0], r.returncode, r.stdout)
            seen[key] = seen.get(key, 0) + 1
    assert seen == {("http", 0, "413"): 5, ("https", 0, "413"): 5}, seen
    # the same without curl's timing: the whole request, head and 8 MiB of body, is sent
    # before anything is read, as a client that does not look for early answers does
    import ssl
    head = (b"POST /redfish/v1/SessionService/Sessions HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (8 << 20))
    for tls in (False, True):
        s = socket.create_connection(("127.0.0.1", https if tls else http), timeout=10)
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            s = ctx.wrap_socket(s)
        try:
            s.sendall(head + b"{" * (8 << 20))
            out = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except OSError as e:
            pytest.fail("%s: %r after the server's refusal (the answer was lost)" %
                        ("https" if tls else "http", e))
        finally:
            s.close()
        assert out.startswith(b"HTTP/1.1 413 "), out[:100]
        assert b"PayloadTooLarge" in out
    assert b.proc.poll() is None


def test_more_keepalive_clients_than_slots_take_turns(bmcd_factory):
    """Issue 13.4: three times as many keep-alive clients as connection slots. A connection
    between two requests is not evicted (that made every client reconnect and lose requests:
    the pool thrashed); the longest-served one is told `Connection: close` when others wait.
    Every client is served, none sees a connection dropped without an answer."""
    import http.client
    port = free_tcp_port()
    b = bmcd_factory(extra="[redfish]\nlisten = 127.0.0.1\nhttp_port = %d\nhttps_port = 0\n"
                     "max_connections = 4\n" % port)
    auth = {"Authorization": "Basic " + base64.b64encode(b"admin:admin").decode()}
    clients = 12
    served = [0] * clients
    errors = []
    closes = [0] * clients
    stop = threading.Event()

    def client(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while not stop.is_set():
            try:
                conn.request("GET", "/redfish/v1/Systems/0", headers=auth)
                r = conn.getresponse()
                r.read()
                if r.status != 200:
                    errors.append("client %d: status %d" % (i, r.status))
                    return
                served[i] += 1
                if r.getheader("Connection", "").lower() == "close":
                    closes[i] += 1
                    conn.close()
            except (OSError, http.client.HTTPException) as e:
                errors.append("client %d: %r" % (i, e))
                conn.close()
                return
        conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    time.sleep(6 if os.environ.get("BMCD_SANITIZED") or os.environ.get("BMCD_VALGRIND") else 3)
    stop.set()
    for t in threads:
        t.join(timeout=20)
    print("served per client:", served, "turns (Connection: close) per client:", closes)
    assert not errors, (errors[:5], b.log()[-1500:])
    assert all(n > 0 for n in served), served
    assert sum(closes) > 0, closes
    assert b.proc.poll() is None
