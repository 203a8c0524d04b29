/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "opt.h"
#include "pkt.h"
#include "vpn.h"

struct flag {
	char letter;
	const char *arg;	/* NULL: the flag takes no argument */
	const char *help;
};

static const struct flag flag_table[] = {
	{ 'A', "network/prefix", "accept inner sources from this network too (repeat)" },
	{ 'a', "address/prefix", "the TUN interface's address" },
	{ 'f', NULL, "fast path: TUN offloads, UDP GSO/GRO (also --fast)" },
	{ 'i', "name", "the TUN interface's name (%d: a free number)" },
	{ 'l', "address", "receive datagrams on this address only" },
	{ 'm', "mtu", "the TUN interface's MTU" },
	{ 'p', "port", "the server's UDP port" },
	{ 'q', NULL, "quiet: no log line per packet" },
	{ 's', "server", "the server, by name or IPv4 address" },
	{ 'x', NULL, "the handout's experiment: send packets back from 1.2.3.4" },
};

static void flag_default(const struct opts *o, char letter, char *out,
			 size_t outlen)
{
	out[0] = '\0';
	switch (letter) {
	case 'a': snprintf(out, outlen, " [%s]", o->addr); break;
	case 'i': snprintf(out, outlen, " [%s]", o->ifname); break;
	case 'l': snprintf(out, outlen, " [%s]", o->listen); break;
	case 'm':
		if (o->mtu)
			snprintf(out, outlen, " [%d]", o->mtu);
		break;
	case 'p': snprintf(out, outlen, " [%u]", o->port); break;
	case 's': snprintf(out, outlen, " [%s]", o->server); break;
	}
}

/* Synopsis and one line per flag, man-page style, with the defaults. */
__attribute__((noreturn))
static void usage(const char *prog, const char *flags, const struct opts *o,
		  int asked)
{
	FILE *out = asked ? stdout : stderr;
	char def[80];
	size_t i;

	fprintf(out, "usage: %s [-h]", prog);
	for (i = 0; i < sizeof(flag_table) / sizeof(flag_table[0]); i++)
		if (strchr(flags, flag_table[i].letter))
			fprintf(out, " [-%c%s%s]%s", flag_table[i].letter,
				flag_table[i].arg ? " " : "",
				flag_table[i].arg ? flag_table[i].arg : "",
				flag_table[i].letter == 'A' ? "..." : "");
	fputc('\n', out);
	for (i = 0; i < sizeof(flag_table) / sizeof(flag_table[0]); i++) {
		const struct flag *f = &flag_table[i];

		if (!strchr(flags, f->letter))
			continue;
		flag_default(o, f->letter, def, sizeof(def));
		fprintf(out, "  -%c %-16s %s%s\n", f->letter, f->arg ? f->arg : "",
			f->help, def);
	}
	exit(asked ? 0 : 2);
}

/* "ailm" becomes "a:i:l:m:h" for getopt(3). */
static void getopt_string(const char *flags, char *out, size_t outlen)
{
	size_t n = 0, i;

	for (; *flags && n + 3 < outlen; flags++) {
		for (i = 0; i < sizeof(flag_table) / sizeof(flag_table[0]); i++)
			if (flag_table[i].letter == *flags)
				break;
		if (i == sizeof(flag_table) / sizeof(flag_table[0]))
			continue;
		out[n++] = *flags;
		if (flag_table[i].arg)
			out[n++] = ':';
	}
	out[n++] = 'h';
	out[n] = '\0';
}

void opt_parse(int argc, char *argv[], const char *flags, struct opts *o)
{
	const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 :
						   argv[0];
	struct opts defaults = *o;
	char optstring[32];
	struct in_addr addr;
	int c, prefix = 0;

	/* --fast is -f by its long name; --help is -h. */
	static const struct option longopts[] = {
		{ "fast", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};

	getopt_string(flags, optstring, sizeof(optstring));
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		if (c != 'h' && !strchr(flags, c))
			c = '?';	/* a long name for a flag we lack */
		switch (c) {
		case 'A':
			if (o->nallow == OPT_MAX_ALLOW) {
				log_error("at most %d networks", OPT_MAX_ALLOW);
				exit(2);
			}
			o->allow[o->nallow++] = optarg;
			break;
		case 'a':
			opt_cidr(optarg, &addr, &prefix);	/* check it now */
			o->addr = optarg;
			break;
		case 'f':
			o->fast = 1;
			break;
		case 'i':
			o->ifname = optarg;
			break;
		case 'l':
			opt_cidr(optarg, &addr, &prefix);	/* an address */
			o->listen = optarg;
			break;
		case 'm':
			o->mtu = (int)opt_num(optarg, 68, PKT_MAX, "MTU");
			break;
		case 'p':
			o->port = (uint16_t)opt_num(optarg, 1, 65535, "port");
			break;
		case 's':
			o->server = optarg;
			break;
		case 'q':
			vpn_log_packets = 0;
			break;
		case 'x':
			o->experiment = 1;
			break;
		case 'h':
			usage(prog, flags, &defaults, 1);
		default:
			usage(prog, flags, &defaults, 0);
		}
	}
	if (optind != argc)
		usage(prog, flags, &defaults, 0);
}

long opt_num(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		log_error("bad %s '%s': give a number from %ld to %ld", what,
			  s, min, max);
		exit(2);
	}
	return v;
}

void opt_cidr(const char *s, struct in_addr *addr, int *prefix)
{
	char text[INET_ADDRSTRLEN + 4];
	char *slash;

	if (strlen(s) >= sizeof(text))
		goto bad;
	strcpy(text, s);
	slash = strchr(text, '/');
	if (slash) {
		*slash = '\0';
		*prefix = (int)opt_num(slash + 1, 0, 32, "prefix length");
	}
	if (inet_pton(AF_INET, text, addr) == 1)
		return;
bad:
	log_error("bad address '%s': give an IPv4 address such as 10.1.3.1/24",
		  s);
	exit(2);
}
