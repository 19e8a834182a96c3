"""A fake kvmd for tests: kvmd's ATX API on a unix socket, in front of a simulated host.

  GET  /atx                    {"ok": true, "result": {"enabled", "busy", "leds": {"power", "hdd"}}}
  POST /atx/click?button=power|power_long|reset
  POST /atx/power?action=on|off|off_hard|reset_hard
409 while a previous press is still running, 400 when ATX is disabled. `mode` switches
the whole server: "up", "hang" (accepts and never answers), "down" (socket closed)."""
import json
import os
import socket
import threading
import time


class FakeKvmd:
    def __init__(self, path, long_s=0.5, short_s=0.1, shutdown_s=0.3, user=None):
        self.path = path
        self.long_s, self.short_s, self.shutdown_s = long_s, short_s, shutdown_s
        self.user = user
        self.power = False
        self.enabled = True
        self.busy_until = 0.0
        self.off_at = None  # graceful shutdown in progress
        self.clicks = []
        self.requests = 0
        self.mode = "up"
        self.lock = threading.Lock()
        self.sock = None
        self.hung = []
        self.stopped = False
        self.listen()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def listen(self):
        if os.path.exists(self.path):
            os.unlink(self.path)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(self.path)
        s.listen(16)
        s.settimeout(0.1)
        self.sock = s

    def set_mode(self, mode):
        with self.lock:
            if mode == "down" and self.sock:
                self.sock.close()
                self.sock = None
                os.unlink(self.path)
            elif mode != "down" and not self.sock:
                self.listen()
            if mode != "hang":
                for c in self.hung:
                    c.close()
                self.hung = []
            self.mode = mode

    def close(self):
        self.stopped = True
        self.set_mode("down")
        self.thread.join(timeout=2)

    def _state(self):
        now = time.monotonic()
        if self.off_at is not None and now >= self.off_at:
            self.power, self.off_at = False, None
        return now

    def serve(self):
        while not self.stopped:
            with self.lock:
                s = self.sock
            if not s:
                time.sleep(0.05)
                continue
            try:
                c, _ = s.accept()
            except (socket.timeout, OSError):
                continue
            self.requests += 1
            if self.mode == "hang":
                self.hung.append(c)
                continue
            try:
                self.handle(c)
            except OSError:
                pass
            finally:
                if c not in self.hung:
                    c.close()

    def handle(self, c):
        c.settimeout(2)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = c.recv(4096)
            if not chunk:
                return
            data += chunk
        head = data.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
        method, target, _ = head[0].split(" ")
        headers = {h.split(":", 1)[0].strip().lower(): h.split(":", 1)[1].strip() for h in head[1:]}
        if self.user and (headers.get("x-kvmd-user") != self.user[0] or
                          headers.get("x-kvmd-passwd") != self.user[1]):
            return self.reply(c, 403, {"ok": False, "result": {"error": "Forbidden"}})
        with self.lock:
            now = self._state()
            if method == "GET" and target == "/atx":
                return self.reply(c, 200, {"ok": True, "result": {
                    "enabled": self.enabled, "busy": now < self.busy_until,
                    "leds": {"power": self.power, "hdd": False}}})
            if method == "POST" and target.startswith("/atx/"):
                if not self.enabled:
                    return self.reply(c, 400, {"ok": False, "result": {"error": "AtxDisabledError"}})
                if now < self.busy_until:
                    return self.reply(c, 409, {"ok": False, "result": {"error": "AtxOperationError"}})
                arg = target.split("=", 1)[1] if "=" in target else ""
                self.clicks.append(arg)
                if arg in ("power", "on", "off"):
                    self.busy_until = now + self.short_s
                    if not self.power and arg in ("power", "on"):
                        self.power = True
                    elif self.power and arg in ("power", "off"):
                        self.off_at = now + self.shutdown_s
                elif arg in ("power_long", "off_hard"):
                    self.busy_until = now + self.long_s
                    if self.power:
                        self.off_at = now + self.long_s * 0.8
                elif arg in ("reset", "reset_hard"):
                    self.busy_until = now + self.short_s
                else:
                    return self.reply(c, 400, {"ok": False, "result": {"error": "bad"}})
                return self.reply(c, 200, {"ok": True, "result": {}})
        return self.reply(c, 404, {"ok": False, "result": {"error": "NotFound"}})

    def reply(self, c, code, body):
        b = json.dumps(body).encode()
        c.sendall(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                  b"Connection: close\r\n\r\n%s" % (code, len(b), b))
