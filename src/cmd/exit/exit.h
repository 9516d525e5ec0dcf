/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* sysnoop exit: the records the BPF side hands to user space. */
#ifndef SN_EXIT_H
#define SN_EXIT_H

#include "sn_abi.h"

#define PROC_FILENAME_LEN 512 /* bytes of the exec'd filename kept, NUL included */

/* sn_hdr.type */
#define PROC_REC_EXIT 1
#define PROC_REC_EXEC 2 /* only with --with-exec */

struct exit_event {
	struct sn_hdr hdr;
	__u32 ppid;
	__u32 exit_code; /* as wait(2) encodes it: status << 8, or signal | 0x80 for a core */
	__u64 age_ns;    /* exit records: time since the process (or thread) started */
	char filename[PROC_FILENAME_LEN]; /* exec records only */
};

#endif /* SN_EXIT_H */
