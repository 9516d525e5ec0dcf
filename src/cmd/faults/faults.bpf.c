// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop faults: counts page faults per comm (or per process) in a hash map, from the
 * page-faults software perf event sampled at every fault, or from the x86 exception
 * tracepoints. Both run in the faulting task, so the common filters apply here.
 */
#include "vmlinux.h"
#include "faults.h"
#include "sn_common.bpf.h"

#define EEXIST 17

const volatile bool by_pid = false;

/* Sized by user space (--max-entries). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct faults_key);
	__type(value, struct faults_value);
} counts SEC(".maps");

/* Faults not counted because `counts` was full. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} map_full SEC(".maps");

static __always_inline int count_fault(int slot)
{
	struct faults_value zero = {}, *v;
	struct faults_key key = {};
	__u32 tgid, tid, idx = 0;
	__u64 *full;
	long err;

	if (!sn_filter_current())
		return 0;
	if (by_pid) {
		sn_current_ids(&tgid, &tid);
		key.pid = tgid;
	}
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	v = bpf_map_lookup_elem(&counts, &key);
	if (!v) {
		err = bpf_map_update_elem(&counts, &key, &zero, BPF_NOEXIST);
		if (err && err != -EEXIST) {
			full = bpf_map_lookup_elem(&map_full, &idx);
			if (full)
				(*full)++;
			return 0;
		}
		v = bpf_map_lookup_elem(&counts, &key);
		if (!v)
			return 0;
	}
	__sync_fetch_and_add(&v->count[slot], 1);
	return 0;
}

SEC("?perf_event")
int pe_fault(struct bpf_perf_event_data *ctx)
{
	return count_fault(FAULTS_ALL);
}

SEC("?perf_event")
int pe_minor(struct bpf_perf_event_data *ctx)
{
	return count_fault(FAULTS_MINOR);
}

SEC("?perf_event")
int pe_major(struct bpf_perf_event_data *ctx)
{
	return count_fault(FAULTS_MAJOR);
}

/*
 * exceptions:page_fault_{user,kernel} as tracefs describes them; x86 only, so spelled out
 * here rather than taken from an x86 vmlinux.h.
 */
struct page_fault_args {
	__u64 common;
	__u64 address;
	__u64 ip;
	__u64 error_code;
};

/*
 * The page-faults event counts faults on user addresses, whether user code or the kernel
 * (copy_to_user) touched them; a fault on a kernel address is no page fault of the task.
 * The kernel owns the upper half of the address space.
 */
static __always_inline int on_exception(struct page_fault_args *args)
{
	if ((long)args->address < 0)
		return 0;
	return count_fault(FAULTS_ALL);
}

SEC("?tracepoint/exceptions/page_fault_user")
int tp_fault_user(struct page_fault_args *args)
{
	return on_exception(args);
}

SEC("?tracepoint/exceptions/page_fault_kernel")
int tp_fault_kernel(struct page_fault_args *args)
{
	return on_exception(args);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
