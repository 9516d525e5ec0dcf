// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop syscount: system calls counted in the kernel, by number, by process or both.
 * Counting happens at sys_exit, where the result is known (for -x/-e); sys_enter is loaded
 * only for --latency, to stamp the entry. Per-CPU values: no atomics on the hot path. By
 * number alone, the counts are an array indexed by it, which costs no hashing.
 */
#include "vmlinux.h"
#include "syscount.h"
#include "sn_common.bpf.h"
#include "summary.bpf.h"

const volatile bool by_process = false;
const volatile bool by_syscall = true;
const volatile bool latency = false;
const volatile bool only_failed = false;
const volatile __s32 only_errno = 0;

/* By system call number alone; sized to 1 otherwise. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SYSCOUNT_NR_ENTRIES);
	__type(key, __u32);
	__type(value, struct syscount_val);
} nr_counts SEC(".maps");

/* By process, or by process and number; sized by user space, to 1 when not used. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, SYSCOUNT_PROC_ENTRIES);
	__type(key, struct syscount_key);
	__type(value, struct syscount_val);
} counts SEC(".maps");

/* A zeroed value to create entries from. */
static const struct syscount_val zero_val;

static __always_inline int on_enter(long id)
{
	if (sn_filter_current())
		summary_enter();
	return 0;
}

static __always_inline int on_exit(long id, long ret)
{
	struct syscount_key key = {};
	struct syscount_val *val;
	struct task_struct *task;
	__u32 tgid, tid;
	__u64 ns = 0;

	/* With --latency the filters ran at entry: a stamp exists only for what passed. */
	if (latency ? !summary_exit_latency(&ns) : !sn_filter_current())
		return 0;
	if (id < 0)
		return 0;
	if (only_failed && !summary_failed(ret))
		return 0;
	if (only_errno && ret != -(long)only_errno)
		return 0;
	if (!by_process) {
		__u32 nr = (__u32)id;

		val = bpf_map_lookup_elem(&nr_counts, &nr);
		if (!val) { /* a number past the table (x32's have bit 30 set) */
			summary_count_full(SUMMARY_FULL_DATA);
			return 0;
		}
		val->count++;
		val->total_ns += ns;
		return 0;
	}
	sn_current_ids(&tgid, &tid);
	key.pid = tgid;
	if (by_syscall)
		key.nr = (__u32)id;
	val = summary_lookup_or_init(&counts, &key, &zero_val);
	if (!val)
		return 0;
	val->count++;
	val->total_ns += ns;
	/* The name of the process, not the thread; refreshed since exec changes it. */
	task = (struct task_struct *)bpf_get_current_task();
	BPF_CORE_READ_STR_INTO(&val->comm, task, group_leader, comm);
	return 0;
}

SUMMARY_SYSCALL_PROGRAMS(on_enter, on_exit)

char LICENSE[] SEC("license") = "Dual BSD/GPL";
