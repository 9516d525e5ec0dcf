/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* sysnoop kill: the record the BPF side hands to user space. */
#ifndef SN_KILL_H
#define SN_KILL_H

#include "sn_abi.h"

/* sn_hdr.type */
#define KILL_REC_SYSCALL   1 /* a signal sent by one of the syscalls below */
#define KILL_REC_GENERATED 2 /* --all-signals: any other signal the kernel generated */

/* kill_event.syscall */
#define KILL_SYS_KILL              0
#define KILL_SYS_TKILL             1
#define KILL_SYS_TGKILL            2
#define KILL_SYS_RT_SIGQUEUEINFO   3
#define KILL_SYS_RT_TGSIGQUEUEINFO 4
#define KILL_SYS__COUNT            5

/* kill_event.result of generated signals: the kernel's enum trace_signal_result. */
#define KILL_RESULT_DELIVERED       0
#define KILL_RESULT_IGNORED         1
#define KILL_RESULT_ALREADY_PENDING 2
#define KILL_RESULT_OVERFLOW_FAIL   3
#define KILL_RESULT_LOSE_INFO       4

/* Signals 0 (a permission check) to 64: one bit each in two words. */
#define KILL_SIG_MAX 64

struct kill_event {
	struct sn_hdr hdr; /* the sender: the task that called the syscall or was running */
	__s32 target_pid;  /* as passed (0, -1 and -PGID address groups); syscall records */
	__s32 target_tid;  /* thread-directed sends; for generated signals, the kernel's tid */
	__u32 sig;
	__s32 ret;         /* syscall records: 0 or a negative errno */
	__u32 syscall;
	__s32 si_code;     /* generated records */
	__u32 result;      /* generated records: KILL_RESULT_* */
	__u32 group;       /* generated records: sent to the whole process */
	char target_comm[SN_COMM_LEN]; /* generated records */
};

#endif /* SN_KILL_H */
