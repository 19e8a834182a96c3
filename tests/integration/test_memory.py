"""Issue 8: memory stays flat. RSS after 100,000 IPMI requests and 100,000 HTTP requests
equals RSS after the first thousand of each, within two pages: fixed pools, no growth."""
import base64
import socket

from conftest import SLOW, free_tcp_port
from rmcp import Rmcp

import pytest

AUTH = b"Authorization: Basic " + base64.b64encode(b"admin:admin")


def http_batch(port, n, per_conn=100):
    req = b"GET /redfish/v1/Systems/0 HTTP/1.1\r\nHost: x\r\n" + AUTH + b"\r\n\r\n"
    done = 0
    while done < n:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        k = min(per_conn, n - done)
        s.sendall(req * k)  # pipelined on one keep-alive connection
        got, buf = 0, b""
        while got < k:
            c = s.recv(1 << 20)
            assert c, "connection closed early"
            buf += c
            got = buf.count(b"HTTP/1.1 200 OK")
        s.close()
        done += k


@pytest.mark.skipif(SLOW, reason="RSS is only meaningful for the real binary")
def test_rss_flat_after_100k_requests(bmcd_factory):
    http = free_tcp_port()
    b = bmcd_factory(extra="[redfish]\nlisten = 127.0.0.1\nhttp_port = %d\nhttps_port = 0\n" % http)
    c = Rmcp(b.port)
    assert c.login("admin", "admin") == 0
    for _ in range(1000):
        assert c.cmd(0x06, 0x01)[0] == 0
    http_batch(http, 1000)
    warm = b.rss_kib()
    for i in range(99000):
        cc, _ = c.cmd(0x00, 0x01)  # Get Chassis Status
        assert cc == 0, i
    http_batch(http, 99000)
    after = b.rss_kib()
    print("RSS after warm-up %d KiB, after 100k IPMI + 100k HTTP %d KiB" % (warm, after))
    assert after - warm <= 8, (warm, after)
    c.close()
