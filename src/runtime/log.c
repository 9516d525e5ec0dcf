// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdarg.h>
#include <stdio.h>
#include <bpf/libbpf.h>

#include "log.h"

static char subject[64] = "sysnoop";
static bool verbose;

void sn_log_set_subject(const char *command)
{
	if (command)
		snprintf(subject, sizeof(subject), "sysnoop %s", command);
	else
		snprintf(subject, sizeof(subject), "sysnoop");
}

void sn_log_set_verbose(bool on)
{
	verbose = on;
}

bool sn_log_verbose(void)
{
	return verbose;
}

static void vlog(const char *kind, const char *fmt, va_list ap)
{
	/* Flush our own buffered output first so the two streams stay in order on a tty. */
	fflush(stdout);
	fprintf(stderr, "%s: %s", subject, kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void sn_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void sn_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warning: ", fmt, ap);
	va_end(ap);
}

void sn_debug(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void sn_log_install_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
