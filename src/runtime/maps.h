/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reading what summaries gathered in BPF maps: a hash map's entries taken out (so the next
 * interval starts empty), and per-CPU counters summed.
 */
#ifndef SN_MAPS_H
#define SN_MAPS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Takes every entry out of hash map @fd, calling @fn with each key and value. An entry is
 * read and deleted in one step where the kernel can (5.14 and later), so an update racing
 * with the drain is either in this round or the next; older kernels read then delete.
 * Returns the number of entries, or a negative errno (from @fn too, which stops the drain).
 */
int sn_map_drain(int fd, size_t key_size, size_t value_size,
		 int (*fn)(const void *key, const void *value, void *ctx), void *ctx);

/* The keys of hash map @fd, packed in *@keys (to free), *@nr of them. 0 or a negative errno. */
int sn_map_keys(int fd, size_t key_size, char **keys, size_t *nr);

/* The sum over all CPUs of slot @idx of a per-CPU array of u64. 0 or a negative errno. */
int sn_percpu_sum(int fd, uint32_t idx, uint64_t *sum);

#endif /* SN_MAPS_H */
