#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "opt.h"

void opt_usage(const char *synopsis, int asked)
{
	fprintf(asked ? stdout : stderr, "usage: %s\n", synopsis);
	exit(asked ? 0 : 2);
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

uint16_t opt_port(const char *s)
{
	return (uint16_t)opt_num(s, 1, 65535, "port");
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
