/*
 * net/tls.c: the ephemeral certificate (decoded and signature-checked with BearSSL, and
 * read by openssl when installed), PEM loading and its errors, full handshakes over a
 * non-blocking socketpair against a BearSSL client driven in the same thread, session
 * resumption, and a peer that sends garbage.
 */
#include "../../net/tls.h"
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static struct tls_ctx ctx;
static struct tls_conn conn;
static char err[256];
static const unsigned char seed[32] = "0123456789abcdef0123456789abcde";
static char tmpdir[64];
static bool have_openssl;

#define ECDSA_CHACHA BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
#define RSA_CHACHA BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256

/* ---- helpers -------------------------------------------------------------------------- */

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len)
		printf("cannot write %s\n", path);
	if (f)
		fclose(f);
}

/* Reads a whole (small) file into buf as a string; returns its length, or 0. */
static size_t read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0;
	if (f) {
		n = fread(buf, 1, cap - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return n;
}

static const char *tmp(const char *name)
{
	static char path[4][128];
	static int k;
	char *p = path[k++ & 3];
	snprintf(p, sizeof path[0], "%s/%s", tmpdir, name);
	return p;
}

/* Runs a shell command in the temp dir (quietly); true on exit status 0. */
static bool sh(const char *cmd)
{
	char line[1024];
	snprintf(line, sizeof line, "cd %s && (%s) >/dev/null 2>&1", tmpdir, cmd);
	return system(line) == 0;
}

static void socket_pair(int fd[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fd) < 0) {
		perror("socketpair");
		exit(2);
	}
	for (int i = 0; i < 2; i++)
		fcntl(fd[i], F_SETFL, fcntl(fd[i], F_GETFL) | O_NONBLOCK);
}

/* DER: total length of the TLV at p (0 if malformed); *hdr gets the header size. */
static size_t der_tlv_len(const unsigned char *p, size_t n, size_t *hdr)
{
	size_t len, h = 2;
	if (n < 2)
		return 0;
	len = p[1];
	if (len == 0x81 && n >= 3)
		len = p[2], h = 3;
	else if (len == 0x82 && n >= 4)
		len = (size_t)p[2] << 8 | p[3], h = 4;
	else if (len >= 0x80)
		return 0;
	*hdr = h;
	return h + len <= n ? h + len : 0;
}

/* ---- a BearSSL client in the same thread ---------------------------------------------- */

static br_ssl_client_context cc;
static br_x509_minimal_context xc;
static br_x509_knownkey_context kk;
static unsigned char cbuf[BR_SSL_BUFSIZE_BIDI];
static br_x509_trust_anchor ta;
static unsigned char ta_dn[512];
static size_t ta_dn_len;
static br_x509_decoder_context dc;

static void append_dn(void *c, const void *buf, size_t len)
{
	(void)c;
	if (len <= sizeof ta_dn - ta_dn_len) {
		memcpy(ta_dn + ta_dn_len, buf, len);
		ta_dn_len += len;
	}
}

/* Decodes a certificate into dc (collecting its subject DN); the public key or NULL. */
static const br_x509_pkey *decode_cert(const br_x509_certificate *c)
{
	ta_dn_len = 0;
	br_x509_decoder_init(&dc, append_dn, NULL);
	br_x509_decoder_push(&dc, c->data, c->data_len);
	return br_x509_decoder_get_pkey(&dc);
}

/* Client set-up. With pin, the server key is trusted as such (br_x509_knownkey); otherwise
 * the leaf itself is the trust anchor, so br_x509_minimal checks its signature, validity,
 * key usage and subjectAltName against server_name. */
static void client_start(bool pin, const char *server_name, const br_ssl_session_parameters *resume)
{
	const br_x509_pkey *pk = decode_cert(&ctx.chain[0]);

	if (!pk) {
		printf("cannot decode the server certificate\n");
		exit(2);
	}
	ta = (br_x509_trust_anchor){ .dn = { ta_dn, ta_dn_len }, .flags = BR_X509_TA_CA,
				     .pkey = *pk };
	br_ssl_client_init_full(&cc, &xc, &ta, 1);
	if (pin) {
		if (pk->key_type == BR_KEYTYPE_EC)
			br_x509_knownkey_init_ec(&kk, &ta.pkey.key.ec, BR_KEYTYPE_SIGN);
		else
			br_x509_knownkey_init_rsa(&kk, &ta.pkey.key.rsa, BR_KEYTYPE_SIGN);
		br_ssl_engine_set_x509(&cc.eng, &kk.vtable);
	}
	br_ssl_engine_set_buffer(&cc.eng, cbuf, sizeof cbuf, 1);
	if (resume)
		br_ssl_engine_set_session_parameters(&cc.eng, resume);
	br_ssl_client_reset(&cc, server_name, resume != NULL);
}

/* One client transfer: 1 on progress, 0 when blocked, -1 when closed. */
static int client_step(int fd)
{
	br_ssl_engine_context *e = &cc.eng;
	unsigned st = br_ssl_engine_current_state(e);
	unsigned char *p;
	size_t len;
	ssize_t n;

	if (st & BR_SSL_CLOSED)
		return -1;
	if (st & BR_SSL_SENDREC) {
		p = br_ssl_engine_sendrec_buf(e, &len);
		n = write(fd, p, len);
		if (n > 0) {
			br_ssl_engine_sendrec_ack(e, (size_t)n);
			return 1;
		}
	}
	if (st & BR_SSL_RECVREC) {
		p = br_ssl_engine_recvrec_buf(e, &len);
		n = read(fd, p, len);
		if (n == 0)
			return -1;
		if (n > 0) {
			br_ssl_engine_recvrec_ack(e, (size_t)n);
			return 1;
		}
	}
	return 0;
}

/* Pumps both ends until the handshake completes on both, or either fails. */
static bool handshake(int sfd, int cfd)
{
	unsigned char b[16];

	for (int i = 0; i < 1000; i++) {
		if (tls_read(&conn, sfd, b, sizeof b) < 0)
			return false;
		if (client_step(cfd) < 0)
			return false;
		if ((br_ssl_engine_current_state(&cc.eng) & BR_SSL_SENDAPP) &&
		    (br_ssl_engine_current_state(&conn.sc.eng) & BR_SSL_SENDAPP))
			return true;
	}
	return false;
}

/* Request from the client, a large response from the server; true when both arrive whole. */
static bool exchange(int sfd, int cfd)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
	static unsigned char resp[100000], got[sizeof resp];
	char sreq[sizeof req];
	size_t sreq_len = 0, sent = 0, recvd = 0, len;
	unsigned char *p;
	int i;

	for (size_t k = 0; k < sizeof resp; k++)
		resp[k] = (unsigned char)(k * 7 + k / 251);
	p = br_ssl_engine_sendapp_buf(&cc.eng, &len);
	if (!p || len < sizeof req - 1)
		return false;
	memcpy(p, req, sizeof req - 1);
	br_ssl_engine_sendapp_ack(&cc.eng, sizeof req - 1);
	br_ssl_engine_flush(&cc.eng, 0);
	for (i = 0; i < 1000 && sreq_len < sizeof req - 1; i++) {
		client_step(cfd);
		ssize_t n = tls_read(&conn, sfd, sreq + sreq_len, sizeof sreq - 1 - sreq_len);
		if (n < 0)
			return false;
		sreq_len += (size_t)n;
	}
	CHECK_EQ(sreq_len, sizeof req - 1);
	CHECK_MEM(sreq, req, sizeof req - 1);
	/* nothing more to read: 0, not -1, and the engine waits for records */
	CHECK_EQ(tls_read(&conn, sfd, sreq, sizeof sreq), 0);
	CHECK(tls_events(&conn) & POLLIN);

	for (i = 0; i < 20000 && recvd < sizeof resp; i++) {
		if (sent < sizeof resp) {
			ssize_t n = tls_write(&conn, sfd, resp + sent, sizeof resp - sent);
			if (n < 0)
				return false;
			sent += (size_t)n;
		}
		if (tls_flush(&conn, sfd) < 0)
			return false;
		if (client_step(cfd) < 0)
			return false;
		p = br_ssl_engine_recvapp_buf(&cc.eng, &len);
		if (p) {
			if (len > sizeof got - recvd)
				return false;
			memcpy(got + recvd, p, len);
			recvd += len;
			br_ssl_engine_recvapp_ack(&cc.eng, len);
		}
	}
	CHECK_EQ(recvd, sizeof resp);
	CHECK_MEM(got, resp, sizeof resp);
	CHECK_EQ(tls_flush(&conn, sfd), 0);
	return recvd == sizeof resp;
}

/* close_notify from the server; the client must see a clean close. */
static void close_both(int fd[2])
{
	char bye[8];
	size_t n = 0, len;
	unsigned char *p;

	/* written but not flushed: tls_close must still deliver it before close_notify */
	CHECK_EQ(tls_write(&conn, fd[0], "bye", 3), 3);
	tls_close(&conn, fd[0]);
	CHECK(conn.closed);
	for (int i = 0; i < 100 && client_step(fd[1]) >= 0; i++) {
		p = br_ssl_engine_recvapp_buf(&cc.eng, &len);
		if (p && len <= sizeof bye - n) {
			memcpy(bye + n, p, len);
			n += len;
			br_ssl_engine_recvapp_ack(&cc.eng, len);
		}
	}
	CHECK(n == 3 && memcmp(bye, "bye", 3) == 0);
	CHECK(br_ssl_engine_current_state(&cc.eng) == BR_SSL_CLOSED);
	CHECK_EQ(br_ssl_engine_last_error(&cc.eng), BR_ERR_OK);
	CHECK_EQ(tls_read(&conn, fd[0], err, 1), -1);
	close(fd[0]);
	close(fd[1]);
}

/* A whole connection; returns the suite negotiated (0 on failure), session in *sp. */
static unsigned connection(bool pin, const char *name, const br_ssl_session_parameters *resume,
			   br_ssl_session_parameters *sp)
{
	int fd[2];
	unsigned suite = 0;

	socket_pair(fd);
	tls_conn_start(&conn, &ctx);
	CHECK(!conn.closed);
	CHECK_EQ(tls_events(&conn), POLLIN);
	CHECK(!(br_ssl_engine_current_state(&conn.sc.eng) & BR_SSL_SENDAPP));
	CHECK_EQ(tls_write(&conn, fd[0], "x", 1), 0); /* no application data yet */
	client_start(pin, name, resume);
	if (handshake(fd[0], fd[1]) && exchange(fd[0], fd[1])) {
		br_ssl_engine_get_session_parameters(&cc.eng, sp);
		CHECK_EQ(sp->version, BR_TLS12);
		suite = sp->cipher_suite;
		close_both(fd);
	} else {
		printf("  connection failed: server error %d, client error %d\n", conn.last_error,
		       br_ssl_engine_last_error(&cc.eng));
		close(fd[0]);
		close(fd[1]);
	}
	return suite;
}

/* ---- tests ---------------------------------------------------------------------------- */

static void ephemeral(void)
{
	br_ssl_session_parameters sp, sp2;
	size_t hdr, tbs_len, alg_len, sig_len, h2;
	const unsigned char *der;
	unsigned char hash[32];
	br_sha256_context h;
	const br_x509_pkey *pk;

	CHECK_EQ(tls_setup(&ctx, NULL, NULL, "bmc.example", seed, sizeof seed, 16, err,
			   sizeof err), 0);
	CHECK_EQ(ctx.chain_len, 1);
	CHECK_EQ(ctx.key_type, BR_KEYTYPE_EC);
	CHECK(ctx.cache_store != NULL);

	pk = decode_cert(&ctx.chain[0]);
	CHECK(pk != NULL);
	if (!pk)
		return;
	CHECK_EQ(pk->key_type, BR_KEYTYPE_EC);
	CHECK_EQ(pk->key.ec.curve, BR_EC_secp256r1);
	CHECK_EQ(pk->key.ec.qlen, 65);
	CHECK_EQ(br_x509_decoder_get_signer_key_type(&dc), BR_KEYTYPE_EC);
	CHECK_EQ(br_x509_decoder_get_signer_hash_id(&dc), br_sha256_ID);
	CHECK(!br_x509_decoder_isCA(&dc));
	/* subject: SEQUENCE { SET { SEQUENCE { OID 2.5.4.3, UTF8String "bmc.example" } } } */
	CHECK_EQ(ta_dn_len, 24);
	CHECK_MEM(ta_dn + 11, "\x0c\x0b" "bmc.example", 13);
	/* validity: from yesterday for ten years (days since 0 AD) */
	uint32_t today = (uint32_t)(time(NULL) / 86400) + 719528;
	CHECK_EQ(dc.notbefore_days, today - 1);
	CHECK(dc.notafter_days >= today + 3650 && dc.notafter_days <= today + 3653);

	/* the signature: SHA-256 over the TBSCertificate, ECDSA with the certificate's key */
	der = ctx.chain[0].data;
	CHECK(der_tlv_len(der, ctx.chain[0].data_len, &hdr) == ctx.chain[0].data_len);
	tbs_len = der_tlv_len(der + hdr, ctx.chain[0].data_len - hdr, &h2);
	alg_len = der_tlv_len(der + hdr + tbs_len, ctx.chain[0].data_len - hdr - tbs_len, &h2);
	CHECK_MEM(der + hdr + tbs_len, "\x30\x0a\x06\x08\x2a\x86\x48\xce\x3d\x04\x03\x02", 12);
	const unsigned char *bits = der + hdr + tbs_len + alg_len;
	sig_len = der_tlv_len(bits, ctx.chain[0].data_len - hdr - tbs_len - alg_len, &h2);
	CHECK(tbs_len && alg_len == 12 && sig_len && bits[0] == 0x03 && bits[h2] == 0);
	CHECK_EQ(hdr + tbs_len + alg_len + sig_len, ctx.chain[0].data_len);
	/* v3, then a 16-byte positive serial in minimal form */
	size_t th;
	der_tlv_len(der + hdr, tbs_len, &th);
	CHECK_MEM(der + hdr + th, "\xa0\x03\x02\x01\x02\x02\x10", 7);
	CHECK(der[hdr + th + 7] >= 0x40 && der[hdr + th + 7] <= 0x7f);
	br_sha256_init(&h);
	br_sha256_update(&h, der + hdr, tbs_len);
	br_sha256_out(&h, hash);
	CHECK_EQ(br_ecdsa_i31_vrfy_asn1(&br_ec_p256_m31, hash, 32, &pk->key.ec, bits + h2 + 1,
					sig_len - h2 - 1), 1);
	hash[5] ^= 1;
	CHECK_EQ(br_ecdsa_i31_vrfy_asn1(&br_ec_p256_m31, hash, 32, &pk->key.ec, bits + h2 + 1,
					sig_len - h2 - 1), 0);

	/* fingerprint */
	char fp[96], want[96];
	br_sha256_init(&h);
	br_sha256_update(&h, der, ctx.chain[0].data_len);
	br_sha256_out(&h, hash);
	CHECK_MEM(ctx.fingerprint, hash, 32);
	tls_fingerprint_str(&ctx, fp);
	for (int i = 0; i < 32; i++)
		snprintf(want + i * 3, 4, "%02x%s", hash[i], i < 31 ? ":" : "");
	CHECK_EQ(strlen(fp), 95);
	CHECK(strcmp(fp, want) == 0);

	if (have_openssl) {
		static char text[16384];
		write_file(tmp("eph.der"), der, ctx.chain[0].data_len);
		CHECK(sh("openssl x509 -inform DER -in eph.der -noout -text > eph.txt"));
		read_file(tmp("eph.txt"), text, sizeof text);
		CHECK(strstr(text, "Version: 3 (0x2)") != NULL);
		CHECK(strstr(text, "Signature Algorithm: ecdsa-with-SHA256") != NULL);
		CHECK(strstr(text, "Issuer: CN = bmc.example") != NULL);
		CHECK(strstr(text, "Subject: CN = bmc.example") != NULL);
		CHECK(strstr(text, "ASN1 OID: prime256v1") != NULL);
		CHECK(strstr(text, "Basic Constraints: critical\n                CA:FALSE"));
		CHECK(strstr(text, "Key Usage: critical\n                Digital Signature\n"));
		CHECK(strstr(text, "TLS Web Server Authentication") != NULL);
		CHECK(strstr(text, "DNS:bmc.example, DNS:localhost, IP Address:127.0.0.1, "
				   "IP Address:0:0:0:0:0:0:0:1") != NULL);
		CHECK(sh("openssl x509 -inform DER -in eph.der -noout -fingerprint -sha256 "
			 "> fp.txt"));
		read_file(tmp("fp.txt"), text, sizeof text);
		for (char *q = text; *q; q++)
			*q = (char)(*q >= 'A' && *q <= 'F' ? *q + 32 : *q);
		CHECK(strstr(text, fp) != NULL);
		/* openssl's own verifier: the signature, with the certificate as its own anchor */
		CHECK(sh("openssl x509 -inform DER -in eph.der -out eph.pem && "
			 "openssl verify -partial_chain -CAfile eph.pem -purpose sslserver "
			 "-verify_hostname bmc.example eph.pem"));
	}

	/* handshakes: the certificate verified by br_x509_minimal, with name checks */
	CHECK_EQ(connection(false, "bmc.example", NULL, &sp), ECDSA_CHACHA);
	CHECK_EQ(connection(false, "localhost", NULL, &sp), ECDSA_CHACHA);
	{
		int fd[2];
		socket_pair(fd);
		tls_conn_start(&conn, &ctx);
		client_start(false, "other.example", NULL);
		CHECK(!handshake(fd[0], fd[1]));
		CHECK_EQ(br_ssl_engine_last_error(&cc.eng), BR_ERR_X509_BAD_SERVER_NAME);
		close(fd[0]);
		close(fd[1]);
	}

	/* resumption: same session ID and master secret the second time */
	CHECK(connection(true, "localhost", NULL, &sp) != 0);
	CHECK(connection(true, "localhost", &sp, &sp2) != 0);
	CHECK_EQ(sp2.session_id_len, 32);
	CHECK(sp.session_id_len == sp2.session_id_len &&
	      memcmp(sp.session_id, sp2.session_id, sp.session_id_len) == 0);
	CHECK_MEM(sp.master_secret, sp2.master_secret, 48);

	/* the suite list: a client without ChaCha20 gets AES-GCM */
	{
		static const uint16_t only256[] = { BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 };
		static const uint16_t only128[] = { BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 };
		int fd[2];
		for (int k = 0; k < 2; k++) {
			socket_pair(fd);
			tls_conn_start(&conn, &ctx);
			client_start(true, "localhost", NULL);
			br_ssl_engine_set_suites(&cc.eng, k ? only128 : only256, 1);
			br_ssl_client_reset(&cc, "localhost", 0);
			CHECK(handshake(fd[0], fd[1]) && exchange(fd[0], fd[1]));
			br_ssl_engine_get_session_parameters(&cc.eng, &sp);
			CHECK_EQ(sp.cipher_suite, k ? only128[0] : only256[0]);
			close_both(fd);
		}
		/* and a TLS 1.0/1.1-only client is refused */
		socket_pair(fd);
		tls_conn_start(&conn, &ctx);
		client_start(true, "localhost", NULL);
		br_ssl_engine_set_versions(&cc.eng, BR_TLS10, BR_TLS11);
		br_ssl_client_reset(&cc, "localhost", 0);
		CHECK(!handshake(fd[0], fd[1]));
		CHECK(conn.closed);
		CHECK_EQ(tls_read(&conn, fd[0], err, 1), -1);
		close(fd[0]);
		close(fd[1]);
	}
	free(ctx.cache_store);

	/* no cache: a fresh session each time */
	CHECK_EQ(tls_setup(&ctx, NULL, NULL, NULL, seed, sizeof seed, 0, err, sizeof err), 0);
	CHECK(ctx.cache_store == NULL);
	CHECK(connection(true, "localhost", NULL, &sp) != 0);
	CHECK(connection(true, "localhost", &sp, &sp2) != 0);
	CHECK(memcmp(sp.master_secret, sp2.master_secret, 48) != 0);

	/* CN that is an IP address: an iPAddress entry rather than a dNSName */
	CHECK_EQ(tls_setup(&ctx, NULL, NULL, "192.0.2.7", seed, 32, 0, err, sizeof err), 0);
	const unsigned char *der2 = ctx.chain[0].data;
	CHECK(memmem(der2, ctx.chain[0].data_len, "\x87\x04\xc0\x00\x02\x07", 6) != NULL);
	CHECK(memmem(der2, ctx.chain[0].data_len, "\x82\x09" "192.0.2.7", 11) == NULL);
	/* different seeds: different keys and serials */
	unsigned char fp1[32];
	memcpy(fp1, ctx.fingerprint, 32);
	unsigned char seed2[32] = { 1 };
	CHECK_EQ(tls_setup(&ctx, NULL, NULL, "192.0.2.7", seed2, 32, 0, err, sizeof err), 0);
	CHECK(memcmp(fp1, ctx.fingerprint, 32) != 0);
}

static void expect_error(const char *cert, const char *key, const char *needle)
{
	memset(err, 0, sizeof err);
	int r = tls_setup(&ctx, cert, key, NULL, seed, sizeof seed, 4, err, sizeof err);
	CHECK_EQ(r, -1);
	if (r == 0)
		free(ctx.cache_store);
	if (!strstr(err, needle))
		printf("FAIL: error for %s/%s is \"%s\", wanted \"%s\"\n", cert, key ? key : "-",
		       err, needle), t_fail++;
	else
		t_pass++;
}

static void errors(void)
{
	static char big[20000];
	size_t n = 0;

	expect_error("/nonexistent/tls.pem", NULL, "/nonexistent/tls.pem: No such file");
	CHECK_EQ(tls_setup(&ctx, NULL, NULL, NULL, seed, 16, 0, err, sizeof err), -1);
	CHECK_EQ(tls_setup(&ctx, NULL, NULL, "a\nb", seed, sizeof seed, 0, err, sizeof err), -1);
	memset(big, 'a', 65);
	big[65] = 0;
	CHECK_EQ(tls_setup(&ctx, NULL, NULL, big, seed, sizeof seed, 0, err, sizeof err), -1);

	write_file(tmp("text.pem"), "hello\nworld\n", 12);
	expect_error(tmp("text.pem"), NULL, "text.pem: no certificate found");
	static const char bad64[] = "-----BEGIN CERTIFICATE-----\n!!!!\n"
				    "-----END CERTIFICATE-----\n";
	write_file(tmp("bad64.pem"), bad64, sizeof bad64 - 1);
	expect_error(tmp("bad64.pem"), NULL, "bad64.pem: malformed PEM");
	static const char junk[] = "-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n"
				   "-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n"
				   "AAECAwQFBgcICQ==\n-----END PRIVATE KEY-----\n";
	write_file(tmp("junk.pem"), junk, sizeof junk - 1);
	expect_error(tmp("junk.pem"), NULL, "junk.pem: invalid private key");
	static const char trunc[] = "-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n";
	write_file(tmp("trunc.pem"), trunc, sizeof trunc - 1);
	expect_error(tmp("trunc.pem"), NULL, "trunc.pem: truncated PEM object");

	/* 9000 DER bytes in one object: over TLS_CERT_MAX */
	n += (size_t)snprintf(big, sizeof big, "-----BEGIN CERTIFICATE-----\n");
	for (int i = 0; i < 3000; i++)
		n += (size_t)snprintf(big + n, sizeof big - n, "AAAA%s", i % 16 == 15 ? "\n" : "");
	n += (size_t)snprintf(big + n, sizeof big - n, "\n-----END CERTIFICATE-----\n");
	write_file(tmp("big.pem"), big, n);
	expect_error(tmp("big.pem"), NULL, "big.pem: certificates exceed 8192 bytes");

	/* a file larger than the PEM bound */
	static char huge[70000];
	memset(huge, '#', sizeof huge);
	write_file(tmp("huge.pem"), huge, sizeof huge);
	expect_error(tmp("huge.pem"), NULL, "huge.pem: larger than");
	expect_error("/dev/null", NULL, "/dev/null: no certificate found");
}

static void pem_files(void)
{
	br_ssl_session_parameters sp, sp2;

	if (!have_openssl) {
		printf("openssl not installed: PEM key/certificate tests skipped\n");
		return;
	}
	CHECK(sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.crt "
		 "-subj /CN=localhost -days 2"));
	CHECK(sh("openssl rsa -in rsa.key -traditional -out rsa1.key"));
	CHECK(sh("openssl ecparam -name prime256v1 -genkey -noout -out ec.key"));
	CHECK(sh("openssl req -x509 -new -key ec.key -out ec.crt -subj /CN=localhost -days 2"));
	CHECK(sh("openssl ecparam -name secp384r1 -genkey -noout -out ca.key"));
	CHECK(sh("openssl req -x509 -new -key ca.key -out ca.crt -subj /CN=ca -days 2"));
	CHECK(sh("openssl req -new -key ec.key -subj /CN=localhost -out leaf.csr && "
		 "openssl x509 -req -in leaf.csr -CA ca.crt -CAkey ca.key -set_serial 7 "
		 "-out leaf.crt -days 2"));
	CHECK(sh("cat leaf.crt ca.crt > chain.pem && cat ec.crt ec.key > combined.pem && "
		 "cat ec.crt ec.crt ec.crt ec.crt ec.crt > five.pem"));
	CHECK(sh("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes128 "
		 "-pass pass:x -out enc.key"));
	CHECK(sh("openssl pkcs8 -topk8 -nocrypt -in ec.key -out ec8.key"));

	/* RSA, PKCS#8 key */
	CHECK_EQ(tls_setup(&ctx, tmp("rsa.crt"), tmp("rsa.key"), NULL, seed, sizeof seed, 8, err,
			   sizeof err), 0);
	CHECK_EQ(ctx.key_type, BR_KEYTYPE_RSA);
	CHECK_EQ(ctx.rsa.n_bitlen, 2048);
	CHECK_EQ(connection(true, "localhost", NULL, &sp), RSA_CHACHA);
	CHECK(connection(true, "localhost", &sp, &sp2) != 0);
	CHECK_MEM(sp.master_secret, sp2.master_secret, 48);
	free(ctx.cache_store);
	/* RSA, "RSA PRIVATE KEY" */
	CHECK_EQ(tls_setup(&ctx, tmp("rsa.crt"), tmp("rsa1.key"), NULL, seed, sizeof seed, 0, err,
			   sizeof err), 0);
	CHECK(connection(true, "localhost", NULL, &sp) != 0);

	/* EC, "EC PRIVATE KEY" and PKCS#8 */
	CHECK_EQ(tls_setup(&ctx, tmp("ec.crt"), tmp("ec.key"), NULL, seed, sizeof seed, 0, err,
			   sizeof err), 0);
	CHECK_EQ(ctx.key_type, BR_KEYTYPE_EC);
	CHECK_EQ(ctx.ec.curve, BR_EC_secp256r1);
	CHECK_EQ(connection(true, "localhost", NULL, &sp), ECDSA_CHACHA);
	CHECK_EQ(tls_setup(&ctx, tmp("ec.crt"), tmp("ec8.key"), NULL, seed, sizeof seed, 0, err,
			   sizeof err), 0);
	/* certificate and key in one file */
	CHECK_EQ(tls_setup(&ctx, tmp("combined.pem"), NULL, NULL, seed, sizeof seed, 0, err,
			   sizeof err), 0);
	CHECK(connection(true, "localhost", NULL, &sp) != 0);
	/* a chain: leaf first; the client anchors at the (P-384) CA */
	CHECK_EQ(tls_setup(&ctx, tmp("chain.pem"), tmp("ec.key"), NULL, seed, sizeof seed, 0, err,
			   sizeof err), 0);
	CHECK_EQ(ctx.chain_len, 2);
	CHECK(ctx.chain[1].data == ctx.chain[0].data + ctx.chain[0].data_len);
	{
		int fd[2];
		br_x509_certificate leaf = ctx.chain[0];
		ctx.chain[0] = ctx.chain[1]; /* so client_start anchors at the CA */
		socket_pair(fd);
		client_start(false, "localhost", NULL);
		ctx.chain[0] = leaf;
		tls_conn_start(&conn, &ctx);
		CHECK(handshake(fd[0], fd[1]));
		CHECK(exchange(fd[0], fd[1]));
		close_both(fd);
	}
	/* a P-384 key */
	CHECK_EQ(tls_setup(&ctx, tmp("ca.crt"), tmp("ca.key"), NULL, seed, sizeof seed, 0, err,
			   sizeof err), 0);
	CHECK_EQ(ctx.ec.curve, BR_EC_secp384r1);
	CHECK(connection(true, "localhost", NULL, &sp) != 0);

	/* RSA-4096, the largest the header's buffers take */
	CHECK(sh("openssl req -x509 -newkey rsa:4096 -nodes -keyout r4.key -out r4.crt "
		 "-subj /CN=localhost -days 2"));
	CHECK_EQ(tls_setup(&ctx, tmp("r4.crt"), tmp("r4.key"), NULL, seed, sizeof seed, 0, err,
			   sizeof err), 0);
	CHECK_EQ(ctx.rsa.n_bitlen, 4096);
	CHECK_EQ(connection(true, "localhost", NULL, &sp), RSA_CHACHA);

	/* errors */
	expect_error(tmp("rsa.crt"), tmp("r4.key"), "r4.key: private key does not match");
	expect_error(tmp("r4.crt"), tmp("rsa1.key"), "rsa1.key: private key does not match");
	expect_error(tmp("rsa.crt"), tmp("ec.key"), "ec.key: EC private key for an RSA cert");
	expect_error(tmp("ec.crt"), tmp("rsa.key"), "rsa.key: RSA private key for an EC cert");
	expect_error(tmp("ec.crt"), tmp("ca.key"), "ca.key: private key does not match");
	expect_error(tmp("leaf.crt"), tmp("ca.key"), "ca.key: private key does not match");
	expect_error(tmp("ec.crt"), NULL, "ec.crt: no private key found");
	expect_error(tmp("ec.crt"), tmp("ec.crt"), "ec.crt: no private key found");
	expect_error(tmp("ec.crt"), tmp("enc.key"), "encrypted private keys are not supported");
	expect_error(tmp("ec.crt"), tmp("missing.key"), "missing.key: No such file");
	expect_error(tmp("five.pem"), tmp("ec.key"), "five.pem: more than 4 certificates");
	expect_error(tmp("ec.key"), tmp("ec.key"), "ec.key: no certificate found");
	/* a second RSA key after the first */
	CHECK(sh("cat rsa.key rsa1.key > two.key"));
	expect_error(tmp("rsa.crt"), tmp("two.key"), "two.key: more than one private key");
}

/* Peers that do not speak TLS: the pump reports the end and nothing crashes. */
static void bad_peers(void)
{
	static const char http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	unsigned char junk[300], b[64];
	int fd[2];
	ssize_t r = 0;

	CHECK_EQ(tls_setup(&ctx, NULL, NULL, NULL, seed, sizeof seed, 0, err, sizeof err), 0);

	/* plain HTTP to the TLS port */
	socket_pair(fd);
	tls_conn_start(&conn, &ctx);
	CHECK_EQ(write(fd[1], http, sizeof http - 1), (ssize_t)sizeof http - 1);
	for (int i = 0; i < 10 && (r = tls_read(&conn, fd[0], b, sizeof b)) == 0; i++)
		;
	CHECK_EQ(r, -1);
	CHECK(conn.closed);
	CHECK(conn.last_error != 0);
	CHECK_EQ(tls_events(&conn), POLLIN | POLLOUT);
	CHECK_EQ(tls_write(&conn, fd[0], "x", 1), -1);
	CHECK_EQ(tls_flush(&conn, fd[0]), -1);
	tls_close(&conn, fd[0]);
	close(fd[0]);
	close(fd[1]);

	/* a handshake record header followed by random bytes */
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)(i * 131 + 17);
	memcpy(junk, "\x16\x03\x01\x01\x20", 5);
	socket_pair(fd);
	tls_conn_start(&conn, &ctx);
	CHECK_EQ(write(fd[1], junk, sizeof junk), (ssize_t)sizeof junk);
	for (int i = 0; i < 10 && (r = tls_read(&conn, fd[0], b, sizeof b)) == 0; i++)
		;
	CHECK_EQ(r, -1);
	CHECK(conn.last_error != 0);
	close(fd[0]);
	close(fd[1]);

	/* the peer hangs up at once, and mid-handshake */
	socket_pair(fd);
	tls_conn_start(&conn, &ctx);
	close(fd[1]);
	CHECK_EQ(tls_read(&conn, fd[0], b, sizeof b), -1);
	CHECK_EQ(conn.last_error, BR_ERR_IO);
	close(fd[0]);

	socket_pair(fd);
	tls_conn_start(&conn, &ctx);
	client_start(true, "localhost", NULL);
	for (int i = 0; i < 3; i++) {
		client_step(fd[1]);
		tls_read(&conn, fd[0], b, sizeof b);
	}
	CHECK(!(br_ssl_engine_current_state(&conn.sc.eng) & BR_SSL_SENDAPP));
	close(fd[1]);
	for (int i = 0; i < 10 && (r = tls_read(&conn, fd[0], b, sizeof b)) >= 0; i++)
		;
	CHECK_EQ(r, -1);
	close(fd[0]);

	/* nothing to read yet: 0 and POLLIN, not an error */
	socket_pair(fd);
	tls_conn_start(&conn, &ctx);
	CHECK_EQ(tls_read(&conn, fd[0], b, sizeof b), 0);
	CHECK_EQ(tls_flush(&conn, fd[0]), 0);
	CHECK_EQ(tls_events(&conn), POLLIN);
	tls_close(&conn, fd[0]);
	close(fd[0]);
	close(fd[1]);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_tls.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	have_openssl = system("openssl version >/dev/null 2>&1") == 0;
	if (!have_openssl)
		printf("openssl not installed: its checks are skipped\n");

	ephemeral();
	errors();
	pem_files();
	bad_peers();

	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		printf("cannot remove %s\n", tmpdir);
	return t_done("test_tls");
}
