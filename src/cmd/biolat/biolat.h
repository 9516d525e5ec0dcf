/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* sysnoop biolat: the per-CPU hash of latency histograms the BPF side fills. */
#ifndef SN_BIOLAT_H
#define SN_BIOLAT_H

#include "sn_abi.h"
#include "sn_hist.h"
/* The BPF build finds bio.h on its path; user space includes it first as cmd/bio/bio.h. */
#ifndef SN_BIO_H
#include "bio.h"
#endif

/* Histograms kept apart at most: per disk (-D), per rwbs (-F), or both. */
#define BIOLAT_MAX_DISKS 64
#define BIOLAT_MAX_OPS   32
#define BIOLAT_MAX_BOTH  1024

/* One histogram's key: all zero without -D and -F. */
struct biolat_key {
	__u32 dev;               /* -D: kernel dev_t of the disk */
	char rwbs[BIO_RWBS_LEN]; /* -F: the kernel's rwbs */
};

#endif /* SN_BIOLAT_H */
