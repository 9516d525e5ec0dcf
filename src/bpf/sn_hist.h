/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A histogram as the BPF side keeps it and user space reads it: buckets plus count, sum,
 * min and max, so averages and ranges need no second pass. Kept in per-CPU maps (no atomics
 * on the hot path); user space merges the CPUs with sn_hist_merge().
 */
#ifndef SN_HIST_H
#define SN_HIST_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* log2 buckets: slot i holds values in [2^(i-1), 2^i), slot 0 holds 0. */
#define SN_HIST_SLOTS 64

struct sn_hist {
	__u64 slots[SN_HIST_SLOTS];
	__u64 count;
	__u64 sum;
	__u64 min; /* valid when count > 0 */
	__u64 max;
};

#endif /* SN_HIST_H */
