// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop unlink: unlink, unlinkat and rmdir, with the result. The record is started at
 * entry, keyed by thread, and sent at exit. A relative path is resolved against the
 * dirfd's directory (or the cwd) by walking the dentry cache at exit.
 *
 * The syscall tracepoints read the path from the caller's memory. That read fails when the
 * page is not faulted in yet (a string literal right after fork), and a tracepoint cannot
 * fault it in; by exit the kernel has copied the path, which faulted the page in, so a
 * failed read is tried again there. fentry and kprobe read the kernel's own copy (struct
 * filename) in do_unlinkat and do_rmdir, which also see io_uring's unlinkat.
 */
#include "vmlinux.h"
#include "sn_common.bpf.h"
#include "unlink.h"
#include "dpath.bpf.h"

#define AT_REMOVEDIR 0x200

const volatile bool only_failed = false;

/* Deletions between entry and exit, by thread. Not preallocated: values are large. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct unlink_event);
} unlinks SEC(".maps");

/* Where a record is assembled before it is stored: too large for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct unlink_event);
} unlink_heap SEC(".maps");

static __always_inline void read_name(struct unlink_event *e, const char *name, bool user)
{
	char next;
	long n;

	if (user)
		n = bpf_probe_read_user_str(e->data, UNLINK_NAME_LEN, name);
	else
		n = bpf_probe_read_kernel_str(e->data, UNLINK_NAME_LEN, name);
	if (n <= 0) {
		e->name_len = 0;
		return;
	}
	e->name_len = n;
	/* A full read is a cut path only if the string goes on past it. */
	if (user && n == UNLINK_NAME_LEN &&
	    !bpf_probe_read_user(&next, 1, name + UNLINK_NAME_LEN - 1) && next)
		e->flags |= UNLINK_F_NAME_CUT;
}

static __always_inline int on_enter(const char *name, int dirfd, __u32 flags, bool user)
{
	struct unlink_event *e;
	__u32 zero = 0, tid;

	if (!sn_filter_current())
		return 0;
	e = bpf_map_lookup_elem(&unlink_heap, &zero);
	if (!e)
		return 0;
	e->name_ptr = (__u64)name;
	e->dirfd = dirfd;
	e->flags = flags;
	e->dir_len = 0;
	read_name(e, name, user);
	tid = (__u32)bpf_get_current_pid_tgid();
	/* No room for this thread's deletion: a record lost, so counted as one. */
	if (bpf_map_update_elem(&unlinks, &tid, e, BPF_ANY))
		sn_count_drop();
	return 0;
}

static __always_inline int on_exit(void *ctx, long ret, bool user)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct unlink_event *e;
	struct path dir;
	__u32 size;

	e = bpf_map_lookup_elem(&unlinks, &tid);
	if (!e)
		return 0;
	if (only_failed && ret >= 0)
		goto out;
	e->ret = ret;
	/* The kernel has copied the path by now, faulting its page in: read it again. */
	if (!e->name_len && user)
		read_name(e, (const char *)e->name_ptr, true);
	if (e->name_len && e->data[0] != '/' && dpath_dir_of(task, e->dirfd, &dir)) {
		e->flags |= UNLINK_F_DIR;
		if (dpath_walk(e->data, UNLINK_DATA_MASK, e->name_len, &e->dir_len, dir.dentry,
			       dir.mnt))
			e->flags |= UNLINK_F_DIR_CUT;
	}
	sn_fill_hdr(&e->hdr, 0);
	/* name_len <= UNLINK_NAME_LEN and dir_len < DPATH_CAP: the sum never wraps the mask. */
	size = (e->name_len + e->dir_len) & UNLINK_DATA_MASK;
	sn_output(ctx, e, offsetof(struct unlink_event, data) + size);
out:
	bpf_map_delete_elem(&unlinks, &tid);
	return 0;
}

SEC("?fentry/do_unlinkat")
int BPF_PROG(fe_unlinkat, int dfd, struct filename *name)
{
	return on_enter(BPF_CORE_READ(name, name), dfd, 0, false);
}

SEC("?fexit/do_unlinkat")
int BPF_PROG(fx_unlinkat, int dfd, struct filename *name, int ret)
{
	return on_exit(ctx, ret, false);
}

SEC("?fentry/do_rmdir")
int BPF_PROG(fe_rmdir, int dfd, struct filename *name)
{
	return on_enter(BPF_CORE_READ(name, name), dfd, UNLINK_F_RMDIR, false);
}

SEC("?fexit/do_rmdir")
int BPF_PROG(fx_rmdir, int dfd, struct filename *name, int ret)
{
	return on_exit(ctx, ret, false);
}

SEC("?kprobe/do_unlinkat")
int BPF_KPROBE(kp_unlinkat, int dfd, struct filename *name)
{
	return on_enter(BPF_CORE_READ(name, name), dfd, 0, false);
}

SEC("?kretprobe/do_unlinkat")
int BPF_KRETPROBE(kr_unlinkat, int ret)
{
	return on_exit(ctx, ret, false);
}

SEC("?kprobe/do_rmdir")
int BPF_KPROBE(kp_rmdir, int dfd, struct filename *name)
{
	return on_enter(BPF_CORE_READ(name, name), dfd, UNLINK_F_RMDIR, false);
}

SEC("?kretprobe/do_rmdir")
int BPF_KRETPROBE(kr_rmdir, int ret)
{
	return on_exit(ctx, ret, false);
}

SEC("?tracepoint/syscalls/sys_enter_unlink")
int tp_enter_unlink(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter((const char *)ctx->args[0], DPATH_AT_FDCWD, 0, true);
}

SEC("?tracepoint/syscalls/sys_enter_unlinkat")
int tp_enter_unlinkat(struct trace_event_raw_sys_enter *ctx)
{
	__u32 flags = ((int)ctx->args[2] & AT_REMOVEDIR) ? UNLINK_F_RMDIR : 0;

	return on_enter((const char *)ctx->args[1], (int)ctx->args[0], flags, true);
}

SEC("?tracepoint/syscalls/sys_enter_rmdir")
int tp_enter_rmdir(struct trace_event_raw_sys_enter *ctx)
{
	return on_enter((const char *)ctx->args[0], DPATH_AT_FDCWD, UNLINK_F_RMDIR, true);
}

SEC("?tracepoint/syscalls/sys_exit_unlink")
int tp_exit_unlink(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx, ctx->ret, true);
}

SEC("?tracepoint/syscalls/sys_exit_unlinkat")
int tp_exit_unlinkat(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx, ctx->ret, true);
}

SEC("?tracepoint/syscalls/sys_exit_rmdir")
int tp_exit_rmdir(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx, ctx->ret, true);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
