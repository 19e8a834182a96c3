/*
 * Serial-over-LAN (IPMI payload type 1): one console at a time on the host's serial port.
 * Sans-I/O: SoL registers with the IPMI engine as its payload-type-1 handler (struct
 * ipmi_payload_ops): SoL packets come in from the session layer and leave through
 * ipmi_session_send(); host output is read from the console ring (the UART reader
 * fills it); keystrokes go to the UART through a callback. See sol.c for the protocol notes.
 */
#ifndef BMCD_SOL_H
#define BMCD_SOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ring.h"

struct ipmi;
struct ipmi_session;

#define SOL_PAYLOAD_MAX 255	/* payload size announced both ways, header included */
#define SOL_DATA_MAX (SOL_PAYLOAD_MAX - 4)

/* SOL configuration parameters (IPMI 2.0 table 26-5), kept in RAM. */
struct sol_params {
	uint8_t set_in_progress;
	bool enabled;
	uint8_t auth;		/* bit 7 force encryption, bit 6 force authentication, 3:0 privilege */
	uint8_t accumulate;	/* character accumulate interval, 5 ms units (1..255) */
	uint8_t threshold;	/* character send threshold (1..255) */
	uint8_t retry_count;	/* 0..7 */
	uint8_t retry_interval;	/* 10 ms units */
	uint8_t nv_rate, v_rate; /* bit-rate codes: 6 9600 ... 10 115200; 0 = the port's own */
};

/* What SoL needs from the serial port (provided by the firmware). */
struct sol_port {
	/* Queues keystrokes for the host; returns how many bytes were accepted. */
	size_t (*write)(void *ctx, const uint8_t *p, size_t n);
	void (*send_break)(void *ctx);
	bool (*up)(void *ctx);		/* the adapter is present */
	void (*set_rate)(void *ctx, uint8_t code); /* volatile bit rate changed */
	void *ctx;
};

/* The engine's configuration at sol_init(); sol_cfg_defaults() fills in the defaults. */
struct sol_cfg {
	bool configured;		/* a serial device is configured at all */
	uint16_t udp_port;		/* payload port reported to consoles */
	uint32_t replay;		/* bytes of history sent on activation (default 0) */
	uint32_t pause_ms;		/* how long the UART reader may wait for a slow console */
	struct sol_params p;		/* the SOL parameters at start (p.enabled: configured) */
};

struct sol {
	struct ipmi *ipmi;
	struct ring *ring;
	struct sol_port port;
	struct sol_params p;
	bool configured;		/* a serial device is configured at all */
	uint16_t udp_port;		/* payload port reported to consoles */
	uint32_t replay;		/* bytes of history sent on activation */
	uint32_t pause_ms;		/* how long the UART reader may wait for a slow console */

	/* the active instance */
	struct ipmi_session *s;
	uint64_t pos;			/* next ring position to send */
	int64_t unsent_since;		/* when data became waiting (accumulate timer) */
	bool inflight;
	uint8_t out_seq, next_seq;
	uint64_t inflight_pos;
	uint16_t inflight_len;
	uint8_t tries;
	int64_t retry_at;
	bool have_in;
	uint8_t in_seq, in_accepted;	/* last console packet, for re-ACKing duplicates */
	bool ack_pending;
	uint8_t ack_seq, ack_count, ack_status;
	bool starting;			/* activated; first packet goes after the response */
	int64_t full_since;		/* the reader found the ring full of unsent bytes */

	/* counters */
	uint64_t lost, bytes_out, bytes_in, retransmits, activations;
};

/* Registers s with m as the engine for payload type 1 (ipmi_set_payload) when m is not
 * NULL: m hands it SoL packets, time, and sessions that close or change privilege. */
void sol_init(struct sol *s, struct ipmi *m, struct ring *ring, const struct sol_port *port,
	      const struct sol_cfg *cfg);
/* configured and udp_port as given; encryption and authentication forced at operator
 * privilege, 5 ms accumulation, threshold 96, 7 retries 500 ms apart, the port's own bit
 * rate, no replay, a 2 s pause. */
void sol_cfg_defaults(struct sol_cfg *c, bool configured, uint16_t udp_port);
/* The SoL engine registered with m, or NULL. */
struct sol *sol_of(const struct ipmi *m);
void sol_input(struct sol *s, struct ipmi_session *sess, const uint8_t *p, size_t len,
	       int64_t now);
int64_t sol_deadline(const struct sol *s);
void sol_tick(struct sol *s, int64_t now);
/* New host output is in the ring. */
void sol_host_output(struct sol *s, int64_t now);
/* How many bytes the UART reader may put in the ring now without overwriting output the
 * console has not received; SIZE_MAX when there is no such limit. */
size_t sol_room(struct sol *s, int64_t now);
/* Ends the active SoL (reason for the log); tells the console when it may still listen. */
void sol_deactivate(struct sol *s, const char *why);
/* Activate Payload passed its checks: sess owns SoL now (s->s); the first packet (history
 * replay or fresh output) waits for the next tick, after the response. */
void sol_activate(struct sol *s, struct ipmi_session *sess);
/* The owner deactivated it: no "closed by BMC" notice, just stop. */
void sol_release(struct sol *s);
/* After a privilege change: ends SoL when its session is now below the SoL privilege. */
void sol_recheck(struct sol *s);

#endif
