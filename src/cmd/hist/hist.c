// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop hist: the latency, or the return value, of one system call as a log2 or linear
 * histogram built in the kernel; one histogram, or one per pid or comm. Printed every -i
 * seconds and at the end, in the classic "usecs : count distribution" layout.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <bpf/libbpf.h>

#include "runtime/command.h"
#include "runtime/hist.h"
#include "runtime/log.h"
#include "runtime/opts.h"
#include "cmd/syscount/summary.h"
#include "cmd/syscount/syscalls.h"
#include "hist.h"
#include "hist.skel.h"

enum { OPT_SYSCALL = SN_OPT_LONG, OPT_VALUE, OPT_UNIT, OPT_LINEAR, OPT_BY };

static const struct unit {
	const char *name;
	const char *label; /* the histogram's column title, as the bcc tools print it */
	uint64_t ns;
} units[] = {
	{ "ns", "nsecs", 1 },
	{ "us", "usecs", 1000 },
	{ "ms", "msecs", 1000000 },
};

/* One histogram of a report: the per-CPU copies of one key, merged. */
struct hist_row {
	struct hist_key key;
	char comm[SN_COMM_LEN];
	uint64_t errors;
	struct sn_hist h;
};

static struct {
	const char *syscall;
	long nr;
	bool value_ret;
	const struct unit *unit;
	bool unit_set;
	struct sn_hist_layout layout;
	int by;
	struct sn_summary sm;
	struct hist_row *rows;
} env = { .nr = -1, .unit = &units[1] };

static const struct sn_opt opts[] = {
	{ "syscall", OPT_SYSCALL, "NAME",
	  "the system call to measure (required; names: syscount --list)" },
	{ "value", OPT_VALUE, "WHAT", "latency (default), or ret: the return value; errors apart" },
	{ "unit", OPT_UNIT, "UNIT", "latency unit: ns, us (default) or ms" },
	{ "linear", OPT_LINEAR, "MIN,MAX,STEP",
	  "linear buckets of STEP from MIN to MAX, plus under- and overflow" },
	{ "by", OPT_BY, "KEY", "one histogram per comm or per pid" },
	{},
};

static int parse_linear(const char *arg)
{
	uint64_t v[3], steps;
	int n = sn_parse_uint_list(arg, INT64_MAX / 2, v, 3);

	if (n != 3 || v[2] == 0 || v[1] <= v[0]) {
		sn_err("invalid --linear '%s': expected MIN,MAX,STEP with MIN < MAX and STEP > 0",
		       arg);
		return -EINVAL;
	}
	if ((v[1] - v[0]) % v[2]) {
		sn_err("invalid --linear '%s': MAX - MIN must be a multiple of STEP", arg);
		return -EINVAL;
	}
	steps = (v[1] - v[0]) / v[2];
	/* Two slots go to the values below MIN and at or above MAX. */
	if (steps > SN_HIST_SLOTS - 2) {
		sn_err("invalid --linear '%s': %llu steps, at most %d (use a larger STEP)", arg,
		       (unsigned long long)steps, SN_HIST_SLOTS - 2);
		return -EINVAL;
	}
	env.layout = (struct sn_hist_layout){ true, (int64_t)v[0], (int64_t)v[2],
					      (uint32_t)steps + 2 };
	return 0;
}

static int parse_opt(int key, const char *arg)
{
	switch (key) {
	case OPT_SYSCALL:
		env.syscall = arg;
		env.nr = sn_syscall_parse(arg);
		if (env.nr < 0) {
			sn_err("unknown system call '%s' (see 'sysnoop syscount --list' for the "
			       "names)", arg);
			return -EINVAL;
		}
		return 0;
	case OPT_VALUE:
		if (strcmp(arg, "latency") && strcmp(arg, "ret")) {
			sn_err("invalid --value '%s': expected latency or ret", arg);
			return -EINVAL;
		}
		env.value_ret = !strcmp(arg, "ret");
		return 0;
	case OPT_UNIT:
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			if (!strcmp(arg, units[i].name)) {
				env.unit = &units[i];
				env.unit_set = true;
				return 0;
			}
		}
		sn_err("invalid --unit '%s': expected ns, us or ms", arg);
		return -EINVAL;
	case OPT_LINEAR:
		return parse_linear(arg);
	case OPT_BY:
		if (!strcmp(arg, "pid"))
			env.by = HIST_BY_PID;
		else if (!strcmp(arg, "comm"))
			env.by = HIST_BY_COMM;
		else {
			sn_err("invalid --by '%s': expected comm or pid", arg);
			return -EINVAL;
		}
		return 0;
	}
	return -EINVAL;
}

static int check_opts(const struct sn_common *c)
{
	if (!env.syscall) {
		sn_err("--syscall NAME is required (see 'sysnoop syscount --list' for the names)");
		return -EINVAL;
	}
	if (env.nr == __NR_exit || env.nr == __NR_exit_group) {
		sn_err("--syscall %s: it never returns, so there is nothing to measure",
		       env.syscall);
		return -EINVAL;
	}
	if (env.unit_set && env.value_ret) {
		sn_err("--unit applies to latencies; --value ret measures the return value");
		return -EINVAL;
	}
	if (c->count) {
		sn_err("--count: hist aggregates in the kernel and streams no events; use "
		       "-d/--duration or -i/--interval");
		return -EINVAL;
	}
	return 0;
}

SN_SKELETON_OPS(hist)

static int configure(struct sn_session *s)
{
	struct hist_bpf *skel = s->skel;
	int err;

	skel->rodata->target_nr = env.nr;
	skel->rodata->value_ret = env.value_ret;
	skel->rodata->unit_ns = env.unit->ns;
	skel->rodata->linear = env.layout.linear;
	skel->rodata->lin_min = env.layout.min;
	skel->rodata->lin_step = env.layout.linear ? env.layout.step : 1;
	skel->rodata->lin_nr = env.layout.linear ? env.layout.nr : SN_HIST_SLOTS;
	skel->rodata->key_by = env.by;
	err = bpf_map__set_max_entries(skel->maps.hists,
				       env.by == HIST_BY_NONE ? 1 :
				       sn_summary_entries(sizeof(struct hist_val),
							  HIST_BY_ENTRIES));
	/* A return value needs only sys_exit; entry stamps are for latencies. */
	if (env.value_ret)
		err = err ?: sn_summary_exit_only(s);
	if (err) {
		sn_err("sizing the maps: %s", strerror(-err));
		return err;
	}
	s->fields = NULL;
	return 0;
}

static void merge(struct hist_row *r, int i)
{
	uint64_t comm_count = 0;

	memset(r, 0, sizeof(*r));
	/* Without --by the map is an array, whose key (0) says nothing. */
	if (env.by != HIST_BY_NONE)
		memcpy(&r->key, sn_summary_key(&env.sm, i), sizeof(r->key));
	for (int cpu = 0; cpu < env.sm.ncpus; cpu++) {
		const struct hist_val *v = sn_summary_value(&env.sm, i, cpu);

		sn_hist_merge(&r->h, &v->hist);
		r->errors += v->errors;
		/* The name from the CPU that saw the process most. */
		if (v->comm[0] && v->hist.count + v->errors >= comm_count) {
			memcpy(r->comm, v->comm, sizeof(r->comm));
			comm_count = v->hist.count + v->errors;
		}
	}
}

/* Most samples first; then by key, so equal reports print in the same order. */
static int row_cmp(const void *a, const void *b)
{
	const struct hist_row *x = a, *y = b;
	uint64_t nx = x->h.count + x->errors, ny = y->h.count + y->errors;

	if (nx != ny)
		return nx < ny ? 1 : -1;
	if (x->key.pid != y->key.pid)
		return x->key.pid < y->key.pid ? -1 : 1;
	return strncmp(x->key.comm, y->key.comm, sizeof(x->key.comm));
}

static const char *unit_label(void)
{
	return env.value_ret ? "ret" : env.unit->label;
}

static void print_row(struct sn_session *s, const struct hist_row *r)
{
	FILE *out = s->out.out;
	struct sn_buf name = {};

	if (env.by == HIST_BY_PID) {
		sn_escape_text(&name, r->comm, strnlen(r->comm, sizeof(r->comm)), false);
		fprintf(out, "\npid = %u (%.*s)\n", r->key.pid, (int)name.len, name.data);
	} else if (env.by == HIST_BY_COMM) {
		sn_escape_text(&name, r->key.comm, strnlen(r->key.comm, sizeof(r->key.comm)),
			       false);
		fprintf(out, "\ncomm = %.*s\n", (int)name.len, name.data);
	}
	sn_buf_free(&name);
	sn_hist_print(out, &r->h, &env.layout, unit_label());
	if (r->errors && env.value_ret)
		fprintf(out, "errors: %llu (negative returns, not in the histogram)\n",
			(unsigned long long)r->errors);
	else if (r->errors)
		fprintf(out, "failed calls: %llu (included above)\n",
			(unsigned long long)r->errors);
}

static void append_row_json(struct sn_buf *b, const struct hist_row *r)
{
	sn_buf_putc(b, '{');
	if (env.by == HIST_BY_PID) {
		sn_buf_printf(b, "\"pid\":%u,\"comm\":\"", r->key.pid);
		sn_escape_json(b, r->comm, strnlen(r->comm, sizeof(r->comm)));
		sn_buf_puts(b, "\",");
	} else if (env.by == HIST_BY_COMM) {
		sn_buf_puts(b, "\"comm\":\"");
		sn_escape_json(b, r->key.comm, strnlen(r->key.comm, sizeof(r->key.comm)));
		sn_buf_puts(b, "\",");
	}
	sn_buf_printf(b, "\"errors\":%llu,\"hist\":", (unsigned long long)r->errors);
	sn_hist_json(b, &r->h, &env.layout);
	sn_buf_putc(b, '}');
}

static void emit_json(struct sn_session *s, int n, uint64_t ts, uint64_t map_full)
{
	static const struct sn_field f_syscall = { "syscall" }, f_value = { "value" },
				     f_unit = { "unit" }, f_full = { "map_full" },
				     f_hists = { "histograms" };
	struct sn_buf json = {};

	sn_buf_putc(&json, '[');
	for (int i = 0; i < n; i++) {
		if (i)
			sn_buf_putc(&json, ',');
		append_row_json(&json, &env.rows[i]);
	}
	sn_buf_putc(&json, ']');
	sn_emit_begin(&s->out, "hist", ts);
	sn_emit_text(&s->out, &f_syscall, env.syscall);
	sn_emit_text(&s->out, &f_value, env.value_ret ? "ret" : "latency");
	if (!env.value_ret)
		sn_emit_text(&s->out, &f_unit, env.unit->name);
	sn_emit_u64(&s->out, &f_full, map_full);
	sn_emit_json(&s->out, &f_hists, json.data, json.len);
	sn_emit_end(&s->out);
	sn_buf_free(&json);
}

static int report(struct sn_session *s, bool final)
{
	uint64_t map_full, ts = sn_summary_now();
	int n;

	n = sn_summary_collect(&env.sm, s, env.by == HIST_BY_NONE ? "hist_one" : "hists",
			       &map_full);
	if (n < 0)
		return n;
	if (!env.rows && !(env.rows = calloc(env.sm.max_entries, sizeof(*env.rows)))) {
		sn_err("allocating %u histograms: %s", env.sm.max_entries, strerror(ENOMEM));
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		merge(&env.rows[i], i);
		s->events += env.rows[i].h.count + (env.value_ret ? env.rows[i].errors : 0);
	}
	qsort(env.rows, n, sizeof(*env.rows), row_cmp);
	if (s->out.json) {
		emit_json(s, n, ts, map_full);
		return 0;
	}
	sn_summary_heading(s, ts);
	if (!n && env.by == HIST_BY_NONE) {
		/* An empty histogram still shows its layout, and says it is empty. */
		struct hist_row empty = {};

		print_row(s, &empty);
	} else if (!n) {
		fprintf(s->out.out, "(no samples)\n");
	}
	for (int i = 0; i < n; i++)
		print_row(s, &env.rows[i]);
	return 0;
}

static void destroy(void *skel)
{
	sn_summary_free(&env.sm);
	free(env.rows);
	env.rows = NULL;
	hist_destroy(skel);
}

const struct sn_command sn_cmd_hist = {
	.name = "hist",
	.summary = "Histogram of one system call's latency or return value, built in the kernel",
	.description =
		"Log2 buckets by default, or --linear ones; one histogram, or one per pid or\n"
		"comm with --by. Printed every -i seconds and at the end with count, average,\n"
		"min, max and p50/p90/p99 (estimated within buckets). With --value ret,\n"
		"negative returns (errors) are counted apart from the histogram.",
	.examples = "  sysnoop hist --syscall read                 # read latency, in us\n"
		    "  sysnoop hist --syscall openat --unit ns -i 1  # every second, in ns\n"
		    "  sysnoop hist --syscall read --value ret     # sizes read\n"
		    "  sysnoop hist --syscall write --value ret --linear 0,4096,512\n"
		    "  sysnoop hist --syscall futex --by comm -d 5 # per task name\n",
	.opts = opts,
	.filters = SN_FILTER_ALL,
	.parse_opt = parse_opt,
	.check_opts = check_opts,
	.hooks = sn_summary_hooks,
	.nr_hooks = sizeof(sn_summary_hooks) / sizeof(sn_summary_hooks[0]),
	/* Nothing goes through the ring buffer: the smallest one will do. */
	.default_buffer_size = 4096,
	.open = hist_open,
	.configure = configure,
	.report = report,
	.destroy = destroy,
};
