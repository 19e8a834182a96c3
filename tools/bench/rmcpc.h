/*
 * A minimal IPMI 2.0 / RMCP+ console side for the benchmark client: Open Session, RAKP 1-4,
 * per-packet integrity (HMAC-SHA1-96 or HMAC-SHA256-128) and confidentiality (AES-CBC-128),
 * IPMI request messages, SoL payloads. Sans-I/O: functions fill and parse byte buffers.
 *
 * Written from the IPMI v2.0 specification (sections 13.x) and /work/shared/IPMI-NOTES.md,
 * independently of bmcd's engine (proto/ipmi.c); it never links bmcd code.
 */
#ifndef BENCH_RMCPC_H
#define BENCH_RMCPC_H

#include <bearssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fastmac.h"

#define RC_PKT_MAX 512

/* payload types */
enum {
	PT_IPMI = 0x00,
	PT_SOL = 0x01,
	PT_OPEN_REQ = 0x10,
	PT_OPEN_RSP = 0x11,
	PT_RAKP1 = 0x12,
	PT_RAKP2 = 0x13,
	PT_RAKP3 = 0x14,
	PT_RAKP4 = 0x15,
};

struct rc_sess {
	/* configuration */
	int suite;			/* 3 or 17 */
	char user[17];
	uint8_t ulen;
	uint8_t kuid[20];
	uint8_t role;			/* RAKP1 role byte, e.g. 0x14 (admin, name-only lookup) */
	/* handshake */
	uint8_t tag;
	uint32_t con_sid, bmc_sid;	/* little-endian values as on the wire */
	uint8_t rm[16], rc[16], guid[16];
	/* keys */
	int hash;			/* FM_SHA1 or FM_SHA256 */
	size_t icv;			/* 12 or 16 */
	struct fmac k1mac;
	br_aes_gen_cbcenc_keys enc;
	br_aes_gen_cbcdec_keys dec;
	uint8_t sik[32];
	/* sequence */
	uint32_t seq_out;
	uint64_t ivctr;
	bool established;
	const char *why;		/* last parse failure, for diagnostics */
};

/* Chooses x86ni AES when the CPU has it, else BearSSL's constant-time code. */
const char *rc_aes_impl(void);

void rc_init(struct rc_sess *s, int suite, const char *user, const char *pass, uint8_t role,
	     uint32_t con_sid);

/* Handshake packets. Builders return the packet length. Parsers return 0 on success, the
 * RMCP+ status code (> 0) the BMC sent, or -1 for a malformed/unexpected/forged packet. */
size_t rc_open_req(struct rc_sess *s, uint8_t *pkt);
int rc_open_rsp(struct rc_sess *s, const uint8_t *pkt, size_t n);
size_t rc_rakp1(struct rc_sess *s, uint8_t *pkt);
int rc_rakp2(struct rc_sess *s, const uint8_t *pkt, size_t n);	/* verifies the BMC's HMAC */
size_t rc_rakp3(struct rc_sess *s, uint8_t *pkt);			/* also derives SIK, K1, K2 */
int rc_rakp4(struct rc_sess *s, const uint8_t *pkt, size_t n);	/* verifies the ICV */

/* The payload type of a received RMCP+ packet (low 6 bits), or -1 if not RMCP+ (06 00 FF 07,
 * auth type 06). For session packets *sid receives the session ID field. */
int rc_peek(const uint8_t *pkt, size_t n, uint32_t *sid);

/* An IPMI request message (rsAddr 20h ... checksum) into msg; returns its length. */
size_t rc_ipmi_msg(uint8_t *msg, uint8_t netfn, uint8_t cmd, uint8_t rqseq, const void *data,
		   size_t dl);
/* Wraps a payload into an authenticated, encrypted session packet; returns its length. */
size_t rc_protect(struct rc_sess *s, uint8_t ptype, const uint8_t *payload, size_t len,
		  uint8_t *pkt);
/* Verifies and decrypts a session packet addressed to this console; returns the payload
 * length (payload written to out) or -1. *ptype receives the payload type. */
int rc_unprotect(const struct rc_sess *s, const uint8_t *pkt, size_t n, uint8_t *out,
		 int *ptype);
/* Parses an IPMI response message: checks both checksums, the rqSeq and cmd. Returns the
 * completion code (0..255), or -1. data and dlen point past the completion code. */
int rc_ipmi_rsp(const uint8_t *msg, size_t n, uint8_t netfn, uint8_t cmd, uint8_t rqseq,
		const uint8_t **data, size_t *dlen);

/* An ASF presence ping (12 bytes); returns the length. rc_is_pong() recognises the answer. */
size_t rc_asf_ping(uint8_t *pkt, uint8_t tag);
bool rc_is_pong(const uint8_t *pkt, size_t n);
/* Get Channel Authentication Capabilities in the IPMI 1.5 pre-session format. */
size_t rc_authcap_req(uint8_t *pkt, uint8_t rqseq);
bool rc_is_authcap_rsp(const uint8_t *pkt, size_t n);

#endif
