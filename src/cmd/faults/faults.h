/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* sysnoop faults: the counts map the BPF side fills and user space drains. */
#ifndef SN_FAULTS_H
#define SN_FAULTS_H

#include "sn_abi.h"

/* Slots of faults_value.count. */
#define FAULTS_ALL   0 /* page-faults, or the exception tracepoints */
#define FAULTS_MINOR 1 /* --split: minor-faults */
#define FAULTS_MAJOR 2 /* --split: major-faults */

struct faults_key {
	__u32 pid; /* 0 unless -P; as seen in the configured pid namespace */
	char comm[SN_COMM_LEN];
};

struct faults_value {
	__u64 count[3];
};

#endif /* SN_FAULTS_H */
