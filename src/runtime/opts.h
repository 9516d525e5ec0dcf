/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Command-line parsing: the common options, a command's own, and value parsers. */
#ifndef SN_OPTS_H
#define SN_OPTS_H

#include <stdint.h>
#include <stdio.h>

#include "command.h"

/*
 * Parses @argv into @c, calling cmd->parse_opt for the command's own options. Returns 0,
 * 1 when --help was printed, or -EINVAL after printing one line on stderr.
 */
int sn_opts_parse(const struct sn_command *cmd, int argc, char **argv, struct sn_common *c);
void sn_opts_usage(const struct sn_command *cmd, FILE *out);
/* The common options' help, shared with `sysnoop --help`. */
void sn_opts_common_usage(FILE *out);

/* Each returns 0 or -EINVAL; nothing is printed. */
int sn_parse_uint(const char *s, uint64_t max, uint64_t *out);
/* A positive number of seconds, fractions allowed: "2", "0.5". */
int sn_parse_seconds(const char *s, double *out);
/* Bytes with an optional K, M or G suffix (powers of 1024): "8M". */
int sn_parse_size(const char *s, uint64_t *out);
/*
 * A process or thread id for option --@opt: 1 to PID_MAX_LIMIT. Prints the error itself
 * ("invalid --ppid 'x': expected a process id ..."); 0 or -EINVAL.
 */
int sn_parse_pid_opt(const char *opt, const char *arg, uint32_t *out);
/* A user id, or a user name looked up in /etc/passwd. */
int sn_parse_uid(const char *s, uint32_t *out);
/* A comma-separated list of unsigned numbers up to @max: at most @cap of them. */
int sn_parse_uint_list(const char *s, uint64_t max, uint64_t *out, int cap);

#endif /* SN_OPTS_H */
