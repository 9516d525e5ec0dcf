// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop kill: signals sent by kill, tkill, tgkill, rt_sigqueueinfo and rt_tgsigqueueinfo.
 * A send is noted at syscall entry, by thread, and reported at exit with its result. With
 * --all-signals, signal:signal_generate adds every other signal the kernel generates (faults,
 * SIGCHLD, timers, pidfd_send_signal ...); it is skipped while the current thread is inside
 * one of the traced syscalls, which are reported already.
 */
#include "vmlinux.h"
#include "kill.h"
#define SN_RECORD_MAX sizeof(struct kill_event)
#include "sn_common.bpf.h"

const volatile bool only_failed = false;
const volatile bool all_signals = false;
/* Only signals to this process or thread (0: any). */
const volatile __s32 targ_target = 0;
/* Signals wanted: bit N of the 128 for signal N; all when filter_signals is off. */
const volatile bool filter_signals = false;
const volatile __u64 sig_mask[2] = {};

struct send {
	__s32 target_pid;
	__s32 target_tid;
	__u32 sig;
	__u32 syscall;
	bool wanted; /* passes -s and --target; if not, kept only to mark the syscall */
};

/* Sends between syscall entry and exit, by thread. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct send);
} sends SEC(".maps");

static __always_inline bool signal_wanted(__u32 sig)
{
	if (!filter_signals)
		return true;
	if (sig > KILL_SIG_MAX)
		return false;
	/* Two loads, not an index: a computed one escapes the verifier's bounds tracking. */
	return ((sig < 64 ? sig_mask[0] : sig_mask[1]) >> (sig & 63)) & 1;
}

static __always_inline bool target_wanted(__s32 pid, __s32 tid)
{
	return !targ_target || pid == targ_target || tid == targ_target;
}

static __always_inline int on_enter(__u32 syscall, __s32 pid, __s32 tid, __u32 sig)
{
	__u32 key = (__u32)bpf_get_current_pid_tgid();
	struct send s = {
		.target_pid = pid,
		.target_tid = tid,
		.sig = sig,
		.syscall = syscall,
		.wanted = signal_wanted(sig) && target_wanted(pid, tid),
	};

	if (!sn_filter_current())
		return 0;
	/* An unwanted send still marks the syscall, so --all-signals does not report it. */
	if (!s.wanted && !all_signals)
		return 0;
	bpf_map_update_elem(&sends, &key, &s, BPF_ANY);
	return 0;
}

static __always_inline int on_exit(void *ctx, long ret)
{
	__u32 key = (__u32)bpf_get_current_pid_tgid();
	struct kill_event *e;
	struct send *s;

	s = bpf_map_lookup_elem(&sends, &key);
	if (!s)
		return 0;
	if (!s->wanted || (only_failed && ret >= 0))
		goto out;
	e = sn_reserve(sizeof(*e));
	if (!e)
		goto out;
	sn_fill_hdr(&e->hdr, KILL_REC_SYSCALL);
	e->target_pid = s->target_pid;
	e->target_tid = s->target_tid;
	e->sig = s->sig;
	e->ret = ret;
	e->syscall = s->syscall;
	e->si_code = 0;
	e->result = 0;
	e->group = 0;
	e->target_comm[0] = '\0';
	sn_submit(ctx, e, sizeof(*e));
out:
	bpf_map_delete_elem(&sends, &key);
	return 0;
}

SEC("?tracepoint/syscalls/sys_enter_kill")
int tp_enter_kill(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(KILL_SYS_KILL, ctx->args[0], 0, ctx->args[1]);
}

SEC("?tracepoint/syscalls/sys_enter_tkill")
int tp_enter_tkill(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(KILL_SYS_TKILL, 0, ctx->args[0], ctx->args[1]);
}

SEC("?tracepoint/syscalls/sys_enter_tgkill")
int tp_enter_tgkill(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(KILL_SYS_TGKILL, ctx->args[0], ctx->args[1], ctx->args[2]);
}

SEC("?tracepoint/syscalls/sys_enter_rt_sigqueueinfo")
int tp_enter_sigqueue(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(KILL_SYS_RT_SIGQUEUEINFO, ctx->args[0], 0, ctx->args[1]);
}

SEC("?tracepoint/syscalls/sys_enter_rt_tgsigqueueinfo")
int tp_enter_tgsigqueue(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter(KILL_SYS_RT_TGSIGQUEUEINFO, ctx->args[0], ctx->args[1], ctx->args[2]);
}

SEC("?tracepoint/syscalls/sys_exit_kill")
int tp_exit_kill(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx, ctx->ret);
}

SEC("?tracepoint/syscalls/sys_exit_tkill")
int tp_exit_tkill(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx, ctx->ret);
}

SEC("?tracepoint/syscalls/sys_exit_tgkill")
int tp_exit_tgkill(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx, ctx->ret);
}

SEC("?tracepoint/syscalls/sys_exit_rt_sigqueueinfo")
int tp_exit_sigqueue(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx, ctx->ret);
}

SEC("?tracepoint/syscalls/sys_exit_rt_tgsigqueueinfo")
int tp_exit_tgsigqueue(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx, ctx->ret);
}

/* --all-signals: loaded only then. */
SEC("?tracepoint/signal/signal_generate")
int tp_signal_generate(struct trace_event_raw_signal_generate *ctx)
{
	__u32 key = (__u32)bpf_get_current_pid_tgid();
	struct kill_event *e;
	__u32 result;

	if (bpf_map_lookup_elem(&sends, &key))
		return 0;
	if (!sn_filter_current() || !signal_wanted(ctx->sig) || !target_wanted(0, ctx->pid))
		return 0;
	result = ctx->result;
	if (only_failed && (result == KILL_RESULT_DELIVERED || result == KILL_RESULT_LOSE_INFO))
		return 0;
	e = sn_reserve(sizeof(*e));
	if (!e)
		return 0;
	sn_fill_hdr(&e->hdr, KILL_REC_GENERATED);
	e->target_pid = 0;
	e->target_tid = ctx->pid;
	e->sig = ctx->sig;
	e->ret = 0;
	e->syscall = 0;
	e->si_code = ctx->code;
	e->result = result;
	e->group = ctx->group;
	bpf_probe_read_kernel(e->target_comm, sizeof(e->target_comm), ctx->comm);
	sn_submit(ctx, e, sizeof(*e));
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
