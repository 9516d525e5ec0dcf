/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* sysnoop syscount: the per-CPU maps the BPF side fills and user space reads. */
#ifndef SN_SYSCOUNT_H
#define SN_SYSCOUNT_H

#include "sn_abi.h"
#include "summary_abi.h"

/* Entries by system call alone, indexed by number: native ones stay below this. */
#define SYSCOUNT_NR_ENTRIES 1024
/* Entries by process (or process and call), before the per-CPU memory budget. */
#define SYSCOUNT_PROC_ENTRIES 10240

/* The key by process (pid, nr), or by process alone (nr is zero). */
struct syscount_key {
	__u32 pid; /* as seen from the configured pid namespace */
	__u32 nr;  /* system call number */
};

struct syscount_val {
	__u64 count;
	__u64 total_ns;           /* time inside the calls, with --latency */
	char comm[SN_COMM_LEN];   /* the process's (group leader's) name, with --by-process */
};

#endif /* SN_SYSCOUNT_H */
