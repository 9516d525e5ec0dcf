// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop syscount: system calls counted in the kernel, by name, by process or both, with
 * optional time spent; printed every -i seconds and at the end, as libbpf-tools' syscount.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "runtime/command.h"
#include "runtime/log.h"
#include "runtime/names.h"
#include "runtime/opts.h"
#include "summary.h"
#include "syscalls.h"
#include "syscount.h"
#include "syscount.skel.h"

enum { OPT_BY_SYSCALL = SN_OPT_LONG, OPT_TOP, OPT_LIST };

#define TOP_DEFAULT 10

static struct {
	bool by_process;
	bool by_syscall;
	bool latency;
	bool failed;
	int err_no;
	uint64_t top;
	bool list;
	struct sn_summary sm;
	struct row *rows;
} env = { .top = TOP_DEFAULT };

static const struct sn_opt opts[] = {
	{ "by-process", 'P', NULL, "count per process (PID, COMM) instead of per system call" },
	{ "by-syscall", OPT_BY_SYSCALL, NULL, "with --by-process: per process and system call" },
	{ "latency", 'L', NULL, "add the total and average time spent in the calls" },
	{ "failed", 'x', NULL, "only failed calls" },
	{ "errno", 'e', "ERRNO", "only calls failing with ERRNO (a name like ENOENT or a number)" },
	{ "top", OPT_TOP, "N", "print the N busiest rows of each report (default 10; 0: all)" },
	{ "list", OPT_LIST, NULL, "print the system call table and exit (no tracing)" },
	{},
};

/* One row of a report: the per-CPU values of one key, added up. */
struct row {
	uint32_t pid;
	uint32_t nr;
	uint64_t count;
	uint64_t total_ns;
	char comm[SN_COMM_LEN];
};

static const struct sn_field f_pid = { "pid", "PID", 7 };
static const struct sn_field f_comm = { "comm", "COMM", 16 };
static const struct sn_field f_syscall = { "syscall", "SYSCALL", 22 };
static const struct sn_field f_count_mid = { "count", "COUNT", 10 };
static const struct sn_field f_count_last = { "count", "COUNT", 0 };
/* In microseconds with nanosecond digits, as libbpf-tools: most calls take well under 1 ms. */
static const struct sn_field f_time = { "total_ms", "TIME(us)", 14 };
static const struct sn_field f_avg = { "avg_ms", "AVG(us)", 0 };

/* The table's columns for the keys and options in force; set by configure. */
static const struct sn_field *columns[8];
static struct sn_field header[8];

static int parse_opt(int key, const char *arg)
{
	uint64_t v;
	int err;

	switch (key) {
	case 'P':
		env.by_process = true;
		return 0;
	case OPT_BY_SYSCALL:
		env.by_syscall = true;
		return 0;
	case 'L':
		env.latency = true;
		return 0;
	case 'x':
		env.failed = true;
		return 0;
	case 'e':
		err = sn_errno_parse(arg);
		if (err <= 0 || err > 4095) {
			sn_err("invalid --errno '%s': expected an errno name like ENOENT, or a "
			       "number", arg);
			return -EINVAL;
		}
		env.err_no = err;
		return 0;
	case OPT_TOP:
		if (sn_parse_uint(arg, UINT32_MAX, &v)) {
			sn_err("invalid --top '%s': expected a number of rows (0: all)", arg);
			return -EINVAL;
		}
		env.top = v;
		return 0;
	case OPT_LIST:
		env.list = true;
		return 0;
	}
	return -EINVAL;
}

static int check_opts(const struct sn_common *c)
{
	if (c->count) {
		sn_err("--count: syscount aggregates in the kernel and streams no events; use "
		       "-d/--duration or -i/--interval");
		return -EINVAL;
	}
	return 0;
}

/* Rows per system call: the default, or combined with --by-process. */
static bool by_syscall(void)
{
	return !env.by_process || env.by_syscall;
}

SN_SKELETON_OPS(syscount)

static void pick_columns(void)
{
	int n = 0;

	if (env.by_process) {
		columns[n++] = &f_pid;
		columns[n++] = &f_comm;
	}
	if (by_syscall())
		columns[n++] = &f_syscall;
	columns[n++] = env.latency ? &f_count_mid : &f_count_last;
	if (env.latency) {
		columns[n++] = &f_time;
		columns[n++] = &f_avg;
	}
	for (int i = 0; i < n; i++)
		header[i] = *columns[i];
}

static int configure(struct sn_session *s)
{
	struct syscount_bpf *skel = s->skel;
	int err;

	skel->rodata->by_process = env.by_process;
	skel->rodata->by_syscall = by_syscall();
	skel->rodata->latency = env.latency;
	skel->rodata->only_failed = env.failed;
	skel->rodata->only_errno = env.err_no;
	/* The map not used shrinks to one entry. */
	if (env.by_process)
		err = bpf_map__set_max_entries(skel->maps.counts,
					       sn_summary_entries(sizeof(struct syscount_val),
								  SYSCOUNT_PROC_ENTRIES)) ?:
		      bpf_map__set_max_entries(skel->maps.nr_counts, 1);
	else
		err = bpf_map__set_max_entries(skel->maps.counts, 1);
	/* Counting needs only sys_exit; entry stamps are for --latency. */
	if (!env.latency)
		err = err ?: sn_summary_exit_only(s);
	if (err) {
		sn_err("sizing the maps: %s", strerror(-err));
		return err;
	}
	pick_columns();
	/* No header up front: each report prints its own under its time. */
	s->fields = NULL;
	return 0;
}

/* Adds up the per-CPU copies of entry @i. */
static void merge(struct row *r, int i)
{
	uint64_t comm_count = 0;

	memset(r, 0, sizeof(*r));
	if (env.by_process) {
		const struct syscount_key *key = sn_summary_key(&env.sm, i);

		r->pid = key->pid;
		r->nr = key->nr;
	} else {
		memcpy(&r->nr, sn_summary_key(&env.sm, i), sizeof(r->nr));
	}
	for (int cpu = 0; cpu < env.sm.ncpus; cpu++) {
		const struct syscount_val *v = sn_summary_value(&env.sm, i, cpu);

		r->count += v->count;
		r->total_ns += v->total_ns;
		/* The name from the CPU that saw the process most. */
		if (v->comm[0] && v->count >= comm_count) {
			memcpy(r->comm, v->comm, sizeof(r->comm));
			comm_count = v->count;
		}
	}
}

/* Busiest first: by time with --latency, as libbpf-tools, else by count. */
static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	uint64_t kx = env.latency ? x->total_ns : x->count;
	uint64_t ky = env.latency ? y->total_ns : y->count;

	if (kx != ky)
		return kx < ky ? 1 : -1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->nr < y->nr ? -1 : x->nr > y->nr;
}

static void format_us(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%llu.%03llu", (unsigned long long)(ns / 1000),
		 (unsigned long long)(ns % 1000));
}

static void emit_row_table(struct sn_session *s, const struct row *r, uint64_t ts)
{
	struct sn_emit *out = &s->out;
	const char *name = sn_syscall_name(r->nr);
	char nr[24], us[32];

	sn_emit_begin(out, "syscount", ts);
	for (int i = 0; columns[i]; i++) {
		const struct sn_field *f = columns[i];

		if (f == &f_pid) {
			sn_emit_u64(out, f, r->pid);
		} else if (f == &f_comm) {
			sn_emit_str(out, f, r->comm, sizeof(r->comm));
		} else if (f == &f_syscall) {
			snprintf(nr, sizeof(nr), "[%u]", r->nr);
			sn_emit_text(out, f, name ? name : nr);
		} else if (f == &f_time) {
			format_us(us, sizeof(us), r->total_ns);
			sn_emit_text(out, f, us);
		} else if (f == &f_avg) {
			format_us(us, sizeof(us), r->count ? r->total_ns / r->count : 0);
			sn_emit_text(out, f, us);
		} else {
			sn_emit_u64(out, f, r->count);
		}
	}
	sn_emit_end(out);
}

static void append_row_json(struct sn_buf *b, const struct row *r)
{
	const char *name = sn_syscall_name(r->nr);

	sn_buf_putc(b, '{');
	if (env.by_process) {
		sn_buf_printf(b, "\"pid\":%u,\"comm\":\"", r->pid);
		sn_escape_json(b, r->comm, strnlen(r->comm, sizeof(r->comm)));
		sn_buf_puts(b, "\",");
	}
	if (by_syscall()) {
		if (name)
			sn_buf_printf(b, "\"syscall\":\"%s\",", name);
		else
			sn_buf_puts(b, "\"syscall\":null,");
		sn_buf_printf(b, "\"nr\":%u,", r->nr);
	}
	sn_buf_printf(b, "\"count\":%llu", (unsigned long long)r->count);
	if (env.latency) {
		sn_buf_puts(b, ",\"total_ms\":");
		sn_summary_json_ms(b, r->total_ns);
		sn_buf_puts(b, ",\"avg_ms\":");
		sn_summary_json_ms(b, r->count ? r->total_ns / r->count : 0);
	}
	sn_buf_putc(b, '}');
}

static int report(struct sn_session *s, bool final)
{
	static const struct sn_field f_rows = { "rows" }, f_calls = { "calls" },
				     f_full = { "map_full" };
	uint64_t map_full, calls = 0, ts = sn_summary_now();
	struct sn_buf json = {};
	int n, shown;

	n = sn_summary_collect(&env.sm, s, env.by_process ? "counts" : "nr_counts", &map_full);
	if (n < 0)
		return n;
	if (!env.rows && !(env.rows = calloc(env.sm.max_entries, sizeof(*env.rows)))) {
		sn_err("allocating %u rows: %s", env.sm.max_entries, strerror(ENOMEM));
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++) {
		merge(&env.rows[i], i);
		calls += env.rows[i].count;
	}
	s->events += calls;
	qsort(env.rows, n, sizeof(*env.rows), row_cmp);
	shown = env.top && env.top < (uint64_t)n ? (int)env.top : n;

	if (!s->out.json) {
		sn_summary_heading(s, ts);
		sn_emit_header(&s->out, header);
		for (int i = 0; i < shown; i++)
			emit_row_table(s, &env.rows[i], ts);
		return 0;
	}
	sn_buf_putc(&json, '[');
	for (int i = 0; i < shown; i++) {
		if (i)
			sn_buf_putc(&json, ',');
		append_row_json(&json, &env.rows[i]);
	}
	sn_buf_putc(&json, ']');
	sn_emit_begin(&s->out, "syscount", ts);
	sn_emit_u64(&s->out, &f_calls, calls);
	sn_emit_u64(&s->out, &f_full, map_full);
	sn_emit_json(&s->out, &f_rows, json.data, json.len);
	sn_emit_end(&s->out);
	sn_buf_free(&json);
	return 0;
}

static void destroy(void *skel)
{
	sn_summary_free(&env.sm);
	free(env.rows);
	env.rows = NULL;
	syscount_destroy(skel);
}

static int syscount_main(int argc, char **argv);

const struct sn_command sn_cmd_syscount = {
	.name = "syscount",
	.summary = "Count system calls by name or by process, with time spent, in the kernel",
	.description =
		"Counts are kept in per-CPU kernel maps and printed busiest first, every\n"
		"-i seconds and at the end; nothing is streamed per call. A call is counted\n"
		"when it returns, so exit and exit_group never are. Names come from the\n"
		"system call table of the build architecture (see --list).",
	.examples = "  sysnoop syscount -d 5          # the busiest calls over 5 seconds\n"
		    "  sysnoop syscount -P -i 1       # the busiest processes, every second\n"
		    "  sysnoop syscount -L -p 1234    # calls of one process, with time\n"
		    "  sysnoop syscount -e ENOENT -P --by-syscall   # who gets ENOENT, from what\n"
		    "  sysnoop syscount --list        # the system call table\n",
	.opts = opts,
	.filters = SN_FILTER_ALL,
	.main = syscount_main,
	.parse_opt = parse_opt,
	.check_opts = check_opts,
	.hooks = sn_summary_hooks,
	.nr_hooks = sizeof(sn_summary_hooks) / sizeof(sn_summary_hooks[0]),
	/* Nothing goes through the ring buffer: the smallest one will do. */
	.default_buffer_size = 4096,
	.open = syscount_open,
	.configure = configure,
	.report = report,
	.destroy = destroy,
};

/*
 * --list needs neither BPF nor privileges, so it is answered before the session starts;
 * the session then parses the same arguments again, which only sets the same values.
 */
static int syscount_main(int argc, char **argv)
{
	struct sn_common common;
	int err = sn_opts_parse(&sn_cmd_syscount, argc, argv, &common);

	if (err)
		return err > 0 ? SN_EXIT_OK : SN_EXIT_USAGE;
	if (env.list)
		return sn_syscall_list(stdout, common.json) ? SN_EXIT_ERROR : SN_EXIT_OK;
	return sn_session_main(&sn_cmd_syscount, argc, argv);
}
