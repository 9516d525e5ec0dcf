/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The BPF side the in-kernel summaries (syscount, hist) share: the system call number at
 * raw_syscalls:sys_exit, the per-thread entry timestamps that latencies need, and the
 * count of updates lost to a full map. Include after sn_common.bpf.h.
 */
#ifndef SN_SUMMARY_BPF_H
#define SN_SUMMARY_BPF_H

#include "summary_abi.h"

/*
 * sys_exit passes the registers, not the number; the kernel's syscall_get_nr() reads it
 * from this field, which entry code filled in and which the return value does not clobber.
 */
#if defined(__TARGET_ARCH_x86)
#define SN_REGS_SYSCALL_NR orig_ax
#elif defined(__TARGET_ARCH_arm64)
#define SN_REGS_SYSCALL_NR syscallno
#else
#error "summary.bpf.h: where does this architecture keep the system call number?"
#endif

/*
 * When each thread (global tid) entered its current system call, 0 when it is not in one.
 * A thread keeps its entry from call to call, so the hot path only looks up (no allocation,
 * no bucket lock); the entry goes when the thread exits. Sized by user space.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SUMMARY_START_ENTRIES);
	__type(key, __u32);
	__type(value, __u64);
} sn_start SEC(".maps");

/* Updates lost because a map was full (SUMMARY_FULL_*), per CPU; never reset. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SUMMARY_FULL__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} sn_map_full SEC(".maps");

static __always_inline void summary_count_full(__u32 which)
{
	__u64 *n = bpf_map_lookup_elem(&sn_map_full, &which);

	if (n)
		(*n)++;
}

/* Stamps the current thread's entry into a system call. */
static __always_inline void summary_enter(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 ts = bpf_ktime_get_ns(), *start = bpf_map_lookup_elem(&sn_start, &tid);

	if (start)
		*start = ts;
	else if (bpf_map_update_elem(&sn_start, &tid, &ts, BPF_ANY))
		summary_count_full(SUMMARY_FULL_START);
}

/*
 * The time since the current thread's entry stamp, which is consumed; false when there is
 * none (the call began before tracing did, or was filtered out at entry).
 */
static __always_inline bool summary_exit_latency(__u64 *ns)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *start = bpf_map_lookup_elem(&sn_start, &tid);

	if (!start || !*start)
		return false;
	*ns = bpf_ktime_get_ns() - *start;
	*start = 0;
	return true;
}

/* The current thread is exiting: its stamp goes (exit and exit_group never return). */
static __always_inline int summary_thread_gone(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&sn_start, &tid);
	return 0;
}

/*
 * The entry of @key in per-CPU hash @map, created from @init if missing. A NULL return
 * means the map is full, which is counted.
 */
static __always_inline void *summary_lookup_or_init(void *map, const void *key, const void *init)
{
	void *val = bpf_map_lookup_elem(map, key);

	if (val)
		return val;
	/* -EEXIST when another CPU created it meanwhile: the lookup below finds it. */
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	val = bpf_map_lookup_elem(map, key);
	if (!val)
		summary_count_full(SUMMARY_FULL_DATA);
	return val;
}

/* A failed call: the kernel returns -errno, from -1 to -4095 (IS_ERR_VALUE). */
static __always_inline bool summary_failed(long ret)
{
	return ret < 0 && ret >= -4095;
}

/*
 * The programs of every hook variant (the names sn_summary_hooks lists), calling
 * @on_enter(long id) and @on_exit(long id, long ret). tp_btf reads the registers directly,
 * raw_tp through probe reads, the tracepoint gets both numbers in its record. The *_free
 * programs drop exiting threads' stamps; like *_enter, only latencies need them.
 */
#define SUMMARY_SYSCALL_PROGRAMS(on_enter, on_exit)                                            \
	SEC("?tp_btf/sys_enter")                                                               \
	int BPF_PROG(btf_enter, struct pt_regs *regs, long id)                                 \
	{                                                                                      \
		return on_enter(id);                                                           \
	}                                                                                      \
	SEC("?tp_btf/sys_exit")                                                                \
	int BPF_PROG(btf_exit, struct pt_regs *regs, long ret)                                 \
	{                                                                                      \
		return on_exit(regs->SN_REGS_SYSCALL_NR, ret);                                 \
	}                                                                                      \
	SEC("?raw_tp/sys_enter")                                                               \
	int BPF_PROG(raw_enter, struct pt_regs *regs, long id)                                 \
	{                                                                                      \
		return on_enter(id);                                                           \
	}                                                                                      \
	SEC("?raw_tp/sys_exit")                                                                \
	int BPF_PROG(raw_exit, struct pt_regs *regs, long ret)                                 \
	{                                                                                      \
		return on_exit(BPF_CORE_READ(regs, SN_REGS_SYSCALL_NR), ret);                  \
	}                                                                                      \
	SEC("?tracepoint/raw_syscalls/sys_enter")                                              \
	int tp_enter(struct trace_event_raw_sys_enter *ctx)                                    \
	{                                                                                      \
		return on_enter(ctx->id);                                                      \
	}                                                                                      \
	SEC("?tracepoint/raw_syscalls/sys_exit")                                               \
	int tp_exit(struct trace_event_raw_sys_exit *ctx)                                      \
	{                                                                                      \
		return on_exit(ctx->id, ctx->ret);                                             \
	}                                                                                      \
	SEC("?tp_btf/sched_process_exit")                                                      \
	int BPF_PROG(btf_free)                                                                 \
	{                                                                                      \
		return summary_thread_gone();                                                  \
	}                                                                                      \
	SEC("?raw_tp/sched_process_exit")                                                      \
	int BPF_PROG(raw_free)                                                                 \
	{                                                                                      \
		return summary_thread_gone();                                                  \
	}                                                                                      \
	SEC("?tracepoint/sched/sched_process_exit")                                            \
	int tp_free(void *ctx)                                                                 \
	{                                                                                      \
		return summary_thread_gone();                                                  \
	}

#endif /* SN_SUMMARY_BPF_H */
