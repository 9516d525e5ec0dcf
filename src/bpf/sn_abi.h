/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the BPF side and user space share for every command: the record header and the
 * common configuration that user space writes into .rodata before load. Fixed-width
 * types only, so the layout is the same on both sides.
 */
#ifndef SN_ABI_H
#define SN_ABI_H

#ifndef __VMLINUX_H__ /* the BPF side has the kernel's own types from vmlinux.h */
#include <linux/types.h>
#endif

#define SN_COMM_LEN 16

/* Bits of sn_config.flags: which common filters and transport are in force. */
#define SN_CFG_TGID    (1u << 0)
#define SN_CFG_TID     (1u << 1)
#define SN_CFG_UID     (1u << 2)
#define SN_CFG_COMM    (1u << 3)
#define SN_CFG_CGROUP  (1u << 4)
#define SN_CFG_PIDNS   (1u << 5)
#define SN_CFG_RINGBUF (1u << 6)

struct sn_config {
	__u32 flags;
	__u32 tgid;
	__u32 tid;
	__u32 uid;
	char comm[SN_COMM_LEN];
	__u64 pidns_dev;
	__u64 pidns_ino;
	/* Pending ring-buffer bytes past which a submit wakes the consumer. */
	__u64 wakeup_bytes;
};

/* Starts every record; pids are as seen from the configured pid namespace. */
struct sn_hdr {
	__u64 ts_ns; /* CLOCK_MONOTONIC */
	__u32 type;  /* command-defined record type */
	__u32 pid;   /* process (tgid) */
	__u32 tid;
	__u32 uid;
	char comm[SN_COMM_LEN];
};

#endif /* SN_ABI_H */
