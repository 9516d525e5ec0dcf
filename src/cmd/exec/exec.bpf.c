// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop exec: execve and execveat. The record is started at syscall entry and sent at
 * exit, with the result and the comm, uid and parent of the new image. A successful exec
 * takes its filename and arguments from the new image at sched_process_exec: the kernel
 * has just copied them there, so they are always present. Reading the caller's memory at
 * entry can fail on a page not yet faulted in (a string literal right after fork), so that
 * is only the fallback for execs that fail, and only with -x.
 */
#include "vmlinux.h"
#include "sn_common.bpf.h"
#include "exec.h"

const volatile __u32 targ_ppid = 0;
const volatile __u32 max_args = EXEC_ARGS_DEF;
const volatile bool report_failed = false;

/* Execs between entry and exit, by thread. Not preallocated: values are large. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct exec_event);
} execs SEC(".maps");

/* Where a record is assembled before it is stored: too large for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_event);
} exec_heap SEC(".maps");

/*
 * The offset lives in the record (map memory), not in a register: the verifier then sees
 * an unknown but masked offset each time round and can prune, instead of walking every
 * combination of argument lengths, which made loading take most of a second.
 */
static __always_inline void read_args(struct exec_event *e, const char *const *argv)
{
	const char *arg;
	char next;
	long n;

	for (__u32 i = 0; i < EXEC_ARGS_MAX; i++) {
		if (bpf_probe_read_user(&arg, sizeof(arg), &argv[i]) || !arg)
			return;
		if (i >= max_args) {
			e->flags |= EXEC_F_MORE_ARGS;
			return;
		}
		n = bpf_probe_read_user_str(&e->data[(e->filename_len + e->args_len) & EXEC_DATA_MASK],
					    EXEC_ARG_LEN, arg);
		if (n <= 0)
			return;
		/* A full read is a cut argument only if the string goes on past it. */
		if (n == EXEC_ARG_LEN && !bpf_probe_read_user(&next, 1, arg + EXEC_ARG_LEN - 1) &&
		    next)
			e->flags |= EXEC_F_ARG_CUT;
		e->args_len += n;
		e->args_count++;
	}
	if (!bpf_probe_read_user(&arg, sizeof(arg), &argv[EXEC_ARGS_MAX]) && arg)
		e->flags |= EXEC_F_MORE_ARGS;
}

static __always_inline int exec_enter(const char *filename, const char *const *argv,
				      __u32 syscall, __s32 dirfd, __u32 at_flags)
{
	struct exec_event *e;
	__u32 zero = 0, tid;
	char next;
	long n;

	if (!sn_filter_current())
		return 0;
	if (targ_ppid && sn_task_ppid((struct task_struct *)bpf_get_current_task()) != targ_ppid)
		return 0;
	e = bpf_map_lookup_elem(&exec_heap, &zero);
	if (!e)
		return 0;
	e->syscall = syscall;
	e->dirfd = dirfd;
	e->at_flags = at_flags;
	e->flags = 0;
	e->args_len = 0;
	e->args_count = 0;
	n = bpf_probe_read_user_str(e->data, EXEC_PATH_LEN, filename);
	if (n <= 0) {
		e->data[0] = '\0';
		n = 1;
	} else if (n == EXEC_PATH_LEN && !bpf_probe_read_user(&next, 1, filename + n - 1) && next) {
		e->flags |= EXEC_F_PATH_CUT;
	}
	e->filename_len = n;
	if (report_failed)
		read_args(e, argv);
	tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_update_elem(&execs, &tid, e, BPF_ANY);
	return 0;
}

static __always_inline int exec_exit(void *ctx, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct exec_event *e;
	__u32 size;

	e = bpf_map_lookup_elem(&execs, &tid);
	if (!e)
		return 0;
	if (ret < 0 && !report_failed)
		goto out;
	sn_fill_hdr(&e->hdr, 0);
	e->ret = ret;
	e->ppid = sn_task_ppid((struct task_struct *)bpf_get_current_task());
	size = (e->filename_len + e->args_len) & EXEC_DATA_MASK;
	sn_output(ctx, e, offsetof(struct exec_event, data) + size);
out:
	bpf_map_delete_elem(&execs, &tid);
	return 0;
}

SEC("?tracepoint/syscalls/sys_enter_execve")
int tp_enter_execve(struct trace_event_raw_sys_enter *ctx)
{
	return exec_enter((const char *)ctx->args[0], (const char *const *)ctx->args[1],
			  EXEC_SYSCALL_EXECVE, 0, 0);
}

/* The exec has succeeded: take filename and arguments as the kernel copied them. */
static __always_inline int exec_image(const char *filename)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	unsigned long start, end;
	struct exec_event *e;
	__u64 len, off;
	long n;

	e = bpf_map_lookup_elem(&execs, &tid);
	if (!e)
		return 0;
	n = bpf_probe_read_kernel_str(e->data, EXEC_PATH_LEN, filename);
	if (n > 0) {
		e->filename_len = n;
		e->flags &= ~EXEC_F_PATH_CUT;
	}
	start = BPF_CORE_READ(task, mm, arg_start);
	end = BPF_CORE_READ(task, mm, arg_end);
	len = end > start ? end - start : 0;
	e->flags &= ~(EXEC_F_MORE_ARGS | EXEC_F_ARG_CUT);
	if (len > EXEC_ARGS_CAP) {
		len = EXEC_ARGS_CAP;
		e->flags |= EXEC_F_ARG_CUT;
	}
	off = e->filename_len;
	if (off > EXEC_PATH_LEN)
		off = EXEC_PATH_LEN;
	if (len && !bpf_probe_read_user(&e->data[off], len, (const void *)start)) {
		e->args_len = len;
		e->args_count = 0;
		e->flags |= EXEC_F_FROM_MM;
	}
	return 0;
}

SEC("?tracepoint/sched/sched_process_exec")
int tp_sched_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	return exec_image((const char *)ctx + (ctx->__data_loc_filename & 0xFFFF));
}

SEC("?tracepoint/syscalls/sys_exit_execve")
int tp_exit_execve(struct trace_event_raw_sys_exit *ctx)
{
	return exec_exit(ctx, ctx->ret);
}

SEC("?tracepoint/syscalls/sys_enter_execveat")
int tp_enter_execveat(struct trace_event_raw_sys_enter *ctx)
{
	return exec_enter((const char *)ctx->args[1], (const char *const *)ctx->args[2],
			  EXEC_SYSCALL_EXECVEAT, (__s32)ctx->args[0], (__u32)ctx->args[4]);
}

SEC("?tracepoint/syscalls/sys_exit_execveat")
int tp_exit_execveat(struct trace_event_raw_sys_exit *ctx)
{
	return exec_exit(ctx, ctx->ret);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
