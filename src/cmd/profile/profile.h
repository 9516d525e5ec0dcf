/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* sysnoop profile: the maps' keys and the one record the BPF side streams. */
#ifndef SN_PROFILE_H
#define SN_PROFILE_H

#include "sn_abi.h"

/* Frames kept per stack: the kernel's PERF_MAX_STACK_DEPTH. */
#define PROFILE_MAX_DEPTH 127

/* Stack ids that are not ids: why a key has no stack of that kind. */
#define PROFILE_STACK_NONE      -1 /* not asked for, or none to take (user mode, kernel thread) */
#define PROFILE_STACK_MISSING   -2 /* the walk failed or found nothing where a stack was due */
#define PROFILE_STACK_COLLISION -3 /* another stack holds its slot in the stack table */

/* One count in the `counts` map: samples of a process with a pair of stacks. */
struct profile_key {
	__u32 tgid;          /* as the kernel knows it, to read /proc/PID/maps */
	__u32 pid;           /* as seen in the configured pid namespace */
	__s32 user_stack_id; /* an id in `stacks`, or PROFILE_STACK_* */
	__s32 kern_stack_id;
	__u64 as_id;         /* the address space (mm) the user stack belongs to; 0 without one */
	__u64 ip;            /* where the sample hit, kept only when that side's stack is lost */
	char comm[SN_COMM_LEN];
};

/* Indexes of the per-CPU `stats` counters. */
enum profile_stat {
	PROFILE_STAT_KERN_MISSING,
	PROFILE_STAT_KERN_COLLISION,
	PROFILE_STAT_USER_MISSING,
	PROFILE_STAT_USER_COLLISION,
	PROFILE_STAT_MAP_FULL,         /* samples not counted: `counts` was full */
	PROFILE_STAT__COUNT,
};

/* sn_hdr.type of the record sent when a process (address space) is first sampled. */
#define PROFILE_REC_PROC 1

/* Tells user space to read the process's memory map while it still runs. */
struct profile_proc_event {
	struct sn_hdr hdr;
	__u32 tgid;
	__u32 pad;
	__u64 as_id;
};

#endif /* SN_PROFILE_H */
