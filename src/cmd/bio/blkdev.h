/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What bio and biolat share in user space: disks by name and by number, the --disk
 * filter, and the hook variants of the request tracking in bio_req.bpf.h.
 */
#ifndef SN_BLKDEV_H
#define SN_BLKDEV_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/command.h"
#include "cmd/bio/bio.h"

struct bpf_object;

/*
 * Resolves --disk @arg ("sda", "/dev/loop3", "nvme0n1p2" or "8:0") into @f: the whole disk's
 * dev_t and, for a partition, its sector range on that disk. Returns 0, or -EINVAL after
 * printing why.
 */
int blkdev_parse_filter(const char *arg, struct bio_disk_filter *f);

/* The name of disk @dev (kernel dev_t), as /dev shows it; "MAJ:MIN" if it has none. Cached. */
const char *blkdev_name(uint32_t dev);

/* The hook variants, best first: block_io_start kernels (6.5+), then older ones. */
#define BLKDEV_NR_HOOKS 6
extern const struct sn_hook_variant blkdev_hooks[BLKDEV_NR_HOOKS];

/*
 * Shrinks the request map the chosen variant does not use to one entry (each holds
 * BIO_MAX_INFLIGHT requests). Call from configure, before load.
 */
int blkdev_size_maps(struct sn_session *s);

#endif /* SN_BLKDEV_H */
