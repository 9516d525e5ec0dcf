// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Joining the names a dentry walk stored (unlink, filelife) into a path. */
/* dpath.c belongs to the unlink command, which the unit tests do not link: built in here. */
#include "cmd/unlink/dpath.c"
#include "test.h"

static int joined(const char *comps, size_t len, bool cut, const char *rel, size_t rel_len,
		  const char *want)
{
	struct sn_buf b = {};
	int ok;

	ok = !dpath_join(&b, comps, len, cut, rel, rel_len) && !sn_buf_putc(&b, '\0') &&
	     !strcmp(b.data, want);
	if (!ok)
		fprintf(stderr, "dpath_join: got '%s', want '%s'\n", b.data ? b.data : "", want);
	sn_buf_free(&b);
	return ok;
}

TEST(dpath_join_names)
{
	CHECK(joined("c\0b\0a", 6, false, NULL, 0, "/a/b/c"), "leaf first, reversed");
	CHECK(joined("", 0, false, NULL, 0, "/"), "no names: the root");
	CHECK(joined("", 0, false, "x", 2, "/x"), "a name in the root");
	CHECK(joined("tmp", 4, false, "d/x\0junk", 9, "/tmp/d/x"), "relative path appended");
	CHECK(joined("b\0a", 4, true, "x", 2, ".../a/b/x"), "a cut walk starts with ...");
	CHECK(joined("", 0, true, "x", 1, ".../x"), "cut with no names");
	return 0;
}

TEST(dpath_resolve_paths)
{
	struct sn_buf b = {};

	CHECK(dpath_resolve(&b, "/abs/x", 7, false, NULL, 0, false) == 1 && b.len == 6 &&
	      !memcmp(b.data, "/abs/x", 6), "an absolute path is itself");
	b.len = 0;
	CHECK(dpath_resolve(&b, "x", 2, true, "tmp", 4, false) == 1 && b.len == 6 &&
	      !memcmp(b.data, "/tmp/x", 6), "a relative path after its directory");
	CHECK(dpath_resolve(&b, "x", 2, false, NULL, 0, false) == 0, "no directory, no path");
	CHECK(dpath_resolve(&b, "", 1, true, "tmp", 4, false) == 0, "an empty path resolves to none");
	sn_buf_free(&b);
	return 0;
}

TEST(dpath_basename_of)
{
	const char *base;

	CHECK(dpath_basename("/a/b/c", 7, &base) == 1 && !strcmp(base, "c"));
	CHECK(dpath_basename("name", 5, &base) == 4 && !strcmp(base, "name"));
	CHECK(dpath_basename("dir/", 5, &base) == 0);
	CHECK(dpath_basename("a/bc\0/zz", 8, &base) == 2 && !strncmp(base, "bc", 2),
	      "stops at the NUL");
	return 0;
}
