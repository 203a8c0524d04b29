/* SPDX-License-Identifier: MIT */
/*
 * opt: command-line conventions shared by every program of the kit.  Each
 * program runs with no arguments on the handout's defaults and takes the
 * flags it lists in opt_parse()'s flags string to change them; -h prints
 * them all with their defaults.  Anything the user typed wrong ends the
 * program with one line saying what, and exit status 2.
 */
#ifndef VPNLAB_OPT_H
#define VPNLAB_OPT_H

#include <netinet/in.h>
#include <stdint.h>

#include "topology.h"

#define OPT_MAX_ALLOW 8

/* Every flag of the kit; a program uses the ones it names.  -q sets what
 * it changes in the library: vpn_log_packets. */
struct opts {
	const char *allow[OPT_MAX_ALLOW]; /* -A: more networks to serve */
	int nallow;
	const char *addr;	/* -a: the TUN interface's address/prefix */
	int fast;		/* -f, --fast: common/fast/fastloop.h runs the tunnel */
	const char *ifname;	/* -i: its name; "tun%d" takes a free number */
	const char *listen;	/* -l: the address to receive datagrams on */
	int mtu;		/* -m: the TUN interface's MTU; 0: kernel's */
	uint16_t port;		/* -p: the server's UDP port */
	const char *server;	/* -s: the server's name or address */
	int experiment;		/* -x: tun_ping's 1.2.3.4 experiment */
};

/*
 * The default TUN MTU of a tunnel end: 1472 bytes.  An inner packet becomes
 * the payload of a datagram 28 bytes larger (20 of IPv4 header, 8 of UDP),
 * and 1472 + 28 = 1500 fits the LAN's MTU whole.  At the kernel's 1500, a
 * full-sized inner packet makes a 1528-byte datagram that leaves in two
 * fragments: twice the packets for the same data, and a lost fragment
 * loses both.
 */
#define OPTS_TUNNEL_MTU 1472

/* The handout's defaults: the client's end of the tunnel and the server's
 * (the addresses and the port: common/topology). */
#define OPTS_CLIENT                                                          \
	{                                                                    \
		.addr = TOPO_CLIENT_TUN, .ifname = "tun%d",                  \
		.listen = "0.0.0.0", .mtu = OPTS_TUNNEL_MTU,                 \
		.port = TOPO_PORT, .server = TOPO_SERVER_ADDR,               \
	}
#define OPTS_SERVER                                                          \
	{                                                                    \
		.addr = TOPO_SERVER_TUN, .ifname = "tun%d",                  \
		.listen = "0.0.0.0", .mtu = OPTS_TUNNEL_MTU,                 \
		.port = TOPO_PORT, .server = TOPO_SERVER_ADDR,               \
	}

/*
 * Read argv into o (which holds the defaults) accepting the flags in flags,
 * a subset of "Aafilmpqsx" (-h is always accepted).  Returns only if all is
 * well: -h prints usage and exits 0, a mistake exits 2.
 */
void opt_parse(int argc, char *argv[], const char *flags, struct opts *o);

/* A whole number in min..max, or exit 2 naming what it was for. */
long opt_num(const char *s, long min, long max, const char *what);

/* An IPv4 address with an optional "/prefix"; prefix stays as given if
 * the text has none. */
void opt_cidr(const char *s, struct in_addr *addr, int *prefix);

#endif
