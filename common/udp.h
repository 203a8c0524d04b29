/* SPDX-License-Identifier: MIT */
/*
 * udp: the outer side of the tunnel.  udp_bind() opens a socket for a
 * server or a client, udp_resolve() turns "server" or "10.1.2.3" into an
 * endpoint, udp_recv() receives one datagram and tells whether it was larger
 * than the buffer, udp_endpoint_str() prints an endpoint as "10.1.2.2:40123".
 * Functions return -1 with errno set and never print.
 */
#ifndef VPNLAB_UDP_H
#define VPNLAB_UDP_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define UDP_ENDPOINT_STRLEN (INET_ADDRSTRLEN + 6)

/*
 * A UDP socket bound to addr:port; addr NULL means every address and port
 * 0 a port the kernel picks.  Returns the descriptor, or -1.
 */
int udp_bind(const char *addr, uint16_t port);

/*
 * Ask for socket buffers of size bytes each way.  As root the system's
 * limit (net.core.rmem_max) is lifted; else the kernel caps the request.
 * Returns 0, or -1 if even the capped request failed.
 */
int udp_set_buffers(int fd, int size);

/*
 * Resolve host (a name or a dotted address) to an IPv4 endpoint with port.
 * Returns 0, or a getaddrinfo(3) error code: gai_strerror() describes it.
 */
int udp_resolve(const char *host, uint16_t port, struct sockaddr_in *out);

/*
 * Receive one datagram into buf and its sender into from.  Returns the
 * datagram's real length, which exceeds size when it did not fit (the
 * rest is lost), or -1.
 */
ssize_t udp_recv(int fd, uint8_t *buf, size_t size, struct sockaddr_in *from);

/* Send len bytes of buf to to as one datagram; bytes sent or -1. */
ssize_t udp_send(int fd, const uint8_t *buf, size_t len,
		 const struct sockaddr_in *to);

/* Write "address:port" of sin into out. */
void udp_endpoint_str(const struct sockaddr_in *sin, char *out, size_t outlen);

/* Whether a and b are the same address and port. */
int udp_endpoint_eq(const struct sockaddr_in *a, const struct sockaddr_in *b);

#endif
