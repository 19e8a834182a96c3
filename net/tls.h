/*
 * TLS 1.2 server side with BearSSL: certificate loading (PEM, ECDSA or RSA), an ephemeral
 * self-signed P-256 certificate when none is configured, a fixed-size session-resumption
 * cache, and a per-connection engine pump driven by the poll loop (in the manner of
 * BearSSL's tools/sslio.c, but non-blocking).
 *
 * Cipher suites: ECDHE with ECDSA or RSA (whichever the key is), AES-128/256-GCM and
 * ChaCha20-Poly1305; TLS 1.2 only.
 *
 * Memory: struct tls_conn holds a BR_SSL_BUFSIZE_MONO buffer (HTTP/1.1 is half-duplex per
 * connection). The caller allocates all connections at start-up.
 */
#ifndef BMCD_TLS_H
#define BMCD_TLS_H

#include <bearssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TLS_CHAIN_MAX 4		/* certificates in the configured chain */
#define TLS_CERT_MAX 8192	/* DER bytes of all certificates together */

struct tls_ctx {
	br_x509_certificate chain[TLS_CHAIN_MAX];
	size_t chain_len;
	unsigned char cert_der[TLS_CERT_MAX];
	int key_type;			/* BR_KEYTYPE_EC or BR_KEYTYPE_RSA */
	br_ec_private_key ec;
	unsigned char ec_x[BR_EC_KBUF_PRIV_MAX_SIZE];
	br_rsa_private_key rsa;
	unsigned char rsa_buf[5 * 512];	/* p, q, dp, dq, iq for keys up to 4096 bits */
	br_ssl_session_cache_lru cache;
	unsigned char *cache_store;	/* allocated at set-up */
	unsigned char fingerprint[32];	/* SHA-256 of the leaf certificate */
	br_hmac_drbg_context rng;	/* per-connection entropy (never the key's generator) */
};

struct tls_conn {
	br_ssl_server_context sc;
	unsigned char iobuf[BR_SSL_BUFSIZE_MONO];
	bool closed;			/* the engine is closed (error or close_notify) */
	int last_error;			/* br_ssl_engine_last_error() when it closed */
};

/*
 * Loads cert_path (PEM: leaf first, then its chain) and key_path (PEM: "EC PRIVATE KEY",
 * "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY"). With cert_path NULL or empty, generates a
 * P-256 key and a self-signed certificate in memory (subject CN = cn, SAN DNS:cn,
 * DNS:localhost, IP:127.0.0.1, IP:::1, valid from yesterday for ten years). seed is fresh
 * randomness (>= 32 bytes). cache_sessions sizes the resumption cache (0: none).
 * Returns 0, or -1 with a message in err.
 */
int tls_setup(struct tls_ctx *t, const char *cert_path, const char *key_path, const char *cn,
	      const void *seed, size_t seedlen, unsigned cache_sessions, char *err, size_t errlen);
/* Lowercase hex with colons, 95 characters + NUL. */
void tls_fingerprint_str(const struct tls_ctx *t, char out[96]);

/* Starts a server engine for a new connection. */
void tls_conn_start(struct tls_conn *c, struct tls_ctx *t);

/*
 * The pump. Each call performs at most the socket I/O the engine asks for, without
 * blocking (fd is non-blocking):
 *   tls_read:  plaintext from the peer into buf; returns bytes (> 0), 0 when none is
 *              available yet, -1 when the connection is over (closed, error, EOF).
 *   tls_write: queues plaintext for the peer; returns bytes accepted (may be fewer than
 *              len, or 0 when the engine is busy), -1 when over. Call tls_flush to push.
 *   tls_flush: sends what the engine has ready; returns 0 when all is sent, 1 when more
 *              remains (wait for POLLOUT), -1 on error.
 *   tls_events: the poll events the engine is waiting for (POLLIN and/or POLLOUT).
 *   tls_close: sends close_notify (best effort, no blocking).
 */
ssize_t tls_read(struct tls_conn *c, int fd, void *buf, size_t len);
ssize_t tls_write(struct tls_conn *c, int fd, const void *buf, size_t len);
int tls_flush(struct tls_conn *c, int fd);
short tls_events(struct tls_conn *c);
void tls_close(struct tls_conn *c, int fd);

#endif
