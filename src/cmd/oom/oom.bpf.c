// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop oom: OOM kills. Every variant reports at the oom:mark_victim tracepoint, which
 * mark_oom_victim() hits once per victim (it returns early for a task already marked),
 * including each member of a memory.oom.group kill. It runs in the context of the task that
 * invoked the OOM killer (the trigger), so the record header describes the trigger and the
 * common filters apply to it. The victim's fields are read from its task_struct: the
 * tracepoint passes it since Linux 6.9; before, only its pid, from which the task is looked
 * up. The fentry and kprobe variants also hook oom_kill_process() to add what only
 * struct oom_control knows: the memory weighed against, the constraint, the chosen task.
 */
#include "vmlinux.h"
#include "oom.h"
#define SN_RECORD_MAX sizeof(struct oom_event)
#include "sn_common.bpf.h"

/* Only this victim process (0: any), as seen from the configured pid namespace. */
const volatile __u32 targ_victim = 0;

/* What oom_kill_process() was given, by the thread running it, until it returns. */
struct oom_ctl {
	__u64 total_pages;
	__s64 points;
	__u64 chosen; /* struct task_struct * */
	__u32 constraint;
};

/* The OOM killer runs under oom_lock: one entry at a time, a few for safety. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct oom_ctl);
} oom_ctls SEC(".maps");

/* Layouts of older kernels, for CO-RE. */
struct mm_rss_stat___old {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));

/* Before Linux 6.2 the RSS counters were atomics, not per-CPU counters. */
struct mm_struct___old {
	struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));

/* kernfs_node.parent became __parent in Linux 6.15. */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

/* The tracepoint's record gained the memory fields when it started passing the task. */
struct trace_event_raw_mark_victim___new {
	unsigned long total_vm;
} __attribute__((preserve_access_index));

/* The mm counters' indexes (enum in include/linux/mm_types_task.h, stable since 4.5). */
#define OOM_MM_FILEPAGES  0
#define OOM_MM_ANONPAGES  1
#define OOM_MM_SHMEMPAGES 3

/* Levels of the pid IDR's xarray: 6 bits each cover 64-bit indexes in 11. */
#define OOM_XA_MAX_DEPTH 11

/* What get_mm_counter() returns, as the kernel's own OOM report reads it. */
static __always_inline __u64 mm_counter(struct mm_struct *mm, int member)
{
	long v;

	if (bpf_core_field_exists(((struct mm_struct___old *)0)->rss_stat))
		v = BPF_CORE_READ((struct mm_struct___old *)mm, rss_stat.count[member].counter);
	else
		v = BPF_CORE_READ(mm, rss_stat[member].count);
	return v > 0 ? v : 0;
}

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/*
 * The task with global thread id @nr, found as find_task_by_pid_ns() does: the initial pid
 * namespace's IDR, an xarray, then the struct pid's task list. For tracepoints that give
 * only a pid; the victim holds a reference, and tracepoints run under RCU, which protects
 * both structures.
 */
static __always_inline struct task_struct *task_by_global_tid(__u32 nr)
{
	struct task_struct *cur = (struct task_struct *)bpf_get_current_task();
	struct pid_namespace *ns = BPF_CORE_READ(cur, thread_pid, numbers[0].ns);
	__u64 mask = bpf_core_field_size(struct xa_node, slots) / sizeof(void *) - 1;
	__u64 index = nr - BPF_CORE_READ(ns, idr.idr_base);
	void *entry = BPF_CORE_READ(ns, idr.idr_rt.xa_head);
	struct task_struct *task;
	struct hlist_node *first;
	struct xa_node *node;
	unsigned int shift;
	int i;

	for (i = 0; i < OOM_XA_MAX_DEPTH; i++) {
		/* Internal entries (nodes) are tagged 2 in their low bits. */
		if (((unsigned long)entry & 3) != 2)
			break;
		node = (struct xa_node *)((unsigned long)entry - 2);
		shift = BPF_CORE_READ(node, shift) & 63;
		if (i == 0 && (index >> shift) > mask)
			return NULL;
		if (bpf_core_read(&entry, sizeof(entry), &node->slots[(index >> shift) & mask]))
			return NULL;
	}
	/* A head that is no node holds index 0 only; a tagged entry is no struct pid. */
	if ((i == 0 && index) || !entry || ((unsigned long)entry & 3))
		return NULL;
	first = BPF_CORE_READ((struct pid *)entry, tasks[PIDTYPE_PID].first);
	if (!first)
		return NULL;
	task = (void *)first - bpf_core_field_offset(struct task_struct, pid_links);
	if (BPF_CORE_READ(task, pid) != nr)
		return NULL;
	return task;
}

/*
 * The path of @task's memory cgroup in the hierarchy that holds the memory controller (v1
 * or v2): the kernfs names from the root down, each after a '/'.
 */
static __always_inline void read_memcg(struct oom_event *e, struct task_struct *task)
{
	struct kernfs_node *chain[OOM_MEMCG_DEPTH], *kn, *parent;
	__u32 len = 0, off;
	int id, n = 0;
	long r;

	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return;
	id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	kn = BPF_CORE_READ(task, cgroups, subsys[id], cgroup, kn);
	if (!kn)
		return;
	/* Unrolled, so that chain[] is indexed by constants. */
#pragma unroll
	for (int i = 0; i < OOM_MEMCG_DEPTH; i++) {
		parent = kn_parent(kn);
		if (!parent) /* the root, whose name is empty */
			break;
		chain[i] = kn;
		n = i + 1;
		kn = parent;
	}
	if (n == OOM_MEMCG_DEPTH && kn_parent(kn))
		e->flags |= OOM_F_MEMCG_CUT;
#pragma unroll
	for (int i = OOM_MEMCG_DEPTH - 1; i >= 0; i--) {
		if (i >= n)
			continue;
		if (len >= OOM_MEMCG_MASK) {
			e->flags |= OOM_F_MEMCG_CUT;
			break;
		}
		/*
		 * A '/', then the name. Masked after a barrier, or the compiler, knowing the
		 * bound from the test above, drops the mask the verifier needs to see.
		 */
		off = len;
		barrier_var(off);
		off &= OOM_MEMCG_MASK;
		e->memcg[off] = '/';
		r = bpf_probe_read_kernel_str(&e->memcg[off + 1], OOM_NAME_LEN,
					      BPF_CORE_READ(chain[i], name));
		if (r <= 0)
			break;
		len = off + r; /* r counts the NUL, which the next '/' overwrites */
	}
	if (!len) {
		e->memcg[0] = '/';
		len = 1;
	}
	e->memcg_len = len;
	e->flags |= OOM_F_MEMCG;
}

static __always_inline void read_victim(struct oom_event *e, struct task_struct *task)
{
	struct mm_struct *mm = BPF_CORE_READ(task, mm);

	e->victim_pid = sn_task_tgid(task);
	e->victim_tid = sn_task_tid(task);
	/* The tracepoint's uid: the real credentials' (get_task_cred()). */
	e->victim_uid = BPF_CORE_READ(task, real_cred, uid.val);
	e->oom_score_adj = BPF_CORE_READ(task, signal, oom_score_adj);
	BPF_CORE_READ_STR_INTO(&e->victim_comm, task, comm);
	if (mm) {
		e->total_vm = BPF_CORE_READ(mm, total_vm);
		e->anon_rss = mm_counter(mm, OOM_MM_ANONPAGES);
		e->file_rss = mm_counter(mm, OOM_MM_FILEPAGES);
		e->shmem_rss = mm_counter(mm, OOM_MM_SHMEMPAGES);
		e->pgtables_bytes = BPF_CORE_READ(mm, pgtables_bytes.counter);
	}
	e->flags |= OOM_F_TASK;
	read_memcg(e, task);
}

/* One victim: @task if the tracepoint passed it, otherwise looked up from @tid. */
static __always_inline int on_victim(void *ctx, struct task_struct *task, __u32 tid)
{
	__u32 cur = (__u32)bpf_get_current_pid_tgid();
	struct oom_ctl *ctl;
	struct oom_event *e;

	if (!sn_filter_current())
		return 0;
	if (!task)
		task = task_by_global_tid(tid);
	if (targ_victim && (!task || sn_task_tgid(task) != targ_victim))
		return 0;
	e = sn_reserve(sizeof(*e));
	if (!e)
		return 0;
	__builtin_memset((void *)e + sizeof(e->hdr), 0,
			 offsetof(struct oom_event, memcg) + 1 - sizeof(e->hdr));
	sn_fill_hdr(&e->hdr, 0);
	e->victim_tid = tid; /* global: the best we have if the task is gone */
	if (task)
		read_victim(e, task);
	ctl = bpf_map_lookup_elem(&oom_ctls, &cur);
	if (ctl) {
		e->total_pages = ctl->total_pages;
		e->constraint = ctl->constraint;
		e->flags |= OOM_F_CONTROL;
		if (ctl->chosen == (__u64)task) {
			e->points = ctl->points;
			e->flags |= OOM_F_CHOSEN;
		} else {
			e->flags |= OOM_F_GROUP;
		}
	}
	sn_submit(ctx, e, sizeof(*e));
	return 0;
}

/* Linux 6.9 and later pass (task, uid); before, only the pid. */
static __always_inline int on_victim_args(void *ctx, __u64 arg0)
{
	if (bpf_core_field_exists(struct trace_event_raw_mark_victim___new, total_vm))
		return on_victim(ctx, (struct task_struct *)arg0,
				 BPF_CORE_READ((struct task_struct *)arg0, pid));
	return on_victim(ctx, NULL, (__u32)arg0);
}

static __always_inline void save_control(struct oom_control *oc)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct oom_ctl ctl = {
		.total_pages = BPF_CORE_READ(oc, totalpages),
		.points = BPF_CORE_READ(oc, chosen_points),
		.chosen = (__u64)BPF_CORE_READ(oc, chosen),
		.constraint = BPF_CORE_READ(oc, constraint),
	};

	bpf_map_update_elem(&oom_ctls, &tid, &ctl, BPF_ANY);
}

static __always_inline void drop_control(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&oom_ctls, &tid);
}

SEC("?fentry/oom_kill_process")
int BPF_PROG(fentry_oom_kill, struct oom_control *oc)
{
	save_control(oc);
	return 0;
}

SEC("?fexit/oom_kill_process")
int BPF_PROG(fexit_oom_kill)
{
	drop_control();
	return 0;
}

SEC("?kprobe/oom_kill_process")
int BPF_KPROBE(kprobe_oom_kill, struct oom_control *oc)
{
	save_control(oc);
	return 0;
}

SEC("?kretprobe/oom_kill_process")
int BPF_KRETPROBE(kretprobe_oom_kill)
{
	drop_control();
	return 0;
}

SEC("?tp_btf/mark_victim")
int BPF_PROG(btf_mark_victim)
{
	return on_victim_args(ctx, ctx[0]);
}

SEC("?raw_tp/mark_victim")
int BPF_PROG(raw_mark_victim)
{
	return on_victim_args(ctx, ctx[0]);
}

SEC("?tracepoint/oom/mark_victim")
int tp_mark_victim(struct trace_event_raw_mark_victim *ctx)
{
	return on_victim(ctx, NULL, ctx->pid);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
