"""A fake kvmd for tests: kvmd's ATX API on a unix socket, in front of a simulated host.

  GET  /atx                    {"ok": true, "result": {"enabled", "busy", "leds": {"power", "hdd"}}}
  POST /atx/click?button=power|power_long|reset
  POST /atx/power?action=on|off|off_hard|reset_hard
409 while a previous press is still running, 400 when ATX is disabled. `mode` switches
the whole server: "up", "hang" (accepts and never answers), "down" (socket closed).

And kvmd's mass storage drive (MSD), as kvmd >= 4.169's otg plugin behaves (kvmd/apps/kvmd/
api/msd.py, kvmd/plugins/msd/otg; socket paths have no /api prefix, parameters are query
parameters, also for POST):
  GET  /msd                    {"ok": true, "result": {"enabled", "online", "busy",
                                "storage": {"images", "parts", "downloading", "uploading"} | null,
                                "drive": {"image", "connected", "cdrom", "rw"} | null}}
                               (pretty-printed with sorted keys, like kvmd)
  POST /msd/set_params?image=&cdrom=&rw=
  POST /msd/set_connected?connected=0|1
  POST /msd/write_remote?url=&image=&prefix=&timeout=&insecure=&remove_incomplete=
       downloads the URL for real (urllib); errors before streaming are 400 JSON errors named
       like aiohttp's (ClientResponseError, ClientConnectorError, ClientError); then a chunked
       application/x-ndjson stream of {"ok": true, "result": {"image": {"name", "size",
       "written"}}} lines, "\r\n"-terminated; a failure after that (storage full: OSError
       ENOSPC; the remote dropping) is one more info line, an {"ok": false, ..} line and an
       abrupt close without the last chunk
  POST /msd/remove?image=
  POST /msd/reset
Errors: {"ok": false, "result": {"error": CLASS, "error_msg": TEXT}}: MsdIsBusyError 409 (one
operation at a time: a running download holds it), MsdOfflineError, MsdConnectedError,
MsdDisconnectedError, MsdImageNotSelected, MsdUnknownImageError, MsdImageExistsError,
MsdRemoteDisabledError, ValidatorError: 400. There is no free-space check before writing,
as in kvmd. Knobs: msd_online, msd_enabled, msd_storage_size, msd_list_lag (seconds before
a new image is listed: kvmd's inotify), msd_chunk_delay (slows downloads down),
msd_add_image() (an image a person uploaded), msd_requests (what was asked).

And a PiKVM Switch (kvmd >= 4.x, kvmd/apps/kvmd/api/switch.py, kvmd/apps/kvmd/switch/), when
started with switch=N (N units of 4 ports, 0..5; 0: kvmd with no switch attached, every list
empty). switch=None (the default) is a kvmd without the Switch API: /switch answers 404.
  GET  /switch                 {"ok": true, "result": {"model": {"ports": [...], "units": [...],
                                "firmware", "limits"}, "summary": {"active_port", "active_id",
                                "synced"}, "atx": {"busy": [..], "leds": {"power": [..],
                                "hdd": [..]}}, "video", "usb", "beacons", "edids", "colors"}}
                               (per-port lists indexed by the 0-based port; pretty-printed)
  POST /switch/set_active?port=
  POST /switch/atx/power?port=&action=on|off|off_hard|reset_hard
  POST /switch/atx/click?port=&button=power|power_long|reset
`port` is kvmd's float: an integral value is the 0-based port index; "U.C" is unit and
channel, 1-based and clamped (1.1 is port 0, 2.3 is port 6). Actions are queued in kvmd and
always answer 200 {}: a port that does not exist, a port busy with a press, or a power action
whose LED condition does not hold (on: LED off; off, off_hard, reset_hard: LED on) is silently
ignored (set_active too; sw_active_lag: seconds before a set_active shows in active_port, as
kvmd queues it). Bad or missing port/action/button: 400 ValidatorError with kvmd's messages; inf/nan:
a plain-text 500. Each port is a simulated host like the ATX one (power press: on, or a
graceful shutdown; power_long: forced off; busy for the press). sw_requests: what was asked;
sw_clicks: the presses that reached a port, as (port, button). all_requests: every MSD and
Switch request in order, as (method, path, query)."""
import http.client
import json
import math
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

DETACHED = "detached"
MSD_CHUNK = 64 * 1024


class KvmdError(Exception):
    def __init__(self, cls, msg, code=400):
        super().__init__(msg)
        self.cls, self.msg, self.code = cls, msg, code


def valid_bool(v, name="bool"):
    s = str(v).strip().lower() if v is not None else None
    if s in ("1", "true", "yes"):
        return True
    if s in ("0", "false", "no"):
        return False
    raise KvmdError("ValidatorError", "The argument %r is not a valid %s (['1', 'true', 'yes'] or "
                    "['0', 'false', 'no'])" % (v, name))


def valid_image_name(arg):
    """kvmd.validators.kvm.valid_msd_image_name"""
    if arg is None:
        raise KvmdError("ValidatorError", "None argument is not a valid MSD image name")
    parts = [p.strip() for p in str(arg).strip().split("/") if p.strip()]
    if not parts:
        raise KvmdError("ValidatorError", "%r is not a valid MSD image name" % arg)
    for p in parts:
        if p.startswith(".") or p == "lost+found" or "\0" in p:
            raise KvmdError("ValidatorError", "%r is not a valid MSD image name" % arg)
    return "/".join("".join(c if c.isprintable() else "_" for c in p)[:255] for p in parts)


class FakeKvmd:
    def __init__(self, path, long_s=0.5, short_s=0.1, shutdown_s=0.3, user=None, switch=None):
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
        # MSD
        self.msd_enabled = True
        self.msd_online = True
        self.msd_storage_size = 64 * 1024 * 1024
        self.msd_list_lag = 0.0
        self.msd_chunk_delay = 0.0
        self.msd_busy = False
        self.msd_images = {}  # name -> {"size", "complete", "mod_ts", "listed_at", "data"}
        self.msd_drive = {"image": None, "connected": False, "cdrom": True, "rw": False}
        self.msd_uploading = None
        self.msd_requests = []
        # Switch
        self.switch = switch  # units; None: no Switch API
        n = 4 * (switch or 0)
        self.sw_power = [False] * n
        self.sw_hdd = [False] * n
        self.sw_busy_until = [0.0] * n
        self.sw_off_at = [None] * n
        self.sw_names = [""] * n
        self.sw_active = -1
        self.sw_active_lag = 0.0
        self.sw_pending = None  # (port, when) of a queued set_active
        self.sw_requests = []
        self.all_requests = []
        self.sw_clicks = []
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
            detached = False
            try:
                detached = self.handle(c) == DETACHED
            except OSError:
                pass
            finally:
                if c not in self.hung and not detached:
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
        if target == "/msd" or target.startswith("/msd/") or target.startswith("/msd?"):
            return self.msd_handle(c, method, target)
        if self.switch is not None and (target == "/switch" or target.startswith("/switch/") or
                                        target.startswith("/switch?")):
            return self.switch_handle(c, method, target)
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

    def reply(self, c, code, body, pretty=False):
        b = json.dumps(body, indent=4, sort_keys=True).encode() if pretty else json.dumps(body).encode()
        c.sendall(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                  b"Connection: close\r\n\r\n%s" % (code, len(b), b))

    # --- MSD ------------------------------------------------------------------------------

    def msd_add_image(self, name, size, complete=True, data=None):
        """An image uploaded through kvmd's web UI (not by bmcd)."""
        with self.lock:
            self.msd_images[valid_image_name(name)] = {
                "size": size, "complete": complete, "mod_ts": time.time(), "listed_at": 0.0,
                "data": data}

    def _listed(self):
        now = time.monotonic()
        return {n: i for n, i in self.msd_images.items() if i["listed_at"] <= now}

    def _used(self):
        return sum(i["size"] for i in self.msd_images.values())

    def msd_state(self):
        if not self.msd_enabled:
            return {"enabled": False, "online": False, "busy": False, "storage": None, "drive": None}
        if not self.msd_online:
            return {"enabled": True, "online": False, "busy": self.msd_busy, "storage": None,
                    "drive": None}
        images = {}
        for n, i in self._listed().items():
            images[n] = {"complete": i["complete"], "mod_ts": i["mod_ts"], "removable": True,
                         "size": i["size"], "writable": not n.lower().endswith(".iso")}
        d = self.msd_drive
        dimg = None
        if d["image"] is not None and d["image"] in self.msd_images:
            dimg = dict(images.get(d["image"]) or {"complete": False, "mod_ts": 0.0,
                                                   "removable": True, "size": 0, "writable": False})
            dimg.update({"name": d["image"], "in_storage": True})
        return {
            "enabled": True, "online": True, "busy": self.msd_busy,
            "storage": {
                "downloading": None, "uploading": self.msd_uploading, "images": images,
                "parts": {"": {"free": max(0, self.msd_storage_size - self._used()),
                               "size": self.msd_storage_size, "writable": True}},
            },
            "drive": {"image": dimg, "connected": d["connected"], "cdrom": d["cdrom"], "rw": d["rw"]},
        }

    def _check(self, connected_ok=False):
        """The order of kvmd's checks: busy, offline, connected."""
        if not self.msd_enabled:
            raise KvmdError("MsdDisabledError", "MSD is disabled")
        if self.msd_busy:
            raise KvmdError("MsdIsBusyError", "Performing another MSD operation, please try again later", 409)
        if not self.msd_online:
            raise KvmdError("MsdOfflineError", "MSD is not found")
        if not connected_ok and self.msd_drive["connected"]:
            raise KvmdError("MsdConnectedError", "MSD is connected to Server, but shouldn't for this operation")

    def msd_error(self, c, e):
        return self.reply(c, e.code, {"ok": False, "result": {"error": e.cls, "error_msg": e.msg}},
                          pretty=True)

    @staticmethod
    def split_target(target):
        """(path, {param: first value}) of a request target, like aiohttp's request.query."""
        u = urllib.parse.urlsplit(target)
        return u.path, {k: v[0] for k, v in
                        urllib.parse.parse_qs(u.query, keep_blank_values=True).items()}

    def msd_handle(self, c, method, target):
        path, q = self.split_target(target)
        with self.lock:
            self.msd_requests.append((method, path, q))
            self.all_requests.append((method, path, q))
        ok = {"ok": True, "result": {}}
        routes = {("GET", "/msd"), ("POST", "/msd/set_params"), ("POST", "/msd/set_connected"),
                  ("POST", "/msd/write_remote"), ("POST", "/msd/remove"), ("POST", "/msd/reset")}
        if (method, path) not in routes:
            if path in {p for _, p in routes}:
                return self.reply(c, 405, {"ok": False, "result": {"error": "MethodNotAllowed"}})
            return self.reply(c, 404, {"ok": False, "result": {"error": "NotFound"}})
        if path == "/msd/write_remote":
            t = threading.Thread(target=self._write_remote_conn, args=(c, q), daemon=True)
            t.start()
            return DETACHED
        try:
            with self.lock:
                if path == "/msd":
                    return self.reply(c, 200, {"ok": True, "result": self.msd_state()}, pretty=True)
                if path == "/msd/reset":
                    if self.msd_busy:
                        self._check()
                    self.msd_drive["connected"] = False
                    return self.reply(c, 200, ok, pretty=True)
                if path == "/msd/set_params":
                    params = {}
                    if q.get("image") is not None:
                        v = q["image"]
                        if re.match(r"^[a-zA-Z][a-zA-Z0-9._+-]+[a-zA-Z]://[a-zA-Z0-9\[]", v.strip()):
                            params["image"] = ("remote", v)
                        else:
                            params["image"] = ("name", valid_image_name(v) if v.strip() else "")
                    for k in ("cdrom", "rw"):
                        if q.get(k) is not None:
                            params[k] = valid_bool(q[k])
                    self._check()
                    d = dict(self.msd_drive)
                    if "image" in params:
                        kind, v = params["image"]
                        if kind == "remote":
                            raise KvmdError("MsdRemoteDisabledError", "Remote images binding is disabled")
                        if v == "":
                            d["image"] = None
                        else:
                            if v not in self._listed():
                                raise KvmdError("MsdUnknownImageError", "The image is not found in the storage")
                            d["image"] = v
                    for k in ("cdrom", "rw"):
                        if k in params:
                            d[k] = params[k]
                    if d["rw"] and (d["cdrom"] or (d["image"] and d["image"].lower().endswith(".iso"))):
                        d["rw"] = False
                    self.msd_drive = d
                    return self.reply(c, 200, ok, pretty=True)
                if path == "/msd/set_connected":
                    want = valid_bool(q.get("connected"))
                    self._check(connected_ok=True)
                    d = self.msd_drive
                    if want:
                        if d["connected"]:
                            raise KvmdError("MsdConnectedError", "MSD is connected to Server, but shouldn't for this operation")
                        if d["image"] is None:
                            raise KvmdError("MsdImageNotSelected", "The image is not selected")
                        if d["image"] not in self.msd_images:
                            raise KvmdError("MsdUnknownImageError", "The image is not found in the storage")
                    elif not d["connected"]:
                        raise KvmdError("MsdDisconnectedError", "MSD is disconnected from Server, but should be for this operation")
                    d["connected"] = want
                    return self.reply(c, 200, ok, pretty=True)
                if path == "/msd/remove":
                    name = valid_image_name(q.get("image"))
                    self._check()
                    if name not in self._listed():
                        raise KvmdError("MsdUnknownImageError", "The image is not found in the storage")
                    del self.msd_images[name]
                    if self.msd_drive["image"] == name:
                        self.msd_drive["image"] = None
                    return self.reply(c, 200, ok, pretty=True)
        except KvmdError as e:
            return self.msd_error(c, e)

    def _write_remote_conn(self, c, q):
        try:
            self._write_remote(c, q)
        except OSError:
            pass
        finally:
            c.close()

    def _write_remote(self, c, q):
        prefix = q.get("prefix", "") + "/"
        try:
            url = q.get("url")
            if url is None or len(url) > 4096 or not re.match(r"^(?:http|https)://[\[\w]+\S*", url, re.I):
                raise KvmdError("ValidatorError", "The argument %r is not a valid URL" % url)
            valid_bool(q.get("insecure", False))
            try:
                timeout = float(q.get("timeout", 10.0))
                assert timeout >= 0.1
            except (ValueError, AssertionError):
                raise KvmdError("ValidatorError", "The argument %r is not a valid float" % q.get("timeout"))
            remove_incomplete = valid_bool(q["remove_incomplete"]) if "remove_incomplete" in q else None
            try:
                remote = urllib.request.urlopen(url, timeout=timeout)
            except urllib.error.HTTPError as e:
                raise KvmdError("ClientResponseError", "%d, message=%r, url=%r" % (e.code, e.reason, url))
            except (urllib.error.URLError, OSError) as e:
                u = urllib.parse.urlsplit(url)
                raise KvmdError("ClientConnectorError", "Cannot connect to host %s:%s ssl:default [%s]" %
                                (u.hostname, u.port or (443 if u.scheme == "https" else 80),
                                 getattr(e, "reason", e)))
        except KvmdError as e:
            return self.msd_error(c, e)
        with remote:
            try:
                if remote.status != 200:
                    raise KvmdError("ClientResponseError", "%d, message=%r, url=%r" % (remote.status, remote.reason, url))
                cl = remote.headers.get("Content-Length")
                if cl is None:
                    raise KvmdError("ClientError", "No Content-Length found")
                size = int(cl)
                name = str(q.get("image", "")).strip()
                if not name:
                    name = os.path.basename(urllib.parse.urlsplit(url).path)
                    if not name:
                        raise KvmdError("ClientError", "Can't determine filename")
                name = valid_image_name(prefix + name)
                with self.lock:
                    self._check()
                    if name in self.msd_images:
                        raise KvmdError("MsdImageExistsError", "This image is already exists")
                    self.msd_busy = True
                    self.msd_images[name] = {"size": size, "complete": False, "mod_ts": time.time(),
                                             "listed_at": time.monotonic() + self.msd_list_lag,
                                             "data": bytearray()}
            except KvmdError as e:
                return self.msd_error(c, e)
            written = 0

            def line(obj):
                b = json.dumps(obj).encode() + b"\r\n"
                c.sendall(b"%x\r\n%s\r\n" % (len(b), b))

            def info():
                line({"ok": True, "result": {"image": {"name": name, "size": size, "written": written}}})

            try:
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n"
                          b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
                with self.lock:
                    self.msd_uploading = {"name": name, "size": size, "written": 0}
                info()
                last = 0
                while True:
                    try:
                        chunk = remote.read(MSD_CHUNK)
                    except (OSError, http.client.HTTPException) as e:
                        raise KvmdError("ClientPayloadError", "Response payload is not completed: %r" % e)
                    if not chunk:
                        if written < size:
                            raise KvmdError("ClientPayloadError", "Response payload is not completed")
                        break
                    with self.lock:
                        if self._used() - self.msd_images[name]["size"] + written + len(chunk) > self.msd_storage_size:
                            raise KvmdError("OSError", "[Errno 28] No space left on device")
                        self.msd_images[name]["data"] += chunk
                    written += len(chunk)
                    with self.lock:
                        self.msd_uploading = {"name": name, "size": size, "written": written}
                    now = int(time.monotonic())
                    if last + 1 < now or self.msd_chunk_delay:
                        info()
                        last = now
                    if self.msd_chunk_delay:
                        time.sleep(self.msd_chunk_delay)
                complete = written >= size
                with self.lock:
                    img = self.msd_images.get(name)
                    if img is not None:
                        img["complete"] = complete
                        img["size"] = size
                        if not complete and remove_incomplete:
                            del self.msd_images[name]
                info()
                c.sendall(b"0\r\n\r\n")
            except KvmdError as e:
                info()
                line({"ok": False, "result": {"error": e.cls, "error_msg": e.msg}})
                self._incomplete(name, remove_incomplete)
                # kvmd (aiohttp) drops the connection here, without the last chunk
            except OSError:
                # the client went away: kvmd's handler is cancelled, the image stays incomplete
                self._incomplete(name, remove_incomplete)
            finally:
                with self.lock:
                    self.msd_busy = False
                    self.msd_uploading = None

    def _incomplete(self, name, remove_incomplete):
        with self.lock:
            img = self.msd_images.get(name)
            if img is not None:
                img["complete"] = False
                if remove_incomplete and img["listed_at"] <= time.monotonic():
                    del self.msd_images[name]

    # --- Switch ---------------------------------------------------------------------------

    def set_switch(self, units):
        """Units plugged in (0: unplugged); ports that stay keep their state."""
        with self.lock:
            n = 4 * units

            def fit(v, fill):
                return (v + [fill] * n)[:n]
            self.sw_power = fit(self.sw_power, False)
            self.sw_hdd = fit(self.sw_hdd, False)
            self.sw_names = fit(self.sw_names, "")
            self.sw_busy_until = fit(self.sw_busy_until, 0.0)
            self.sw_off_at = fit(self.sw_off_at, None)
            self.switch = units  # like kvmd, active_port is not reset when the chain shrinks

    def _sw_state(self):
        now = time.monotonic()
        if self.sw_pending is not None and now >= self.sw_pending[1]:
            self.sw_active, self.sw_pending = self.sw_pending[0], None
        for i, t in enumerate(self.sw_off_at):
            if t is not None and now >= t:
                self.sw_power[i], self.sw_off_at[i] = False, None
        return now

    def _sw_id(self, port):
        units = self.switch or 0
        return "%d.%d" % (port // 4 + 1, port % 4 + 1) if units > 1 else "%d" % (port + 1)

    def switch_state(self):
        now = self._sw_state()
        units = self.switch or 0
        n = 4 * units
        delays = {"power": self.short_s, "power_long": self.long_s, "reset": self.short_s}
        ports = [{"unit": i // 4, "channel": i % 4, "id": self._sw_id(i), "name": self.sw_names[i],
                  "atx": {"click_delays": dict(delays)}, "video": {"dummy": True}}
                 for i in range(n)]
        # kvmd's defaults (switch/types.py Colors: red, green, blue, brightness, blink_ms)
        colors = {r: dict(zip(("red", "green", "blue", "brightness", "blink_ms"), v)) for r, v in (
            ("inactive", (255, 0, 0, 64, 0)), ("active", (0, 255, 0, 128, 0)),
            ("flashing", (0, 170, 255, 128, 0)), ("beacon", (228, 44, 156, 255, 250)),
            ("bootloader", (255, 170, 0, 128, 0)))}
        active = self.sw_active
        return {
            "model": {
                "firmware": {"version": 9},
                "units": [{"firmware": {"version": 9, "devbuild": False}} for _ in range(units)],
                "ports": ports,
                "limits": {"atx": {"click_delays": {
                    "power": {"default": 0.5, "min": 0, "max": 10},
                    "power_long": {"default": 5.5, "min": 0, "max": 10},
                    "reset": {"default": 0.5, "min": 0, "max": 10}}}},
            },
            # like kvmd, active_id is not range-checked (a stale active_port keeps its id), and
            # the EDIDs and colors are there with or without a Switch
            "summary": {"active_port": active,
                        "active_id": self._sw_id(active) if active >= 0 else "",
                        "synced": True},
            "edids": {"all": {"default": {"name": "Default", "data": "00" * 256, "parsed": None}},
                      "used": ["default"] * n},
            "colors": colors,
            "video": {"links": [False] * n},
            "usb": {"links": [False] * n},
            "beacons": {"ports": [False] * n, "uplinks": [False] * units,
                        "downlinks": [False] * units},
            "atx": {"busy": [now < t for t in self.sw_busy_until],
                    "leds": {"power": list(self.sw_power), "hdd": list(self.sw_hdd)}},
        }

    @staticmethod
    def sw_port(q):
        """kvmd's valid_float_f0 and Chain.translate_port: the 0-based port index."""
        raw = q.get("port")
        if raw is not None and len(raw) > 16:
            raise KvmdError("ValidatorError", "RAW limit exceed")
        s = raw.strip() if raw is not None else ""
        if not s:
            raise KvmdError("ValidatorError", "None argument is not a valid float")
        try:
            f = float(s)
        except ValueError:
            raise KvmdError("ValidatorError", "The argument %r is not a valid float" % s)
        if f < 0:
            raise KvmdError("ValidatorError",
                            "The argument '%s' must be float and greater or equial than 0" % f)
        if math.isinf(f) or math.isnan(f):
            raise KvmdError("OverflowError", "", 500)
        if int(f) == f:
            return int(f)
        unit, ch = map(int, str(f).split("."))
        unit, ch = min(max(unit, 1), 5), min(max(ch, 1), 4)
        return min((unit - 1) * 4 + (ch - 1), 19)

    @staticmethod
    def sw_enum(q, key, name, values):
        raw = q.get(key)
        if raw is not None and len(raw) > 16:
            raise KvmdError("ValidatorError", "RAW limit exceed")
        if raw is None:
            raise KvmdError("ValidatorError", "None argument is not a valid %s" % name)
        v = raw.strip().lower()
        if v not in values:
            raise KvmdError("ValidatorError", "The argument %r is not a valid %s" % (v, name))
        return v

    def _sw_click(self, port, button, if_powered=None):
        """The switch's child process: drops what it cannot do, without telling anyone."""
        now = self._sw_state()
        if port >= 4 * (self.switch or 0) or now < self.sw_busy_until[port]:
            return
        if if_powered is not None and self.sw_power[port] != if_powered:
            return
        self.sw_clicks.append((port, button))
        if button == "power":
            self.sw_busy_until[port] = now + self.short_s
            if not self.sw_power[port]:
                self.sw_power[port] = True
            elif self.sw_off_at[port] is None:
                self.sw_off_at[port] = now + self.shutdown_s
        elif button == "power_long":
            self.sw_busy_until[port] = now + self.long_s
            if self.sw_power[port]:
                self.sw_off_at[port] = now + self.long_s * 0.8
        else:
            self.sw_busy_until[port] = now + self.short_s

    def switch_handle(self, c, method, target):
        path, q = self.split_target(target)
        with self.lock:
            self.sw_requests.append((method, path, q))
            self.all_requests.append((method, path, q))
        routes = {("GET", "/switch"), ("POST", "/switch/set_active"), ("POST", "/switch/atx/power"),
                  ("POST", "/switch/atx/click")}
        if (method, path) not in routes:
            if path in {p for _, p in routes}:
                return self.plain(c, 405, "405: Method Not Allowed")
            return self.plain(c, 404, "404: Not Found")
        ok = {"ok": True, "result": {}}
        try:
            with self.lock:
                if path == "/switch":
                    return self.reply(c, 200, {"ok": True, "result": self.switch_state()}, pretty=True)
                port = self.sw_port(q)
                if path == "/switch/set_active":
                    if port < 4 * (self.switch or 0):
                        if self.sw_active_lag:
                            self.sw_pending = (port, time.monotonic() + self.sw_active_lag)
                        else:
                            self.sw_active = port
                elif path == "/switch/atx/power":
                    action = self.sw_enum(q, "action", "ATX power action",
                                          ("on", "off", "off_hard", "reset_hard"))
                    button, if_powered = {"on": ("power", False), "off": ("power", True),
                                          "off_hard": ("power_long", True),
                                          "reset_hard": ("reset", True)}[action]
                    self._sw_click(port, button, if_powered)
                else:
                    button = self.sw_enum(q, "button", "ATX button", ("power", "power_long", "reset"))
                    self._sw_click(port, button)
                return self.reply(c, 200, ok, pretty=True)
        except KvmdError as e:
            if e.code == 500:
                return self.plain(c, 500, "500 Internal Server Error\n\nServer got itself in trouble")
            return self.msd_error(c, e)

    def plain(self, c, code, text):
        """aiohttp's own answers (unknown route, wrong method, an unhandled exception)."""
        b = text.encode()
        c.sendall(b"HTTP/1.1 %d X\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n"
                  b"Connection: close\r\n\r\n%s" % (code, len(b), b))
