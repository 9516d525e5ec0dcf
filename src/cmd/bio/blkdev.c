// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Disks by name and by number, the --disk filter, and the block hook variants. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <bpf/libbpf.h>

#include "runtime/log.h"
#include "blkdev.h"

#define NAME_CACHE_SIZE 64

/* Reads the first line of @dir/@file into @buf, without its newline. */
static int read_line(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		err = -EIO;
	else
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return err;
}

/* The kernel dev_t in @dir/dev ("8:0"). */
static int read_dev(const char *dir, uint32_t *dev)
{
	unsigned int ma, mi;
	char buf[32], extra;
	int err = read_line(dir, "dev", buf, sizeof(buf));

	if (err)
		return err;
	if (sscanf(buf, "%u:%u%c", &ma, &mi, &extra) != 2)
		return -EINVAL;
	*dev = BIO_MKDEV(ma, mi);
	return 0;
}

static int read_u64(const char *dir, const char *file, uint64_t *v)
{
	char buf[32], *end;
	int err = read_line(dir, file, buf, sizeof(buf));

	if (err)
		return err;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return errno || end == buf || *end ? -EINVAL : 0;
}

/* The sysfs directory of the block device @arg names, in @dir. */
static int sysfs_dir_of(const char *arg, char *dir)
{
	const char *name = arg;
	char path[PATH_MAX], extra;
	unsigned int ma, mi;
	struct stat st;

	if (sscanf(arg, "%u:%u%c", &ma, &mi, &extra) == 2) {
		snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", ma, mi);
	} else if (strchr(arg, '/')) {
		/* A path: /dev/sda, /dev/mapper/root, /dev/disk/by-id/... */
		if (stat(arg, &st))
			return -errno;
		if (!S_ISBLK(st.st_mode))
			return -ENOTBLK;
		snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", major(st.st_rdev),
			 minor(st.st_rdev));
	} else {
		if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
			return -ENOENT;
		snprintf(path, sizeof(path), "/sys/class/block/%s", name);
	}
	if (!realpath(path, dir))
		return -errno;
	return 0;
}

int blkdev_parse_filter(const char *arg, struct bio_disk_filter *f)
{
	char dir[PATH_MAX], parent[PATH_MAX + 4];
	uint64_t start, size;
	uint32_t dev;
	int err;

	err = sysfs_dir_of(arg, dir);
	if (!err)
		err = read_dev(dir, &dev);
	if (err) {
		sn_err("invalid --disk '%s': %s", arg,
		       err == -ENOTBLK ? "not a block device" : "no such block device");
		return -EINVAL;
	}
	memset(f, 0, sizeof(*f));
	f->dev = dev;
	f->sector_hi = ~0ULL;
	if (read_u64(dir, "partition", &start) == -ENOENT)
		return 0;
	/* A partition: requests are the whole disk's, so filter on its sector range there. */
	snprintf(parent, sizeof(parent), "%s/..", dir);
	if (read_u64(dir, "start", &start) || read_u64(dir, "size", &size) ||
	    read_dev(parent, &f->dev)) {
		sn_err("invalid --disk '%s': cannot read the partition's place in %s", arg, dir);
		return -EINVAL;
	}
	f->sector_lo = start;
	f->sector_hi = start + size;
	return 0;
}

static void copy_name(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* DEVNAME from /sys/dev/block/MAJ:MIN/uevent, else the name in /proc/partitions. */
static bool lookup_name(uint32_t dev, char *name, size_t len)
{
	unsigned int ma = BIO_MAJOR(dev), mi = BIO_MINOR(dev), pma, pmi;
	char path[64], line[256], pname[64];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent", ma, mi);
	f = fopen(path, "re");
	if (f) {
		while (!found && fgets(line, sizeof(line), f)) {
			if (strncmp(line, "DEVNAME=", 8))
				continue;
			line[strcspn(line, "\n")] = '\0';
			copy_name(name, len, line + 8);
			found = true;
		}
		fclose(f);
	}
	if (found)
		return true;
	f = fopen("/proc/partitions", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%u %u %*u %63s", &pma, &pmi, pname) == 3 && pma == ma &&
		    pmi == mi) {
			copy_name(name, len, pname);
			found = true;
		}
	}
	fclose(f);
	return found;
}

const char *blkdev_name(uint32_t dev)
{
	static struct {
		uint32_t dev;
		char name[40];
	} cache[NAME_CACHE_SIZE];
	static unsigned int used, next;
	unsigned int slot;

	for (unsigned int i = 0; i < used; i++)
		if (cache[i].dev == dev)
			return cache[i].name;
	/* Full: replace round-robin; a miss costs only a sysfs read. */
	slot = used < NAME_CACHE_SIZE ? used++ : next++ % NAME_CACHE_SIZE;
	cache[slot].dev = dev;
	if (!lookup_name(dev, cache[slot].name, sizeof(cache[slot].name)))
		snprintf(cache[slot].name, sizeof(cache[slot].name), "%u:%u", BIO_MAJOR(dev),
			 BIO_MINOR(dev));
	return cache[slot].name;
}

const struct sn_hook_variant blkdev_hooks[] = {
	{ SN_HOOK_TP_BTF, "btf_io_start btf_rq_issue btf_rq_complete btf_rq_merge",
	  "block_io_start block_rq_issue block_rq_complete block_rq_merge",
	  "issuer from block_io_start, in the submitting task (6.5+)" },
	{ SN_HOOK_RAW_TP, "raw_io_start raw_rq_issue raw_rq_complete raw_rq_merge",
	  "block_io_start block_rq_issue block_rq_complete block_rq_merge",
	  "issuer from block_io_start, in the submitting task (6.5+)" },
	{ SN_HOOK_TRACEPOINT, "tp_io_start tp_rq_issue tp_rq_complete tp_rq_merge",
	  "block/block_io_start block/block_rq_issue block/block_rq_complete block/block_rq_merge",
	  "keyed by disk and sector: a front-merged request is attributed at its issue" },
	{ SN_HOOK_TP_BTF, "btf_rq_insert btf_rq_issue btf_rq_complete",
	  "block_rq_insert block_rq_issue block_rq_complete",
	  "issuer from block_rq_insert or issue: may be a kworker" },
	{ SN_HOOK_RAW_TP, "raw_rq_insert raw_rq_issue raw_rq_complete",
	  "block_rq_insert block_rq_issue block_rq_complete",
	  "issuer from block_rq_insert or issue: may be a kworker" },
	{ SN_HOOK_TRACEPOINT, "tp_rq_insert tp_rq_issue tp_rq_complete",
	  "block/block_rq_insert block/block_rq_issue block/block_rq_complete",
	  "issuer from block_rq_insert or issue, keyed by disk and sector" },
};

int blkdev_size_maps(struct sn_session *s)
{
	bool classic = s->cmd->hooks[s->hook_index].hook == SN_HOOK_TRACEPOINT;
	struct bpf_map *unused;

	unused = bpf_object__find_map_by_name(s->obj, classic ? "bio_reqs" : "bio_tp_reqs");
	if (!unused)
		return -ENOENT;
	return bpf_map__set_max_entries(unused, 1);
}
