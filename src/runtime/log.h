/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Messages to stderr, each one line that starts with its subject, and the exit codes. */
#ifndef SN_LOG_H
#define SN_LOG_H

#include <stdbool.h>

/* Exit codes, documented in the README; distinct so scripts can tell them apart. */
enum sn_exit {
	SN_EXIT_OK = 0,
	SN_EXIT_ERROR = 1,       /* a runtime failure */
	SN_EXIT_USAGE = 2,       /* bad options or arguments */
	SN_EXIT_PRIVILEGE = 3,   /* missing CAP_BPF / CAP_PERFMON / CAP_SYS_ADMIN */
	SN_EXIT_UNSUPPORTED = 4, /* the kernel lacks what the command needs */
};

/* The prefix of every message: "sysnoop" or "sysnoop exec". */
void sn_log_set_subject(const char *command);
void sn_log_set_verbose(bool verbose);
bool sn_log_verbose(void);

void sn_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sn_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sn_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Routes libbpf's messages to stderr with -v, drops them otherwise. */
void sn_log_install_libbpf(void);

#endif /* SN_LOG_H */
