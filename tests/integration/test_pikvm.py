"""Issue 6: bmcd as PiKVM's kvmd-ipmi -- kvmd's YAML files, /etc/kvmd/ipmipasswd, power
through (a fake) kvmd's API socket, SoL from override.yaml, Redfish through the nginx snippet,
a read-only root, and the privilege drop."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import BMCD, Bmcd, ROOT, free_tcp_port, free_udp_port
from fake_kvmd import FakeKvmd
from test_sol import Console, HostPty, ipmitool_sol

MAIN_YAML = """\
# a trimmed /usr/lib/kvmd/main.yaml
override: !include [override.d, override.yaml]
logging: !include logging.yaml

kvmd:
    server:
        unix: {kvmd_sock}
        unix_rm: true
        unix_mode: 0o660
    atx:
        type: gpio
        power_led_pin: 24
    gpio:
        scheme:
            - a
            - b
    motd: |
        Welcome: to PiKVM
ipmi:
    server:
        host: "::"
        port: 623
    kvmd:
        unix: {kvmd_sock}
        timeout: 5.0
    auth:
        file: /etc/kvmd/ipmipasswd
    sol:
        device: ""
        speed: 115200
        proxy_port: 40001
"""

OVERRIDE_D = """\
ipmi:
    server: !include server.yaml
"""

SERVER_YAML = """\
host: 127.0.0.1
port: {port}
"""

OVERRIDE_YAML = """\
# PiKVM documentation, IPMI SoL: add this and restart kvmd-ipmi
ipmi:
    auth:
        file: {passwd}
    sol:
        device: {tty}
        speed: 115200
"""

IPMIPASSWD = """\
# This file contains IPMI credentials: ipmiuser:ipmipass -> kvmduser:kvmdpass
admin:admin -> admin:admin
"""


class Pikvm:
    def __init__(self, tmp, tty, extra=""):
        self.tmp = tmp
        self.kvmd_sock = os.path.join(tmp, "kvmd.sock")
        self.kvmd = FakeKvmd(self.kvmd_sock)
        self.port = free_udp_port()
        self.http = free_tcp_port()
        lib = os.path.join(tmp, "usr/lib/kvmd")
        etc = os.path.join(tmp, "etc/kvmd")
        os.makedirs(lib)
        os.makedirs(os.path.join(etc, "override.d"))
        self.passwd = os.path.join(etc, "ipmipasswd")
        files = {
            os.path.join(lib, "main.yaml"): MAIN_YAML.format(kvmd_sock=self.kvmd_sock),
            os.path.join(etc, "override.d/10-ipmi.yaml"): OVERRIDE_D,
            os.path.join(etc, "override.d/server.yaml"): SERVER_YAML.format(port=self.port),
            os.path.join(etc, "override.yaml"): OVERRIDE_YAML.format(passwd=self.passwd, tty=tty),
            self.passwd: IPMIPASSWD,
        }
        for p, t in files.items():
            with open(p, "w") as f:
                f.write(t)
        conf = ("[pikvm]\nenabled = true\nmain_yaml = %s\noverride_dir = %s\noverride_yaml = %s\n"
                "[kvmd]\npoll_ms = 100\ntimeout_ms = 1000\n"
                "[host]\nshort_press_ms = 50\nlong_press_ms = 300\nbusy_ms = 100\n"
                "[users]\nwatch_ms = 200\n"
                "[redfish]\nlisten = 127.0.0.1\nhttps_port = 0\nhttp_port = %d\n%s" %
                (os.path.join(lib, "main.yaml"), os.path.join(etc, "override.d"),
                 os.path.join(etc, "override.yaml"), self.http, extra))
        self.b = Bmcd(tmp, self.port, conf)
        os.unlink(self.b.users)  # the users come from ipmipasswd, not bmcd's file

    def stop(self):
        self.b.stop()
        self.kvmd.close()


@pytest.fixture
def pikvm():
    made = []
    tmp = tempfile.mkdtemp(prefix="bmcd-pikvm-")
    host = HostPty(tmp)

    def make(extra=""):
        p = Pikvm(tmp, host.link, extra)
        made.append(p)
        return p

    yield make, host
    for p in made:
        p.stop()
    host.close()
    shutil.rmtree(tmp, ignore_errors=True)


def start_nginx(tmp, upstream_port):
    """kvmd's nginx, reduced to a server block that includes our snippet."""
    port = free_tcp_port()
    snippet = open(os.path.join(ROOT, "configs/pikvm/redfish.nginx.conf")).read()
    snippet = snippet.replace("127.0.0.1:8623", "127.0.0.1:%d" % upstream_port)
    with open(os.path.join(tmp, "redfish.conf"), "w") as f:
        f.write(snippet)
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        os.makedirs(os.path.join(tmp, "ng", d), exist_ok=True)
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as f:
        f.write("daemon off; worker_processes 1; pid %(t)s/ng/nginx.pid; error_log %(t)s/ng/error.log;\n"
                "events {}\nhttp { access_log off; client_body_temp_path %(t)s/ng/body;\n"
                "proxy_temp_path %(t)s/ng/proxy; fastcgi_temp_path %(t)s/ng/fastcgi;\n"
                "uwsgi_temp_path %(t)s/ng/uwsgi; scgi_temp_path %(t)s/ng/scgi;\n"
                "server { listen 127.0.0.1:%(p)d; include %(t)s/redfish.conf; } }\n"
                % {"t": tmp, "p": port})
    proc = subprocess.Popen(["nginx", "-c", conf, "-p", tmp], stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            import socket
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("nginx did not start: %s" % proc.stderr.read())


def test_pikvm_documented_steps(pikvm):
    make, host = pikvm
    p = make()
    b = p.b.start()
    log = b.log()
    assert "host backend kvmd" in log and "SoL %s" % host.link in log, log
    # ipmitool -I lanplus -U admin -P admin -H pikvm power status / on
    assert "is off" in b.ipmitool("power", "status").stdout
    b.ipmitool("power", "on")
    assert b.wait_power(True)
    assert p.kvmd.clicks == ["power"]
    # sol activate through the device from override.yaml
    c = ipmitool_sol(b)
    try:
        assert c.wait_for(b"SOL Session operational")
        host.write(b"pikvm host console\r\n")
        assert c.wait_for(b"pikvm host console")
        # the operator edits /etc/kvmd/ipmipasswd: picked up without dropping the console
        with open(p.passwd, "a") as f:
            f.write("ops:secret -> admin:admin\n")
        for _ in range(50):
            if "reload: 2 user(s)" in b.log():
                break
            time.sleep(0.1)
        assert "reload: 2 user(s)" in b.log()
        assert "is on" in b.ipmitool("power", "status", user="ops", password="secret").stdout
        host.write(b"still here\r\n")
        assert c.wait_for(b"still here")
    finally:
        c.kill()
    # the three redfishtool commands, through kvmd's nginx with our snippet
    ng, port = start_nginx(p.tmp, p.http)
    try:
        r = subprocess.run(["redfishtool", "-S", "Never", "-r", "127.0.0.1:%d" % port, "root"],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0 and '"RedfishVersion"' in r.stdout, r.stderr
        r = subprocess.run(["redfishtool", "-S", "Never", "-u", "admin", "-p", "admin", "-r",
                            "127.0.0.1:%d" % port, "Systems"], capture_output=True, text=True,
                           timeout=30)
        assert r.returncode == 0 and '/redfish/v1/Systems/0' in r.stdout, r.stdout + r.stderr
        r = subprocess.run(["redfishtool", "-S", "Never", "-u", "admin", "-p", "admin", "-r",
                            "127.0.0.1:%d" % port, "Systems", "reset", "ForceOff"],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stdout + r.stderr
        assert b.wait_power(False)
        assert "power_long" in p.kvmd.clicks
    finally:
        ng.kill()
        ng.wait()


STOCK_MAIN_YAML = """\
# PiKVM's stock /usr/lib/kvmd/main.yaml has no ipmi: section: kvmd-ipmi's defaults apply
override: !include [override.d, override.yaml]
kvmd:
    server:
        unix: /run/kvmd/kvmd.sock
"""


def test_bare_kvmd_mode_defaults(tmp_path):
    """`bmcd --kvmd` as kvmd-ipmi.service runs it: no bmcd.conf, kvmd's default paths
    (/usr/lib/kvmd/main.yaml, /etc/kvmd/ipmipasswd, /run/kvmd/kvmd.sock) and Redfish on
    127.0.0.1:8623 for the nginx snippet. The static binary runs in a chroot that holds
    exactly those files."""
    from conftest import BMCD_WRAP, SANITIZED, VALGRIND
    if os.getuid() != 0 or BMCD_WRAP or SANITIZED or VALGRIND:
        pytest.skip("needs root and the static release binary (it runs in a chroot)")
    root = str(tmp_path / "root")
    for d in ("usr/lib/kvmd", "etc/kvmd/override.d", "run/kvmd"):
        os.makedirs(os.path.join(root, d))
    port = free_udp_port()
    files = {
        "usr/lib/kvmd/main.yaml": STOCK_MAIN_YAML,
        "etc/kvmd/override.yaml": "ipmi:\n    server:\n        host: 127.0.0.1\n"
                                  "        port: %d\n" % port,
        "etc/kvmd/ipmipasswd": IPMIPASSWD,
    }
    for rel, text in files.items():
        with open(os.path.join(root, rel), "w") as f:
            f.write(text)
    shutil.copy(BMCD, os.path.join(root, "bmcd"))
    kvmd = FakeKvmd(os.path.join(root, "run/kvmd/kvmd.sock"))
    log = open(str(tmp_path / "log"), "w+")
    proc = subprocess.Popen(["chroot", root, "/bmcd", "--kvmd"], stdout=log, stderr=log)
    ipmi = ["ipmitool", "-I", "lanplus", "-H", "127.0.0.1", "-p", str(port), "-U", "admin",
            "-P", "admin", "-R", "1", "-N", "1"]
    try:
        out = ""
        for _ in range(50):
            r = subprocess.run(ipmi + ["power", "status"], capture_output=True, text=True,
                               timeout=20)
            out = r.stdout
            if "is off" in out or proc.poll() is not None:
                break
            time.sleep(0.1)
        log.seek(0)
        assert "is off" in out, log.read()
        subprocess.run(ipmi + ["power", "on"], check=True, capture_output=True, timeout=20)
        for _ in range(50):
            if kvmd.clicks:
                break
            time.sleep(0.1)
        assert kvmd.clicks == ["power"]
        r = subprocess.run(["curl", "-s", "-u", "admin:admin",
                            "http://127.0.0.1:8623/redfish/v1/Systems/0"],
                           capture_output=True, text=True, timeout=20)
        assert json.loads(r.stdout)["@odata.id"] == "/redfish/v1/Systems/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        kvmd.close()
        log.close()


def test_kvmd_busy_down_hang_and_back(pikvm):
    make, host = pikvm
    p = make()
    b = p.b.start()
    b.ipmitool("power", "on")
    assert b.wait_power(True)
    # busy: a click answered 409 stays queued and is retried
    with p.kvmd.lock:
        p.kvmd.busy_until = time.monotonic() + 1.5
    b.ipmitool("power", "reset")
    time.sleep(0.5)
    assert p.kvmd.clicks == ["power"]
    time.sleep(1.5)
    assert p.kvmd.clicks == ["power", "reset"]
    # kvmd down: status is "busy", actions "unspecified error", Redfish 503
    p.kvmd.set_mode("down")
    time.sleep(1.5)
    r = b.ipmitool("power", "status", check=False)
    assert r.returncode != 0 and "Node busy" in r.stderr, r.stderr
    r = b.ipmitool("power", "off", check=False)
    assert r.returncode != 0
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-u", "admin:admin",
                        "-H", "Content-Type: application/json", "-d", '{"ResetType": "ForceOff"}',
                        "http://127.0.0.1:%d/redfish/v1/Systems/0/Actions/ComputerSystem.Reset"
                        % p.http], capture_output=True, text=True, timeout=30)
    assert r.stdout == "503", r.stdout
    assert "power control unavailable" in b.log()
    # back: recovers by itself
    p.kvmd.set_mode("up")
    for _ in range(60):
        if b.ipmitool("power", "status", check=False).returncode == 0:
            break
        time.sleep(0.2)
    assert "is on" in b.ipmitool("power", "status").stdout
    # hung: accepts and never answers -> requests time out, bmcd keeps serving
    p.kvmd.set_mode("hang")
    time.sleep(2.5)
    r = b.ipmitool("power", "status", check=False)
    assert r.returncode != 0
    assert "no answer in time" in b.log()
    b.ipmitool("mc", "info")  # the daemon itself is fine
    p.kvmd.set_mode("up")
    for _ in range(60):
        if b.ipmitool("power", "status", check=False).returncode == 0:
            break
        time.sleep(0.2)
    assert "is on" in b.ipmitool("power", "status").stdout


def test_yaml_errors_are_reported_with_file_and_line(pikvm):
    make, host = pikvm
    p = make()
    over = os.path.join(p.tmp, "etc/kvmd/override.yaml")
    with open(over, "w") as f:
        f.write("kvmd:\n    garbage: [unclosed\nipmi:\n    server:\n        port: lots\n")
    r = subprocess.run([BMCD, "-c", p.b.conf, "--check-config"], capture_output=True, text=True)
    assert r.returncode == 1
    assert "override.yaml:5: ipmi.server.port: 'lots' is not a port number" in r.stderr, r.stderr
    assert "garbage" not in r.stderr  # outside ipmi: not ours to judge
    with open(over, "w") as f:
        f.write("ipmi:\n    sol: {device: \"/dev/ttyX, speed: 9600}\n")
    r = subprocess.run([BMCD, "-c", p.b.conf, "--check-config"], capture_output=True, text=True)
    assert r.returncode == 1 and "override.yaml:2: ipmi.sol" in r.stderr, r.stderr
    # an include that escapes the directory tree is refused
    with open(os.path.join(p.tmp, "etc/kvmd/override.d/20-evil.yaml"), "w") as f:
        f.write("ipmi:\n    auth: !include ../../../etc/shadow\n")
    with open(over, "w") as f:
        f.write("")
    r = subprocess.run([BMCD, "-c", p.b.conf, "--check-config"], capture_output=True, text=True)
    assert r.returncode == 1 and "outside" in r.stderr, r.stderr


def test_read_only_root(bmcd_factory, tmp_path):
    """The smoke test with / remounted read-only in a private mount namespace."""
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                            "mount -o remount,ro,bind / && ! touch /tmp/.bmcd-ro-probe"],
                           capture_output=True)
    if probe.returncode != 0:
        pytest.skip("cannot remount / read-only here: %s" % probe.stderr.decode())
    host = HostPty(str(tmp_path))
    http, https = free_tcp_port(), free_tcp_port()
    b = bmcd_factory(start=False, extra="[redfish]\nlisten = 127.0.0.1\nhttp_port = %d\n"
                     "https_port = %d\n[sol]\ndevice = %s\n" % (http, https, host.link))
    b.start(wrap=["unshare", "--mount", "--propagation", "private", "sh", "-c",
                  'mount -o remount,ro,bind / && exec "$0" "$@"'])
    try:
        b.ipmitool("power", "on")
        assert b.wait_power(True)
        b.ipmitool("sel", "list")
        for url in ("http://127.0.0.1:%d/redfish/v1/Systems/0" % http,
                    "https://127.0.0.1:%d/redfish/v1/Systems/0" % https):
            r = subprocess.run(["curl", "-sk", "-u", "admin:admin", url], capture_output=True,
                               text=True, timeout=20)
            assert json.loads(r.stdout)["PowerState"] == "On"
        c = ipmitool_sol(b)
        try:
            assert c.wait_for(b"SOL Session operational")
            host.write(b"read-only root\r\n")
            assert c.wait_for(b"read-only root")
        finally:
            c.kill()
        assert "Read-only" not in b.log()
    finally:
        b.stop()
        host.close()


def test_privilege_drop(bmcd_factory):
    if os.getuid() != 0:
        pytest.skip("needs root")
    b = bmcd_factory(extra="[process]\nuser = nobody\n")
    assert "running as nobody" in b.log()
    status = open("/proc/%d/status" % b.proc.pid).read()
    uid = int(re.search(r"Uid:\s+(\d+)\s+(\d+)\s+(\d+)", status).group(1))
    assert uid == int(subprocess.run(["id", "-u", "nobody"], capture_output=True,
                                     text=True).stdout)
    assert re.search(r"NoNewPrivs:\s+1", status)
    assert re.search(r"CapEff:\s+0+\n", status)
    b.ipmitool("power", "on")
    assert b.wait_power(True)


def test_make_install(tmp_path):
    r = subprocess.run(["make", "-s", "install", "DESTDIR=%s" % tmp_path, "PREFIX=/usr"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for f in ("usr/bin/bmcd", "usr/lib/systemd/system/bmcd.service",
              "usr/lib/systemd/system/kvmd-ipmi.service",
              "usr/share/bmcd/pikvm/redfish.nginx.conf", "etc/bmcd/bmcd.conf.example"):
        assert (tmp_path / f).exists(), f
    unit = (tmp_path / "usr/lib/systemd/system/kvmd-ipmi.service").read_text()
    assert "ExecStart=/usr/bin/bmcd --kvmd" in unit
    assert "AmbientCapabilities=CAP_NET_BIND_SERVICE" in unit
    assert "SupplementaryGroups=kvmd kvmd-selfauth uucp" in unit
