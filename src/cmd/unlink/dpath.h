/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Paths rebuilt from the kernel's dentry cache, shared by unlink and filelife. The BPF side
 * (dpath.bpf.h) walks from a dentry up to the root of the mount tree and stores each name
 * it passes, leaf first, each NUL-terminated; user space (dpath.c) joins them in reverse.
 */
#ifndef SN_DPATH_H
#define SN_DPATH_H

#define DPATH_DEPTH    48   /* levels walked, mount crossings included */
#define DPATH_NAME_LEN 256  /* one name (NAME_MAX) and its NUL */
#define DPATH_CAP      4096 /* bytes of names kept */

/* What a walk returns: it stopped before the root (too deep, too long, or unreadable). */
#define DPATH_CUT (1u << 0)

#ifndef __VMLINUX_H__
#include <stdbool.h>
#include <stddef.h>

struct sn_buf;

/*
 * Appends to @out the path of the names in @comps (@len bytes, leaf first, as the walk
 * stored them): "/a/b/c", "/" for none, starting with "..." instead of the root if @cut.
 * Then, if @rel_len, "/" and the @rel_len bytes of @rel (a relative path as passed).
 * Returns 0 or -ENOMEM.
 */
int dpath_join(struct sn_buf *out, const char *comps, size_t len, bool cut, const char *rel,
	       size_t rel_len);

/*
 * Appends to @out the path @name (@name_len bytes) resolved: itself if absolute, else
 * joined after the directory names @comps (@len bytes, cut short if @cut) when @have_dir.
 * Returns 1 if it appended a path, 0 if it cannot (empty, or relative without a
 * directory), or -ENOMEM.
 */
int dpath_resolve(struct sn_buf *out, const char *name, size_t name_len, bool have_dir,
		  const char *comps, size_t len, bool cut);

/* The last name in the @len bytes of path @s (the bytes after the last '/'): its length. */
size_t dpath_basename(const char *s, size_t len, const char **base);
#endif

#endif /* SN_DPATH_H */
