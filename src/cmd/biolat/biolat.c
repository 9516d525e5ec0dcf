// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop biolat: block I/O latency as log2 histograms built in the kernel, as biolatency
 * shows them; one in all, or one per disk (-D) and/or per operation (-F). Printed and reset
 * every -i seconds, and at the end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "runtime/command.h"
#include "runtime/hist.h"
#include "runtime/log.h"
#include "runtime/opts.h"
#include "cmd/bio/bio.h"
#include "cmd/bio/blkdev.h"
#include "biolat.h"
#include "biolat.skel.h"

enum { OPT_DISK = SN_OPT_LONG };

/* The kernel's internal "not supported", which bpf(2) returns for some map operations. */
#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

/* One histogram of a report: the per-CPU copies of one key, merged. */
struct row {
	struct biolat_key key;
	struct sn_hist h;
};

static struct {
	bool per_disk;
	bool per_rwbs;
	bool queued;
	bool msecs;
	bool has_disk;
	struct bio_disk_filter disk;
	int ncpus;
	struct sn_hist *percpu; /* one lookup's values, one per possible CPU */
	struct row *rows;
	size_t cap;
	uint64_t lost_seen;
} env;

static const struct sn_hist_layout log2_layout = { .linear = false };

static const struct sn_opt opts[] = {
	{ "disk", OPT_DISK, "NAME",
	  "only this disk (sda, /dev/loop3, 8:0) or partition (sda1: its sectors)" },
	{ "disks", 'D', NULL, "one histogram per disk" },
	{ "flags", 'F', NULL, "one histogram per operation, as rwbs (R, WS, FWS...)" },
	{ "queued", 'Q', NULL, "from the request's start, so the time queued is included" },
	{ "milliseconds", 'm', NULL, "buckets in milliseconds (default: microseconds)" },
	{},
};

static int parse_opt(int key, const char *arg)
{
	switch (key) {
	case 'D':
		env.per_disk = true;
		return 0;
	case 'F':
		env.per_rwbs = true;
		return 0;
	case 'Q':
		env.queued = true;
		return 0;
	case 'm':
		env.msecs = true;
		return 0;
	case OPT_DISK:
		env.has_disk = true;
		return blkdev_parse_filter(arg, &env.disk);
	}
	return -EINVAL;
}

static int check_opts(const struct sn_common *common)
{
	if (common->count) {
		sn_err("--count: biolat counts into histograms, not events; use -d or -i");
		return -EINVAL;
	}
	return 0;
}

SN_SKELETON_OPS(biolat)

static int configure(struct sn_session *s)
{
	struct biolat_bpf *skel = s->skel;
	uint32_t entries = 1;
	int err;

	if (env.has_disk)
		skel->rodata->bio_disk = env.disk;
	skel->rodata->per_disk = env.per_disk;
	skel->rodata->per_rwbs = env.per_rwbs;
	skel->rodata->queued = env.queued;
	skel->rodata->unit_ns = env.msecs ? 1000000 : 1000;
	if (env.per_disk && env.per_rwbs)
		entries = BIOLAT_MAX_BOTH;
	else if (env.per_disk)
		entries = BIOLAT_MAX_DISKS;
	else if (env.per_rwbs)
		entries = BIOLAT_MAX_OPS;
	err = bpf_map__set_max_entries(skel->maps.hists, entries);
	err = err ?: blkdev_size_maps(s);
	if (err) {
		sn_err("sizing the maps: %s", strerror(-err));
		return err;
	}
	env.ncpus = libbpf_num_possible_cpus();
	if (env.ncpus <= 0) {
		sn_err("counting the possible CPUs: %s", strerror(-env.ncpus));
		return env.ncpus ?: -EINVAL;
	}
	env.cap = entries;
	env.rows = calloc(env.cap, sizeof(*env.rows));
	env.percpu = calloc(env.ncpus, sizeof(*env.percpu));
	if (!env.rows || !env.percpu)
		return -ENOMEM;
	s->fields = NULL;
	return 0;
}

/* Takes one histogram out of the map (so the next report starts afresh), CPUs merged. */
static int take(int fd, const struct biolat_key *key, struct row *r)
{
	int err = bpf_map_lookup_and_delete_elem(fd, key, env.percpu);

	/*
	 * Per-CPU hashes support lookup-and-delete since 5.14; before, two steps, which lose
	 * what lands between them.
	 */
	if (err == -EINVAL || err == -ENOTSUPP || err == -EOPNOTSUPP) {
		err = bpf_map_lookup_elem(fd, key, env.percpu);
		if (!err)
			bpf_map_delete_elem(fd, key);
	}
	if (err)
		return err;
	memset(r, 0, sizeof(*r));
	r->key = *key;
	for (int cpu = 0; cpu < env.ncpus; cpu++)
		sn_hist_merge(&r->h, &env.percpu[cpu]);
	return 0;
}

/* The samples that found no room since the last report (the kernel's count only grows). */
static uint64_t new_lost(struct biolat_bpf *skel)
{
	uint64_t *v = calloc(env.ncpus, sizeof(*v)), sum = 0, delta;
	uint32_t zero = 0;

	if (!v)
		return 0;
	if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.lost), &zero, v))
		for (int cpu = 0; cpu < env.ncpus; cpu++)
			sum += v[cpu];
	free(v);
	delta = sum - env.lost_seen;
	env.lost_seen = sum;
	return delta;
}

/* By disk name, then rwbs: reports list their histograms in a stable order. */
static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = 0;

	if (x->key.dev != y->key.dev)
		c = strcmp(blkdev_name(x->key.dev), blkdev_name(y->key.dev));
	if (!c)
		c = strncmp(x->key.rwbs, y->key.rwbs, sizeof(x->key.rwbs));
	return c;
}

/* Fills env.rows from the map; their number, or a negative errno. */
static int drain(struct biolat_bpf *skel)
{
	int fd = bpf_map__fd(skel->maps.hists), n = 0, err;
	struct biolat_key keys[2], *prev = NULL, *key = &keys[0];
	size_t nkeys = 0;
	struct biolat_key *all = calloc(env.cap, sizeof(*all));

	if (!all)
		return -ENOMEM;
	/* Keys first: deleting while walking would restart the walk. */
	while (nkeys < env.cap && !bpf_map_get_next_key(fd, prev, key)) {
		all[nkeys++] = *key;
		prev = key;
		key = key == &keys[0] ? &keys[1] : &keys[0];
	}
	for (size_t i = 0; i < nkeys; i++) {
		err = take(fd, &all[i], &env.rows[n]);
		if (err == -ENOENT)
			continue;
		if (err) {
			free(all);
			return err;
		}
		n++;
	}
	free(all);
	qsort(env.rows, n, sizeof(*env.rows), row_cmp);
	return n;
}

static const char *unit_label(void)
{
	return env.msecs ? "msecs" : "usecs";
}

static void print_row(FILE *out, const struct row *r)
{
	const char *disk = blkdev_name(r->key.dev);
	struct sn_buf b = {};

	if (env.per_disk) {
		sn_buf_puts(&b, "disk = ");
		sn_escape_text(&b, disk, strlen(disk), false);
	}
	if (env.per_rwbs) {
		sn_buf_puts(&b, env.per_disk ? ", rwbs = " : "rwbs = ");
		sn_escape_text(&b, r->key.rwbs, strnlen(r->key.rwbs, sizeof(r->key.rwbs)), false);
	}
	if (b.len)
		fprintf(out, "\n%.*s\n", (int)b.len, b.data);
	sn_buf_free(&b);
	sn_hist_print(out, &r->h, &log2_layout, unit_label());
}

static void emit_row(struct sn_session *s, const struct row *r, uint64_t ts, uint64_t lost)
{
	static const struct sn_field f_disk = { "disk" }, f_major = { "major" },
				     f_minor = { "minor" }, f_rwbs = { "rwbs" },
				     f_unit = { "unit" }, f_queued = { "queued" },
				     f_lost = { "lost" }, f_hist = { "hist" };
	const char *disk = blkdev_name(r->key.dev);
	struct sn_buf json = {};

	sn_hist_json(&json, &r->h, &log2_layout);
	sn_emit_begin(&s->out, "biolat", ts);
	if (env.per_disk) {
		sn_emit_str(&s->out, &f_disk, disk, strlen(disk));
		sn_emit_u64(&s->out, &f_major, BIO_MAJOR(r->key.dev));
		sn_emit_u64(&s->out, &f_minor, BIO_MINOR(r->key.dev));
	}
	if (env.per_rwbs)
		sn_emit_str(&s->out, &f_rwbs, r->key.rwbs, sizeof(r->key.rwbs));
	sn_emit_text(&s->out, &f_unit, unit_label());
	sn_emit_bool(&s->out, &f_queued, env.queued);
	sn_emit_u64(&s->out, &f_lost, lost);
	sn_emit_json(&s->out, &f_hist, json.data, json.len);
	sn_emit_end(&s->out);
	sn_buf_free(&json);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int report(struct sn_session *s, bool final)
{
	static const struct row empty;
	uint64_t ts = now_ns(), lost;
	FILE *out = s->out.out;
	char when[32];
	int n;

	n = drain(s->skel);
	if (n < 0) {
		sn_err("reading the histograms: %s", strerror(-n));
		return n;
	}
	lost = new_lost(s->skel);
	if (lost)
		sn_warn("%llu samples had no histogram to go to (more than %zu %s)",
			(unsigned long long)lost, env.cap,
			env.per_disk ? "disks or operations" : "operations");
	for (int i = 0; i < n; i++)
		s->events += env.rows[i].h.count;
	if (s->out.json) {
		/* One histogram in all is reported even when empty, so each report has a record. */
		if (!n && !env.per_disk && !env.per_rwbs)
			emit_row(s, &empty, ts, lost);
		for (int i = 0; i < n; i++)
			emit_row(s, &env.rows[i], ts, lost);
		return 0;
	}
	if (s->opts.interval > 0 || s->opts.timestamp) {
		sn_format_time(&s->out, ts, false, when, sizeof(when));
		fprintf(out, "\n%s\n", when);
	}
	if (!n && !env.per_disk && !env.per_rwbs)
		print_row(out, &empty);
	else if (!n)
		fprintf(out, "(no samples)\n");
	for (int i = 0; i < n; i++)
		print_row(out, &env.rows[i]);
	return 0;
}

static void destroy(void *skel)
{
	free(env.rows);
	free(env.percpu);
	env.rows = NULL;
	env.percpu = NULL;
	biolat_destroy(skel);
}

const struct sn_command sn_cmd_biolat = {
	.name = "biolat",
	.summary = "Histogram of block I/O latency, built in the kernel, per disk or operation",
	.description =
		"Log2 buckets of the time from issue to the driver until completion, in\n"
		"microseconds (-m: milliseconds); -Q measures from the request's start instead,\n"
		"so the time queued is included. One histogram, or one per disk (-D) and/or per\n"
		"operation as the kernel's rwbs (-F). Printed and reset every -i seconds, and at\n"
		"the end. The common filters apply to the task that issued the I/O (see bio).",
	.examples = "  sysnoop biolat                     # until Ctrl-C\n"
		    "  sysnoop biolat -D -i 1             # per disk, every second\n"
		    "  sysnoop biolat --disk sda -F -m    # one disk, per operation, in ms\n"
		    "  sysnoop biolat -Q -d 10 -j         # ten seconds, queued time included\n",
	.opts = opts,
	.filters = SN_FILTER_ALL,
	.parse_opt = parse_opt,
	.check_opts = check_opts,
	.hooks = blkdev_hooks,
	.nr_hooks = BLKDEV_NR_HOOKS,
	/* Nothing goes through the ring buffer: the smallest one will do. */
	.default_buffer_size = 4096,
	.open = biolat_open,
	.configure = configure,
	.report = report,
	.destroy = destroy,
};
