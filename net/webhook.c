/*
 * Event delivery to webhooks: see webhook.h.
 *
 * Implementation notes
 * - A slot's life: IDLE (no socket) -> CONNECTING (non-blocking connect, POLLOUT) -> SEND
 *   (the request; for TLS the handshake happens here too) -> READ (the answer's head into
 *   in[]) -> KEEP (the socket stays open for the next event while the receiver allows it)
 *   or IDLE. Any error, a reset, EOF before the head, a head longer than WH_IN_MAX, or the
 *   attempt's deadline passing ends the attempt as a failure; the Redfish engine decides
 *   about retries. A slot whose subscription changed (deleted, suspended, new headers)
 *   drops its connection.
 * - A request on a kept connection that fails before any answer arrives (the receiver
 *   closed it meanwhile) is sent again at once on a new connection, uncounted.
 * - The answer's body is not read: a keep-alive connection is kept only when the whole
 *   answer (head and Content-Length body) is already in in[]; otherwise it is closed.
 * - TLS: BearSSL's client with the same profile as the server (TLS 1.2, ECDHE, AES-GCM or
 *   ChaCha20-Poly1305), the pump in the manner of net/tls.c. VerifyCertificate true: the
 *   X.509 "minimal" engine with the configured trust anchors (the chain must lead to one of
 *   them; the destination is an address, and BearSSL matches DNS names only, so the
 *   certificate's name is not checked). VerifyCertificate false: the same engine with no
 *   anchors, whose only complaint ("not trusted") is ignored; the server key is still
 *   taken from the certificate, so the handshake is otherwise whole.
 */
#include "webhook.h"

#include <bearssl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../proto/httpc.h"

enum { WS_IDLE, WS_CONNECTING, WS_SEND, WS_READ, WS_KEEP };

struct wh_noverify {
	const br_x509_class *vtable;
	br_x509_minimal_context *inner;
};

struct wh_tls {
	br_ssl_client_context cc;
	br_x509_minimal_context xc;
	struct wh_noverify nv;
	unsigned char iobuf[BR_SSL_BUFSIZE_MONO];
};

/* --- the no-verify X.509 engine: the minimal engine, "not trusted" forgiven ---------------- */

static br_x509_minimal_context *nv_inner(const br_x509_class **ctx)
{
	return ((struct wh_noverify *)(void *)ctx)->inner;
}
static void nv_start_chain(const br_x509_class **ctx, const char *name)
{
	br_x509_minimal_context *x = nv_inner(ctx);
	x->vtable->start_chain(&x->vtable, name);
}
static void nv_start_cert(const br_x509_class **ctx, uint32_t len)
{
	br_x509_minimal_context *x = nv_inner(ctx);
	x->vtable->start_cert(&x->vtable, len);
}
static void nv_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	br_x509_minimal_context *x = nv_inner(ctx);
	x->vtable->append(&x->vtable, buf, len);
}
static void nv_end_cert(const br_x509_class **ctx)
{
	br_x509_minimal_context *x = nv_inner(ctx);
	x->vtable->end_cert(&x->vtable);
}
static unsigned nv_end_chain(const br_x509_class **ctx)
{
	br_x509_minimal_context *x = nv_inner(ctx);
	unsigned e = x->vtable->end_chain(&x->vtable);
	return e == BR_ERR_X509_NOT_TRUSTED ? 0 : e;
}
static const br_x509_pkey *nv_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	const br_x509_minimal_context *x = ((const struct wh_noverify *)(const void *)ctx)->inner;
	return x->vtable->get_pkey(&x->vtable, usages);
}
static const br_x509_class noverify_class = {
	sizeof(struct wh_noverify), nv_start_chain, nv_start_cert, nv_append, nv_end_cert,
	nv_end_chain, nv_get_pkey,
};

/* --- the CA bundle ------------------------------------------------------------------------ */

struct ca_load {
	struct webhook *w;
	unsigned char der[8192];
	size_t dlen;
	bool in_cert, overflow;
	size_t used;		/* of w->store */
	size_t dn_start;
};

static void ca_der(void *ctx, const void *p, size_t n)
{
	struct ca_load *L = ctx;
	if (!L->in_cert)
		return;
	if (n > sizeof(L->der) - L->dlen) {
		L->overflow = true;
		return;
	}
	memcpy(L->der + L->dlen, p, n);
	L->dlen += n;
}

static void ca_dn(void *ctx, const void *p, size_t n)
{
	struct ca_load *L = ctx;
	if (n > WH_ANCHOR_STORE - L->used) {
		L->overflow = true;
		return;
	}
	memcpy(L->w->store + L->used, p, n);
	L->used += n;
}

static unsigned char *store_copy(struct ca_load *L, const void *p, size_t n)
{
	if (n > WH_ANCHOR_STORE - L->used) {
		L->overflow = true;
		return NULL;
	}
	unsigned char *d = L->w->store + L->used;
	memcpy(d, p, n);
	L->used += n;
	return d;
}

/* One decoded certificate becomes a trust anchor. */
static int ca_add(struct ca_load *L, const char *path, char *err, size_t errlen)
{
	struct webhook *w = L->w;
	br_x509_trust_anchor *ta = (br_x509_trust_anchor *)w->anchors + w->nanchors;
	br_x509_decoder_context dc;
	if (w->nanchors == WH_ANCHORS_MAX) {
		snprintf(err, errlen, "%s: more than %d certificates", path, WH_ANCHORS_MAX);
		return -1;
	}
	L->dn_start = L->used;
	br_x509_decoder_init(&dc, ca_dn, L);
	br_x509_decoder_push(&dc, L->der, L->dlen);
	const br_x509_pkey *pk = br_x509_decoder_get_pkey(&dc);
	if (!pk) {
		snprintf(err, errlen, "%s: certificate %zu: cannot decode it (BearSSL error %d)", path,
			 w->nanchors + 1, br_x509_decoder_last_error(&dc));
		return -1;
	}
	memset(ta, 0, sizeof(*ta));
	ta->dn.data = w->store + L->dn_start;
	ta->dn.len = L->used - L->dn_start;
	ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
	ta->pkey.key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		ta->pkey.key.rsa.n = store_copy(L, pk->key.rsa.n, pk->key.rsa.nlen);
		ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
		ta->pkey.key.rsa.e = store_copy(L, pk->key.rsa.e, pk->key.rsa.elen);
		ta->pkey.key.rsa.elen = pk->key.rsa.elen;
	} else {
		ta->pkey.key.ec.curve = pk->key.ec.curve;
		ta->pkey.key.ec.q = store_copy(L, pk->key.ec.q, pk->key.ec.qlen);
		ta->pkey.key.ec.qlen = pk->key.ec.qlen;
	}
	if (L->overflow) {
		snprintf(err, errlen, "%s: the certificates are too large (%d bytes of names and keys)",
			 path, WH_ANCHOR_STORE);
		return -1;
	}
	w->nanchors++;
	return 0;
}

static int load_ca(struct webhook *w, const char *path, char *err, size_t errlen)
{
	struct ca_load *L = calloc(1, sizeof(*L));
	br_pem_decoder_context pc;
	unsigned char chunk[512];
	size_t total = 0;
	int rc = 0;
	bool eof = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!L || fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(L);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	L->w = w;
	br_pem_decoder_init(&pc);
	br_pem_decoder_setdest(&pc, ca_der, L);
	while (!rc && !eof) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			rc = -1;
			break;
		}
		if (n == 0) {
			chunk[0] = '\n';
			n = 1;
			eof = true;
		} else if ((total += (size_t)n) > 256 * 1024) {
			snprintf(err, errlen, "%s: larger than 256 KiB", path);
			rc = -1;
			break;
		}
		const unsigned char *p = chunk;
		for (size_t len = (size_t)n, k; !rc && len; p += k, len -= k) {
			k = br_pem_decoder_push(&pc, p, len);
			switch (br_pem_decoder_event(&pc)) {
			case BR_PEM_BEGIN_OBJ:
				L->in_cert = !strcmp(br_pem_decoder_name(&pc), "CERTIFICATE");
				L->dlen = 0;
				L->overflow = false;
				break;
			case BR_PEM_END_OBJ:
				if (L->in_cert && L->overflow) {
					snprintf(err, errlen, "%s: a certificate larger than %zu bytes", path,
						 sizeof(L->der));
					rc = -1;
				} else if (L->in_cert) {
					rc = ca_add(L, path, err, errlen);
				}
				L->in_cert = false;
				break;
			case BR_PEM_ERROR:
				snprintf(err, errlen, "%s: malformed PEM", path);
				rc = -1;
				break;
			}
		}
	}
	close(fd);
	free(L);
	if (!rc && !w->nanchors) {
		snprintf(err, errlen, "%s: no CERTIFICATE found", path);
		rc = -1;
	}
	return rc;
}

/* --- set-up --------------------------------------------------------------------------------- */

int webhook_init(struct webhook *w, struct redfish *r, const struct webhook_cfg *cfg,
		 const struct webhook_poll *poll, char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	w->r = r;
	w->cfg = *cfg;
	w->poll = *poll;
	w->n = cfg->slots;
	if (!w->n)
		return 0;
	w->conns = calloc(w->n, sizeof(*w->conns));
	if (!w->conns) {
		snprintf(err, errlen, "out of memory for %u webhook connections", w->n);
		return -1;
	}
	struct wh_tls *t = cfg->tls ? calloc(w->n, sizeof(*t)) : NULL;
	if (cfg->tls && !t) {
		snprintf(err, errlen, "out of memory for %u TLS clients", w->n);
		return -1;
	}
	for (unsigned i = 0; i < w->n; i++)
		w->conns[i] = (struct wh_conn){ .w = w, .idx = i, .fd = -1, .handle = -1,
						.t = t ? &t[i] : NULL };
	if (cfg->tls && cfg->ca_path && cfg->ca_path[0]) {
		w->anchors = calloc(WH_ANCHORS_MAX, sizeof(br_x509_trust_anchor));
		w->store = calloc(1, WH_ANCHOR_STORE);
		if (!w->anchors || !w->store) {
			snprintf(err, errlen, "out of memory for the CA bundle");
			return -1;
		}
		if (load_ca(w, cfg->ca_path, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* --- one connection ------------------------------------------------------------------------- */

static void conn_close(struct wh_conn *c)
{
	if (c->fd >= 0) {
		c->w->poll.del(c->w->poll.ctx, c->handle);
		close(c->fd);
	}
	c->fd = c->handle = -1;
	c->st = WS_IDLE;
	c->tls = false;
}

static void set_events(struct wh_conn *c, short ev)
{
	if (c->handle >= 0)
		c->w->poll.set(c->w->poll.ctx, c->handle, ev);
}

static void start_next(struct wh_conn *c, int64_t now);

static void fail(struct wh_conn *c, const char *why, int64_t now)
{
	bool stale = c->reused && !c->inlen; /* the receiver closed it while it was idle */
	conn_close(c);
	if (stale) { /* not the receiver's failure: once more on a new connection */
		redfish_sub_result(c->w->r, c->idx, false, NULL, now);
		start_next(c, now);
		return;
	}
	c->w->failed++;
	redfish_sub_result(c->w->r, c->idx, false, why, now);
}

static void tls_start(struct wh_conn *c, const struct rf_sub *s)
{
	static const uint16_t suites[] = {
		BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	};
	struct wh_tls *t = c->t;
	struct webhook *w = c->w;
	br_ssl_engine_context *e = &t->cc.eng;
	br_ssl_client_zero(&t->cc);
	br_ssl_engine_set_versions(e, BR_TLS12, BR_TLS12);
	br_ssl_engine_add_flags(e, BR_OPT_NO_RENEGOTIATION);
	br_ssl_engine_set_suites(e, suites, sizeof(suites) / sizeof(suites[0]));
	br_x509_minimal_init(&t->xc, &br_sha256_vtable,
			     s->verify ? (const br_x509_trust_anchor *)w->anchors : NULL,
			     s->verify ? w->nanchors : 0);
	br_ssl_engine_set_hash(e, br_sha1_ID, &br_sha1_vtable);
	br_ssl_engine_set_hash(e, br_sha224_ID, &br_sha224_vtable);
	br_ssl_engine_set_hash(e, br_sha256_ID, &br_sha256_vtable);
	br_ssl_engine_set_hash(e, br_sha384_ID, &br_sha384_vtable);
	br_ssl_engine_set_hash(e, br_sha512_ID, &br_sha512_vtable);
	br_x509_minimal_set_hash(&t->xc, br_sha1_ID, &br_sha1_vtable);
	br_x509_minimal_set_hash(&t->xc, br_sha224_ID, &br_sha224_vtable);
	br_x509_minimal_set_hash(&t->xc, br_sha256_ID, &br_sha256_vtable);
	br_x509_minimal_set_hash(&t->xc, br_sha384_ID, &br_sha384_vtable);
	br_x509_minimal_set_hash(&t->xc, br_sha512_ID, &br_sha512_vtable);
	br_x509_minimal_set_rsa(&t->xc, br_rsa_pkcs1_vrfy_get_default());
	br_x509_minimal_set_ecdsa(&t->xc, br_ec_get_default(), br_ecdsa_vrfy_asn1_get_default());
	br_ssl_engine_set_prf_sha256(e, &br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(e, &br_tls12_sha384_prf);
	br_ssl_engine_set_default_aes_gcm(e);
	br_ssl_engine_set_default_chapol(e);
	br_ssl_engine_set_default_ec(e);
	br_ssl_client_set_default_rsapub(&t->cc);
	br_ssl_engine_set_default_rsavrfy(e);
	br_ssl_engine_set_default_ecdsa(e);
	if (s->verify) {
		br_ssl_engine_set_x509(e, &t->xc.vtable);
	} else {
		t->nv.vtable = &noverify_class;
		t->nv.inner = &t->xc;
		br_ssl_engine_set_x509(e, &t->nv.vtable);
	}
	br_ssl_engine_set_buffer(e, t->iobuf, sizeof(t->iobuf), 0);
	br_ssl_client_reset(&t->cc, NULL, 0);
}

/*
 * The TLS pump: moves records both ways as far as the socket allows, application data
 * from out[] in and into in[] out. Returns -1 when the engine or socket failed, else the
 * poll events it waits for.
 */
static int tls_pump(struct wh_conn *c)
{
	br_ssl_engine_context *e = &c->t->cc.eng;
	for (int steps = 0; steps < 64; steps++) {
		unsigned st = br_ssl_engine_current_state(e);
		size_t len;
		unsigned char *p;
		if (st & BR_SSL_CLOSED)
			return -1;
		if (st & BR_SSL_SENDREC) {
			p = br_ssl_engine_sendrec_buf(e, &len);
			ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
			if (n > 0) {
				br_ssl_engine_sendrec_ack(e, (size_t)n);
				continue;
			}
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				return POLLOUT;
			return -1;
		}
		if ((st & BR_SSL_SENDAPP) && c->st == WS_SEND && c->outoff < c->outlen) {
			p = br_ssl_engine_sendapp_buf(e, &len);
			if (len > c->outlen - c->outoff)
				len = c->outlen - c->outoff;
			memcpy(p, c->out + c->outoff, len);
			br_ssl_engine_sendapp_ack(e, len);
			c->outoff += len;
			if (c->outoff == c->outlen)
				br_ssl_engine_flush(e, 0);
			continue;
		}
		if (st & BR_SSL_RECVAPP) {
			p = br_ssl_engine_recvapp_buf(e, &len);
			if (len > sizeof(c->in) - 1 - c->inlen)
				len = sizeof(c->in) - 1 - c->inlen;
			if (!len)
				return POLLIN; /* the reader decides: the head is too long */
			memcpy(c->in + c->inlen, p, len);
			br_ssl_engine_recvapp_ack(e, len);
			c->inlen += len;
			continue;
		}
		if (c->st == WS_SEND && c->outoff == c->outlen)
			return 0; /* all handed over and sent */
		if (st & BR_SSL_RECVREC) {
			p = br_ssl_engine_recvrec_buf(e, &len);
			ssize_t n = recv(c->fd, p, len, 0);
			if (n > 0) {
				br_ssl_engine_recvrec_ack(e, (size_t)n);
				continue;
			}
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				return POLLIN;
			return -1;
		}
		return POLLIN;
	}
	return POLLIN | POLLOUT;
}

static bool head_says_close(const char *h, size_t n)
{
	for (size_t i = 0; i + 17 <= n; i++) {
		if ((h[i] == '\n') && !strncasecmp(h + i + 1, "connection:", 11)) {
			size_t j = i + 12;
			while (j < n && h[j] == ' ')
				j++;
			return j + 5 <= n && !strncasecmp(h + j, "close", 5);
		}
	}
	return false;
}

/* The answer so far in in[]: decide when its head is complete. */
static void check_answer(struct wh_conn *c, bool eof, int64_t now)
{
	struct httpc_head h;
	int r = httpc_head(c->in, c->inlen, &h);
	if (r == 0 && !eof && c->inlen < sizeof(c->in) - 1)
		return; /* more to come */
	if (r <= 0) {
		fail(c, r < 0 || c->inlen >= sizeof(c->in) - 1 ? "malformed or oversized answer"
							      : "closed before answering", now);
		return;
	}
	if (h.status < 200 || h.status > 299) {
		char why[32];
		snprintf(why, sizeof(why), "HTTP status %d", h.status);
		fail(c, why, now);
		return;
	}
	bool whole = !h.chunked && h.has_length && h.head_len + h.content_length <= c->inlen;
	if (!whole && !h.chunked && h.has_length && !eof &&
	    h.head_len + h.content_length < sizeof(c->in) - 1)
		return; /* a short body still coming: read it to keep the connection */
	c->w->sent++;
	if (whole && !eof && !head_says_close(c->in, h.head_len) &&
	    h.head_len + h.content_length == c->inlen) {
		c->st = WS_KEEP;
		c->deadline = now + c->w->cfg.idle_ms;
		set_events(c, POLLIN);
	} else {
		conn_close(c);
	}
	redfish_sub_result(c->w->r, c->idx, true, NULL, now);
	start_next(c, now);
}

static void on_sent(struct wh_conn *c)
{
	c->st = WS_READ;
	c->inlen = 0;
}

static void drive(struct wh_conn *c, short revents, int64_t now)
{
	if (c->st == WS_CONNECTING) {
		int e = 0;
		socklen_t l = sizeof(e);
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0)
			e = errno;
		if (e) {
			fail(c, strerror(e), now);
			return;
		}
		if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
			return;
		c->st = WS_SEND;
		if (c->tls)
			tls_start(c, &c->w->r->subs[c->idx]);
	}
	if (c->tls) {
		int ev = tls_pump(c);
		if (ev < 0) {
			if (c->st == WS_READ && c->inlen)
				check_answer(c, true, now);
			else
				fail(c, "TLS failure or connection closed", now);
			return;
		}
		if (c->st == WS_SEND && c->outoff == c->outlen) {
			on_sent(c);
			ev = tls_pump(c);
			if (ev < 0) {
				fail(c, "TLS failure or connection closed", now);
				return;
			}
		}
		if (c->st == WS_READ && c->inlen) {
			check_answer(c, false, now);
			if (c->st != WS_READ)
				return;
		}
		set_events(c, (short)(ev ? ev : POLLIN));
		return;
	}
	if (c->st == WS_SEND) {
		while (c->outoff < c->outlen) {
			ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
			if (n > 0) {
				c->outoff += (size_t)n;
				continue;
			}
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
				set_events(c, POLLOUT);
				return;
			}
			fail(c, n < 0 ? strerror(errno) : "send failed", now);
			return;
		}
		on_sent(c);
		set_events(c, POLLIN);
		return;
	}
	if (c->st == WS_READ) {
		ssize_t n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - 1 - c->inlen, 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		if (n < 0) {
			fail(c, strerror(errno), now);
			return;
		}
		c->inlen += (size_t)n;
		check_answer(c, n == 0, now);
	}
}

void webhook_io(void *ctx, int fd, short revents, int64_t now)
{
	struct wh_conn *c = ctx;
	(void)fd;
	if (c->st == WS_KEEP) { /* the receiver closed (or sent what nobody asked for) */
		conn_close(c);
		start_next(c, now);
		return;
	}
	if (c->st != WS_IDLE)
		drive(c, revents, now);
}

static bool open_socket(struct wh_conn *c, const struct rf_sub *s, int64_t now)
{
	struct sockaddr_storage ss;
	socklen_t len;
	memset(&ss, 0, sizeof(ss));
	if (s->v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(s->port);
		memcpy(&a->sin6_addr, s->addr, 16);
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(s->port);
		memcpy(&a->sin_addr, s->addr, 4);
		len = sizeof(*a);
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fail(c, strerror(errno), now);
		return false;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	int rc = connect(fd, (struct sockaddr *)&ss, len);
	if (rc < 0 && errno != EINPROGRESS) {
		int e = errno;
		close(fd);
		fail(c, strerror(e), now);
		return false;
	}
	c->handle = c->w->poll.add(c->w->poll.ctx, fd, POLLOUT, c);
	if (c->handle < 0) {
		close(fd);
		fail(c, "no room in the poll loop", now);
		return false;
	}
	c->fd = fd;
	c->st = WS_CONNECTING;
	c->tls = s->https && c->t;
	c->gen = s->gen;
	return true;
}

/* Sends the subscription's next due event, on the kept connection or a new one. */
static void start_next(struct wh_conn *c, int64_t now)
{
	struct redfish *r = c->w->r;
	const struct rf_sub *s = &r->subs[c->idx];
	if (c->st != WS_IDLE && c->st != WS_KEEP)
		return;
	if (c->st == WS_KEEP && (c->gen != s->gen || !s->used || !s->enabled))
		conn_close(c);
	struct buf b;
	buf_init(&b, c->out, sizeof(c->out));
	if (!redfish_sub_request(r, c->idx, now, &b))
		return;
	c->outlen = b.len;
	c->outoff = 0;
	c->inlen = 0;
	c->deadline = now + c->w->cfg.timeout_ms;
	if (s->https && !c->t) {
		fail(c, "no TLS client", now);
		return;
	}
	c->reused = c->st == WS_KEEP;
	if (c->st == WS_KEEP) {
		c->st = WS_SEND;
		drive(c, POLLOUT, now);
		return;
	}
	if (open_socket(c, s, now))
		drive(c, 0, now); /* a loopback connect may be done already */
}

void webhook_kick(struct webhook *w, int64_t now)
{
	for (unsigned i = 0; i < w->n; i++) {
		struct wh_conn *c = &w->conns[i];
		const struct rf_sub *s = &w->r->subs[i];
		if (c->st != WS_IDLE && c->st != WS_KEEP && (!s->used || c->gen != s->gen)) {
			conn_close(c); /* its subscription changed under it */
			redfish_sub_result(w->r, i, false, NULL, now);
		}
		start_next(c, now);
	}
}

int64_t webhook_deadline(const struct webhook *w)
{
	int64_t d = redfish_subs_deadline(w->r);
	for (unsigned i = 0; i < w->n; i++)
		if (w->conns[i].st != WS_IDLE && w->conns[i].deadline < d)
			d = w->conns[i].deadline;
	return d;
}

void webhook_tick(struct webhook *w, int64_t now)
{
	for (unsigned i = 0; i < w->n; i++) {
		struct wh_conn *c = &w->conns[i];
		if (c->st == WS_IDLE || c->deadline > now)
			continue;
		if (c->st == WS_KEEP)
			conn_close(c);
		else
			fail(c, "timed out", now);
	}
	webhook_kick(w, now);
}

void webhook_close_all(struct webhook *w)
{
	for (unsigned i = 0; i < w->n; i++)
		conn_close(&w->conns[i]);
}
