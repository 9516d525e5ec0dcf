// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop profile: CPU sampling. Stacks are counted in the kernel; each report reads and
 * empties the counts, symbolizes the stacks (kernel from /proc/kallsyms, user from the ELF
 * files of each process, whose memory map is read as soon as the process is first sampled)
 * and prints the hottest functions, or folded stacks; --svg also draws a flame graph.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "runtime/command.h"
#include "runtime/log.h"
#include "runtime/maps.h"
#include "runtime/opts.h"
#include "runtime/perf.h"
#include "runtime/syms.h"
#include "flame.h"
#include "profile.h"
#include "profile.skel.h"

#define DEFAULT_FREQ     99
#define DEFAULT_TOP      10
#define DEFAULT_STORAGE  16384
#define MAX_STORAGE      (1u << 20)
#define MAX_FREQ_SYSCTL  "/proc/sys/kernel/perf_event_max_sample_rate"
/* The process, both stacks, and a placeholder. */
#define MAX_FRAMES       (2 * PROFILE_MAX_DEPTH + 2)
#define TALLY_BUCKETS    4096

enum { OPT_EVENT = SN_OPT_LONG, OPT_TOP, OPT_FOLDED, OPT_SVG, OPT_STORAGE, OPT_IDLE };

static struct {
	uint64_t freq;
	const char *event;
	bool kernel_only;
	bool user_only;
	bool by_pid;
	bool folded;
	bool include_idle;
	uint64_t top;
	uint64_t storage;
	const char *svg_path;
	FILE *svg;
} env = {
	.freq = DEFAULT_FREQ,
	.event = "cpu-clock",
	.top = DEFAULT_TOP,
	.storage = DEFAULT_STORAGE,
};

/* What outlives one report. */
static struct {
	struct sn_symtab *ksyms;
	bool ksyms_tried;
	struct sn_usyms *usyms;
	struct flame *flame;
	uint64_t stats[PROFILE_STAT__COUNT]; /* the counters' totals at the last report */
	uint64_t samples;                    /* counted over the whole run */
	unsigned int reports;
} run;

static const struct sn_opt opts[] = {
	{ "frequency", 'F', "HZ", "samples per second on each CPU (default 99)" },
	{ "event", OPT_EVENT, "EVENT", "sample another perf event: cycles, instructions, ..." },
	{ "kernel-stacks-only", 'K', NULL, "only kernel stacks" },
	{ "user-stacks-only", 'U', NULL, "only user stacks" },
	{ "by-pid", 'P', NULL, "per process (pid and comm), not per comm" },
	{ "top", OPT_TOP, "N", "the N hottest functions in each report (default 10; 0: all)" },
	{ "folded", OPT_FOLDED, NULL, "folded stacks (comm;caller;...;callee count) instead" },
	{ "svg", OPT_SVG, "FILE", "also write an interactive flame graph of the whole run" },
	{ "stack-storage-size", OPT_STORAGE, "N",
	  "distinct stacks kept between reports (default 16384)" },
	{ "include-idle", OPT_IDLE, NULL, "also count the idle task's samples" },
	{},
};

/* The table's columns; the header leaves PID out without -P. */
enum { F_SAMPLES, F_PERCENT, F_COMM, F_PID, F_MODULE, F_PATH, F_FUNCTION, F__COUNT };

static const struct sn_field fields[] = {
	[F_SAMPLES] = { "samples", "SAMPLES", 8 },
	[F_PERCENT] = { "percent", "PERCENT", 7 },
	[F_COMM] = { "comm", "COMM", 16 },
	[F_PID] = { "pid", "PID", 7 },
	[F_MODULE] = { NULL, "MODULE", 20 },
	[F_PATH] = { "module", NULL },
	[F_FUNCTION] = { "function", "FUNCTION", 0 },
	{},
};

static struct sn_field header[F__COUNT + 1];

/* The one variant; --event changes its target, so a missing event is reported as such. */
static struct sn_hook_variant hooks[] = {
	{ SN_HOOK_PERF_EVENT, "pe_sample", "cpu-clock",
	  "a perf event sampled on every CPU (cpu-clock; --event picks another)" },
};

static int parse_opt(int key, const char *arg)
{
	uint32_t type;
	uint64_t config;

	switch (key) {
	case 'F':
		if (sn_parse_uint(arg, UINT32_MAX, &env.freq) || !env.freq) {
			sn_err("invalid --frequency '%s': expected samples per second (a positive "
			       "integer)", arg);
			return -EINVAL;
		}
		return 0;
	case OPT_EVENT:
		if (sn_perf_event_parse(arg, &type, &config)) {
			sn_err("invalid --event '%s': expected cpu-clock, task-clock, page-faults, "
			       "context-switches, cycles, instructions, cache-misses or "
			       "branch-misses", arg);
			return -EINVAL;
		}
		env.event = arg;
		hooks[0].targets = arg;
		return 0;
	case 'K':
		env.kernel_only = true;
		return 0;
	case 'U':
		env.user_only = true;
		return 0;
	case 'P':
		env.by_pid = true;
		return 0;
	case OPT_TOP:
		if (sn_parse_uint(arg, UINT32_MAX, &env.top)) {
			sn_err("invalid --top '%s': expected a number of functions (0: all)", arg);
			return -EINVAL;
		}
		return 0;
	case OPT_FOLDED:
		env.folded = true;
		return 0;
	case OPT_SVG:
		env.svg_path = arg;
		return 0;
	case OPT_STORAGE:
		if (sn_parse_uint(arg, MAX_STORAGE, &env.storage) || !env.storage) {
			sn_err("invalid --stack-storage-size '%s': expected 1 to %u stacks", arg,
			       MAX_STORAGE);
			return -EINVAL;
		}
		return 0;
	case OPT_IDLE:
		env.include_idle = true;
		return 0;
	}
	return -EINVAL;
}

static int check_opts(const struct sn_common *common)
{
	unsigned long long max = 0;
	FILE *f;

	if (env.kernel_only && env.user_only) {
		sn_err("-K/--kernel-stacks-only and -U/--user-stacks-only exclude each other");
		return -EINVAL;
	}
	if (common->count) {
		sn_err("--count: profile sums samples in the kernel; use -d/--duration or "
		       "-i/--interval");
		return -EINVAL;
	}
	/* The kernel refuses a higher frequency with a bare EINVAL: say which limit. */
	f = fopen(MAX_FREQ_SYSCTL, "re");
	if (f && fscanf(f, "%llu", &max) == 1 && max && env.freq > max) {
		fclose(f);
		sn_err("invalid --frequency '%llu': above the kernel's limit of %llu (sysctl "
		       "kernel.perf_event_max_sample_rate)", (unsigned long long)env.freq, max);
		return -EINVAL;
	}
	if (f)
		fclose(f);
	/* Opened now, so a path we cannot write is an error before anything is traced. */
	if (env.svg_path) {
		env.svg = fopen(env.svg_path, "we");
		if (!env.svg) {
			sn_err("--svg %s: %s", env.svg_path, strerror(errno));
			return -EINVAL;
		}
	}
	return 0;
}

SN_SKELETON_OPS(profile)

static int configure(struct sn_session *s)
{
	struct profile_bpf *skel = s->skel;
	size_t n = 0;
	int err;

	skel->rodata->kernel_stacks = !env.user_only;
	skel->rodata->user_stacks = !env.kernel_only;
	skel->rodata->include_idle = env.include_idle;
	err = bpf_map__set_max_entries(skel->maps.stacks, env.storage);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.counts, env.storage);
	if (err) {
		sn_err("sizing the stack maps: %s", strerror(-err));
		return err;
	}
	if (!env.kernel_only) {
		run.usyms = sn_usyms_new();
		if (!run.usyms)
			return -ENOMEM;
	}
	if (env.svg) {
		run.flame = flame_new();
		if (!run.flame)
			return -ENOMEM;
	}
	for (int i = 0; i < F__COUNT; i++)
		if (i != F_PID || env.by_pid)
			header[n++] = fields[i];
	return 0;
}

static int attach(struct sn_session *s)
{
	struct profile_bpf *skel = s->skel;

	return sn_attach_perf_event(s, skel->progs.pe_sample, env.event, env.freq, true);
}

/* The one record: a process to read the memory map of while it runs. */
static int handle(struct sn_session *s, const void *data, size_t size)
{
	const struct profile_proc_event *e = data;

	if (size >= sizeof(*e) && e->hdr.type == PROFILE_REC_PROC && run.usyms)
		sn_usyms_add_process(run.usyms, (pid_t)e->tgid, e->as_id);
	return 1; /* not an event: samples are counted by the reports */
}

/* Byte strings (NUL-separated fields) with a count, to merge rows that print the same. */
struct tally_item {
	struct tally_item *next;
	uint64_t count;
	size_t len;
	char key[];
};

struct tally {
	struct tally_item *buckets[TALLY_BUCKETS];
	size_t nr;
};

static int tally_add(struct tally *t, const char *key, size_t len, uint64_t count)
{
	uint32_t h = 2166136261u;
	struct tally_item *it;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)key[i]) * 16777619u;
	for (it = t->buckets[h % TALLY_BUCKETS]; it; it = it->next) {
		if (it->len == len && !memcmp(it->key, key, len)) {
			it->count += count;
			return 0;
		}
	}
	it = malloc(sizeof(*it) + len);
	if (!it)
		return -ENOMEM;
	memcpy(it->key, key, len);
	it->len = len;
	it->count = count;
	it->next = t->buckets[h % TALLY_BUCKETS];
	t->buckets[h % TALLY_BUCKETS] = it;
	t->nr++;
	return 0;
}

static int tally_cmp(const void *a, const void *b)
{
	const struct tally_item *x = *(const struct tally_item *const *)a;
	const struct tally_item *y = *(const struct tally_item *const *)b;
	int c;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The items, most counted first; NULL on ENOMEM. */
static struct tally_item **tally_sorted(const struct tally *t)
{
	struct tally_item **v = malloc((t->nr ? t->nr : 1) * sizeof(*v));
	size_t n = 0;

	if (!v)
		return NULL;
	for (int b = 0; b < TALLY_BUCKETS; b++)
		for (struct tally_item *it = t->buckets[b]; it; it = it->next)
			v[n++] = it;
	qsort(v, n, sizeof(*v), tally_cmp);
	return v;
}

static void tally_free(struct tally *t)
{
	for (int b = 0; b < TALLY_BUCKETS; b++) {
		while (t->buckets[b]) {
			struct tally_item *it = t->buckets[b];

			t->buckets[b] = it->next;
			free(it);
		}
	}
}

/* Splits a tally key into its NUL-terminated fields; the number found. */
static size_t unpack(const struct tally_item *it, const char **out, size_t max)
{
	size_t n = 0, off = 0;

	while (off < it->len && n < max) {
		out[n++] = it->key + off;
		off += strnlen(it->key + off, it->len - off) + 1;
	}
	return n;
}

struct stack {
	const char *names[MAX_FRAMES];
	const char *modules[MAX_FRAMES];
	unsigned char kinds[MAX_FRAMES];
	size_t n;
};

static void push(struct stack *st, const char *name, const char *module, unsigned char kind)
{
	if (st->n == MAX_FRAMES)
		return;
	st->names[st->n] = name;
	st->modules[st->n] = module;
	st->kinds[st->n++] = kind;
}

struct entry {
	struct profile_key key;
	uint64_t count;
};

/* One report's gatherings. */
struct report {
	struct entry *entries;
	size_t nr_entries, cap_entries;
	int stacks_fd;
	uint64_t samples;
	uint64_t unreadable[2];  /* stack ids whose stack was gone: user, kernel */
	int *ids;                /* stack ids read, freed from the table after the report */
	size_t nr_ids, cap_ids;
	struct tally rows;       /* comm, pid, module, function */
	struct tally stacks;     /* comm, pid, frames */
	struct sn_buf pack;
};

static int collect(const void *key, const void *value, void *ctx)
{
	struct report *r = ctx;

	if (r->nr_entries == r->cap_entries) {
		size_t cap = r->cap_entries ? r->cap_entries * 2 : 1024;
		struct entry *v = realloc(r->entries, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		r->entries = v;
		r->cap_entries = cap;
	}
	memcpy(&r->entries[r->nr_entries].key, key, sizeof(struct profile_key));
	memcpy(&r->entries[r->nr_entries++].count, value, sizeof(uint64_t));
	return 0;
}

static void remember_id(struct report *r, int id)
{
	if (r->nr_ids == r->cap_ids) {
		size_t cap = r->cap_ids ? r->cap_ids * 2 : 1024;
		int *v = realloc(r->ids, cap * sizeof(*v));

		if (!v)
			return; /* the stack stays in the table: a later collision, counted */
		r->ids = v;
		r->cap_ids = cap;
	}
	r->ids[r->nr_ids++] = id;
}

static const struct sn_sym *kernel_symbol(uint64_t addr)
{
	if (!run.ksyms_tried) {
		run.ksyms_tried = true;
		run.ksyms = sn_kallsyms_load();
		if (!run.ksyms)
			sn_warn("reading /proc/kallsyms: %s; kernel frames stay %s",
				strerror(errno), SN_SYM_UNKNOWN);
	}
	return sn_symtab_find(run.ksyms, addr);
}

/* The frame of address @addr, in user space (of the key's process) or in the kernel. */
static void push_addr(struct stack *st, const struct profile_key *k, bool user, uint64_t addr)
{
	const char *name, *module;

	if (user) {
		name = sn_usyms_find(run.usyms, (pid_t)k->tgid, k->as_id, addr, &module);
	} else {
		const struct sn_sym *sym = kernel_symbol(addr);

		name = sym ? sym->name : NULL;
		module = sym ? sym->module : "[kernel]";
	}
	push(st, name ? name : SN_SYM_UNKNOWN, module ? module : SN_SYM_UNKNOWN,
	     user ? FLAME_USER : FLAME_KERNEL);
}

/* Appends the frames of a key's user or kernel stack, callers first. */
static void push_stack(struct report *r, struct stack *st, const struct profile_key *k, bool user)
{
	int id = user ? k->user_stack_id : k->kern_stack_id, depth = 0;
	uint64_t ips[PROFILE_MAX_DEPTH] = {};

	if (id == PROFILE_STACK_NONE)
		return;
	if (id < 0 || bpf_map_lookup_elem(r->stacks_fd, &id, ips)) {
		/* A stack id whose stack is gone was freed at an interval's end: a loss too. */
		if (id >= 0)
			r->unreadable[user ? 0 : 1]++;
		push(st, user ? "[missed user stack]" : "[missed kernel stack]", "-", FLAME_OTHER);
		/* The sample's own address, if it was on this side, still names the function. */
		if (k->ip && ((int64_t)k->ip < 0) != user)
			push_addr(st, k, user, k->ip);
		return;
	}
	remember_id(r, id);
	while (depth < PROFILE_MAX_DEPTH && ips[depth])
		depth++;
	/* A caller's address is a return address: the call is the byte before it. */
	for (int i = depth - 1; i >= 0; i--)
		push_addr(st, k, user, i ? ips[i] - 1 : ips[i]);
}

/* Packs NUL-terminated fields into r->pack; false on ENOMEM. */
static bool pack(struct report *r, const char *const *fields_, size_t n)
{
	r->pack.len = 0;
	for (size_t i = 0; i < n; i++)
		if (sn_buf_put(&r->pack, fields_[i], strlen(fields_[i]) + 1))
			return false;
	return true;
}

static int add_entry(struct report *r, const struct entry *e)
{
	char comm[SN_COMM_LEN + 1], pid[16], proc[SN_COMM_LEN + 16];
	const char *row[4];
	struct stack st;
	size_t leaf;
	int err;

	memcpy(comm, e->key.comm, SN_COMM_LEN);
	comm[SN_COMM_LEN] = '\0';
	pid[0] = '\0';
	if (env.by_pid)
		snprintf(pid, sizeof(pid), "%u", e->key.pid);
	snprintf(proc, sizeof(proc), "%s%s%s", comm, *pid ? "-" : "", pid);
	st.n = 0;
	push(&st, proc, NULL, FLAME_PROCESS);
	if (!env.kernel_only)
		push_stack(r, &st, &e->key, true);
	if (!env.user_only)
		push_stack(r, &st, &e->key, false);
	/* Only one kind asked for, and the sample had none: say where it was instead. */
	if (st.n == 1)
		push(&st, env.kernel_only ? "[user]" : "[kernel]", "-", FLAME_OTHER);
	r->samples += e->count;
	if (run.flame) {
		err = flame_add(run.flame, st.names, st.kinds, st.n, e->count);
		if (err)
			return err;
	}
	if (env.folded) {
		/* comm and pid kept apart, for JSON; then the frames after the process. */
		const char *packed[MAX_FRAMES + 1] = { comm, pid };

		memcpy(packed + 2, st.names + 1, (st.n - 1) * sizeof(*packed));
		if (!pack(r, packed, st.n + 1))
			return -ENOMEM;
		return tally_add(&r->stacks, r->pack.data, r->pack.len, e->count);
	}
	leaf = st.n - 1;
	row[0] = comm;
	row[1] = pid;
	row[2] = st.modules[leaf] ? st.modules[leaf] : "-";
	row[3] = st.names[leaf];
	if (!pack(r, row, 4))
		return -ENOMEM;
	return tally_add(&r->rows, r->pack.data, r->pack.len, e->count);
}

static void emit_percent(struct sn_emit *out, const struct sn_field *f, uint64_t part,
			 uint64_t whole)
{
	char v[32];
	int n = snprintf(v, sizeof(v), "%.2f", whole ? 100.0 * part / whole : 0.0);

	if (out->json)
		sn_emit_json(out, f, v, n);
	else
		sn_emit_text(out, f, v);
}

static void print_top(struct sn_session *s, struct report *r, uint64_t ts)
{
	struct sn_emit *out = &s->out;
	struct tally_item **items = tally_sorted(&r->rows);
	size_t n = r->rows.nr;
	const char *row[4];

	if (!items)
		return;
	if (env.top && env.top < n)
		n = env.top;
	sn_emit_header(out, header);
	for (size_t i = 0; i < n; i++) {
		const char *base;

		if (unpack(items[i], row, 4) != 4)
			continue;
		base = strrchr(row[2], '/');
		sn_emit_begin(out, "function", ts);
		sn_emit_u64(out, &fields[F_SAMPLES], items[i]->count);
		emit_percent(out, &fields[F_PERCENT], items[i]->count, r->samples);
		sn_emit_str(out, &fields[F_COMM], row[0], strlen(row[0]));
		if (env.by_pid)
			sn_emit_u64(out, &fields[F_PID], strtoull(row[1], NULL, 10));
		sn_emit_str(out, &fields[F_MODULE], base ? base + 1 : row[2],
			    strlen(base ? base + 1 : row[2]));
		sn_emit_str(out, &fields[F_PATH], row[2], strlen(row[2]));
		sn_emit_str(out, &fields[F_FUNCTION], row[3], strlen(row[3]));
		sn_emit_end(out);
	}
	free(items);
}

static void print_folded(struct sn_session *s, struct report *r, uint64_t ts)
{
	static const struct sn_field f_frames = { "frames" };
	struct sn_emit *out = &s->out;
	struct tally_item **items = tally_sorted(&r->stacks);
	const char *frames[MAX_FRAMES + 1];
	char proc[SN_COMM_LEN + 16];
	struct sn_buf line = {};

	if (!items)
		return;
	for (size_t i = 0; i < r->stacks.nr && !out->err; i++) {
		size_t n = unpack(items[i], frames, MAX_FRAMES + 1);
		const char *rest;

		if (n < 2)
			continue;
		if (out->json) {
			rest = frames[1] + strlen(frames[1]) + 1;
			sn_emit_begin(out, "stack", ts);
			sn_emit_str(out, &fields[F_COMM], frames[0], strlen(frames[0]));
			if (env.by_pid)
				sn_emit_u64(out, &fields[F_PID], strtoull(frames[1], NULL, 10));
			sn_emit_strv(out, &f_frames, rest, items[i]->key + items[i]->len - rest,
				     false, NULL);
			sn_emit_u64(out, &fields[F_SAMPLES], items[i]->count);
			sn_emit_end(out);
			continue;
		}
		/* Folded text is not a table: one line per stack, written as it is. */
		snprintf(proc, sizeof(proc), "%s%s%s", frames[0], *frames[1] ? "-" : "", frames[1]);
		frames[1] = proc;
		line.len = 0;
		if (sn_stack_fold(&line, frames + 1, n - 1, items[i]->count))
			break;
		if (fwrite(line.data, 1, line.len, out->out) != line.len)
			out->err = errno ? -errno : -EIO;
	}
	sn_buf_free(&line);
	free(items);
}

/* Counter deltas since the last report. */
static void read_stats(struct sn_session *s, uint64_t *delta)
{
	struct profile_bpf *skel = s->skel;
	int fd = bpf_map__fd(skel->maps.stats);

	for (int i = 0; i < PROFILE_STAT__COUNT; i++) {
		uint64_t now = run.stats[i];

		sn_percpu_sum(fd, i, &now);
		delta[i] = now - run.stats[i];
		run.stats[i] = now;
	}
}

static void print_totals(struct sn_session *s, struct report *r, uint64_t ts, const uint64_t *d)
{
	static const struct sn_field f_samples = { "samples" }, f_stacks = { "stacks" },
				     f_kmiss = { "kernel_stacks_missing" },
				     f_kcoll = { "kernel_stack_collisions" },
				     f_umiss = { "user_stacks_missing" },
				     f_ucoll = { "user_stack_collisions" }, f_full = { "map_full" };
	uint64_t kmiss = d[PROFILE_STAT_KERN_MISSING] + r->unreadable[1];
	uint64_t umiss = d[PROFILE_STAT_USER_MISSING] + r->unreadable[0];
	uint64_t coll = d[PROFILE_STAT_KERN_COLLISION] + d[PROFILE_STAT_USER_COLLISION];
	uint64_t full = d[PROFILE_STAT_MAP_FULL];
	struct sn_emit *out = &s->out;

	if (out->json) {
		sn_emit_begin(out, "totals", ts);
		sn_emit_u64(out, &f_samples, r->samples);
		sn_emit_u64(out, &f_stacks, r->nr_entries);
		sn_emit_u64(out, &f_kmiss, kmiss);
		sn_emit_u64(out, &f_kcoll, d[PROFILE_STAT_KERN_COLLISION]);
		sn_emit_u64(out, &f_umiss, umiss);
		sn_emit_u64(out, &f_ucoll, d[PROFILE_STAT_USER_COLLISION]);
		sn_emit_u64(out, &f_full, full);
		sn_emit_end(out);
	}
	/* Losses go to stderr even with -q. */
	if (full)
		sn_warn("%llu samples not counted: the counts map was full (try a larger "
			"--stack-storage-size or a shorter -i)", (unsigned long long)full);
	if (coll)
		sn_warn("%llu stacks lost to hash collisions in the stack table (try a larger "
			"--stack-storage-size)", (unsigned long long)coll);
	if (kmiss || umiss)
		sn_warn("%llu kernel and %llu user stacks could not be walked",
			(unsigned long long)kmiss, (unsigned long long)umiss);
}

static int id_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/*
 * Frees the stacks this report read, so the table does not fill up over intervals; those
 * that keys counted since still use are kept.
 */
static void release_stacks(struct sn_session *s, struct report *r)
{
	struct profile_bpf *skel = s->skel;
	size_t nr_keys = 0, nr_keep = 0, k = 0;
	char *keys = NULL;
	int *keep;

	if (!r->nr_ids || sn_map_keys(bpf_map__fd(skel->maps.counts), sizeof(struct profile_key),
				      &keys, &nr_keys))
		return;
	keep = malloc((2 * nr_keys + 1) * sizeof(*keep));
	if (!keep) {
		free(keys);
		return;
	}
	for (size_t i = 0; i < nr_keys; i++) {
		const struct profile_key *key = (const void *)(keys + i * sizeof(*key));

		keep[nr_keep++] = key->user_stack_id;
		keep[nr_keep++] = key->kern_stack_id;
	}
	qsort(keep, nr_keep, sizeof(*keep), id_cmp);
	qsort(r->ids, r->nr_ids, sizeof(*r->ids), id_cmp);
	for (size_t i = 0; i < r->nr_ids; i++) {
		if (i && r->ids[i] == r->ids[i - 1])
			continue;
		while (k < nr_keep && keep[k] < r->ids[i])
			k++;
		if (k < nr_keep && keep[k] == r->ids[i])
			continue;
		bpf_map_delete_elem(r->stacks_fd, &r->ids[i]);
	}
	free(keep);
	free(keys);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int report(struct sn_session *s, bool final)
{
	struct profile_bpf *skel = s->skel;
	struct report *r = calloc(1, sizeof(*r));
	uint64_t delta[PROFILE_STAT__COUNT], ts = now_ns();
	int err;

	if (!r)
		return -ENOMEM;
	r->stacks_fd = bpf_map__fd(skel->maps.stacks);
	err = sn_map_drain(bpf_map__fd(skel->maps.counts), sizeof(struct profile_key),
			   sizeof(uint64_t), collect, r);
	read_stats(s, delta);
	for (size_t i = 0; err >= 0 && i < r->nr_entries; i++)
		err = add_entry(r, &r->entries[i]);
	if (err < 0) {
		sn_err("reading the samples: %s", strerror(-err));
		goto out;
	}
	run.samples += r->samples;
	s->events += r->samples;
	if (s->opts.interval && !s->out.json && !env.folded) {
		char when[40];

		sn_format_time(&s->out, ts, false, when, sizeof(when));
		fprintf(s->out.out, "%s[%.8s]\n", run.reports ? "\n" : "", when);
	}
	if (env.folded)
		print_folded(s, r, ts);
	else
		print_top(s, r, ts);
	print_totals(s, r, ts, delta);
	run.reports++;
	if (!final) {
		release_stacks(s, r);
		if (run.usyms)
			sn_usyms_prune(run.usyms);
	}
	err = 0;
out:
	tally_free(&r->rows);
	tally_free(&r->stacks);
	sn_buf_free(&r->pack);
	free(r->entries);
	free(r->ids);
	free(r);
	return err;
}

static int finish(struct sn_session *s)
{
	char subtitle[256];
	int err;

	if (!env.svg)
		return 0;
	snprintf(subtitle, sizeof(subtitle), "sysnoop profile: %llu samples of %s at %llu Hz%s%s",
		 (unsigned long long)run.samples, env.event, (unsigned long long)env.freq,
		 env.kernel_only ? ", kernel stacks" : "", env.user_only ? ", user stacks" : "");
	err = flame_write_svg(run.flame, env.svg, "Flame Graph", subtitle);
	if (fclose(env.svg) && !err)
		err = -errno;
	env.svg = NULL;
	if (err)
		sn_err("--svg %s: %s", env.svg_path, strerror(-err));
	else if (!s->opts.quiet)
		sn_err("flame graph written to %s", env.svg_path);
	return err;
}

static void destroy(void *skel)
{
	if (env.svg)
		fclose(env.svg);
	flame_free(run.flame);
	sn_usyms_free(run.usyms);
	sn_symtab_free(run.ksyms);
	profile_destroy(skel);
}

const struct sn_command sn_cmd_profile = {
	.name = "profile",
	.summary = "Sample stacks on every CPU and show the hottest functions, folded stacks or a "
		   "flame graph",
	.description =
		"Samples the running task on every CPU at -F HZ through the cpu-clock perf event\n"
		"and counts (process, user stack, kernel stack) in the kernel. Each report lists\n"
		"the functions that were running (the leaf of each stack) by share of samples;\n"
		"--folded prints whole stacks for flame-graph tools, --svg draws one. The idle\n"
		"task is left out unless --include-idle. User frames are named from the ELF\n"
		"symbol tables (.symtab, a /usr/lib/debug/.build-id file, else .dynsym) of the\n"
		"files each process maps, read when the process is first sampled; user stacks\n"
		"are walked by frame pointers, so code built without them shows shallow stacks.",
	.examples = "  sysnoop profile -d 10            # the 10 hottest functions over 10 s\n"
		    "  sysnoop profile -p 1234 -F 199   # one process, 199 samples a second\n"
		    "  sysnoop profile -K -i 5 --top 20 # the hottest kernel functions every 5 s\n"
		    "  sysnoop profile --folded -d 30 > out.folded   # for flamegraph.pl\n"
		    "  sysnoop profile --svg cpu.svg -d 30           # a flame graph\n",
	.opts = opts,
	.filters = SN_FILTER_ALL,
	.parse_opt = parse_opt,
	.check_opts = check_opts,
	.hooks = hooks,
	.nr_hooks = sizeof(hooks) / sizeof(hooks[0]),
	/* Only process announcements are streamed: small and rare. */
	.default_buffer_size = 256 * 1024,
	.open = profile_open,
	.configure = configure,
	.attach = attach,
	.handle = handle,
	.report = report,
	.finish = finish,
	.destroy = destroy,
};
