/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "udp.h"

int udp_bind(const char *addr, uint16_t port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int fd, saved;

	if (addr && inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int udp_set_buffers(int fd, int size)
{
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) == -1 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) == -1 &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)) == -1)
		return -1;
	return 0;
}

int udp_resolve(const char *host, uint16_t port, struct sockaddr_in *out)
{
	struct addrinfo hints = {
		.ai_family = AF_INET,
		.ai_socktype = SOCK_DGRAM,
	};
	struct addrinfo *res;
	int err;

	err = getaddrinfo(host, NULL, &hints, &res);
	if (err)
		return err;
	memcpy(out, res->ai_addr, sizeof(*out));
	out->sin_port = htons(port);
	freeaddrinfo(res);
	return 0;
}

ssize_t udp_recv(int fd, uint8_t *buf, size_t size, struct sockaddr_in *from)
{
	socklen_t fromlen = sizeof(*from);

	/* MSG_TRUNC: return the datagram's real length, so that a datagram
	 * larger than buf is seen as such instead of silently cut short. */
	return recvfrom(fd, buf, size, MSG_TRUNC, (struct sockaddr *)from,
			&fromlen);
}

ssize_t udp_send(int fd, const uint8_t *buf, size_t len,
		 const struct sockaddr_in *to)
{
	return sendto(fd, buf, len, 0, (const struct sockaddr *)to,
		      sizeof(*to));
}

void udp_endpoint_str(const struct sockaddr_in *sin, char *out, size_t outlen)
{
	char addr[INET_ADDRSTRLEN];

	if (!inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr)))
		strcpy(addr, "?");
	snprintf(out, outlen, "%s:%u", addr, ntohs(sin->sin_port));
}

int udp_endpoint_eq(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_addr.s_addr == b->sin_addr.s_addr &&
	       a->sin_port == b->sin_port;
}
