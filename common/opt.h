/*
 * opt: command-line conventions shared by every program of the kit.  Each
 * program runs with no arguments on the handout's defaults and takes flags
 * to change them; -h prints its usage.  The opt_ functions read one value
 * each and end the program (exit 2, one line saying what is wrong) when the
 * user typed something that cannot be right.
 */
#ifndef VPNLAB_OPT_H
#define VPNLAB_OPT_H

#include <netinet/in.h>
#include <stdint.h>

/* Print "usage: " and synopsis, on stdout and exit 0 if asked for with -h,
 * else on stderr and exit 2. */
__attribute__((noreturn)) void opt_usage(const char *synopsis, int asked);

/* A whole number in min..max, or exit 2 naming what it was for. */
long opt_num(const char *s, long min, long max, const char *what);

/* A UDP port, 1..65535. */
uint16_t opt_port(const char *s);

/* An IPv4 address with an optional "/prefix"; prefix stays as given if
 * the text has none. */
void opt_cidr(const char *s, struct in_addr *addr, int *prefix);

#endif
