/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* sysnoop hist: the per-CPU maps of histograms the BPF side fills and user space reads. */
#ifndef SN_HIST_CMD_H
#define SN_HIST_CMD_H

#include "sn_abi.h"
#include "sn_hist.h"

/* hist_key is filled by: */
#define HIST_BY_NONE 0 /* one histogram: the key is all zero */
#define HIST_BY_PID  1
#define HIST_BY_COMM 2

/* Histograms with --by, before the per-CPU memory budget. */
#define HIST_BY_ENTRIES 1024

struct hist_key {
	__u32 pid;              /* HIST_BY_PID, as seen from the configured pid namespace */
	char comm[SN_COMM_LEN]; /* HIST_BY_COMM: the thread's name */
};

struct hist_val {
	struct sn_hist hist;
	__u64 errors;           /* calls that returned -errno (with --value ret: not in hist) */
	char comm[SN_COMM_LEN]; /* HIST_BY_PID: the process's (group leader's) name */
};

#endif /* SN_HIST_CMD_H */
