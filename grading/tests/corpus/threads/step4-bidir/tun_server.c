/* SPDX-License-Identifier: MIT */
/*
 * tun_server: Step 4, on server.  As in Step 3, packets from the tunnel go
 * into the TUN interface and on into lab1.  Now the replies come back: the
 * kernel routes 10.1.3.0/24 into the TUN interface, and the server sends each
 * packet it reads there to the client, whose address recvfrom() told it.
 * One thread per direction, each blocked in its own read, instead of
 * select(); the client's address is shared between them under a mutex.
 *
 *   common/lab server step4-bidir/tun_server
 */
#include <arpa/inet.h>
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

struct tunnel {
	int tun, sock;
	char ifname[IFNAMSIZ];
	pthread_mutex_t lock;		/* protects the two fields below */
	struct sockaddr_in client;	/* who we last heard from */
	int have_client;
};

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void log_packet(const char *prefix, const uint8_t *buf, size_t len)
{
	pthread_mutex_lock(&log_lock);
	vpn_log_packet(prefix, buf, len);
	pthread_mutex_unlock(&log_lock);
}

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

/* socket -> TUN: packets from the client go to the kernel, and we learn
 * where the client is. */
static void *client_to_tun(void *arg)
{
	struct tunnel *t = arg;
	struct drops drops = { 0 };
	uint8_t buf[PKT_BUFSIZE];
	struct sockaddr_in from;
	socklen_t fromlen;
	char who[UDP_ENDPOINT_STRLEN];
	int is_new;
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
		udp_endpoint_str(&from, who, sizeof(who));
		if (drop_bad_packet(&drops, buf, (size_t)n, who))
			continue;

		pthread_mutex_lock(&t->lock);
		is_new = !t->have_client ||
			 !udp_endpoint_eq(&t->client, &from);
		t->client = from;
		t->have_client = 1;
		pthread_mutex_unlock(&t->lock);
		if (is_new)
			log_info("client is at %s", who);

		log_packet("From socket <==", buf, (size_t)n);
		if (write(t->tun, buf, (size_t)n) == -1)
			drop_error(&drops, "write to the TUN interface");
	}
	return NULL;
}

/* TUN -> socket: the replies the kernel routes into tun0 go to the client. */
static void *tun_to_client(void *arg)
{
	struct tunnel *t = arg;
	struct drops drops = { 0 };
	uint8_t buf[PKT_BUFSIZE];
	struct sockaddr_in to;
	int have;
	ssize_t n;

	for (;;) {
		n = read(t->tun, buf, sizeof(buf));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_fatal("read from %s: %s", t->ifname,
				  strerror(errno));
		}

		pthread_mutex_lock(&t->lock);
		have = t->have_client;
		to = t->client;
		pthread_mutex_unlock(&t->lock);
		if (!have) {	/* nobody has talked to us yet */
			drop_count(&drops, DROP_NO_PEER, t->ifname, buf,
				   (size_t)n);
			continue;
		}

		log_packet("From tun ==>", buf, (size_t)n);
		if (sendto(t->sock, buf, (size_t)n, 0, (struct sockaddr *)&to,
			   sizeof(to)) == -1)
			drop_error(&drops, "sendto");
	}
	return NULL;
}

int main(int argc, char *argv[])
{
	struct opts o = OPTS_SERVER;
	struct sockaddr_in addr = { .sin_family = AF_INET };
	static struct tunnel t = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct sigaction sa;
	pthread_t up, down;
	int err;

	log_init();
	opt_parse(argc, argv, "Aafilmpq", &o);
	if (o.fast)
		return fast_server(&o);	/* --fast: common/fast/fastloop.c */

	t.sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (t.sock == -1)
		log_fatal("socket: %s", strerror(errno));
	addr.sin_port = htons(o.port);
	inet_pton(AF_INET, o.listen, &addr.sin_addr);
	if (bind(t.sock, (struct sockaddr *)&addr, sizeof(addr)) == -1)
		log_fatal("cannot bind UDP port %u: %s", o.port,
			  vpn_bind_hint(errno));
	t.tun = vpn_tun_open(o.ifname, t.ifname);
	vpn_tun_config(t.ifname, o.addr, o.mtu);
	log_info("Interface name: %s", t.ifname);
	log_info("listening on %s:%u", o.listen, o.port);
	vpn_check_forwarding();
	/* blocking descriptors: each thread sleeps in its own read */
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

	err = pthread_create(&down, NULL, client_to_tun, &t);
	if (err != 0)
		log_fatal("pthread_create: %s", strerror(err));
	err = pthread_create(&up, NULL, tun_to_client, &t);
	if (err != 0)
		log_fatal("pthread_create: %s", strerror(err));

	for (;;)
		pause();
}
