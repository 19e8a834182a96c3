#include "udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int udp_open(const char *addr, uint16_t port, char *err, size_t errlen)
{
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;
	struct sockaddr *sa;
	socklen_t len;
	int fam;
	memset(&a6, 0, sizeof(a6));
	memset(&a4, 0, sizeof(a4));
	if (inet_pton(AF_INET, addr, &a4.sin_addr) == 1) {
		a4.sin_family = AF_INET;
		a4.sin_port = htons(port);
		sa = (struct sockaddr *)&a4;
		len = sizeof(a4);
		fam = AF_INET;
	} else if (inet_pton(AF_INET6, addr, &a6.sin6_addr) == 1) {
		a6.sin6_family = AF_INET6;
		a6.sin6_port = htons(port);
		sa = (struct sockaddr *)&a6;
		len = sizeof(a6);
		fam = AF_INET6;
	} else {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address", addr);
		return -1;
	}
	int fd = socket(fam, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	int zero = 0, one = 1, bufsz = 1 << 20;
	if (fam == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	}
	/* on a dual-stack socket this reports the IPv4 destination of mapped packets */
	setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	if (bind(fd, sa, len) < 0) {
		snprintf(err, errlen, "bind %s port %u: %s", addr, port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

#define CMSG_ROOM 128
#define BATCH_MAX 64

int udp_recv(int fd, struct udp_pkt *pkts, int n)
{
	struct mmsghdr mh[BATCH_MAX];
	struct iovec iov[BATCH_MAX];
	uint8_t ctl[BATCH_MAX][CMSG_ROOM] __attribute__((aligned(8)));
	if (n > BATCH_MAX)
		n = BATCH_MAX;
	for (int i = 0; i < n; i++) {
		iov[i].iov_base = pkts[i].buf;
		iov[i].iov_len = pkts[i].cap;
		memset(&mh[i], 0, sizeof(mh[i]));
		mh[i].msg_hdr.msg_iov = &iov[i];
		mh[i].msg_hdr.msg_iovlen = 1;
		mh[i].msg_hdr.msg_name = &pkts[i].peer.sa;
		mh[i].msg_hdr.msg_namelen = sizeof(pkts[i].peer.sa);
		mh[i].msg_hdr.msg_control = ctl[i];
		mh[i].msg_hdr.msg_controllen = CMSG_ROOM;
	}
	int got = recvmmsg(fd, mh, (unsigned)n, MSG_DONTWAIT, NULL);
	if (got <= 0)
		return 0;
	for (int i = 0; i < got; i++) {
		struct udp_pkt *p = &pkts[i];
		p->len = (mh[i].msg_hdr.msg_flags & MSG_TRUNC) ? p->cap + 1 : mh[i].msg_len;
		p->peer.len = mh[i].msg_hdr.msg_namelen;
		p->peer.ifindex = 0;
		memset(&p->peer.local, 0, sizeof(p->peer.local));
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh[i].msg_hdr); c;
		     c = CMSG_NXTHDR(&mh[i].msg_hdr, c)) {
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi;
				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				struct sockaddr_in *l = (struct sockaddr_in *)&p->peer.local;
				l->sin_family = AF_INET;
				l->sin_addr = pi.ipi_addr;
				p->peer.ifindex = pi.ipi_ifindex;
			} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
				struct in6_pktinfo pi;
				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				struct sockaddr_in6 *l = (struct sockaddr_in6 *)&p->peer.local;
				l->sin6_family = AF_INET6;
				l->sin6_addr = pi.ipi6_addr;
				p->peer.ifindex = (int)pi.ipi6_ifindex;
			}
		}
	}
	return got;
}

/* One control message in ctl: the source address the reply leaves from. */
static void put_cmsg(struct msghdr *mh, uint8_t *ctl, int level, int type, const void *data,
		     size_t n)
{
	mh->msg_control = ctl;
	mh->msg_controllen = CMSG_SPACE(n);
	struct cmsghdr *c = CMSG_FIRSTHDR(mh);
	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(n);
	memcpy(CMSG_DATA(c), data, n);
}

/* Fills mh for one datagram to `to`, with the source address in ctl when known. */
static void fill_msg(struct msghdr *mh, struct iovec *iov, uint8_t *ctl, const struct peer *to)
{
	memset(mh, 0, sizeof(*mh));
	memset(ctl, 0, CMSG_ROOM); /* the kernel reads CMSG padding too */
	mh->msg_name = (void *)&to->sa;
	mh->msg_namelen = to->len;
	mh->msg_iov = iov;
	mh->msg_iovlen = 1;
	if (to->local.ss_family == AF_INET) {
		struct in_pktinfo pi;
		memset(&pi, 0, sizeof(pi));
		pi.ipi_spec_dst = ((const struct sockaddr_in *)&to->local)->sin_addr;
		put_cmsg(mh, ctl, IPPROTO_IP, IP_PKTINFO, &pi, sizeof(pi));
	} else if (to->local.ss_family == AF_INET6) {
		struct in6_pktinfo pi;
		memset(&pi, 0, sizeof(pi));
		pi.ipi6_addr = ((const struct sockaddr_in6 *)&to->local)->sin6_addr;
		put_cmsg(mh, ctl, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof(pi));
	}
}

int udp_send_batch(int fd, const struct udp_out *out, int n)
{
	struct mmsghdr mh[BATCH_MAX];
	struct iovec iov[BATCH_MAX];
	uint8_t ctl[BATCH_MAX][CMSG_ROOM] __attribute__((aligned(8)));
	if (n > BATCH_MAX)
		n = BATCH_MAX;
	for (int i = 0; i < n; i++) {
		iov[i].iov_base = (void *)out[i].buf;
		iov[i].iov_len = out[i].len;
		fill_msg(&mh[i].msg_hdr, &iov[i], ctl[i], out[i].to);
		mh[i].msg_len = 0;
	}
	int sent = 0;
	while (sent < n) {
		/* the system call itself: musl's sendmmsg() wrapper sends one by one */
		long r = syscall(SYS_sendmmsg, fd, mh + sent, (unsigned)(n - sent), MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r > 0) {
			sent += (int)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EINVAL && mh[sent].msg_hdr.msg_control) {
			/* this source address was refused: let the kernel pick for this one */
			mh[sent].msg_hdr.msg_control = NULL;
			mh[sent].msg_hdr.msg_controllen = 0;
			continue;
		}
		break; /* a full buffer: the rest are dropped, the clients retry */
	}
	return sent;
}

int udp_send(int fd, const struct peer *to, const void *buf, size_t len)
{
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh;
	uint8_t ctl[CMSG_ROOM] __attribute__((aligned(8)));
	memset(&mh, 0, sizeof(mh));
	memset(ctl, 0, sizeof(ctl)); /* the kernel reads CMSG padding too */
	mh.msg_name = (void *)&to->sa;
	mh.msg_namelen = to->len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	/* answer from the address the console sent to (matters on a multi-homed BMC bound to
	 * the wildcard address) */
	if (to->local.ss_family == AF_INET) {
		struct in_pktinfo pi;
		memset(&pi, 0, sizeof(pi));
		pi.ipi_spec_dst = ((const struct sockaddr_in *)&to->local)->sin_addr;
		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	} else if (to->local.ss_family == AF_INET6) {
		struct in6_pktinfo pi;
		memset(&pi, 0, sizeof(pi));
		pi.ipi6_addr = ((const struct sockaddr_in6 *)&to->local)->sin6_addr;
		mh.msg_control = ctl;
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
	ssize_t n;
	do
		n = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EINVAL && mh.msg_control) {
		/* the kernel refused that source address: let it choose */
		mh.msg_control = NULL;
		mh.msg_controllen = 0;
		n = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	}
	return n < 0 ? -1 : 0;
}
