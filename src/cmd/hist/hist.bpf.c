// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop hist: the distribution of one system call's latency, or of its return value,
 * kept as histograms in the kernel (one, or one per pid or comm). The call is picked by
 * number at both tracepoints before anything else, so other calls cost a compare.
 */
#include "vmlinux.h"
#include "hist.h"
#include "sn_common.bpf.h"
#include "sn_hist.bpf.h"
#include "../syscount/summary.bpf.h"

const volatile long target_nr = -1;
const volatile bool value_ret = false; /* the return value instead of the latency */
const volatile __u64 unit_ns = 1000;   /* latency unit */
const volatile bool linear = false;
const volatile __s64 lin_min = 0;
const volatile __s64 lin_step = 1;
const volatile __u32 lin_nr = SN_HIST_SLOTS;
const volatile __u32 key_by = HIST_BY_NONE;

/* The one histogram without --by: an array, reached without hashing. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hist_val);
} hist_one SEC(".maps");

/* One histogram per key with --by; sized by user space, to 1 when not used. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, HIST_BY_ENTRIES);
	__type(key, struct hist_key);
	__type(value, struct hist_val);
} hists SEC(".maps");

/* A zeroed value to create entries from: larger than the BPF stack. */
static const struct hist_val zero_val;

static __always_inline int on_enter(long id)
{
	if (id == target_nr && sn_filter_current())
		summary_enter();
	return 0;
}

static __always_inline int on_exit(long id, long ret)
{
	struct hist_key key = {};
	struct hist_val *val;
	__u32 tgid, tid, slot, zero = 0;
	__u64 v;

	if (id != target_nr)
		return 0;
	if (value_ret) {
		if (!sn_filter_current())
			return 0;
		v = ret;
	} else {
		/* The filters ran at entry: a stamp exists only for what passed. */
		if (!summary_exit_latency(&v))
			return 0;
		v /= unit_ns;
	}
	if (key_by == HIST_BY_PID) {
		sn_current_ids(&tgid, &tid);
		key.pid = tgid;
	} else if (key_by == HIST_BY_COMM) {
		bpf_get_current_comm(key.comm, sizeof(key.comm));
	}
	if (key_by == HIST_BY_NONE)
		val = bpf_map_lookup_elem(&hist_one, &zero);
	else
		val = summary_lookup_or_init(&hists, &key, &zero_val);
	if (!val)
		return 0;
	if (key_by == HIST_BY_PID) {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task();

		/* The name of the process, not the thread; refreshed since exec changes it. */
		BPF_CORE_READ_STR_INTO(&val->comm, task, group_leader, comm);
	}
	if (ret < 0) {
		val->errors++;
		/* A negative return is an error code, not a value to put among the others. */
		if (value_ret)
			return 0;
	}
	if (linear)
		slot = sn_hist_linear_slot((__s64)v, lin_min, lin_step, lin_nr);
	else
		slot = sn_hist_log2_slot(v);
	sn_hist_add(&val->hist, slot, v);
	return 0;
}

SUMMARY_SYSCALL_PROGRAMS(on_enter, on_exit)

char LICENSE[] SEC("license") = "Dual BSD/GPL";
