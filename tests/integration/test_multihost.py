"""Several hosts from one bmcd: [host.NAME] sections, each an IPMI endpoint on its own UDP
port with its own host model, SEL, GUID, FRU, boot options and sessions (ipmitool against
both endpoints of one daemon), and the configuration errors around them."""
import re
import subprocess

from conftest import BMCD, Bmcd, asf_ping, free_udp_port, make_conf


def two_hosts(bmcd_factory, extra_b=""):
    pa, pb = free_udp_port(), free_udp_port()
    while pb == pa:
        pb = free_udp_port()
    conf = make_conf(pa, extra="""
[fru]
product_name = Box A

[host.b]
ipmi_port = %d
backend = sim
product_name = Box B
product_serial = SN-B
%s""" % (pb, extra_b))
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
    assert "bmcd.conf:5: host.c.ipmi_port 7001 is also host.b's (line 3)" in r.stderr
    r = check_config(tmp_path, "[host.b]\nipmi_port = 623\n")
    assert "bmcd.conf:3: host.b.ipmi_port 623 is the default host's ipmi.port" in r.stderr
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
