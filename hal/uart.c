#include "uart.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>


#define LOGU(u, lvl, ...)                                                                  \
	do {                                                                               \
		if ((u)->cfg.log)                                                          \
			(u)->cfg.log((u)->cfg.log_ctx, lvl, __VA_ARGS__);                  \
	} while (0)

static const struct {
	uint32_t rate;
	speed_t code;
} speeds[] = {
	{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 }, { 19200, B19200 },
	{ 38400, B38400 }, { 57600, B57600 }, { 115200, B115200 }, { 230400, B230400 },
	{ 460800, B460800 }, { 921600, B921600 }, { 1000000, B1000000 }, { 1500000, B1500000 },
	{ 2000000, B2000000 },
};

static bool speed_code(uint32_t rate, speed_t *out)
{
	for (size_t i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++) {
		if (speeds[i].rate == rate) {
			*out = speeds[i].code;
			return true;
		}
	}
	return false;
}

bool uart_speed_ok(uint32_t speed)
{
	speed_t c;
	return speed_code(speed, &c);
}

void uart_init(struct uart *u, const struct uart_cfg *cfg)
{
	memset(u, 0, sizeof(*u));
	u->cfg = *cfg;
	if (!u->cfg.break_ms)
		u->cfg.break_ms = 300;
	u->fd = -1;
}

bool uart_up(const struct uart *u) { return u->fd >= 0; }

static int configure(int fd, const struct uart_cfg *c, uint32_t speed)
{
	struct termios t;
	speed_t code;
	if (tcgetattr(fd, &t) < 0 || !speed_code(speed, &code))
		return -1;
	cfmakeraw(&t);
	t.c_cflag &= (tcflag_t) ~(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cflag |= c->data_bits == 5 ? CS5 : c->data_bits == 6 ? CS6 : c->data_bits == 7 ? CS7 : CS8;
	if (c->parity)
		t.c_cflag |= PARENB | (c->parity == 1 ? PARODD : 0);
	if (c->stop_bits == 2)
		t.c_cflag |= CSTOPB;
	if (c->rtscts)
		t.c_cflag |= CRTSCTS;
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	cfsetispeed(&t, code);
	cfsetospeed(&t, code);
	return tcsetattr(fd, TCSANOW, &t);
}

bool uart_open(struct uart *u, int64_t now)
{
	if (u->fd >= 0)
		return true;
	int fd = open(u->cfg.path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (!u->warned)
			LOGU(u, 4, "sol: %s: %s; retrying every second", u->cfg.path, strerror(errno));
		u->warned = true;
		u->retry_at = now + 1000;
		return false;
	}
	if (configure(fd, &u->cfg, u->cfg.speed) < 0) {
		LOGU(u, 4, "sol: %s: cannot set %u %u%c%u: %s", u->cfg.path, u->cfg.speed,
			 u->cfg.data_bits, "NOE"[u->cfg.parity % 3], u->cfg.stop_bits, strerror(errno));
		/* a pty or an odd adapter may refuse some settings: carry on raw as it is */
	}
	u->fd = fd;
	u->warned = false;
	u->reopens++;
	LOGU(u, 6, "sol: %s open at %u baud%s", u->cfg.path, u->cfg.speed,
		 u->cfg.rtscts ? " with RTS/CTS" : "");
	return true;
}

void uart_close(struct uart *u)
{
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
	u->txlen = 0;
	u->break_until = 0;
}

void uart_gone(struct uart *u, int64_t now, const char *why)
{
	LOGU(u, 4, "sol: %s went away (%s); reopening when it is back", u->cfg.path, why);
	uart_close(u);
	u->warned = true;
	u->retry_at = now + 1000;
}

ssize_t uart_read(struct uart *u, uint8_t *p, size_t n, int64_t now)
{
	if (u->fd < 0 || n == 0)
		return 0;
	ssize_t r = read(u->fd, p, n);
	if (r > 0) {
		u->rx += (uint64_t)r;
		return r;
	}
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (r == 0)
		return 0; /* raw mode, VMIN 0: "nothing now", not end of file; hang-ups show as
			   * POLLHUP or EIO */
	uart_gone(u, now, strerror(errno));
	return -1;
}

size_t uart_write(struct uart *u, const uint8_t *p, size_t n)
{
	if (u->fd < 0)
		return 0;
	size_t room = sizeof(u->tx) - u->txlen;
	if (n > room)
		n = room;
	memcpy(u->tx + u->txlen, p, n);
	u->txlen += n;
	return n;
}

bool uart_flush(struct uart *u, int64_t now)
{
	if (u->fd < 0 || !u->txlen || u->break_until)
		return u->fd >= 0;
	ssize_t w = write(u->fd, u->tx, u->txlen);
	if (w < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return true;
		uart_gone(u, now, strerror(errno));
		return false;
	}
	u->tx_bytes += (uint64_t)w;
	memmove(u->tx, u->tx + w, u->txlen - (size_t)w);
	u->txlen -= (size_t)w;
	return true;
}

void uart_break(struct uart *u, int64_t now)
{
	if (u->fd < 0 || u->break_until)
		return;
	if (ioctl(u->fd, TIOCSBRK) < 0) {
		LOGU(u, 6, "sol: %s: break not supported: %s", u->cfg.path, strerror(errno));
		return;
	}
	u->break_until = now + u->cfg.break_ms;
}

int uart_set_speed(struct uart *u, uint32_t speed)
{
	if (!uart_speed_ok(speed))
		return -1;
	u->cfg.speed = speed;
	if (u->fd >= 0 && configure(u->fd, &u->cfg, speed) < 0)
		return -1;
	LOGU(u, 6, "sol: %s now at %u baud", u->cfg.path, speed);
	return 0;
}

int64_t uart_deadline(const struct uart *u)
{
	if (u->fd < 0)
		return u->retry_at;
	return u->break_until ? u->break_until : INT64_MAX;
}

bool uart_tick(struct uart *u, int64_t now)
{
	if (u->fd < 0)
		return now >= u->retry_at && uart_open(u, now);
	if (u->break_until && now >= u->break_until) {
		ioctl(u->fd, TIOCCBRK);
		u->break_until = 0;
	}
	return false;
}
