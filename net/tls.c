/*
 * TLS 1.2 server over BearSSL: key and certificate set-up, and the non-blocking pump.
 *
 * Implementation notes:
 * - Only the implementations this profile uses are named (no br_ssl_server_init_full_*), so
 *   the static linker drops CBC, CCM, 3DES, static RSA/ECDH key exchange, MD5 and TLS 1.0.
 * - Server preference is enforced and ChaCha20-Poly1305 comes first: BMC SoCs seldom have
 *   AES instructions, and ChaCha20 is fast and constant-time in plain C. Renegotiation is
 *   refused: HTTP needs none and a client-initiated one is a cheap CPU attack.
 * - PEM files are streamed through br_pem_decoder in small chunks (no whole-file buffer):
 *   certificate DER goes straight into t->cert_der, key DER into br_skey_decoder, whose
 *   result is copied into t because the decoder lives on the stack.
 * - The private key is checked against the leaf's public key (EC: recompute the point; RSA:
 *   sign and verify), so a mismatched pair fails at start-up, not at every handshake.
 * - The ephemeral certificate uses a tiny DER writer: a nested value is written content
 *   first and then moved up to make room for its tag and length. Fixed parts (algorithm
 *   identifiers, three extensions) are pre-encoded constants.
 * - Each connection gets 32 bytes from the set-up HMAC-DRBG on top of BearSSL's own OS
 *   seeding, so handshakes keep working where /dev/urandom cannot be opened (chroot).
 * - The pump: with the mono buffer the engine is half-duplex; it holds either an outgoing
 *   record, an incoming one, or plaintext. Every call does at most PUMP_STEPS transfers and
 *   returns as soon as the socket would block. tls_write never reads the socket, since bytes
 *   read there would vanish from poll()'s view; incoming records are left to tls_read.
 */
#include "tls.h"

#include "../proto/crypto.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PEM_FILE_MAX (64 * 1024) /* a chain of TLS_CERT_MAX DER bytes is ~11 KiB of PEM */
#define PUMP_STEPS 16		 /* record transfers per pump call */

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static const char *key_name(int type)
{
	return type == BR_KEYTYPE_RSA ? "RSA" : type == BR_KEYTYPE_EC ? "EC" : "unknown";
}

/* ---- PEM loading ---------------------------------------------------------------------- */

enum { OBJ_SKIP, OBJ_CERT, OBJ_KEY };

struct pem_load {
	struct tls_ctx *t;
	const char *path;
	bool want_certs, want_key;
	int obj;		/* what the current PEM object is going into */
	size_t used, start;	/* bytes of t->cert_der in use; start of the current one */
	bool overflow, have_key, encrypted;
	br_skey_decoder_context sk;
};

static void pem_dest(void *ctx, const void *src, size_t len)
{
	struct pem_load *L = ctx;

	if (L->obj == OBJ_KEY) {
		br_skey_decoder_push(&L->sk, src, len);
	} else if (L->obj == OBJ_CERT) {
		if (len > sizeof L->t->cert_der - L->used) {
			L->overflow = true;
			return;
		}
		memcpy(L->t->cert_der + L->used, src, len);
		L->used += len;
	}
}

static int pem_begin(struct pem_load *L, const char *name, char *err, size_t errlen)
{
	L->obj = OBJ_SKIP;
	if (L->want_certs && (!strcmp(name, "CERTIFICATE") || !strcmp(name, "X509 CERTIFICATE"))) {
		if (L->t->chain_len == TLS_CHAIN_MAX)
			return fail(err, errlen, "%s: more than %d certificates", L->path,
				    TLS_CHAIN_MAX);
		L->obj = OBJ_CERT;
		L->start = L->used;
	} else if (L->want_key && (!strcmp(name, "PRIVATE KEY") ||
				   !strcmp(name, "EC PRIVATE KEY") ||
				   !strcmp(name, "RSA PRIVATE KEY"))) {
		if (L->have_key)
			return fail(err, errlen, "%s: more than one private key", L->path);
		L->obj = OBJ_KEY;
		br_skey_decoder_init(&L->sk);
	} else if (L->want_key && strstr(name, "ENCRYPTED")) {
		L->encrypted = true;
	}
	return 0;
}

static int pem_end(struct pem_load *L, char *err, size_t errlen)
{
	struct tls_ctx *t = L->t;
	int e;

	if (L->obj == OBJ_CERT) {
		if (L->overflow)
			return fail(err, errlen, "%s: certificates exceed %d bytes", L->path,
				    TLS_CERT_MAX);
		t->chain[t->chain_len].data = t->cert_der + L->start;
		t->chain[t->chain_len].data_len = L->used - L->start;
		t->chain_len++;
	} else if (L->obj == OBJ_KEY) {
		e = br_skey_decoder_last_error(&L->sk);
		if (e)
			return fail(err, errlen, "%s: invalid private key (BearSSL error %d)",
				    L->path, e);
		L->have_key = true;
	}
	L->obj = OBJ_SKIP;
	return 0;
}

/* Streams one file through the PEM decoder; objects land in L (see pem_dest). */
static int load_pem(struct pem_load *L, const char *path, char *err, size_t errlen)
{
	br_pem_decoder_context pc;
	unsigned char chunk[512];
	size_t total = 0;
	bool eof = false;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	L->path = path;
	L->obj = OBJ_SKIP;
	br_pem_decoder_init(&pc);
	br_pem_decoder_setdest(&pc, pem_dest, L);
	while (rc == 0 && !eof) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		size_t len, k;
		const unsigned char *p = chunk;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = fail(err, errlen, "%s: %s", path, strerror(errno));
			break;
		}
		if (n == 0) {
			/* the decoder acts on whole lines: end an unterminated last line */
			chunk[0] = '\n';
			n = 1;
			eof = true;
		} else if ((total += (size_t)n) > PEM_FILE_MAX) {
			rc = fail(err, errlen, "%s: larger than %d bytes", path, PEM_FILE_MAX);
			break;
		}
		for (len = (size_t)n; rc == 0 && len > 0; p += k, len -= k) {
			k = br_pem_decoder_push(&pc, p, len);
			switch (br_pem_decoder_event(&pc)) {
			case BR_PEM_BEGIN_OBJ:
				rc = pem_begin(L, br_pem_decoder_name(&pc), err, errlen);
				break;
			case BR_PEM_END_OBJ:
				rc = pem_end(L, err, errlen);
				break;
			case BR_PEM_ERROR:
				rc = fail(err, errlen, "%s: malformed PEM", path);
				break;
			}
		}
	}
	if (rc == 0 && L->obj != OBJ_SKIP)
		rc = fail(err, errlen, "%s: truncated PEM object", path);
	close(fd);
	return rc;
}

/* Copies the decoded key out of the (stack) decoder into t. */
static int copy_key(struct tls_ctx *t, const br_skey_decoder_context *sk, const char *path,
		    char *err, size_t errlen)
{
	const br_ec_private_key *ek = br_skey_decoder_get_ec(sk);
	const br_rsa_private_key *rk = br_skey_decoder_get_rsa(sk);

	if (ek) {
		/* ECDSA certificates only come on the NIST curves (X25519 cannot sign) */
		if (ek->curve != BR_EC_secp256r1 && ek->curve != BR_EC_secp384r1 &&
		    ek->curve != BR_EC_secp521r1)
			return fail(err, errlen, "%s: unsupported EC curve %d", path, ek->curve);
		if (ek->xlen > sizeof t->ec_x)
			return fail(err, errlen, "%s: EC key too large", path);
		memcpy(t->ec_x, ek->x, ek->xlen);
		t->ec = (br_ec_private_key){ .curve = ek->curve, .x = t->ec_x, .xlen = ek->xlen };
		t->key_type = BR_KEYTYPE_EC;
		return 0;
	}
	if (!rk)
		return fail(err, errlen, "%s: unsupported private key type", path);
	const unsigned char *src[5] = { rk->p, rk->q, rk->dp, rk->dq, rk->iq };
	size_t len[5] = { rk->plen, rk->qlen, rk->dplen, rk->dqlen, rk->iqlen };
	unsigned char *dst[5], *p = t->rsa_buf;
	for (int i = 0; i < 5; i++) {
		if (len[i] > sizeof t->rsa_buf - (size_t)(p - t->rsa_buf))
			return fail(err, errlen, "%s: RSA key too large", path);
		dst[i] = memcpy(p, src[i], len[i]);
		p += len[i];
	}
	t->rsa = (br_rsa_private_key){ .n_bitlen = rk->n_bitlen,
				       .p = dst[0], .plen = len[0], .q = dst[1], .qlen = len[1],
				       .dp = dst[2], .dplen = len[2], .dq = dst[3], .dqlen = len[3],
				       .iq = dst[4], .iqlen = len[4] };
	t->key_type = BR_KEYTYPE_RSA;
	return 0;
}

/* Whether the private key in t belongs to the certificate public key pk. */
static bool key_matches(const struct tls_ctx *t, const br_x509_pkey *pk)
{
	if (t->key_type == BR_KEYTYPE_EC) {
		unsigned char q[BR_EC_KBUF_PUB_MAX_SIZE];
		br_ec_public_key pub;

		if (pk->key.ec.curve != t->ec.curve ||
		    !br_ec_compute_pub(br_ec_get_default(), &pub, q, &t->ec))
			return false;
		return pub.qlen == pk->key.ec.qlen && !memcmp(pub.q, pk->key.ec.q, pub.qlen);
	}
	/* RSA: sign a digest, verify with the certificate's key (BearSSL 0.6's modulus
	 * recomputation has no room for 4096-bit keys) */
	static const unsigned char digest[32] = { 1 };
	unsigned char sig[512], out[32];
	size_t slen = (t->rsa.n_bitlen + 7) / 8;

	if (slen > sizeof sig ||
	    !br_rsa_pkcs1_sign_get_default()(BR_HASH_OID_SHA256, digest, 32, &t->rsa, sig))
		return false;
	return br_rsa_pkcs1_vrfy_get_default()(sig, slen, BR_HASH_OID_SHA256, 32, &pk->key.rsa,
					       out) && !memcmp(out, digest, 32);
}

static int load_files(struct tls_ctx *t, const char *cert_path, const char *key_path, char *err,
		      size_t errlen)
{
	struct pem_load L = { .t = t, .want_certs = true };
	br_x509_decoder_context dc;
	const br_x509_pkey *pk;

	/* without a separate key file, the key is looked for next to the certificates */
	if (!key_path || !*key_path || !strcmp(key_path, cert_path)) {
		L.want_key = true;
		key_path = cert_path;
	}
	if (load_pem(&L, cert_path, err, errlen) < 0)
		return -1;
	if (t->chain_len == 0)
		return fail(err, errlen, "%s: no certificate found", cert_path);
	if (!L.want_key) {
		L.want_certs = false;
		L.want_key = true;
		if (load_pem(&L, key_path, err, errlen) < 0)
			return -1;
	}
	if (!L.have_key)
		return fail(err, errlen, "%s: %s", key_path,
			    L.encrypted ? "encrypted private keys are not supported"
					: "no private key found");
	if (copy_key(t, &L.sk, key_path, err, errlen) < 0)
		return -1;

	br_x509_decoder_init(&dc, NULL, NULL);
	br_x509_decoder_push(&dc, t->chain[0].data, t->chain[0].data_len);
	pk = br_x509_decoder_get_pkey(&dc);
	if (!pk)
		return fail(err, errlen, "%s: cannot decode the first certificate (BearSSL "
			    "error %d)", cert_path, br_x509_decoder_last_error(&dc));
	if (pk->key_type != t->key_type)
		return fail(err, errlen, "%s: %s private key for an %s certificate (%s)", key_path,
			    key_name(t->key_type), key_name(pk->key_type), cert_path);
	if (!key_matches(t, pk))
		return fail(err, errlen, "%s: private key does not match the certificate %s",
			    key_path, cert_path);
	return 0;
}

/* ---- Ephemeral certificate ------------------------------------------------------------ */

struct der {
	unsigned char *buf;
	size_t cap, len;
	bool bad;		/* overflow: the result is unusable */
};

static void der_put(struct der *d, const void *p, size_t n)
{
	if (d->bad || n > d->cap - d->len) {
		d->bad = true;
		return;
	}
	memcpy(d->buf + d->len, p, n);
	d->len += n;
}

/* Turns everything written since start into the content of one TLV with tag. */
static void der_wrap(struct der *d, unsigned char tag, size_t start)
{
	size_t n = d->len - start, hl = 0;
	unsigned char h[4];

	if (d->bad || n > 0xffff)
		goto bad;
	h[hl++] = tag;
	if (n >= 0x100)
		h[hl++] = 0x82, h[hl++] = (unsigned char)(n >> 8);
	else if (n >= 0x80)
		h[hl++] = 0x81;
	h[hl++] = (unsigned char)n;
	if (hl > d->cap - d->len)
		goto bad;
	memmove(d->buf + start + hl, d->buf + start, n);
	memcpy(d->buf + start, h, hl);
	d->len += hl;
	return;
bad:
	d->bad = true;
}

static void der_tlv(struct der *d, unsigned char tag, const void *p, size_t n)
{
	size_t start = d->len;

	der_put(d, p, n);
	der_wrap(d, tag, start);
}

/* Name ::= SEQUENCE { SET { SEQUENCE { id-at-commonName, UTF8String } } } */
static void der_name(struct der *d, const char *cn)
{
	static const unsigned char oid_cn[] = { 0x06, 0x03, 0x55, 0x04, 0x03 };
	size_t start = d->len;

	der_put(d, oid_cn, sizeof oid_cn);
	der_tlv(d, 0x0c, cn, strlen(cn));
	der_wrap(d, 0x30, start);
	der_wrap(d, 0x31, start);
	der_wrap(d, 0x30, start);
}

/* RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050 (and before 1950). */
static void der_time(struct der *d, const struct tm *tm)
{
	int year = tm->tm_year + 1900;
	int f[6] = { year % 100, tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec };
	bool utc = year >= 1950 && year < 2050;
	char s[16];
	size_t n = 0;

	if (!utc) {
		s[n++] = (char)('0' + year / 1000 % 10);
		s[n++] = (char)('0' + year / 100 % 10);
	}
	for (int i = 0; i < 6; i++) {
		s[n++] = (char)('0' + f[i] / 10 % 10);
		s[n++] = (char)('0' + f[i] % 10);
	}
	s[n++] = 'Z';
	der_tlv(d, utc ? 0x17 : 0x18, s, n);
}

/* subjectAltName: DNS:cn (or IP:cn for an address literal), DNS:localhost, loopbacks. */
static void der_san(struct der *d, const char *cn)
{
	static const unsigned char oid_san[] = { 0x06, 0x03, 0x55, 0x1d, 0x11 };
	static const unsigned char lo4[4] = { 127, 0, 0, 1 }, lo6[16] = { [15] = 1 };
	unsigned char ip[16];
	size_t start = d->len, names, i;
	bool dns = true;

	der_put(d, oid_san, sizeof oid_san);
	names = d->len;
	for (i = 0; cn[i]; i++)
		if (!(cn[i] == '-' || cn[i] == '.' || (cn[i] >= '0' && cn[i] <= '9') ||
		      ((cn[i] | 0x20) >= 'a' && (cn[i] | 0x20) <= 'z')))
			dns = false;
	if (inet_pton(AF_INET, cn, ip) == 1) {
		if (memcmp(ip, lo4, 4))
			der_tlv(d, 0x87, ip, 4);
	} else if (inet_pton(AF_INET6, cn, ip) == 1) {
		if (memcmp(ip, lo6, 16))
			der_tlv(d, 0x87, ip, 16);
	} else if (dns && strcmp(cn, "localhost")) {
		der_tlv(d, 0x82, cn, i);
	}
	der_tlv(d, 0x82, "localhost", 9);
	der_tlv(d, 0x87, lo4, sizeof lo4);
	der_tlv(d, 0x87, lo6, sizeof lo6);
	der_wrap(d, 0x30, names);
	der_wrap(d, 0x04, names);
	der_wrap(d, 0x30, start);
}

/* A P-256 key and a self-signed certificate for it, in t. */
static int make_ephemeral(struct tls_ctx *t, br_hmac_drbg_context *rng, const char *cn, char *err,
			  size_t errlen)
{
	/* AlgorithmIdentifier { ecdsa-with-SHA256 } (parameters absent, RFC 5758) */
	static const unsigned char alg_sig[] = { 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48,
						 0xce, 0x3d, 0x04, 0x03, 0x02 };
	/* AlgorithmIdentifier { id-ecPublicKey, prime256v1 } */
	static const unsigned char alg_key[] = { 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce,
						 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
						 0xce, 0x3d, 0x03, 0x01, 0x07 };
	static const unsigned char version[] = { 0xa0, 0x03, 0x02, 0x01, 0x02 }; /* v3 */
	static const unsigned char fixed_ext[] = {
		/* basicConstraints, critical, cA FALSE (default, so an empty SEQUENCE) */
		0x30, 0x0c, 0x06, 0x03, 0x55, 0x1d, 0x13, 0x01, 0x01, 0xff, 0x04, 0x02, 0x30, 0x00,
		/* keyUsage, critical, digitalSignature (bit 0) */
		0x30, 0x0e, 0x06, 0x03, 0x55, 0x1d, 0x0f, 0x01, 0x01, 0xff, 0x04, 0x04, 0x03, 0x02,
		0x07, 0x80,
		/* extKeyUsage serverAuth (1.3.6.1.5.5.7.3.1) */
		0x30, 0x13, 0x06, 0x03, 0x55, 0x1d, 0x25, 0x04, 0x0c, 0x30, 0x0a, 0x06, 0x08, 0x2b,
		0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01
	};
	const br_ec_impl *ec = br_ec_get_default();
	unsigned char pbuf[BR_EC_KBUF_PUB_MAX_SIZE], serial[16], hash[32], sig[80];
	struct der d = { .buf = t->cert_der, .cap = sizeof t->cert_der };
	br_ec_public_key pub;
	br_sha256_context h;
	time_t now = time(NULL), nb = now - 86400;
	struct tm tnb, tna;
	size_t i, mark, sub, siglen;

	if (!cn || !*cn)
		cn = "localhost";
	for (i = 0; cn[i]; i++)
		if (cn[i] < 0x20 || cn[i] > 0x7e || i >= 64) /* ub-common-name is 64 */
			return fail(err, errlen, "certificate name must be 1-64 printable ASCII");
	if (!br_ec_keygen(&rng->vtable, ec, &t->ec, t->ec_x, BR_EC_secp256r1) ||
	    !br_ec_compute_pub(ec, &pub, pbuf, &t->ec))
		return fail(err, errlen, "P-256 key generation failed");
	t->key_type = BR_KEYTYPE_EC;
	if (!gmtime_r(&nb, &tnb) || !gmtime_r(&now, &tna))
		return fail(err, errlen, "cannot convert the current time");
	tna.tm_year += 10;
	if (tna.tm_mon == 1 && tna.tm_mday == 29)
		tna.tm_mday = 28; /* ten years after a 29 February may not have one */
	/* positive (top bit clear) and minimally encoded (second bit set): 126 random bits */
	br_hmac_drbg_generate(rng, serial, sizeof serial);
	serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x40);

	der_put(&d, version, sizeof version);
	der_tlv(&d, 0x02, serial, sizeof serial);
	der_put(&d, alg_sig, sizeof alg_sig);
	der_name(&d, cn);
	mark = d.len;
	der_time(&d, &tnb);
	der_time(&d, &tna);
	der_wrap(&d, 0x30, mark);
	der_name(&d, cn);
	mark = d.len;
	der_put(&d, alg_key, sizeof alg_key);
	sub = d.len;
	der_put(&d, "", 1); /* BIT STRING: no unused bits */
	der_put(&d, pub.q, pub.qlen);
	der_wrap(&d, 0x03, sub);
	der_wrap(&d, 0x30, mark);
	mark = d.len;
	der_put(&d, fixed_ext, sizeof fixed_ext);
	der_san(&d, cn);
	der_wrap(&d, 0x30, mark);
	der_wrap(&d, 0xa3, mark); /* [3] EXPLICIT Extensions */
	der_wrap(&d, 0x30, 0);	  /* TBSCertificate */
	if (d.bad)
		return fail(err, errlen, "certificate does not fit in %d bytes", TLS_CERT_MAX);

	br_sha256_init(&h);
	br_sha256_update(&h, d.buf, d.len);
	br_sha256_out(&h, hash);
	siglen = br_ecdsa_sign_asn1_get_default()(ec, &br_sha256_vtable, hash, &t->ec, sig);
	if (!siglen)
		return fail(err, errlen, "certificate signature failed");
	der_put(&d, alg_sig, sizeof alg_sig);
	sub = d.len;
	der_put(&d, "", 1);
	der_put(&d, sig, siglen);
	der_wrap(&d, 0x03, sub);
	der_wrap(&d, 0x30, 0); /* Certificate */
	if (d.bad)
		return fail(err, errlen, "certificate does not fit in %d bytes", TLS_CERT_MAX);
	t->chain[0] = (br_x509_certificate){ .data = d.buf, .data_len = d.len };
	t->chain_len = 1;
	return 0;
}

/* ---- Set-up --------------------------------------------------------------------------- */

int tls_setup(struct tls_ctx *t, const char *cert_path, const char *key_path, const char *cn,
	      const void *seed, size_t seedlen, unsigned cache_sessions, char *err, size_t errlen)
{
	br_sha256_context h;

	memset(t, 0, sizeof *t);
	if (!seed || seedlen < 32)
		return fail(err, errlen, "TLS needs at least 32 bytes of seed");
	/* two generators from two derived seeds: the key's, used once here and wiped, and the
	 * one whose output (server randoms) every client sees */
	uint8_t master[SEED_LEN], s[SEED_LEN];
	br_hmac_drbg_context keyrng;
	struct iov v = { seed, seedlen };
	hmac_iov(HASH_SHA256, "bmcd tls", 8, &v, 1, master);
	seed_derive(master, "tls key", s);
	br_hmac_drbg_init(&keyrng, &br_sha256_vtable, s, sizeof s);
	seed_derive(master, "tls connections", s);
	br_hmac_drbg_init(&t->rng, &br_sha256_vtable, s, sizeof s);
	memset(master, 0, sizeof master);
	memset(s, 0, sizeof s);
	int rc = cert_path && *cert_path ? load_files(t, cert_path, key_path, err, errlen)
					 : make_ephemeral(t, &keyrng, cn, err, errlen);
	memset(&keyrng, 0, sizeof keyrng);
	if (rc)
		return -1;

	br_sha256_init(&h);
	br_sha256_update(&h, t->chain[0].data, t->chain[0].data_len);
	br_sha256_out(&h, t->fingerprint);

	if (cache_sessions > 0) {
		/* 100 bytes per entry is BearSSL's documented LRU entry size */
		if (cache_sessions > 1000000)
			return fail(err, errlen, "session cache of %u entries is too large",
				    cache_sessions);
		t->cache_store = malloc((size_t)cache_sessions * 100);
		if (!t->cache_store)
			return fail(err, errlen, "out of memory for the TLS session cache");
		br_ssl_session_cache_lru_init(&t->cache, t->cache_store,
					      (size_t)cache_sessions * 100);
	}
	return 0;
}

void tls_fingerprint_str(const struct tls_ctx *t, char out[96])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < 32; i++) {
		out[i * 3] = hex[t->fingerprint[i] >> 4];
		out[i * 3 + 1] = hex[t->fingerprint[i] & 15];
		out[i * 3 + 2] = i < 31 ? ':' : '\0';
	}
}

void tls_conn_start(struct tls_conn *c, struct tls_ctx *t)
{
	static const uint16_t suites_ec[] = {
		BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	};
	static const uint16_t suites_rsa[] = {
		BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	};
	br_ssl_engine_context *e = &c->sc.eng;
	unsigned char entropy[32];

	br_ssl_server_zero(&c->sc);
	br_ssl_engine_set_versions(e, BR_TLS12, BR_TLS12);
	br_ssl_engine_add_flags(e, BR_OPT_ENFORCE_SERVER_PREFERENCES | BR_OPT_NO_RENEGOTIATION);
	if (t->key_type == BR_KEYTYPE_EC)
		br_ssl_engine_set_suites(e, suites_ec, sizeof suites_ec / sizeof suites_ec[0]);
	else
		br_ssl_engine_set_suites(e, suites_rsa, sizeof suites_rsa / sizeof suites_rsa[0]);
	/* SHA-256/384 run the PRFs and transcripts; the others are only offered for the
	 * ServerKeyExchange signature when a client asks for them (SHA-1: pre-2015 clients) */
	br_ssl_engine_set_hash(e, br_sha1_ID, &br_sha1_vtable);
	br_ssl_engine_set_hash(e, br_sha224_ID, &br_sha224_vtable);
	br_ssl_engine_set_hash(e, br_sha256_ID, &br_sha256_vtable);
	br_ssl_engine_set_hash(e, br_sha384_ID, &br_sha384_vtable);
	br_ssl_engine_set_hash(e, br_sha512_ID, &br_sha512_vtable);
	br_ssl_engine_set_prf_sha256(e, &br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(e, &br_tls12_sha384_prf);
	br_ssl_engine_set_default_aes_gcm(e);
	br_ssl_engine_set_default_chapol(e);
	br_ssl_engine_set_default_ec(e); /* X25519, P-256, P-384, P-521 for ECDHE */
	if (t->key_type == BR_KEYTYPE_EC)
		br_ssl_server_set_single_ec(&c->sc, t->chain, t->chain_len, &t->ec, BR_KEYTYPE_SIGN,
					    BR_KEYTYPE_EC, br_ssl_engine_get_ec(e),
					    br_ecdsa_sign_asn1_get_default());
	else
		br_ssl_server_set_single_rsa(&c->sc, t->chain, t->chain_len, &t->rsa,
					     BR_KEYTYPE_SIGN, br_rsa_private_get_default(),
					     br_rsa_pkcs1_sign_get_default());
	if (t->cache_store)
		br_ssl_server_set_cache(&c->sc, &t->cache.vtable);
	br_ssl_engine_set_buffer(e, c->iobuf, sizeof c->iobuf, 0);
	br_hmac_drbg_generate(&t->rng, entropy, sizeof entropy);
	br_ssl_engine_inject_entropy(e, entropy, sizeof entropy);
	memset(entropy, 0, sizeof entropy);
	c->closed = !br_ssl_server_reset(&c->sc);
	c->last_error = c->closed ? br_ssl_engine_last_error(e) : 0;
}

/* ---- The pump ------------------------------------------------------------------------- */

/* The connection is over: err is BearSSL's code, or BR_ERR_IO for the socket's end. */
static int conn_over(struct tls_conn *c, int err)
{
	c->closed = true;
	c->last_error = err;
	return -1;
}

/*
 * One record transfer. An outgoing record goes first: while the mono buffer holds one the
 * engine can do nothing else. Returns 1 on progress, 0 when the socket would block or the
 * engine wants nothing here, -1 when the connection is over.
 */
static int io_step(struct tls_conn *c, int fd, bool recv_ok)
{
	br_ssl_engine_context *e = &c->sc.eng;
	unsigned st = br_ssl_engine_current_state(e);
	unsigned char *p;
	size_t len;
	ssize_t n;

	if (st & BR_SSL_CLOSED)
		return conn_over(c, br_ssl_engine_last_error(e));
	if (st & BR_SSL_SENDREC) {
		p = br_ssl_engine_sendrec_buf(e, &len);
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n > 0)
			br_ssl_engine_sendrec_ack(e, (size_t)n);
	} else if (recv_ok && (st & BR_SSL_RECVREC)) {
		p = br_ssl_engine_recvrec_buf(e, &len);
		n = recv(fd, p, len, 0);
		if (n == 0)
			return conn_over(c, BR_ERR_IO); /* EOF */
		if (n > 0)
			br_ssl_engine_recvrec_ack(e, (size_t)n);
	} else {
		return 0;
	}
	if (n > 0)
		return 1;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	return conn_over(c, BR_ERR_IO);
}

ssize_t tls_read(struct tls_conn *c, int fd, void *buf, size_t len)
{
	br_ssl_engine_context *e = &c->sc.eng;

	if (c->closed)
		return -1;
	for (int i = 0; i < PUMP_STEPS; i++) {
		if (br_ssl_engine_current_state(e) & BR_SSL_RECVAPP) {
			size_t n;
			unsigned char *p = br_ssl_engine_recvapp_buf(e, &n);

			n = n < len ? n : len;
			memcpy(buf, p, n);
			br_ssl_engine_recvapp_ack(e, n);
			return (ssize_t)n;
		}
		int r = io_step(c, fd, true);
		if (r <= 0)
			return r;
	}
	return 0;
}

ssize_t tls_write(struct tls_conn *c, int fd, const void *buf, size_t len)
{
	br_ssl_engine_context *e = &c->sc.eng;

	if (c->closed)
		return -1;
	for (int i = 0; i < PUMP_STEPS && len > 0; i++) {
		unsigned st = br_ssl_engine_current_state(e);

		if (st & BR_SSL_SENDAPP) {
			size_t n;
			unsigned char *p = br_ssl_engine_sendapp_buf(e, &n);

			n = n < len ? n : len;
			memcpy(p, buf, n);
			br_ssl_engine_sendapp_ack(e, n);
			return (ssize_t)n;
		}
		/* still in the handshake, or unread plaintext holds the buffer */
		if (!(st & (BR_SSL_SENDREC | BR_SSL_CLOSED)))
			return 0;
		int r = io_step(c, fd, false);
		if (r <= 0)
			return r;
	}
	return 0;
}

int tls_flush(struct tls_conn *c, int fd)
{
	if (c->closed)
		return -1;
	br_ssl_engine_flush(&c->sc.eng, 0);
	for (int i = 0; i < PUMP_STEPS; i++) {
		if (!(br_ssl_engine_current_state(&c->sc.eng) & (BR_SSL_SENDREC | BR_SSL_CLOSED)))
			return 0;
		int r = io_step(c, fd, false);
		if (r <= 0)
			return r < 0 ? -1 : 1;
	}
	return 1;
}

short tls_events(struct tls_conn *c)
{
	unsigned st = br_ssl_engine_current_state(&c->sc.eng);
	short ev = 0;

	/* a finished connection asks for attention so the next pump call reports -1 */
	if (c->closed || (st & BR_SSL_CLOSED))
		return POLLIN | POLLOUT;
	if (st & BR_SSL_SENDREC)
		ev |= POLLOUT;
	/* RECVAPP: plaintext is waiting; the caller should drain it with tls_read */
	if (st & (BR_SSL_RECVREC | BR_SSL_RECVAPP))
		ev |= POLLIN;
	return ev;
}

void tls_close(struct tls_conn *c, int fd)
{
	if (c->closed)
		return;
	/* the engine turns buffered plaintext into a record before its close_notify */
	br_ssl_engine_close(&c->sc.eng);
	for (int i = 0; i < PUMP_STEPS && io_step(c, fd, false) > 0; i++)
		;
	c->closed = true;
}
