/*
 * Wiring of Serial-over-LAN: the host's serial port (hal/uart), the console ring, and the
 * SoL engine's port callbacks (keystrokes out, break, baud rate).
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmc.h"
#include "log.h"

/* --- the host's serial port ----------------------------------------------------------------- */

static void uart_io(void *ctx, int fd, short revents, int64_t now);

static void uart_attach(struct bmc_host *h)
{
	if (h->uart_handle < 0 && uart_up(&h->uart))
		h->uart_handle = loop_add(&h->b->loop, h->uart.fd, POLLIN, uart_io, h);
}

static void uart_detach(struct bmc_host *h)
{
	if (h->uart_handle >= 0)
		loop_del(&h->b->loop, h->uart_handle);
	h->uart_handle = -1;
}

/* Reads host output into the console ring, as much as SoL's flow control allows. */
static void uart_io(void *ctx, int fd, short revents, int64_t now)
{
	struct bmc_host *h = ctx;
	uint8_t buf[4096];
	bool got = false;
	(void)fd;
	if (revents & POLLOUT && !uart_flush(&h->uart, now)) {
		uart_detach(h);
		return;
	}
	for (int i = 0; i < 16 && (revents & (POLLIN | POLLHUP | POLLERR)); i++) {
		size_t room = sol_room(&h->sol, now);
		if (room == 0)
			break;
		ssize_t n = uart_read(&h->uart, buf, room < sizeof(buf) ? room : sizeof(buf), now);
		if (n < 0) {
			uart_detach(h);
			return;
		}
		if (n == 0) {
			if (revents & (POLLHUP | POLLERR)) { /* hung up with nothing left to read */
				uart_gone(&h->uart, now, "hang-up");
				uart_detach(h);
				return;
			}
			break;
		}
		ring_write(&h->ring, buf, (size_t)n);
		got = true;
	}
	if (got)
		sol_host_output(&h->sol, now);
}

/* Before each poll: read only when the ring may take more; write when keystrokes wait. */
static void uart_prepare(void *ctx, int64_t now)
{
	struct bmc_host *h = ctx;
	if (h->uart_handle < 0)
		return;
	short ev = 0;
	if (sol_room(&h->sol, now) > 0)
		ev |= POLLIN;
	if (h->uart.txlen)
		ev |= POLLOUT;
	loop_set_events(&h->b->loop, h->uart_handle, ev);
}

static int64_t uart_deadline_cb(void *ctx) { return uart_deadline(&((struct bmc_host *)ctx)->uart); }

static void uart_tick_cb(void *ctx, int64_t now)
{
	struct bmc_host *h = ctx;
	if (uart_tick(&h->uart, now))
		uart_attach(h);
}

static size_t port_write(void *ctx, const uint8_t *p, size_t n)
{
	struct bmc_host *h = ctx;
	size_t acc = uart_write(&h->uart, p, n);
	uart_flush(&h->uart, now_ms()); /* keystrokes go out at once when the port takes them */
	return acc;
}

static void port_break(void *ctx) { uart_break(&((struct bmc_host *)ctx)->uart, now_ms()); }
static bool port_up(void *ctx) { return uart_up(&((struct bmc_host *)ctx)->uart); }

static void port_rate(void *ctx, uint8_t code)
{
	static const uint32_t rates[] = { 9600, 19200, 38400, 57600, 115200 };
	struct bmc_host *h = ctx;
	if (code >= 6 && code <= 10)
		uart_set_speed(&h->uart, rates[code - 6]);
	else if (code == 0)
		uart_set_speed(&h->uart, h->b->cfg.sol_speed);
}

static uint8_t rate_code(uint32_t speed)
{
	switch (speed) {
	case 9600: return 6;
	case 19200: return 7;
	case 38400: return 8;
	case 57600: return 9;
	case 115200: return 10;
	default: return 0;
	}
}

int wire_sol(struct bmc_host *h, int64_t now)
{
	const struct config *c = &h->b->cfg;
	h->uart_handle = -1;
	const char *dev = h->conf.sol_device;
	if (!strcmp(dev, "sim")) {
		dev = atx_sim_console(h->atx);
		if (!dev) {
			log_err("sol.device = sim needs host.backend = sim and sim.console = true");
			return -1;
		}
	}
	bool configured = dev[0] != '\0';
	/* the console history only where there is a console: an empty ring (capacity 0) holds
	 * nothing, and SoL cannot be enabled without a device */
	uint8_t *rb = configured ? calloc(1, c->sol_history) : NULL;
	if (configured && !rb)
		return -1;
	ring_init(&h->ring, rb, configured ? c->sol_history : 0);
	struct sol_port port = { port_write, port_break, port_up, port_rate, h };
	struct sol_cfg sc = {
		.configured = configured,
		.udp_port = (uint16_t)h->conf.ipmi_port,
		.replay = c->sol_replay,
		.pause_ms = c->sol_pause_ms,
		.p = {
			.auth = (uint8_t)((c->sol_force_encryption ? 0xC0 : 0x40) | c->sol_privilege),
			.accumulate = (uint8_t)((c->sol_accumulate_ms + 4) / 5),
			.threshold = (uint8_t)c->sol_threshold,
			.retry_count = (uint8_t)c->sol_retry_count,
			.retry_interval = (uint8_t)((c->sol_retry_interval_ms + 9) / 10),
			.nv_rate = rate_code(c->sol_speed),
			.v_rate = rate_code(c->sol_speed),
		},
	};
	sol_init(&h->sol, &h->ipmi, &h->ring, &port, &sc);
	if (!configured)
		return 0;
	struct uart_cfg uc = { .speed = c->sol_speed, .data_bits = (uint8_t)c->sol_data_bits,
			       .parity = (uint8_t)c->sol_parity, .stop_bits = (uint8_t)c->sol_stop_bits,
			       .rtscts = c->sol_flow == 1, .log = log_host_cb,
			       .log_ctx = h->b->nhosts > 1 ? h->host.cfg.label : NULL };
	snprintf(uc.path, sizeof(uc.path), "%s", dev);
	uart_init(&h->uart, &uc);
	uart_open(&h->uart, now); /* absent now is fine: it is retried every second */
	uart_attach(h);
	loop_add_prepare(&h->b->loop, uart_prepare, h);
	loop_add_timer(&h->b->loop, uart_deadline_cb, uart_tick_cb, h);
	return 0;
}
