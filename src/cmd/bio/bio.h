/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* sysnoop bio: what the BPF side and user space share (also used by biolat). */
#ifndef SN_BIO_H
#define SN_BIO_H

#include "sn_abi.h"

/* The kernel's rwbs string ("WS", "FWFSM", "DE"...) with its NUL; the kernel's is 8 to 10. */
#define BIO_RWBS_LEN 12

/* sn_hdr.type */
#define BIO_REC_IO 1

/* bio_event.flags */
#define BIO_F_QUEUE_KNOWN (1u << 0) /* the request was seen before its issue: queue_ns is set */

/* The disk filter (--disk), in .rodata as `bio_disk`. */
struct bio_disk_filter {
	__u32 dev;       /* kernel dev_t (major << 20 | minor) of the whole disk; 0: any disk */
	__u32 pad;
	__u64 sector_lo; /* a partition: its first sector on the disk */
	__u64 sector_hi; /* and the sector after its last; ~0 for a whole disk */
};

/* One completed request. */
struct bio_event {
	struct sn_hdr hdr; /* the issuer (see bio_req.bpf.h); ts_ns is the completion */
	__u64 sector;      /* on the whole disk, in 512-byte units */
	__u64 lat_ns;      /* issue to completion */
	__u64 queue_ns;    /* start (or insert) to issue, with BIO_F_QUEUE_KNOWN */
	__u32 dev;         /* kernel dev_t of the disk */
	__u32 bytes;
	__u32 flags;
	char rwbs[BIO_RWBS_LEN];
};

/* Kernel dev_t encoding (MKDEV in include/linux/kdev_t.h), not glibc's. */
#define BIO_MINORBITS 20
#define BIO_MKDEV(ma, mi) (((__u32)(ma) << BIO_MINORBITS) | (__u32)(mi))
#define BIO_MAJOR(dev) ((__u32)(dev) >> BIO_MINORBITS)
#define BIO_MINOR(dev) ((__u32)(dev) & ((1u << BIO_MINORBITS) - 1))

#endif /* SN_BIO_H */
