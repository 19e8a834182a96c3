"""A minimal RMCP+ client for abuse and replay tests (suite 17 only), written from the IPMI
2.0 definitions. Unlike ipmitool it can bind a chosen 127.x source address, record the
exact packets it sends, and send them again."""
import hashlib
import hmac
import os
import socket
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

RMCP = bytes([6, 0, 0xFF, 7])


def _csum(b):
    return (-sum(b)) & 0xFF


class Rmcp:
    def __init__(self, port, source="127.0.0.1", timeout=1.0):
        self.port = port
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind((source, 0))
        self.s.settimeout(timeout)
        self.seq = 0
        self.rqseq = 0
        self.sent = []  # every in-session packet, as sent

    def _xfer(self, pkt, want=True):
        self.s.sendto(pkt, ("127.0.0.1", self.port))
        if not want:
            return None
        try:
            return self.s.recv(2048)
        except socket.timeout:
            return None

    def _pre(self, ptype, payload):
        return RMCP + bytes([6, ptype]) + struct.pack("<IIH", 0, 0, len(payload)) + payload

    def login(self, user, password, role=0x14):
        """Returns the RMCP+ status of the step that failed, or 0 when logged in."""
        self.user, kuid = user.encode(), password.encode().ljust(20, b"\0")
        self.con_sid = struct.unpack("<I", os.urandom(4))[0] | 1
        algs = bytes([0, 0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 8, 4, 0, 0, 0, 2, 0, 0, 8, 1, 0, 0, 0])
        r = self._xfer(self._pre(0x10, bytes([1, 0, 0, 0]) + struct.pack("<I", self.con_sid) + algs))
        if not r:
            return -1
        if r[17] != 0:
            return r[17]
        self.bmc_sid = struct.unpack("<I", r[24:28])[0]
        rm = os.urandom(16)
        r = self._xfer(self._pre(0x12, bytes([2, 0, 0, 0]) + struct.pack("<I", self.bmc_sid) + rm +
                                 bytes([role, 0, 0, len(self.user)]) + self.user))
        if not r:
            return -1
        if r[17] != 0:
            return r[17]
        rc = r[24:40]
        sid_c = struct.pack("<I", self.con_sid)
        code = hmac.new(kuid, rc + sid_c + bytes([role, len(self.user)]) + self.user,
                        hashlib.sha256).digest()
        r = self._xfer(self._pre(0x14, bytes([3, 0, 0, 0]) + struct.pack("<I", self.bmc_sid) + code))
        if not r:
            return -1
        if r[17] != 0:
            return r[17]
        sik = hmac.new(kuid, rm + rc + bytes([role, len(self.user)]) + self.user,
                       hashlib.sha256).digest()
        self.k1 = hmac.new(sik, b"\1" * 20, hashlib.sha256).digest()
        self.k2 = hmac.new(sik, b"\2" * 20, hashlib.sha256).digest()[:16]
        self.seq = 0
        return 0

    def packet(self, netfn, cmd, data=b""):
        """Builds (and remembers) a protected request; does not send it."""
        self.seq += 1
        self.rqseq = (self.rqseq + 1) % 64
        h = bytes([0x20, netfn << 2])
        body = bytes([0x81, self.rqseq << 2, cmd]) + data
        msg = h + bytes([_csum(h)]) + body + bytes([_csum(body)])
        pad = (16 - (len(msg) + 1) % 16) % 16
        iv = os.urandom(16)
        enc = Cipher(algorithms.AES(self.k2), modes.CBC(iv)).encryptor()
        ct = enc.update(msg + bytes(range(1, pad + 1)) + bytes([pad])) + enc.finalize()
        pkt = RMCP + bytes([6, 0xC0]) + struct.pack("<IIH", self.bmc_sid, self.seq, 16 + len(ct)) + iv + ct
        ipad = (4 - (len(pkt) - 4 + 2) % 4) % 4
        pkt += b"\xff" * ipad + bytes([ipad, 7])
        pkt += hmac.new(self.k1, pkt[4:], hashlib.sha256).digest()[:16]
        self.sent.append(pkt)
        return pkt

    def decode(self, r):
        """The completion code and data of a protected response."""
        if not r or len(r) < 16 + 32:
            return None, b""
        mac = hmac.new(self.k1, r[4:-16], hashlib.sha256).digest()[:16]
        if not hmac.compare_digest(mac, r[-16:]):
            return None, b""
        ln = struct.unpack("<H", r[14:16])[0]
        iv, ct = r[16:32], r[32:16 + ln]
        dec = Cipher(algorithms.AES(self.k2), modes.CBC(iv)).decryptor()
        pt = dec.update(ct) + dec.finalize()
        msg = pt[:len(pt) - pt[-1] - 1]
        return msg[6], msg[7:-1]

    def cmd(self, netfn, cmd, data=b""):
        return self.decode(self._xfer(self.packet(netfn, cmd, data)))

    def resend(self, pkt):
        """Sends a recorded packet again; returns the raw answer or None."""
        return self._xfer(pkt)

    def close(self):
        try:
            self.cmd(0x06, 0x3C, struct.pack("<I", self.bmc_sid))
        except Exception:
            pass
        self.s.close()
