/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * User space of the in-kernel summaries (syscount, hist): sizing per-CPU maps, draining them
 * (read and reset) in batches, the lost-update counters, the interval heading. A summary is
 * a per-CPU hash (keys made up as events come) or a per-CPU array (small dense keys, such
 * as system call numbers, which the BPF side reaches without hashing).
 */
#ifndef SN_SUMMARY_H
#define SN_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/buf.h"
#include "runtime/command.h"
#include "summary_abi.h"

/* The summary's per-CPU map, as the last drain read it. */
struct sn_summary {
	int fd;
	int full_fd;           /* sn_map_full */
	bool array;            /* BPF_MAP_TYPE_PERCPU_ARRAY, else PERCPU_HASH */
	uint32_t key_size;
	uint32_t value_stride; /* the kernel lays out per-CPU values 8-byte aligned */
	uint32_t max_entries;
	int ncpus;
	bool no_batch;         /* the kernel lacks batch operations (before 5.6) */
	char *keys;
	char *values;
	char *zero;            /* one entry's worth of zeros, all CPUs */
	uint64_t lost_seen[SUMMARY_FULL__COUNT];
};

/*
 * The max_entries to give a per-CPU map of @value_size-byte values: @want, or fewer on a
 * machine with so many CPUs that @want would preallocate more than a fixed memory budget.
 */
uint32_t sn_summary_entries(size_t value_size, uint32_t want);

/* The hook variants of the programs SUMMARY_SYSCALL_PROGRAMS defines, best first. */
extern const struct sn_hook_variant sn_summary_hooks[3];

/*
 * For a summary that needs no entry stamps (no latency): leaves the sys_enter and
 * thread-exit programs unloaded and shrinks the stamp map. From configure; 0 or a negative
 * errno.
 */
int sn_summary_exit_only(struct sn_session *s);

/*
 * One report's worth of per-CPU map @map_name: sets up on first use, then reads every
 * entry and resets it, so the next interval starts empty (a hash's entries are deleted, an
 * array's used ones zeroed, and only those returned), in batches where the kernel can.
 * Updates lost to full maps since the last call go to *@map_full, and are warned about.
 * Returns the number of entries, or a negative errno (said on stderr).
 */
int sn_summary_collect(struct sn_summary *sm, struct sn_session *s, const char *map_name,
		       uint64_t *map_full);
void sn_summary_free(struct sn_summary *sm);

static inline const void *sn_summary_key(const struct sn_summary *sm, int i)
{
	return sm->keys + (size_t)i * sm->key_size;
}

static inline const void *sn_summary_value(const struct sn_summary *sm, int i, int cpu)
{
	return sm->values + ((size_t)i * sm->ncpus + cpu) * sm->value_stride;
}

/* CLOCK_MONOTONIC now, the stamp of a report. */
uint64_t sn_summary_now(void);

/* Prints the "[HH:MM:SS]" line that starts each report in a table. */
void sn_summary_heading(struct sn_session *s, uint64_t ts_ns);

/* Appends nanoseconds as milliseconds with nanosecond precision (0.000123), for JSON. */
void sn_summary_json_ms(struct sn_buf *b, uint64_t ns);

#endif /* SN_SUMMARY_H */
