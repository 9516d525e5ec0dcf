/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Filling a struct sn_hist from BPF. */
#ifndef SN_HIST_BPF_H
#define SN_HIST_BPF_H

#include "sn_hist.h"

/* As libbpf's bpf_helpers.h has it; here too for the unit tests, which build this file. */
#ifndef barrier_var
#define barrier_var(var) asm volatile("" : "+r"(var))
#endif

/* The log2 slot of @v: 0 for 0, else 1 + floor(log2(v)), capped at the last slot. */
static __always_inline __u32 sn_hist_log2_slot(__u64 v)
{
	__u32 slot = 0;

	if (!v)
		return 0;
	for (int shift = 32; shift > 0; shift >>= 1) {
		if (v >= (1ULL << shift)) {
			v >>= shift;
			slot += shift;
		}
	}
	slot += 1;
	return slot < SN_HIST_SLOTS ? slot : SN_HIST_SLOTS - 1;
}

/*
 * Linear slots for [min, min + step * (n - 2)): slot 0 counts values below min, slot n - 1
 * values at or above the top; n <= SN_HIST_SLOTS.
 */
static __always_inline __u32 sn_hist_linear_slot(__s64 v, __s64 min, __s64 step, __u32 n)
{
	__s64 idx;

	if (v < min || step <= 0)
		return 0;
	/* Both are non-negative here; BPF before cpu v4 (clang < 18) has no signed division. */
	idx = (__s64)((__u64)(v - min) / (__u64)step) + 1;
	if (idx >= n - 1)
		return n - 1;
	return (__u32)idx;
}

/* Adds @v (in slot @slot) to a per-CPU histogram: plain stores, no atomics needed. */
static __always_inline void sn_hist_add(struct sn_hist *h, __u32 slot, __u64 v)
{
	if (slot >= SN_HIST_SLOTS)
		slot = SN_HIST_SLOTS - 1;
	/*
	 * clang may test a copy of @slot and index with the original, whose bound the verifier
	 * then does not know; a mask on the register used (SN_HIST_SLOTS is a power of two)
	 * bounds it.
	 */
	barrier_var(slot);
	slot &= SN_HIST_SLOTS - 1;
	h->slots[slot]++;
	if (!h->count || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum += v;
}

#endif /* SN_HIST_BPF_H */
