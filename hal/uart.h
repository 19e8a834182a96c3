/*
 * The host's serial port (a USB-serial adapter, or a pty in tests and the demo): raw
 * termios, non-blocking, driven by the poll loop. Opened at start and kept open; an adapter
 * that disappears (read error, hang-up) is closed, logged, and reopened when it comes back.
 * A break is sent without blocking: TIOCSBRK now, TIOCCBRK at a deadline.
 */
#ifndef BMCD_UART_H
#define BMCD_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define UART_TX_MAX 2048	/* keystrokes waiting for the port */

struct uart_cfg {
	char path[256];
	uint32_t speed;		/* 1200 .. 2000000 */
	uint8_t data_bits;	/* 5..8 */
	uint8_t parity;		/* 0 none, 1 odd, 2 even */
	uint8_t stop_bits;	/* 1 or 2 */
	bool rtscts;
	uint32_t break_ms;
	void (*log)(void *ctx, int level, const char *fmt, ...); /* may be NULL */
	void *log_ctx;
};

struct uart {
	struct uart_cfg cfg;
	int fd;			/* -1 while the port is away */
	int64_t retry_at;	/* next reopen attempt */
	int64_t break_until;	/* 0: no break in progress */
	uint8_t tx[UART_TX_MAX];
	size_t txlen;
	bool warned;		/* "not present" logged once per outage */
	uint64_t rx, tx_bytes, reopens;
};

/* true if speed is one the port can be set to */
bool uart_speed_ok(uint32_t speed);
void uart_init(struct uart *u, const struct uart_cfg *cfg);
/* Tries to open now; false (and a retry deadline) if the device is not there. */
bool uart_open(struct uart *u, int64_t now);
bool uart_up(const struct uart *u);
/* Reads what is there (up to n); 0 when nothing, -1 when the port went away (closed). */
ssize_t uart_read(struct uart *u, uint8_t *p, size_t n, int64_t now);
/* Queues bytes for the host; returns how many fit. */
size_t uart_write(struct uart *u, const uint8_t *p, size_t n);
/* Writes queued bytes without blocking; false when the port went away. */
bool uart_flush(struct uart *u, int64_t now);
void uart_break(struct uart *u, int64_t now);
int uart_set_speed(struct uart *u, uint32_t speed);
int64_t uart_deadline(const struct uart *u);
/* Reopens when due, ends a break when due. Returns true when the port (re)appeared. */
bool uart_tick(struct uart *u, int64_t now);
void uart_close(struct uart *u);
/* The port hung up or failed: close it and retry opening it every second. */
void uart_gone(struct uart *u, int64_t now, const char *why);

#endif
