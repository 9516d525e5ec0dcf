/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* sysnoop filelife: the record the BPF side hands to user space. */
#ifndef SN_FILELIFE_H
#define SN_FILELIFE_H

#include "sn_abi.h"
#include "../unlink/dpath.h"

/* The name: a dentry's (up to DPATH_NAME_LEN) or the path passed to unlink (PATH_MAX). */
#define FILELIFE_NAME_LEN  4096
/* Room for the name and the directory names; a power of two so offsets can be masked. */
#define FILELIFE_DATA_MASK (8192 - 1)

/* Bits of filelife_event.flags */
#define FILELIFE_F_NAME_CUT (1u << 0) /* the path as passed is longer than the name room */
#define FILELIFE_F_DIR      (1u << 1) /* directory names follow the name (--full-path) */
#define FILELIFE_F_DIR_CUT  (1u << 2) /* ... but they stop before the root */

struct filelife_event {
	struct sn_hdr hdr; /* the task that deleted the file */
	__u64 age_ns;      /* from creation to deletion */
	__u64 ino;
	__u32 dev;      /* as the kernel encodes it: major << 20 | minor */
	__u32 flags;
	/*
	 * Bytes of data[] taken by the name, NUL included; 0 if unknown. It is the dentry's
	 * name, or on the tracefs variant the path as passed to unlink(2) or unlinkat(2).
	 * A relative one is relative to the directory whose names follow (leaf first).
	 */
	__u32 name_len;
	__u32 dir_len;
	char data[FILELIFE_DATA_MASK + 1 + DPATH_NAME_LEN];
};

#endif /* SN_FILELIFE_H */
