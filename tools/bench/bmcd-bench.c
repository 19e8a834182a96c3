/*
 * bmcd-bench: the benchmark client for bmcd and the reference servers. One thread, one
 * poll() loop, BearSSL for AES (x86 AES-NI when present) and SHA-NI HMAC when present.
 * Never linked into bmcd.
 *
 *   bmcd-bench ipmi       N RMCP+ sessions, each one request in flight (Get Device ID or
 *                         Get Chassis Status), for a fixed time or a fixed count:
 *                         requests/s, latency p50/p99/max, errors
 *   bmcd-bench echo       the same loop with raw datagrams against a UDP echo server
 *                         (the ceiling of this machine's loopback, and the client's own
 *                         self-check)
 *   bmcd-bench handshake  C concurrent consoles doing Open Session + RAKP 1-4 + Close
 *                         Session in a loop: session setups/s
 *   bmcd-bench sol        one SoL session over a pty this program creates: host->client
 *                         throughput and keystroke->host latency
 *   bmcd-bench echo-server  a UDP echo server (recvmmsg/sendmmsg, poll)
 *   bmcd-bench ready      exec a server, time the first UDP answer and the first HTTP 200
 *   bmcd-bench http       N sequential keep-alive GETs on one connection (for callgrind)
 *   bmcd-bench selftest   SHA-NI HMAC against BearSSL, and the histogram
 *
 * Every mode prints one JSON object on stdout and a human summary on stderr.
 * Every loop is bounded in time: nothing here can hang a benchmark run.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "fastmac.h"
#include "hist.h"
#include "rmcpc.h"

extern char **environ;

/* --- small helpers --------------------------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("bmcd-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static volatile sig_atomic_t stop_flag;
static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

struct opts {
	const char *host;
	int port;
	int sessions;
	int suite;
	const char *cmd;
	double duration, warmup;
	long count;
	const char *user, *pass;
	int timeout_ms;
	int size;
	const char *label;
	const char *pty_link;
	long sol_bytes;
	int keys;
	bool plain;
	int http_port;
	const char *path;
	const char *auth;
	int runs;
	const char *probe;
	const char *log;
	bool conn_close;
	bool per_session;	/* one UDP socket per session (pyghmi needs it) */
	char **argv_exec;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: bmcd-bench MODE [options]\n"
		"modes: ipmi | echo | handshake | sol | echo-server | ready | http | selftest\n"
		"  --host A (127.0.0.1)  --port P  --sessions N (1)  --suite 3|17 (17)\n"
		"  --cmd devid|status (devid)  --duration S (5)  --warmup S (0.5)  --count N\n"
		"  --user U (admin)  --pass P (admin)  --timeout-ms T (1000)  --size B (72, echo)\n"
		"  --label TEXT  (copied into the JSON output)\n"
		"  --sockets shared|per-session (shared: one socket, recvmmsg/sendmmsg, sessions\n"
		"        told apart by console session ID; per-session: one socket each, poll)\n"
		"  sol:   --pty-link PATH  --bytes N (4194304)  --keys K (200)\n"
		"  echo-server: --port P [--plain: recvfrom/sendto per packet]\n"
		"  ready: --port P (UDP, 0: none) --probe asf|authcap --http-port H --path X\n"
		"         --auth U:P --runs R (5) --log FILE -- COMMAND ARGS...\n"
		"  http:  --http-port H --path X --auth U:P --count N [--conn-close]\n");
	exit(2);
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->host = "127.0.0.1";
	o->sessions = 1;
	o->suite = 17;
	o->cmd = "devid";
	o->duration = 5;
	o->warmup = 0.5;
	o->user = "admin";
	o->pass = "admin";
	o->timeout_ms = 1000;
	o->size = 72;
	o->label = "";
	o->sol_bytes = 4 << 20;
	o->keys = 200;
	o->path = "/redfish/v1/Systems/0";
	o->auth = "";
	o->runs = 5;
	o->probe = "asf";
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name) (!strcmp(a, name) && v && (i++, 1))
		if (!strcmp(a, "--")) {
			o->argv_exec = argv + i + 1;
			break;
		} else if (!strcmp(a, "--plain")) {
			o->plain = true;
		} else if (!strcmp(a, "--conn-close")) {
			o->conn_close = true;
		} else if (OPT("--sockets")) {
			if (!strcmp(v, "per-session"))
				o->per_session = true;
			else if (strcmp(v, "shared"))
				die("--sockets must be shared or per-session");
		} else if (OPT("--host")) {
			o->host = v;
		} else if (OPT("--port")) {
			o->port = atoi(v);
		} else if (OPT("--sessions") || OPT("--concurrency")) {
			o->sessions = atoi(v);
		} else if (OPT("--suite")) {
			o->suite = atoi(v);
		} else if (OPT("--cmd")) {
			o->cmd = v;
		} else if (OPT("--duration")) {
			o->duration = atof(v);
		} else if (OPT("--warmup")) {
			o->warmup = atof(v);
		} else if (OPT("--count")) {
			o->count = atol(v);
		} else if (OPT("--user")) {
			o->user = v;
		} else if (OPT("--pass")) {
			o->pass = v;
		} else if (OPT("--timeout-ms")) {
			o->timeout_ms = atoi(v);
		} else if (OPT("--size")) {
			o->size = atoi(v);
		} else if (OPT("--label")) {
			o->label = v;
		} else if (OPT("--pty-link")) {
			o->pty_link = v;
		} else if (OPT("--bytes")) {
			o->sol_bytes = atol(v);
		} else if (OPT("--keys")) {
			o->keys = atoi(v);
		} else if (OPT("--http-port")) {
			o->http_port = atoi(v);
		} else if (OPT("--path")) {
			o->path = v;
		} else if (OPT("--auth")) {
			o->auth = v;
		} else if (OPT("--runs")) {
			o->runs = atoi(v);
		} else if (OPT("--probe")) {
			o->probe = v;
		} else if (OPT("--log")) {
			o->log = v;
		} else {
			fprintf(stderr, "bmcd-bench: unknown or incomplete option '%s'\n", a);
			usage();
		}
#undef OPT
	}
	if (o->suite != 3 && o->suite != 17)
		die("--suite must be 3 or 17");
	if (o->sessions < 1 || o->sessions > 1024)
		die("--sessions must be 1..1024");
	if (o->size < 16 || o->size > 1400)
		die("--size must be 16..1400");
	if (o->duration <= 0 || o->duration > 600)
		die("--duration must be in (0, 600]");
}

/* Source ports for sockets that must not reuse a recent address (see hs_start). */
static int next_src_port;

static int udp_connect2(const char *host, int port, bool fresh_port)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		die("bad IPv4 address %s", host);
	if (fresh_port) {
		/* walk through 20000..60999 in order instead of letting the kernel pick a
		 * random ephemeral port, which soon repeats one used a moment ago */
		if (!next_src_port)
			next_src_port = 20000 + (int)(now_ns() / 1000 % 41000);
		for (int tries = 0; tries < 64; tries++) {
			struct sockaddr_in me = { .sin_family = AF_INET,
						  .sin_port = htons((uint16_t)next_src_port) };
			me.sin_addr = sa.sin_addr;
			next_src_port = next_src_port >= 60999 ? 20000 : next_src_port + 1;
			if (bind(fd, (struct sockaddr *)&me, sizeof(me)) == 0)
				break;
		}
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("connect: %s", strerror(errno));
	int sz = 1 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	return fd;
}

static int udp_connect(const char *host, int port) { return udp_connect2(host, port, false); }

/*
 * musl's sendmmsg() on 64-bit targets is a loop of sendmsg() calls (its struct msghdr has
 * padding the kernel's has not). With every msghdr zeroed first, the padding is zero and the
 * layouts agree on little-endian, so the real system call can take the whole batch.
 */
static int sendmmsg_raw(int fd, struct mmsghdr *mm, unsigned n)
{
	return (int)syscall(SYS_sendmmsg, fd, mm, n, 0);
}

static uint32_t xrand(void)
{
	static uint64_t s;
	if (!s)
		s = now_ns() ^ ((uint64_t)getpid() << 32) ^ 0x9E3779B97F4A7C15ull;
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (uint32_t)(s >> 16);
}

static double us(uint64_t ns) { return (double)ns / 1000.0; }

/* CPU seconds (user + system) this process has used */
static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* --- the session engine used by ipmi, echo and handshake ------------------------------------ */

enum { M_IPMI, M_ECHO, M_HANDSHAKE };
enum { ST_OPEN, ST_RAKP1, ST_RAKP3, ST_READY, ST_WAIT, ST_CLOSE, ST_IDLE, ST_FAILED, ST_BACKOFF };

struct slot {
	int fd;			/* per-session socket, or the shared one */
	int idx;
	int st;
	struct rc_sess rs;
	uint8_t rqseq;
	uint64_t echo_id;
	uint64_t t_sent, deadline, hs_start;
	int hs_fail;
	long hs_count;
};

/* packets waiting for the next flush (one sendmmsg on the shared socket) */
struct outpkt {
	int slot;
	uint16_t len;
	uint8_t pkt[RC_PKT_MAX];
};

#define BATCH 64

struct run {
	const struct opts *o;
	int mode;
	struct slot *s;
	struct pollfd *pfd;
	int n, npfd;
	int sfd;		/* the shared socket, or -1 */
	struct outpkt *q;
	int nq, qcap;
	uint8_t netfn, cmd;
	uint64_t win_start, win_end;
	bool measuring, counting, stopping;
	long done_total;	/* completed requests/setups since the start of the run phase */
	/* results */
	struct hist h;
	long ok, in_window, errors, timeouts, stale, send_err, setup_fail, cc_err;
	long tmo_stage[ST_BACKOFF + 1];	/* timeouts by the state they hit */
	int last_cc;
	const char *last_why;
	int last_status;
};

static void flush(struct run *r)
{
	if (!r->nq)
		return;
	if (r->sfd < 0) {
		for (int i = 0; i < r->nq; i++)
			if (send(r->s[r->q[i].slot].fd, r->q[i].pkt, r->q[i].len, 0) < 0 &&
			    errno != EAGAIN && errno != ECONNREFUSED)
				r->send_err++;
		r->nq = 0;
		return;
	}
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	for (int done = 0; done < r->nq;) {
		int k = r->nq - done < BATCH ? r->nq - done : BATCH;
		for (int i = 0; i < k; i++) {
			iov[i].iov_base = r->q[done + i].pkt;
			iov[i].iov_len = r->q[done + i].len;
			memset(&mm[i].msg_hdr, 0, sizeof(mm[i].msg_hdr));
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		int sent = sendmmsg_raw(r->sfd, mm, (unsigned)k);
		if (sent <= 0) {
			if (sent < 0 && errno == ECONNREFUSED)
				continue; /* reported once for an earlier packet: send again */
			r->send_err += k;
			sent = k;
		}
		done += sent;
	}
	r->nq = 0;
}

static void slot_send(struct run *r, struct slot *s, const uint8_t *p, size_t n, uint64_t now)
{
	if (r->nq == r->qcap)
		flush(r);
	struct outpkt *o = &r->q[r->nq++];
	o->slot = s->idx;
	o->len = (uint16_t)n;
	memcpy(o->pkt, p, n);
	s->t_sent = now;
	s->deadline = now + (uint64_t)r->o->timeout_ms * 1000000ull;
}

static void hs_start(struct run *r, struct slot *s, uint64_t now)
{
	uint8_t pkt[RC_PKT_MAX];
	if (r->sfd < 0 && s->hs_count++ > 0) {
		/* per-session sockets: every set-up from a new client address, like a new
		 * ipmitool process (pyghmi keys its sessions by address, and never forgets
		 * one: an address used before would reach an old session) */
		flush(r);
		close(s->fd);
		s->fd = udp_connect2(r->o->host, r->o->port, true);
		r->pfd[s->idx].fd = s->fd;
	}
	/* a new console session ID per handshake; the low 16 bits name the slot, so that
	 * answers on the shared socket find their session */
	s->rs.con_sid = (xrand() & 0x7FFF0000u) | (uint32_t)(s->idx + 1);
	size_t n = rc_open_req(&s->rs, pkt);
	s->st = ST_OPEN;
	s->hs_start = now;
	slot_send(r, s, pkt, n, now);
}

static void send_request(struct run *r, struct slot *s, uint64_t now)
{
	uint8_t pkt[RC_PKT_MAX];
	if (r->mode == M_ECHO) {
		memset(pkt, 0xA5, (size_t)r->o->size);
		s->echo_id++;
		memcpy(pkt, &s->echo_id, 8);
		memcpy(pkt + 8, &s->idx, sizeof(s->idx));
		s->st = ST_WAIT;
		slot_send(r, s, pkt, (size_t)r->o->size, now);
		return;
	}
	uint8_t msg[32];
	s->rqseq = (uint8_t)((s->rqseq + 1) & 0x3F);
	size_t ml = rc_ipmi_msg(msg, r->netfn, r->cmd, s->rqseq, NULL, 0);
	size_t n = rc_protect(&s->rs, PT_IPMI, msg, ml, pkt);
	s->st = ST_WAIT;
	slot_send(r, s, pkt, n, now);
}

static void send_close(struct run *r, struct slot *s, uint64_t now)
{
	uint8_t pkt[RC_PKT_MAX], msg[32], sid[4];
	memcpy(sid, &s->rs.bmc_sid, 4);
	s->rqseq = (uint8_t)((s->rqseq + 1) & 0x3F);
	size_t ml = rc_ipmi_msg(msg, 0x06, 0x3C, s->rqseq, sid, 4);
	size_t n = rc_protect(&s->rs, PT_IPMI, msg, ml, pkt);
	s->st = ST_CLOSE;
	slot_send(r, s, pkt, n, now);
}

static void count_done(struct run *r, struct slot *s, uint64_t now)
{
	r->ok++;
	r->done_total++;
	if (r->measuring && s->t_sent >= r->win_start && now <= r->win_end) {
		r->in_window++;
		hist_add(&r->h, now - (r->mode == M_HANDSHAKE ? s->hs_start : s->t_sent));
	}
}

/* what happens after a slot finished something: next request, next handshake, or rest */
static void next_action(struct run *r, struct slot *s, uint64_t now)
{
	bool go = !r->stopping && !(r->counting && r->done_total >= r->o->count);
	if (r->mode == M_HANDSHAKE) {
		if (go)
			hs_start(r, s, now);
		else
			s->st = ST_IDLE;
	} else {
		if (go && r->measuring)
			send_request(r, s, now);
		else
			s->st = ST_READY;
	}
}

static void hs_failed(struct run *r, struct slot *s, int status, uint64_t now)
{
	r->errors++;
	r->last_status = status;
	if (s->rs.why)
		r->last_why = s->rs.why;
	if (++s->hs_fail >= 5 && r->mode != M_HANDSHAKE) {
		s->st = ST_FAILED;
		r->setup_fail++;
		return;
	}
	if (r->mode == M_HANDSHAKE && (r->stopping || (r->counting && r->done_total >= r->o->count))) {
		s->st = ST_IDLE;
		return;
	}
	if (status <= 0 && r->mode == M_HANDSHAKE) { /* garbled or lost: start again */
		hs_start(r, s, now);
		return;
	}
	/* refused: try again after a pause, so that the server is not hammered */
	s->st = ST_BACKOFF;
	s->deadline = now + 20000000ull;
}

static void on_packet(struct run *r, struct slot *s, const uint8_t *p, size_t n, uint64_t now)
{
	uint8_t pkt[RC_PKT_MAX];
	int rc;
	if (r->mode == M_ECHO) {
		uint64_t id;
		if (s->st != ST_WAIT || n != (size_t)r->o->size) {
			r->stale++;
			return;
		}
		memcpy(&id, p, 8);
		if (id != s->echo_id) {
			r->stale++;
			return;
		}
		count_done(r, s, now);
		next_action(r, s, now);
		return;
	}
	switch (s->st) {
	case ST_OPEN:
		if ((rc = rc_open_rsp(&s->rs, p, n)) != 0) {
			hs_failed(r, s, rc, now);
			return;
		}
		s->st = ST_RAKP1;
		slot_send(r, s, pkt, rc_rakp1(&s->rs, pkt), now);
		return;
	case ST_RAKP1:
		if ((rc = rc_rakp2(&s->rs, p, n)) != 0) {
			hs_failed(r, s, rc, now);
			return;
		}
		s->st = ST_RAKP3;
		slot_send(r, s, pkt, rc_rakp3(&s->rs, pkt), now);
		return;
	case ST_RAKP3:
		if ((rc = rc_rakp4(&s->rs, p, n)) != 0) {
			hs_failed(r, s, rc, now);
			return;
		}
		s->hs_fail = 0;
		if (r->mode == M_HANDSHAKE) {
			send_close(r, s, now);
		} else {
			s->st = ST_READY;
			if (r->measuring)
				send_request(r, s, now);
		}
		return;
	case ST_WAIT:
	case ST_CLOSE: {
		uint8_t msg[RC_PKT_MAX];
		int pt;
		int ml = rc_unprotect(&s->rs, p, n, msg, &pt);
		if (ml < 0 || pt != PT_IPMI) {
			r->stale++;
			return;
		}
		bool closing = s->st == ST_CLOSE;
		int cc = rc_ipmi_rsp(msg, (size_t)ml, closing ? 0x06 : r->netfn,
				     closing ? 0x3C : r->cmd, s->rqseq, NULL, NULL);
		if (cc < 0) {
			r->stale++; /* a late answer to an earlier request */
			return;
		}
		if (cc != 0) {
			r->cc_err++;
			r->last_cc = cc;
		}
		if (closing) {
			if (r->mode == M_HANDSHAKE) {
				if (cc == 0)
					count_done(r, s, now);
				next_action(r, s, now);
			} else {
				s->st = ST_IDLE;
			}
			return;
		}
		if (cc == 0)
			count_done(r, s, now);
		else
			r->errors++;
		next_action(r, s, now);
		return;
	}
	default:
		r->stale++;
		return;
	}
}

static void check_timeouts(struct run *r, uint64_t now)
{
	for (int i = 0; i < r->n; i++) {
		struct slot *s = &r->s[i];
		if (s->st == ST_READY || s->st == ST_IDLE || s->st == ST_FAILED || now < s->deadline)
			continue;
		if (s->st != ST_BACKOFF)
			r->tmo_stage[s->st]++;
		switch (s->st) {
		case ST_BACKOFF:
			if (r->stopping || (r->counting && r->done_total >= r->o->count))
				s->st = ST_IDLE;
			else
				hs_start(r, s, now);
			break;
		case ST_OPEN:
		case ST_RAKP1:
		case ST_RAKP3:
			r->timeouts++;
			s->rs.why = "handshake timeout";
			hs_failed(r, s, -1, now);
			break;
		case ST_WAIT:
			r->timeouts++;
			next_action(r, s, now);
			break;
		case ST_CLOSE:
			r->timeouts++;
			if (r->mode == M_HANDSHAKE)
				next_action(r, s, now);
			else
				s->st = ST_IDLE;
			break;
		}
	}
}

static bool all_in(struct run *r, int a, int b, int c)
{
	for (int i = 0; i < r->n; i++) {
		int st = r->s[i].st;
		if (st != a && st != b && st != c)
			return false;
	}
	return true;
}

/* The slot a datagram on the shared socket belongs to, or NULL. */
static struct slot *demux(struct run *r, const uint8_t *p, size_t n)
{
	int idx;
	if (r->mode == M_ECHO) {
		if (n < 12)
			return NULL;
		memcpy(&idx, p + 8, sizeof(idx));
	} else {
		uint32_t sid;
		int pt = rc_peek(p, n, &sid);
		if (pt < 0)
			return NULL;
		if (pt == PT_OPEN_RSP || pt == PT_RAKP2 || pt == PT_RAKP4) {
			if (n < 24) {
				/* an error answer cut to tag + status: the first slot waiting
				 * for this answer with this tag */
				int want = pt == PT_OPEN_RSP ? ST_OPEN : pt == PT_RAKP2 ? ST_RAKP1 : ST_RAKP3;
				for (int i = 0; n >= 18 && i < r->n; i++)
					if (r->s[i].st == want && r->s[i].rs.tag == p[16])
						return &r->s[i];
				return NULL;
			}
			memcpy(&sid, p + 20, 4); /* the console session ID inside the payload */
		}
		idx = (int)(sid & 0xFFFF) - 1;
		if (idx >= 0 && idx < r->n && r->s[idx].rs.con_sid != sid)
			return NULL;
	}
	return idx >= 0 && idx < r->n ? &r->s[idx] : NULL;
}

static void receive(struct run *r, uint64_t *now)
{
	static uint8_t bufs[BATCH][2048];
	if (r->sfd < 0) {
		for (int i = 0; i < r->n; i++) {
			if (!r->pfd[i].revents)
				continue;
			/* one datagram per wake-up: a session has one request in flight, and a
			 * second recv() would mostly cost a syscall to learn EAGAIN */
			ssize_t got = recv(r->s[i].fd, bufs[0], sizeof(bufs[0]), MSG_DONTWAIT);
			if (got >= 0)
				on_packet(r, &r->s[i], bufs[0], (size_t)got, *now);
			else if (errno == ECONNREFUSED)
				r->send_err++;
		}
		flush(r);
		return;
	}
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	for (int round = 0; round < 64; round++) {
		for (int i = 0; i < BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = sizeof(bufs[i]);
			memset(&mm[i].msg_hdr, 0, sizeof(mm[i].msg_hdr));
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		int got = recvmmsg(r->sfd, mm, BATCH, MSG_DONTWAIT, NULL);
		if (got <= 0) {
			if (got < 0 && errno == ECONNREFUSED)
				r->send_err++;
			break;
		}
		*now = now_ns();
		for (int i = 0; i < got; i++) {
			struct slot *s = demux(r, bufs[i], mm[i].msg_len);
			if (s)
				on_packet(r, s, bufs[i], mm[i].msg_len, *now);
			else
				r->stale++;
		}
		flush(r);
		if (got < BATCH)
			break;
	}
}

/* Runs the poll loop until until_ns, or until done() says so. */
static void pump(struct run *r, uint64_t until_ns, bool (*done)(struct run *))
{
	uint64_t next_scan = 0;
	flush(r);
	for (;;) {
		uint64_t now = now_ns();
		if (now >= until_ns || stop_flag || (done && done(r)))
			return;
		if (r->measuring && !r->stopping && now >= r->win_end && !r->counting)
			return;
		int tmo = (int)((until_ns - now) / 1000000ull) + 1;
		if (tmo > 10)
			tmo = 10;
		int np = poll(r->pfd, (nfds_t)r->npfd, tmo);
		now = now_ns();
		if (np > 0)
			receive(r, &now);
		if (now >= next_scan) {
			check_timeouts(r, now);
			flush(r);
			next_scan = now + 5000000ull;
		}
	}
}

static bool done_setup(struct run *r) { return all_in(r, ST_READY, ST_FAILED, ST_FAILED); }
static bool done_close(struct run *r) { return all_in(r, ST_IDLE, ST_FAILED, ST_READY); }
static bool done_count(struct run *r) { return r->done_total >= r->o->count; }
static bool done_idle(struct run *r) { return all_in(r, ST_IDLE, ST_FAILED, ST_READY); }

static void json_hist(const struct hist *h, const char *pfx)
{
	printf("\"%sp50_us\":%.1f,\"%sp99_us\":%.1f,\"%smax_us\":%.1f,\"%smean_us\":%.1f", pfx,
	       us(hist_q(h, 0.50)), pfx, us(hist_q(h, 0.99)), pfx, us(h->max), pfx,
	       h->n ? us(h->sum / h->n) : 0.0);
}

static int mode_load(const struct opts *o, int mode)
{
	struct run r = { .o = o, .mode = mode, .n = o->sessions, .sfd = -1 };
	r.s = calloc((size_t)r.n, sizeof(*r.s));
	r.pfd = calloc((size_t)r.n, sizeof(*r.pfd));
	r.qcap = 2 * r.n + BATCH;
	r.q = calloc((size_t)r.qcap, sizeof(*r.q));
	if (!r.s || !r.pfd || !r.q)
		die("out of memory");
	if (!strcmp(o->cmd, "devid")) {
		r.netfn = 0x06;
		r.cmd = 0x01;
	} else if (!strcmp(o->cmd, "status")) {
		r.netfn = 0x00;
		r.cmd = 0x01;
	} else {
		die("--cmd must be devid or status");
	}
	uint8_t role = 0x14; /* ADMINISTRATOR, name-only lookup (what ipmitool sends) */
	if (!o->per_session) {
		r.sfd = udp_connect(o->host, o->port);
		r.pfd[0].fd = r.sfd;
		r.pfd[0].events = POLLIN;
		r.npfd = 1;
	}
	for (int i = 0; i < r.n; i++) {
		r.s[i].idx = i;
		r.s[i].fd = o->per_session ? udp_connect(o->host, o->port) : r.sfd;
		if (o->per_session) {
			r.pfd[i].fd = r.s[i].fd;
			r.pfd[i].events = POLLIN;
			r.npfd = i + 1;
		}
		rc_init(&r.s[i].rs, o->suite, o->user, o->pass, role, 0);
		r.s[i].st = ST_READY;
	}
	uint64_t t0 = now_ns(), setup_ns = 0;
	if (mode == M_IPMI) {
		/* set-up: every session through its handshake, not measured */
		for (int i = 0; i < r.n; i++)
			hs_start(&r, &r.s[i], t0);
		pump(&r, t0 + 15000000000ull, done_setup);
		setup_ns = now_ns() - t0;
		for (int i = 0; i < r.n; i++) {
			if (r.s[i].st != ST_READY && r.s[i].st != ST_FAILED) {
				r.s[i].st = ST_FAILED;
				r.setup_fail++;
			}
		}
		if (r.setup_fail == r.n) {
			char why[160];
			if (r.last_status > 0)
				snprintf(why, sizeof(why), "refused with RMCP+ status 0x%02X%s",
					 r.last_status, r.last_status == 4 ? " (invalid authentication "
					 "algorithm)" : r.last_status == 0x11 ? " (no cipher suite match)" : "");
			else
				snprintf(why, sizeof(why), "%s", r.last_why ? r.last_why : "no answer");
			fprintf(stderr, "bmcd-bench: %s: no session could be established: %s\n", o->label,
				why);
			printf("{\"mode\":\"ipmi\",\"label\":\"%s\",\"error\":\"%s\"}\n", o->label, why);
			return 1;
		}
		memset(r.tmo_stage, 0, sizeof(r.tmo_stage));
		r.errors = r.timeouts = 0; /* set-up retries are reported as setup_fail only */
	}
	/* run */
	double cpu0 = cpu_s();
	uint64_t start = now_ns();
	r.measuring = true;
	r.counting = o->count > 0;
	r.win_start = r.counting ? start : start + (uint64_t)(o->warmup * 1e9);
	r.win_end = r.counting ? UINT64_MAX : r.win_start + (uint64_t)(o->duration * 1e9);
	for (int i = 0; i < r.n; i++) {
		if (mode == M_HANDSHAKE)
			hs_start(&r, &r.s[i], start);
		else if (r.s[i].st == ST_READY)
			send_request(&r, &r.s[i], start);
	}
	if (r.counting) {
		pump(&r, start + (uint64_t)(o->duration * 1e9) + 600000000000ull, done_count);
		r.win_end = now_ns();
	} else {
		pump(&r, r.win_end, NULL);
	}
	uint64_t end = now_ns();
	double cpu_run = cpu_s() - cpu0, wall_run = (double)(end - start) / 1e9;
	long done_run = r.done_total;
	r.stopping = true;
	double secs = (double)(r.counting ? end - r.win_start : r.win_end - r.win_start) / 1e9;
	/* drain what is in flight, then close the sessions (not measured) */
	r.measuring = false;
	pump(&r, now_ns() + 2000000000ull, done_idle);
	if (mode == M_IPMI) {
		uint64_t t = now_ns();
		for (int i = 0; i < r.n; i++) {
			if (r.s[i].st == ST_READY || r.s[i].st == ST_WAIT)
				send_close(&r, &r.s[i], t);
		}
		pump(&r, t + 2000000000ull, done_close);
	}
	long measured = r.in_window;
	double rate = secs > 0 ? (double)measured / secs : 0;
	const char *mname = mode == M_IPMI ? "ipmi" : mode == M_ECHO ? "echo" : "handshake";
	fprintf(stderr,
		"%s %s: %d %s%s, suite %d: %.0f %s/s  p50 %.1f us  p99 %.1f us  max %.1f us  "
		"(%ld in %.2f s; errors %ld, timeouts %ld, stale %ld, setup failures %ld; client CPU "
		"%.0f%%, %.2f us/op%s%s)\n",
		mname, o->label, r.n, mode == M_HANDSHAKE ? "console" : "session",
		r.n == 1 ? "" : "s", o->suite, rate, mode == M_HANDSHAKE ? "setups" : "req",
		us(hist_q(&r.h, 0.5)), us(hist_q(&r.h, 0.99)), us(r.h.max), measured, secs, r.errors,
		r.timeouts, r.stale, r.setup_fail, 100.0 * cpu_run / wall_run,
		done_run ? cpu_run * 1e6 / (double)done_run : 0.0, r.last_why ? "; last problem: " : "",
		r.last_why ? r.last_why : "");
	printf("{\"mode\":\"%s\",\"label\":\"%s\",\"sessions\":%d,\"suite\":%d,\"cmd\":\"%s\","
	       "\"sockets\":\"%s\",\"size\":%d,\"seconds\":%.3f,\"count\":%ld,\"rate\":%.1f,",
	       mname, o->label, r.n, o->suite, o->cmd, o->per_session ? "per-session" : "shared",
	       mode == M_ECHO ? o->size : 0, secs, measured, rate);
	json_hist(&r.h, "");
	printf(",\"errors\":%ld,\"timeouts\":%ld,\"stale\":%ld,\"cc_errors\":%ld,\"last_cc\":%d,"
	       "\"setup_fail\":%ld,\"send_err\":%ld,\"setup_ms\":%.1f,\"hmac\":\"%s\",\"aes\":\"%s\","
	       "\"client_cpu_pct\":%.1f,\"client_cpu_us_per_op\":%.2f,\"ops_total\":%ld,\"run_seconds\":%.3f,"
	       "\"timeouts_by_stage\":{\"open\":%ld,\"rakp1\":%ld,\"rakp3\":%ld,\"request\":%ld,\"close\":%ld}}\n",
	       r.errors, r.timeouts, r.stale, r.cc_err, r.last_cc, r.setup_fail, r.send_err,
	       (double)setup_ns / 1e6, fmac_impl(), rc_aes_impl(), 100.0 * cpu_run / wall_run,
	       done_run ? cpu_run * 1e6 / (double)done_run : 0.0, done_run, wall_run, r.tmo_stage[ST_OPEN],
	       r.tmo_stage[ST_RAKP1], r.tmo_stage[ST_RAKP3], r.tmo_stage[ST_WAIT], r.tmo_stage[ST_CLOSE]);
	fflush(stdout);
	if (o->per_session)
		for (int i = 0; i < r.n; i++)
			close(r.s[i].fd);
	else
		close(r.sfd);
	free(r.s);
	free(r.pfd);
	free(r.q);
	return measured > 0 ? 0 : 1;
}

/* --- blocking-style helpers for the single-session modes (sol) ------------------------------- */

/* Waits up to ms for a datagram on fd; returns its length or -1. */
static ssize_t recv_wait(int fd, uint8_t *buf, size_t cap, int ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000ull;
	for (;;) {
		ssize_t n = recv(fd, buf, cap, MSG_DONTWAIT);
		if (n >= 0)
			return n;
		uint64_t now = now_ns();
		if (now >= end || stop_flag)
			return -1;
		struct pollfd p = { fd, POLLIN, 0 };
		poll(&p, 1, (int)((end - now) / 1000000ull) + 1);
	}
}

/* Establishes one session on fd (retries up to 5 times); returns 0 or -1. */
static int login_blocking(int fd, struct rc_sess *s)
{
	uint8_t pkt[RC_PKT_MAX], in[2048];
	for (int attempt = 0; attempt < 5; attempt++) {
		s->con_sid = xrand() | 1;
		if (send(fd, pkt, rc_open_req(s, pkt), 0) < 0)
			continue;
		ssize_t n = recv_wait(fd, in, sizeof(in), 1000);
		if (n < 0 || rc_open_rsp(s, in, (size_t)n) != 0)
			continue;
		send(fd, pkt, rc_rakp1(s, pkt), 0);
		n = recv_wait(fd, in, sizeof(in), 1000);
		if (n < 0 || rc_rakp2(s, in, (size_t)n) != 0)
			continue;
		send(fd, pkt, rc_rakp3(s, pkt), 0);
		n = recv_wait(fd, in, sizeof(in), 1000);
		if (n < 0 || rc_rakp4(s, in, (size_t)n) != 0)
			continue;
		return 0;
	}
	return -1;
}

/* One in-session IPMI command; returns the completion code, or -1. SoL packets that arrive
 * meanwhile are ignored. */
static int cmd_blocking(int fd, struct rc_sess *s, uint8_t *rqseq, uint8_t netfn, uint8_t cmd,
			const void *data, size_t dl, uint8_t *rsp, size_t *rlen)
{
	uint8_t pkt[RC_PKT_MAX], msg[RC_PKT_MAX], in[2048];
	for (int attempt = 0; attempt < 3; attempt++) {
		*rqseq = (uint8_t)((*rqseq + 1) & 0x3F);
		size_t ml = rc_ipmi_msg(msg, netfn, cmd, *rqseq, data, dl);
		send(fd, pkt, rc_protect(s, PT_IPMI, msg, ml, pkt), 0);
		uint64_t end = now_ns() + 1000000000ull;
		while (now_ns() < end) {
			ssize_t n = recv_wait(fd, in, sizeof(in), 200);
			if (n < 0)
				continue;
			int pt, l = rc_unprotect(s, in, (size_t)n, msg, &pt);
			if (l < 0 || pt != PT_IPMI)
				continue;
			const uint8_t *d;
			size_t dlen;
			int cc = rc_ipmi_rsp(msg, (size_t)l, netfn, cmd, *rqseq, &d, &dlen);
			if (cc < 0)
				continue;
			if (rsp) {
				memcpy(rsp, d, dlen);
				*rlen = dlen;
			}
			return cc;
		}
	}
	return -1;
}

/* --- sol -------------------------------------------------------------------------------- */

static uint8_t pattern(uint64_t i) { return (uint8_t)(0x20 + (i * 7 + i / 95) % 95); }

struct solc {
	int fd;
	struct rc_sess *s;
	uint8_t seq;		/* our outbound SoL sequence (1..15) */
	uint8_t last_rx_seq;	/* last BMC packet seq we acknowledged */
	long rx_dups, rx_pkts;
};

static void sol_send(struct solc *c, uint8_t seq, uint8_t ack, uint8_t acc, uint8_t op,
		     const void *data, size_t dl)
{
	uint8_t pl[300], pkt[RC_PKT_MAX];
	pl[0] = seq;
	pl[1] = ack;
	pl[2] = acc;
	pl[3] = op;
	if (dl)
		memcpy(pl + 4, data, dl);
	send(c->fd, pkt, rc_protect(c->s, PT_SOL, pl, 4 + dl, pkt), 0);
}

/* Handles one datagram: returns the number of new host characters copied to out (their
 * count is also acknowledged), 0 for ACK-only/duplicates/other. *acked receives the ACK
 * sequence number the BMC sent for our packets (0 if none). */
static int sol_rx(struct solc *c, const uint8_t *in, size_t n, uint8_t *out, uint8_t *acked)
{
	uint8_t pl[RC_PKT_MAX];
	int pt, l = rc_unprotect(c->s, in, n, pl, &pt);
	*acked = 0;
	if (l < 4 || pt != PT_SOL)
		return 0;
	uint8_t seq = pl[0] & 0x0F, ack = pl[1] & 0x0F;
	if (ack && (pl[3] & 0x40) == 0) /* bit 6: NACK */
		*acked = ack;
	if (seq == 0 || l == 4)
		return 0;
	c->rx_pkts++;
	size_t dl = (size_t)l - 4;
	sol_send(c, 0, seq, (uint8_t)dl, 0, NULL, 0); /* ACK-only packet */
	if (seq == c->last_rx_seq) {
		c->rx_dups++;
		return 0;
	}
	c->last_rx_seq = seq;
	memcpy(out, pl + 4, dl);
	return (int)dl;
}

static int mode_sol(const struct opts *o)
{
	if (!o->pty_link)
		die("sol needs --pty-link PATH");
	int master, slave;
	if (openpty(&master, &slave, NULL, NULL, NULL) < 0)
		die("openpty: %s", strerror(errno));
	struct termios t;
	tcgetattr(slave, &t);
	cfmakeraw(&t);
	tcsetattr(slave, TCSANOW, &t);
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.new", o->pty_link);
	unlink(tmp);
	if (symlink(ttyname(slave), tmp) < 0 || rename(tmp, o->pty_link) < 0)
		die("symlink %s: %s", o->pty_link, strerror(errno));

	int fd = udp_connect(o->host, o->port);
	struct rc_sess s;
	rc_init(&s, o->suite, o->user, o->pass, 0x14, 0);
	uint8_t in[2048], buf[4096], rsp[64];
	size_t rl;
	uint8_t rqseq = 0;
	/* wait for the server */
	uint64_t give_up = now_ns() + 10000000000ull;
	for (;;) {
		uint8_t ping[16];
		send(fd, ping, rc_asf_ping(ping, 1), 0);
		ssize_t n = recv_wait(fd, in, sizeof(in), 100);
		if (n > 0 && rc_is_pong(in, (size_t)n))
			break;
		if (now_ns() > give_up)
			die("sol: no ASF pong from %s:%d", o->host, o->port);
	}
	if (login_blocking(fd, &s) < 0)
		die("sol: could not establish a session (%s)", s.why ? s.why : "no answer");
	uint8_t lvl = 4;
	int cc = cmd_blocking(fd, &s, &rqseq, 0x06, 0x3B, &lvl, 1, rsp, &rl);
	if (cc != 0)
		die("sol: Set Session Privilege Level: cc %d", cc);
	/* activate; the server opens the tty in the background, so retry for a while */
	uint8_t act[6] = { 1, 1, 0xC0, 0, 0, 0 };
	give_up = now_ns() + 5000000000ull;
	for (;;) {
		cc = cmd_blocking(fd, &s, &rqseq, 0x06, 0x48, act, sizeof(act), rsp, &rl);
		if (cc == 0)
			break;
		if (cc == 0x80) { /* already active (a previous run): deactivate and retry */
			uint8_t de[6] = { 1, 1, 0, 0, 0, 0 };
			cmd_blocking(fd, &s, &rqseq, 0x06, 0x49, de, sizeof(de), rsp, &rl);
		}
		if (now_ns() > give_up)
			die("sol: Activate Payload failed: cc %d", cc);
		usleep(100000);
	}
	unsigned out_max = rl >= 8 ? (unsigned)(rsp[6] | rsp[7] << 8) : 0;
	struct solc c = { .fd = fd, .s = &s, .seq = 0 };
	/* settle: drain anything the server sends on activation (history replay) */
	for (;;) {
		ssize_t n = recv_wait(fd, in, sizeof(in), 150);
		if (n < 0)
			break;
		uint8_t ack;
		sol_rx(&c, in, (size_t)n, buf, &ack);
	}
	while (read(master, buf, sizeof(buf)) > 0) {
	}

	/* 1. keystroke latency: one character per SoL packet, timed until it reaches the pty
	 * master (the host side); the host echoes it and the echo is timed back to the client */
	struct hist hk = { 0 }, he = { 0 };
	long key_lost = 0, echo_lost = 0;
	for (int k = 0; k < o->keys && !stop_flag; k++) {
		c.seq = (uint8_t)(c.seq % 15 + 1);
		uint8_t ch = (uint8_t)('a' + k % 26);
		uint64_t t0 = now_ns();
		sol_send(&c, c.seq, 0, 0, 0, &ch, 1);
		bool got_host = false, got_ack = false, got_echo = false;
		uint64_t end = t0 + 1000000000ull;
		while ((!got_host || !got_ack || !got_echo) && now_ns() < end) {
			struct pollfd p[2] = { { master, POLLIN, 0 }, { fd, POLLIN, 0 } };
			poll(p, 2, 5);
			uint64_t now = now_ns();
			if (p[0].revents & POLLIN) {
				ssize_t n = read(master, buf, sizeof(buf));
				if (n > 0 && !got_host) {
					if (memchr(buf, ch, (size_t)n)) {
						got_host = true;
						hist_add(&hk, now - t0);
						if (write(master, &ch, 1) != 1) /* the host echoes */
							echo_lost++;
					}
				}
			}
			if (p[1].revents & POLLIN) {
				ssize_t n;
				while ((n = recv(fd, in, sizeof(in), MSG_DONTWAIT)) >= 0) {
					uint8_t ack;
					int d = sol_rx(&c, in, (size_t)n, buf, &ack);
					if (ack == c.seq)
						got_ack = true;
					if (d > 0 && memchr(buf, ch, (size_t)d) && !got_echo) {
						got_echo = true;
						hist_add(&he, now_ns() - t0);
					}
				}
			}
			if (!got_ack && now - t0 > 500000000ull) /* retransmit */
				sol_send(&c, c.seq, 0, 0, 0, &ch, 1);
		}
		if (!got_host)
			key_lost++;
		else if (!got_echo)
			echo_lost++;
		usleep(1000);
	}

	/* 2. host -> client throughput: the host writes sol_bytes of a known pattern as fast as
	 * the pty takes them; the client acknowledges every packet at once */
	uint64_t wpos = 0, rpos = 0, bad = 0;
	uint64_t total = (uint64_t)o->sol_bytes;
	uint64_t t_start = now_ns(), t_last = t_start;
	uint64_t deadline = t_start + (uint64_t)(o->duration * 1e9) + 10000000000ull;
	long stalls = 0;
	uint64_t last_progress = t_start;
	while (rpos < total && !stop_flag) {
		uint64_t now = now_ns();
		if (now > deadline)
			break;
		struct pollfd p[2] = { { master, (short)(wpos < total ? POLLOUT : 0), 0 },
				       { fd, POLLIN, 0 } };
		poll(p, 2, 10);
		if (p[0].revents & POLLOUT) {
			uint8_t wb[4096];
			size_t want = total - wpos < sizeof(wb) ? (size_t)(total - wpos) : sizeof(wb);
			for (size_t i = 0; i < want; i++)
				wb[i] = pattern(wpos + i);
			ssize_t w = write(master, wb, want);
			if (w > 0)
				wpos += (uint64_t)w;
		}
		if (p[1].revents & POLLIN) {
			ssize_t n;
			while ((n = recv(fd, in, sizeof(in), MSG_DONTWAIT)) >= 0) {
				uint8_t ack;
				int d = sol_rx(&c, in, (size_t)n, buf, &ack);
				for (int i = 0; i < d; i++)
					if (buf[i] != pattern(rpos + (uint64_t)i))
						bad++;
				if (d > 0) {
					rpos += (uint64_t)d;
					t_last = now_ns();
					last_progress = t_last;
				}
			}
		}
		if (now_ns() - last_progress > 2000000000ull) {
			stalls++;
			break;
		}
		/* drain keystroke echoes the host side might see (none expected) */
		if (p[0].revents & POLLIN)
			while (read(master, buf, sizeof(buf)) > 0) {
			}
	}
	double secs = (double)(t_last - t_start) / 1e9;
	double mbps = secs > 0 ? (double)rpos / secs / 1e6 : 0;
	/* deactivate and close */
	uint8_t de[6] = { 1, 1, 0, 0, 0, 0 };
	cmd_blocking(fd, &s, &rqseq, 0x06, 0x49, de, sizeof(de), rsp, &rl);
	uint8_t sid[4];
	memcpy(sid, &s.bmc_sid, 4);
	cmd_blocking(fd, &s, &rqseq, 0x06, 0x3C, sid, 4, rsp, &rl);
	unlink(o->pty_link);
	fprintf(stderr,
		"sol %s: host->client %.2f MB/s (%llu of %llu bytes in %.2f s, %ld packets, %llu "
		"corrupt, %ld dup, outbound payload max %u); keystroke->host p50 %.1f us p99 %.1f us "
		"max %.1f us (%ld lost); echo round trip p50 %.1f us p99 %.1f us\n",
		o->label, mbps, (unsigned long long)rpos, (unsigned long long)total, secs, c.rx_pkts,
		(unsigned long long)bad, c.rx_dups, out_max, us(hist_q(&hk, 0.5)),
		us(hist_q(&hk, 0.99)), us(hk.max), key_lost, us(hist_q(&he, 0.5)),
		us(hist_q(&he, 0.99)));
	printf("{\"mode\":\"sol\",\"label\":\"%s\",\"suite\":%d,\"bytes\":%llu,\"seconds\":%.3f,"
	       "\"mb_per_s\":%.3f,\"packets\":%ld,\"corrupt\":%llu,\"dups\":%ld,\"stalls\":%ld,"
	       "\"outbound_max\":%u,\"keys\":%llu,\"keys_lost\":%ld,",
	       o->label, o->suite, (unsigned long long)rpos, secs, mbps, c.rx_pkts,
	       (unsigned long long)bad, c.rx_dups, stalls, out_max, (unsigned long long)hk.n,
	       key_lost);
	json_hist(&hk, "key_");
	printf(",\"echo_lost\":%ld,", echo_lost);
	json_hist(&he, "echo_");
	printf("}\n");
	fflush(stdout);
	close(master);
	close(slave);
	return rpos == total && bad == 0 && key_lost == 0 ? 0 : 1;
}

/* --- echo server -------------------------------------------------------------------------- */

static int mode_echo_server(const struct opts *o)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)o->port) };
	inet_pton(AF_INET, o->host, &sa.sin_addr);
	int one = 1, sz = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("echo-server: bind %s:%d: %s", o->host, o->port, strerror(errno));
	fprintf(stderr, "echo-server: listening on %s:%d (%s)\n", o->host, o->port,
		o->plain ? "recvfrom/sendto" : "recvmmsg/sendmmsg");
	enum { B = 64 };
	static uint8_t bufs[B][2048];
	struct mmsghdr mm[B];
	struct iovec iov[B];
	struct sockaddr_in from[B];
	unsigned long long pkts = 0;
	while (!stop_flag) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 200) <= 0)
			continue;
		if (o->plain) {
			for (;;) {
				socklen_t fl = sizeof(from[0]);
				ssize_t n = recvfrom(fd, bufs[0], sizeof(bufs[0]), 0,
						     (struct sockaddr *)&from[0], &fl);
				if (n < 0)
					break;
				sendto(fd, bufs[0], (size_t)n, 0, (struct sockaddr *)&from[0], fl);
				pkts++;
			}
			continue;
		}
		for (;;) {
			for (int i = 0; i < B; i++) {
				iov[i].iov_base = bufs[i];
				iov[i].iov_len = sizeof(bufs[i]);
				memset(&mm[i].msg_hdr, 0, sizeof(mm[i].msg_hdr));
				mm[i].msg_hdr.msg_iov = &iov[i];
				mm[i].msg_hdr.msg_iovlen = 1;
				mm[i].msg_hdr.msg_name = &from[i];
				mm[i].msg_hdr.msg_namelen = sizeof(from[i]);
			}
			int n = recvmmsg(fd, mm, B, MSG_DONTWAIT, NULL);
			if (n <= 0)
				break;
			for (int i = 0; i < n; i++)
				iov[i].iov_len = mm[i].msg_len;
			int sent = 0;
			while (sent < n) {
				int k = sendmmsg_raw(fd, mm + sent, (unsigned)(n - sent));
				if (k <= 0)
					break;
				sent += k;
			}
			pkts += (unsigned long long)n;
			if (n < B)
				break;
		}
	}
	fprintf(stderr, "echo-server: %llu packets\n", pkts);
	return 0;
}

/* --- ready: exec to first answer ---------------------------------------------------------- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static void base64(const char *in, char *out)
{
	size_t n = strlen(in), o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)(uint8_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)(uint8_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= (uint8_t)in[i + 2];
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = 0;
}

static size_t http_request(const struct opts *o, char *req, size_t cap, bool close_conn)
{
	char auth[256] = "";
	if (o->auth[0]) {
		char enc[200];
		if (strlen(o->auth) > 140)
			die("--auth too long");
		base64(o->auth, enc);
		snprintf(auth, sizeof(auth), "Authorization: Basic %s\r\n", enc);
	}
	int n = snprintf(req, cap, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s\r\n", o->path, auth,
			 close_conn ? "Connection: close\r\n" : "");
	return (size_t)n;
}

static int tcp_connect_nb(const char *host, int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	inet_pton(AF_INET, host, &sa.sin_addr);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int mode_ready(const struct opts *o)
{
	if (!o->argv_exec || !o->argv_exec[0])
		die("ready needs -- COMMAND ARGS...");
	if (o->runs < 1 || o->runs > 100)
		die("--runs must be 1..100");
	bool want_udp = o->port > 0, want_http = o->http_port > 0;
	bool authcap = !strcmp(o->probe, "authcap");
	uint64_t t_udp[100], t_http[100];
	int nu = 0, nh = 0, fails = 0;
	char req[512];
	size_t reqlen = http_request(o, req, sizeof(req), true);
	for (int run = 0; run < o->runs && !stop_flag; run++) {
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		const char *log = o->log ? o->log : "/dev/null";
		posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		posix_spawn_file_actions_adddup2(&fa, 1, 2);
		pid_t pid;
		int ufd = want_udp ? udp_connect(o->host, o->port) : -1;
		uint64_t t0 = now_ns();
		if (posix_spawn(&pid, o->argv_exec[0], &fa, NULL, o->argv_exec, environ) != 0)
			die("ready: cannot exec %s: %s", o->argv_exec[0], strerror(errno));
		posix_spawn_file_actions_destroy(&fa);
		uint64_t got_u = 0, got_h = 0, end = t0 + 10000000000ull, next_probe = 0;
		int hfd = -1, hstate = 0; /* 0 none, 1 connecting, 2 sent */
		char hbuf[256];
		size_t hlen = 0;
		bool exited = false;
		while ((want_udp && !got_u) || (want_http && !got_h)) {
			uint64_t now = now_ns();
			if (now > end || stop_flag)
				break;
			int st;
			if (waitpid(pid, &st, WNOHANG) == pid) {
				exited = true;
				break;
			}
			if (now >= next_probe) {
				next_probe = now + 100000; /* every 100 us */
				if (want_udp && !got_u) {
					uint8_t p[64];
					size_t n = authcap ? rc_authcap_req(p, 1) : rc_asf_ping(p, 7);
					send(ufd, p, n, 0);
				}
				if (want_http && !got_h && hstate == 0) {
					hfd = tcp_connect_nb(o->host, o->http_port);
					hstate = hfd >= 0 ? 1 : 0;
					hlen = 0;
				}
			}
			struct pollfd p[2] = { { ufd, POLLIN, 0 }, { hfd, 0, 0 } };
			if (hstate == 1)
				p[1].events = POLLOUT;
			else if (hstate == 2)
				p[1].events = POLLIN;
			poll(p, 2, 0);
			if (want_udp && !got_u) {
				uint8_t in[512];
				ssize_t n = recv(ufd, in, sizeof(in), MSG_DONTWAIT);
				if (n > 0 && (authcap ? rc_is_authcap_rsp(in, (size_t)n)
						      : rc_is_pong(in, (size_t)n)))
					got_u = now_ns();
			}
			if (hstate == 1 && p[1].revents) {
				int err = 0;
				socklen_t el = sizeof(err);
				getsockopt(hfd, SOL_SOCKET, SO_ERROR, &err, &el);
				if (err || (p[1].revents & (POLLERR | POLLHUP))) {
					close(hfd);
					hfd = -1;
					hstate = 0;
				} else if (send(hfd, req, reqlen, MSG_NOSIGNAL) == (ssize_t)reqlen) {
					hstate = 2;
				}
			} else if (hstate == 2 && p[1].revents) {
				ssize_t n = recv(hfd, hbuf + hlen, sizeof(hbuf) - 1 - hlen, 0);
				if (n > 0) {
					hlen += (size_t)n;
					hbuf[hlen] = 0;
					if (hlen >= 12) {
						if (!strncmp(hbuf + 9, "200", 3))
							got_h = now_ns();
						close(hfd);
						hfd = -1;
						hstate = 0;
					}
				} else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
					close(hfd);
					hfd = -1;
					hstate = 0;
				}
			}
			if (!got_u || !got_h) {
				struct timespec ts = { 0, 20000 };
				nanosleep(&ts, NULL);
			}
		}
		if (hfd >= 0)
			close(hfd);
		if (ufd >= 0)
			close(ufd);
		if (got_u)
			t_udp[nu++] = got_u - t0;
		if (got_h)
			t_http[nh++] = got_h - t0;
		if ((want_udp && !got_u) || (want_http && !got_h))
			fails++;
		if (!exited) {
			kill(pid, SIGTERM);
			uint64_t kend = now_ns() + 3000000000ull;
			int st;
			while (waitpid(pid, &st, WNOHANG) != pid) {
				if (now_ns() > kend) {
					kill(pid, SIGKILL);
					waitpid(pid, &st, 0);
					break;
				}
				usleep(2000);
			}
		}
		usleep(50000);
	}
	qsort(t_udp, (size_t)nu, sizeof(t_udp[0]), cmp_u64);
	qsort(t_http, (size_t)nh, sizeof(t_http[0]), cmp_u64);
	double ub = nu ? (double)t_udp[0] / 1e6 : -1, um = nu ? (double)t_udp[nu / 2] / 1e6 : -1;
	double hb = nh ? (double)t_http[0] / 1e6 : -1, hm = nh ? (double)t_http[nh / 2] / 1e6 : -1;
	fprintf(stderr, "ready %s: first UDP answer best %.2f ms median %.2f ms; first HTTP 200 "
		"best %.2f ms median %.2f ms (%d runs, %d failed)\n",
		o->label, ub, um, hb, hm, o->runs, fails);
	printf("{\"mode\":\"ready\",\"label\":\"%s\",\"probe\":\"%s\",\"runs\":%d,\"failed\":%d,"
	       "\"udp_best_ms\":%.3f,\"udp_median_ms\":%.3f,\"http_best_ms\":%.3f,"
	       "\"http_median_ms\":%.3f}\n",
	       o->label, o->probe, o->runs, fails, ub, um, hb, hm);
	return fails ? 1 : 0;
}

/* --- http: sequential keep-alive GETs ------------------------------------------------------- */

static int mode_http(const struct opts *o)
{
	if (o->http_port <= 0 || o->count <= 0)
		die("http needs --http-port and --count");
	char req[512];
	size_t reqlen = http_request(o, req, sizeof(req), o->conn_close);
	static char buf[1 << 17];
	int fd = -1;
	long ok = 0, bad = 0;
	uint64_t t0 = now_ns(), end = t0 + 600000000000ull;
	for (long i = 0; i < o->count && !stop_flag && now_ns() < end; i++) {
		if (fd < 0) {
			fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
			struct sockaddr_in sa = { .sin_family = AF_INET,
						  .sin_port = htons((uint16_t)o->http_port) };
			inet_pton(AF_INET, o->host, &sa.sin_addr);
			int one = 1;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			struct timeval tv = { 30, 0 };
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
				die("http: connect: %s", strerror(errno));
		}
		if (send(fd, req, reqlen, MSG_NOSIGNAL) != (ssize_t)reqlen)
			die("http: send failed");
		size_t have = 0, need = 0;
		int status = 0;
		for (;;) {
			ssize_t n = recv(fd, buf + have, sizeof(buf) - 1 - have, 0);
			if (n <= 0)
				die("http: connection lost after %ld responses", ok);
			have += (size_t)n;
			buf[have] = 0;
			char *eoh = strstr(buf, "\r\n\r\n");
			if (!eoh)
				continue;
			if (!need) {
				status = atoi(buf + 9);
				char *cl = strcasestr(buf, "\r\ncontent-length:");
				size_t len = cl && cl < eoh ? (size_t)atol(cl + 17) : 0;
				need = (size_t)(eoh + 4 - buf) + len;
			}
			if (have >= need)
				break;
		}
		if (status == 200)
			ok++;
		else
			bad++;
		if (o->conn_close) {
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0)
		close(fd);
	double secs = (double)(now_ns() - t0) / 1e9;
	fprintf(stderr, "http %s: %ld x 200, %ld other, %.2f s\n", o->label, ok, bad, secs);
	printf("{\"mode\":\"http\",\"label\":\"%s\",\"ok\":%ld,\"bad\":%ld,\"seconds\":%.3f}\n",
	       o->label, ok, bad, secs);
	return bad ? 1 : 0;
}

/* --- selftest ---------------------------------------------------------------------------- */

static int mode_selftest(void)
{
	int bad = fmac_selftest();
	struct hist h = { 0 };
	for (uint64_t v = 1; v <= 1000000; v++)
		hist_add(&h, v * 1000);
	double p50 = (double)hist_q(&h, 0.5), p99 = (double)hist_q(&h, 0.99);
	bool hok = p50 > 500e6 * 0.98 && p50 < 500e6 * 1.02 && p99 > 990e6 * 0.98 &&
		   p99 < 990e6 * 1.02;
	fprintf(stderr, "selftest: HMAC %s (%s) vs BearSSL: %d mismatches; AES %s; histogram %s\n",
		fmac_impl(), fmac_have_ni() ? "SHA-NI present" : "no SHA-NI", bad, rc_aes_impl(),
		hok ? "ok" : "WRONG");
	printf("{\"mode\":\"selftest\",\"hmac\":\"%s\",\"aes\":\"%s\",\"mismatches\":%d,"
	       "\"hist_ok\":%s}\n",
	       fmac_impl(), rc_aes_impl(), bad, hok ? "true" : "false");
	return bad || !hok;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (getenv("BENCH_NO_SHANI"))
		fmac_disable_ni();
	struct opts o;
	parse_opts(argc, argv, &o);
	const char *m = argv[1];
	if (!strcmp(m, "selftest"))
		return mode_selftest();
	if (fmac_selftest() != 0)
		die("HMAC self-test failed: refusing to measure with a broken client");
	if (!strcmp(m, "echo-server"))
		return mode_echo_server(&o);
	if (!strcmp(m, "ready"))
		return mode_ready(&o);
	if (!strcmp(m, "http"))
		return mode_http(&o);
	if (o.port <= 0)
		die("--port is required");
	if (!strcmp(m, "ipmi"))
		return mode_load(&o, M_IPMI);
	if (!strcmp(m, "echo"))
		return mode_load(&o, M_ECHO);
	if (!strcmp(m, "handshake"))
		return mode_load(&o, M_HANDSHAKE);
	if (!strcmp(m, "sol"))
		return mode_sol(&o);
	usage();
	return 2;
}
