// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop faults: page faults by comm (or process), counted in the kernel at every fault
 * and printed as a top list every -i seconds and at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>

#include "runtime/command.h"
#include "runtime/log.h"
#include "runtime/maps.h"
#include "runtime/opts.h"
#include "runtime/perf.h"
#include "faults.h"
#include "faults.skel.h"

#define DEFAULT_TOP         10
#define DEFAULT_MAX_ENTRIES 10240
#define MAX_MAX_ENTRIES     (1u << 20)

enum { OPT_SPLIT = SN_OPT_LONG, OPT_TOP, OPT_MAX_ENTRIES };

static struct {
	bool by_pid;
	bool split;
	uint64_t top;
	uint64_t max_entries;
	uint64_t map_full; /* the kernel's total at the last report */
	unsigned int reports;
} env = {
	.top = DEFAULT_TOP,
	.max_entries = DEFAULT_MAX_ENTRIES,
};

static const struct sn_opt opts[] = {
	{ "by-pid", 'P', NULL, "per process (pid and comm), not per comm" },
	{ "split", OPT_SPLIT, NULL, "minor and major faults apart (perf_event hook only)" },
	{ "top", OPT_TOP, "N", "the N rows with most faults in each report (default 10; 0: all)" },
	{ "max-entries", OPT_MAX_ENTRIES, "N",
	  "rows counted between reports (default 10240); faults beyond are counted as lost" },
	{},
};

enum { F_PID, F_COMM, F_FAULTS, F_MINOR, F_MAJOR, F__COUNT };

static const struct sn_field fields[] = {
	[F_PID] = { "pid", "PID", 7 },
	[F_COMM] = { "comm", "COMM", 16 },
	[F_FAULTS] = { "faults", "FAULTS", 10 },
	[F_MINOR] = { "minor", "MINOR", 10 },
	[F_MAJOR] = { "major", "MAJOR", 0 },
	{},
};

static struct sn_field header[F__COUNT + 1];

/* --split changes the perf_event variant's targets, so missing events are reported. */
static struct sn_hook_variant hooks[] = {
	{ SN_HOOK_PERF_EVENT, "pe_fault pe_minor pe_major", "page-faults",
	  "the page-faults software event at every fault (--split: minor-faults, major-faults)" },
	{ SN_HOOK_TRACEPOINT, "tp_fault_user tp_fault_kernel",
	  "exceptions/page_fault_user exceptions/page_fault_kernel",
	  "x86 exception tracepoints: every fault on a user address; no --split" },
};

static int parse_opt(int key, const char *arg)
{
	switch (key) {
	case 'P':
		env.by_pid = true;
		return 0;
	case OPT_SPLIT:
		env.split = true;
		hooks[0].targets = "minor-faults major-faults";
		return 0;
	case OPT_TOP:
		if (sn_parse_uint(arg, UINT32_MAX, &env.top)) {
			sn_err("invalid --top '%s': expected a number of rows (0: all)", arg);
			return -EINVAL;
		}
		return 0;
	case OPT_MAX_ENTRIES:
		if (sn_parse_uint(arg, MAX_MAX_ENTRIES, &env.max_entries) || !env.max_entries) {
			sn_err("invalid --max-entries '%s': expected 1 to %u", arg,
			       MAX_MAX_ENTRIES);
			return -EINVAL;
		}
		return 0;
	}
	return -EINVAL;
}

static int check_opts(const struct sn_common *common)
{
	if (env.split && common->hook == SN_HOOK_TRACEPOINT) {
		sn_err("--split: the exception tracepoints do not tell minor from major faults; "
		       "it needs the perf_event hook");
		return -EINVAL;
	}
	if (common->count) {
		sn_err("--count: faults sums faults in the kernel; use -d/--duration or "
		       "-i/--interval");
		return -EINVAL;
	}
	return 0;
}

SN_SKELETON_OPS(faults)

static bool perf_hook(const struct sn_session *s)
{
	return s->cmd->hooks[s->hook_index].hook == SN_HOOK_PERF_EVENT;
}

static int configure(struct sn_session *s)
{
	struct faults_bpf *skel = s->skel;
	size_t n = 0;
	int err;

	if (env.split && !perf_hook(s)) {
		sn_err("--split needs the minor-faults and major-faults perf events, which this "
		       "kernel does not offer");
		return -EOPNOTSUPP;
	}
	skel->rodata->by_pid = env.by_pid;
	if (perf_hook(s)) {
		bpf_program__set_autoload(skel->progs.pe_fault, !env.split);
		bpf_program__set_autoload(skel->progs.pe_minor, env.split);
		bpf_program__set_autoload(skel->progs.pe_major, env.split);
	}
	err = bpf_map__set_max_entries(skel->maps.counts, env.max_entries);
	if (err) {
		sn_err("sizing the counts map: %s", strerror(-err));
		return err;
	}
	for (int i = 0; i < F__COUNT; i++)
		if ((i != F_PID || env.by_pid) && ((i != F_MINOR && i != F_MAJOR) || env.split))
			header[n++] = fields[i];
	return 0;
}

/* Every fault is a sample (period 1), so the counts are exact. */
static int attach(struct sn_session *s)
{
	struct faults_bpf *skel = s->skel;
	int err;

	if (!perf_hook(s))
		return 0;
	if (!env.split)
		return sn_attach_perf_event(s, skel->progs.pe_fault, "page-faults", 1, false);
	err = sn_attach_perf_event(s, skel->progs.pe_minor, "minor-faults", 1, false);
	return err ? err : sn_attach_perf_event(s, skel->progs.pe_major, "major-faults", 1, false);
}

/* Nothing is streamed. */
static int handle(struct sn_session *s, const void *data, size_t size)
{
	return 1;
}

struct row {
	struct faults_key key;
	uint64_t faults, minor, major;
};

struct rows {
	struct row *v;
	size_t nr, cap;
};

static int collect(const void *key, const void *value, void *ctx)
{
	const struct faults_value *val = value;
	struct rows *rows = ctx;
	struct row *r;

	if (rows->nr == rows->cap) {
		size_t cap = rows->cap ? rows->cap * 2 : 256;

		r = realloc(rows->v, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		rows->v = r;
		rows->cap = cap;
	}
	r = &rows->v[rows->nr++];
	memcpy(&r->key, key, sizeof(r->key));
	r->minor = val->count[FAULTS_MINOR];
	r->major = val->count[FAULTS_MAJOR];
	r->faults = env.split ? r->minor + r->major : val->count[FAULTS_ALL];
	return 0;
}

/* Most faults first; ties in a stable order. */
static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c;

	if (x->faults != y->faults)
		return x->faults > y->faults ? -1 : 1;
	c = strncmp(x->key.comm, y->key.comm, SN_COMM_LEN);
	return c ? c : (x->key.pid > y->key.pid) - (x->key.pid < y->key.pid);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void print_totals(struct sn_session *s, const struct rows *rows, uint64_t ts,
			 uint64_t full)
{
	static const struct sn_field f_faults = { "faults" }, f_minor = { "minor" },
				     f_major = { "major" }, f_rows = { "rows" },
				     f_full = { "map_full" };
	uint64_t faults = 0, minor = 0, major = 0;
	struct sn_emit *out = &s->out;

	for (size_t i = 0; i < rows->nr; i++) {
		faults += rows->v[i].faults;
		minor += rows->v[i].minor;
		major += rows->v[i].major;
	}
	s->events += faults;
	if (out->json) {
		sn_emit_begin(out, "totals", ts);
		sn_emit_u64(out, &f_faults, faults);
		if (env.split) {
			sn_emit_u64(out, &f_minor, minor);
			sn_emit_u64(out, &f_major, major);
		}
		sn_emit_u64(out, &f_rows, rows->nr);
		sn_emit_u64(out, &f_full, full);
		sn_emit_end(out);
	}
	/* A loss goes to stderr even with -q. */
	if (full)
		sn_warn("%llu faults not counted: the map of %s was full (%llu entries; try a "
			"larger --max-entries or a shorter -i)", (unsigned long long)full,
			env.by_pid ? "processes" : "comms", (unsigned long long)env.max_entries);
}

static int report(struct sn_session *s, bool final)
{
	struct faults_bpf *skel = s->skel;
	struct sn_emit *out = &s->out;
	struct rows rows = {};
	uint64_t ts = now_ns(), full = env.map_full;
	size_t n;
	int err;

	err = sn_map_drain(bpf_map__fd(skel->maps.counts), sizeof(struct faults_key),
			   sizeof(struct faults_value), collect, &rows);
	if (err < 0) {
		sn_err("reading the counts: %s", strerror(-err));
		free(rows.v);
		return err;
	}
	sn_percpu_sum(bpf_map__fd(skel->maps.map_full), 0, &full);
	qsort(rows.v, rows.nr, sizeof(*rows.v), row_cmp);
	if (s->opts.interval && !out->json) {
		char when[40];

		sn_format_time(out, ts, false, when, sizeof(when));
		fprintf(out->out, "%s[%.8s]\n", env.reports ? "\n" : "", when);
	}
	sn_emit_header(out, header);
	n = env.top && env.top < rows.nr ? env.top : rows.nr;
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows.v[i];

		sn_emit_begin(out, "faults", ts);
		if (env.by_pid)
			sn_emit_u64(out, &fields[F_PID], r->key.pid);
		sn_emit_str(out, &fields[F_COMM], r->key.comm, sizeof(r->key.comm));
		sn_emit_u64(out, &fields[F_FAULTS], r->faults);
		if (env.split) {
			sn_emit_u64(out, &fields[F_MINOR], r->minor);
			sn_emit_u64(out, &fields[F_MAJOR], r->major);
		}
		sn_emit_end(out);
	}
	print_totals(s, &rows, ts, full - env.map_full);
	env.map_full = full;
	env.reports++;
	free(rows.v);
	return 0;
}

const struct sn_command sn_cmd_faults = {
	.name = "faults",
	.summary = "Count page faults by process name or process, as a top list",
	.description =
		"Counts every page fault (the page-faults perf event at period 1, or the\n"
		"x86 exception tracepoints) in the kernel, per comm or with -P per process,\n"
		"and prints the top list every -i seconds and at the end. FAULTS counts each\n"
		"fault taken, retries and faults that end in SIGSEGV included; --split counts\n"
		"instead the faults the kernel resolved, minor (no I/O) and major (I/O), from\n"
		"the minor-faults and major-faults events (FAULTS is then their sum).",
	.examples = "  sysnoop faults -d 10           # the 10 names with most faults in 10 s\n"
		    "  sysnoop faults -P -i 1         # per process, every second\n"
		    "  sysnoop faults --split -p 1234 # minor and major faults of one process\n",
	.opts = opts,
	.filters = SN_FILTER_ALL,
	.parse_opt = parse_opt,
	.check_opts = check_opts,
	.hooks = hooks,
	.nr_hooks = sizeof(hooks) / sizeof(hooks[0]),
	/* Nothing is streamed: the smallest ring buffer will do. */
	.default_buffer_size = 4096,
	.open = faults_open,
	.configure = configure,
	.attach = attach,
	.handle = handle,
	.report = report,
	.destroy = faults_destroy,
};
