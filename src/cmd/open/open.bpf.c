// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop open: open, openat, openat2 and creat. Entry keeps the arguments by thread;
 * exit reads the path and sends one record as long as the path. The path is read at exit
 * because the kernel's getname() has faulted its page in by then: at entry, a string
 * literal in a page the caller has not touched yet (right after fork) cannot be read.
 * Only --path-prefix reads at entry, to drop other opens before they cost a map update;
 * when that read fails, the prefix is checked again at exit.
 */
#include "vmlinux.h"
#include "sn_common.bpf.h"
#include "open.h"

#define AT_FDCWD -100
/* creat(2) is open(2) with these flags (the same values on every architecture). */
#define CREAT_FLAGS (01 | 0100 | 01000) /* O_WRONLY | O_CREAT | O_TRUNC */

const volatile bool report_failed = false;
const volatile __u32 prefix_len = 0;
const volatile char path_prefix[OPEN_PREFIX_LEN] = {};

struct open_start {
	__u64 path; /* user pointer */
	__u64 how;  /* openat2: user pointer to struct open_how */
	__u32 flags;
	__u32 mode;
	__s32 dirfd;
	__u16 syscall;
	__u16 check_prefix; /* the prefix could not be read at entry */
};

/* Opens between entry and exit, by thread; small values, preallocated for speed. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct open_start);
} starts SEC(".maps");

/* Where a record is built: larger than the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct open_event);
} open_heap SEC(".maps");

/* Whether @s (NUL-terminated, at least prefix_len + 1 bytes readable) starts with the prefix. */
static __always_inline bool prefix_matches(const char *s)
{
	for (__u32 i = 0; i < OPEN_PREFIX_LEN - 1; i++) {
		if (i >= prefix_len)
			return true;
		/* A shorter path ends in a NUL, which no prefix byte equals. */
		if (s[i] != path_prefix[i])
			return false;
	}
	return true;
}

static __always_inline int open_enter(const char *path, __u64 how, __u32 flags, __u32 mode,
				      __s32 dirfd, __u16 syscall)
{
	struct open_start st = {
		.path = (__u64)path,
		.how = how,
		.flags = flags,
		.mode = mode,
		.dirfd = dirfd,
		.syscall = syscall,
	};
	__u32 tid;

	if (!sn_filter_current())
		return 0;
	if (prefix_len) {
		char buf[OPEN_PREFIX_LEN];

		if (bpf_probe_read_user_str(buf, prefix_len + 1, path) > 0) {
			if (!prefix_matches(buf))
				return 0;
		} else {
			st.check_prefix = 1;
		}
	}
	tid = (__u32)bpf_get_current_pid_tgid();
	/* Only a full map fails, with this many threads inside an open: a lost record. */
	if (bpf_map_update_elem(&starts, &tid, &st, BPF_ANY))
		sn_count_drop();
	return 0;
}

static __always_inline int open_exit(void *ctx, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), zero = 0, size;
	struct open_start *st;
	struct open_event *e;
	struct open_how how;
	const char *path;
	char next;
	long n;

	st = bpf_map_lookup_elem(&starts, &tid);
	if (!st)
		return 0;
	if (ret < 0 && !report_failed)
		goto out;
	e = bpf_map_lookup_elem(&open_heap, &zero);
	if (!e)
		goto out;
	path = (const char *)st->path;
	e->rec_flags = 0;
	n = bpf_probe_read_user_str(e->path, OPEN_PATH_LEN, path);
	if (n <= 0) {
		e->path[0] = '\0';
		n = 1;
		e->rec_flags = OPEN_F_NO_PATH;
	} else if (n >= OPEN_PATH_LEN) {
		n = OPEN_PATH_LEN;
		if (!bpf_probe_read_user(&next, 1, path + OPEN_PATH_LEN - 1) && next)
			e->rec_flags = OPEN_F_PATH_CUT;
	}
	if (st->check_prefix && ((e->rec_flags & OPEN_F_NO_PATH) || !prefix_matches(e->path)))
		goto out;
	e->flags = st->flags;
	e->mode = st->mode;
	/* openat2 takes flags and mode in a struct the kernel has copied in by now. */
	if (st->syscall == OPEN_SYS_OPENAT2 &&
	    !bpf_probe_read_user(&how, sizeof(how.flags) + sizeof(how.mode), (void *)st->how)) {
		e->flags = how.flags;
		e->mode = how.mode;
	}
	e->dirfd = st->dirfd;
	e->syscall = st->syscall;
	e->ret = ret;
	sn_fill_hdr(&e->hdr, 0);
	size = offsetof(struct open_event, path) + (__u32)n;
	if (size > sizeof(*e))
		goto out;
	sn_output(ctx, e, size);
out:
	bpf_map_delete_elem(&starts, &tid);
	return 0;
}

SEC("?tracepoint/syscalls/sys_enter_open")
int tp_enter_open(struct trace_event_raw_sys_enter *ctx)
{
	return open_enter((const char *)ctx->args[0], 0, ctx->args[1], ctx->args[2], AT_FDCWD,
			  OPEN_SYS_OPEN);
}

SEC("?tracepoint/syscalls/sys_exit_open")
int tp_exit_open(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(ctx, ctx->ret);
}

SEC("?tracepoint/syscalls/sys_enter_creat")
int tp_enter_creat(struct trace_event_raw_sys_enter *ctx)
{
	return open_enter((const char *)ctx->args[0], 0, CREAT_FLAGS, ctx->args[1], AT_FDCWD,
			  OPEN_SYS_CREAT);
}

SEC("?tracepoint/syscalls/sys_exit_creat")
int tp_exit_creat(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(ctx, ctx->ret);
}

SEC("?tracepoint/syscalls/sys_enter_openat")
int tp_enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	return open_enter((const char *)ctx->args[1], 0, ctx->args[2], ctx->args[3],
			  (__s32)ctx->args[0], OPEN_SYS_OPENAT);
}

SEC("?tracepoint/syscalls/sys_exit_openat")
int tp_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(ctx, ctx->ret);
}

SEC("?tracepoint/syscalls/sys_enter_openat2")
int tp_enter_openat2(struct trace_event_raw_sys_enter *ctx)
{
	return open_enter((const char *)ctx->args[1], ctx->args[2], 0, 0, (__s32)ctx->args[0],
			  OPEN_SYS_OPENAT2);
}

SEC("?tracepoint/syscalls/sys_exit_openat2")
int tp_exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(ctx, ctx->ret);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
