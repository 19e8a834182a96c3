/*
 * fuzz_msd_kvmd: kvmd's answers to the virtual-media backend (hal/msd_kvmd.c): GET /msd
 * states, POST answers, and write_remote's chunked NDJSON stream.
 *
 * Like fuzz_kvmd: a fake kvmd listens on a unix socket in a private temporary directory;
 * the backend is created for every input, asked to insert (an URL with credentials) or
 * eject, and driven the way the poll loop drives it; for each request the harness accepts
 * the connection, checks the request is one valid HTTP/1.1 request, answers with bytes from
 * the input and closes.
 *
 * Input: up to EXCHANGES answers separated by FA DE D5 + a control byte (the first answer
 * has control byte 0): bit 0 ask for an eject before this exchange (else: an insert, when
 * none runs), bit 1 CD-ROM, bit 2 let the request time out, bit 3 neither insert nor eject,
 * bits 4-5 move the clock. An input starting with "SW", a port byte (port = byte % 20) and
 * the first control byte is for a PiKVM Switch port (cfg.on_switch: GET /switch after each
 * GET /msd, POST /switch/set_active before the drive is connected).
 * Checks: at most one descriptor; status texts are terminated and printable, without the
 * URL's password; and once kvmd stops answering, the operation ends (no hang). Before
 * fuzzing, fixed vectors of the switch port's conversations are checked (the requests in
 * order, the state at the end).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../hal/msd.h"
#include "../../proto/http.h"
#include "fuzz_common.h"

#define EXCHANGES 16

static char reqs[EXCHANGES + 80][96];	/* the request lines of one input */
static int nreqs;
static void self_test(void);

static char dir[64], sock_path[128];
static int lfd = -1;

static void cleanup(void)
{
	if (lfd >= 0)
		close(lfd);
	unlink(sock_path);
	rmdir(dir);
}

static void logcb(void *ctx, int level, const char *fmt, ...)
{
	char m[512];
	va_list ap;
	(void)ctx;
	(void)level;
	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	FUZZ_ASSERT(!strstr(m, "hunter2"), "password in a log line: %s", m);
	if (getenv("FUZZ_LOG"))
		fprintf(stderr, "log: %s\n", m);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *tmp = getenv("TMPDIR");
	if (!tmp || strlen(tmp) >= 30)
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/bmcd-fuzz-msd-XXXXXX", tmp);
	FUZZ_ASSERT(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	snprintf(sock_path, sizeof(sock_path), "%s/kvmd.sock", dir);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	memcpy(sa.sun_path, sock_path, strlen(sock_path));
	FUZZ_ASSERT(lfd >= 0 && bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
			    listen(lfd, 8) == 0,
		    "fake kvmd socket: %s", strerror(errno));
	atexit(cleanup);
	self_test();
	return 0;
}

static void check_request(int c)
{
	char req[8192];
	size_t n = 0;
	for (int i = 0; i < 8 && n < sizeof(req); i++) {
		ssize_t r = recv(c, req + n, sizeof(req) - n, MSG_DONTWAIT);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	struct http_request rq;
	int r = http_parse(req, n, &rq);
	FUZZ_ASSERT(r > 0 && (size_t)r == n, "the backend sent a bad request (%d): %.*s", r, (int)n,
		    req);
	FUZZ_ASSERT(rq.method == HTTP_GET || rq.method == HTTP_POST, "method");
	FUZZ_ASSERT(!memmem(req, n, "hunter2", 7) || memmem(req, n, "write_remote", 12),
		    "the URL's password outside write_remote");
	const char *eol = memchr(req, '\r', n);
	if (eol && nreqs < (int)(sizeof(reqs) / sizeof(reqs[0])))
		snprintf(reqs[nreqs++], sizeof(reqs[0]), "%.*s", (int)(eol - req), req);
}

static void check_status(struct msd *m)
{
	struct msd_status s;
	m->ops->status(m, &s);
	FUZZ_ASSERT(s.state <= MSD_FAILED, "state %d", s.state);
	const char *texts[] = { s.url, s.image, s.error };
	size_t caps[] = { sizeof(s.url), sizeof(s.image), sizeof(s.error) };
	for (int i = 0; i < 3; i++) {
		FUZZ_ASSERT(memchr(texts[i], 0, caps[i]), "text %d not terminated", i);
		for (const char *p = texts[i]; *p; p++)
			FUZZ_ASSERT(*p >= 0x20 && *p < 0x7F, "text %d byte %02x", i, (unsigned char)*p);
		FUZZ_ASSERT(!strstr(texts[i], "hunter2"), "password in status: %s", texts[i]);
	}
	struct pollfd fds[2];
	FUZZ_ASSERT(m->ops->fds(m, fds, 2) <= 1, "more than one descriptor");
}

/* One exchange: the backend's request, answered with p[0..n) (or not, when hang). */
static void exchange(struct msd *m, int64_t *now, const uint8_t *p, size_t n, bool hang)
{
	/* a request the backend started at the end of the last exchange (the next step, or
	 * GET /switch after GET /msd) is answered now; otherwise the clock moves to its
	 * deadline */
	int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c < 0) {
		int64_t d = m->ops->deadline(m);
		if (d > *now && d != INT64_MAX)
			*now = d;
		m->ops->service(m, *now, 0);
		c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	}
	if (c < 0)
		return;
	m->ops->service(m, *now, POLLOUT);
	check_request(c);
	if (hang) {
		*now += 600001; /* past any deadline of the backend's */
		m->ops->service(m, *now, 0);
	} else {
		for (size_t off = 0; off < n;) {
			ssize_t w = send(c, p + off, n - off, MSG_NOSIGNAL);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
	}
	close(c);
	*now += 1;
	for (int i = 0; i < 4; i++)
		m->ops->service(m, *now, POLLIN);
	check_status(m);
}

/* One backend (port < 0: no switch) through the exchanges; its status at the end and the
 * result of its last insert() in *out and *rc. */
static void run(const uint8_t *data, size_t size, int port, uint8_t ctl, struct msd_status *out,
		int *rc)
{
	static const uint8_t mark[3] = { 0xFA, 0xDE, 0xD5 };
	int64_t now = 1000000;
	struct msd_kvmd_cfg cfg = { .socket = sock_path, .user = "bmcd", .passwd = "pw",
				    .timeout_ms = 3000, .poll_ms = 5000, .busy_ms = 2000,
				    .on_switch = port >= 0, .switch_port = (unsigned)port,
				    .log = logcb };
	struct msd *m = msd_kvmd_new(&cfg, now);
	FUZZ_ASSERT(m, "msd_kvmd_new");
	nreqs = 0;
	*rc = 0;
	const uint8_t *p = data, *end = data + size;
	for (int k = 0; k < EXCHANGES && p <= end; k++) {
		const uint8_t *mk = memmem(p, (size_t)(end - p), mark, sizeof(mark));
		const uint8_t *stop = mk ? mk : end;
		struct msd_status s;
		m->ops->status(m, &s);
		char err[160];
		if (ctl & 8)
			;
		else if (ctl & 1)
			(void)m->ops->eject(m, now, err, sizeof(err));
		else if (s.state != MSD_BUSY)
			*rc = m->ops->insert(m, "http://joe:hunter2@images.example/isos/debian_12.iso?x=1",
					     ctl & 2, !(ctl & 2), now, err, sizeof(err));
		exchange(m, &now, p, (size_t)(stop - p), ctl & 4);
		now += (int64_t)((ctl >> 4) & 3) * 20000;
		if (!mk || mk + 3 >= end)
			break;
		ctl = mk[3];
		p = mk + 4;
	}
	/* kvmd stops answering (accepts and closes): whatever runs must end */
	for (int i = 0; i < 2 * 32 + 8; i++) {
		struct msd_status s;
		m->ops->status(m, &s);
		if (s.state != MSD_BUSY)
			break;
		exchange(m, &now, NULL, 0, false);
	}
	m->ops->status(m, out);
	FUZZ_ASSERT(out->state != MSD_BUSY, "the operation does not end when kvmd stops answering");
	m->ops->destroy(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msd_status s;
	int rc;
	if (size >= 4 && data[0] == 'S' && data[1] == 'W')
		run(data + 4, size - 4, data[2] % 20, data[3], &s, &rc);
	else
		run(data, size, -1, 0, &s, &rc);
	return 0;
}

/* --- fixed vectors: a switch port's conversations ------------------------------------------ */

#define HEAD "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"
#define OK HEAD "{\"ok\": true, \"result\": {}}"
#define IDLE "\xFA\xDE\xD5\x08"	/* the next answer; no insert or eject before it */
#define INSERT "\xFA\xDE\xD5\x40"	/* the next answer; insert() before it (0x40: no NUL) */
#define MSD(storage, drive)                                                                \
	HEAD "{\"ok\":true,\"result\":{\"busy\":false,\"drive\":" drive ",\"enabled\":true," \
	"\"online\":true,\"storage\":" storage "}}"
#define DRIVE(name, conn)                                                                  \
	"{\"cdrom\":true,\"connected\":" conn ",\"image\":{\"name\":\"" name "\"},\"rw\":false}"
#define NODRIVE "{\"cdrom\":true,\"connected\":false,\"image\":null,\"rw\":false}"
#define OURS "bmcd-port2/debian_12.iso"
#define STORED "{\"images\":{\"" OURS "\":{\"complete\":true,\"size\":4}}}"
#define SWITCH(active)                                                                     \
	HEAD "{\"ok\":true,\"result\":{\"model\":{\"ports\":[{},{},{},{}]},\"summary\":" \
	"{\"active_id\":\"\",\"active_port\":" #active ",\"synced\":true}}}"
#define PROGRESS "{\"ok\": true, \"result\": {\"image\": {\"name\": \"" OURS "\", " \
	"\"size\": 4, \"written\": 4}}}\r\n"
#define NDJSON "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nContent-Length: "

struct vec {
	const char *name;
	uint8_t ctl;		/* before the first answer */
	const char *in;
	enum msd_state state;	/* at the end */
	bool connected;
	int rc;			/* of the last insert() */
	const char *error;	/* in status.error, or NULL */
	bool exact;		/* no requests after those in req */
	const char *req[16];	/* the request lines start so, in order */
};

static const struct vec vecs[] = {
	{ "another host's media, its port active: the insert's first look fails, nothing sent", 0,
	  MSD("null", DRIVE("theirs.iso", "true")) IDLE SWITCH(1),
	  MSD_FAILED, false, 0, "theirs.iso for switch port 1", true,
	  { "GET /msd ", "GET /switch " } },
	{ "... and the next insert() is refused at once", 0,
	  MSD("null", DRIVE("theirs.iso", "true")) IDLE SWITCH(1) INSERT
	  MSD("null", DRIVE("theirs.iso", "true")) IDLE SWITCH(1),
	  MSD_FAILED, false, MSD_IN_USE, NULL, true,
	  { "GET /msd ", "GET /switch ", "GET /msd ", "GET /switch " } },
	{ "someone else's media for our own port is replaced, as without a switch", 0,
	  MSD("null", DRIVE("theirs.iso", "true")) IDLE SWITCH(2) IDLE OK,
	  MSD_FAILED, true, 0, NULL, false, /* (kvmd stops answering at the end) */
	  { "GET /msd ", "GET /switch ", "POST /msd/set_connected?connected=0 " } },
	{ "our media, another port made active: inserted, not connected, no switching back", 8,
	  MSD("null", DRIVE(OURS, "true")) IDLE SWITCH(2) IDLE
	  MSD("null", DRIVE(OURS, "true")) IDLE SWITCH(0),
	  MSD_INSERTED, false, 0, NULL, true,
	  { "GET /msd ", "GET /switch ", "GET /msd ", "GET /switch " } },
	{ "... and connected again when our port is active again", 8,
	  MSD("null", DRIVE(OURS, "true")) IDLE SWITCH(2) IDLE
	  MSD("null", DRIVE(OURS, "true")) IDLE SWITCH(0) IDLE
	  MSD("null", DRIVE(OURS, "true")) IDLE SWITCH(2),
	  MSD_INSERTED, true, 0, NULL, true,
	  { "GET /msd ", "GET /switch ", "GET /msd ", "GET /switch ", "GET /msd ", "GET /switch " } },
	{ "no such port: an insert fails before it touches the drive", 0,
	  MSD("null", DRIVE("theirs.iso", "true")) IDLE
	  HEAD "{\"ok\":true,\"result\":{\"model\":{\"ports\":[{}]},\"summary\":"
	  "{\"active_port\":0}}}",
	  MSD_FAILED, false, 0, "has 1 port(s), not port 2", true, { "GET /msd ", "GET /switch " } },
	{ "an insert: download, select, make port 2 active (queued: a look more), connect", 0,
	  MSD("null", NODRIVE) IDLE SWITCH(0) IDLE
	  NDJSON "98\r\n\r\n" PROGRESS IDLE
	  MSD(STORED, NODRIVE) IDLE SWITCH(0) IDLE OK IDLE
	  MSD(STORED, NODRIVE) IDLE SWITCH(0) IDLE OK IDLE
	  MSD(STORED, NODRIVE) IDLE SWITCH(0) IDLE
	  MSD(STORED, NODRIVE) IDLE SWITCH(2) IDLE OK IDLE
	  MSD(STORED, DRIVE(OURS, "true")) IDLE SWITCH(2),
	  MSD_INSERTED, true, 0, NULL, true,
	  { "GET /msd ", "GET /switch ", "POST /msd/write_remote?", "GET /msd ", "GET /switch ",
	    "POST /msd/set_params?image=bmcd-port2%2Fdebian_12.iso&cdrom=0&rw=1 ", "GET /msd ",
	    "GET /switch ", "POST /switch/set_active?port=2 ", "GET /msd ", "GET /switch ",
	    "GET /msd ", "GET /switch ", "POST /msd/set_connected?connected=1 ", "GET /msd ",
	    "GET /switch " } },
};

static void self_test(void)
{
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];
		struct msd_status s;
		int rc;
		run((const uint8_t *)v->in, strlen(v->in), 2, v->ctl, &s, &rc);
		FUZZ_ASSERT(s.state == v->state && s.connected == v->connected && rc == v->rc,
			    "vector '%s': state %d connected %d insert %d, expected %d %d %d (%s)",
			    v->name, s.state, s.connected, rc, v->state, v->connected, v->rc, s.error);
		FUZZ_ASSERT(!v->error || strstr(s.error, v->error), "vector '%s': error '%s'", v->name,
			    s.error);
		int want = 0;
		while (want < 16 && v->req[want])
			want++;
		FUZZ_ASSERT(nreqs >= want && (!v->exact || nreqs == want),
			    "vector '%s': %d requests, expected %d", v->name, nreqs, want);
		for (int r = 0; r < want; r++)
			FUZZ_ASSERT(!strncmp(reqs[r], v->req[r], strlen(v->req[r])),
				    "vector '%s': request %d is '%s', expected '%s'", v->name, r, reqs[r],
				    v->req[r]);
	}
	fprintf(stderr, "fuzz_msd_kvmd: %zu switch vectors pass\n", sizeof(vecs) / sizeof(vecs[0]));
}
