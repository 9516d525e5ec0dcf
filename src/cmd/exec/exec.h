/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* sysnoop exec: the record the BPF side hands to user space. */
#ifndef SN_EXEC_H
#define SN_EXEC_H

#include "sn_abi.h"

#define EXEC_PATH_LEN  4096 /* filename bytes kept, NUL included */
#define EXEC_ARGS_MAX  64   /* the largest --max-args */
#define EXEC_ARGS_DEF  20   /* the default --max-args */
/* Argument text kept of a successful exec, all arguments together. */
#define EXEC_ARGS_CAP  12288
/* Failed execs: arguments are read one by one at entry, each up to this, NUL included. */
#define EXEC_ARG_LEN   128
/* Room for the filename and the arguments; a power of two so offsets can be masked. */
#define EXEC_DATA_MASK (16384 - 1)

#define EXEC_SYSCALL_EXECVE   0
#define EXEC_SYSCALL_EXECVEAT 1

/* Bits of exec_event.flags: what was cut short, so output can say so. */
#define EXEC_F_MORE_ARGS (1u << 0) /* argv had more than --max-args entries */
#define EXEC_F_ARG_CUT   (1u << 1) /* an argument, or all of them together, was cut */
#define EXEC_F_PATH_CUT  (1u << 2) /* the filename was longer than EXEC_PATH_LEN - 1 */
#define EXEC_F_FROM_MM   (1u << 3) /* arguments read from the new image (all of them) */

struct exec_event {
	struct sn_hdr hdr;
	__u32 ppid;
	__s32 ret;
	__u32 syscall;
	__s32 dirfd;    /* execveat only */
	__u32 at_flags; /* execveat only */
	__u32 flags;
	__u32 filename_len; /* bytes of data[] taken by the filename, NUL included */
	__u32 args_len;     /* NUL-terminated arguments after the filename */
	__u32 args_count;   /* read at entry only; user space counts arguments from the image */
	__u32 pad;
	char data[EXEC_DATA_MASK + 1 + EXEC_ARG_LEN];
};

#endif /* SN_EXEC_H */
