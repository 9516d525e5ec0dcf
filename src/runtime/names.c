// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "names.h"

/* Errno values are below 4096 on Linux; glibc names the ones it knows. */
#define ERRNO_MAX 4095

const char *sn_errno_name(int err)
{
	/* Range first: -INT_MIN does not exist. */
	if (err == 0 || err > ERRNO_MAX || err < -ERRNO_MAX)
		return NULL;
	if (err < 0)
		err = -err;
	return strerrorname_np(err);
}

const char *sn_signal_name(int sig, char *buf, int len)
{
	const char *abbrev;

	if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
		snprintf(buf, len, "SIGRTMIN+%d", sig - SIGRTMIN);
		return buf;
	}
	abbrev = sig > 0 && sig < NSIG ? sigabbrev_np(sig) : NULL;
	if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else
		snprintf(buf, len, "%d", sig);
	return buf;
}

static int parse_number(const char *s, int max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > max)
		return -EINVAL;
	return (int)v;
}

int sn_errno_parse(const char *s)
{
	const char *name;

	if (*s >= '0' && *s <= '9')
		return parse_number(s, ERRNO_MAX);
	for (int err = 1; err <= ERRNO_MAX; err++) {
		name = strerrorname_np(err);
		if (name && !strcasecmp(name, s))
			return err;
	}
	return -EINVAL;
}

int sn_signal_parse(const char *s)
{
	const char *abbrev;

	if (*s >= '0' && *s <= '9')
		return parse_number(s, NSIG - 1);
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	if (!strncasecmp(s, "RTMIN+", 6)) {
		int off = parse_number(s + 6, SIGRTMAX - SIGRTMIN);

		return off < 0 ? off : SIGRTMIN + off;
	}
	for (int sig = 1; sig < NSIG; sig++) {
		abbrev = sigabbrev_np(sig);
		if (abbrev && !strcasecmp(abbrev, s))
			return sig;
	}
	return -EINVAL;
}
