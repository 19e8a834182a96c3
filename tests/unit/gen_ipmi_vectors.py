#!/usr/bin/python3
"""Known-answer vectors for the RMCP+ handshake and per-packet protection.

Computed independently of bmcd's C code, from the IPMI 2.0 definitions (section 13.31-13.33
and 13.28): Python's hmac module for RAKP codes, SIK, K1, K2 and integrity; the
`cryptography` package for AES-CBC-128; a direct transcription of NIST SP 800-90A
HMAC_DRBG (SHA-256, no personalisation, no reseed) for the BMC's random numbers, so the
exact session ID and Rc the BMC draws from a fixed seed are known in advance.

Writes tests/unit/ipmi_vectors.h. Run: python3 tests/unit/gen_ipmi_vectors.py
"""
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


class HmacDrbg:
    """NIST SP 800-90A HMAC_DRBG with SHA-256, instantiate(seed) and generate(n)."""

    def __init__(self, seed):
        self.k = b"\x00" * 32
        self.v = b"\x01" * 32
        self._update(seed)

    def _h(self, key, data):
        return hmac.new(key, data, hashlib.sha256).digest()

    def _update(self, data):
        self.k = self._h(self.k, self.v + b"\x00" + data)
        self.v = self._h(self.k, self.v)
        if data:
            self.k = self._h(self.k, self.v + b"\x01" + data)
            self.v = self._h(self.k, self.v)

    def generate(self, n):
        out = b""
        while len(out) < n:
            self.v = self._h(self.k, self.v)
            out += self.v
        self._update(b"")
        return out[:n]


def aes_cbc(key, iv, data, enc=True):
    c = Cipher(algorithms.AES(key), modes.CBC(iv))
    x = c.encryptor() if enc else c.decryptor()
    return x.update(data) + x.finalize()


def csum(b):
    return (-sum(b)) & 0xFF


def ipmi_msg(netfn, cmd, rq_seq, data=b"", rs=0x20, rq=0x81):
    h = bytes([rs, netfn << 2])
    body = bytes([rq, rq_seq << 2, cmd]) + data
    return h + bytes([csum(h)]) + body + bytes([csum(body)])


def ipmi_rsp(netfn, cmd, rq_seq, data, rs=0x20, rq=0x81):
    h = bytes([rq, (netfn | 1) << 2])
    body = bytes([rs, rq_seq << 2, cmd]) + data
    return h + bytes([csum(h)]) + body + bytes([csum(body)])


RMCP = bytes([0x06, 0x00, 0xFF, 0x07])


def presession(ptype, payload):
    return RMCP + bytes([0x06, ptype]) + struct.pack("<IIH", 0, 0, len(payload)) + payload


SEED = bytes(range(48))
GUID = bytes(range(0xA0, 0xB0))
USER = b"admin"
PASSWORD = b"secret"
KUID = PASSWORD.ljust(20, b"\x00")
CON_SID = 0xA0A1A2A3
RM = bytes(range(0x10, 0x20))
ROLE = 0x14  # administrator, name-only lookup

SUITES = {3: (1, 1, 1, hashlib.sha1, 12), 17: (3, 4, 1, hashlib.sha256, 16)}

# Get Device ID answer for the configuration the C test uses
DEVID = bytes([0x00, 0x20, 0x01, 0x00, 0x01, 0x02, 0x8F, 0, 0, 0, 0, 0, 0, 0, 0, 0])


def vectors(suite):
    auth, integ, conf, h, icv = SUITES[suite]
    # bmcd draws its randoms from 128-byte blocks of DRBG output: the session ID is the
    # first 4 bytes of the first block, Rc the next 16
    block = HmacDrbg(SEED).generate(128)
    bmc_sid = struct.unpack("<I", block[0:4])[0]
    rc = block[4:20]
    mac = lambda k, d: hmac.new(k, d, h).digest()
    sid_c, sid_b = struct.pack("<I", CON_SID), struct.pack("<I", bmc_sid)
    v = {}
    v["open_req"] = presession(
        0x10,
        bytes([0x01, 0x00, 0, 0]) + sid_c
        + bytes([0, 0, 0, 8, auth, 0, 0, 0, 1, 0, 0, 8, integ, 0, 0, 0, 2, 0, 0, 8, conf, 0, 0, 0]),
    )
    v["open_rsp"] = presession(
        0x11,
        bytes([0x01, 0x00, 0x04, 0]) + sid_c + sid_b
        + bytes([0, 0, 0, 8, auth, 0, 0, 0, 1, 0, 0, 8, integ, 0, 0, 0, 2, 0, 0, 8, conf, 0, 0, 0]),
    )
    v["rakp1"] = presession(
        0x12, bytes([0x02, 0, 0, 0]) + sid_b + RM + bytes([ROLE, 0, 0, len(USER)]) + USER
    )
    kex = mac(KUID, sid_c + sid_b + RM + rc + GUID + bytes([ROLE, len(USER)]) + USER)
    v["rakp2"] = presession(0x13, bytes([0x02, 0x00, 0, 0]) + sid_c + rc + GUID + kex)
    code3 = mac(KUID, rc + sid_c + bytes([ROLE, len(USER)]) + USER)
    v["rakp3"] = presession(0x14, bytes([0x03, 0x00, 0, 0]) + sid_b + code3)
    sik = mac(KUID, RM + rc + bytes([ROLE, len(USER)]) + USER)
    k1 = mac(sik, b"\x01" * 20)
    k2 = mac(sik, b"\x02" * 20)
    v["rakp4"] = presession(0x15, bytes([0x03, 0x00, 0, 0]) + sid_c + mac(sik, RM + sid_b + GUID)[:icv])
    v["sik"], v["k1"], v["k2"] = sik, k1, k2

    def protect(sid, seq, msg, iv):
        pad = (16 - (len(msg) + 1) % 16) % 16
        plain = msg + bytes(range(1, pad + 1)) + bytes([pad])
        body = iv + aes_cbc(k2[:16], iv, plain)
        pkt = RMCP + bytes([0x06, 0xC0]) + struct.pack("<IIH", sid, seq, len(body)) + body
        ipad = (4 - (len(pkt) - 4 + 2) % 4) % 4
        pkt += b"\xff" * ipad + bytes([ipad, 0x07])
        return pkt + mac(k1, pkt[4:])[:icv]

    # console -> BMC: Get Device ID, session sequence 4 (ipmitool's first in-session number)
    v["devid_req"] = protect(bmc_sid, 4, ipmi_msg(0x06, 0x01, 0x05), bytes(range(0x30, 0x40)))
    # BMC -> console: its first outbound sequence number is 1; IV = AES_K2(seq || Rc[4:])
    iv = aes_cbc(k2[:16], b"\x00" * 16, struct.pack("<I", 1) + rc[4:])
    v["devid_rsp"] = protect(CON_SID, 1, ipmi_rsp(0x06, 0x01, 0x05, DEVID), iv)
    # the same request replayed (same sequence number): must be ignored
    # a retransmission (new sequence number 5, same message): the cached answer, seq 2
    v["devid_req_retry"] = protect(bmc_sid, 5, ipmi_msg(0x06, 0x01, 0x05), bytes(range(0x40, 0x50)))
    iv2 = aes_cbc(k2[:16], b"\x00" * 16, struct.pack("<I", 2) + rc[4:])
    v["devid_rsp_retry"] = protect(CON_SID, 2, ipmi_rsp(0x06, 0x01, 0x05, DEVID), iv2)
    # Chassis Control power down from this admin session, seq 6, rqSeq 6
    v["power_off_req"] = protect(bmc_sid, 6, ipmi_msg(0x00, 0x02, 0x06, b"\x00"), bytes(range(0x50, 0x60)))
    v["bad_mac"] = bytearray(v["devid_req"])
    v["bad_mac"][-1] ^= 1
    v["bad_mac"] = bytes(v["bad_mac"])
    return v


def c_array(name, b):
    lines = []
    for i in range(0, len(b), 16):
        lines.append("\t" + " ".join("0x%02x," % x for x in b[i:i + 16]))
    return "static const unsigned char %s[%d] = {\n%s\n};\n" % (name, len(b), "\n".join(lines))


def main():
    out = [
        "/* Generated by tests/unit/gen_ipmi_vectors.py -- do not edit. Independent of",
        " * bmcd's code: Python hmac, cryptography's AES, NIST HMAC_DRBG. */",
        "#ifndef IPMI_VECTORS_H",
        "#define IPMI_VECTORS_H",
        c_array("kat_seed", SEED),
        c_array("kat_guid", GUID),
    ]
    for suite in (3, 17):
        for name, b in vectors(suite).items():
            out.append(c_array("s%d_%s" % (suite, name), b))
    out.append("#endif")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ipmi_vectors.h")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
