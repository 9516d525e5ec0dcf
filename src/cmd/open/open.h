/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* sysnoop open: the record the BPF side hands to user space. */
#ifndef SN_OPEN_H
#define SN_OPEN_H

#include "sn_abi.h"

/* Path bytes kept, NUL included: PATH_MAX, the most the kernel accepts. */
#define OPEN_PATH_LEN   4096
/* Room for --path-prefix, NUL included. */
#define OPEN_PREFIX_LEN 256

/* open_event.syscall */
#define OPEN_SYS_OPEN    0
#define OPEN_SYS_OPENAT  1
#define OPEN_SYS_OPENAT2 2
#define OPEN_SYS_CREAT   3

/* Bits of open_event.rec_flags. */
#define OPEN_F_PATH_CUT (1u << 0) /* the path went on past OPEN_PATH_LEN - 1 bytes */
#define OPEN_F_NO_PATH  (1u << 1) /* the path could not be read (a bad pointer) */

/*
 * Records are as long as their path: the header, then the path up to its NUL. Most
 * paths are short, so the ring buffer holds many more records than a fixed size allows.
 */
struct open_event {
	struct sn_hdr hdr;
	__s32 ret;   /* the new fd, or a negative errno */
	__u32 flags; /* as passed (O_*); creat(2) is O_CREAT|O_WRONLY|O_TRUNC */
	__u32 mode;  /* as passed; meaningful with O_CREAT or O_TMPFILE */
	__s32 dirfd; /* openat, openat2; AT_FDCWD otherwise */
	__u16 syscall;
	__u16 rec_flags;
	char path[OPEN_PATH_LEN];
};

#endif /* SN_OPEN_H */
