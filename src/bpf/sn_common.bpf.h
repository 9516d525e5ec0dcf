/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Shared by every command's BPF program: the common filters, the record header and the
 * transport (ring buffer, or perf buffer on kernels without one), with drop accounting.
 * Include after vmlinux.h. A command that builds records in place with sn_reserve() defines
 * SN_RECORD_MAX first (the size of its largest record), which sizes the perf-path scratch.
 */
#ifndef SN_COMMON_BPF_H
#define SN_COMMON_BPF_H

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "sn_abi.h"

#ifndef SN_RECORD_MAX
#define SN_RECORD_MAX 512
#endif

/* Deepest pid namespace nesting we look through to translate a pid. */
#define SN_PIDNS_MAX_LEVEL 8

const volatile struct sn_config sn_cfg = {};

/* Sized by user space before load; a minimal stand-in when the perf path is chosen. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} sn_ringbuf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} sn_perfbuf SEC(".maps");

/* Records the kernel could not hand over (buffer full), per CPU so counting is cheap. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} sn_drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} sn_cgroup SEC(".maps");

/* Where the perf path builds a record, since it has nothing to reserve in. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, SN_RECORD_MAX);
} sn_scratch SEC(".maps");

static __always_inline void sn_count_drop(void)
{
	__u32 zero = 0;
	__u64 *drops = bpf_map_lookup_elem(&sn_drops, &zero);

	if (drops)
		(*drops)++;
}

/* The number a struct pid has in the configured pid namespace; 0 when it has none there. */
static __always_inline __u32 sn_pid_nr(struct pid *pid)
{
	unsigned int level;
	struct upid upid;

	if (!pid)
		return 0;
	if (!(sn_cfg.flags & SN_CFG_PIDNS))
		return BPF_CORE_READ(pid, numbers[0].nr);
	level = BPF_CORE_READ(pid, level);
	for (int i = 0; i < SN_PIDNS_MAX_LEVEL; i++) {
		if (i > level)
			break;
		if (bpf_core_read(&upid, sizeof(upid), &pid->numbers[i]))
			break;
		if (BPF_CORE_READ(upid.ns, ns.inum) == sn_cfg.pidns_ino)
			return upid.nr;
	}
	return 0;
}

static __always_inline __u32 sn_task_tgid(struct task_struct *task)
{
	if (!(sn_cfg.flags & SN_CFG_PIDNS))
		return BPF_CORE_READ(task, tgid);
	return sn_pid_nr(BPF_CORE_READ(task, group_leader, thread_pid));
}

static __always_inline __u32 sn_task_tid(struct task_struct *task)
{
	if (!(sn_cfg.flags & SN_CFG_PIDNS))
		return BPF_CORE_READ(task, pid);
	return sn_pid_nr(BPF_CORE_READ(task, thread_pid));
}

/* The parent process as user space sees it (real_parent, not a ptracer). */
static __always_inline __u32 sn_task_ppid(struct task_struct *task)
{
	return sn_task_tgid(BPF_CORE_READ(task, real_parent));
}

/*
 * Current tgid and tid, translated into the configured pid namespace. Returns false for a
 * task outside that namespace, which no filter can match.
 */
static __always_inline bool sn_current_ids(__u32 *tgid, __u32 *tid)
{
	if (sn_cfg.flags & SN_CFG_PIDNS) {
		struct bpf_pidns_info ns = {};

		if (bpf_get_ns_current_pid_tgid(sn_cfg.pidns_dev, sn_cfg.pidns_ino, &ns,
						sizeof(ns)))
			return false;
		*tgid = ns.tgid;
		*tid = ns.pid;
		return true;
	}
	__u64 id = bpf_get_current_pid_tgid();

	*tgid = id >> 32;
	*tid = (__u32)id;
	return true;
}

static __always_inline bool sn_comm_equal(const char *comm)
{
	for (int i = 0; i < SN_COMM_LEN; i++) {
		if (comm[i] != sn_cfg.comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

/*
 * The common filters, applied to the current task. Branches on sn_cfg are resolved by the
 * verifier from the frozen .rodata, so a filter not in force costs nothing.
 */
static __always_inline bool sn_filter_current(void)
{
	__u32 tgid, tid;

	if (!sn_current_ids(&tgid, &tid))
		return false;
	if ((sn_cfg.flags & SN_CFG_TGID) && tgid != sn_cfg.tgid)
		return false;
	if ((sn_cfg.flags & SN_CFG_TID) && tid != sn_cfg.tid)
		return false;
	if ((sn_cfg.flags & SN_CFG_UID) && (__u32)bpf_get_current_uid_gid() != sn_cfg.uid)
		return false;
	if (sn_cfg.flags & SN_CFG_COMM) {
		char comm[SN_COMM_LEN];

		bpf_get_current_comm(comm, sizeof(comm));
		if (!sn_comm_equal(comm))
			return false;
	}
	if ((sn_cfg.flags & SN_CFG_CGROUP) && bpf_current_task_under_cgroup(&sn_cgroup, 0) != 1)
		return false;
	return true;
}

/* Fills the header from the current task. */
static __always_inline void sn_fill_hdr(struct sn_hdr *hdr, __u32 type)
{
	hdr->ts_ns = bpf_ktime_get_ns();
	hdr->type = type;
	sn_current_ids(&hdr->pid, &hdr->tid);
	hdr->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(hdr->comm, sizeof(hdr->comm));
}

/*
 * Batched wakeups: a submit wakes the consumer only when the pending data crosses the
 * high-water mark, otherwise user space finds the records on its next timed drain. Waking
 * on every submit above the mark instead costs an irq_work per record exactly when the
 * consumer is already behind. The band (a record's size plus 16 KiB) keeps a crossing from
 * going unseen when CPUs reserve at the same time; the timed drain backs it up anyway.
 * @pending_before: pending bytes before this record, @size: the record's.
 */
#define SN_WAKEUP_BAND 16384

static __always_inline __u64 sn_wakeup_flag(__u64 pending_after, __u32 size)
{
	if (pending_after >= sn_cfg.wakeup_bytes &&
	    pending_after < sn_cfg.wakeup_bytes + size + SN_WAKEUP_BAND)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

/* Room for one record of @size bytes (<= SN_RECORD_MAX), or NULL with the drop counted. */
static __always_inline void *sn_reserve(__u32 size)
{
	__u32 zero = 0;
	void *rec;

	if (sn_cfg.flags & SN_CFG_RINGBUF) {
		rec = bpf_ringbuf_reserve(&sn_ringbuf, size, 0);
		if (!rec)
			sn_count_drop();
		return rec;
	}
	return bpf_map_lookup_elem(&sn_scratch, &zero);
}

static __always_inline void sn_submit(void *ctx, void *rec, __u32 size)
{
	if (sn_cfg.flags & SN_CFG_RINGBUF) {
		/* The reservation already counts as pending. */
		bpf_ringbuf_submit(rec, sn_wakeup_flag(bpf_ringbuf_query(&sn_ringbuf,
									  BPF_RB_AVAIL_DATA),
							size));
		return;
	}
	if (bpf_perf_event_output(ctx, &sn_perfbuf, BPF_F_CURRENT_CPU, rec, size))
		sn_count_drop();
}

/* Gives back a reservation that turned out not to be wanted. */
static __always_inline void sn_discard(void *rec)
{
	if (sn_cfg.flags & SN_CFG_RINGBUF)
		bpf_ringbuf_discard(rec, BPF_RB_NO_WAKEUP);
}

/* Copies a record of variable @size out, for records built elsewhere (a map value). */
static __always_inline void sn_output(void *ctx, void *data, __u32 size)
{
	long err;

	if (sn_cfg.flags & SN_CFG_RINGBUF)
		err = bpf_ringbuf_output(&sn_ringbuf, data, size,
					 sn_wakeup_flag(bpf_ringbuf_query(&sn_ringbuf,
									  BPF_RB_AVAIL_DATA) +
							size,
							size));
	else
		err = bpf_perf_event_output(ctx, &sn_perfbuf, BPF_F_CURRENT_CPU, data, size);
	if (err)
		sn_count_drop();
}

#endif /* SN_COMMON_BPF_H */
