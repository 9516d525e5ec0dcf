/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Helpers of the summary tests (syscount, hist): a child that waits at a gate until the
 * tracer is ready, then makes a known set of system calls; and reading a value out of the
 * flat objects nested in a summary record.
 */
#ifndef SN_E2E_SUMMARY_UTIL_H
#define SN_E2E_SUMMARY_UTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "harness.h"

struct gated_child {
	pid_t pid;
	int gate; /* write end: one byte lets the child go */
};

/*
 * Forks a child that names itself @comm (if not NULL), blocks reading the gate, then runs
 * @work(@arg) and exits. 0, or -1 if it could not be started.
 */
int gated_child_start(struct gated_child *c, const char *comm, void (*work)(long arg),
		      long arg);
/* Opens the gate and waits for the child to exit; its wait status. */
int gated_child_finish(struct gated_child *c);

/*
 * Runs `sysnoop ARGS... -p CHILD` around a gated child doing @work(@arg): starts the
 * tracer, opens the gate, reaps the child and stops the tracer, which must exit with 0.
 * The child's pid goes to *@child if not NULL. 0, or -1 with the reason in r->why.
 */
int run_around_child(struct sn_tctx *t, struct sn_run *r, const char *const *args,
		     void (*work)(long arg), long arg, pid_t *child);

/* Entries in the BPF map named @name that process @pid holds, or -1 if it holds none. */
long bpf_map_entries(pid_t pid, const char *name);

/*
 * In @line, the number @key of the flat JSON object that contains @anchor (a string such
 * as "\"syscall\":\"getppid\"" or "\"low\":8192,"). False if there is none.
 */
bool object_u64(const char *line, const char *anchor, const char *key, uint64_t *out);
/* The same for a decimal number, such as "total_ms". */
bool object_double(const char *line, const char *anchor, const char *key, double *out);

#endif
