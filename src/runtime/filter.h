/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The common filters: checked in user space once, then handed to the kernel (.rodata and
 * the cgroup array), where every record is filtered before it is made.
 */
#ifndef SN_FILTER_H
#define SN_FILTER_H

#include <linux/types.h>

#include "command.h"
#include "sn_abi.h"

/*
 * Fills @cfg from @c. Opens the cgroup directory into @cgroup_fd (-1 if none). Returns 0,
 * or -EINVAL / -ENOENT / -ESRCH after printing which filter is wrong and why.
 */
int sn_filter_build(const struct sn_common *c, struct sn_config *cfg, int *cgroup_fd);

#endif /* SN_FILTER_H */
