/*
 * Serial-over-LAN packet protocol (IPMI 2.0 section 15).
 *
 * Implementation notes
 * - Host output is never held in a packet buffer: the console ring is the buffer. The
 *   session remembers only positions (pos = first byte the console has not acknowledged,
 *   inflight_pos/len = the packet waiting for its ACK), so a retransmission re-reads the
 *   same bytes and the UART reader keeps filling the ring while a packet is in flight.
 * - One packet in flight (the console ACKs each one). A packet goes out when the unsent
 *   bytes reach the send threshold or the accumulate interval has passed since the first
 *   of them arrived; it carries at most SOL_DATA_MAX bytes. A partial ACK moves pos by the
 *   accepted count; the rest goes again in a new packet with a new sequence number.
 * - A console packet with the sequence number of the previous one is a retransmission
 *   (our ACK was lost): it is ACKed again with the count accepted the first time and its
 *   data is not written twice. A BMC that drops such packets hangs the console forever.
 * - Partial acceptance of keystrokes is signalled with the accepted count alone, never
 *   with the NACK bit: ipmitool stops resending the remainder when it sees a NACK.
 * - Nothing is sent between Activate Payload and its response: the first packet (history
 *   replay or fresh output) waits for the next tick, which runs after the response left.
 * - Flow control towards the UART reader: sol_room() tells it how much it may read
 *   without overwriting bytes the console has not received yet. When the ring is full of
 *   such bytes the reader pauses (the tty and adapter buffer meanwhile, or RTS/CTS holds
 *   the host) for at most pause_ms; after that the oldest bytes are overwritten, counted
 *   as lost, logged, and the console is told with the "transmit overrun" status bit.
 */
#include "sol.h"

#include <string.h>

#include "ipmi.h"
#include "users.h"

#define LOG(s, lvl, ...)                                                                   \
	do {                                                                               \
		if ((s)->ipmi && (s)->ipmi->cfg.log)                                       \
			(s)->ipmi->cfg.log((s)->ipmi->cfg.log_ctx, lvl, __VA_ARGS__);      \
	} while (0)

/* Status bits, BMC to console */
#define ST_NACK 0x40
#define ST_UNAVAILABLE 0x20
#define ST_INACTIVE 0x10
#define ST_OVERRUN 0x08
/* Operation bits, console to BMC */
#define OP_NACK 0x40
#define OP_BREAK 0x10

/* Forgets the active instance. */
static void stop(struct sol *s)
{
	s->s = NULL;
	s->inflight = false;
	s->ack_pending = false;
	s->starting = false;
}

/* --- the payload-type-1 engine behind struct ipmi (struct ipmi_payload_ops) ----------------- */

static void pl_input(void *ctx, struct ipmi_session *sess, const uint8_t *p, size_t len,
		     int64_t now)
{
	sol_input(ctx, sess, p, len, now);
}

static void pl_closed(void *ctx, struct ipmi_session *sess)
{
	struct sol *s = ctx;
	if (s->s == sess) {
		LOG(s, 6, "sol: session of '%s' closed: SoL ends", sess->user_name);
		stop(s);
	}
}

static void pl_priv_changed(void *ctx) { sol_recheck(ctx); }
static int64_t pl_deadline(void *ctx) { return sol_deadline(ctx); }
static void pl_tick(void *ctx, int64_t now) { sol_tick(ctx, now); }

struct sol *sol_of(const struct ipmi *m)
{
	return m->pl_sol.input == pl_input ? m->pl_sol.ctx : NULL;
}

void sol_cfg_defaults(struct sol_cfg *c, bool configured, uint16_t udp_port)
{
	memset(c, 0, sizeof(*c));
	c->configured = configured;
	c->udp_port = udp_port;
	c->p.auth = 0xC0 | PRIV_OPERATOR;	/* force encryption and authentication */
	c->p.accumulate = 1;			/* 5 ms */
	c->p.threshold = 96;
	c->p.retry_count = 7;
	c->p.retry_interval = 50;		/* 500 ms */
	c->pause_ms = 2000;
}

void sol_init(struct sol *s, struct ipmi *m, struct ring *ring, const struct sol_port *port,
	      const struct sol_cfg *cfg)
{
	memset(s, 0, sizeof(*s));
	s->ipmi = m;
	s->ring = ring;
	if (port)
		s->port = *port;
	s->configured = cfg->configured;
	s->udp_port = cfg->udp_port;
	s->replay = cfg->replay;
	s->pause_ms = cfg->pause_ms;
	s->p = cfg->p;
	s->p.set_in_progress = 0;
	s->p.enabled = cfg->configured;
	if (m) {
		struct ipmi_payload_ops ops = {
			pl_input, pl_closed, pl_priv_changed, pl_deadline, pl_tick, s,
			cfg->configured,
		};
		ipmi_set_payload(m, IPMI_PAYLOAD_SOL, &ops);
	}
}

static void send_to(struct sol *s, struct ipmi_session *to, uint8_t seq, uint8_t ack,
		    uint8_t count, uint8_t status, const uint8_t *data, size_t len)
{
	uint8_t pkt[SOL_PAYLOAD_MAX];
	if (len > SOL_DATA_MAX)
		len = SOL_DATA_MAX;
	pkt[0] = seq & 0x0F;
	pkt[1] = ack & 0x0F;
	pkt[2] = count;
	pkt[3] = status;
	if (len)
		memcpy(pkt + 4, data, len);
	ipmi_session_send(s->ipmi, to, 1, pkt, 4 + len);
}

static void send_packet(struct sol *s, uint8_t seq, uint8_t ack, uint8_t count, uint8_t status,
			const uint8_t *data, size_t len)
{
	send_to(s, s->s, seq, ack, count, status, data, len);
}

static uint8_t status_bits(struct sol *s)
{
	uint8_t st = 0;
	if (s->port.up && !s->port.up(s->port.ctx))
		st |= ST_UNAVAILABLE;
	return st;
}

void sol_activate(struct sol *s, struct ipmi_session *sess)
{
	s->s = sess;
	s->next_seq = 1;
	s->have_in = false;
	s->inflight = false;
	s->ack_pending = false;
	s->unsent_since = 0;
	s->tries = 0;
	s->full_since = 0;
	uint64_t held = s->ring->head - ring_oldest(s->ring);
	s->pos = s->ring->head - (s->replay < held ? s->replay : held);
	s->starting = true; /* the first SoL packet leaves after this response */
	s->activations++;
	LOG(s, 6, "sol: activated by '%s' (session %08x)", sess->user_name, sess->bmc_sid);
}

void sol_release(struct sol *s)
{
	if (!s->s)
		return;
	struct ipmi_session *owner = s->s;
	stop(s);
	LOG(s, 6, "sol: deactivated by '%s'", owner->user_name);
}

void sol_recheck(struct sol *s)
{
	if (s->s && s->s->priv < (s->p.auth & 0x0F))
		sol_deactivate(s, "the session is now below the SoL privilege");
}

void sol_deactivate(struct sol *s, const char *why)
{
	if (!s->s)
		return;
	if (s->s->state == SESS_ACTIVE)
		/* tell the console (ipmitool prints "SOL session closed by BMC") */
		send_packet(s, 0, 0, 0, ST_INACTIVE | ST_UNAVAILABLE, NULL, 0);
	LOG(s, 6, "sol: deactivated for '%s': %s (%llu bytes out, %llu in, %llu lost)",
	    s->s->user_name, why, (unsigned long long)s->bytes_out, (unsigned long long)s->bytes_in,
	    (unsigned long long)s->lost);
	stop(s);
}

/* Skips over bytes the ring no longer holds; counts them. */
static bool catch_up(struct sol *s)
{
	uint64_t oldest = ring_oldest(s->ring);
	if (s->pos >= oldest)
		return false;
	uint64_t n = oldest - s->pos;
	s->lost += n;
	LOG(s, 4, "sol: console too slow: %llu bytes of host output lost (%llu in all)",
	    (unsigned long long)n, (unsigned long long)s->lost);
	s->pos = oldest;
	s->inflight = false;
	return true;
}

static void kick(struct sol *s, int64_t now)
{
	if (!s->s || s->starting)
		return;
	bool overrun = catch_up(s);
	if (!s->inflight) {
		uint64_t unsent = s->ring->head - s->pos;
		if (unsent && !s->unsent_since)
			s->unsent_since = now;
		if (unsent && (unsent >= s->p.threshold ||
			       now - s->unsent_since >= (int64_t)s->p.accumulate * 5)) {
			uint8_t data[SOL_DATA_MAX];
			size_t n = ring_read(s->ring, s->pos, data, sizeof(data));
			s->out_seq = s->next_seq;
			s->next_seq = (uint8_t)(s->next_seq % 15 + 1);
			s->inflight = true;
			s->inflight_pos = s->pos;
			s->inflight_len = (uint16_t)n;
			s->tries = 0;
			s->retry_at = now + (int64_t)s->p.retry_interval * 10;
			s->unsent_since = 0;
			uint8_t st = status_bits(s) | (overrun ? ST_OVERRUN : 0);
			send_packet(s, s->out_seq, s->ack_pending ? s->ack_seq : 0,
				    s->ack_pending ? s->ack_count : 0,
				    (uint8_t)(st | (s->ack_pending ? s->ack_status : 0)), data, n);
			s->ack_pending = false;
			return;
		}
	}
	if (s->ack_pending) {
		send_packet(s, 0, s->ack_seq, s->ack_count, (uint8_t)(status_bits(s) | s->ack_status),
			    NULL, 0);
		s->ack_pending = false;
	}
}

void sol_host_output(struct sol *s, int64_t now) { kick(s, now); }

void sol_input(struct sol *s, struct ipmi_session *sess, const uint8_t *p, size_t len,
	       int64_t now)
{
	if (len < 4)
		return;
	if (!s->s || sess != s->s) {
		/* a console whose SoL ended (an administrator took it over, or it timed out):
		 * ACK nothing, say the SoL is inactive, so its keystrokes do not hang in retries */
		if (p[0] & 0x0F)
			send_to(s, sess, 0, p[0], 0, ST_INACTIVE | ST_UNAVAILABLE, NULL, 0);
		return;
	}
	if (s->starting)
		return;
	uint8_t seq = p[0] & 0x0F, ack = p[1] & 0x0F, count = p[2], op = p[3];
	const uint8_t *data = p + 4;
	size_t dlen = len - 4;
	/* more than the payload size we announced: take what fits and say so in the count (a
	 * partial ACK); the console sends the rest again, and no count wraps past 255 */
	if (dlen > SOL_DATA_MAX)
		dlen = SOL_DATA_MAX;

	if (ack && s->inflight && ack == s->out_seq) {
		if (op & OP_NACK) {
			/* the console cannot take it now: send it again after the interval */
			s->retry_at = now + (int64_t)s->p.retry_interval * 10;
		} else {
			size_t acc = count < s->inflight_len ? count : s->inflight_len;
			s->pos = s->inflight_pos + acc;
			s->bytes_out += acc;
			s->inflight = false;
			s->tries = 0;
		}
	}
	if ((op & OP_BREAK) && s->port.send_break)
		s->port.send_break(s->port.ctx);
	if (seq) {
		if (s->have_in && seq == s->in_seq) {
			/* our ACK was lost: ACK again, do not type it twice */
			s->ack_count = s->in_accepted;
		} else {
			size_t acc = 0;
			uint8_t st = 0;
			if (s->port.up && !s->port.up(s->port.ctx))
				st = ST_UNAVAILABLE;
			else if (dlen && s->port.write)
				acc = s->port.write(s->port.ctx, data, dlen);
			s->have_in = true;
			s->in_seq = seq;
			s->in_accepted = (uint8_t)acc;
			s->bytes_in += acc;
			s->ack_count = (uint8_t)acc;
			s->ack_status = st;
		}
		s->ack_seq = seq;
		s->ack_pending = true;
	}
	kick(s, now);
}

int64_t sol_deadline(const struct sol *s)
{
	if (!s->s)
		return INT64_MAX;
	if (s->starting || s->ack_pending)
		return 0;
	int64_t d = INT64_MAX;
	if (s->inflight)
		d = s->retry_at;
	else if (s->ring->head != s->pos && s->unsent_since)
		d = s->unsent_since + (int64_t)s->p.accumulate * 5;
	else if (s->ring->head != s->pos)
		d = 0;
	if (s->full_since && s->full_since + s->pause_ms < d)
		d = s->full_since + s->pause_ms;
	return d;
}

void sol_tick(struct sol *s, int64_t now)
{
	if (!s->s)
		return;
	if (s->starting) {
		s->starting = false;
		s->unsent_since = 0;
	}
	if (s->inflight && now >= s->retry_at) {
		if (s->tries >= s->p.retry_count) {
			sol_deactivate(s, "the console stopped acknowledging");
			return;
		}
		s->tries++;
		s->retransmits++;
		if (!catch_up(s)) {
			uint8_t data[SOL_DATA_MAX];
			size_t n = ring_read(s->ring, s->inflight_pos, data, s->inflight_len);
			send_packet(s, s->out_seq, 0, 0, status_bits(s), data, n);
			s->retry_at = now + (int64_t)s->p.retry_interval * 10;
		}
	}
	kick(s, now);
}

size_t sol_room(struct sol *s, int64_t now)
{
	if (!s->s || !s->pause_ms) {
		s->full_since = 0;
		return SIZE_MAX;
	}
	uint64_t used = s->ring->head - s->pos;
	if (used < s->ring->cap) {
		s->full_since = 0;
		return (size_t)(s->ring->cap - used);
	}
	if (!s->full_since)
		s->full_since = now ? now : 1;
	if (now - s->full_since >= (int64_t)s->pause_ms)
		return SIZE_MAX; /* waited long enough: overwrite, count the loss */
	return 0;
}
