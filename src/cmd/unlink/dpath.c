// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Joins the names a dentry walk stored in the kernel into a path. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "runtime/buf.h"
#include "dpath.h"

int dpath_join(struct sn_buf *out, const char *comps, size_t len, bool cut, const char *rel,
	       size_t rel_len)
{
	size_t end = len, start;
	int err = 0;

	/* The walk stored each name with its NUL, so the last byte ends the root-most name. */
	while (end && comps[end - 1] == '\0')
		end--;
	if (cut)
		err |= sn_buf_puts(out, "...");
	else if (!end && !rel_len)
		err |= sn_buf_putc(out, '/');
	while (end) {
		start = end;
		while (start && comps[start - 1] != '\0')
			start--;
		err |= sn_buf_putc(out, '/');
		err |= sn_buf_put(out, comps + start, end - start);
		end = start;
		while (end && comps[end - 1] == '\0')
			end--;
	}
	if (rel_len) {
		err |= sn_buf_putc(out, '/');
		err |= sn_buf_put(out, rel, strnlen(rel, rel_len));
	}
	return err ? -ENOMEM : 0;
}

int dpath_resolve(struct sn_buf *out, const char *name, size_t name_len, bool have_dir,
		  const char *comps, size_t len, bool cut)
{
	if (!name_len || !name[0])
		return 0;
	if (name[0] == '/')
		return sn_buf_put(out, name, strnlen(name, name_len)) ? -ENOMEM : 1;
	if (!have_dir)
		return 0;
	return dpath_join(out, comps, len, cut, name, name_len) ? -ENOMEM : 1;
}

size_t dpath_basename(const char *s, size_t len, const char **base)
{
	const char *slash;

	len = strnlen(s, len);
	slash = memrchr(s, '/', len);
	*base = slash ? slash + 1 : s;
	return len - (size_t)(*base - s);
}
