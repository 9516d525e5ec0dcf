// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop biolat: block I/O latency as log2 histograms built in the kernel, one in all or
 * one per disk and/or rwbs. The request tracking is bio_req.bpf.h's, as for bio.
 */
#include "vmlinux.h"
#include "biolat.h"
/* Nothing goes through the ring buffer. */
#define SN_RECORD_MAX 8
#include "sn_common.bpf.h"
#include "sn_hist.bpf.h"
#include "bio_req.bpf.h"

const volatile bool per_disk = false;
const volatile bool per_rwbs = false;
const volatile bool queued = false;      /* from the start (or insert), not the issue */
const volatile __u64 unit_ns = 1000;     /* the histogram's unit: us, or ms with -m */

/* Resized by user space to what -D and -F can need. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1);
	__type(key, struct biolat_key);
	__type(value, struct sn_hist);
} hists SEC(".maps");

/* Samples with no room for their histogram (more disks or operations than the map holds). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

static const struct sn_hist empty_hist;

static __always_inline void bio_on_done(void *ctx, const struct bio_req *r, __u64 now)
{
	__u64 from = queued && r->start_ns ? r->start_ns : r->issue_ns;
	struct biolat_key key = {};
	struct sn_hist *h;
	__u64 v;
	__u32 zero = 0;

	if (per_disk)
		key.dev = r->dev;
	if (per_rwbs)
		__builtin_memcpy(key.rwbs, r->rwbs, sizeof(key.rwbs));
	h = bpf_map_lookup_elem(&hists, &key);
	if (!h) {
		bpf_map_update_elem(&hists, &key, &empty_hist, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &key);
	}
	if (!h) {
		__u64 *n = bpf_map_lookup_elem(&lost, &zero);

		if (n)
			(*n)++;
		return;
	}
	v = (now - from) / unit_ns;
	sn_hist_add(h, sn_hist_log2_slot(v), v);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
