// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop exit: process (or thread) exits with lifetime and exit status, and with
 * --with-exec the execs as well. The same logic serves the tp_btf, raw_tp and tracepoint
 * variants, since everything is read from the current task.
 */
#include "vmlinux.h"
#include "exit.h"
#define SN_RECORD_MAX sizeof(struct exit_event)
#include "sn_common.bpf.h"

const volatile bool trace_threads = false;
const volatile bool only_failed = false;
const volatile __u64 min_age_ns = 0;

static __always_inline int on_exit(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct exit_event *e;
	__u64 start, age;
	__u32 code;

	if (!sn_filter_current())
		return 0;
	/* A process has exited when its last thread has: signal->live drops to 0 first. */
	if (!trace_threads && BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	code = BPF_CORE_READ(task, exit_code);
	if (only_failed && code == 0)
		return 0;
	if (trace_threads)
		start = BPF_CORE_READ(task, start_time);
	else
		start = BPF_CORE_READ(task, group_leader, start_time);
	age = bpf_ktime_get_ns() - start;
	if (age < min_age_ns)
		return 0;

	e = sn_reserve(offsetof(struct exit_event, filename));
	if (!e)
		return 0;
	sn_fill_hdr(&e->hdr, PROC_REC_EXIT);
	e->ppid = sn_task_ppid(task);
	e->exit_code = code;
	e->age_ns = age;
	sn_submit(ctx, e, offsetof(struct exit_event, filename));
	return 0;
}

static __always_inline int on_exec(void *ctx, const char *filename)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct exit_event *e;

	if (!sn_filter_current())
		return 0;
	e = sn_reserve(sizeof(*e));
	if (!e)
		return 0;
	sn_fill_hdr(&e->hdr, PROC_REC_EXEC);
	e->ppid = sn_task_ppid(task);
	e->exit_code = 0;
	e->age_ns = 0;
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), filename);
	sn_submit(ctx, e, sizeof(*e));
	return 0;
}

SEC("?tp_btf/sched_process_exit")
int BPF_PROG(btf_exit)
{
	return on_exit(ctx);
}

SEC("?tp_btf/sched_process_exec")
int BPF_PROG(btf_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return on_exec(ctx, BPF_CORE_READ(bprm, filename));
}

SEC("?raw_tp/sched_process_exit")
int BPF_PROG(raw_exit)
{
	return on_exit(ctx);
}

SEC("?raw_tp/sched_process_exec")
int BPF_PROG(raw_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return on_exec(ctx, BPF_CORE_READ(bprm, filename));
}

SEC("?tracepoint/sched/sched_process_exit")
int tp_exit(void *ctx)
{
	return on_exit(ctx);
}

SEC("?tracepoint/sched/sched_process_exec")
int tp_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	unsigned int loc = ctx->__data_loc_filename & 0xFFFF;

	return on_exec(ctx, (const char *)ctx + loc);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
