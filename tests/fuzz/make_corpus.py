#!/usr/bin/python3
"""Seed corpora and dictionaries for the libFuzzer harnesses in tests/fuzz.

    /usr/bin/python3 tests/fuzz/make_corpus.py --out build/fuzz/corpus \
        [--bmcd build/bmcd] [--fuzz-bin build/fuzz] [--no-record]

Writes build/fuzz/corpus/<harness>/<origin>-<hash> files and <harness>.dict files.

Recorded seeds: build/bmcd is started on loopback with a temporary config (simulated host,
SoL on the simulated console, Redfish on HTTP and HTTPS) behind small UDP and TCP proxies
that save what each client sends (and what bmcd answers, to map session IDs and tokens).
Real clients then talk to it: ipmitool (lanplus -C 3 and -C 17, lan), FreeIPMI (bmc-info,
ipmipower, ipmi-sensors, ipmi-sel, ipmi-chassis, ipmi-fru), pyghmi,
curl (GET, HEAD, PATCH, POST, DELETE, Expect: 100-continue, HTTP/1.0, HTTPS), redfishtool,
sushy and openssl s_client. A client that is not installed, or a daemon that does not
start, only means fewer recorded seeds: every harness also gets seeds this script builds
itself (from bmcd's own tables where it can: the IPMI command table in proto/ipmi_cmds.c,
the config keys in firmware/config.c, the Redfish routes in proto/redfish/routes.c), so the run
never fails for want of a client.

fuzz_tls additionally gets handshakes recorded by the harness itself (FUZZ_TLS_SEEDS, see
fuzz_tls.c): they replay into complete handshakes against the deterministic harness.
fuzz_kvmd gets the answers of the integration tests' fake kvmd (tests/integration/
fake_kvmd.py) to the requests bmcd's kvmd backend sends; fuzz_yaml gets kvmd-shaped files.

Nothing here is copied from elsewhere; the corpus lives under build/ and is regenerated.
"""
import argparse
import hashlib
import json
import os
import random
import re
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HARNESSES = ["fuzz_rmcp", "fuzz_ipmi_session", "fuzz_sol", "fuzz_http", "fuzz_redfish",
             "fuzz_json", "fuzz_tls", "fuzz_config", "fuzz_users", "fuzz_yaml", "fuzz_kvmd",
             "fuzz_ndjson", "fuzz_msd_kvmd"]
MARK = b"\xFA\xDE\xD5"          # fuzz_rmcp: datagram separator (then a control byte)
SID_PLACEHOLDER = b"\xEE" * 4   # fuzz_rmcp/fuzz_ipmi_session: "the BMC session ID"
RF_TOKEN = "0123456789abcdef0123456789abcdef"  # fuzz_redfish: the live admin session
USERS = "admin:admin\noperator:operator:operator\nuser:user:user\n"


def log(msg):
    print("make_corpus: " + msg, flush=True)


class Corpus:
    def __init__(self, out):
        self.out = out
        self.count = {h: 0 for h in HARNESSES}
        for h in HARNESSES:
            os.makedirs(os.path.join(out, h), exist_ok=True)

    def add(self, harness, data, origin):
        if isinstance(data, str):
            data = data.encode()
        if not data or len(data) > 65536:
            return
        name = "%s-%s" % (origin, hashlib.sha1(data).hexdigest()[:12])
        path = os.path.join(self.out, harness, name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
            self.count[harness] += 1

    def dict(self, harness, words):
        with open(os.path.join(self.out, harness + ".dict"), "w") as f:
            seen = set()
            for w in words:
                if isinstance(w, str):
                    w = w.encode()
                if not w or w in seen or len(w) > 64:
                    continue
                seen.add(w)
                esc = "".join(chr(b) if 0x20 <= b < 0x7F and b not in (0x22, 0x5C)
                              else "\\x%02X" % b for b in w)
                f.write('"%s"\n' % esc)


def read(rel):
    with open(os.path.join(ROOT, rel), errors="replace") as f:
        return f.read()


# --- recording ---------------------------------------------------------------------------

class UdpProxy:
    """Forwards datagrams to 127.0.0.1:target; records (direction, client, bytes)."""

    def __init__(self, target):
        self.target = target
        self.front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for _ in range(200):  # FreeIPMI refuses ports above 32767
            try:
                self.port = random.randint(20000, 32767)
                self.front.bind(("127.0.0.1", self.port))
                break
            except OSError:
                continue
        self.up = {}    # client address -> upstream socket
        self.rec = []   # ("c" | "s", client address, bytes)
        self.stop = False
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def loop(self):
        while not self.stop:
            socks = [self.front] + list(self.up.values())
            r, _, _ = select.select(socks, [], [], 0.1)
            for s in r:
                if s is self.front:
                    data, addr = s.recvfrom(65536)
                    u = self.up.get(addr)
                    if u is None:
                        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                        u.connect(("127.0.0.1", self.target))
                        self.up[addr] = u
                    self.rec.append(("c", addr, data))
                    try:
                        u.send(data)
                    except OSError:
                        pass
                else:
                    addr = next(a for a, u in self.up.items() if u is s)
                    try:
                        data = s.recv(65536)
                    except OSError:
                        continue
                    self.rec.append(("s", addr, data))
                    self.front.sendto(data, addr)

    def close(self):
        self.stop = True
        self.t.join(2)
        for u in self.up.values():
            u.close()
        self.front.close()


class TcpProxy:
    """Forwards TCP connections to 127.0.0.1:target; records both directions per connection."""

    def __init__(self, target):
        self.target = target
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(16)
        self.port = self.ls.getsockname()[1]
        self.conns = []  # {"c": bytearray, "s": bytearray}
        self.stop = False
        self.threads = []
        self.t = threading.Thread(target=self.accept, daemon=True)
        self.t.start()

    def accept(self):
        self.ls.settimeout(0.1)
        while not self.stop:
            try:
                c, _ = self.ls.accept()
            except OSError:
                continue
            rec = {"c": bytearray(), "s": bytearray()}
            self.conns.append(rec)
            t = threading.Thread(target=self.pump, args=(c, rec), daemon=True)
            t.start()
            self.threads.append(t)

    def pump(self, c, rec):
        try:
            u = socket.create_connection(("127.0.0.1", self.target), timeout=5)
        except OSError:
            c.close()
            return
        peers = {c: (u, "c"), u: (c, "s")}
        open_ = {c, u}
        deadline = time.monotonic() + 30
        while open_ and not self.stop and time.monotonic() < deadline:
            r, _, _ = select.select(list(open_), [], [], 0.1)
            for s in r:
                try:
                    data = s.recv(65536)
                except OSError:
                    data = b""
                other, d = peers[s]
                if not data:
                    open_.discard(s)
                    try:
                        other.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    continue
                rec[d] += data
                try:
                    other.sendall(data)
                except OSError:
                    open_.discard(s)
        c.close()
        u.close()

    def close(self):
        time.sleep(0.2)
        self.stop = True
        self.t.join(2)
        for t in self.threads:
            t.join(2)
        self.ls.close()


CONF = """\
[ipmi]
listen = 127.0.0.1
port = {ipmi}
cipher_suites = 3,17
handshake_timeout_ms = 2000

[users]
file = users

[redfish]
listen = 127.0.0.1
http_port = {http}
https_port = {https}

[host]
backend = sim
short_press_ms = 50
long_press_ms = 300
busy_ms = 100
power_cycle_off_ms = 200

[sim]
boot_ms = 50
shutdown_ms = 300
console = true

[sol]
device = sim
force_encryption = false

[log]
level = debug
"""


def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def free_udp_low():
    for _ in range(200):
        p = random.randint(20000, 32767)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("127.0.0.1", p))
            return p
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free UDP port")


class Daemon:
    def __init__(self, bmcd):
        self.dir = tempfile.mkdtemp(prefix="bmcd-corpus-")
        self.ipmi = free_udp_low()
        self.http = free_port(socket.SOCK_STREAM)
        self.https = free_port(socket.SOCK_STREAM)
        conf = CONF.format(ipmi=self.ipmi, http=self.http, https=self.https)
        with open(os.path.join(self.dir, "bmcd.conf"), "w") as f:
            f.write(conf)
        with open(os.path.join(self.dir, "users"), "w") as f:
            f.write(USERS)
        self.logpath = os.path.join(self.dir, "bmcd.log")
        self.logf = open(self.logpath, "w")
        self.proc = subprocess.Popen([bmcd, "-c", os.path.join(self.dir, "bmcd.conf")],
                                     stdout=self.logf, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("bmcd exited: " + self.log()[-500:])
            if "ready in" in self.log():
                self.redfish = "Redfish" in self.log() or "http" in self.log()
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("bmcd did not become ready")

    def log(self):
        with open(self.logpath, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def run(cmd, timeout=20, stdin=None, env=None):
    """Runs a client; returns True when it exited 0. Missing programs are skipped."""
    if shutil.which(cmd[0]) is None and not os.path.exists(cmd[0]):
        return None
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=timeout, input=stdin, env=env)
        return r.returncode == 0
    except (subprocess.TimeoutExpired, OSError):
        return False


class Tally:
    def __init__(self):
        self.ok, self.failed, self.missing = [], [], set()

    def note(self, name, r):
        if r is None:
            self.missing.add(name.split()[0])
        elif r:
            self.ok.append(name)
        else:
            self.failed.append(name)


def record_ipmi(port, tally):
    """Real IPMI clients against the UDP proxy port."""
    lp = ["-I", "lanplus", "-H", "127.0.0.1", "-p", str(port), "-U", "admin", "-P", "admin"]
    cmds = [["power", "status"], ["sdr", "list"], ["sol", "info"], ["chassis", "status"],
            ["mc", "info"], ["sel", "list"], ["fru", "print"], ["lan", "print", "1"],
            ["user", "list", "1"], ["channel", "info"], ["chassis", "bootparam", "get", "5"],
            ["session", "info", "active"], ["sel", "info"], ["chassis", "bootdev", "pxe"],
            ["chassis", "identify", "5"], ["sensor", "list"], ["mc", "guid"],
            ["chassis", "poh"], ["chassis", "restart_cause"], ["sol", "payload", "status"]]
    for suite in ("3", "17"):
        for c in cmds:
            tally.note("ipmitool -C%s %s" % (suite, " ".join(c)),
                       run(["ipmitool"] + lp + ["-C", suite] + c))
    tally.note("ipmitool -C17 -L OPERATOR power status",
               run(["ipmitool"] + lp + ["-C", "17", "-L", "OPERATOR", "power", "status"]))
    tally.note("ipmitool wrong password",
               run(["ipmitool", "-I", "lanplus", "-H", "127.0.0.1", "-p", str(port), "-U",
                    "admin", "-P", "nope", "-R", "1", "power", "status"], timeout=10))
    tally.note("ipmitool -I lan", run(["ipmitool", "-I", "lan", "-H", "127.0.0.1", "-p",
                                       str(port), "-U", "admin", "-P", "admin", "-R", "1",
                                       "-N", "1", "power", "status"], timeout=10))
    fi = ["-D", "LAN_2_0", "-h", "127.0.0.1:%d" % port, "-u", "admin", "-p", "admin"]
    for tool, extra in (("bmc-info", []), ("ipmipower", ["--stat"]), ("ipmi-sensors", []),
                        ("ipmi-sel", []), ("ipmi-chassis", ["--get-chassis-status"]),
                        ("ipmi-fru", []), ("ipmi-chassis", ["--get-boot-flags"])):
        tally.note(tool + " " + " ".join(extra), run([tool] + fi + extra))
    tally.note("bmc-info -I 17", run(["bmc-info"] + fi + ["-I", "17"]))
    # (FreeIPMI's ipmiping and rmcpping only talk to port 623: not used here)
    script = ("import sys\nfrom pyghmi.ipmi import command\n"
              "c = command.Command(bmc='127.0.0.1', userid='admin', password='admin', "
              "port=%d)\n"
              "c.get_power(); c.get_bootdev(); c.get_health()\n"
              "list(c.get_sensor_data()); c.get_inventory_descriptions()\n" % port)
    if os.path.isdir("/usr/lib/python3/dist-packages/pyghmi"):
        tally.note("pyghmi", run(["/usr/bin/python3", "-c", script], timeout=30))
    else:
        tally.note("pyghmi", None)


def curl_runs(port):
    """curl command lines for the plain HTTP proxy port."""
    u = "http://127.0.0.1:%d" % port
    a = ["-u", "admin:admin"]
    js = ["-H", "Content-Type: application/json"]
    return [
        ["curl", "-s", u + "/redfish"],
        ["curl", "-s", u + "/redfish/v1/"],
        ["curl", "-s"] + a + [u + "/redfish/v1/Systems/0"],
        ["curl", "-s", "-I"] + a + [u + "/redfish/v1/Systems/0"],
        # a further host's system (fuzz_redfish has Systems/b; the recorded daemon may not)
        ["curl", "-s"] + a + [u + "/redfish/v1/Systems/b", u + "/redfish/v1/Chassis/b"],
        ["curl", "-s", "-X", "POST", "-u", "user:user"] + js + [
            "-d", '{"ResetType":"ForceOff"}',
            u + "/redfish/v1/Systems/b/Actions/ComputerSystem.Reset"],
        ["curl", "-s"] + a + [u + "/redfish/v1/Systems", u + "/redfish/v1/Chassis",
                              u + "/redfish/v1/Managers/bmc", u + "/redfish/v1/$metadata",
                              u + "/redfish/v1/odata"],
        ["curl", "-s", "-X", "PATCH"] + a + js + [
            "-d", '{"Boot":{"BootSourceOverrideTarget":"Pxe",'
                  '"BootSourceOverrideEnabled":"Once"},"IndicatorLED":"Lit"}',
            u + "/redfish/v1/Systems/0"],
        ["curl", "-s", "-X", "POST"] + a + js + ["-d", '{"ResetType":"On"}',
                                                u + "/redfish/v1/Systems/0/Actions/"
                                                "ComputerSystem.Reset"],
        ["curl", "-s", "-X", "POST"] + a + js + ["-H", "Expect: 100-continue", "-d",
                                                '{"ResetType":"GracefulShutdown"}',
                                                u + "/redfish/v1/Systems/0/Actions/"
                                                "ComputerSystem.Reset"],
        ["curl", "-s", "-i", "-X", "POST"] + js + [
            "-d", '{"UserName":"admin","Password":"admin"}',
            u + "/redfish/v1/SessionService/Sessions"],
        ["curl", "-s", "-X", "POST"] + js + ["-d", '{"UserName":"admin","Password":"bad"}',
                                            u + "/redfish/v1/SessionService/Sessions"],
        ["curl", "-s"] + a + [u + "/redfish/v1/Systems/0/LogServices/EventLog/Entries?$top=2"
                              "&$skip=1"],
        ["curl", "-s", "-X", "POST"] + a + js + ["-d", "{}", u + "/redfish/v1/Systems/0/"
                                                "LogServices/EventLog/Actions/"
                                                "LogService.ClearLog"],
        ["curl", "-s", "--http1.0"] + a + [u + "/redfish/v1/AccountService/Accounts"],
        ["curl", "-s", "-X", "OPTIONS"] + a + [u + "/redfish/v1/Systems/0"],
        ["curl", "-s", "-X", "DELETE"] + a + [u + "/redfish/v1/SessionService/Sessions/1"],
        ["curl", "-s", "-H", "OData-Version: 4.0", "-H", "If-None-Match: \"x\""] + a +
        [u + "/redfish/v1/SessionService", u + "/redfish/v1/EventService",
         u + "/redfish/v1/AccountService/Roles/Administrator",
         u + "/redfish/v1/Managers/bmc/NetworkProtocol",
         u + "/redfish/v1/Systems/0/ResetActionInfo"],
        ["curl", "-s", "-N", "--max-time", "1"] + a + [u + "/redfish/v1/EventService/SSE"],
        ["curl", "-s", "-X", "PATCH"] + a + js + ["-d", '{"Bogus":1,"PowerState":"On"}',
                                                u + "/redfish/v1/Systems/0"],
        # virtual media: an insertion (a task), its monitor, a one-time CD boot, eject
        ["curl", "-s", "-X", "POST"] + a + js + [
            "-d", '{"Image":"http://192.0.2.1/boot.iso","Inserted":true,'
            '"WriteProtected":true,"TransferProtocolType":"HTTP","TransferMethod":"Upload"}',
            u + "/redfish/v1/Managers/bmc/VirtualMedia/Cd/Actions/VirtualMedia.InsertMedia"],
        ["curl", "-s"] + a + [u + "/redfish/v1/TaskService/TaskMonitors/1",
                              u + "/redfish/v1/TaskService/Tasks/1",
                              u + "/redfish/v1/TaskService/Tasks"],
        ["curl", "-s", "-X", "PATCH"] + a + js + [
            "-d", '{"Boot":{"BootSourceOverrideTarget":"Cd","BootSourceOverrideEnabled":"Once"}}',
            u + "/redfish/v1/Systems/0"],
        ["curl", "-s", "-X", "POST"] + a + js + [
            "-d", '{}', u + "/redfish/v1/Systems/0/VirtualMedia/Cd/Actions/"
            "VirtualMedia.EjectMedia"],
    ]


def record_http(daemon, tally):
    """curl, redfishtool and sushy through a TCP proxy on the plain HTTP port."""
    px = TcpProxy(daemon.http)
    for c in curl_runs(px.port):
        tally.note("curl " + " ".join(x for x in c[1:] if x.startswith("-X") or "/" in x)[:60],
                   run(c, timeout=10))
    rt = ["redfishtool", "-r", "127.0.0.1:%d" % px.port, "-u", "admin", "-p", "admin",
          "-S", "Never"]
    for sub in (["root"], ["Systems"], ["Systems", "-1", "get"], ["Chassis"],
                ["Managers"], ["SessionService"], ["AccountService"],
                ["Systems", "-1", "Logs", "-E"], ["-A", "Session", "Systems"]):
        tally.note("redfishtool " + " ".join(sub), run(rt + sub, timeout=20))
    script = (
        "import sushy\n"
        "s = sushy.Sushy('http://127.0.0.1:%d/redfish/v1', username='admin', "
        "password='admin', verify=False)\n"
        "for f in (lambda: s.get_system_collection().get_members(),\n"
        "          lambda: s.get_system('/redfish/v1/Systems/0').power_state,\n"
        "          lambda: s.get_system('/redfish/v1/Systems/0').set_system_boot_options("
        "'pxe', enabled='once'),\n"
        "          lambda: s.get_system('/redfish/v1/Systems/0').reset_system('on'),\n"
        "          lambda: s.get_chassis_collection().get_members(),\n"
        "          lambda: s.get_manager_collection().get_members(),\n"
        "          lambda: s.get_session_service().sessions.get_members(),\n"
        "          lambda: s.get_account_service().accounts.get_members()):\n"
        "    try:\n        f()\n    except Exception as e:\n        print(e)\n" % px.port)
    if os.path.isdir("/usr/lib/python3/dist-packages/sushy"):
        tally.note("sushy", run(["/usr/bin/python3", "-c", script], timeout=60))
    else:
        tally.note("sushy", None)
    px.close()
    return px.conns


def record_tls(daemon, tally):
    """ClientHellos and whatever follows from curl and openssl on the HTTPS port."""
    px = TcpProxy(daemon.https)
    u = "https://127.0.0.1:%d/redfish/v1/" % px.port
    tally.note("curl https", run(["curl", "-s", "-k", "-u", "admin:admin", u], timeout=10))
    tally.note("curl https aes128", run(["curl", "-s", "-k", "--tls-max", "1.2", "--ciphers",
                                         "ECDHE-ECDSA-AES128-GCM-SHA256", u], timeout=10))
    tally.note("curl https tls1.3", run(["curl", "-s", "-k", "--tlsv1.3", u], timeout=10))
    tally.note("openssl s_client", run(["openssl", "s_client", "-connect",
                                        "127.0.0.1:%d" % px.port, "-tls1_2"], stdin=b"",
                                       timeout=10))
    tally.note("openssl s_client -reconnect",
               run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % px.port, "-reconnect",
                    "-tls1_2"], stdin=b"", timeout=15))
    px.close()
    return px.conns


# --- turning recordings into seeds --------------------------------------------------------

def presession(data):
    """ASF, IPMI 1.5 without a session, or RMCP+ with session ID 0."""
    if len(data) < 5:
        return True
    if data[3] & 0x1F == 0x06 or data[4] == 0x00:
        return True
    return len(data) >= 10 and data[6:10] == bytes(4)


def rmcp_seeds(corpus, rec):
    by_client = {}
    for d, addr, data in rec:
        by_client.setdefault(addr, []).append((d, data))
    for addr, ex in by_client.items():
        sids = []
        seq = []
        insession = 0
        for d, data in ex:
            if d == "s":
                # an accepted Open Session reply names the BMC's session ID
                if (len(data) >= 28 and data[4] == 6 and data[5] & 0x3F == 0x11
                        and data[17] == 0):
                    sids.append(data[24:28])
                continue
            for s in sids:
                data = data.replace(s, SID_PLACEHOLDER)
            # in-session packets are protected with keys the harness cannot know: a few
            # per exchange show the format, the rest would only bloat the corpus
            if presession(data):
                corpus.add("fuzz_rmcp", data, "rec")
            elif insession < 2:
                insession += 1
                corpus.add("fuzz_rmcp", data, "rec-session")
            else:
                continue
            seq.append(data)
        if len(seq) > 1:
            corpus.add("fuzz_rmcp", (MARK + b"\x00").join(seq[:24]), "rec-exchange")


def http_requests(stream):
    """Splits a client's byte stream into requests (by head and Content-Length)."""
    out = []
    i = 0
    while i < len(stream) and len(out) < 64:
        e = stream.find(b"\r\n\r\n", i)
        if e < 0:
            out.append(stream[i:])
            break
        head = stream[i:e + 4]
        m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        n = int(m.group(1)) if m else 0
        out.append(stream[i:e + 4 + n])
        i = e + 4 + n
    return out


def http_bodies(stream):
    for r in http_requests(stream):
        e = r.find(b"\r\n\r\n")
        if e >= 0 and len(r) > e + 4:
            yield r[e + 4:]


def redfish_seeds(corpus, conns):
    tokens = set()
    for c in conns:
        for m in re.finditer(rb"(?i)X-Auth-Token: *([0-9a-f]+)", bytes(c["s"])):
            tokens.add(m.group(1))
    for c in conns:
        cs = bytes(c["c"])
        if not cs:
            continue
        for t in tokens:  # the recorded session is the harness's live admin session
            cs = cs.replace(t, RF_TOKEN.encode())
        corpus.add("fuzz_http", cs, "rec")
        corpus.add("fuzz_redfish", b"\x0b" + cs, "rec")  # as sent, loopback, no extra auth
        for r in http_requests(cs):
            corpus.add("fuzz_http", r, "rec")
            corpus.add("fuzz_redfish", b"\x0b" + r, "rec")
            corpus.add("fuzz_redfish", b"\x0c" + r, "rec-tls")  # TLS, Basic admin added
        for b in http_bodies(cs):
            corpus.add("fuzz_json", b, "rec-request")
        for b in http_bodies(bytes(c["s"])):
            if b[:1] in (b"{", b"["):
                corpus.add("fuzz_json", b, "rec-response")


def tls_seeds(corpus, conns):
    for c in conns:
        cs = bytes(c["c"])
        if len(cs) < 5:
            continue
        first = 5 + (cs[3] << 8 | cs[4])
        corpus.add("fuzz_tls", cs[:first], "rec-hello")
        corpus.add("fuzz_tls", cs, "rec-stream")


def record_all(corpus, bmcd):
    if not os.access(bmcd, os.X_OK):
        log("no %s: seeds are constructed only" % bmcd)
        return
    try:
        d = Daemon(bmcd)
    except Exception as e:  # the daemon may be mid-change in a working tree
        log("bmcd did not start (%s): seeds are constructed only" % e)
        return
    tally = Tally()
    try:
        px = UdpProxy(d.ipmi)
        record_ipmi(px.port, tally)
        px.close()
        rmcp_seeds(corpus, px.rec)
        log("recorded %d IPMI datagrams" % len(px.rec))
        if d.redfish:
            conns = record_http(d, tally)
            redfish_seeds(corpus, conns)
            log("recorded %d HTTP connections" % len(conns))
            conns = record_tls(d, tally)
            tls_seeds(corpus, conns)
            log("recorded %d HTTPS connections" % len(conns))
    finally:
        d.stop()
    log("clients ok: %d, failed: %d%s" % (
        len(tally.ok), len(tally.failed),
        ", not installed: " + " ".join(sorted(tally.missing)) if tally.missing else ""))
    if tally.failed:
        log("failed (their traffic is still recorded): " + "; ".join(tally.failed[:12]))


# --- constructed seeds ---------------------------------------------------------------------

def checksum(b):
    return (-sum(b)) & 0xFF


def ipmi_msg(netfn, cmd, data, seq=1):
    h = bytes([0x20, netfn << 2])
    b = bytes([0x81, seq << 2, cmd]) + data
    return h + bytes([checksum(h)]) + b + bytes([checksum(b)])


def ipmi_table():
    """(netfn, cmd, min_len, handler) from proto/ipmi_cmds.c and the netfn values in ipmi.h."""
    netfn = {m.group(1): int(m.group(2), 16)
             for m in re.finditer(r"NETFN_(\w+) = 0x([0-9A-Fa-f]+)", read("proto/ipmi.h"))}
    tab = []
    for m in re.finditer(r"\{\s*NETFN_(\w+),\s*0x([0-9A-Fa-f]+),\s*PRIV_\w+,\s*(\d+),\s*(\w+)\s*\}",
                         read("proto/ipmi_cmds.c")):
        if m.group(1) in netfn:
            tab.append((netfn[m.group(1)], int(m.group(2), 16), int(m.group(3)), m.group(4)))
    return sorted(set(tab))


# Plausible request data for the commands bmcd implements, by handler name (IPMI 2.0).
CH = 0x0E  # "this channel"
PLAUSIBLE = {
    "chassis_control": [b"\x00", b"\x01", b"\x02", b"\x03", b"\x05", b"\x04"],
    "chassis_identify": [b"", b"\x0f", b"\x00", b"\x00\x01"],
    "chassis_set_policy": [b"\x00", b"\x01", b"\x02", b"\x03"],
    "chassis_set_boot": [b"\x05\x80\x04\x00\x00\x00", b"\x05\xa0\x18\x00\x00\x00",
                         b"\x05\xc0\x08\x00\x00\x00", b"\x00\x01", b"\x03\x1f",
                         b"\x04\x01\x02", b"\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00"],
    "chassis_get_boot": [b"\x05\x00\x00", b"\x00\x00\x00", b"\x03\x00\x00", b"\x06\x00\x00",
                         b"\x07\x00\x00", b"\x04\x00\x00"],
    "sensor_get_reading": [b"\x01", b"\x02", b"\x03", b"\x07"],
    "sensor_get_thresholds": [b"\x03", b"\x01"],
    "sensor_get_hysteresis": [b"\x03\xff"],
    "sensor_get_event_enable": [b"\x03", b"\x01"],
    "app_get_auth_caps": [bytes([0x8E, 4]), bytes([CH, 4]), bytes([0x8E, 2]), b"\x01\x04"],
    "app_set_session_priv": [b"\x04", b"\x03", b"\x02", b"\x00", b"\x05"],
    "app_close_session": [SID_PLACEHOLDER, b"\x00\x00\x00\x00\x01", b"\x01\x02\x03\x04"],
    "app_get_session_info": [b"\x00", b"\x01", b"\xfe" + SID_PLACEHOLDER, b"\xff\x01"],
    "app_get_channel_access": [bytes([CH, 0x40]), bytes([1, 0x80])],
    "app_get_channel_info": [bytes([CH]), b"\x01", b"\x0f"],
    "app_get_user_access": [bytes([CH, 1]), bytes([1, 2]), bytes([1, 0x3f])],
    "app_get_user_name": [b"\x01", b"\x02", b"\x3f"],
    "app_activate_payload": [b"\x01\x01\xc0\x00\x00\x00", b"\x01\x01\x00\x00\x00\x00",
                             b"\x01\x02\x00\x00\x00\x00"],
    "app_deactivate_payload": [b"\x01\x01\x00\x00\x00\x00"],
    "app_payload_status": [b"\x01"],
    "app_payload_instance": [b"\x01\x01"],
    "app_get_payload_support": [bytes([CH])],
    "app_payload_version": [bytes([CH, 1]), bytes([CH, 0])],
    "app_get_cipher_suites": [bytes([CH, 0, 0x80]), bytes([CH, 0, 0x81]), bytes([CH, 0, 0])],
    "fru_get_area_info": [b"\x00", b"\x01"],
    "fru_read": [b"\x00\x00\x00\x10", b"\x00\x08\x00\x20", b"\x00\xf0\x01\x20"],
    "fru_write": [b"\x00\x00\x00\x01"],
    "sdr_get_cmd": [b"\x00\x00\x00\x00\x00\xff", b"\x00\x00\x01\x00\x00\x05",
                    b"\x00\x00\xff\xff\x00\xff"],
    "sel_get_entry": [b"\x00\x00\x00\x00\x00\xff", b"\x00\x00\xff\xff\x00\xff",
                      b"\x00\x00\x01\x00\x02\x08"],
    "sel_add_entry": [b"\x00\x00\x02\x00\x00\x00\x00\x20\x00\x04\x09\x04\x6f\x01\xff\xff"],
    "sel_clear_cmd": [b"\x00\x00CLR\xaa", b"\x00\x00CLR\x00"],
    "sel_set_time": [b"\x00\x00\x00\x65"],
    "lan_get_config": [bytes([CH, p, 0, 0]) for p in (0, 1, 3, 4, 5, 6, 12, 22, 23, 24, 99)],
    "lan_set_config": [bytes([1, 0, 1]), bytes([1, 3, 10, 0, 0, 1])],
    "sol_get_config": [bytes([CH, p, 0, 0]) for p in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)],
    "sol_set_config": [bytes([CH, 1, 1]), bytes([CH, 2, 0x02]), bytes([CH, 3, 4, 1]),
                       bytes([CH, 4, 3, 20]), bytes([CH, 6, 10]), bytes([CH, 0, 1]),
                       bytes([CH, 5, 7])],
}


def session_op_cmd(netfn, cmd, data, client=0, lun=0):
    """fuzz_ipmi_session op 3: netfn/LUN, command, data length, data."""
    return bytes([0x03 | client << 4, netfn << 2 | lun, cmd, len(data)]) + data


def constructed_ipmi(corpus):
    tab = ipmi_table()
    if not tab:
        log("warning: no command table found in proto/ipmi_cmds.c")
    for netfn, cmd, min_len, fn in tab:
        datas = PLAUSIBLE.get(fn, [bytes(min_len)])
        for i, d in enumerate(datas):
            for client in ((0, 1, 2, 3) if i == 0 else (0,)):
                corpus.add("fuzz_ipmi_session", session_op_cmd(netfn, cmd, d, client), fn)
            m = ipmi_msg(netfn, cmd, d)
            # pre-session: RMCP+ (payload type 0, session 0) and IPMI 1.5 framing
            corpus.add("fuzz_rmcp", bytes([6, 0, 0xFF, 7, 6, 0]) + bytes(8) +
                       struct.pack("<H", len(m)) + m, "presession-" + fn)
            corpus.add("fuzz_rmcp", bytes([6, 0, 0xFF, 7, 0]) + bytes(8) + bytes([len(m)]) + m,
                       "ipmi15-" + fn)
        # by table index (op 0): the harness enumerates the table in (netfn, cmd) order
        idx = tab.index((netfn, cmd, min_len, fn))
        corpus.add("fuzz_ipmi_session", bytes([0x00, idx, 0]) + bytes(min_len), "index-" + fn)
    # sequences: state that spans commands
    seqs = {
        # EF EF: the reservation ID the previous answer carried (fuzz_ipmi_session.c)
        "sel": [(0x0A, 0x44, PLAUSIBLE["sel_add_entry"][0]), (0x0A, 0x40, b""),
                (0x0A, 0x42, b""), (0x0A, 0x43, b"\xef\xef\x00\x00\x02\x08"),
                (0x0A, 0x42, b""), (0x0A, 0x47, b"\xef\xefCLR\x00"),
                (0x0A, 0x42, b""), (0x0A, 0x47, b"\xef\xefCLR\xaa"), (0x0A, 0x40, b"")],
        "sdr": [(0x0A, 0x20, b""), (0x0A, 0x22, b""), (0x0A, 0x23, b"\xef\xef\x00\x00\x00\x05"),
                (0x0A, 0x22, b""), (0x0A, 0x23, b"\xef\xef\x01\x00\x05\x10")],
        "boot": [(0x00, 0x08, b"\x00\x01"), (0x00, 0x08, b"\x05\x80\x04\x00\x00\x00"),
                 (0x00, 0x08, b"\x00\x02"), (0x00, 0x09, b"\x05\x00\x00"),
                 (0x00, 0x02, b"\x01"), (0x00, 0x01, b"")],
        "priv": [(0x06, 0x3B, b"\x02"), (0x00, 0x02, b"\x00"), (0x06, 0x3B, b"\x04"),
                 (0x00, 0x02, b"\x00"), (0x06, 0x3C, SID_PLACEHOLDER), (0x06, 0x01, b"")],
        "sol": [(0x0C, 0x21, bytes([CH, 1, 1])), (0x06, 0x48, b"\x01\x01\xc0\x00\x00\x00"),
                (0x06, 0x4A, b"\x01"), (0x06, 0x4B, b"\x01\x01")],
    }
    for name, ops in seqs.items():
        corpus.add("fuzz_ipmi_session", b"".join(session_op_cmd(*o) for o in ops), "seq-" + name)
    # SoL after activation: host output, a tick, console packets (op 7), deactivation
    sol = (session_op_cmd(0x06, 0x48, b"\x01\x01\xc0\x00\x00\x00") +
           b"\x06\x01" + b"\x0f\x05hello" + b"\x06\x01" +
           b"\x07\x00\x01\x01\x05\x00" + b"\x07\x03\x02\x00\x00\x00ls\r" +
           session_op_cmd(0x06, 0x49, b"\x01\x01\x00\x00\x00\x00"))
    corpus.add("fuzz_ipmi_session", sol, "seq-sol-traffic")
    # raw payloads in a session (op 4) and a raw datagram with the placeholder (op 5)
    m = ipmi_msg(0x06, 0x01, b"")
    corpus.add("fuzz_ipmi_session", bytes([0x04, 0x00]) + struct.pack("<H", len(m)) + m,
               "raw-payload")
    corpus.add("fuzz_ipmi_session", bytes([0x0C, 0x00]) + struct.pack("<H", len(m)) + m,
               "raw-payload-unpadded")
    dg = bytes([6, 0, 0xFF, 7, 6, 0x00]) + SID_PLACEHOLDER + b"\x00\x01\x00\x00" + \
        struct.pack("<H", len(m)) + m
    corpus.add("fuzz_ipmi_session", bytes([0x25]) + struct.pack("<H", len(dg)) + dg,
               "raw-datagram")
    corpus.add("fuzz_ipmi_session", b"\x0e\x00" + session_op_cmd(0x06, 0x01, b""), "timeout")


def rakp_seeds(corpus):
    """The pre-session handshake, built here (fuzz_rmcp), with the session ID placeholder."""
    def pkt(pt, body):
        return bytes([6, 0, 0xFF, 7, 6, pt]) + bytes(8) + struct.pack("<H", len(body)) + body

    def open_req(tag, auth, integ, conf, priv=0x04):
        return pkt(0x10, bytes([tag, priv, 0, 0]) + b"\x11\x22\x33\x44" +
                   bytes([0, 0, 0, 8, auth, 0, 0, 0, 1, 0, 0, 8, integ, 0, 0, 0,
                          2, 0, 0, 8, conf, 0, 0, 0]))

    def rakp1(tag, user, role=0x14):
        return pkt(0x12, bytes([tag, 0, 0, 0]) + SID_PLACEHOLDER + bytes(range(16)) +
                   bytes([role, 0, 0, len(user)]) + user)

    def rakp3(tag, n=32, status=0):
        return pkt(0x14, bytes([tag, status, 0, 0]) + SID_PLACEHOLDER + bytes(n))

    ping = bytes([6, 0, 0xFF, 6, 0, 0, 0x11, 0xBE, 0x80, 0x42, 0, 0])
    corpus.add("fuzz_rmcp", ping, "asf-ping")
    for auth, integ, conf, n in ((3, 4, 1, 32), (1, 1, 1, 20), (1, 0, 0, 20), (3, 4, 0, 32),
                                 (3, 0, 0, 32), (1, 1, 0, 20)):
        for user, role in ((b"admin", 0x14), (b"operator", 0x04), (b"nobody", 0x14),
                           (b"user", 0x12)):
            seq = [open_req(0x5A, auth, integ, conf), rakp1(0x5B, user, role), rakp3(0x5C, n)]
            corpus.add("fuzz_rmcp", (MARK + b"\x00").join(seq), "handshake")
    # retransmissions, the pool filling up, expiry (control byte bits 1-3: time steps)
    o = open_req(1, 3, 4, 1)
    corpus.add("fuzz_rmcp", (MARK + b"\x00").join([o] * 6), "pool-full")
    corpus.add("fuzz_rmcp", (MARK + b"\x00").join([o, o]) + MARK + b"\x0a" + o, "expiry")
    corpus.add("fuzz_rmcp", o + MARK + b"\x00" + rakp1(2, b"admin") + MARK + b"\x00" +
               rakp1(3, b"admin") + MARK + b"\x01" + rakp3(4), "other-peer")
    corpus.add("fuzz_rmcp", o + MARK + b"\x00" + rakp1(2, b"admin") + MARK + b"\x00" +
               rakp3(4, 32, 0x0F), "console-abort")


def constructed_sol(corpus):
    # ops: 0 console payload [k][seq ack count op data(k)]; 2 host output [n][bytes];
    # 0x0A long output [u16][bytes]; 3 tick [t]*5ms; 0x0B tick [t]*50ms; 4 port [t];
    # 5 command [which][k][data]; 6/0x0E session ends; 7 reactivate / 0x0F sol_deactivate
    def con(seq, ack, count, op, data=b"", who=0):
        return bytes([0x00 | who << 4, len(data), seq, ack, count, op]) + data

    def host(s):
        if len(s) < 64:
            return bytes([0x02, len(s)]) + s
        return bytes([0x0A]) + struct.pack("<H", len(s)) + s

    def tick(t, slow=False):
        return bytes([0x0B if slow else 0x03, t])

    ack_history = con(0, 1, 38, 0)  # the replayed history went out as packet 1
    seeds = {
        "ack": ack_history,
        "typing": ack_history + con(1, 0, 0, 0, b"ls -l\r") + con(1, 0, 0, 0, b"ls -l\r") +
        con(2, 0, 0, 0, b"x" * 100),
        "output": ack_history + host(b"login: ") + tick(5) + con(0, 2, 7, 0) + host(b"a" * 200) +
        tick(1) + con(0, 3, 100, 0) + tick(1) + con(0, 4, 100, 0),
        "nack": ack_history + host(b"data") + tick(5) + con(0, 2, 0, 0x40) + tick(100) +
        con(0, 2, 4, 0),
        "break": con(1, 1, 38, 0x10) + con(2, 0, 0, 0x10, b"\x03"),
        "port": bytes([0x04, 0x80]) + con(1, 0, 0, 0, b"lost") + bytes([0x04, 0x02]) +
        con(2, 0, 0, 0, b"partial"),
        "retries": host(b"x" * 10) + tick(200, True) + tick(200, True),
        "overrun": bytes([0x0A]) + struct.pack("<H", 590) + b"o" * 590 + tick(250, True) +
        bytes([0x0A]) + struct.pack("<H", 590) + b"p" * 590 + tick(10),
        "intruder": con(1, 0, 0, 0, b"hi", who=1) + con(1, 0, 0, 0, b"hi", who=2),
        "takeover": bytes([0x05 | 1 << 4, 1, 4, 1, 1, 0, 0, 0, 0]) +
        bytes([0x05 | 1 << 4, 0, 4, 1, 1, 0, 0, 0, 0]),
        "config": bytes([0x05, 6, 1, CH, 1, 0]) + bytes([0x05, 6, 2, CH, 3, 1, 1]) +
        host(b"y") + tick(1) + bytes([0x05, 7, 1, CH, 3]),
        "close": host(b"z") + bytes([0x0E]) + con(1, 0, 0, 0, b"after"),
        "close-under": bytes([0x06]) + host(b"z") + tick(1),
        "reactivate": bytes([0x07]) + tick(1) + con(0, 1, 38, 0) + bytes([0x0F]) + tick(1),
        "status": bytes([0x05, 2, 0, 1, 0]) + bytes([0x05, 3, 0, 1, 1]) +
        bytes([0x05, 4, 0, CH, 1]),
    }
    for name, s in seeds.items():
        corpus.add("fuzz_sol", s, name)


HTTP_SEEDS = [
    b"GET / HTTP/1.1\r\nHost: bmc\r\n\r\n",
    b"GET /redfish/v1/ HTTP/1.1\r\nHost: bmc\r\nConnection: keep-alive\r\n\r\n"
    b"GET /redfish/v1/Systems HTTP/1.1\r\nHost: bmc\r\nConnection: close\r\n\r\n",
    b"HEAD /redfish/v1 HTTP/1.0\r\n\r\n",
    b"\r\n\r\nGET http://bmc:80/redfish/v1?x=1 HTTP/1.1\r\nHost: bmc:80\r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\nHost: bmc\r\n\r\n",
    b"POST /x HTTP/1.1\r\nHost: bmc\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello",
    b"POST /x HTTP/1.1\r\nHost: bmc\r\nContent-Length: 5\r\nContent-Length: 005\r\n\r\nhello",
    b"POST /x HTTP/1.1\r\nHost: bmc\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"POST /x HTTP/1.1\r\nHost: bmc\r\nContent-Length: 99999999999\r\n\r\n",
    b"GET / HTTP/2.0\r\nHost: bmc\r\n\r\n",
    b"GETTTTTTTTTTTTTTTTTTTTT / HTTP/1.1\r\nHost: bmc\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: bmc\r\nX: a\r\n folded\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost : bmc\r\n\r\n",
    b"GET /%2e%2E/%41%2f?q=%zz HTTP/1.1\nHost: [::1]:8080\n\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    b"GET https://user@bmc/ HTTP/1.1\r\nHost: bmc\r\n\r\n",
    b"GET /#frag HTTP/1.1\r\nHost: bmc\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: bmc\r\nExpect: something\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(45)) + b"Host: b\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: bmc\r\nX-Long: " + b"a" * 8200 + b"\r\n\r\n",
]


def redfish_routes():
    """URIs from the route table in proto/redfish/routes.c (system id 0, member ids filled in)."""
    src = read("proto/redfish/routes.c")
    macros = {"V1": "/redfish/v1", "MGR": "/redfish/v1/Managers/bmc"}
    out = ["/redfish"]
    for m in re.finditer(r"\[R_\w+\] = \{ ((?:V1|MGR)(?: \"[^\"]*\")?|\"[^\"]*\"),", src):
        parts = m.group(1).split(" ", 1)
        uri = macros.get(parts[0], parts[0].strip('"'))
        if len(parts) > 1:
            uri += parts[1].strip('"')
        out.append(uri.replace("%", "0").replace("*", "1"))
    return sorted(set(out))


def constructed_http(corpus):
    for s in HTTP_SEEDS:
        corpus.add("fuzz_http", s, "built")
    routes = redfish_routes()
    bodies = {
        "/redfish/v1/Systems/0": [
            '{"Boot":{"BootSourceOverrideTarget":"Pxe","BootSourceOverrideEnabled":"Once",'
            '"BootSourceOverrideMode":"UEFI"}}',
            '{"IndicatorLED":"Blinking","LocationIndicatorActive":true}',
            '{"Boot":{"BootSourceOverrideTarget":"Nope"},"AssetTag":"x","Bad":null}',
            '{"PowerRestorePolicy":"AlwaysOn"}', '{}', '[]', '{"Boot":5}'],
        "/redfish/v1/Systems/0/Actions/ComputerSystem.Reset": [
            '{"ResetType":"%s"}' % t for t in ("On", "ForceOff", "GracefulShutdown",
                                                "GracefulRestart", "ForceRestart", "PowerCycle",
                                                "PushPowerButton", "Nmi", "Bogus")] +
        ['{}', '{"ResetType":1}', '{"ResetType":"On","X":1}'],
        "/redfish/v1/Systems/0/LogServices/EventLog/Actions/LogService.ClearLog": ['{}'],
        "/redfish/v1/SessionService/Sessions": [
            '{"UserName":"admin","Password":"admin"}', '{"UserName":"admin","Password":"x"}',
            '{"UserName":"user"}', '{"UserName":1,"Password":"p"}'],
        "/redfish/v1/EventService/Subscriptions": [
            '{"Destination":"http://127.0.0.1:8080/e","Protocol":"Redfish","Context":"c",'
            '"EventTypes":["Alert"],"HttpHeaders":[{"X-T":"v"}],"DeliveryRetryPolicy":'
            '"RetryForever"}',
            '{"Destination":"https://[::1]/e","VerifyCertificate":false,"RegistryPrefixes":'
            '["ResourceEvent"],"ResourceTypes":["ComputerSystem"],"OriginResources":'
            '[{"@odata.id":"/redfish/v1/Systems/0"}],"SubordinateResources":true}',
            '{"Destination":"http://example.com/","Protocol":"SNMPv2c","Id":"1","Bogus":1,'
            '"HttpHeaders":[{"Host":"x"}]}'],
        "/redfish/v1/EventService/Actions/EventService.SubmitTestEvent": [
            '{"MessageId":"ResourceEvent.1.4.ResourceChanged","OriginOfCondition":'
            '"/redfish/v1/Systems/0","EventType":"Alert","Severity":"OK","MessageArgs":["a"]}',
            '{"Message":"no id","X":1}'],
    }
    for uri in routes:
        for method in ("GET", "HEAD"):
            r = "%s %s HTTP/1.1\r\nHost: bmc\r\n\r\n" % (method, uri)
            corpus.add("fuzz_redfish", b"\x08" + r.encode(), "route")
        corpus.add("fuzz_redfish", b"\x0b" + ("GET %s HTTP/1.1\r\nHost: bmc\r\n\r\n" % uri)
                   .encode(), "route-anon")
        corpus.add("fuzz_redfish", b"\x09" + ("GET %s/ HTTP/1.1\r\nHost: bmc\r\n\r\n" % uri)
                   .encode(), "route-token")
    for uri, bl in bodies.items():
        for b in bl:
            method = "PATCH" if uri.endswith("Systems/0") else "POST"
            r = ("%s %s HTTP/1.1\r\nHost: bmc\r\nContent-Type: application/json\r\n"
                 "Content-Length: %d\r\n\r\n%s" % (method, uri, len(b), b))
            corpus.add("fuzz_redfish", b"\x08" + r.encode(), "write")
            corpus.add("fuzz_redfish", b"\x4a" + r.encode(), "write-user")
            corpus.add("fuzz_json", b, "built")
    more = [
        b"\x0bGET /redfish/v1/Systems/0 HTTP/1.1\r\nHost: bmc\r\nX-Auth-Token: %s\r\n\r\n"
        % RF_TOKEN.encode(),
        b"\x0bDELETE /redfish/v1/SessionService/Sessions/2 HTTP/1.1\r\nHost: bmc\r\n"
        b"X-Auth-Token: %s\r\n\r\n" % RF_TOKEN.encode(),
        b"\x08GET /redfish/v1/Systems/0/LogServices/EventLog/Entries?$top=1&$skip=1 "
        b"HTTP/1.1\r\nHost: bmc\r\n\r\n",
        b"\x08GET /redfish/v1/Systems?$filter=x HTTP/1.1\r\nHost: bmc\r\n\r\n",
        b"\x08GET /redfish/v1/Systems/0 HTTP/1.1\r\nHost: bmc\r\nOData-Version: 4.1\r\n\r\n",
        b"\x08GET /redfish/v1/Systems/0 HTTP/1.1\r\nHost: bmc\r\nIf-None-Match: W/\"abc\"\r\n\r\n",
        b"\x08PATCH /redfish/v1/Systems/0 HTTP/1.1\r\nHost: bmc\r\nIf-Match: \"0\"\r\n"
        b"Content-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}",
        b"\x08GET /redfish/v1/EventService/SSE HTTP/1.1\r\nHost: bmc\r\n\r\n",
        b"\x08GET /redfish/v1/Systems/1 HTTP/1.1\r\nHost: bmc\r\n\r\n",
        b"\x08GET /redfish/v1/Systems/0%2f HTTP/1.1\r\nHost: bmc\r\n\r\n",
        b"\x00GET /redfish/v1/ HTTP/1.1\r\nHost: bmc\r\n\r\n",  # remote plain HTTP
        b"\x08POST /redfish/v1/SessionService/Sessions HTTP/1.1\r\nHost: bmc\r\n"
        b"Content-Length: 39\r\n\r\n{\"UserName\":\"admin\",\"Password\":\"admin\"}"
        b"POST /redfish/v1/SessionService/Sessions HTTP/1.1\r\nHost: bmc\r\n"
        b"Content-Length: 39\r\n\r\n{\"UserName\":\"admin\",\"Password\":\"admin\"}",
        b"\x0b" + b"".join(b"GET /redfish/v1/ HTTP/1.1\r\nHost: b\r\nAuthorization: Basic "
                           b"YWRtaW46eA==\r\n\r\n" for _ in range(7)),  # throttling
        b"\x0bGET / HTTP/1.1\r\nHost: bmc\r\nTransfer-Encoding: chunked\r\n\r\n",
    ]
    for m in more:
        corpus.add("fuzz_redfish", m, "built")


JSON_SEEDS = [
    b'{"a":[1,-0,2.5e3,"x\\u00e9\\ud83d\\ude00",true,null,{}],"b":{"c":"d"}}',
    b'[]', b'{}', b'"\\"\\\\\\/\\b\\f\\n\\r\\t"', b'-1.5E-7', b'9223372036854775807',
    b'-9223372036854775808', b'9223372036854775808', b'[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]',
    b'{"k":1,"k":2}', b'{"\\u006b":1,"k":2}', b'"\\ud800"',
    b'"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"', b'01', b'1.', b'.5', b'[1,]',
    b'{"a" 1}', b'\xef\xbb\xbf{}', b'"\x01"', b' \t\r\n[ 1 , 2 ] ', b'"\xff\xfe"',
]


def record_kvmd(corpus):
    """Answers of the project's fake kvmd (tests/integration/fake_kvmd.py) on a private
    unix socket, to the two requests hal/atx_kvmd.c sends."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
    sys.dont_write_bytecode = True  # no __pycache__ left in tests/integration
    try:
        from fake_kvmd import FakeKvmd
    except Exception as e:  # noqa: BLE001 -- a missing helper only means fewer seeds
        log("no fake kvmd (%s): kvmd seeds are constructed only" % e)
        return
    d = tempfile.mkdtemp(prefix="bmcd-corpus-kvmd-")
    path = os.path.join(d, "kvmd.sock")
    get = b"GET /atx HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"

    def click(b):
        return (b"POST /atx/click?button=%s HTTP/1.1\r\nHost: localhost\r\nConnection: "
                b"close\r\nContent-Length: 0\r\n\r\n" % b)

    def ask(req):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.settimeout(3)
        try:
            c.connect(path)
            c.sendall(req)
            out = b""
            while True:
                chunk = c.recv(65536)
                if not chunk:
                    return out
                out += chunk
        except OSError:
            return b""
        finally:
            c.close()

    # the Switch (fuzz_kvmd's "SW" inputs: port byte 2), answers to GET /switch and a click
    k = FakeKvmd(path, long_s=0.3, short_s=0.2, switch=1)
    try:
        sw_get = b"GET /switch HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        sw_click = (b"POST /switch/atx/click?port=2&button=power HTTP/1.1\r\nHost: localhost\r\n"
                    b"Connection: close\r\nContent-Length: 0\r\n\r\n")
        sw = [ask(sw_get), ask(sw_get), ask(sw_click), ask(sw_get)]
        with k.lock:
            k.sw_busy_until[2] = time.monotonic() + 60
        sw.append(ask(sw_get))
        k.set_switch(0)
        sw.append(ask(sw_get))
    finally:
        k.close()
    sw = [a for a in sw if a]
    for a in sw:
        corpus.add("fuzz_kvmd", b"SW\x02" + a, "rec")
    if len(sw) == 6:  # a poll, a press: a fresh look, the click, a poll; busy; unplugged
        corpus.add("fuzz_kvmd", b"SW\x02" + sw[0] + MARK + b"\x01" + sw[1] + MARK + b"\x40" +
                   sw[2] + MARK + b"\x40" + sw[3] + MARK + b"\x01" + sw[4] + MARK + b"\x40" + sw[5],
                   "rec-exchange")
    k = FakeKvmd(path, long_s=0.3, short_s=0.2)
    try:
        answers = [ask(get), ask(click(b"power")), ask(click(b"power")), ask(get),
                   ask(click(b"power_long")), ask(click(b"reset")), ask(b"GET /nope HTTP/1.1"
                                                                        b"\r\n\r\n")]
        k.enabled = False
        answers += [ask(get), ask(click(b"reset"))]
    finally:
        k.close()
        shutil.rmtree(d, ignore_errors=True)
    answers = [a for a in answers if a]
    for a in answers:
        corpus.add("fuzz_kvmd", a, "rec")
    # an exchange sequence: poll, press (control byte bit 0) answered 200, then busy 409
    if len(answers) >= 4:
        corpus.add("fuzz_kvmd", answers[0] + MARK + b"\x01" + answers[1] + MARK + b"\x01" +
                   answers[2] + MARK + b"\x00" + answers[3], "rec-exchange")
    log("recorded %d fake kvmd answers" % len(answers))


def constructed_kvmd_yaml(corpus):
    ok = (b'{"ok":true,"result":{"enabled":true,"busy":false,'
          b'"leds":{"power":true,"hdd":false}}}')
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"
    seeds = [head + ok, b"HTTP/1.0 200 OK\r\n\r\n" + ok.replace(b"true", b"false"),
             head + b'{"ok":true,"result":{"enabled":true,"leds":{"power":1}}}',
             head + b'{"ok":true,"result":[]}', head + b"not json",
             b"HTTP/1.1 409 Conflict\r\n\r\n", b"HTTP/1.1 500 X\r\n\r\n", b"HTTP/1.1 20",
             b"HTTP/1.1 200 OK\r\n" + b"X: " + b"y" * 4100 + b"\r\n\r\n",
             head + ok + MARK + b"\x08" + head + ok,           # a hang, then an answer
             head + ok + MARK + b"\x05" + b"HTTP/1.1 200 OK\r\n\r\n{}" + MARK + b"\x30" +
             head + ok]
    for x in seeds:
        corpus.add("fuzz_kvmd", x, "built")
    yamls = [
        b"kvmd:\n    server:\n        unix: /run/kvmd/kvmd.sock\n        unix_rm: true\n"
        b"ipmi:\n    server:\n        host: \"::\"\n        port: 623\n    auth:\n"
        b"        file: '/etc/kvmd/ipmipasswd'\n    sol:\n        device: \"\"\n"
        b"        speed: 115200\n",
        b"override: !include [override.d, override.yaml]\nlogging: !include logging.yaml\n",
        b"ipmi: {server: {host: 0.0.0.0, port: 6230}, kvmd: {unix: /tmp/k.sock}}\n",
        b"kvmd:\n  gpio:\n    scheme:\n      - a\n      - b: c\n    view:\n"
        b"      table: [[\"#x\"], []]\n  motd: |\n    line one: colon\n    two\n",
        b"# comment\n\n'quoted key': \"a \\\"b\\\" \\u00e9\"\nplain: it's # not a comment\n"
        b"a:\n\tb: tab\n  c: &anchor x\n  d: *anchor\n",
        b"a:\r\n  b:\r\n    c:\r\n      d:\r\n        e:\r\n          f: deep\r\n",
        b"".join(b"  " * i + b"k%d:\n" % i for i in range(20)) + b"  " * 20 + b"v: x\n",
        b"x: {a: {b: {c: {d: 1}}}, e: [1, 2], f: 'g'}\n" + b"y: " + b"z" * 600 + b"\n",
    ]
    for y in yamls:
        corpus.add("fuzz_yaml", y, "built")


def constructed_ndjson(corpus):
    """kvmd's /msd/write_remote stream and GET /msd answers (control byte, then the body)."""
    def line(obj):
        return json.dumps(obj).encode() + b"\r\n"
    prog = b"".join(line({"ok": True, "result": {"image": {"name": "bmcd/x.iso", "size": 1048576,
                                                            "written": w}}})
                    for w in (0, 65536, 1048576))
    err = line({"ok": False, "result": {"error": "ClientPayloadError",
                                        "error_msg": "url='http://joe:pw@h/x.iso'"}})
    state = json.dumps({"ok": True, "result": {
        "busy": False, "enabled": True, "online": True,
        "drive": {"cdrom": True, "connected": True, "rw": False,
                  "image": {"name": "bmcd/x.iso", "size": 1048576, "complete": True}},
        "storage": {"downloading": None, "uploading": None,
                    "images": {"bmcd/x.iso": {"size": 1048576, "complete": True},
                               "isos/u.iso": {"size": 7, "complete": False}},
                    "parts": {"": {"free": 100, "size": 200, "writable": True}}}}},
        indent=4, sort_keys=True).encode()

    def chunk(b, size=17):
        return b"".join(b"%x\r\n%s\r\n" % (len(b[i:i + size]), b[i:i + size])
                        for i in range(0, len(b), size)) + b"0\r\n\r\n"
    for ctl in (0x00, 0x0a, 0xfe):
        corpus.add("fuzz_ndjson", bytes([ctl]) + prog + err, "built")
        corpus.add("fuzz_ndjson", bytes([ctl | 1]) + chunk(prog + err), "built")
    corpus.add("fuzz_ndjson", b"\x00" + state, "built")
    corpus.add("fuzz_ndjson", b"\x00" + b"x" * 2100 + b"\r\n" + err, "built")
    corpus.add("fuzz_ndjson", b"\x01" + chunk(prog) + b"HTTP/1.1 500 Internal Server Error\r\n", "built")
    corpus.add("fuzz_ndjson", b"\x00https://u:p@h:8080/a/b%20c.iso?x=1#f", "built")

    # fuzz_msd_kvmd: whole conversations (answers separated by FA DE D5 + control byte)
    mark = b"\xfa\xde\xd5"

    def resp(code, body, ndjson=False):
        if ndjson:
            return (b"HTTP/1.1 %d OK\r\nContent-Type: application/x-ndjson\r\n"
                    b"Transfer-Encoding: chunked\r\n\r\n" % code +
                    b"".join(b"%x\r\n%s\r\n" % (len(x), x) for x in body) + b"0\r\n\r\n")
        b = json.dumps(body, indent=4, sort_keys=True).encode()
        return (b"HTTP/1.1 %d OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                % (code, len(b)) + b)

    def st(connected=False, images=None, image=None, busy=False):
        return {"ok": True, "result": {
            "enabled": True, "online": True, "busy": busy,
            "drive": {"image": {"name": image} if image else None, "connected": connected,
                      "cdrom": True, "rw": False},
            "storage": {"images": images or {}, "parts": {"": {"free": 10 ** 9, "size": 10 ** 9}},
                        "downloading": None, "uploading": None}}}
    ok = {"ok": True, "result": {}}
    name = "bmcd/debian_12.iso"
    mine = {name: {"size": 1000, "complete": True}}

    def pl(w):
        return line({"ok": True, "result": {"image": {"name": name, "size": 1000, "written": w}}})
    full = [resp(200, st(True, {"bmcd/old.iso": {"size": 5, "complete": True}}, "isos/a.iso")),
            resp(200, ok), resp(200, st(False, {"bmcd/old.iso": {"size": 5, "complete": True}})),
            resp(200, ok), resp(200, st()), resp(200, [pl(0), pl(500), pl(1000)], True),
            resp(200, st(False, mine)), resp(200, ok), resp(200, st(False, mine, name)),
            resp(200, ok), resp(200, st(True, mine, name))]
    corpus.add("fuzz_msd_kvmd", (mark + b"\x00").join(full), "built")
    nospace = line({"ok": False, "result": {"error": "OSError",
                                            "error_msg": "[Errno 28] No space left on device"}})
    corpus.add("fuzz_msd_kvmd", resp(200, st()) + mark + b"\x00" +
               resp(200, [pl(0), pl(10), nospace], True)[:-5], "built")
    busy = {"ok": False, "result": {"error": "MsdIsBusyError", "error_msg": "busy"}}
    corpus.add("fuzz_msd_kvmd", resp(200, st(busy=True)) + mark + b"\x20" + resp(409, busy), "built")
    corpus.add("fuzz_msd_kvmd", resp(200, st(True, mine, name)) + mark + b"\x01" + resp(200, ok) +
               mark + b"\x05", "built")
    # a PiKVM Switch port ("SW", port 2, first control byte; 0x08: no insert or eject): a GET
    # /switch after each GET /msd, set_active before the drive is connected
    def sw(active, ports=4):
        return resp(200, {"ok": True, "result": {
            "model": {"ports": [{"id": str(i + 1)} for i in range(ports)]},
            "summary": {"active_port": active, "active_id": "", "synced": True}}})
    name2 = "bmcd-port2/debian_12.iso"
    mine2 = {name2: {"size": 1000, "complete": True}}

    def pl2(w):
        return line({"ok": True, "result": {"image": {"name": name2, "size": 1000, "written": w}}})
    ins = [resp(200, st()), sw(0), resp(200, [pl2(0), pl2(1000)], True), resp(200, st(False, mine2)),
           sw(0), resp(200, ok), resp(200, st(False, mine2)), sw(0), resp(200, ok),
           resp(200, st(False, mine2)), sw(2), resp(200, ok), resp(200, st(True, mine2, name2)), sw(2)]
    corpus.add("fuzz_msd_kvmd", b"SW\x02\x00" + (mark + b"\x08").join(ins), "built")
    theirs = resp(200, st(True, {"isos/t.iso": {"size": 5, "complete": True}}, "isos/t.iso"))
    corpus.add("fuzz_msd_kvmd", b"SW\x02\x00" + theirs + mark + b"\x08" + sw(1) + mark + b"\x40" +
               theirs + mark + b"\x08" + sw(1), "built")
    ours = resp(200, st(True, mine2, name2))
    corpus.add("fuzz_msd_kvmd", b"SW\x02\x08" + (mark + b"\x08").join(
        [ours, sw(2), ours, sw(1), ours, sw(2), ours, sw(-1, 0)]) + mark + b"\x01" + resp(200, ok),
        "built")


def constructed_misc(corpus):
    for s in JSON_SEEDS:
        corpus.add("fuzz_json", s, "built")
    # config files: the examples plus variants
    confs = []
    for name in sorted(os.listdir(os.path.join(ROOT, "configs"))):
        if name.endswith(".conf"):
            confs.append(read(os.path.join("configs", name)))
    confs.append(CONF.format(ipmi=623, http=80, https=443))
    for c in list(confs):
        corpus.add("fuzz_config", c, "configs")
        corpus.add("fuzz_config", c.replace("\n", "\r\n"), "crlf")
    keys = config_keys()
    sections = sorted({s for s, _ in keys})
    for sec in sections:
        body = "[%s]\n" % sec + "".join("%s = %s\n" % (k, "1") for s, k in keys if s == sec)
        corpus.add("fuzz_config", body, "section-" + sec)
    odd = ["[ipmi]\nport = 70000\ncipher_suites = 0\nbogus = 1\n[nosuch]\nx = 1\n",
           "port = 1\n", "[ipmi]\ncipher_suites = 3, 17 ,1,2,15,16\n",
           "[ipmi]\ncipher_suites = 3,3\n", "[bmc]\nname = \"quoted value\"  # comment\n",
           "[ipmi\nlisten=\n", "[users]\nfile = ../../" + "a/" * 140 + "\n",
           "[host]\nshort_press_ms = 500\nlong_press_ms = 400\n",
           "[sol]\nspeed = 12345\nreplay_on_activate = 99999999\nhistory = 1024\n",
           "[redfish]\nkey = k.pem\nsystem_id = bad id!\n", "[ipmi]\nport = 0x10\n",
           "[bmc]\nname = " + "n" * 1030 + "\n", "[log]\nlevel = DEBUG\n[sim]\npower_on = yes\n"]
    for c in odd:
        corpus.add("fuzz_config", c, "odd")
    # users files
    for name in sorted(os.listdir(os.path.join(ROOT, "configs"))):
        if "users" in name:
            corpus.add("fuzz_users", read(os.path.join("configs", name)), "configs")
    users = [USERS, "admin:pass:admin\nop:pass:Operator\nro:pass:readonly\n",
             "# comment\n\n  admin : pw with spaces \n",
             "ipmi:ipmipass -> kvm:kvmpass\nadmin:admin -> admin:admin\n",
             "a:b:c:d\nx::user\n:nopass\nsixteen-byte-usr:twenty-byte-password\n"
             "seventeen-byte-us:p\nu:twenty-one-byte-passwd\n",
             "dup:1\ndup:2\n", "tab\tname:pw\n", "admin:admin\r\nuser:user:user\r\n",
             "".join("u%d:p%d\n" % (i, i) for i in range(12)), "nul\x00:pw\n"]
    for u in users:
        corpus.add("fuzz_users", u, "built")


def config_keys():
    src = read("firmware/config.c")
    keys = [(m.group(2), m.group(3)) for m in re.finditer(
        r"\b(U32|BOOL|STR|PATH|ENUM)\(\"(\w+)\", \"(\w+)\"", src)]
    keys += [(m.group(1), m.group(2)) for m in re.finditer(
        r"\{ \"(\w+)\", \"(\w+)\", K_\w+", src)]
    return keys


def dictionaries(corpus):
    src = read("firmware/config.c")
    keys = config_keys()
    words = ["[%s]" % s for s, _ in keys] + ["%s = " % k for _, k in keys]
    words += re.findall(r'"([a-z-]+)"', " ".join(re.findall(r"names\[\] = \{([^}]*)\}", src)))
    # further hosts: [host.NAME] sections and their own keys (H* entries of host_keys)
    words += ["[hosts]", "[host.b]", "[host.c]"] + ["%s = " % k for k in re.findall(
        r"\bH(?:U32|BOOL|STR|PATH|ENUM)\(\"(\w+)\"", src)]
    words += ["true", "false", "yes", "no", " # ", "\"", "=", ",", "0x", "\r\n"]
    corpus.dict("fuzz_config", words)
    corpus.dict("fuzz_users", [":", ":admin", ":operator", ":user", ":administrator",
                               ":readonly", " -> ", "#", "\r\n"])
    rf = "".join(read(os.path.join("proto/redfish", n))
                 for n in sorted(os.listdir(os.path.join(ROOT, "proto/redfish"))))
    lits = set(re.findall(r'"([A-Za-z@$#][A-Za-z0-9@$#._/-]{2,40})"', rf))
    http = ["GET ", "HEAD ", "POST ", "PATCH ", "PUT ", "DELETE ", "OPTIONS ", " HTTP/1.1\r\n",
            " HTTP/1.0\r\n", "Host: ", "Content-Length: ", "Content-Type: application/json",
            "Connection: close", "Connection: keep-alive", "Expect: 100-continue",
            "Transfer-Encoding: ", "Authorization: Basic ", "X-Auth-Token: " + RF_TOKEN,
            "If-Match: ", "If-None-Match: ", "OData-Version: 4.0", "\r\n", "%2F", "%00", "?$top=",
            "&$skip=", "http://", "https://"]
    corpus.dict("fuzz_http", http)
    corpus.dict("fuzz_redfish", http + sorted(lits) + redfish_routes())
    corpus.dict("fuzz_yaml", [": ", ":\n", "    ", "  ", "- ", "# ", "!include ", "{", "}", "[",
                              "]", ", ", "'", "\"", "\\\"", "|\n", ">\n", "&a ", "*a",
                              "ipmi", "kvmd", "server", "unix", "sol", "device", "auth",
                              "\r\n", "\t"])
    corpus.dict("fuzz_kvmd", ["HTTP/1.1 200 OK\r\n", "HTTP/1.1 409 Conflict\r\n", "\r\n\r\n",
                              '"ok"', '"result"', '"enabled"', '"busy"', '"leds"', '"power"',
                              '"hdd"', "true", "false", "{", "}", ":", ",",
                              "Content-Length: "])
    corpus.dict("fuzz_json", ["{", "}", "[", "]", ":", ",", "\"", "true", "false", "null",
                              "\\u", "\\ud83d\\ude00", "\\\"", "e+", "E-", "-0", ".5",
                              b"\xc3\xa9", b"\xed\xa0\x80"])


def tls_from_harness(corpus, fuzz_bin):
    exe = os.path.join(fuzz_bin, "fuzz_tls") if fuzz_bin else None
    if not exe or not os.access(exe, os.X_OK):
        log("no fuzz_tls binary: no replayable handshake seeds")
        return
    d = tempfile.mkdtemp(prefix="bmcd-tls-seeds-")
    try:
        env = dict(os.environ, FUZZ_TLS_SEEDS=d)
        r = subprocess.run([exe, "-runs=0"], capture_output=True, timeout=60, env=env)
        if r.returncode != 0:
            log("fuzz_tls could not record handshakes:\n" + r.stderr.decode()[-800:])
        for name in sorted(os.listdir(d)):
            with open(os.path.join(d, name), "rb") as f:
                corpus.add("fuzz_tls", f.read(), name)
    except (OSError, subprocess.TimeoutExpired) as e:
        log("fuzz_tls seed recording failed: %s" % e)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    # a few hand-made records: alerts, a bare ChangeCipherSpec, SSLv2-style bytes, garbage
    corpus.add("fuzz_tls", b"\x15\x03\x03\x00\x02\x02\x28", "alert")
    corpus.add("fuzz_tls", b"\x14\x03\x03\x00\x01\x01", "ccs")
    corpus.add("fuzz_tls", b"\x80\x2e\x01\x03\x01", "sslv2")
    corpus.add("fuzz_tls", b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "plaintext")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "fuzz", "corpus"))
    ap.add_argument("--bmcd", default=os.path.join(ROOT, "build", "bmcd"))
    ap.add_argument("--fuzz-bin", default=os.path.join(ROOT, "build", "fuzz"))
    ap.add_argument("--no-record", action="store_true", help="constructed seeds only")
    a = ap.parse_args()
    random.seed()
    os.environ.pop("http_proxy", None)
    os.environ.pop("https_proxy", None)
    os.environ.pop("HTTP_PROXY", None)
    os.environ.pop("HTTPS_PROXY", None)
    if os.path.isdir(a.out):
        shutil.rmtree(a.out)
    corpus = Corpus(a.out)
    if not a.no_record:
        try:
            record_all(corpus, a.bmcd)
        except Exception as e:  # recording is a bonus: never fail the corpus for it
            log("recording stopped: %r" % e)
    constructed_ipmi(corpus)
    rakp_seeds(corpus)
    constructed_sol(corpus)
    constructed_http(corpus)
    constructed_misc(corpus)
    constructed_kvmd_yaml(corpus)
    constructed_ndjson(corpus)
    if not a.no_record:
        try:
            record_kvmd(corpus)
        except Exception as e:  # noqa: BLE001
            log("fake kvmd recording stopped: %r" % e)
    tls_from_harness(corpus, a.fuzz_bin)
    dictionaries(corpus)
    for h in HARNESSES:
        log("%-18s %4d seeds" % (h, corpus.count[h]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
