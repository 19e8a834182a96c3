#!/usr/bin/python3
"""`make bench`: every server in turn under the same load on loopback, one table.

Servers: bmcd (build/bmcd), OpenIPMI's ipmi_sim, pyghmi's server as PiKVM's kvmd-ipmi uses it
(tools/bench/pyghmi_bmc.py), a UDP echo server (the ceiling of this machine's loopback), and
nginx with one worker serving the same JSON bytes as a static file. Load: tools/bench's
bmcd-bench (IPMI, RMCP+ handshakes, SoL, start-up timing) and wrk (HTTP/HTTPS).

The machine is shared and noisy: every point is run in R rounds that alternate between the
servers, and the best round of each server is kept; each figure is also given as a ratio to a
reference measured in the same run. Server CPU time per operation is read from /proc and
reported as well: it is far less sensitive to other tenants than throughput.

Everything is bounded: each client run has a timeout, the whole run has a deadline, and every
process started here is stopped (SIGTERM, then SIGKILL to its own process group) on exit,
error or signal.

Output: a table on stdout, build/bench.txt (the same table), build/bench.json (everything).
"""
import argparse
import atexit
import base64
import datetime
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, "build")
BDIR = os.path.join(BUILD, "bench")
RUN = os.path.join(BDIR, "run")
BENCH = os.path.join(BDIR, "bmcd-bench")
BMCD = os.path.join(BUILD, "bmcd")
BMCD_DEFAULT = BMCD
BMCD_SYMS = os.path.join(BDIR, "bmcd-syms")
PYGHMI_BMC = os.path.join(ROOT, "tools", "bench", "pyghmi_bmc.py")
PY = "/usr/bin/python3"  # Debian's python3: the one python3-pyghmi is installed for
CLK_TCK = os.sysconf("SC_CLK_TCK")
USER, PASS = "admin", "admin"
AUTH_HDR = "Authorization: Basic " + base64.b64encode(b"admin:admin").decode()
SYSTEM_PATH = "/redfish/v1/Systems/0"

PROCS = []          # every process started here, for the clean-up
DEADLINE = [0.0]    # the whole run must end by then
LOG = []            # progress lines (also printed)


def say(msg):
    line = "[%6.1f s] %s" % (time.monotonic() - T0, msg)
    LOG.append(line)
    print(line, file=sys.stderr, flush=True)


T0 = time.monotonic()


class Abort(Exception):
    pass


def check_deadline():
    if time.monotonic() > DEADLINE[0]:
        raise Abort("the run exceeded its time limit")


# --- processes ---------------------------------------------------------------------------

class Proc:
    """A server started by the harness, in its own process group."""

    def __init__(self, name, argv, cwd=None, log=None, env=None):
        self.name = name
        self.argv = argv
        self.log = log or os.path.join(RUN, name + ".log")
        self.logf = open(self.log, "ab")
        self.p = subprocess.Popen(argv, cwd=cwd, stdout=self.logf, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, start_new_session=True, env=env)
        self.pid = self.p.pid
        PROCS.append(self)

    def alive(self):
        return self.p.poll() is None

    def pids(self):
        """The process and its direct children (nginx's worker)."""
        out = [self.pid]
        try:
            for d in os.listdir("/proc"):
                if d.isdigit():
                    try:
                        with open("/proc/%s/stat" % d) as f:
                            st = f.read()
                        ppid = int(st[st.rindex(")") + 2:].split()[1])
                        if ppid == self.pid:
                            out.append(int(d))
                    except (OSError, ValueError):
                        pass
        except OSError:
            pass
        return out

    def status_kb(self, field):
        total = 0
        for p in self.pids():
            try:
                with open("/proc/%d/status" % p) as f:
                    m = re.search(r"^%s:\s+(\d+)" % field, f.read(), re.M)
                if m:
                    total += int(m.group(1))
            except OSError:
                pass
        return total

    def cpu_s(self):
        total = 0.0
        for p in self.pids():
            try:
                with open("/proc/%d/stat" % p) as f:
                    st = f.read()
                fields = st[st.rindex(")") + 2:].split()
                total += (int(fields[11]) + int(fields[12])) / CLK_TCK
            except (OSError, ValueError, IndexError):
                pass
        return total

    def clear_hwm(self):
        for p in self.pids():
            try:
                with open("/proc/%d/clear_refs" % p, "w") as f:
                    f.write("5")  # reset VmHWM to the current RSS
            except OSError:
                pass

    def stop(self):
        if self.alive():
            try:
                os.kill(self.pid, signal.SIGTERM)
                self.p.wait(timeout=5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        if self.alive() or True:
            try:
                os.killpg(self.pid, signal.SIGKILL)  # our own group: leftovers (workers)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            self.p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if self in PROCS:
            PROCS.remove(self)
        self.logf.close()

    def tail(self, n=2000):
        try:
            with open(self.log, "rb") as f:
                return f.read()[-n:].decode(errors="replace")
        except OSError:
            return ""


def stop_all():
    for p in list(PROCS):
        try:
            p.stop()
        except Exception:
            pass


def on_signal(sig, frame):
    stop_all()
    sys.exit(128 + sig)


# --- ports and readiness --------------------------------------------------------------------

USED_PORTS = set()


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1 (below 32768: not ephemeral)."""
    for _ in range(500):
        port = random.randint(20000, 32000)
        if port in USED_PORTS:
            continue
        ok = True
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            s = socket.socket(socket.AF_INET, kind)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                ok = False
            finally:
                s.close()
        if ok:
            USED_PORTS.add(port)
            return port
    raise Abort("no free port")


def udp_probe(port, kind="asf", timeout=0.2):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        if kind == "asf":
            s.sendto(bytes([6, 0, 0xFF, 6, 0, 0, 0x11, 0xBE, 0x80, 0x11, 0, 0]),
                     ("127.0.0.1", port))
        else:  # Get Channel Authentication Capabilities, IPMI 1.5 format
            msg = [0x20, 0x18, 0xC8, 0x81, 0x04, 0x38, 0x8E, 0x04]
            msg.append((-sum(msg[3:])) & 0xFF)
            s.sendto(bytes([6, 0, 0xFF, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, len(msg)] + msg),
                     ("127.0.0.1", port))
        data, _ = s.recvfrom(512)
        return len(data) >= 10
    except OSError:
        return False
    finally:
        s.close()


def tcp_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def wait_until(proc, fn, timeout=15.0, what="ready"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not proc.alive():
            raise Abort("%s exited while starting:\n%s" % (proc.name, proc.tail()))
        if fn():
            return
        time.sleep(0.02)
    raise Abort("%s did not become %s in %.0f s:\n%s" % (proc.name, what, timeout, proc.tail()))


def http_get(port, path, auth=True, tls=False):
    import http.client
    import ssl
    if tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        c = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=ctx)
    else:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    hdrs = {"Authorization": AUTH_HDR.split(": ", 1)[1]} if auth else {}
    c.request("GET", path, headers=hdrs)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


# --- clients -----------------------------------------------------------------------------

def bench(mode, *args, timeout=60):
    check_deadline()
    argv = [BENCH, mode] + [str(a) for a in args]
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": "bmcd-bench timed out after %d s" % timeout, "argv": argv}
    line = (r.stderr.strip().splitlines() or [""])[-1]
    if line:
        say("  " + line)
    out = [l for l in r.stdout.splitlines() if l.startswith("{")]
    if not out:
        return {"error": "no result (exit %d): %s" % (r.returncode, r.stderr[-500:]), "argv": argv}
    d = json.loads(out[-1])
    d["argv"] = " ".join(argv[1:])
    return d


def parse_wrk(text):
    def lat(s):
        m = re.match(r"([\d.]+)(us|ms|s)$", s)
        if not m:
            return None
        v = float(m.group(1))
        return v * {"us": 1, "ms": 1e3, "s": 1e6}[m.group(2)]
    d = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    d["rate"] = float(m.group(1)) if m else 0.0
    for q in ("50", "99"):
        m = re.search(r"^\s+%s%%\s+(\S+)" % q, text, re.M)
        d["p%s_us" % q] = lat(m.group(1)) if m else None
    m = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", text)
    d["max_us"] = lat(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in ([\d.]+)(ms|s)", text)
    d["count"] = int(m.group(1)) if m else 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    d["non2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    d["socket_errors"] = [int(x) for x in m.groups()] if m else [0, 0, 0, 0]
    d["errors"] = d["non2xx"] + sum(d["socket_errors"])
    return d


def wrk(url, conns, secs, close=False, auth=True):
    check_deadline()
    argv = ["wrk", "-t1", "-c%d" % conns, "-d%ds" % secs, "--latency", "--timeout", "5s"]
    if auth:
        argv += ["-H", AUTH_HDR]
    if close:
        argv += ["-H", "Connection: close"]
    argv.append(url)
    ru0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=secs + 30)
    except subprocess.TimeoutExpired:
        return {"error": "wrk timed out", "rate": 0.0}
    ru1, t1 = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    d = parse_wrk(r.stdout)
    d["argv"] = " ".join(argv)
    d["client_cpu_pct"] = round(100.0 * ((ru1.ru_utime - ru0.ru_utime) +
                                         (ru1.ru_stime - ru0.ru_stime)) / (t1 - t0), 1)
    say("  wrk -c%d %s%s: %.0f req/s p99 %s us, errors %d" % (
        conns, url, " (Connection: close)" if close else "", d["rate"], d.get("p99_us"),
        d["errors"]))
    return d


def measured(proc, fn):
    """Runs fn() (a load) and adds the server's CPU time and peak RSS during it."""
    proc.clear_hwm()
    c0 = proc.cpu_s()
    res = fn()
    c1 = proc.cpu_s()
    res["server_cpu_s"] = round(c1 - c0, 3)
    res["server_hwm_kb"] = proc.status_kb("VmHWM")
    res["server_rss_kb"] = proc.status_kb("VmRSS")
    ops = res.get("ops_total") or res.get("count") or 0
    res["server_cpu_us_per_op"] = round((c1 - c0) * 1e6 / ops, 2) if ops else None
    if not proc.alive():
        raise Abort("%s died under load:\n%s" % (proc.name, proc.tail()))
    return res


def best(rounds):
    ok = [r for r in rounds if r and not r.get("error")]
    if not ok:
        return rounds[-1] if rounds else {"error": "not run"}
    b = dict(max(ok, key=lambda r: r.get("rate", 0)))
    b["rounds"] = [round(r.get("rate", 0), 1) for r in rounds]
    # the CPU cost per operation is least disturbed in the round with the lowest figure
    cpus = [r["server_cpu_us_per_op"] for r in ok if r.get("server_cpu_us_per_op")]
    if cpus:
        b["server_cpu_us_per_op"] = min(cpus)
    b["server_hwm_kb"] = max(r.get("server_hwm_kb", 0) for r in ok)
    return b


# --- server configurations ------------------------------------------------------------------

def make_cert(d):
    key, cert = os.path.join(d, "key.pem"), os.path.join(d, "cert.pem")
    subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key],
                   check=True, capture_output=True)
    subprocess.run(["openssl", "req", "-new", "-x509", "-key", key, "-out", cert, "-days", "3650",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def bmcd_conf(d, ipmi_port, http_port=0, https_port=0, cert=None, key=None, sol_link=None,
              level="info", max_conns=256):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "users"), "w") as f:
        f.write("%s:%s:admin\n" % (USER, PASS))
    os.chmod(os.path.join(d, "users"), 0o600)
    text = """# written by tools/bench/run.py
[ipmi]
listen = 127.0.0.1
port = {ipmi}
max_sessions = 64
session_timeout = 60
cipher_suites = 3,17

[users]
file = users

[host]
backend = sim

[log]
level = {level}
""".format(ipmi=ipmi_port, level=level)
    # https_port defaults to 443: always say which ports (0 = off)
    text += """
[redfish]
listen = 127.0.0.1
http_port = {h}
https_port = {s}
""".format(h=http_port, s=https_port)
    if http_port or https_port:
        text += "max_connections = %d\ntls_session_cache = 0\n" % max_conns
        if cert:
            text += "cert = %s\nkey = %s\n" % (cert, key)
    if sol_link:
        text += "\n[sol]\ndevice = %s\n" % sol_link
    path = os.path.join(d, "bmcd.conf")
    with open(path, "w") as f:
        f.write(text)
    return path


IPMI_SIM_LAN = """# written by tools/bench/run.py: one BMC (0x20) with one RMCP+ LAN channel on loopback
name "bench"
set_working_mc 0x20
  startlan 1
    addr 127.0.0.1 {port}
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid a123456789abcdefa123456789abcdef
  endlan
{sol}  user 2 true "{user}" "{password}" admin 64 none md2 md5 straight
"""

IPMI_SIM_EMU = """# written by tools/bench/run.py: the BMC answers Get Device ID and chassis commands
mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02
mc_enable 0x20
"""


def start_ipmi_sim(port, name="ipmi_sim", sol_link=None):
    d = os.path.join(RUN, name)
    os.makedirs(os.path.join(d, "state"), exist_ok=True)
    sol = '  sol "%s" 115200\n' % sol_link if sol_link else ""
    with open(os.path.join(d, "lan.conf"), "w") as f:
        f.write(IPMI_SIM_LAN.format(port=port, user=USER, password=PASS, sol=sol))
    with open(os.path.join(d, "bench.emu"), "w") as f:
        f.write(IPMI_SIM_EMU)
    return Proc(name, ["ipmi_sim", "-c", "lan.conf", "-f", "bench.emu", "-s",
                       os.path.join(d, "state"), "-n"], cwd=d)


NGINX_CONF = """# written by tools/bench/run.py: one worker, the bytes of bmcd's {path} as a static file
worker_processes 1;
daemon off;
master_process on;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  types {{ }}
  default_type application/json;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  open_file_cache max=16;
  open_file_cache_valid 60s;
  sendfile on;
  tcp_nodelay on;
  client_body_temp_path {d}/tmp;
  proxy_temp_path {d}/tmp;
  fastcgi_temp_path {d}/tmp;
  uwsgi_temp_path {d}/tmp;
  scgi_temp_path {d}/tmp;
  server {{
    listen 127.0.0.1:{http};
    listen 127.0.0.1:{https} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    # what bmcd offers: TLS 1.2, ECDHE-ECDSA with ChaCha20-Poly1305 or AES-GCM, X25519 first,
    # and no resumption, so that every new connection is a full handshake
    ssl_protocols TLSv1.2;
    ssl_ciphers ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384;
    ssl_prefer_server_ciphers on;
    ssl_ecdh_curve X25519:prime256v1;
    ssl_session_cache off;
    ssl_session_tickets off;
    root {d}/root;
  }}
}}
"""


def start_nginx(http_port, https_port, cert, key, body):
    d = os.path.join(RUN, "nginx")
    os.makedirs(os.path.join(d, "tmp"), exist_ok=True)
    f = os.path.join(d, "root") + SYSTEM_PATH
    os.makedirs(os.path.dirname(f), exist_ok=True)
    with open(f, "wb") as fh:
        fh.write(body)
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as fh:
        fh.write(NGINX_CONF.format(d=d, http=http_port, https=https_port, cert=cert, key=key,
                                   path=SYSTEM_PATH))
    return Proc("nginx", ["nginx", "-p", d, "-c", conf, "-e", os.path.join(d, "error.log")], cwd=d)


# --- formatting ------------------------------------------------------------------------------

def fnum(v, unit=""):
    if v is None:
        return "n/a"
    if isinstance(v, str):
        return v
    if abs(v) >= 1000:
        return "{:,.0f}{}".format(v, unit)
    if abs(v) >= 100:
        return "{:.0f}{}".format(v, unit)
    if abs(v) >= 10:
        return "{:.1f}{}".format(v, unit)
    return "{:.2f}{}".format(v, unit)


def ratio(a, b):
    if a is None or b is None or not b:
        return None
    return a / b


def fr(x):
    return "n/a" if x is None else "%.2fx" % x


class Table:
    def __init__(self):
        self.lines = []

    def h(self, title):
        self.lines += ["", title, "-" * len(title)]

    def row(self, cols, widths):
        out = ""
        for i, (c, w) in enumerate(zip(cols, widths)):
            c = "" if c is None else str(c)
            out += (c.ljust(w) if i == 0 else c.rjust(w)) + " "
        self.lines.append(out.rstrip())

    def text(self, s=""):
        self.lines.append(s)

    def dump(self):
        return "\n".join(self.lines) + "\n"


# --- sections --------------------------------------------------------------------------------

class Ctx:
    pass


def section_ipmi(c, R):
    """IPMI request/response at 1, 8, 64 sessions: echo (two kinds), bmcd, ipmi_sim, pyghmi."""
    res = c.results.setdefault("ipmi", {})
    targets = [
        ("echo", c.echo_port, None, "shared"),
        ("echo-plain", c.echo_plain_port, None, "shared"),
        ("bmcd", c.bmcd_port, 17, "shared"),
        ("bmcd", c.bmcd_port, 3, "shared"),
        ("ipmi_sim", c.sim_port, 3, "shared"),
        ("pyghmi", c.pyg_port, 3, "per-session"),
    ]
    # suites the references cannot do: one try each, recorded as n/a with the reason
    na = res.setdefault("not_available", {})
    for name, port, sockets in (("ipmi_sim", c.sim_port, "shared"),
                                ("pyghmi", c.pyg_port, "per-session")):
        d = bench("ipmi", "--port", port, "--suite", 17, "--sessions", 1, "--count", 1,
                  "--sockets", sockets, "--label", name + "/17", timeout=30)
        na[name + "/17"] = d.get("error") or "ran (unexpected)"
    for n in c.sessions:
        for name, port, suite, sockets in targets:
            key = "%s/%s/%d" % (name, suite or "-", n)
            res[key] = {"rounds_raw": []}
        for rnd in range(R):
            for name, port, suite, sockets in targets:
                key = "%s/%s/%d" % (name, suite or "-", n)
                proc = c.procs[name]
                mode = "echo" if suite is None else "ipmi"
                args = ["--port", port, "--sessions", n, "--duration", c.dur, "--warmup",
                        c.warm, "--sockets", sockets, "--label", key,
                        "--timeout-ms", 2000]
                if suite:
                    args += ["--suite", suite, "--cmd", "devid"]
                else:
                    args += ["--size", 72]
                d = measured(proc, lambda: bench(mode, *args, timeout=int(c.dur + c.warm) + 60))
                res[key]["rounds_raw"].append(d)
        for name, port, suite, sockets in targets:
            key = "%s/%s/%d" % (name, suite or "-", n)
            raw = res[key]["rounds_raw"]
            res[key] = best(raw)
            res[key]["rounds_raw"] = raw
    # Get Chassis Status at 8 sessions, one round: a command that reads the host model
    for name, port, suite, sockets in targets[2:]:
        if suite != 3 and name != "bmcd":
            continue
        key = "status:%s/%s/8" % (name, suite)
        res[key] = measured(c.procs[name], lambda: bench(
            "ipmi", "--port", port, "--sessions", 8, "--duration", c.dur, "--warmup", c.warm,
            "--sockets", sockets, "--suite", suite, "--cmd", "status", "--label", key,
            timeout=int(c.dur + c.warm) + 60))


def section_handshake(c, R):
    res = c.results.setdefault("handshake", {})
    targets = [("bmcd", c.bmcd_port, 17, "shared"), ("bmcd", c.bmcd_port, 3, "shared"),
               ("bmcd-notice", c.bmcd_notice_port, 17, "shared"),
               ("bmcd-notice", c.bmcd_notice_port, 3, "shared"),
               ("ipmi_sim", c.sim_port, 3, "shared"), ("pyghmi", c.pyg_port, 3, "per-session")]
    raw = {}
    for rnd in range(R):
        for name, port, suite, sockets in targets:
            key = "%s/%d" % (name, suite)
            d = measured(c.procs[name], lambda: bench(
                "handshake", "--port", port, "--concurrency", c.hs_conc, "--suite", suite,
                "--duration", c.dur, "--warmup", c.warm, "--sockets", sockets,
                "--timeout-ms", 500, "--label", key, timeout=int(c.dur + c.warm) + 60))
            raw.setdefault(key, []).append(d)
    for key, rounds in raw.items():
        res[key] = best(rounds)
        res[key]["rounds_raw"] = rounds


def section_redfish(c, R):
    res = c.results.setdefault("redfish", {})
    urls = {
        ("bmcd", "http"): "http://127.0.0.1:%d%s" % (c.bmcd_http, SYSTEM_PATH),
        ("bmcd", "https"): "https://127.0.0.1:%d%s" % (c.bmcd_https, SYSTEM_PATH),
        ("nginx", "http"): "http://127.0.0.1:%d%s" % (c.ng_http, SYSTEM_PATH),
        ("nginx", "https"): "https://127.0.0.1:%d%s" % (c.ng_https, SYSTEM_PATH),
    }
    raw = {}
    for conns in (4, 64):
        for scheme in ("http", "https"):
            for rnd in range(R):
                for name in ("bmcd", "nginx"):
                    key = "%s/%s/%d" % (name, scheme, conns)
                    d = measured(c.procs[name],
                                 lambda: wrk(urls[(name, scheme)], conns, c.wrk_secs))
                    raw.setdefault(key, []).append(d)
    for rnd in range(R):
        for name in ("bmcd", "nginx"):
            key = "%s/tls-handshake/%d" % (name, c.tls_conc)
            d = measured(c.procs[name],
                         lambda: wrk(urls[(name, "https")], c.tls_conc, c.wrk_secs, close=True))
            raw.setdefault(key, []).append(d)
    for key, rounds in raw.items():
        res[key] = best(rounds)
        res[key]["rounds_raw"] = rounds


# --- more keep-alive clients than connection slots --------------------------------------------

POOL_SLOTS = 32
POOL_CONNS = (32, 64, 320)      # in the limit, 2x, 10x
POOL_RATIO_TARGET = 0.8         # of the in-limit rate, at 2x and 10x
POOL_LATENCY_TARGET_S = 2.5     # the longest any request (or newcomer) may wait


def slot_probe(port, tls, t_first, t_last, interval, results):
    """Newcomers during a load: from t_first to t_last (monotonic) a fresh connection every
    `interval` s does one GET (Basic auth, Connection: close). Each result is the time from
    connect() to the whole answer: the wait for a slot included, over HTTPS as well (the
    TLS handshake only completes once bmcd has accepted the connection)."""
    import http.client
    import ssl
    import threading
    ctx = None
    if tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE

    def one(start):
        r = {"start": start}
        try:
            if tls:
                conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=15, context=ctx)
            else:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
            conn.request("GET", SYSTEM_PATH, headers={
                "Authorization": AUTH_HDR.split(": ", 1)[1], "Connection": "close"})
            resp = conn.getresponse()
            resp.read()
            conn.close()
            r["status"] = resp.status
        except Exception as e:  # a refused, reset or timed-out newcomer is a result too
            r["error"] = "%s: %s" % (type(e).__name__, e)
        r["end"] = time.monotonic()
        results.append(r)

    threads = []
    t = t_first
    while t <= t_last:
        delay = t - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        th = threading.Thread(target=one, args=(time.monotonic(),), daemon=True)
        th.start()
        threads.append(th)
        t += interval
    return threads


def pool_run(c, url, port, tls, conns, secs):
    """One wrk run against the 32-slot bmcd; over the limit, newcomers probed alongside."""
    probes, threads = [], []
    if conns > POOL_SLOTS:
        import threading
        t0 = time.monotonic()
        # probes start once the load is under way and stop early enough that each can wait
        # ~2.5 s before wrk stops (a probe still waiting then is reported as such)
        first, last = t0 + min(1.0, secs * 0.25), t0 + max(min(1.0, secs * 0.25), secs - 3.0)
        launcher = threading.Thread(target=lambda: threads.extend(slot_probe(
            port, tls, first, last, c.pool_probe_interval, probes)), daemon=True)
        launcher.start()
    d = wrk(url, conns, secs)
    wrk_end = time.monotonic()
    if conns > POOL_SLOTS:
        launcher.join(timeout=secs + 5)
        for th in list(threads):
            th.join(timeout=20)
        waits, late, failed = [], 0, []
        for p in probes:
            if p.get("error") or p.get("status") != 200:
                failed.append(p.get("error") or "HTTP %s" % p.get("status"))
                continue
            waits.append(p["end"] - p["start"])
            if p["end"] > wrk_end:
                late += 1
        waits.sort()
        d["probe"] = {"n": len(probes), "ok": len(waits), "failed": failed[:5],
                      "n_failed": len(failed), "finished_after_load": late,
                      "max_s": round(waits[-1], 3) if waits else None,
                      "median_s": round(waits[len(waits) // 2], 3) if waits else None}
        say("  newcomers: %d probes, %d ok, wait median %s s, max %s s%s" % (
            len(probes), len(waits), d["probe"]["median_s"], d["probe"]["max_s"],
            ", %d failed" % len(failed) if failed else ""))
    return d


def section_pool(c, R):
    """More keep-alive clients than slots: one extra bmcd with max_connections = 32, wrk
    with 32 (in the limit), 64 (2x) and 320 (10x) connections over HTTP and HTTPS."""
    res = c.results.setdefault("pool", {})
    res["config"] = {"slots": POOL_SLOTS, "conns": list(POOL_CONNS), "secs": c.pool_secs,
                     "rounds": R, "bmcd": BMCD, "probe_interval_s": c.pool_probe_interval}
    d = os.path.join(RUN, "bmcd-pool")
    ip, hp, sp = free_port(), free_port(), free_port()
    conf = bmcd_conf(d, ip, http_port=hp, https_port=sp, cert=c.cert, key=c.key,
                     level="notice", max_conns=POOL_SLOTS)
    proc = Proc("bmcd-pool", [BMCD, "-c", conf], cwd=d)
    try:
        wait_until(proc, lambda: udp_probe(ip) and tcp_open(hp) and tcp_open(sp))
        status, _ = http_get(hp, SYSTEM_PATH)
        if status != 200:
            raise Abort("bmcd-pool answered %d to GET %s" % (status, SYSTEM_PATH))
        ports = {"http": hp, "https": sp}
        raw = {}
        for rnd in range(R):
            for scheme in ("http", "https"):
                url = "%s://127.0.0.1:%d%s" % (scheme, ports[scheme], SYSTEM_PATH)
                for conns in POOL_CONNS:
                    key = "%s/%d" % (scheme, conns)
                    r = measured(proc, lambda: pool_run(c, url, ports[scheme], scheme == "https",
                                                        conns, c.pool_secs))
                    raw.setdefault(key, []).append(r)
                    time.sleep(0.5)  # let the closing connections leave the pool
        for key, rounds in raw.items():
            b = best(rounds)
            b["rounds_raw"] = rounds
            # the latency that counts for the goal is the worst of all rounds, not the best
            ok = [r for r in rounds if not r.get("error")]
            b["worst_max_us"] = max((r.get("max_us") or 0 for r in ok), default=None)
            pm = [r["probe"]["max_s"] for r in ok if r.get("probe", {}).get("max_s") is not None]
            b["worst_probe_max_s"] = max(pm) if pm else None
            b["any_timeouts"] = sum(r.get("socket_errors", [0, 0, 0, 0])[3] for r in ok)
            b["probe_failed"] = sum(r.get("probe", {}).get("n_failed", 0) for r in ok)
            res[key] = b
    finally:
        proc.stop()


def section_sol(c):
    """SoL: bmcd, and ipmi_sim's SoL as the reference, both on a pty the client creates;
    the best of c.sol_rounds alternating runs (by throughput)."""
    res = c.results.setdefault("sol", {})
    raw = {}
    for rnd in range(c.sol_rounds):
        for name in ("bmcd", "ipmi_sim"):
            raw.setdefault(name, []).append(sol_once(c, name, rnd))
    for name, rounds in raw.items():
        ok = [r for r in rounds if not r.get("error")]
        b = dict(max(ok, key=lambda r: r.get("mb_per_s", 0))) if ok else rounds[-1]
        # latencies: the round with the lowest keystroke p50
        if ok:
            lat = min(ok, key=lambda r: r.get("key_p50_us") or 1e18)
            for k in ("key_p50_us", "key_p99_us", "key_max_us", "echo_p50_us", "echo_p99_us"):
                b[k] = lat.get(k)
        b["rounds"] = [round(r.get("mb_per_s", 0), 3) for r in rounds]
        b["server_hwm_kb"] = max(r.get("server_hwm_kb", 0) for r in rounds)
        b["rounds_raw"] = rounds
        res[name] = b


def sol_once(c, name, rnd):
    """One SoL run: the client makes the pty, then the server starts on it."""
    d = os.path.join(RUN, "sol-%s-%d" % (name, rnd))
    os.makedirs(d, exist_ok=True)
    link = os.path.join(d, "ttyHOST")
    port = free_port()
    client = subprocess.Popen(
        [BENCH, "sol", "--port", str(port), "--pty-link", link, "--suite",
         "17" if name == "bmcd" else "3", "--bytes", str(c.sol_bytes), "--keys",
         str(c.sol_keys), "--label", name],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc = None
    try:
        end = time.monotonic() + 5
        while not os.path.lexists(link) and time.monotonic() < end:
            time.sleep(0.01)
        if name == "bmcd":
            conf = bmcd_conf(d, port, sol_link=link)
            proc = Proc("sol-bmcd-%d" % rnd, [BMCD, "-c", conf], cwd=d)
        else:
            proc = start_ipmi_sim(port, "sol-ipmi_sim-%d" % rnd, sol_link=link)
        proc.clear_hwm()
        c0 = proc.cpu_s()
        try:
            out, err = client.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            client.kill()
            out, err = client.communicate()
        line = (err.strip().splitlines() or [""])[-1]
        say("  " + line)
        lines = [l for l in out.splitlines() if l.startswith("{")]
        r = json.loads(lines[-1]) if lines else {"error": err[-400:] or "no result"}
        r["server_cpu_s"] = round(proc.cpu_s() - c0, 3)
        r["server_hwm_kb"] = proc.status_kb("VmHWM")
        return r
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
        if proc:
            proc.stop()


def strip_size(path, strip="strip"):
    if not os.path.exists(path):
        return None
    tmp = os.path.join(RUN, "stripped-" + os.path.basename(os.path.dirname(path)))
    shutil.copy(path, tmp)
    r = subprocess.run([strip, "-o", tmp + ".s", tmp], capture_output=True)
    size = os.path.getsize(tmp + ".s") if r.returncode == 0 else os.path.getsize(path)
    return size


def lib_closure_size(binary):
    """Size of a binary plus the shared libraries ldd lists for it."""
    total = os.path.getsize(binary)
    libs = []
    r = subprocess.run(["ldd", binary], capture_output=True, text=True)
    for m in re.finditer(r"=>\s+(\S+)\s+\(", r.stdout):
        p = os.path.realpath(m.group(1))
        if os.path.exists(p) and p not in libs:
            libs.append(p)
    m = re.search(r"^\s+(/\S+ld-linux\S*)\s+\(", r.stdout, re.M)
    if m:
        libs.append(os.path.realpath(m.group(1)))
    return total + sum(os.path.getsize(p) for p in set(libs)), len(set(libs))


def section_sizes(c):
    res = c.results.setdefault("size", {})
    res["bmcd/x86_64"] = {"bytes": strip_size(BMCD), "path": BMCD}
    for arch, strip in (("aarch64", "aarch64-linux-gnu-strip"), ("armhf", "arm-linux-gnueabihf-strip")):
        path = os.path.join(BUILD, arch, "bmcd")
        note = ""
        if c.cross and shutil.which(strip.replace("strip", "gcc")):
            say("cross build: make ARCH=%s (log: build/bench/run/cross-%s.log)" % (arch, arch))
            logp = os.path.join(RUN, "cross-%s.log" % arch)
            with open(logp, "wb") as lf:
                try:
                    r = subprocess.run(["make", "--no-print-directory", "ARCH=" + arch, "all"],
                                       cwd=ROOT, stdout=lf, stderr=subprocess.STDOUT,
                                       timeout=c.cross_timeout)
                    if r.returncode != 0:
                        with open(logp, "rb") as f:
                            last = [l for l in f.read().decode(errors="replace").splitlines()
                                    if l.strip()][-3:]
                        note = "make ARCH=%s failed: %s" % (arch, " | ".join(last)[-300:])
                except subprocess.TimeoutExpired:
                    note = "make ARCH=%s took longer than %d s" % (arch, c.cross_timeout)
        elif not c.cross:
            note = "cross build not attempted (quick run)"
        else:
            note = "no %s on this machine" % strip.replace("strip", "gcc")
        if os.path.exists(path):
            sz = strip_size(path, strip if shutil.which(strip) else "strip")
            res["bmcd/" + arch] = {"bytes": sz, "path": path,
                                   "note": note or ("" if not note else note)}
            if note:
                res["bmcd/" + arch]["note"] = note + " (size of the binary already there)"
        else:
            res["bmcd/" + arch] = {"bytes": None, "note": note or "build/%s/bmcd is absent" % arch}
    for name, binary in (("ipmi_sim", shutil.which("ipmi_sim")), ("nginx", shutil.which("nginx")),
                         ("python3", PY)):
        if binary:
            total, nlibs = lib_closure_size(binary)
            res[name] = {"bytes": total, "note": "binary + %d shared libraries" % nlibs}
    try:
        import pyghmi
        pdir = os.path.dirname(pyghmi.__file__)
    except ImportError:
        pdir = "/usr/lib/python3/dist-packages/pyghmi"
    if os.path.isdir(pdir):
        tot = 0
        for dp, dn, fn in os.walk(pdir):
            for f in fn:
                if f.endswith(".py"):
                    tot += os.path.getsize(os.path.join(dp, f))
        res["pyghmi-package"] = {"bytes": tot, "note": "pyghmi's .py sources"}


def section_ready(c):
    res = c.results.setdefault("ready", {})
    runs = c.ready_runs
    # bmcd: first ASF pong and first HTTP 200 (Basic auth, GET /redfish/v1/Systems/0)
    d = os.path.join(RUN, "ready-bmcd")
    ip, hp = free_port(), free_port()
    conf = bmcd_conf(d, ip, http_port=hp, https_port=free_port(), cert=c.cert, key=c.key)
    res["bmcd"] = bench("ready", "--port", ip, "--probe", "asf", "--http-port", hp,
                        "--path", SYSTEM_PATH, "--auth", "%s:%s" % (USER, PASS), "--runs", runs,
                        "--log", os.path.join(d, "bmcd.log"), "--label", "bmcd", "--",
                        BMCD, "-c", conf, timeout=30 * runs)
    # bmcd with the ephemeral certificate it makes itself (a P-256 key generated at start)
    d2 = os.path.join(RUN, "ready-bmcd-ephemeral")
    ip2, hp2 = free_port(), free_port()
    conf2 = bmcd_conf(d2, ip2, http_port=hp2, https_port=free_port())
    res["bmcd-ephemeral-cert"] = bench(
        "ready", "--port", ip2, "--probe", "asf", "--http-port", hp2, "--path", SYSTEM_PATH,
        "--auth", "%s:%s" % (USER, PASS), "--runs", runs, "--log", os.path.join(d2, "bmcd.log"),
        "--label", "bmcd (ephemeral cert)", "--", BMCD, "-c", conf2, timeout=30 * runs)
    sp = free_port()
    sd = os.path.join(RUN, "ready-ipmi_sim")
    os.makedirs(os.path.join(sd, "state"), exist_ok=True)
    with open(os.path.join(sd, "lan.conf"), "w") as f:
        f.write(IPMI_SIM_LAN.format(port=sp, user=USER, password=PASS, sol=""))
    with open(os.path.join(sd, "bench.emu"), "w") as f:
        f.write(IPMI_SIM_EMU)
    res["ipmi_sim"] = bench("ready", "--port", sp, "--probe", c.sim_probe, "--runs",
                            max(3, runs // 2), "--log", os.path.join(sd, "ipmi_sim.log"),
                            "--label", "ipmi_sim", "--", shutil.which("ipmi_sim"), "-c",
                            os.path.join(sd, "lan.conf"), "-f", os.path.join(sd, "bench.emu"),
                            "-s", os.path.join(sd, "state"), "-n", timeout=30 * runs)
    pp = free_port()
    res["pyghmi"] = bench("ready", "--port", pp, "--probe", "authcap", "--runs", max(3, runs // 2),
                          "--label", "pyghmi", "--", PY, PYGHMI_BMC, pp, timeout=30 * runs)
    nd = os.path.join(RUN, "ready-nginx")
    os.makedirs(os.path.join(nd, "tmp"), exist_ok=True)
    f = os.path.join(nd, "root") + SYSTEM_PATH
    os.makedirs(os.path.dirname(f), exist_ok=True)
    with open(f, "wb") as fh:
        fh.write(c.body)
    nh, ns = free_port(), free_port()
    conf = os.path.join(nd, "nginx.conf")
    with open(conf, "w") as fh:
        fh.write(NGINX_CONF.format(d=nd, http=nh, https=ns, cert=c.cert, key=c.key,
                                   path=SYSTEM_PATH))
    res["nginx"] = bench("ready", "--port", 0, "--http-port", nh, "--path", SYSTEM_PATH,
                         "--runs", max(3, runs // 2), "--label", "nginx", "--",
                         shutil.which("nginx"), "-p", nd, "-c", conf, "-e",
                         os.path.join(nd, "error.log"), timeout=30 * runs)


# --- memory per extra host ------------------------------------------------------------------

HOSTS_EXTRA = (0, 4, 20)        # [host.NAME] sections besides the default host (20: the ceiling)
HOSTS_SETTLE_S = 1.0            # read /proc this long after exec
# Goals per extra host (issue 16: "document the memory per extra host"). With the ceiling of
# 20 extra hosts these keep an idle bmcd (about 0.6 MiB alone) within the 4 MiB that every load
# must stay under: 20 x 128 KiB = 2.5 MiB resident. VmData counts the pools sized from the
# config whether touched or not.
HOSTS_RSS_ANON_GOAL_KIB = 128
HOSTS_VM_DATA_GOAL_KIB = 256


def hosts_conf(d, n):
    """A bmcd with n extra sim hosts, no SoL, Redfish off, every other setting its default."""
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "users"), "w") as f:
        f.write("%s:%s:admin\n" % (USER, PASS))
    os.chmod(os.path.join(d, "users"), 0o600)
    ports = [free_port() for _ in range(n + 1)]
    text = """# written by tools/bench/run.py: the default host and %d further sim hosts
[ipmi]
listen = 127.0.0.1
port = %d

[users]
file = users

[host]
backend = sim

[redfish]
http_port = 0
https_port = 0

[hosts]
max = %d
""" % (n, ports[0], n)
    for i, port in enumerate(ports[1:]):
        text += "\n[host.h%d]\nipmi_port = %d\nbackend = sim\n" % (i + 1, port)
    path = os.path.join(d, "bmcd.conf")
    with open(path, "w") as f:
        f.write(text)
    return path, ports


def section_hosts(c):
    """RssAnon, VmData and VmRSS of a bmcd with 0, 4 and 20 extra sim hosts (no SoL), read
    HOSTS_SETTLE_S after exec once every endpoint answers an ASF ping; median of the rounds."""
    res = c.results.setdefault("hosts", {})
    fields = ("RssAnon", "VmData", "VmRSS")
    for n in HOSTS_EXTRA:
        samples = []
        for rnd in range(c.rounds):
            check_deadline()
            d = os.path.join(RUN, "hosts-%d-%d" % (n, rnd))
            conf, ports = hosts_conf(d, n)
            t0 = time.monotonic()
            p = Proc("bmcd-hosts-%d" % n, [BMCD, "-c", conf], cwd=d, log=os.path.join(d, "bmcd.log"))
            try:
                wait_until(p, lambda: all(udp_probe(x) for x in ports))
                time.sleep(max(0.0, HOSTS_SETTLE_S - (time.monotonic() - t0)))
                samples.append({f: p.status_kb(f) for f in fields})
            finally:
                p.stop()
        res[str(n)] = {f: sorted(s[f] for s in samples)[len(samples) // 2] for f in fields}
        res[str(n)]["samples"] = samples
        say("  %d extra hosts: %s" % (n, ", ".join("%s %d KiB" % (f, res[str(n)][f]) for f in fields)))
    base, top = res.get("0"), res.get(str(HOSTS_EXTRA[-1]))
    if base and top:
        for f in fields:
            res["per_host_" + f] = (top[f] - base[f]) / HOSTS_EXTRA[-1]


# --- callgrind: instructions per request ------------------------------------------------------

def callgrind_total(path):
    with open(path) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    return None


def callgrind_top(path, n=12, inclusive=False):
    r = subprocess.run(["callgrind_annotate", "--inclusive=" + ("yes" if inclusive else "no"),
                        "--threshold=100", path], capture_output=True, text=True, timeout=120)
    out = []
    for line in r.stdout.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(?:\S+:)?(\S+)", line)
        if m and "PROGRAM TOTALS" not in line:
            name = m.group(3)
            out.append({"ir": int(m.group(1).replace(",", "")), "pct": float(m.group(2)),
                        "fn": name})
        if len(out) >= n:
            break
    return out


def callgrind_costs(path, inclusive):
    """function -> instructions (self or inclusive) from callgrind_annotate."""
    r = subprocess.run(["callgrind_annotate", "--inclusive=" + ("yes" if inclusive else "no"),
                        "--threshold=100", path], capture_output=True, text=True, timeout=120)
    out = {}
    for line in r.stdout.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(?:\S+:)?(\S+)", line)
        if m and "PROGRAM TOTALS" not in line:
            out[m.group(2)] = out.get(m.group(2), 0) + int(m.group(1).replace(",", ""))
    return out


def per_op_costs(f1, f2, dn, inclusive, n=15):
    """Instructions per operation for each function: the difference of two runs."""
    a, b = callgrind_costs(f1, inclusive), callgrind_costs(f2, inclusive)
    rows = [(fn, (b.get(fn, 0) - a.get(fn, 0)) / dn) for fn in b]
    rows = [r for r in rows if r[1] > 0]
    rows.sort(key=lambda r: -r[1])
    return [{"fn": fn, "per_op": round(v, 1)} for fn, v in rows[:n]]


def cg_run(c, tag, workload, n):
    """Starts bmcd-syms under callgrind, runs workload(n) against it, stops it, returns
    (total instructions, callgrind output path)."""
    d = os.path.join(RUN, "callgrind")
    os.makedirs(d, exist_ok=True)
    ip, hp, sp = free_port(), free_port(), free_port()
    conf = bmcd_conf(os.path.join(d, tag), ip, http_port=hp, https_port=sp, cert=c.cert, key=c.key,
                     level="notice")
    out = os.path.join(d, "%s.%d.out" % (tag, n))
    proc = Proc("callgrind-%s-%d" % (tag, n),
                ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                 "--dump-instr=no", BMCD_SYMS, "-c", conf], cwd=d)
    try:
        wait_until(proc, lambda: "ready in" in proc.tail(4000), timeout=60, what="ready")
        workload(ip, hp, sp, n)
    finally:
        proc.stop()
    return callgrind_total(out), out


def section_callgrind(c):
    res = c.results.setdefault("callgrind", {})
    if not shutil.which("valgrind"):
        res["error"] = "valgrind is not installed"
        return

    def ipmi17(ip, hp, sp, n):
        r = bench("ipmi", "--port", ip, "--sessions", 1, "--suite", 17, "--count", n,
                  "--timeout-ms", 10000, "--warmup", 0, "--label", "cg-ipmi17", timeout=600)
        if r.get("count") != n:
            raise Abort("callgrind IPMI run: %s" % r)

    def ipmi3(ip, hp, sp, n):
        r = bench("ipmi", "--port", ip, "--sessions", 1, "--suite", 3, "--count", n,
                  "--timeout-ms", 10000, "--warmup", 0, "--label", "cg-ipmi3", timeout=600)
        if r.get("count") != n:
            raise Abort("callgrind IPMI run: %s" % r)

    def hs17(ip, hp, sp, n):
        r = bench("handshake", "--port", ip, "--concurrency", 1, "--suite", 17, "--count", n,
                  "--timeout-ms", 10000, "--warmup", 0, "--label", "cg-hs17", timeout=600)
        if r.get("count") != n:
            raise Abort("callgrind handshake run: %s" % r)

    def http(ip, hp, sp, n):
        r = bench("http", "--http-port", hp, "--path", SYSTEM_PATH, "--auth",
                  "%s:%s" % (USER, PASS), "--count", n, "--label", "cg-http", timeout=600)
        if r.get("ok") != n:
            raise Abort("callgrind HTTP run: %s" % r)

    def https(ip, hp, sp, n):
        cfg = os.path.join(RUN, "callgrind", "curl-%d.cfg" % n)
        with open(cfg, "w") as f:
            f.write('user = "%s:%s"\nsilent\ninsecure\n' % (USER, PASS))
            for _ in range(n):
                f.write('url = "https://127.0.0.1:%d%s"\noutput = "/dev/null"\n' % (sp, SYSTEM_PATH))
        r = subprocess.run(["curl", "-K", cfg, "-w", "%{http_code}\\n"], capture_output=True,
                           text=True, timeout=600)
        if r.stdout.count("200") != n:
            raise Abort("callgrind HTTPS run: %s %s" % (r.stdout[-200:], r.stderr[-200:]))

    def tls(ip, hp, sp, n):
        for _ in range(n):
            r = subprocess.run(["curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", "-u",
                                "%s:%s" % (USER, PASS), "https://127.0.0.1:%d%s" % (sp, SYSTEM_PATH)],
                               capture_output=True, text=True, timeout=120)
            if r.stdout != "200":
                raise Abort("callgrind TLS run: %s" % r.stdout)

    plan = [
        ("ipmi17", "IPMI Get Device ID, suite 17 session (per request)", ipmi17, 200, 2200),
        ("ipmi3", "IPMI Get Device ID, suite 3 session (per request)", ipmi3, 200, 2200),
        ("handshake17", "RMCP+ session set-up + close, suite 17 (per set-up)", hs17, 20, 220),
        ("http", "Redfish GET /redfish/v1/Systems/0, HTTP keep-alive (per request)", http, 200, 2200),
        ("https", "Redfish GET /redfish/v1/Systems/0, HTTPS keep-alive (per request)", https, 100, 600),
        ("tls", "full TLS handshake + GET + close, HTTPS (per connection)", tls, 4, 24),
    ]
    for tag, what, fn, n1, n2 in plan:
        if c.only_cg and tag not in c.only_cg:
            continue
        check_deadline()
        say("callgrind: %s: %d and %d" % (what, n1, n2))
        try:
            a, outa = cg_run(c, tag, fn, n1)
            b, outb = cg_run(c, tag, fn, n2)
        except Abort as e:
            res[tag] = {"what": what, "error": str(e)[:500]}
            say("  failed: %s" % str(e)[:300])
            continue
        per = (b - a) / (n2 - n1) if a and b else None
        res[tag] = {"what": what, "n1": n1, "n2": n2, "ir1": a, "ir2": b, "per_op": per,
                    "self_per_op": per_op_costs(outa, outb, n2 - n1, False, 15),
                    "inclusive_per_op": per_op_costs(outa, outb, n2 - n1, True, 30),
                    "top_self": callgrind_top(outb, 15, False),
                    "top_inclusive": callgrind_top(outb, 25, True), "file": outb}
        say("  %s: %.0f instructions" % (tag, per or 0))


def section_perf(c):
    """A sampled profile (cpu-clock: this VM has no hardware counters) of bmcd-syms under the
    64-session suite-17 IPMI load and under wrk HTTP keep-alive load."""
    res = c.results.setdefault("perf", {})
    if not shutil.which("perf"):
        res["error"] = "perf is not installed"
        return
    d = os.path.join(RUN, "perf")
    os.makedirs(d, exist_ok=True)
    ip, hp = free_port(), free_port()
    conf = bmcd_conf(d, ip, http_port=hp, level="notice")
    proc = Proc("perf-bmcd", [BMCD_SYMS, "-c", conf], cwd=d)
    try:
        wait_until(proc, lambda: udp_probe(ip))
        for tag, load in (("ipmi17x64", lambda: bench(
                "ipmi", "--port", ip, "--sessions", 64, "--suite", 17, "--duration", 4,
                "--warmup", 0.5, "--label", "perf", timeout=60)),
                ("http64", lambda: wrk("http://127.0.0.1:%d%s" % (hp, SYSTEM_PATH), 64, 4))):
            data = os.path.join(d, tag + ".data")
            rec = subprocess.Popen(["perf", "record", "-q", "-e", "cpu-clock", "-F", "4000", "-g",
                                    "-o", data, "-p", str(proc.pid)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.3)
            load()
            rec.send_signal(signal.SIGINT)
            try:
                rec.wait(timeout=30)
            except subprocess.TimeoutExpired:
                rec.kill()
                rec.wait()
            r = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                                "--sort", "sym", "-g", "none"], capture_output=True, text=True,
                               timeout=120)
            top = []
            for line in r.stdout.splitlines():
                m = re.match(r"\s+([\d.]+)%\s+\[(.)\]\s+(\S+)", line)
                if m:
                    top.append({"pct": float(m.group(1)),
                                "where": "kernel" if m.group(2) == "k" else "user",
                                "sym": m.group(3)})
                if len(top) >= 20:
                    break
            kern = sum(t["pct"] for t in top if t["where"] == "kernel")
            res[tag] = {"top": top, "file": data}
            if not top:
                res[tag]["error"] = (r.stderr or r.stdout)[-300:]
    finally:
        proc.stop()


# --- goals -------------------------------------------------------------------------------------

def evaluate(c):
    R = c.results
    goals = []

    def g(name, value, target, cmp, detail):
        if value is None:
            goals.append({"goal": name, "value": None, "target": target, "met": None,
                          "detail": detail})
            return
        met = value >= target if cmp == ">=" else value <= target
        goals.append({"goal": name, "value": value, "target": target, "met": met,
                      "detail": detail})

    ip = R.get("ipmi", {})

    def rate(k, sect=ip):
        v = sect.get(k)
        return v.get("rate") if v and not v.get("error") else None
    if ip:
        top = max(c.sessions)
        for suite in (17, 3):
            b = rate("bmcd/%d/%d" % (suite, top))
            e = rate("echo/-/%d" % top)
            g("IPMI %d sessions, suite %d: >= 0.5x UDP echo ceiling" % (top, suite), ratio(b, e),
              0.5, ">=", "bmcd %s req/s, echo (recvmmsg/sendmmsg) %s req/s; against the plain "
              "recvfrom/sendto echo: %s" % (fnum(b), fnum(e),
                                             fr(ratio(b, rate("echo-plain/-/%d" % top)))))
        b3 = rate("bmcd/3/%d" % top)
        g("IPMI %d sessions: >= 20x pyghmi (suite 3)" % top, ratio(b3, rate("pyghmi/3/%d" % top)),
          20, ">=", "bmcd %s req/s, pyghmi %s req/s" % (fnum(b3), fnum(rate("pyghmi/3/%d" % top))))
        g("IPMI %d sessions: >= 2x ipmi_sim (suite 3)" % top, ratio(b3, rate("ipmi_sim/3/%d" % top)),
          2, ">=", "bmcd %s req/s, ipmi_sim %s req/s" % (fnum(b3),
                                                         fnum(rate("ipmi_sim/3/%d" % top))))
    hs = R.get("handshake", {})
    if hs:
        b = rate("bmcd/3", hs)
        g("session set-ups/s >= 10x pyghmi (suite 3)", ratio(b, rate("pyghmi/3", hs)), 10, ">=",
          "bmcd %s/s, pyghmi %s/s" % (fnum(b), fnum(rate("pyghmi/3", hs))))
    rf = R.get("redfish", {})
    if rf:
        for scheme, target in (("http", 0.8), ("https", 0.7)):
            for conns in (4, 64):
                b, n = rate("bmcd/%s/%d" % (scheme, conns), rf), rate("nginx/%s/%d" % (scheme, conns), rf)
                g("Redfish %s keep-alive, %d connections: >= %.1fx nginx" % (scheme.upper(), conns, target),
                  ratio(b, n), target, ">=", "bmcd %s req/s, nginx %s req/s" % (fnum(b), fnum(n)))
        b = rate("bmcd/tls-handshake/%d" % c.tls_conc, rf)
        n = rate("nginx/tls-handshake/%d" % c.tls_conc, rf)
        g("TLS handshakes/s: >= 0.5x nginx+OpenSSL", ratio(b, n), 0.5, ">=",
          "bmcd %s/s, nginx %s/s" % (fnum(b), fnum(n)))
    pl = R.get("pool", {})
    if pl:
        slots = pl.get("config", {}).get("slots", POOL_SLOTS)
        for scheme in ("http", "https"):
            base = rate("%s/%d" % (scheme, slots), pl)
            for conns in pl.get("config", {}).get("conns", POOL_CONNS)[1:]:
                d = pl.get("%s/%d" % (scheme, conns), {})
                name = "%s %dx: %d keep-alive clients on %d slots: >= %d%% of in-limit, " \
                       "max latency <= ~%.1f s" % (scheme.upper(), conns // slots, conns, slots,
                                                  round(POOL_RATIO_TARGET * 100),
                                                  POOL_LATENCY_TARGET_S)
                rt = ratio(rate("%s/%d" % (scheme, conns), pl), base)
                if rt is None:
                    goals.append({"goal": name, "value": None, "target": POOL_RATIO_TARGET,
                                  "met": None, "detail": "not measured"})
                    continue
                if not d.get("count"):
                    goals.append({"goal": name, "value": rt, "target": POOL_RATIO_TARGET,
                                  "met": False, "detail": "no answer at all in the best round "
                                  "(wrk socket errors c/r/w/t %s)" % "/".join(
                                      str(x) for x in d.get("socket_errors", []))})
                    continue
                wm = (d.get("worst_max_us") or 0) / 1e6
                pm = d.get("worst_probe_max_s")
                lat = max(wm, pm or 0)
                tmo, pf = d.get("any_timeouts", 0), d.get("probe_failed", 0)
                met = (rt >= POOL_RATIO_TARGET and lat <= POOL_LATENCY_TARGET_S and not tmo
                       and not pf)
                goals.append({"goal": name, "value": rt, "met": met,
                              "target": "%s and %s s" % (POOL_RATIO_TARGET, POOL_LATENCY_TARGET_S),
                              "detail": "%s of %s req/s; longest wait %.2f s (wrk max %.2f s, "
                                        "newcomer probe max %s s; worst of all rounds)%s%s" % (
                                  fnum(rate("%s/%d" % (scheme, conns), pl)), fnum(base), lat, wm,
                                  "n/a" if pm is None else "%.2f" % pm,
                                  "; %d wrk timeouts (> 5 s)" % tmo if tmo else "",
                                  "; %d newcomers not served" % pf if pf else "")})
    sz = R.get("size", {}).get("bmcd/x86_64", {}).get("bytes")
    if sz:
        g("x86-64 static binary <= 400 KiB stripped", sz / 1024, 400, "<=", "%d bytes" % sz)
    idle = R.get("rss", {}).get("bmcd", {}).get("idle_kb")
    if idle:
        g("idle RSS <= 1 MiB", idle / 1024, 1.0, "<=", "%d KiB (VmRSS after start, no load)" % idle)
    peaks = R.get("rss", {}).get("bmcd", {}).get("peak_by_load", {})
    if peaks:
        worst = max(peaks.items(), key=lambda kv: kv[1])
        g("peak RSS under every load <= 4 MiB", worst[1] / 1024, 4.0, "<=",
          "highest VmHWM %d KiB under %s" % (worst[1], worst[0]))
    hs = R.get("hosts", {})
    if hs.get("per_host_RssAnon") is not None:
        n = HOSTS_EXTRA[-1]
        g("RssAnon per extra host <= %d KiB" % HOSTS_RSS_ANON_GOAL_KIB, hs["per_host_RssAnon"],
          HOSTS_RSS_ANON_GOAL_KIB, "<=", "(%d KiB with %d extra hosts - %d KiB with none) / %d, "
          "no SoL, %.0f s after exec" % (hs[str(n)]["RssAnon"], n, hs["0"]["RssAnon"], n,
                                         HOSTS_SETTLE_S))
        g("VmData per extra host <= %d KiB" % HOSTS_VM_DATA_GOAL_KIB, hs["per_host_VmData"],
          HOSTS_VM_DATA_GOAL_KIB, "<=", "(%d KiB - %d KiB) / %d: the pools sized from the config" % (
              hs[str(n)]["VmData"], hs["0"]["VmData"], n))
    rd = R.get("ready", {}).get("bmcd", {})
    if rd and not rd.get("error"):
        worst = max(rd.get("udp_best_ms", -1), rd.get("http_best_ms", -1))
        g("ready to answer <= 20 ms after exec", worst if worst >= 0 else None, 20, "<=",
          "first ASF pong %.2f ms, first HTTP 200 %.2f ms (best of %d; medians %.2f / %.2f ms)" % (
              rd.get("udp_best_ms", -1), rd.get("http_best_ms", -1), rd.get("runs", 0),
              rd.get("udp_median_ms", -1), rd.get("http_median_ms", -1)))
    R["goals"] = goals


# --- the table -----------------------------------------------------------------------------------

def render(c):
    R = c.results
    t = Table()
    meta = R["meta"]
    t.text("bmcd benchmark  %s  (%s)" % (meta["date"], "quick" if c.quick else "full"))
    t.text("machine: %s, %d CPUs, %s; bmcd %s (%s); client: bmcd-bench (HMAC %s, AES %s)" % (
        meta["cpu"], meta["ncpu"], meta["kernel"], meta["bmcd_version"], meta["git"],
        meta.get("client_hmac", "?"), meta.get("client_aes", "?")))
    if meta.get("bmcd_path") and meta["bmcd_path"] != BMCD_DEFAULT:
        t.text("bmcd binary under test: %s (not this tree's build/bmcd)" % meta["bmcd_path"])
    t.text("Each load: best of %d rounds of %s s (warm-up %s s), rounds alternate between the "
           "servers." % (c.rounds, c.dur, c.warm))
    t.text("Ratios: bmcd / reference in this run (throughput: higher is better; latency, CPU, "
           "memory: lower is better).")
    t.text("CPU us/op: the server's user+system CPU time per operation, from /proc (least "
           "sensitive to other tenants).")

    ip = R.get("ipmi")
    if ip:
        t.h("IPMI: Get Device ID, every session one request in flight (bmcd-bench ipmi)")
        w = [24, 6] + [10, 9, 8] * len(c.sessions)
        hdr = ["server", "suite"]
        for n in c.sessions:
            hdr += ["%d sess req/s" % n if n == 1 else "%d req/s" % n, "p99 us", "CPU us"]
        t.row(hdr, [24, 6] + [14 if i % 3 == 0 else (9 if i % 3 == 1 else 8)
                              for i in range(3 * len(c.sessions))])
        w = [24, 6] + [14 if i % 3 == 0 else (9 if i % 3 == 1 else 8) for i in range(3 * len(c.sessions))]
        rows = [("UDP echo (ceiling)", "echo", "-"), ("UDP echo, plain", "echo-plain", "-"),
                ("bmcd", "bmcd", "17"), ("bmcd", "bmcd", "3"), ("ipmi_sim", "ipmi_sim", "3"),
                ("pyghmi (kvmd-ipmi)", "pyghmi", "3")]
        for label, name, suite in rows:
            cols = [label, suite]
            for n in c.sessions:
                d = ip.get("%s/%s/%d" % (name, suite, n), {})
                if d.get("error"):
                    cols += ["error", "", ""]
                    continue
                cols += [fnum(d.get("rate")), fnum(d.get("p99_us")), fnum(d.get("server_cpu_us_per_op"))]
            t.row(cols, w)
        for k, v in ip.get("not_available", {}).items():
            t.text("  %s: n/a - %s" % (k.replace("/", " suite "), v))
        t.text("  ratios (req/s; p99; CPU per request):")
        for label, a, b in (("bmcd 17 / echo", "bmcd/17", "echo/-"), ("bmcd 3 / echo", "bmcd/3", "echo/-"),
                            ("bmcd 17 / plain echo", "bmcd/17", "echo-plain/-"),
                            ("bmcd 3 / ipmi_sim", "bmcd/3", "ipmi_sim/3"),
                            ("bmcd 3 / pyghmi", "bmcd/3", "pyghmi/3")):
            cols = ["  " + label, ""]
            for n in c.sessions:
                da, db = ip.get("%s/%d" % (a, n), {}), ip.get("%s/%d" % (b, n), {})
                cols += [fr(ratio(da.get("rate"), db.get("rate"))),
                         fr(ratio(da.get("p99_us"), db.get("p99_us"))),
                         fr(ratio(da.get("server_cpu_us_per_op"), db.get("server_cpu_us_per_op")))]
            t.row(cols, w)
        st = [(k, v) for k, v in ip.items() if k.startswith("status:")]
        if st:
            t.text("  Get Chassis Status, 8 sessions: " + "; ".join(
                "%s %s req/s (p99 %s us)" % (k[7:].replace("/8", ""), fnum(v.get("rate")),
                                             fnum(v.get("p99_us"))) for k, v in st))
        cl = [ip.get("echo/-/%d" % n, {}).get("client_cpu_pct") for n in c.sessions]
        t.text("  client self-check: UDP echo at %d sessions %s req/s (%s); client CPU %s%% "
               "(%s us/op) during it" % (
                   max(c.sessions), fnum(ip.get("echo/-/%d" % max(c.sessions), {}).get("rate")),
                   "> 100k: ok" if (ip.get("echo/-/%d" % max(c.sessions), {}).get("rate") or 0) > 100000
                   else "BELOW 100k", fnum(ip.get("echo/-/%d" % max(c.sessions), {}).get("client_cpu_pct")),
                   fnum(ip.get("echo/-/%d" % max(c.sessions), {}).get("client_cpu_us_per_op"))))
    hs = R.get("handshake")
    if hs:
        t.h("RMCP+ session set-up: Open Session + RAKP 1-4 + Close Session, %d consoles "
            "(bmcd-bench handshake)" % c.hs_conc)
        w = [24, 6, 12, 10, 10, 12]
        t.row(["server", "suite", "set-ups/s", "p50 us", "p99 us", "CPU us/op"], w)
        t.text("  (bmcd at its default log level, info, and at notice: session open/close lines "
               "are debug, so the two should agree)")
        for key in ("bmcd/17", "bmcd/3", "bmcd-notice/17", "bmcd-notice/3", "ipmi_sim/3",
                    "pyghmi/3"):
            d = hs.get(key, {})
            name, suite = key.split("/")
            name = {"bmcd": "bmcd (log level info)",
                    "bmcd-notice": "bmcd (log level notice)"}.get(name, name)
            t.row([name, suite, fnum(d.get("rate")), fnum(d.get("p50_us")), fnum(d.get("p99_us")),
                   fnum(d.get("server_cpu_us_per_op"))], w)
        for label, a, b in (("bmcd 3 / ipmi_sim", "bmcd/3", "ipmi_sim/3"),
                            ("bmcd 3 / pyghmi", "bmcd/3", "pyghmi/3")):
            da, db = hs.get(a, {}), hs.get(b, {})
            t.row(["  " + label, "", fr(ratio(da.get("rate"), db.get("rate"))),
                   fr(ratio(da.get("p50_us"), db.get("p50_us"))),
                   fr(ratio(da.get("p99_us"), db.get("p99_us"))),
                   fr(ratio(da.get("server_cpu_us_per_op"), db.get("server_cpu_us_per_op")))], w)
    rf = R.get("redfish")
    if rf:
        t.h("Redfish GET %s, %d-byte body (wrk -t1, %d s)" % (SYSTEM_PATH, len(c.body), c.wrk_secs))
        w = [30, 12, 10, 10, 10, 10, 12]
        t.row(["load", "bmcd req/s", "p99 us", "nginx", "p99 us", "ratio", "wrk CPU %"], w)
        keys = [("HTTP keep-alive, 4 conns", "http/4"), ("HTTP keep-alive, 64 conns", "http/64"),
                ("HTTPS keep-alive, 4 conns", "https/4"), ("HTTPS keep-alive, 64 conns", "https/64"),
                ("TLS handshakes, %d conns" % c.tls_conc, "tls-handshake/%d" % c.tls_conc)]
        for label, k in keys:
            b, n = rf.get("bmcd/" + k, {}), rf.get("nginx/" + k, {})
            t.row([label, fnum(b.get("rate")), fnum(b.get("p99_us")), fnum(n.get("rate")),
                   fnum(n.get("p99_us")), fr(ratio(b.get("rate"), n.get("rate"))),
                   "%s/%s" % (fnum(b.get("client_cpu_pct")), fnum(n.get("client_cpu_pct")))], w)
        t.row(["  CPU us/req (bmcd / nginx)"] + [""] * 5, w)
        for label, k in keys:
            b, n = rf.get("bmcd/" + k, {}), rf.get("nginx/" + k, {})
            t.row(["  " + label, fnum(b.get("server_cpu_us_per_op")), "",
                   fnum(n.get("server_cpu_us_per_op")), "",
                   fr(ratio(b.get("server_cpu_us_per_op"), n.get("server_cpu_us_per_op")))], w)
        errs = ["%s %d" % (k, v.get("errors", 0)) for k, v in rf.items() if v.get("errors")]
        if errs:
            t.text("  errors (non-2xx + socket errors): " + ", ".join(errs))
    pl = R.get("pool")
    if pl:
        cf = pl.get("config", {})
        slots = cf.get("slots", POOL_SLOTS)
        t.h("More keep-alive clients than slots: bmcd with max_connections = %d, GET %s "
            "(wrk -t1, %s s, best of %s)" % (slots, SYSTEM_PATH, cf.get("secs"), cf.get("rounds")))
        if cf.get("bmcd") and cf["bmcd"] != BMCD_DEFAULT:
            t.text("  bmcd binary: %s" % cf["bmcd"])
        w = [18, 8, 10, 8, 9, 9, 16, 14, 8]
        t.row(["load", "clients", "req/s", "% limit", "p99 ms", "max ms", "errors c/r/w/t",
               "newcomer max s", "CPU us"], w)
        for scheme in ("http", "https"):
            base = pl.get("%s/%d" % (scheme, slots), {}).get("rate")
            for conns in cf.get("conns", POOL_CONNS):
                d = pl.get("%s/%d" % (scheme, conns), {})
                label = "%s %s" % (scheme.upper(), "in limit" if conns <= slots
                                   else "%dx" % (conns // slots))
                if not d or d.get("error"):
                    t.row([label, conns, "error" if d else "n/a"], w[:3])
                    continue
                rt = ratio(d.get("rate"), base)
                pr = d.get("probe", {})
                served = bool(d.get("count"))  # wrk prints zero latencies when nothing came back
                t.row([label, conns, fnum(d.get("rate")),
                       "n/a" if rt is None else "%.0f %%" % (100 * rt),
                       fnum(d["p99_us"] / 1e3 if served and d.get("p99_us") is not None else None),
                       fnum(d["max_us"] / 1e3 if served and d.get("max_us") is not None else None),
                       "/".join(str(x) for x in d.get("socket_errors", [0, 0, 0, 0])) +
                       (" +%d non-2xx" % d["non2xx"] if d.get("non2xx") else ""),
                       "-" if not pr else ("%s (%d/%d)" % (fnum(pr.get("max_s")), pr.get("ok", 0),
                                                           pr.get("n", 0))),
                       fnum(d.get("server_cpu_us_per_op"))], w)
        t.text("  % limit: req/s against the in-limit run (32 clients) of the same scheme. p99, max "
               "and errors: wrk's, from the best round.")
        t.text("  wrk measures latency from writing a request: over HTTP that includes the wait in "
               "the kernel's accept queue,")
        t.text("  over HTTPS it does not (the TLS handshake completes only once bmcd accepts). "
               "Newcomer: fresh connections")
        t.text("  opened during the over-limit runs, one GET each, timed from connect() to the whole "
               "answer (ok/probes).")
        fails = []
        for k, v in pl.items():
            for r in (v.get("rounds_raw", []) if isinstance(v, dict) else []):
                fails += ["%s: %s" % (k, f) for f in r.get("probe", {}).get("failed", [])]
        if fails:
            t.text("  newcomers not served: " + "; ".join(fails[:4])[:400])
        hw = [v.get("server_hwm_kb", 0) for k, v in pl.items() if isinstance(v, dict) and k != "config"]
        if hw:
            t.text("  bmcd peak RSS during these loads: %s KiB" % fnum(max(hw)))
    sol = R.get("sol")
    if sol:
        t.h("Serial-over-LAN through a pty (bmcd-bench sol)")
        w = [24, 14, 12, 12, 12, 12]
        t.row(["server", "host->client", "key p50 us", "key p99 us", "echo p50 us", "echo p99 us"], w)
        for name in ("bmcd", "ipmi_sim"):
            d = sol.get(name, {})
            if d.get("error"):
                t.row([name, "error"], w[:2])
                t.text("  " + str(d["error"])[:200])
                continue
            t.row([name + (" (suite 17)" if name == "bmcd" else " (suite 3)"),
                   fnum(d.get("mb_per_s"), " MB/s"), fnum(d.get("key_p50_us")),
                   fnum(d.get("key_p99_us")), fnum(d.get("echo_p50_us")), fnum(d.get("echo_p99_us"))], w)
        b, s = sol.get("bmcd", {}), sol.get("ipmi_sim", {})
        t.row(["  bmcd / ipmi_sim", fr(ratio(b.get("mb_per_s"), s.get("mb_per_s"))),
               fr(ratio(b.get("key_p50_us"), s.get("key_p50_us"))),
               fr(ratio(b.get("key_p99_us"), s.get("key_p99_us"))),
               fr(ratio(b.get("echo_p50_us"), s.get("echo_p50_us"))),
               fr(ratio(b.get("echo_p99_us"), s.get("echo_p99_us")))], w)
        t.text("  key: keystroke -> host pty; echo: keystroke -> host -> echo back to the client "
               "(includes the BMC's character-accumulate interval). %s bytes, %s keystrokes; "
               "corrupt bytes: bmcd %s, ipmi_sim %s." % (
                   fnum(c.sol_bytes), c.sol_keys, b.get("corrupt", "?"), s.get("corrupt", "?")))
    # footprint
    t.h("Footprint")
    sz = R.get("size", {})
    w = [24, 14, 46]
    if sz:
        t.row(["binary", "bytes", "note"], w)
    for k in ("bmcd/x86_64", "bmcd/aarch64", "bmcd/armhf", "ipmi_sim", "nginx", "python3",
              "pyghmi-package"):
        d = sz.get(k)
        if d is None:
            continue
        b = d.get("bytes")
        t.row([k, "%s (%s KiB)" % (fnum(b), fnum(b / 1024)) if b else "n/a",
               d.get("note") or ("stripped, static" if k.startswith("bmcd") else "")], [24, 22, 60])
    bx = sz.get("bmcd/x86_64", {}).get("bytes")
    if bx:
        t.text("  ratios: bmcd x86-64 / " + ", ".join(
            "%s %s" % (k, fr(ratio(bx, sz[k]["bytes"]))) for k in ("ipmi_sim", "nginx", "python3")
            if sz.get(k, {}).get("bytes")))
    rss = R.get("rss", {})
    if rss:
        t.text("")
        t.text("RSS (KiB): idle after start; peak = VmHWM during each load (reset before it)")
        loads = []
        for v in rss.values():
            for k in v.get("peak_by_load", {}):
                if k not in loads:
                    loads.append(k)
        w = [24, 8] + [11] * len(loads)
        t.row(["server", "idle"] + [l[:11] for l in loads], w)
        for name in ("bmcd", "ipmi_sim", "pyghmi", "nginx", "echo"):
            v = rss.get(name)
            if not v:
                continue
            t.row([name, fnum(v.get("idle_kb"))] +
                  [fnum(v.get("peak_by_load", {}).get(l)) for l in loads], w)
        t.text("  load keys: " + ", ".join(loads))
        bi = rss.get("bmcd", {}).get("idle_kb")
        parts = []
        for ref in ("ipmi_sim", "pyghmi", "nginx"):
            ri = rss.get(ref, {}).get("idle_kb")
            if bi and ri:
                common = [l for l in rss.get(ref, {}).get("peak_by_load", {})
                          if l in rss.get("bmcd", {}).get("peak_by_load", {})]
                pk = [ratio(rss["bmcd"]["peak_by_load"][l], rss[ref]["peak_by_load"][l])
                      for l in common]
                parts.append("%s idle %s, peak %s" % (ref, fr(ratio(bi, ri)),
                                                      "%s..%s" % (fr(min(pk)), fr(max(pk))) if pk else "n/a"))
        if parts:
            t.text("  ratios bmcd / " + "; ".join(parts))
    hs = R.get("hosts")
    if hs:
        t.text("")
        t.text("Memory per extra host (KiB): bmcd with N [host.NAME] sim hosts, no SoL, Redfish off, "
               "%.0f s after exec (median of %d)" % (HOSTS_SETTLE_S, len(hs.get("0", {}).get("samples", []))))
        w = [24, 12, 12, 12]
        t.row(["extra hosts", "RssAnon", "VmData", "VmRSS"], w)
        for n in HOSTS_EXTRA:
            d = hs.get(str(n))
            if d:
                t.row([str(n), fnum(d["RssAnon"]), fnum(d["VmData"]), fnum(d["VmRSS"])], w)
        if hs.get("per_host_RssAnon") is not None:
            t.row(["per extra host", "%.1f" % hs["per_host_RssAnon"], "%.1f" % hs["per_host_VmData"],
                   "%.1f" % hs["per_host_VmRSS"]], w)
            b4 = hs.get("4")
            if b4:
                t.text("  per extra host from 0 to 4: RssAnon %.1f, VmData %.1f" % (
                    (b4["RssAnon"] - hs["0"]["RssAnon"]) / 4, (b4["VmData"] - hs["0"]["VmData"]) / 4))
    rd = R.get("ready")
    if rd:
        t.text("")
        t.text("exec -> first answer (ms, best / median of several runs)")
        w = [28, 16, 16]
        t.row(["server", "UDP answer", "HTTP 200"], w)
        for k in ("bmcd", "bmcd-ephemeral-cert", "ipmi_sim", "pyghmi", "nginx"):
            d = rd.get(k)
            if not d:
                continue
            if d.get("error"):
                t.row([k, "error", ""], w)
                continue
            u = "%.2f / %.2f" % (d["udp_best_ms"], d["udp_median_ms"]) if d.get("udp_best_ms", -1) >= 0 else "-"
            h = "%.2f / %.2f" % (d["http_best_ms"], d["http_median_ms"]) if d.get("http_best_ms", -1) >= 0 else "-"
            t.row([k + (" (%s)" % d.get("probe") if d.get("udp_best_ms", -1) >= 0 else ""), u, h], w)
        b = rd.get("bmcd", {})
        parts = []
        for ref, field in (("ipmi_sim", "udp_best_ms"), ("pyghmi", "udp_best_ms"), ("nginx", "http_best_ms")):
            r_ = rd.get(ref, {})
            if b.get(field, -1) > 0 and r_.get(field, -1) > 0:
                parts.append("%s %s" % (ref, fr(b[field] / r_[field])))
        if parts:
            t.text("  ratios bmcd / (best times): " + ", ".join(parts))
    cg = R.get("callgrind")
    if cg:
        t.h("Instructions per operation (valgrind --tool=callgrind on build/bench/bmcd-syms; "
            "difference of two runs)")
        for k, d in cg.items():
            if not isinstance(d, dict):
                continue
            if d.get("error"):
                t.text("  %-62s error: %s" % (d.get("what", k), d["error"][:120]))
                continue
            t.text("  %-70s %12s" % (d["what"], fnum(d.get("per_op"))))
        for k in ("ipmi17", "handshake17", "http", "tls"):
            d = cg.get(k)
            if d and d.get("self_per_op"):
                t.text("  %s: own instructions per operation, by function:" % k)
                t.text("    " + ", ".join("%s %s" % (f["fn"], fnum(f["per_op"]))
                                         for f in d["self_per_op"][:8]))
            elif d and d.get("top_self"):
                t.text("  top functions by own instructions, %s (%d-request run):" % (k, d["n2"]))
                for f in d["top_self"][:8]:
                    t.text("    %5.1f%%  %s" % (f["pct"], f["fn"]))
    pf = R.get("perf")
    if pf and any(isinstance(v, dict) and v.get("top") for v in pf.values()):
        t.h("perf (cpu-clock samples of bmcd-syms, incl. kernel)")
        for k, d in pf.items():
            if isinstance(d, dict) and d.get("top"):
                t.text("  %s: " % k + ", ".join("%s %.1f%%" % (x["sym"], x["pct"]) for x in d["top"][:8]))
    goals = R.get("goals")
    if goals:
        t.h("Goals")
        for gl in goals:
            st = "n/a   " if gl["met"] is None else ("met   " if gl["met"] else "MISSED")
            v = gl["value"]
            t.text("  %s %-58s %s (target %s) - %s" % (
                st, gl["goal"], "n/a" if v is None else ("%.3f" % v), gl["target"], gl["detail"]))
    if R.get("aborted"):
        t.text("")
        t.text("RUN ABORTED: " + R["aborted"])
    return t.dump()


# --- main ---------------------------------------------------------------------------------------

def git_rev():
    try:
        r = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                           text=True, timeout=10)
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return r.stdout.strip() + ("+local changes" if dirty else "")
    except Exception:
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="short runs, one round, no cross builds, no callgrind")
    ap.add_argument("--only", default="", help="comma-separated sections: ipmi,handshake,redfish,"
                    "pool,sol,footprint,hosts,callgrind,perf (cg:ipmi17,http,... for some callgrind runs)")
    ap.add_argument("--bmcd", metavar="PATH", help="the bmcd binary to measure (default build/bmcd), "
                    "e.g. an older build to compare with")
    ap.add_argument("--rounds", type=int)
    ap.add_argument("--duration", type=float)
    ap.add_argument("--max-minutes", type=float, default=25.0)
    ap.add_argument("--no-cross", action="store_true")
    ap.add_argument("--render", metavar="JSON", help="only print the table of an earlier run")
    a = ap.parse_args()
    global BMCD
    if a.bmcd:
        BMCD = os.path.abspath(a.bmcd)
    if a.render:
        with open(a.render) as f:
            results = json.load(f)
        c = Ctx()
        m = results["meta"]
        c.results, c.quick = results, m.get("rounds", 2) == 1
        c.rounds, c.dur, c.warm, c.wrk_secs = m["rounds"], m["duration_s"], m["warmup_s"], m["wrk_s"]
        c.sessions, c.hs_conc, c.tls_conc = [1, 8, 64], 8, 8
        c.sol_bytes, c.sol_keys = m.get("sol_bytes", 0), m.get("sol_keys", 0)
        c.body = b"x" * m.get("body_len", 0)
        evaluate(c)
        print(render(c) + "\n(loadavg at start %s, at end %s; %.0f s)" % (
            " ".join(m["loadavg_start"]), " ".join(m.get("loadavg_end", [])), m.get("elapsed_s", 0)))
        return 0

    c = Ctx()
    c.quick = a.quick
    c.rounds = a.rounds or (1 if a.quick else 3)
    c.dur = a.duration or (1.0 if a.quick else 2.5)
    c.warm = 0.3 if a.quick else 0.5
    c.wrk_secs = 1 if a.quick else 3
    c.sessions = [1, 8, 64]
    c.hs_conc = 8
    c.tls_conc = 8
    c.sol_bytes = (1 << 20) if a.quick else (4 << 20)
    c.sol_keys = 50 if a.quick else 200
    c.sol_rounds = 1 if a.quick else 2
    c.pool_secs = 3 if a.quick else 6
    c.pool_probe_interval = 0.25
    c.ready_runs = 3 if a.quick else 10
    c.cross = not a.quick and not a.no_cross
    c.cross_timeout = 900
    only = set(x for x in a.only.split(",") if x and not x.startswith("cg:"))
    c.only_cg = set(x[3:] for x in a.only.split(",") if x.startswith("cg:"))
    if c.only_cg:
        only.add("callgrind")
    sections = only or {"ipmi", "handshake", "redfish", "pool", "sol", "footprint", "hosts"} | (
        set() if a.quick else {"callgrind", "perf"})
    DEADLINE[0] = time.monotonic() + a.max_minutes * 60

    for p in (BENCH, BMCD):
        if not os.path.exists(p):
            sys.exit("run.py: %s is missing: run `make bench` (it builds everything)" % p)
    shutil.rmtree(RUN, ignore_errors=True)
    os.makedirs(RUN)
    atexit.register(stop_all)
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)

    selftest = subprocess.run([BENCH, "selftest"], capture_output=True, text=True, timeout=60)
    st = json.loads(selftest.stdout.strip().splitlines()[-1])
    if st.get("mismatches") or not st.get("hist_ok"):
        sys.exit("run.py: bmcd-bench self-test failed: %s" % selftest.stderr)
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"model name\s*:\s*(.*)", f.read())
            cpu = m.group(1).strip() if m else "?"
    except OSError:
        pass
    ver = subprocess.run([BMCD, "--version"], capture_output=True, text=True).stdout.strip()
    ver = ver[5:] if ver.startswith("bmcd ") else ver
    c.results = {"meta": {
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "cpu": cpu,
        "ncpu": os.cpu_count(), "kernel": platform.release(), "bmcd_version": ver,
        "git": git_rev(), "bmcd_path": BMCD, "client_hmac": st.get("hmac"), "client_aes": st.get("aes"),
        "loadavg_start": open("/proc/loadavg").read().split()[:3], "sections": sorted(sections),
        "rounds": c.rounds, "duration_s": c.dur, "warmup_s": c.warm, "wrk_s": c.wrk_secs,
        "sol_bytes": c.sol_bytes, "sol_keys": c.sol_keys}}
    c.procs = {}
    rss = c.results.setdefault("rss", {})
    try:
        c.cert, c.key = make_cert(RUN)
        need_servers = sections & {"ipmi", "handshake", "redfish", "footprint"}
        if need_servers:
            say("starting the servers")
            c.bmcd_port, c.bmcd_http, c.bmcd_https = free_port(), free_port(), free_port()
            conf = bmcd_conf(os.path.join(RUN, "bmcd"), c.bmcd_port, c.bmcd_http, c.bmcd_https,
                             c.cert, c.key)
            c.procs["bmcd"] = Proc("bmcd", [BMCD, "-c", conf], cwd=os.path.join(RUN, "bmcd"))
            wait_until(c.procs["bmcd"], lambda: udp_probe(c.bmcd_port) and tcp_open(c.bmcd_http)
                       and tcp_open(c.bmcd_https))
            status, c.body = http_get(c.bmcd_http, SYSTEM_PATH)
            if status != 200:
                raise Abort("bmcd answered %d to GET %s" % (status, SYSTEM_PATH))
            c.results["meta"]["body_len"] = len(c.body)
            c.bmcd_notice_port = free_port()
            nconf = bmcd_conf(os.path.join(RUN, "bmcd-notice"), c.bmcd_notice_port, level="notice")
            c.procs["bmcd-notice"] = Proc("bmcd-notice", [BMCD, "-c", nconf],
                                          cwd=os.path.join(RUN, "bmcd-notice"))
            c.echo_port, c.echo_plain_port = free_port(), free_port()
            c.procs["echo"] = Proc("echo", [BENCH, "echo-server", "--port", str(c.echo_port)])
            c.procs["echo-plain"] = Proc("echo-plain", [BENCH, "echo-server", "--plain", "--port",
                                                        str(c.echo_plain_port)])
            c.sim_port = free_port()
            c.procs["ipmi_sim"] = start_ipmi_sim(c.sim_port)
            c.pyg_port = free_port()
            c.procs["pyghmi"] = Proc("pyghmi", [PY, PYGHMI_BMC, str(c.pyg_port), USER, PASS])
            c.ng_http, c.ng_https = free_port(), free_port()
            c.procs["nginx"] = start_nginx(c.ng_http, c.ng_https, c.cert, c.key, c.body)
            wait_until(c.procs["bmcd-notice"], lambda: udp_probe(c.bmcd_notice_port))
            wait_until(c.procs["echo"], lambda: udp_probe(c.echo_port))
            wait_until(c.procs["echo-plain"], lambda: udp_probe(c.echo_plain_port))
            c.sim_probe = "asf"
            wait_until(c.procs["ipmi_sim"], lambda: udp_probe(c.sim_port, "authcap"))
            if not udp_probe(c.sim_port, "asf"):
                c.sim_probe = "authcap"
            wait_until(c.procs["pyghmi"], lambda: udp_probe(c.pyg_port, "authcap"))
            wait_until(c.procs["nginx"], lambda: tcp_open(c.ng_http) and tcp_open(c.ng_https))
            st2, body2 = http_get(c.ng_http, SYSTEM_PATH)
            if st2 != 200 or body2 != c.body:
                raise Abort("nginx does not serve the same bytes (%d)" % st2)
            time.sleep(0.5)
            for name, p in c.procs.items():
                rss.setdefault(name, {})["idle_kb"] = p.status_kb("VmRSS")
            say("idle RSS (KiB): " + ", ".join("%s %d" % (k, v["idle_kb"]) for k, v in rss.items()))
        else:
            c.body = b""
            c.sim_probe = "asf"

        def record_peaks(section, mapping):
            """mapping: result key -> (server name, load label)"""
            for key, d in c.results.get(section, {}).items():
                if not isinstance(d, dict) or key not in mapping:
                    continue
                server, label = mapping[key]
                hwm = d.get("server_hwm_kb")
                if hwm:
                    pk = rss.setdefault(server, {}).setdefault("peak_by_load", {})
                    pk[label] = max(pk.get(label, 0), hwm)

        if "ipmi" in sections:
            say("IPMI request/response")
            section_ipmi(c, c.rounds)
            m = {}
            for k in c.results["ipmi"]:
                parts = k.split("/")
                if len(parts) == 3 and not k.startswith("status:"):
                    m[k] = (parts[0], "ipmi x%s" % parts[2])
            record_peaks("ipmi", m)
        if "handshake" in sections:
            say("RMCP+ session set-ups")
            section_handshake(c, c.rounds)
            record_peaks("handshake", {k: (k.split("/")[0], "set-ups") for k in c.results["handshake"]})
        if "redfish" in sections:
            say("Redfish over HTTP/HTTPS (wrk)")
            section_redfish(c, c.rounds)
            m = {}
            for k in c.results["redfish"]:
                name, kind, conns = k.split("/")
                m[k] = (name, {"http": "http", "https": "https", "tls-handshake": "tls hs"}[kind] +
                        " x" + conns)
            record_peaks("redfish", m)
        if "pool" in sections:
            say("more keep-alive clients than slots (wrk, max_connections = %d)" % POOL_SLOTS)
            section_pool(c, c.rounds)
        if "sol" in sections:
            say("Serial-over-LAN")
            section_sol(c)
            for name, d in c.results["sol"].items():
                if d.get("server_hwm_kb"):
                    rss.setdefault(name, {}).setdefault("peak_by_load", {})["sol"] = d["server_hwm_kb"]
        if "footprint" in sections:
            say("footprint: sizes, start-up")
            section_sizes(c)
            section_ready(c)
        if "hosts" in sections:
            say("memory per extra host (%s extra sim hosts)" % ", ".join(str(n) for n in HOSTS_EXTRA))
            section_hosts(c)
        for p in list(c.procs.values()):
            p.stop()
        if "callgrind" in sections:
            if not os.path.exists(BMCD_SYMS):
                c.results["callgrind"] = {"error": "build/bench/bmcd-syms is missing"}
            else:
                say("callgrind (instruction counts)")
                section_callgrind(c)
        if "perf" in sections and os.path.exists(BMCD_SYMS):
            say("perf profile")
            try:
                section_perf(c)
            except Exception as e:
                c.results["perf"] = {"error": str(e)[:300]}
    except Abort as e:
        c.results["aborted"] = str(e)[:2000]
        say("ABORTED: %s" % e)
    finally:
        stop_all()
    c.results["meta"]["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    c.results["meta"]["elapsed_s"] = round(time.monotonic() - T0, 1)
    evaluate(c)
    text = render(c)
    text += "\n(loadavg at start %s, at end %s; %.0f s)\n" % (
        " ".join(c.results["meta"]["loadavg_start"]), " ".join(c.results["meta"]["loadavg_end"]),
        c.results["meta"]["elapsed_s"])
    suffix = "" if not only else "-" + "-".join(sorted(only))
    if BMCD != BMCD_DEFAULT:
        suffix += "-" + re.sub(r"[^A-Za-z0-9_.-]", "_", os.path.basename(BMCD))
    with open(os.path.join(BUILD, "bench%s.txt" % suffix), "w") as f:
        f.write(text)
    with open(os.path.join(BUILD, "bench%s.json" % suffix), "w") as f:
        json.dump(c.results, f, indent=1, default=str)
    print(text)
    print("written: build/bench%s.txt, build/bench%s.json" % (suffix, suffix))
    return 1 if c.results.get("aborted") else 0


if __name__ == "__main__":
    sys.exit(main())
