// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sysnoop exit: process exits with lifetime and status, as exitsnoop shows them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "runtime/command.h"
#include "runtime/log.h"
#include "runtime/names.h"
#include "runtime/opts.h"
#include "exit.h"
#include "exit.skel.h"

enum { OPT_MIN_AGE = SN_OPT_LONG, OPT_THREADS, OPT_WITH_EXEC };

static struct {
	bool failed;
	bool threads;
	bool with_exec;
	uint64_t min_age_ms;
} env;

static const struct sn_opt opts[] = {
	{ "failed", 'x', NULL, "only failed exits: a non-zero code or a signal" },
	{ "min-age", OPT_MIN_AGE, "MS", "only processes that lived at least MS milliseconds" },
	{ "threads", OPT_THREADS, NULL, "report every thread's exit (default: processes only)" },
	{ "with-exec", OPT_WITH_EXEC, NULL, "also stream execs, as EXEC rows with the filename" },
	{},
};

enum {
	F_EVENT, F_COMM, F_PID, F_PPID, F_TID, F_UID, F_AGE, F_EXIT, F_CODE, F_SIGNAL, F_SIGNAME,
	F_CORE, F_FILENAME,
};

/* The table's last column is the exit status, or the filename of an EXEC row. */
static const struct sn_field fields_exec[] = {
	[F_EVENT] = { NULL, "EVENT", 5 },
	[F_COMM] = { "comm", "PCOMM", 16 },
	[F_PID] = { "pid", "PID", 7 },
	[F_PPID] = { "ppid", "PPID", 7 },
	[F_TID] = { "tid", "TID", 7 },
	[F_UID] = { "uid", NULL },
	[F_AGE] = { "age_ms", "AGE(ms)", 11 },
	[F_EXIT] = { NULL, "EXIT_CODE", 0 },
	[F_CODE] = { "exit_code", NULL },
	[F_SIGNAL] = { "signal", NULL },
	[F_SIGNAME] = { "signal_name", NULL },
	[F_CORE] = { "core_dumped", NULL },
	[F_FILENAME] = { "filename", NULL },
	{},
};

/* Plain exit tracing has no EVENT column: the table starts one field later. */
static const struct sn_field *const fields = fields_exec;

static int parse_opt(int key, const char *arg)
{
	switch (key) {
	case 'x':
		env.failed = true;
		return 0;
	case OPT_MIN_AGE:
		if (sn_parse_uint(arg, UINT64_MAX / 1000000, &env.min_age_ms)) {
			sn_err("invalid --min-age '%s': expected milliseconds (an integer)", arg);
			return -EINVAL;
		}
		return 0;
	case OPT_THREADS:
		env.threads = true;
		return 0;
	case OPT_WITH_EXEC:
		env.with_exec = true;
		return 0;
	}
	return -EINVAL;
}

SN_SKELETON_OPS(exit)

static int configure(struct sn_session *s)
{
	struct exit_bpf *skel = s->skel;
	struct bpf_program *prog;

	skel->rodata->trace_threads = env.threads;
	skel->rodata->only_failed = env.failed;
	skel->rodata->min_age_ns = env.min_age_ms * 1000000;
	/* The exec programs are optional: left out unless asked for. */
	if (!env.with_exec) {
		bpf_object__for_each_program(prog, s->obj) {
			const char *name = bpf_program__name(prog);

			if (strstr(name, "_exec"))
				bpf_program__set_autoload(prog, false);
		}
	}
	s->fields = env.with_exec ? fields : fields + 1;
	return 0;
}

static int handle_exit(struct sn_session *s, const struct exit_event *e)
{
	struct sn_emit *out = &s->out;
	unsigned int sig = e->exit_code & 0x7f;
	bool core = e->exit_code & 0x80;
	char status[64], name[32];

	sn_emit_begin(out, "exit", e->hdr.ts_ns);
	if (env.with_exec)
		sn_emit_text(out, &fields[F_EVENT], "EXIT");
	sn_emit_str(out, &fields[F_COMM], e->hdr.comm, sizeof(e->hdr.comm));
	sn_emit_u64(out, &fields[F_PID], e->hdr.pid);
	sn_emit_u64(out, &fields[F_PPID], e->ppid);
	sn_emit_u64(out, &fields[F_TID], e->hdr.tid);
	sn_emit_u64(out, &fields[F_UID], e->hdr.uid);
	sn_emit_ms(out, &fields[F_AGE], e->age_ns);
	if (sig) {
		sn_signal_name(sig, name, sizeof(name));
		snprintf(status, sizeof(status), "signal %u (%s)%s", sig, name,
			 core ? ", core dumped" : "");
		sn_emit_text(out, &fields[F_EXIT], status);
		sn_emit_u64(out, &fields[F_SIGNAL], sig);
		sn_emit_text(out, &fields[F_SIGNAME], name);
		sn_emit_bool(out, &fields[F_CORE], core);
	} else {
		snprintf(status, sizeof(status), "%u", (e->exit_code >> 8) & 0xff);
		sn_emit_text(out, &fields[F_EXIT], status);
		sn_emit_u64(out, &fields[F_CODE], (e->exit_code >> 8) & 0xff);
	}
	sn_emit_end(out);
	return 0;
}

static int handle_exec(struct sn_session *s, const struct exit_event *e)
{
	static const struct sn_field age_blank = { NULL, "AGE(ms)", 11 };
	static const struct sn_field f_table_filename = { NULL, "FILENAME", 0 };
	struct sn_emit *out = &s->out;

	sn_emit_begin(out, "exec", e->hdr.ts_ns);
	sn_emit_text(out, &fields[F_EVENT], "EXEC");
	sn_emit_str(out, &fields[F_COMM], e->hdr.comm, sizeof(e->hdr.comm));
	sn_emit_u64(out, &fields[F_PID], e->hdr.pid);
	sn_emit_u64(out, &fields[F_PPID], e->ppid);
	sn_emit_u64(out, &fields[F_TID], e->hdr.tid);
	sn_emit_u64(out, &fields[F_UID], e->hdr.uid);
	sn_emit_text(out, &age_blank, "");
	sn_emit_str(out, &f_table_filename, e->filename, sizeof(e->filename));
	sn_emit_str(out, &fields[F_FILENAME], e->filename, sizeof(e->filename));
	sn_emit_end(out);
	return 0;
}

static int handle(struct sn_session *s, const void *data, size_t size)
{
	const struct exit_event *e = data;

	if (size < offsetof(struct exit_event, filename))
		return 1;
	if (e->hdr.type == PROC_REC_EXEC && size >= sizeof(*e))
		return handle_exec(s, e);
	if (e->hdr.type == PROC_REC_EXIT)
		return handle_exit(s, e);
	return 1;
}

static const struct sn_hook_variant hooks[] = {
	{ SN_HOOK_TP_BTF, "btf_exit btf_exec", "sched_process_exit sched_process_exec",
	  "BTF-typed scheduler tracepoints" },
	{ SN_HOOK_RAW_TP, "raw_exit raw_exec", "sched_process_exit sched_process_exec",
	  "raw scheduler tracepoints" },
	{ SN_HOOK_TRACEPOINT, "tp_exit tp_exec", "sched/sched_process_exit sched/sched_process_exec",
	  "scheduler tracepoints through tracefs" },
};

const struct sn_command sn_cmd_exit = {
	.name = "exit",
	.summary = "Trace process exits with lifetime, exit code or terminating signal",
	.description = "A process is reported when its last thread exits; --threads reports each\n"
		       "thread. AGE is the time since the process (or thread) started.",
	.examples = "  sysnoop exit                  # every process exit\n"
		    "  sysnoop exit -x               # only non-zero codes and signals\n"
		    "  sysnoop exit --min-age 1000   # processes that lived 1 s or more\n"
		    "  sysnoop exit --with-exec -T   # execs and exits, as the bootstrap tool\n"
		    "  sysnoop exit -j -d 10         # ten seconds of exits as JSON Lines\n",
	.opts = opts,
	.filters = SN_FILTER_ALL,
	.parse_opt = parse_opt,
	.hooks = hooks,
	.nr_hooks = sizeof(hooks) / sizeof(hooks[0]),
	.open = exit_open,
	.configure = configure,
	.handle = handle,
	.destroy = exit_destroy,
};
