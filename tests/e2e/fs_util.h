/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Files and directories for the tests of the file commands (unlink, filelife). */
#ifndef SN_E2E_FS_UTIL_H
#define SN_E2E_FS_UTIL_H

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A fresh directory under /tmp, as its real path (no symlinks), for comparing paths. */
static inline int fs_make_dir(char *dir, size_t len)
{
	char tmpl[] = "/tmp/sn-files-XXXXXX";

	if (!mkdtemp(tmpl) || !realpath(tmpl, dir) || strlen(dir) >= len)
		return -1;
	return 0;
}

/* Creates @path, which must not exist; 0 or -1. */
static inline int fs_make_file(const char *path)
{
	int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* The last component of @path. */
static inline const char *fs_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

#endif
