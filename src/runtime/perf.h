/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Perf events as hooks: by name, opened on every CPU, each with a BPF program attached. */
#ifndef SN_PERF_H
#define SN_PERF_H

#include <stdbool.h>
#include <stdint.h>

struct bpf_program;
struct sn_session;

/* cpu-clock, task-clock, page-faults, minor-faults, major-faults, context-switches,
 * cpu-migrations, and the hardware cycles, instructions, cache-misses, branch-misses. */
int sn_perf_event_parse(const char *name, uint32_t *type, uint64_t *config);
/* Whether event @name is one of the hardware counters, which virtual machines often lack. */
bool sn_perf_event_is_hardware(const char *name);
/* Whether event @name can be opened here (on CPU 0, all tasks). */
bool sn_perf_event_available(const char *name);

/*
 * Opens event @name on every online CPU, sampling every @period events (or @period times a
 * second when @freq), attaches @prog to each, and hands the links to the session so they
 * are destroyed with it. Returns 0 or a negative errno after printing why.
 */
int sn_attach_perf_event(struct sn_session *s, struct bpf_program *prog, const char *name,
			 uint64_t period, bool freq);

#endif /* SN_PERF_H */
