/* SPDX-License-Identifier: MIT */
/*
 * tun_client: Step 4, on useru.  Two sources of packets now: the TUN
 * interface (packets from useru into the tunnel) and the UDP socket (packets
 * the server sends back).  Instead of select(), each direction gets its own
 * thread, which just blocks in its read: one thread reads the TUN and sends
 * to the server, the other receives from the server and writes to the TUN.
 * Only datagrams from the server are taken.
 *
 *   common/lab useru step4-bidir/tun_client
 *   (then, as in Step 2: the route to lab1 through the tunnel)
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "drop.h"
#include "fastloop.h"
#include "log.h"
#include "opt.h"
#include "pkt.h"
#include "udp.h"
#include "vpn.h"

/* What both threads need to know. */
struct tunnel {
	int tun, sock;
	struct sockaddr_in server;
	char ifname[IFNAMSIZ];
	char where[UDP_ENDPOINT_STRLEN];	/* the server, as text */
};

/* vpn_log_packet() keeps its rate counters in statics: one thread at a time. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void log_packet(const char *prefix, const uint8_t *buf, size_t len)
{
	pthread_mutex_lock(&log_lock);
	vpn_log_packet(prefix, buf, len);
	pthread_mutex_unlock(&log_lock);
}

/* Ctrl-C / SIGTERM: the threads are blocked in read() and recvfrom(), so
 * just say goodbye and exit; the kernel closes tun0 with the process. */
static char stop_msg[64];
static size_t stop_len;

static void on_stop(int sig)
{
	ssize_t r;

	(void)sig;
	r = write(STDERR_FILENO, stop_msg, stop_len);
	(void)r;
	_exit(0);
}

/* TUN -> socket: packets from useru go to the server. */
static void *tun_to_server(void *arg)
{
	struct tunnel *t = arg;
	struct drops drops = { 0 };
	uint8_t buf[PKT_BUFSIZE];
	ssize_t n;

	for (;;) {
		n = read(t->tun, buf, sizeof(buf));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_fatal("read from %s: %s", t->ifname,
				  strerror(errno));
		}
		log_packet("From tun ==>", buf, (size_t)n);
		if (sendto(t->sock, buf, (size_t)n, 0,
			   (struct sockaddr *)&t->server,
			   sizeof(t->server)) == -1)
			drop_error(&drops, "sendto");
	}
	return NULL;
}

/* socket -> TUN: what the server sends back goes into useru's kernel. */
static void *server_to_tun(void *arg)
{
	struct tunnel *t = arg;
	struct drops drops = { 0 };
	uint8_t buf[PKT_BUFSIZE];
	struct sockaddr_in from;
	socklen_t fromlen;
	char who[UDP_ENDPOINT_STRLEN];
	ssize_t n;

	for (;;) {
		fromlen = sizeof(from);
		n = recvfrom(t->sock, buf, sizeof(buf), 0,
			     (struct sockaddr *)&from, &fromlen);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_fatal("recvfrom: %s", strerror(errno));
		}
		/* only our server may put packets into the TUN */
		if (from.sin_addr.s_addr != t->server.sin_addr.s_addr ||
		    from.sin_port != t->server.sin_port) {
			udp_endpoint_str(&from, who, sizeof(who));
			drop_count(&drops, DROP_NOT_SERVER, who, buf,
				   (size_t)n);
			continue;
		}
		if (drop_bad_packet(&drops, buf, (size_t)n, t->where))
			continue;
		log_packet("From socket <==", buf, (size_t)n);
		if (write(t->tun, buf, (size_t)n) == -1)
			drop_error(&drops, "write to the TUN interface");
	}
	return NULL;
}

int main(int argc, char *argv[])
{
	struct opts o = OPTS_CLIENT;
	static struct tunnel t;
	struct sigaction sa;
	pthread_t up, down;
	int err;

	log_init();
	opt_parse(argc, argv, "afimpqs", &o);
	if (o.fast)
		return fast_client(&o);	/* --fast: common/fast/fastloop.c */

	t.server.sin_family = AF_INET;
	t.sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (t.sock == -1)
		log_fatal("socket: %s", strerror(errno));
	t.server.sin_port = htons(o.port);
	t.server.sin_addr = vpn_resolve(o.server);
	t.tun = vpn_tun_open(o.ifname, t.ifname);
	vpn_tun_config(t.ifname, o.addr, o.mtu);
	log_info("Interface name: %s", t.ifname);
	udp_endpoint_str(&t.server, t.where, sizeof(t.where));
	log_info("tunnelling to %s", t.where);
	/* The threads block in read() and recvfrom(): the descriptors stay
	 * blocking, no vpn_nonblocking() here. */
	vpn_socket_buffers(t.sock);	/* optional: room for TCP's bursts */

	snprintf(stop_msg, sizeof(stop_msg), "INFO: stopped: %s removed\n",
		 t.ifname);
	stop_len = strlen(stop_msg);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1)
		log_fatal("sigaction: %s", strerror(errno));

	err = pthread_create(&up, NULL, tun_to_server, &t);
	if (err != 0)
		log_fatal("pthread_create: %s", strerror(err));
	err = pthread_create(&down, NULL, server_to_tun, &t);
	if (err != 0)
		log_fatal("pthread_create: %s", strerror(err));

	/* The threads do the work; a signal or a fatal error ends us. */
	for (;;)
		pause();
}
