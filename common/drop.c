/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "drop.h"
#include "log.h"

static const char *reason_str(int reason)
{
	switch (reason) {
	case DROP_NO_PEER:
		return "no client for its destination";
	case DROP_SPOOFED:
		return "inner source not in the tunnel's networks";
	case DROP_NOT_SERVER:
		return "not from the server";
	case DROP_SEND_FAILED:
		return "send failed";
	case DROP_CLAIMED:
		return "tunnel address held by an active client";
	}
	return pkt_err_str((enum pkt_err)reason);
}

void drop_count(struct drops *d, int reason, const char *where,
		const uint8_t *buf, size_t len)
{
	char line[PKT_SUMMARY_MAX];

	if (reason < 0 || reason >= DROP_NREASONS)
		reason = PKT_BAD_VERSION;
	if (d->count[reason]++)
		return;
	pkt_summary(buf, len, line, sizeof(line));
	log_warn("dropped from %s (%s): %s [first of its kind; the rest are "
		 "counted]", where, reason_str(reason), line);
}

int drop_bad_packet(struct drops *d, const uint8_t *buf, size_t len,
		    const char *where)
{
	struct ip_info ip;
	enum pkt_err err;

	err = ip_parse(buf, len, &ip);
	if (err == PKT_OK)
		return 0;
	drop_count(d, err, where, buf, len);
	return 1;
}

void drop_error(struct drops *d, const char *what)
{
	if (!d->count[DROP_SEND_FAILED]++)
		log_warn("%s: %s [first failure; the rest are counted]", what,
			 strerror(errno));
}

unsigned long drop_total(const struct drops *d)
{
	unsigned long total = 0;
	int i;

	for (i = 0; i < DROP_NREASONS; i++)
		total += d->count[i];
	return total;
}

void drop_report(const struct drops *d)
{
	char line[512];
	size_t used = 0;
	int i, n;

	for (i = 0; i < DROP_NREASONS; i++) {
		if (!d->count[i] || used >= sizeof(line))
			continue;
		n = snprintf(line + used, sizeof(line) - used, "%s%lu %s",
			     used ? ", " : "", d->count[i], reason_str(i));
		if (n > 0)
			used += (size_t)n;
	}
	if (used)
		log_info("dropped: %s", line);
}
