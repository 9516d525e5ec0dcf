/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * End-to-end harness: starts the real sysnoop binary, waits until it is tracing, collects
 * its output while the test triggers real kernel events, and checks that nothing it
 * loaded is left behind once it has exited.
 */
#ifndef SN_E2E_HARNESS_H
#define SN_E2E_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "json.h"
#include "test.h"

#define SN_MAX_PROGS 64

struct sn_run {
	pid_t pid;
	int out_fd, err_fd;
	char *out, *err;
	size_t out_len, out_cap, err_len, err_cap;
	int exit_code; /* -1 until it has exited; 128+N when killed by signal N */
	uint32_t prog_ids[SN_MAX_PROGS];
	int nr_progs;
	char why[1024]; /* what went wrong, for the test's message */
};

/* The sysnoop binary under test: $SYSNOOP, or build/sysnoop. */
const char *sn_binary(void);

/*
 * Starts `sysnoop ARGS...` (with --hook t->hook when the test runs per hook) and waits up
 * to 15 s until it says it is tracing. Returns 0, or -1 with the reason in r->why.
 */
int sn_start(struct sn_tctx *t, struct sn_run *r, const char *const *args);
/* Reads output until a complete stdout line makes @match true (up to @timeout_ms). */
const char *sn_wait_line(struct sn_run *r, bool (*match)(const char *line, void *ctx),
			 void *ctx, int timeout_ms);
/* Sends SIGINT if still running, then reads everything until exit (up to 15 s). */
int sn_stop(struct sn_run *r);
/* Waits for an exit of its own (--count, --duration) for up to @timeout_ms, else kills. */
int sn_wait_exit(struct sn_run *r, int timeout_ms);
/* Runs `sysnoop ARGS...` to completion (for bad input); 0 or -1. */
int sn_run_sync(struct sn_run *r, const char *const *args);
void sn_run_free(struct sn_run *r);

/* Walks stdout line by line: *pos starts at 0; NULL at the end. Lines are NUL-terminated copies. */
const char *sn_next_line(struct sn_run *r, size_t *pos);
/* The first stdout line of JSON type @type for which @match is true (NULL matches all). */
const char *sn_find_record(struct sn_run *r, const char *type,
			   bool (*match)(const char *line, void *ctx), void *ctx);
int sn_count_records(struct sn_run *r, const char *type,
		     bool (*match)(const char *line, void *ctx), void *ctx);

/*
 * Whether every BPF program sysnoop had loaded is gone from the kernel (links are freed
 * from a workqueue, so this waits up to 3 s). On false, r->why says which.
 */
bool sn_progs_gone(struct sn_run *r);

/*
 * Whether the driver runs under CPU emulation (the kernel matrix sets SN_EMULATED=1): a
 * guest under TCG is ten times slower, so wall-clock expectations do not hold there.
 */
bool sn_emulated(void);

/* A string unique to this test run, for marker arguments and file names. */
const char *sn_marker(void);

/* Forks and execs @argv (path in argv[0]); returns the child's pid. */
pid_t sn_spawn(char *const argv[]);
/* Waits for @pid; its wait status. */
int sn_reap(pid_t pid);

/* Helpers for matchers: whether any string in array @key, or string @key, contains @s. */
bool sn_line_has_arg(const char *line, const char *key, const char *s);

#endif
