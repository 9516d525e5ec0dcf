/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* sysnoop oom: the record the BPF side hands to user space. */
#ifndef SN_OOM_H
#define SN_OOM_H

#include "sn_abi.h"

/* The victim's memory cgroup path: up to this many bytes are kept (a power of two, less 1). */
#define OOM_MEMCG_MASK  511
/* One kernfs name, NUL included (NAME_MAX + 1). */
#define OOM_NAME_LEN    256
/* Cgroup levels walked up from the victim's memory cgroup to the root. */
#define OOM_MEMCG_DEPTH 16

/* Bits of oom_event.flags: which fields are valid. */
#define OOM_F_TASK      (1u << 0) /* the victim's task was found: comm, uid, memory */
#define OOM_F_CONTROL   (1u << 1) /* total_pages and constraint (fentry and kprobe) */
#define OOM_F_CHOSEN    (1u << 2) /* the OOM killer chose this victim itself: points */
#define OOM_F_GROUP     (1u << 3) /* killed with the chosen one (memory.oom.group) */
#define OOM_F_MEMCG     (1u << 4) /* memcg holds the path */
#define OOM_F_MEMCG_CUT (1u << 5) /* levels left out: deeper than OOM_MEMCG_DEPTH, or too long */

/* oom_event.constraint: the kernel's enum oom_constraint. */
#define OOM_CONSTRAINT_NONE          0
#define OOM_CONSTRAINT_CPUSET        1
#define OOM_CONSTRAINT_MEMORY_POLICY 2
#define OOM_CONSTRAINT_MEMCG         3

struct oom_event {
	struct sn_hdr hdr; /* the trigger: the task whose allocation ran the OOM killer */
	__u32 victim_pid;
	__u32 victim_tid;
	__u32 victim_uid;
	__s32 oom_score_adj;
	__u64 total_vm;       /* pages */
	__u64 anon_rss;       /* pages */
	__u64 file_rss;       /* pages */
	__u64 shmem_rss;      /* pages */
	__u64 pgtables_bytes;
	__u64 total_pages;    /* memory the OOM killer weighed against, in pages */
	__s64 points;         /* the chosen victim's badness */
	__u32 constraint;
	__u32 flags;
	__u32 memcg_len;      /* bytes of memcg, without a NUL */
	char victim_comm[SN_COMM_LEN];
	char memcg[OOM_MEMCG_MASK + 1 + OOM_NAME_LEN];
};

#endif /* SN_OOM_H */
