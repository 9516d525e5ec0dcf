// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "maps.h"

int sn_map_keys(int fd, size_t key_size, char **keys, size_t *nr)
{
	size_t cap = 0;
	char *prev = NULL, *buf;
	int err;

	*keys = NULL;
	*nr = 0;
	for (;;) {
		if (*nr == cap) {
			cap = cap ? cap * 2 : 256;
			buf = realloc(*keys, cap * key_size);
			if (!buf) {
				err = -ENOMEM;
				break;
			}
			*keys = buf;
			prev = *nr ? *keys + (*nr - 1) * key_size : NULL;
		}
		if (bpf_map_get_next_key(fd, prev, *keys + *nr * key_size)) {
			if (errno == ENOENT)
				return 0;
			err = -errno;
			break;
		}
		prev = *keys + (*nr)++ * key_size;
	}
	free(*keys);
	*keys = NULL;
	*nr = 0;
	return err;
}

int sn_map_drain(int fd, size_t key_size, size_t value_size,
		 int (*fn)(const void *key, const void *value, void *ctx), void *ctx)
{
	static bool no_lookup_and_delete;
	char *keys, *value = malloc(value_size);
	size_t nr;
	int err, count = 0;

	if (!value)
		return -ENOMEM;
	/* Keys first, then entries: deleting while walking with get_next_key restarts it. */
	err = sn_map_keys(fd, key_size, &keys, &nr);
	for (size_t i = 0; !err && i < nr; i++) {
		const char *key = keys + i * key_size;

		if (!no_lookup_and_delete) {
			if (!bpf_map_lookup_and_delete_elem(fd, key, value)) {
				err = fn ? fn(key, value, ctx) : 0;
				count++;
				continue;
			}
			if (errno == ENOENT)
				continue;
			/* Hash maps gained it in 5.14; before: EINVAL or ENOTSUPP (524). */
			no_lookup_and_delete = true;
		}
		if (bpf_map_lookup_elem(fd, key, value))
			continue;
		bpf_map_delete_elem(fd, key);
		err = fn ? fn(key, value, ctx) : 0;
		count++;
	}
	free(keys);
	free(value);
	return err ? err : count;
}

int sn_percpu_sum(int fd, uint32_t idx, uint64_t *sum)
{
	int cpus = libbpf_num_possible_cpus();
	uint64_t *values;

	if (cpus <= 0)
		return cpus ? cpus : -EINVAL;
	values = calloc(cpus, sizeof(*values));
	if (!values)
		return -ENOMEM;
	*sum = 0;
	if (bpf_map_lookup_elem(fd, &idx, values)) {
		free(values);
		return -errno;
	}
	for (int i = 0; i < cpus; i++)
		*sum += values[i];
	free(values);
	return 0;
}
