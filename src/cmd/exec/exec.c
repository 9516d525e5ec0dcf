// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sysnoop exec: process executions, as the classic execsnoop shows them. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "runtime/command.h"
#include "runtime/log.h"
#include "runtime/names.h"
#include "runtime/opts.h"
#include "exec.h"
#include "exec.skel.h"

enum { OPT_QUOTE = SN_OPT_LONG, OPT_PPID, OPT_MAX_ARGS };

static struct {
	bool failed;
	bool quote;
	uint32_t ppid;
	uint32_t max_args;
} env = { .max_args = EXEC_ARGS_DEF };

static const struct sn_opt opts[] = {
	{ "failed", 'x', NULL, "also show failed execs (default: successful ones only)" },
	{ "quote", OPT_QUOTE, NULL, "put each argument in double quotes" },
	{ "ppid", OPT_PPID, "PID", "only execs by children of this process" },
	{ "max-args", OPT_MAX_ARGS, "N", "arguments to capture, 1 to 64 (default 20)" },
	{},
};

enum {
	F_COMM, F_PID, F_PPID, F_UID, F_RET, F_ERROR, F_SYSCALL, F_DIRFD, F_AT_FLAGS, F_FILENAME,
	F_ARGS, F_TRUNCATED, F_CMDLINE,
};

static const struct sn_field fields[] = {
	[F_COMM] = { "comm", "PCOMM", 16 },
	[F_PID] = { "pid", "PID", 7 },
	[F_PPID] = { "ppid", "PPID", 7 },
	[F_UID] = { "uid", "UID", 6 },
	[F_RET] = { "ret", "RET", 4 },
	[F_ERROR] = { "error", NULL },
	[F_SYSCALL] = { "syscall", NULL },
	[F_DIRFD] = { "dirfd", NULL },
	[F_AT_FLAGS] = { "at_flags", NULL },
	[F_FILENAME] = { "filename", NULL },
	[F_ARGS] = { "args", NULL },
	[F_TRUNCATED] = { "truncated", NULL },
	/* The table shows what execsnoop shows: the filename, then argv[1] onwards. */
	[F_CMDLINE] = { NULL, "ARGS", 0 },
	{},
};

static int parse_opt(int key, const char *arg)
{
	uint64_t v;

	switch (key) {
	case 'x':
		env.failed = true;
		return 0;
	case OPT_QUOTE:
		env.quote = true;
		return 0;
	case OPT_PPID:
		return sn_parse_pid_opt("ppid", arg, &env.ppid);
	case OPT_MAX_ARGS:
		if (sn_parse_uint(arg, EXEC_ARGS_MAX, &v) || !v) {
			sn_err("invalid --max-args '%s': expected 1 to %d", arg, EXEC_ARGS_MAX);
			return -EINVAL;
		}
		env.max_args = (uint32_t)v;
		return 0;
	}
	return -EINVAL;
}

SN_SKELETON_OPS(exec)

static int configure(struct sn_session *s)
{
	struct exec_bpf *skel = s->skel;

	skel->rodata->targ_ppid = env.ppid;
	skel->rodata->max_args = env.max_args;
	skel->rodata->report_failed = env.failed;
	s->fields = fields;
	return 0;
}

static int handle(struct sn_session *s, const void *data, size_t size)
{
	const struct exec_event *e = data;
	struct sn_emit *out = &s->out;
	static struct sn_buf cmdline; /* reused: no allocation per record */
	size_t avail, fn_len, args_len, first_len, kept, count;
	bool truncated;
	const char *err;

	if (size < offsetof(struct exec_event, data))
		return 1;
	avail = size - offsetof(struct exec_event, data);
	fn_len = e->filename_len < avail ? e->filename_len : avail;
	args_len = e->args_len < avail - fn_len ? e->args_len : avail - fn_len;
	truncated = e->flags & (EXEC_F_MORE_ARGS | EXEC_F_ARG_CUT | EXEC_F_PATH_CUT);
	/* Keep the first --max-args arguments; more makes the record truncated. */
	for (kept = 0, count = 0; kept < args_len && count < env.max_args; count++)
		kept += strnlen(e->data + fn_len + kept, args_len - kept) + 1;
	if (kept < args_len)
		truncated = true;
	else
		kept = args_len;
	args_len = kept;

	sn_emit_begin(out, "exec", e->hdr.ts_ns);
	sn_emit_str(out, &fields[F_COMM], e->hdr.comm, sizeof(e->hdr.comm));
	sn_emit_u64(out, &fields[F_PID], e->hdr.pid);
	sn_emit_u64(out, &fields[F_PPID], e->ppid);
	sn_emit_u64(out, &fields[F_UID], e->hdr.uid);
	sn_emit_s64(out, &fields[F_RET], e->ret);
	if (e->ret < 0 && (err = sn_errno_name(e->ret)))
		sn_emit_text(out, &fields[F_ERROR], err);
	sn_emit_text(out, &fields[F_SYSCALL], e->syscall == EXEC_SYSCALL_EXECVEAT ? "execveat" : "execve");
	if (e->syscall == EXEC_SYSCALL_EXECVEAT) {
		sn_emit_s64(out, &fields[F_DIRFD], e->dirfd);
		sn_emit_u64(out, &fields[F_AT_FLAGS], e->at_flags);
	}
	sn_emit_str(out, &fields[F_FILENAME], e->data, fn_len);
	sn_emit_strv(out, &fields[F_ARGS], e->data + fn_len, args_len, false, NULL);
	sn_emit_bool(out, &fields[F_TRUNCATED], truncated);
	if (!out->json) {
		/* The filename stands in for argv[0], as in execsnoop. */
		first_len = strnlen(e->data + fn_len, args_len);
		if (first_len < args_len)
			first_len++;
		else
			first_len = args_len;
		cmdline.len = 0;
		sn_buf_put(&cmdline, e->data, strnlen(e->data, fn_len));
		sn_buf_putc(&cmdline, '\0');
		sn_buf_put(&cmdline, e->data + fn_len + first_len, args_len - first_len);
		sn_emit_strv(out, &fields[F_CMDLINE], cmdline.data, cmdline.len, env.quote,
			     truncated ? " ..." : NULL);
	}
	sn_emit_end(out);
	return 0;
}

static const struct sn_hook_variant hooks[] = {
	{ SN_HOOK_TRACEPOINT,
	  "tp_enter_execve tp_exit_execve tp_enter_execveat tp_exit_execveat tp_sched_exec",
	  "syscalls/sys_enter_execve syscalls/sys_exit_execve syscalls/sys_enter_execveat "
	  "syscalls/sys_exit_execveat sched/sched_process_exec",
	  "execve/execveat syscall tracepoints; arguments from the new image" },
};

const struct sn_command sn_cmd_exec = {
	.name = "exec",
	.summary = "Trace process executions (execve, execveat) with arguments and result",
	.description = "Shows up to --max-args arguments and at most 12 KiB of argument text, read\n"
		       "from the new image; the filename up to 4095 bytes. Failed execs (-x) have\n"
		       "their arguments read from the caller at entry, each up to 127 bytes. A cut\n"
		       "list ends in \"...\" in the table and sets \"truncated\" in JSON. The row\n"
		       "is printed when the syscall returns, with the new image's comm, uid and\n"
		       "parent. --comm, -p and -u match the caller before the exec.",
	.examples = "  sysnoop exec                 # every successful exec\n"
		    "  sysnoop exec -x              # failed ones too\n"
		    "  sysnoop exec --ppid 1234     # execs by children of 1234\n"
		    "  sysnoop exec -u 1000 -T      # by user 1000, with time\n"
		    "  sysnoop exec -j --count 5    # five execs as JSON Lines\n"
		    "  sysnoop exec --cgroup system.slice/cron.service\n",
	.opts = opts,
	.filters = SN_FILTER_ALL,
	.parse_opt = parse_opt,
	.hooks = hooks,
	.nr_hooks = sizeof(hooks) / sizeof(hooks[0]),
	.open = exec_open,
	.configure = configure,
	.handle = handle,
	.destroy = exec_destroy,
};
