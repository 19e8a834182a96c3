/*
 * fuzz_tls: bytes from a TLS client into net/tls.c's non-blocking BearSSL pump, the way
 * net/httpd.c drives it: tls_read / tls_flush / tls_events until nothing moves, then the
 * decrypted application data through http_parse, an answer with tls_write, tls_close.
 *
 * Per input: a fresh AF_UNIX socketpair (no network). The input is written to the peer
 * end, which is then shut for writing (the server sees EOF after the last byte); the
 * server end is pumped with at most PUMP_ROUNDS rounds; whatever the server sends is read
 * and dropped. Both ends are closed. The TLS context (ephemeral P-256 certificate, a
 * 4-entry resumption cache) is made once.
 *
 * Determinism: this harness links a BearSSL built without OS randomness
 * (tests/fuzz/bearssl.sh), so a connection's randoms and ECDHE key come only from the
 * HMAC-DRBG in struct tls_ctx, which is restored before every input together with the
 * resumption cache; the certificate's validity dates come from time(), which this harness
 * pins (below). The server's side of a handshake is therefore the same on every run, and a
 * client flight recorded against it replays into a complete handshake and decrypted
 * application data. With FUZZ_TLS_SEEDS=<dir> in the environment, LLVMFuzzerInitialize
 * records such flights with an in-process BearSSL client (deterministic too) and writes
 * them to <dir>; make_corpus.py runs that (it also records real curl/openssl ClientHellos,
 * which only reach the handshake's first steps).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../net/tls.h"
#include "../../proto/http.h"
#include "fuzz_common.h"

#define PUMP_ROUNDS 64
#define CACHE_SESSIONS 4

static struct tls_ctx ctx;
static struct tls_conn conn;
static br_hmac_drbg_context rng0;
static br_ssl_session_cache_lru cache0;
static unsigned char store0[CACHE_SESSIONS * 100];

/* The ephemeral certificate is dated from time(): a fixed clock keeps its bytes, and so
 * every handshake transcript, the same on every day. Only net/tls.c calls time() here. */
time_t time(time_t *t)
{
	time_t v = 1767225600; /* 2026-01-01 */
	if (t)
		*t = v;
	return v;
}

/* Reads and drops what the server sent; returns how many bytes. */
static size_t drain(int fd)
{
	unsigned char junk[16384];
	size_t total = 0;
	for (int i = 0; i < 64; i++) {
		ssize_t r = recv(fd, junk, sizeof(junk), MSG_DONTWAIT);
		if (r <= 0)
			break;
		total += (size_t)r;
	}
	return total;
}

/* Bytes still waiting in the server's socket. */
static int unread(int fd)
{
	int n = 0;
	return ioctl(fd, FIONREAD, &n) < 0 ? -1 : n;
}

static void restore(void)
{
	ctx.rng = rng0;
	ctx.cache = cache0;
	memcpy(ctx.cache_store, store0, sizeof(store0));
}

/*
 * Feeds in[0..n) to a fresh server connection and pumps it. Returns the number of
 * plaintext bytes the server read (into app), or -1 when the socketpair failed.
 */
static ssize_t serve(const uint8_t *in, size_t n, char *app, size_t cap, bool *done)
{
	int fd[2];
	size_t alen = 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fd) < 0)
		return -1;
	int big = 1 << 20;
	setsockopt(fd[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	setsockopt(fd[0], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	for (size_t off = 0, k = 0; off < n && k < 64; k++) {
		ssize_t w = send(fd[1], in + off, n - off, MSG_NOSIGNAL);
		if (w <= 0)
			break; /* buffer full: the rest is simply not sent */
		off += (size_t)w;
	}
	shutdown(fd[1], SHUT_WR);
	tls_conn_start(&conn, &ctx);
	*done = false;
	for (int i = 0; i < PUMP_ROUNDS; i++) {
		int before = unread(fd[0]);
		ssize_t r = tls_read(&conn, fd[0], app + alen, cap - alen);
		if (r > 0)
			alen += (size_t)r;
		int f = tls_flush(&conn, fd[0]);
		*done |= (br_ssl_engine_current_state(&conn.sc.eng) & BR_SSL_SENDAPP) != 0;
		size_t sent = drain(fd[1]);
		if (r < 0 || f < 0 || alen == cap)
			break;
		/* progress: plaintext came out, input was consumed, or output left */
		if (r == 0 && sent == 0 && unread(fd[0]) == before && !(tls_events(&conn) & POLLOUT))
			break;
	}
	if (alen) {
		/* what the HTTP layer does with a request that came over TLS */
		struct http_request rq;
		if (http_parse(app, alen, &rq) > 0) {
			static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
			for (int i = 0; i < 4; i++) {
				ssize_t w = tls_write(&conn, fd[0], ok, sizeof(ok) - 1);
				if (tls_flush(&conn, fd[0]) < 0 || w != 0)
					break;
				drain(fd[1]);
			}
			drain(fd[1]);
		}
	}
	tls_close(&conn, fd[0]);
	drain(fd[1]);
	close(fd[0]);
	close(fd[1]);
	return (ssize_t)alen;
}

/* --- seed recording with an in-process BearSSL client ---------------------------------- */

struct rec {
	unsigned char *p;
	size_t n, cap;
};

static void rec_add(struct rec *r, const void *p, size_t n)
{
	if (r->n + n > r->cap) {
		size_t cap = (r->n + n) * 2;
		unsigned char *q = realloc(r->p, cap);
		FUZZ_ASSERT(q, "out of memory");
		r->p = q;
		r->cap = cap;
	}
	memcpy(r->p + r->n, p, n);
	r->n += n;
}

/* Runs a handshake between a BearSSL client (suite: 0 = the client's defaults) and the
 * server, sends an HTTP request, reads the answer, closes; records the client's bytes. */
static void record(uint16_t suite, struct rec *out)
{
	static br_ssl_client_context cc;
	static br_x509_minimal_context xc;
	static br_x509_knownkey_context kk;
	static unsigned char cbuf[BR_SSL_BUFSIZE_BIDI];
	static unsigned char pub[BR_EC_KBUF_PUB_MAX_SIZE];
	static const char req[] = "GET /redfish/v1/ HTTP/1.1\r\nHost: localhost\r\n"
				  "Authorization: Basic YWRtaW46YWRtaW4=\r\n\r\n";
	br_ec_public_key pk;
	FUZZ_ASSERT(br_ec_compute_pub(br_ec_get_default(), &pk, pub, &ctx.ec), "public key");
	br_ssl_client_init_full(&cc, &xc, NULL, 0);
	br_x509_knownkey_init_ec(&kk, &pk, BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN);
	br_ssl_engine_set_x509(&cc.eng, &kk.vtable);
	if (suite)
		br_ssl_engine_set_suites(&cc.eng, &suite, 1);
	br_ssl_engine_set_buffer(&cc.eng, cbuf, sizeof(cbuf), 1);
	br_ssl_engine_inject_entropy(&cc.eng, "bmcd fuzz: a fixed client seed.", 32);
	FUZZ_ASSERT(br_ssl_client_reset(&cc, "localhost", 0), "client reset");

	int fd[2];
	FUZZ_ASSERT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fd) == 0, "socketpair");
	restore();
	tls_conn_start(&conn, &ctx);
	char app[4096];
	size_t alen = 0;
	bool sent = false, answered = false;
	for (int i = 0; i < 400; i++) {
		br_ssl_engine_context *e = &cc.eng;
		unsigned st = br_ssl_engine_current_state(e);
		if (st & BR_SSL_CLOSED)
			break;
		if (st & BR_SSL_SENDREC) {
			size_t n;
			unsigned char *p = br_ssl_engine_sendrec_buf(e, &n);
			ssize_t w = send(fd[1], p, n, MSG_NOSIGNAL);
			if (w > 0) {
				rec_add(out, p, (size_t)w);
				br_ssl_engine_sendrec_ack(e, (size_t)w);
			}
		} else if ((st & BR_SSL_SENDAPP) && !sent) {
			size_t n;
			unsigned char *p = br_ssl_engine_sendapp_buf(e, &n);
			FUZZ_ASSERT(n >= sizeof(req) - 1, "client buffer");
			memcpy(p, req, sizeof(req) - 1);
			br_ssl_engine_sendapp_ack(e, sizeof(req) - 1);
			br_ssl_engine_flush(e, 0);
			sent = true;
		} else if (st & BR_SSL_RECVAPP) {
			size_t n;
			br_ssl_engine_recvapp_buf(e, &n);
			br_ssl_engine_recvapp_ack(e, n);
			if (!answered)
				br_ssl_engine_close(e); /* the answer came: close_notify */
			answered = true;
		} else if (st & BR_SSL_RECVREC) {
			size_t n;
			unsigned char *p = br_ssl_engine_recvrec_buf(e, &n);
			ssize_t r = recv(fd[1], p, n, 0);
			if (r > 0)
				br_ssl_engine_recvrec_ack(e, (size_t)r);
		}
		/* the server's turn */
		ssize_t r = tls_read(&conn, fd[0], app + alen, sizeof(app) - alen);
		if (r > 0)
			alen += (size_t)r;
		if (alen && memmem(app, alen, "\r\n\r\n", 4)) {
			static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
			if (tls_write(&conn, fd[0], ok, sizeof(ok) - 1) > 0)
				alen = 0;
		}
		tls_flush(&conn, fd[0]);
	}
	close(fd[0]);
	close(fd[1]);
	FUZZ_ASSERT(sent && answered, "in-process handshake failed (client error %d, server %d)",
		    br_ssl_engine_last_error(&cc.eng), conn.last_error);
}

static void write_seed(const char *dir, const char *name, const void *p, size_t n)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	FUZZ_ASSERT(f && fwrite(p, 1, n, f) == n && fclose(f) == 0, "cannot write %s", path);
}

static void make_seeds(const char *dir)
{
	static const struct {
		uint16_t suite;
		const char *name;
	} v[] = {
		{ 0, "bearssl_default" },
		{ BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "bearssl_aes128gcm" },
		{ BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, "bearssl_aes256gcm" },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct rec r = { NULL, 0, 0 };
		char name[64], app[4096];
		bool done;
		record(v[i].suite, &r);
		/* the recording must replay: the server side is deterministic */
		restore();
		ssize_t got = serve(r.p, r.n, app, sizeof(app), &done);
		FUZZ_ASSERT(done && got > 0, "%s: the recorded flight does not replay (BearSSL "
			    "with OS randomness? see tests/fuzz/bearssl.sh)", v[i].name);
		snprintf(name, sizeof(name), "%s_full", v[i].name);
		write_seed(dir, name, r.p, r.n);
		/* the first record alone: the ClientHello */
		if (r.n >= 5) {
			size_t hl = 5 + (size_t)(r.p[3] << 8 | r.p[4]);
			snprintf(name, sizeof(name), "%s_hello", v[i].name);
			write_seed(dir, name, r.p, hl < r.n ? hl : r.n);
		}
		free(r.p);
	}
	fprintf(stderr, "fuzz_tls: wrote replayable handshake seeds to %s\n", dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	static const unsigned char seed[32] = "bmcd fuzz seed: fixed on purpose";
	char err[256];
	FUZZ_ASSERT(tls_setup(&ctx, NULL, NULL, "bmcd-fuzz", seed, sizeof(seed), CACHE_SESSIONS,
			      err, sizeof(err)) == 0, "tls_setup: %s", err);
	rng0 = ctx.rng;
	cache0 = ctx.cache;
	memcpy(store0, ctx.cache_store, sizeof(store0));
	const char *dir = getenv("FUZZ_TLS_SEEDS");
	if (dir && *dir)
		make_seeds(dir);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char app[HTTP_HEAD_MAX];
	bool done;
	restore();
	FUZZ_ASSERT(serve(data, size, app, sizeof(app), &done) >= 0, "socketpair: %s",
		    strerror(errno));
	return 0;
}
