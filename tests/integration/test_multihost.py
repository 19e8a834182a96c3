"""Several hosts from one bmcd: [host.NAME] sections, each an IPMI endpoint on its own UDP
port with its own host model, SEL, GUID, FRU, boot options and sessions (ipmitool against
both endpoints of one daemon, in turn and at the same time; FreeIPMI's ipmipower with both
in one host list), SoL per host (ptys and the simulated consoles: output and keystrokes stay
with their own host), and the configuration errors around them."""
import os
import re
import subprocess
import time


from conftest import BMCD, Bmcd, asf_ping, free_udp_port, make_conf


def two_hosts(bmcd_factory, extra_b="", extra_a=""):
    pa, pb = free_udp_port(), free_udp_port()
    while pb == pa:
        pb = free_udp_port()
    conf = make_conf(pa, extra="""
[fru]
product_name = Box A
%s
[host.b]
ipmi_port = %d
backend = sim
product_name = Box B
product_serial = SN-B
%s""" % (extra_a, pb, extra_b))
    a = bmcd_factory(conf=conf, port=pa)
    # a second client view of the same daemon: port B (it is not started again)
    b = Bmcd(a.dir, pb, conf)
    b.logpath = a.logpath
    assert asf_ping(pb), a.log()
    return a, b


def test_power_is_per_host(bmcd_factory):
    a, b = two_hosts(bmcd_factory)
    assert not a.power_is() and not b.power_is()
    a.ipmitool("power", "on")
    assert a.wait_power(True)
    assert not b.power_is()
    b.ipmitool("power", "on")
    assert b.wait_power(True)
    a.ipmitool("power", "off")
    assert a.wait_power(False)
    assert b.power_is()
    assert re.search(r"host b \(id b\): IPMI on \[127\.0\.0\.1\]:%d, backend sim" % b.port,
                     a.log())


def test_sel_guid_fru_boot_per_host(bmcd_factory):
    a, b = two_hosts(bmcd_factory)
    a.ipmitool("power", "on")
    assert a.wait_power(True)
    assert re.search(r"Entries\s+: 2", a.ipmitool("sel", "info").stdout)
    assert re.search(r"Entries\s+: 0", b.ipmitool("sel", "info").stdout)
    assert "S0/G0: working" in a.ipmitool("sel", "elist").stdout
    assert "Clearing SEL" in a.ipmitool("sel", "clear").stdout
    b.ipmitool("power", "on")
    assert b.wait_power(True)
    assert re.search(r"Entries\s+: 0", a.ipmitool("sel", "info").stdout)
    assert re.search(r"Entries\s+: 2", b.ipmitool("sel", "info").stdout)

    ga = a.ipmitool("mc", "guid").stdout
    gb = b.ipmitool("mc", "guid").stdout
    ua = re.search(r"System GUID\s*:\s*(\S+)", ga).group(1)
    ub = re.search(r"System GUID\s*:\s*(\S+)", gb).group(1)
    assert ua != ub

    assert "Box A" in a.ipmitool("fru", "print", "0").stdout
    fb = b.ipmitool("fru", "print", "0").stdout
    assert "Box B" in fb and "SN-B" in fb

    b.ipmitool("chassis", "bootdev", "pxe")
    assert "Force PXE" in b.ipmitool("chassis", "bootparam", "get", "5").stdout
    assert "Force PXE" not in a.ipmitool("chassis", "bootparam", "get", "5").stdout


def test_power_restore_policy_per_host(bmcd_factory):
    a, b = two_hosts(bmcd_factory, "power_restore_policy = always-on\n")
    assert b.wait_power(True)
    assert not a.power_is()


def check_config(tmp_path, hosts, head=""):
    (tmp_path / "users").write_text("admin:admin\n")
    conf = tmp_path / "bmcd.conf"
    conf.write_text("[users]\nfile = users\n" + head + hosts)
    return subprocess.run([BMCD, "-c", str(conf), "--check-config"], capture_output=True,
                          text=True)


def test_config_errors(tmp_path):
    r = check_config(tmp_path, "[host.b]\nipmi_port = 7001\n[host.c]\nipmi_port = 7001\n")
    assert r.returncode == 1
    assert "bmcd.conf:5: host.c: IPMI on [::]:7001 is also host.b's (line 3)" in r.stderr
    r = check_config(tmp_path, "[host.b]\nipmi_port = 623\n")
    assert "bmcd.conf:3: host.b: IPMI on [::]:623 is the default host's (ipmi.listen, " \
        "ipmi.port)" in r.stderr
    # an address of its own: the same port is fine, an overlapping address is not
    r = check_config(tmp_path, "[host.b]\nipmi_listen = 127.0.0.2\n[host.c]\n"
                     "ipmi_listen = 127.0.0.3\n", head="[ipmi]\nlisten = 127.0.0.1\n")
    assert r.returncode == 0, r.stderr
    r = check_config(tmp_path, "[host.b]\nipmi_listen = 0.0.0.0\n",
                     head="[ipmi]\nlisten = 127.0.0.1\n")
    assert "bmcd.conf:5: host.b: IPMI on [0.0.0.0]:623 is the default host's" in r.stderr
    r = check_config(tmp_path, "[host.b]\nipmi_listen = ::1\n",
                     head="[ipmi]\nlisten = 127.0.0.1\n")
    assert r.returncode == 0, r.stderr
    r = check_config(tmp_path, "[host.b]\nipmi_port = 7001\n[host.c]\nid = b\nipmi_port = 7002\n")
    assert r.returncode == 1
    assert "bmcd.conf:5: host.c.id 'b' is also host.b's (line 3)" in r.stderr
    r = check_config(tmp_path, "[host.b]\nipmi_port = 7001\n[host.c]\nipmi_port = 7002\n",
                     "[hosts]\nmax = 1\n")
    assert r.returncode == 1
    assert "bmcd.conf:7: [host.c]: more than hosts.max = 1 further hosts" in r.stderr
    r = check_config(tmp_path, "[host.b]\nipmi_port = 7001\n[host.c]\nipmi_port = 7002\n")
    assert r.returncode == 0, r.stderr


def test_port_in_use_is_a_clean_failure(bmcd_factory):
    pa = free_udp_port()
    busy = free_udp_port()
    import socket
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", busy))
    try:
        conf = make_conf(pa, extra="\n[host.b]\nipmi_port = %d\n" % busy)
        b = bmcd_factory(conf=conf, port=pa, start=False)
        b.start(wait=False)
        assert b.proc.wait(timeout=10) == 1
        assert "ipmi b:" in b.log()
    finally:
        s.close()


def test_sol_per_host(bmcd_factory):
    a, b = two_hosts(bmcd_factory, "sim_console = true\nsol_device = sim\n")
    m = re.search(r"host b \(id b\): IPMI on \S+, backend sim \(power off\), SoL (\S+)", a.log())
    assert m and m.group(1).startswith("/dev/pts/"), a.log()
    assert re.search(r"Enabled\s+: true", b.ipmitool("sol", "info", "1").stdout)
    assert re.search(r"Payload Port\s+: %d" % b.port, b.ipmitool("sol", "info", "1").stdout)
    # the default host has no SoL device in this config: its console is off
    assert re.search(r"SoL off, Redfish", a.log()), a.log()


def test_session_of_one_endpoint_is_unknown_to_the_other(bmcd_factory):
    from rmcp import Rmcp
    a, b = two_hosts(bmcd_factory)
    c = Rmcp(a.port)
    try:
        assert c.login("admin", "admin") == 0
        cc, _ = c.cmd(0x00, 0x01)  # Get Chassis Status on A
        assert cc == 0
        c.port = b.port  # the same session's packets, sent to B: no answer
        cc, _ = c.cmd(0x00, 0x02, b"\x01")  # Chassis Control: power up
        assert cc is None
        assert not b.power_is()
        c.port = a.port  # A's session still works
        cc, _ = c.cmd(0x00, 0x01)
        assert cc == 0
    finally:
        c.close()


def test_failed_logins_count_across_endpoints(bmcd_factory):
    """One throttle for all of the daemon's IPMI endpoints: wrong passwords spread over two
    ports lock the name out on both, as the same number on one port does."""
    from rmcp import Rmcp
    a, b = two_hosts(bmcd_factory, "[ipmi]\nfailed_logins = 3\nfailed_login_window = 60\n"
                     "lockout_max = 60\n")
    for i, port in enumerate((a.port, b.port, a.port)):
        c = Rmcp(port)
        assert c.login("admin", "wrong%d" % i) not in (0, -1)
        c.s.close()
    for port in (b.port, a.port):
        c = Rmcp(port)
        st = c.login("admin", "admin")
        c.s.close()
        assert st == 0x01, "right password on port %d after 3 failures over two ports: " \
            "status %r, not locked out\n%s" % (port, st, a.log()[-1500:])
    assert "failed logins from 127.0.0.1 (user 'admin')" in a.log()


def test_per_host_user_allow_list(bmcd_factory):
    """`users` in [host] and [host.NAME]: a user not on a host's list is, on that host's
    endpoint, exactly an unknown user name (ipmitool prints the same error)."""
    a, b = two_hosts(bmcd_factory, "users = admin,user\n[host]\nusers = admin operator\n")
    # allowed: operator on the default host, user on b, admin on both
    assert "is off" in a.ipmitool("power", "status", user="operator", password="operator",
                                  priv="OPERATOR").stdout
    assert "is off" in b.ipmitool("power", "status", user="user", password="user",
                                  priv="USER").stdout
    assert "is off" in a.ipmitool("power", "status").stdout
    assert "is off" in b.ipmitool("power", "status").stdout

    def refused(h, user, password, priv):
        # -v: ipmitool names the RAKP 2 status (without it, only "Unable to establish")
        r = h.ipmitool("-v", "power", "status", user=user, password=password, priv=priv,
                       check=False)
        assert r.returncode != 0, r.stdout
        return "\n".join(l for l in (r.stdout + r.stderr).splitlines()
                         if "rror" in l or "RAKP" in l)

    for h, user, priv in ((b, "operator", "OPERATOR"), (a, "user", "USER")):
        unknown = refused(h, "nobody", "nobody", priv)
        assert "unauthorized name" in unknown, unknown
        assert refused(h, user, user, priv) == unknown
    # users are shared: the user list on b still names operator
    assert "operator" in b.ipmitool("user", "list", "1").stdout


# --- FreeIPMI's ipmipower with both endpoints in one invocation ------------------------------

def ipmipower(a, hosts, *args):
    """One ipmipower run over a FreeIPMI host list ("host:port,host:port"); returns its
    [name as printed, answer] pairs. ipmipower prints each host without its port, so tests that
    tell the two endpoints apart name host B 127.1 (inet_aton's short form of 127.0.0.1: the
    same address, another spelling)."""
    r = subprocess.run(["ipmipower", "-D", "LAN_2_0", "-h", hosts, "-u", "admin", "-p", "admin",
                        "--session-timeout=10000", *args], capture_output=True, text=True,
                       timeout=60, env=dict(os.environ, HOME=a.dir))
    assert r.returncode == 0, "ipmipower %s %s: %d\n%s%s" % (hosts, " ".join(args), r.returncode,
                                                          r.stdout, r.stderr)
    lines = [l.split(": ", 1) for l in r.stdout.splitlines() if ": " in l]
    return lines


def both(a, b):
    return "127.0.0.1:%d,127.1:%d" % (a.port, b.port)


def stat_both(a, b):
    return dict(ipmipower(a, both(a, b), "--stat"))


def wait_stat(a, b, want, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        got = stat_both(a, b)
        if got == want or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


def test_ipmipower_both_endpoints_at_once(bmcd_factory):
    a, b = two_hosts(bmcd_factory)
    A, B = "127.0.0.1", "127.1"
    assert stat_both(a, b) == {A: "off", B: "off"}
    # the literal form too: one host list, the same address twice with two ports
    r = ipmipower(a, "127.0.0.1:%d,127.0.0.1:%d" % (a.port, b.port), "--stat")
    assert sorted(r) == [[A, "off"], [A, "off"]], r

    assert ipmipower(a, "127.0.0.1:%d" % a.port, "--on") == [[A, "ok"]]
    assert wait_stat(a, b, {A: "on", B: "off"}) == {A: "on", B: "off"}
    assert a.power_is() and not b.power_is()
    r = ipmipower(a, "127.0.0.1:%d,127.0.0.1:%d" % (a.port, b.port), "--stat")
    assert sorted(r) == [[A, "off"], [A, "on"]], r

    assert sorted(ipmipower(a, both(a, b), "--on")) == [[A, "ok"], [B, "ok"]]
    assert wait_stat(a, b, {A: "on", B: "on"}) == {A: "on", B: "on"}

    assert ipmipower(a, "127.1:%d" % b.port, "--off") == [[B, "ok"]]
    assert wait_stat(a, b, {A: "on", B: "off"}) == {A: "on", B: "off"}
    assert a.power_is() and not b.power_is()

    assert sorted(ipmipower(a, both(a, b), "--off")) == [[A, "ok"], [B, "ok"]]
    assert wait_stat(a, b, {A: "off", B: "off"}) == {A: "off", B: "off"}
    # each host's SEL holds its own one power-on, not the other's
    assert len(re.findall(r"S0/G0: working", a.ipmitool("sel", "elist").stdout)) == 1
    assert len(re.findall(r"S0/G0: working", b.ipmitool("sel", "elist").stdout)) == 1


# --- ipmitool at both endpoints at the same time -----------------------------------------------

def test_ipmitool_both_endpoints_concurrently(bmcd_factory):
    a, b = two_hosts(bmcd_factory, "sim_power_on = true\n")
    assert not a.power_is() and b.power_is()

    def cmd(h, *args):
        return ["ipmitool", "-I", "lanplus", "-H", "127.0.0.1", "-p", str(h.port), "-U", "admin",
                "-P", "admin", *args]
    # each round: both power changes in parallel, plus a reader on each endpoint
    for on_a in (True, False, True):
        procs = [subprocess.Popen(cmd(a, "power", "on" if on_a else "off"), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True),
                 subprocess.Popen(cmd(b, "power", "off" if on_a else "on"), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True),
                 subprocess.Popen(cmd(a, "chassis", "status"), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True),
                 subprocess.Popen(cmd(b, "sel", "list"), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)]
        results = []
        for p in procs:  # every one is waited for (or killed) before anything is asserted
            try:
                out, err = p.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                out, err = p.communicate()
            results.append((p.returncode, p.args, out, err))
        for rc, args, out, err in results:
            assert rc == 0, (args, out, err, a.log()[-2000:])
        assert a.wait_power(on_a), "A should be %s" % ("on" if on_a else "off")
        assert b.wait_power(not on_a), "B should be %s" % ("off" if on_a else "on")
        time.sleep(0.4)  # longer than a press: nothing late changes either one
        assert a.power_is() == on_a and b.power_is() == (not on_a)


# --- SoL: each endpoint's console is its own host's serial port --------------------------------

def test_sol_data_path_per_host(bmcd_factory, tmp_path):
    from test_sol import HostPty, ipmitool_sol
    os.mkdir(tmp_path / "a")
    os.mkdir(tmp_path / "b")
    pty_a, pty_b = HostPty(str(tmp_path / "a")), HostPty(str(tmp_path / "b"))
    consoles = []
    try:
        a, b = two_hosts(bmcd_factory, "sol_device = %s\n" % pty_b.link,
                         "[sol]\ndevice = %s\n" % pty_a.link)
        assert a.log().count("open at 115200 baud") == 2, a.log()

        def quiet(p, marker):
            return marker not in p.read_until(marker, timeout=0.5)

        def drain(*consoles, secs=0.3):  # what a misrouted line would need to arrive
            end = time.monotonic() + secs
            while time.monotonic() < end:
                for c in consoles:
                    c.pump(timeout=0.02)

        ca = ipmitool_sol(a)
        consoles.append(ca)
        assert ca.wait_for(b"SOL Session operational"), ca.buf
        pty_a.write(b"out-of-A-1\r\n")
        pty_b.write(b"out-of-B-1\r\n")
        assert ca.wait_for(b"out-of-A-1"), ca.buf
        drain(ca)
        assert b"out-of-B" not in ca.buf, ca.buf
        ca.send(b"typed-at-A-1\r")
        assert b"typed-at-A-1" in pty_a.read_until(b"typed-at-A-1")
        assert quiet(pty_b, b"typed-at-A")

        # B's console beside A's: both active at once, each on its own host
        cb = ipmitool_sol(b)
        consoles.append(cb)
        assert cb.wait_for(b"SOL Session operational"), cb.buf
        pty_b.write(b"out-of-B-2\r\n")
        pty_a.write(b"out-of-A-2\r\n")
        assert cb.wait_for(b"out-of-B-2"), cb.buf
        assert ca.wait_for(b"out-of-A-2"), ca.buf
        cb.send(b"typed-at-B-2\r")
        assert b"typed-at-B-2" in pty_b.read_until(b"typed-at-B-2")
        ca.send(b"typed-at-A-2\r")
        assert b"typed-at-A-2" in pty_a.read_until(b"typed-at-A-2")
        assert quiet(pty_a, b"typed-at-B")
        assert quiet(pty_b, b"typed-at-A")
        drain(ca, cb)
        assert b"out-of-B" not in ca.buf, ca.buf
        assert b"out-of-A" not in cb.buf, cb.buf

        # an administrator's sol deactivate on A's endpoint ends A's console, not B's
        a.ipmitool("sol", "deactivate")
        assert a.log().count("deactivated by an administrator") == 1, a.log()
        ca.send(b"typed-at-A-3\r")  # A's old console: answered "SoL inactive", not typed
        assert quiet(pty_a, b"typed-at-A-3")
        pty_b.write(b"out-of-B-3\r\n")
        assert cb.wait_for(b"out-of-B-3"), cb.buf
        cb.send(b"typed-at-B-3\r")
        assert b"typed-at-B-3" in pty_b.read_until(b"typed-at-B-3")
        r = b.ipmitool("sol", "activate", check=False, timeout=20)  # B's is still taken
        assert "SOL payload already active on another session" in r.stderr, r.stderr
        cb.send(b"~.")
        assert cb.exited()
    finally:
        for c in consoles:
            c.kill()
        pty_a.close()
        pty_b.close()


def test_sol_sim_consoles_per_host(bmcd_factory):
    """The same with the simulated hosts' own consoles (as configs/demo.conf): B's boot
    messages and B's echo reach B's console only."""
    from test_sol import ipmitool_sol
    a, b = two_hosts(bmcd_factory, "sim_console = true\nsol_device = sim\n",
                     "[sim]\nconsole = true\n[sol]\ndevice = sim\n")
    consoles = []
    try:
        ca, cb = ipmitool_sol(a), ipmitool_sol(b)
        consoles += [ca, cb]
        assert ca.wait_for(b"SOL Session operational"), ca.buf
        assert cb.wait_for(b"SOL Session operational"), cb.buf
        b.ipmitool("power", "on")
        assert cb.wait_for(b"sim login: "), cb.buf
        cb.send(b"only-b\r")
        assert cb.wait_for(b"you typed 'only-b'"), cb.buf
        a.ipmitool("power", "on")
        assert ca.wait_for(b"sim login: "), ca.buf
        ca.send(b"only-a\r")
        assert ca.wait_for(b"you typed 'only-a'"), ca.buf
        end = time.monotonic() + 0.3
        while time.monotonic() < end:
            ca.pump(timeout=0.02)
            cb.pump(timeout=0.02)
        assert b"only-b" not in ca.buf and ca.buf.count(b"firmware OK") == 1, ca.buf
        assert b"only-a" not in cb.buf and cb.buf.count(b"firmware OK") == 1, cb.buf
    finally:
        for c in consoles:
            c.kill()


# --- one failed-login budget for every endpoint ------------------------------------------------

def test_failed_login_throttle_is_shared_by_the_endpoints(bmcd_factory):
    from rmcp import Rmcp
    from test_security import login_steps
    a, b = two_hosts(bmcd_factory, extra_a="[ipmi]\nfailed_logins = 5\nfailed_login_window = 60\n"
                     "lockout_max = 60\n")

    def wrong(port, n):
        steps = []
        for i in range(n):
            c = Rmcp(port, timeout=0.5)
            try:
                steps.append(login_steps(c, "admin", "wrong%d" % i))
            finally:
                c.s.close()
        return steps
    on_a = wrong(a.port, 8)
    assert [s[0] for s in on_a[:5]] == ["rakp4"] * 5, on_a  # five passwords checked
    assert all(s[0] != "rakp4" for s in on_a[5:]), on_a       # then A refuses
    on_b = wrong(b.port, 5)
    checked = [s for s in on_b if s[0] == "rakp4"]
    # the same address and user, the same users file: B may check at most one more password
    # (one when A's first lockout, 1 s, ran out meanwhile), not a fresh five
    assert len(checked) <= 1, "B checked %d more wrong passwords: %s" % (len(checked), on_b)


def test_a_host_on_an_address_of_its_own(bmcd_factory):
    """ipmi_listen = 127.0.0.2 and no ipmi_port: host b answers on the same port as the
    default host, at its own address (one address per machine, as fleet tools expect)."""
    pa = free_udp_port()
    conf = make_conf(pa, extra="\n[host.b]\nipmi_listen = 127.0.0.2\nbackend = sim\n")
    a = bmcd_factory(conf=conf, port=pa)

    def ipmi(addr, *args):
        return subprocess.run(["ipmitool", "-I", "lanplus", "-H", addr, "-p", str(pa), "-U",
                               "admin", "-P", "admin", *args], capture_output=True, text=True,
                              timeout=30)
    assert "is off" in ipmi("127.0.0.2", "power", "status").stdout, a.log()
    assert ipmi("127.0.0.2", "power", "on").returncode == 0
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and "is on" not in ipmi("127.0.0.2", "power",
                                                              "status").stdout:
        time.sleep(0.1)
    assert "is on" in ipmi("127.0.0.2", "power", "status").stdout
    assert "is off" in ipmi("127.0.0.1", "power", "status").stdout
    assert "host b (id b): IPMI on [127.0.0.2]:%d" % pa in a.log()
