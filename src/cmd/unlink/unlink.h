/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* sysnoop unlink: the record the BPF side hands to user space. */
#ifndef SN_UNLINK_H
#define SN_UNLINK_H

#include "sn_abi.h"
#include "dpath.h"

#define UNLINK_NAME_LEN  4096 /* the path as passed (PATH_MAX), NUL included */
/* Room for the path and the directory names; a power of two so offsets can be masked. */
#define UNLINK_DATA_MASK (8192 - 1)

/* Bits of unlink_event.flags */
#define UNLINK_F_RMDIR    (1u << 0) /* rmdir(2), or unlinkat(2) with AT_REMOVEDIR */
#define UNLINK_F_NAME_CUT (1u << 1) /* the path is longer than UNLINK_NAME_LEN - 1 bytes */
#define UNLINK_F_DIR      (1u << 2) /* directory names of the dirfd (or cwd) follow the path */
#define UNLINK_F_DIR_CUT  (1u << 3) /* ... but they stop before the root */

struct unlink_event {
	struct sn_hdr hdr;
	__u64 name_ptr; /* the caller's path, to read again at exit if entry could not */
	__s32 ret;
	__s32 dirfd;    /* AT_FDCWD (-100) for unlink(2) and rmdir(2) */
	__u32 flags;
	__u32 name_len; /* bytes of data[] taken by the path as passed, NUL included; 0: unread */
	__u32 dir_len;  /* directory names after it, leaf first (see dpath.h) */
	__u32 pad;
	char data[UNLINK_DATA_MASK + 1 + DPATH_NAME_LEN];
};

#endif /* SN_UNLINK_H */
