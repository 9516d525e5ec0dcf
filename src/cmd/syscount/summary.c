// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "runtime/log.h"
#include "summary.h"

/*
 * Per-CPU hashes are preallocated for every possible CPU: cap what one map may take, so a
 * many-core machine gets fewer entries (and counted losses) rather than a huge allocation.
 */
#define PCPU_BUDGET_BYTES (32u << 20)
#define PCPU_MIN_ENTRIES  64u

static int possible_cpus(void)
{
	int n = libbpf_num_possible_cpus();

	return n > 0 ? n : 1;
}

uint32_t sn_summary_entries(size_t value_size, uint32_t want)
{
	uint64_t per_entry = ((value_size + 7) & ~(size_t)7) * (uint64_t)possible_cpus();
	uint64_t fit = PCPU_BUDGET_BYTES / per_entry;

	if (fit < PCPU_MIN_ENTRIES)
		fit = PCPU_MIN_ENTRIES;
	return fit < want ? (uint32_t)fit : want;
}

const struct sn_hook_variant sn_summary_hooks[3] = {
	{ SN_HOOK_TP_BTF, "btf_enter btf_exit btf_free", "sys_enter sys_exit sched_process_exit",
	  "BTF-typed raw_syscalls tracepoints" },
	{ SN_HOOK_RAW_TP, "raw_enter raw_exit raw_free", "sys_enter sys_exit sched_process_exit",
	  "raw_syscalls raw tracepoints" },
	{ SN_HOOK_TRACEPOINT, "tp_enter tp_exit tp_free",
	  "raw_syscalls/sys_enter raw_syscalls/sys_exit sched/sched_process_exit",
	  "raw_syscalls tracepoints through tracefs" },
};

/* Whether @name ends with @suffix. */
static bool ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);

	return n > k && !strcmp(name + n - k, suffix);
}

int sn_summary_exit_only(struct sn_session *s)
{
	struct bpf_map *start = bpf_object__find_map_by_name(s->obj, "sn_start");
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, s->obj) {
		const char *name = bpf_program__name(prog);

		if (ends_with(name, "_enter") || ends_with(name, "_free"))
			bpf_program__set_autoload(prog, false);
	}
	return start ? bpf_map__set_max_entries(start, 1) : -ENOENT;
}

static int summary_init(struct sn_summary *sm, struct sn_session *s, const char *map_name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(s->obj, map_name);
	struct bpf_map *full = bpf_object__find_map_by_name(s->obj, "sn_map_full");

	memset(sm, 0, sizeof(*sm));
	if (!map || !full)
		return -ENOENT;
	sm->array = bpf_map__type(map) == BPF_MAP_TYPE_PERCPU_ARRAY;
	sm->fd = bpf_map__fd(map);
	sm->full_fd = bpf_map__fd(full);
	sm->key_size = bpf_map__key_size(map);
	sm->value_stride = (bpf_map__value_size(map) + 7) & ~7u;
	sm->max_entries = bpf_map__max_entries(map);
	sm->ncpus = possible_cpus();
	sm->keys = calloc(sm->max_entries, sm->key_size);
	sm->values = calloc((size_t)sm->max_entries * sm->ncpus, sm->value_stride);
	sm->zero = calloc(sm->ncpus, sm->value_stride);
	if (!sm->keys || !sm->values || !sm->zero) {
		sn_summary_free(sm);
		return -ENOMEM;
	}
	return 0;
}

void sn_summary_free(struct sn_summary *sm)
{
	free(sm->keys);
	free(sm->values);
	free(sm->zero);
	sm->keys = NULL;
	sm->values = NULL;
	sm->zero = NULL;
}

static char *entry_values(struct sn_summary *sm, uint32_t i)
{
	return sm->values + (size_t)i * sm->ncpus * sm->value_stride;
}

/* Before 5.6 the command is unknown (EINVAL); some map types lack it (ENOTSUPP). */
static bool batch_unsupported(int err)
{
	return err == -EINVAL || err == -EOPNOTSUPP || err == -524 /* ENOTSUPP */;
}

/* Batch reads: whole buckets at a time, each read and deleted under the bucket lock. */
static int drain_batch(struct sn_summary *sm)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint64_t token;
	void *in = NULL;
	uint32_t total = 0, n;
	int err;

	for (;;) {
		n = sm->max_entries - total;
		if (!n)
			return total; /* filled again while we read: the rest waits for next time */
		err = bpf_map_lookup_and_delete_batch(sm->fd, in, &token,
						      sm->keys + (size_t)total * sm->key_size,
						      entry_values(sm, total), &n, &opts);
		total += n; /* libbpf returns a negative errno; n is what was read anyway */
		if (err == -ENOENT)
			return total;
		/* A bucket larger than the room left: it waits for the next drain. */
		if (err == -ENOSPC && total)
			return total;
		if (err)
			return err;
		in = &token;
	}
}

/* Key by key, for kernels without batch operations: collect the keys, then read and delete. */
static int drain_keys(struct sn_summary *sm)
{
	uint32_t n = 0;
	void *prev = NULL;

	while (n < sm->max_entries) {
		void *key = sm->keys + (size_t)n * sm->key_size;

		if (bpf_map_get_next_key(sm->fd, prev, key))
			break;
		prev = key;
		n++;
	}
	for (uint32_t i = 0; i < n; i++) {
		void *key = sm->keys + (size_t)i * sm->key_size;

		/* Gone meanwhile: keep the slot, with nothing in it. */
		if (bpf_map_lookup_elem(sm->fd, key, entry_values(sm, i)))
			memset(entry_values(sm, i), 0, (size_t)sm->ncpus * sm->value_stride);
		bpf_map_delete_elem(sm->fd, key);
	}
	return n;
}

/*
 * An array's entries all exist: read them at once (or one by one), keep the used ones and
 * zero those in the map. Zeroing only what was used keeps it to a few updates.
 */
static int drain_array(struct sn_summary *sm)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	size_t size = (size_t)sm->ncpus * sm->value_stride;
	uint32_t n = sm->max_entries, used = 0, token;
	int err;

	if (!sm->no_batch) {
		err = bpf_map_lookup_batch(sm->fd, NULL, &token, sm->keys, sm->values, &n, &opts);
		if (err && err != -ENOENT && !batch_unsupported(err))
			return err;
		if (batch_unsupported(err)) {
			sm->no_batch = true;
			sn_debug("no batch map operations: reading key by key");
		}
	}
	if (sm->no_batch) {
		for (n = 0; n < sm->max_entries; n++) {
			memcpy(sm->keys + (size_t)n * sm->key_size, &n, sizeof(n));
			if (bpf_map_lookup_elem(sm->fd, &n, entry_values(sm, n)))
				return -errno;
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		const char *key = sm->keys + (size_t)i * sm->key_size;

		if (!memcmp(entry_values(sm, i), sm->zero, size))
			continue;
		if (bpf_map_update_elem(sm->fd, key, sm->zero, BPF_ANY))
			return -errno;
		if (used != i) {
			memcpy(sm->keys + (size_t)used * sm->key_size, key, sm->key_size);
			memcpy(entry_values(sm, used), entry_values(sm, i), size);
		}
		used++;
	}
	return used;
}

static int drain(struct sn_summary *sm)
{
	int n;

	if (sm->array)
		return drain_array(sm);
	if (!sm->no_batch) {
		n = drain_batch(sm);
		if (!batch_unsupported(n))
			return n;
		sm->no_batch = true;
		sn_debug("no batch map operations: reading key by key");
	}
	return drain_keys(sm);
}

/* Updates lost to full maps since the last call, by SUMMARY_FULL_*; warned about. */
static int read_lost(struct sn_summary *sm, uint64_t lost[SUMMARY_FULL__COUNT])
{
	uint64_t vals[sm->ncpus];

	for (uint32_t i = 0; i < SUMMARY_FULL__COUNT; i++) {
		uint64_t sum = 0;

		if (bpf_map_lookup_elem(sm->full_fd, &i, vals))
			return -errno;
		for (int cpu = 0; cpu < sm->ncpus; cpu++)
			sum += vals[cpu];
		/* The counters only grow: what is new since last time is this interval's. */
		lost[i] = sum - sm->lost_seen[i];
		sm->lost_seen[i] = sum;
	}
	if (lost[SUMMARY_FULL_DATA])
		sn_warn("%llu events not counted: no room in the summary map (%u entries)",
			(unsigned long long)lost[SUMMARY_FULL_DATA], sm->max_entries);
	if (lost[SUMMARY_FULL_START])
		sn_warn("%llu latencies not measured: the entry-stamp map is full",
			(unsigned long long)lost[SUMMARY_FULL_START]);
	return 0;
}

int sn_summary_collect(struct sn_summary *sm, struct sn_session *s, const char *map_name,
		       uint64_t *map_full)
{
	uint64_t lost[SUMMARY_FULL__COUNT];
	int n, err;

	if (!sm->keys) {
		err = summary_init(sm, s, map_name);
		if (err) {
			sn_err("setting up the map %s: %s", map_name, strerror(-err));
			return err;
		}
	}
	n = drain(sm);
	if (n < 0) {
		sn_err("reading the map %s: %s", map_name, strerror(-n));
		return n;
	}
	err = read_lost(sm, lost);
	if (err) {
		sn_err("reading the lost-update counters: %s", strerror(-err));
		return err;
	}
	*map_full = lost[SUMMARY_FULL_DATA] + lost[SUMMARY_FULL_START];
	return n;
}

uint64_t sn_summary_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void sn_summary_heading(struct sn_session *s, uint64_t ts_ns)
{
	char ts[40];

	if (s->out.json)
		return;
	sn_format_time(&s->out, ts_ns, false, ts, sizeof(ts));
	/* HH:MM:SS is enough to tell reports apart; drop the microseconds. */
	ts[strcspn(ts, ".")] = '\0';
	fprintf(s->out.out, "[%s]\n", ts);
}

void sn_summary_json_ms(struct sn_buf *b, uint64_t ns)
{
	sn_buf_printf(b, "%llu.%06llu", (unsigned long long)(ns / 1000000),
		      (unsigned long long)(ns % 1000000));
}
