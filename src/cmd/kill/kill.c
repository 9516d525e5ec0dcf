// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sysnoop kill: signals sent, with their result, as killsnoop and sigsnoop show them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "runtime/command.h"
#include "runtime/log.h"
#include "runtime/names.h"
#include "runtime/opts.h"
#include "kill.h"
#include "kill.skel.h"

enum { OPT_TARGET = SN_OPT_LONG, OPT_NAMES, OPT_ALL_SIGNALS };

static struct {
	bool failed;
	bool names;
	bool all_signals;
	uint32_t target;
	bool filter_signals;
	uint64_t sig_mask[2];
} env;

static const struct sn_opt opts[] = {
	{ "failed", 'x', NULL, "only failed sends (--all-signals: undelivered signals)" },
	{ "target", OPT_TARGET, "PID", "only signals to this process or thread" },
	{ "signal", 's', "LIST", "only these signals: names or numbers, comma-separated" },
	{ "names", OPT_NAMES, NULL, "show signal names (SIGTERM) instead of numbers" },
	{ "all-signals", OPT_ALL_SIGNALS, NULL, "also signals the kernel generates otherwise" },
	{},
};

enum {
	F_PID, F_COMM, F_TID, F_UID, F_SIG_COL, F_SIG, F_SIGNAME, F_TPID_COL, F_TARGET_PID,
	F_TARGET_TID, F_TARGET_COMM, F_SYSCALL, F_RESULT_COL, F_RET, F_ERROR, F_RESULT, F_SI_CODE,
	F_GROUP,
};

/* The table is killsnoop's (PID COMM SIG TPID RESULT) with the syscall added. */
static struct sn_field fields[] = {
	[F_PID] = { "pid", "PID", 7 },
	[F_COMM] = { "comm", "COMM", 16 },
	[F_TID] = { "tid", NULL },
	[F_UID] = { "uid", NULL },
	[F_SIG_COL] = { NULL, "SIG", 4 }, /* wider with --names */
	[F_SIG] = { "signal", NULL },
	[F_SIGNAME] = { "signal_name", NULL },
	[F_TPID_COL] = { NULL, "TPID", 8 },
	[F_TARGET_PID] = { "target_pid", NULL },
	[F_TARGET_TID] = { "target_tid", NULL },
	[F_TARGET_COMM] = { "target_comm", NULL },
	[F_SYSCALL] = { "syscall", "SYSCALL", 18 },
	[F_RESULT_COL] = { NULL, "RESULT", 0 },
	[F_RET] = { "ret", NULL },
	[F_ERROR] = { "error", NULL },
	[F_RESULT] = { "result", NULL },
	[F_SI_CODE] = { "si_code", NULL },
	[F_GROUP] = { "group", NULL },
	{},
};

static const char *const syscalls[KILL_SYS__COUNT] = {
	[KILL_SYS_KILL] = "kill",
	[KILL_SYS_TKILL] = "tkill",
	[KILL_SYS_TGKILL] = "tgkill",
	[KILL_SYS_RT_SIGQUEUEINFO] = "rt_sigqueueinfo",
	[KILL_SYS_RT_TGSIGQUEUEINFO] = "rt_tgsigqueueinfo",
};

static const char *const results[] = {
	[KILL_RESULT_DELIVERED] = "delivered",
	[KILL_RESULT_IGNORED] = "ignored",
	[KILL_RESULT_ALREADY_PENDING] = "already_pending",
	[KILL_RESULT_OVERFLOW_FAIL] = "overflow_fail",
	[KILL_RESULT_LOSE_INFO] = "lose_info",
};

static int parse_signals(const char *arg)
{
	char list[256], *item, *save = NULL;
	int sig;

	if (strlen(arg) >= sizeof(list) || !*arg) {
		sn_err("invalid --signal '%s': expected names or numbers, comma-separated", arg);
		return -EINVAL;
	}
	strcpy(list, arg);
	for (item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		sig = sn_signal_parse(item);
		if (sig < 0 || sig > KILL_SIG_MAX) {
			sn_err("invalid --signal '%s': '%s' is no signal (a name such as TERM or "
			       "SIGKILL, or 0 to %d)", arg, item, KILL_SIG_MAX);
			return -EINVAL;
		}
		env.sig_mask[sig / 64] |= 1ULL << (sig % 64);
	}
	env.filter_signals = true;
	return 0;
}

static int parse_opt(int key, const char *arg)
{
	switch (key) {
	case 'x':
		env.failed = true;
		return 0;
	case OPT_TARGET:
		return sn_parse_pid_opt("target", arg, &env.target);
	case 's':
		return parse_signals(arg);
	case OPT_NAMES:
		env.names = true;
		return 0;
	case OPT_ALL_SIGNALS:
		env.all_signals = true;
		return 0;
	}
	return -EINVAL;
}

SN_SKELETON_OPS(kill)

static int configure(struct sn_session *s)
{
	struct kill_bpf *skel = s->skel;

	skel->rodata->only_failed = env.failed;
	skel->rodata->all_signals = env.all_signals;
	skel->rodata->targ_target = env.target;
	skel->rodata->filter_signals = env.filter_signals;
	skel->rodata->sig_mask[0] = env.sig_mask[0];
	skel->rodata->sig_mask[1] = env.sig_mask[1];
	if (!env.all_signals)
		bpf_program__set_autoload(skel->progs.tp_signal_generate, false);
	fields[F_SIG_COL].width = env.names ? 12 : 4;
	s->fields = fields;
	return 0;
}

static void emit_signal(struct sn_emit *out, unsigned int sig)
{
	char name[32];

	sn_signal_name(sig, name, sizeof(name));
	if (env.names)
		sn_emit_text(out, &fields[F_SIG_COL], name);
	else
		sn_emit_u64(out, &fields[F_SIG_COL], sig);
	sn_emit_u64(out, &fields[F_SIG], sig);
	sn_emit_text(out, &fields[F_SIGNAME], name);
}

static void emit_syscall(struct sn_emit *out, const struct kill_event *e)
{
	const char *err = e->ret < 0 ? sn_errno_name(e->ret) : NULL;
	char result[48];

	/* TPID: the thread for thread-directed sends, as sigsnoop shows it. */
	sn_emit_s64(out, &fields[F_TPID_COL], e->target_tid ? e->target_tid : e->target_pid);
	if (e->syscall != KILL_SYS_TKILL)
		sn_emit_s64(out, &fields[F_TARGET_PID], e->target_pid);
	if (e->target_tid)
		sn_emit_s64(out, &fields[F_TARGET_TID], e->target_tid);
	sn_emit_text(out, &fields[F_SYSCALL],
		     e->syscall < KILL_SYS__COUNT ? syscalls[e->syscall] : "?");
	snprintf(result, sizeof(result), "%d%s%s", e->ret, err ? " " : "", err ? err : "");
	sn_emit_text(out, &fields[F_RESULT_COL], result);
	sn_emit_s64(out, &fields[F_RET], e->ret);
	if (err)
		sn_emit_text(out, &fields[F_ERROR], err);
}

static void emit_generated(struct sn_emit *out, const struct kill_event *e)
{
	const char *result = e->result < sizeof(results) / sizeof(results[0]) ?
				     results[e->result] : "?";

	sn_emit_s64(out, &fields[F_TPID_COL], e->target_tid);
	sn_emit_s64(out, &fields[F_TARGET_TID], e->target_tid);
	sn_emit_str(out, &fields[F_TARGET_COMM], e->target_comm, sizeof(e->target_comm));
	if (!out->json)
		sn_emit_text(out, &fields[F_SYSCALL], "-");
	sn_emit_text(out, &fields[F_RESULT_COL], result);
	sn_emit_text(out, &fields[F_RESULT], result);
	sn_emit_s64(out, &fields[F_SI_CODE], e->si_code);
	sn_emit_bool(out, &fields[F_GROUP], e->group);
}

static int handle(struct sn_session *s, const void *data, size_t size)
{
	const struct kill_event *e = data;
	struct sn_emit *out = &s->out;
	bool generated;

	if (size < sizeof(*e))
		return 1;
	generated = e->hdr.type == KILL_REC_GENERATED;
	if (!generated && e->hdr.type != KILL_REC_SYSCALL)
		return 1;
	sn_emit_begin(out, generated ? "signal" : "kill", e->hdr.ts_ns);
	sn_emit_u64(out, &fields[F_PID], e->hdr.pid);
	sn_emit_str(out, &fields[F_COMM], e->hdr.comm, sizeof(e->hdr.comm));
	sn_emit_u64(out, &fields[F_TID], e->hdr.tid);
	sn_emit_u64(out, &fields[F_UID], e->hdr.uid);
	emit_signal(out, e->sig);
	if (generated)
		emit_generated(out, e);
	else
		emit_syscall(out, e);
	sn_emit_end(out);
	return 0;
}

/* There is no richer hook than the syscall tracepoints, so no fentry or kprobe variant. */
static const struct sn_hook_variant hooks[] = {
	{ SN_HOOK_TRACEPOINT,
	  "tp_enter_kill tp_exit_kill tp_enter_tkill tp_exit_tkill tp_enter_tgkill tp_exit_tgkill "
	  "tp_enter_sigqueue tp_exit_sigqueue tp_enter_tgsigqueue tp_exit_tgsigqueue "
	  "tp_signal_generate",
	  "syscalls/sys_enter_kill syscalls/sys_exit_kill syscalls/sys_enter_tkill "
	  "syscalls/sys_exit_tkill syscalls/sys_enter_tgkill syscalls/sys_exit_tgkill "
	  "syscalls/sys_enter_rt_sigqueueinfo syscalls/sys_exit_rt_sigqueueinfo "
	  "syscalls/sys_enter_rt_tgsigqueueinfo syscalls/sys_exit_rt_tgsigqueueinfo "
	  "signal/signal_generate",
	  "syscall tracepoints (no richer hook exists: no fentry or kprobe variant); "
	  "signal:signal_generate with --all-signals" },
};

const struct sn_command sn_cmd_kill = {
	.name = "kill",
	.summary = "Trace signals sent by kill, tkill, tgkill and sigqueue, with the result",
	.description =
		"One row per send, when the syscall returns. PID and COMM are the sender, TPID\n"
		"the target as passed (0, -1 and -PGID address process groups), or the thread\n"
		"for tkill, tgkill and rt_tgsigqueueinfo. RESULT is 0 or a negative errno. The\n"
		"common filters apply to the sender. --all-signals adds the signals the kernel\n"
		"generates otherwise (faults, SIGCHLD, timers, pidfd_send_signal), as rows of\n"
		"JSON type \"signal\" whose RESULT is what became of the signal (delivered,\n"
		"ignored, already_pending, ...); their sender is the task that was running (in\n"
		"interrupt context, whichever was interrupted) and TPID the target thread's\n"
		"kernel tid.",
	.examples = "  sysnoop kill                       # kill, tkill, tgkill, sigqueue\n"
		    "  sysnoop kill -x                    # only failed sends\n"
		    "  sysnoop kill -s TERM,KILL --names  # only SIGTERM and SIGKILL, by name\n"
		    "  sysnoop kill --target 1234         # signals sent to process 1234\n"
		    "  sysnoop kill --all-signals -j      # kernel-generated ones too, JSON\n",
	.opts = opts,
	.filters = SN_FILTER_ALL,
	.parse_opt = parse_opt,
	.hooks = hooks,
	.nr_hooks = sizeof(hooks) / sizeof(hooks[0]),
	.open = kill_open,
	.configure = configure,
	.handle = handle,
	.destroy = kill_destroy,
};
