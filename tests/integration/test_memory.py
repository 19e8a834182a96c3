"""Issue 8: memory stays flat. Anonymous RSS (heap, bss, stack) after 100,000 IPMI requests
and 100,000 HTTP requests equals that after the first thousand of each, within two pages:
fixed pools, no growth. The warm-up runs the same requests as the measured part, so text
pages of the static binary that a new code path would fault in are already resident."""
import base64
import socket

from conftest import SANITIZED, SLOW, free_tcp_port
from rmcp import Rmcp

import pytest

AUTH = b"Authorization: Basic " + base64.b64encode(b"admin:admin")


def http_batch(port, n, per_conn=100):
    """n requests, pipelined per_conn to a keep-alive connection; the last one on each asks
    the server to close, and the client reads to EOF, so the server has freed the slot
    before the next connection arrives (one pool slot in use, as with a sequential client)."""
    req = b"GET /redfish/v1/Systems/0 HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n"
    done = 0
    while done < n:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        k = min(per_conn, n - done)
        s.sendall((req + b"\r\n") * (k - 1) + req + b"Connection: close\r\n\r\n")
        buf = b""
        while True:
            c = s.recv(1 << 20)
            if not c:
                break
            buf += c
        assert buf.count(b"HTTP/1.1 200 OK") == k
        s.close()
        done += k


@pytest.mark.skipif(SLOW or SANITIZED, reason="RSS is only meaningful for the real binary")
def test_rss_flat_after_100k_requests(bmcd_factory):
    http = free_tcp_port()
    b = bmcd_factory(extra="[redfish]\nlisten = 127.0.0.1\nhttp_port = %d\nhttps_port = 0\n" % http)
    c = Rmcp(b.port)
    assert c.login("admin", "admin") == 0
    for _ in range(500):
        assert c.cmd(0x06, 0x01)[0] == 0
        assert c.cmd(0x00, 0x01)[0] == 0
    http_batch(http, 1000)
    warm, warm_all = b.rss_kib("RssAnon"), b.rss_kib()
    for i in range(99000):
        cc, _ = c.cmd(0x00, 0x01)  # Get Chassis Status
        assert cc == 0, i
    http_batch(http, 99000)
    after, after_all = b.rss_kib("RssAnon"), b.rss_kib()
    print("RssAnon after warm-up %d KiB, after 100k IPMI + 100k HTTP %d KiB "
          "(VmRSS %d -> %d KiB)" % (warm, after, warm_all, after_all))
    assert after - warm <= 8, (warm, after)
    c.close()
