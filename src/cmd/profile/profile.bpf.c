// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop profile: on every sample of a perf event (cpu-clock by default, on every CPU),
 * counts the running task's pair of stacks in a hash map. Nothing is streamed per sample;
 * only the first sample of a process (of an address space) is announced, so that user space
 * reads its memory map while it still runs.
 */
#include "vmlinux.h"
#include "profile.h"
#define SN_RECORD_MAX sizeof(struct profile_proc_event)
#include "sn_common.bpf.h"

/* No errno.h for BPF: the two bpf_get_stackid answers we tell apart. */
#define EFAULT 14
#define EEXIST 17

const volatile bool kernel_stacks = true;
const volatile bool user_stacks = true;
const volatile bool include_idle = false;

/* Sized by user space (--stack-storage-size), like `counts`. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, PROFILE_MAX_DEPTH * sizeof(__u64));
	__uint(max_entries, 16384);
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct profile_key);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PROFILE_STAT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/*
 * The address space each process was last sampled in. LRU: a process pushed out is only
 * announced again, which user space ignores.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		(*v)++;
}

/* A stack id, or why there is none; @due: a stack was to be had, so its absence is a loss. */
static __always_inline __s32 stack_id(long id, bool due, __u32 stat_missing, __u32 stat_collision)
{
	if (id >= 0)
		return id;
	if (id == -EEXIST) {
		stat_inc(stat_collision);
		return PROFILE_STACK_COLLISION;
	}
	/* -EFAULT with nothing to walk: a sample in user mode has no kernel stack. */
	if (!due && id == -EFAULT)
		return PROFILE_STACK_NONE;
	stat_inc(stat_missing);
	return PROFILE_STACK_MISSING;
}

/*
 * Whether the sample interrupted kernel code, so a kernel stack is due. x86-64 and arm64
 * keep the kernel in the upper half of the address space; unlike the mode bits, the
 * instruction pointer is read the same way on every kernel version and architecture.
 */
static __always_inline bool in_kernel(struct bpf_perf_event_data *ctx)
{
	return (long)PT_REGS_IP(&ctx->regs) < 0;
}

/* Sends the process's address space id the first time it is sampled in it. */
static __always_inline void announce(void *ctx, __u32 tgid, __u64 as_id)
{
	struct profile_proc_event *e;
	__u64 *last = bpf_map_lookup_elem(&seen, &tgid);

	if (last && *last == as_id)
		return;
	/* Marked seen only once the record is on its way; a drop is retried next sample. */
	e = sn_reserve(sizeof(*e));
	if (!e)
		return;
	bpf_map_update_elem(&seen, &tgid, &as_id, BPF_ANY);
	sn_fill_hdr(&e->hdr, PROFILE_REC_PROC);
	e->tgid = tgid;
	e->pad = 0;
	e->as_id = as_id;
	sn_submit(ctx, e, sizeof(*e));
}

SEC("?perf_event")
int pe_sample(struct bpf_perf_event_data *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid(), one = 1, *count;
	struct profile_key key = {};
	bool kernel_mode = in_kernel(ctx);
	struct mm_struct *mm;
	__u32 tid;
	long err;

	if (!include_idle && (__u32)id == 0)
		return 0;
	if (!sn_filter_current())
		return 0;
	key.tgid = id >> 32;
	sn_current_ids(&key.pid, &tid);
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	key.kern_stack_id = PROFILE_STACK_NONE;
	key.user_stack_id = PROFILE_STACK_NONE;
	if (kernel_stacks)
		key.kern_stack_id = stack_id(bpf_get_stackid(ctx, &stacks, 0), kernel_mode,
					     PROFILE_STAT_KERN_MISSING,
					     PROFILE_STAT_KERN_COLLISION);
	/* Kernel threads, and processes past exit_mm(), have no user stack. */
	mm = BPF_CORE_READ(task, mm);
	if (user_stacks && mm) {
		key.user_stack_id = stack_id(bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK), true,
					     PROFILE_STAT_USER_MISSING,
					     PROFILE_STAT_USER_COLLISION);
		key.as_id = (__u64)mm;
		announce(ctx, key.tgid, key.as_id);
	}
	/* A lost stack still names the function the sample hit. */
	if (kernel_mode ? key.kern_stack_id < PROFILE_STACK_NONE
			: key.user_stack_id < PROFILE_STACK_NONE)
		key.ip = PT_REGS_IP(&ctx->regs);

	count = bpf_map_lookup_elem(&counts, &key);
	if (count) {
		__sync_fetch_and_add(count, 1);
		return 0;
	}
	err = bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
	if (err == -EEXIST) { /* another CPU inserted it first */
		count = bpf_map_lookup_elem(&counts, &key);
		if (count)
			__sync_fetch_and_add(count, 1);
	} else if (err) {
		stat_inc(PROFILE_STAT_MAP_FULL);
	}
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
