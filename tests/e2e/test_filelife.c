// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop filelife against real files on the root ext4, on a loop-mounted ext4 and on
 * tmpfs: the age, the name and path, what must not be reported, and the age filters.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs_util.h"
#include "harness.h"

static bool filelife_of(const char *line, void *name)
{
	return json_str_eq(line, "type", "filelife") && json_str_eq(line, "filename", name);
}

static double age_ms(const char *line)
{
	struct json_val v = json_get(line, "age_ms");
	char num[32];

	if (v.type != JSON_NUMBER)
		return -1;
	snprintf(num, sizeof(num), "%.*s", (int)v.len, v.start);
	return atof(num);
}

/*
 * Creates @path, deletes it @life_ms later (through @dirfd if not -1, by its name) and
 * checks the record: the deleter, an age in a generous window around @life_ms, the file's
 * device and inode, and with @full_path its path. Returns the record.
 */
static const char *create_delete(struct sn_tctx *t, struct sn_run *r, const char *path,
				 int dirfd, int life_ms, bool full_path)
{
	char dev[32];
	const char *line;
	struct stat st;
	int64_t v;
	double age;

	if (fs_make_file(path) || stat(path, &st)) {
		sn_test_fail(t, __FILE__, __LINE__, "creating %s: %s", path, strerror(errno));
		return NULL;
	}
	usleep(life_ms * 1000);
	if (dirfd >= 0 ? unlinkat(dirfd, fs_base(path), 0) : unlink(path)) {
		sn_test_fail(t, __FILE__, __LINE__, "deleting %s: %s", path, strerror(errno));
		return NULL;
	}
	line = sn_wait_line(r, filelife_of, (void *)fs_base(path), 5000);
	snprintf(dev, sizeof(dev), "%u:%u", major(st.st_dev), minor(st.st_dev));
	age = line ? age_ms(line) : -1;
	if (!line || !json_get_i64(line, "pid", &v) || v != getpid() ||
	    !json_str_eq(line, "comm", "sysnoop-e2e") || !json_get_i64(line, "ino", &v) ||
	    v != (int64_t)st.st_ino || !json_str_eq(line, "dev", dev) ||
	    age < life_ms * 2 / 3.0 || age > life_ms + 5000 || !json_valid(line, strlen(line)) ||
	    (full_path ? !json_str_eq(line, "path", path)
		       : json_get(line, "path").type != JSON_NONE)) {
		sn_test_fail(t, __FILE__, __LINE__,
			     "want pid %d, ino %llu, dev %s, age about %d ms%s%s: %s; stderr: %s",
			     getpid(), (unsigned long long)st.st_ino, dev, life_ms,
			     full_path ? ", path " : ", no path", full_path ? path : "",
			     line ? line : "no record", r->err);
		return NULL;
	}
	return line;
}

/*
 * The tracepoint variants see ext4 only: where the test directory is on something else
 * (the kernel matrix's guests run from an initramfs), they have nothing to see.
 */
#define SKIP_UNLESS_VARIANT_SEES(dir)                                                          \
	do {                                                                                   \
		struct statfs sfs;                                                             \
		if (strcmp(t->hook, "fentry") && strcmp(t->hook, "kprobe") &&                  \
		    (statfs(dir, &sfs) || sfs.f_type != 0xEF53)) {                             \
			rmdir(dir);                                                            \
			SKIP("the %s variant sees ext4 only, and %.200s is not on ext4",       \
			     t->hook, dir);                                                    \
		}                                                                              \
	} while (0)

TEST_HOOKS(filelife_short_lived_file, "filelife")
{
	const char *args[] = { "filelife", "--json", NULL };
	char dir[PATH_MAX], path[PATH_MAX + 32];
	struct sn_run r;

	CHECK(!fs_make_dir(dir, sizeof(dir)), "mkdtemp: %s", strerror(errno));
	SKIP_UNLESS_VARIANT_SEES(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, sn_marker());
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	if (!create_delete(t, &r, path, -1, 300, false))
		return -1;
	CHECK(!sn_stop(&r), "%s", r.why);
	CHECK(r.exit_code == 0, "exit code %d; stderr: %s", r.exit_code, r.err);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	rmdir(dir);
	return 0;
}

TEST_HOOKS(filelife_full_path_through_dirfd, "filelife")
{
	const char *args[] = { "filelife", "--json", "--full-path", NULL };
	char dir[PATH_MAX], path[PATH_MAX + 32];
	struct sn_run r;
	int dirfd;

	CHECK(!fs_make_dir(dir, sizeof(dir)), "mkdtemp: %s", strerror(errno));
	SKIP_UNLESS_VARIANT_SEES(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, sn_marker());
	dirfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(dirfd >= 0, "open %s", dir);
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	if (!create_delete(t, &r, path, dirfd, 50, true))
		return -1;
	sn_stop(&r);
	sn_run_free(&r);
	close(dirfd);
	rmdir(dir);
	return 0;
}

static int set_immutable(const char *path, bool on)
{
	int fd = open(path, O_RDONLY), flags, err = -1;

	if (fd < 0)
		return -1;
	if (!ioctl(fd, FS_IOC_GETFLAGS, &flags)) {
		flags = on ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
		err = ioctl(fd, FS_IOC_SETFLAGS, &flags);
	}
	close(fd);
	return err;
}

TEST_HOOKS(filelife_old_files_and_failed_unlinks_not_shown, "filelife")
{
	const char *args[] = { "filelife", "--json", NULL };
	char dir[PATH_MAX], old[PATH_MAX + 32], young[PATH_MAX + 32];
	struct sn_run r;
	const char *line;

	CHECK(!fs_make_dir(dir, sizeof(dir)), "mkdtemp: %s", strerror(errno));
	SKIP_UNLESS_VARIANT_SEES(dir);
	snprintf(old, sizeof(old), "%s/%s", dir, sn_marker());
	snprintf(young, sizeof(young), "%s/%s", dir, sn_marker());
	CHECK(!fs_make_file(old), "creating %s", old);
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	CHECK(!fs_make_file(young), "creating %s", young);
	/* An immutable file cannot be unlinked: EPERM. */
	CHECK(!set_immutable(young, true), "chattr +i %s: %s", young, strerror(errno));
	CHECK(unlink(young) && errno == EPERM, "unlink of an immutable file did not fail");
	CHECK(!set_immutable(young, false), "chattr -i %s: %s", young, strerror(errno));
	CHECK(!unlink(old), "unlink %s: %s", old, strerror(errno));
	CHECK(!unlink(young), "unlink %s: %s", young, strerror(errno));
	/* The young file's record comes after the others would have: the tracer saw them. */
	line = sn_wait_line(&r, filelife_of, (void *)fs_base(young), 5000);
	CHECK(line, "no record for %s (did the failed unlink forget it?); stderr: %s", young,
	      r.err);
	sn_stop(&r);
	CHECK(!sn_find_record(&r, "filelife", filelife_of, (void *)fs_base(old)),
	      "a file created before tracing was reported");
	CHECK(sn_count_records(&r, "filelife", filelife_of, (void *)fs_base(young)) == 1,
	      "want one record for %s (the failed unlink counts for nothing): %s", young, r.out);
	sn_run_free(&r);
	rmdir(dir);
	return 0;
}

/*
 * Under @args, deletes one file at once and one after 600 ms: @want_late says which is
 * shown. The one shown is deleted last, so finding its record proves the other was seen.
 */
static int age_filter(struct sn_tctx *t, const char *const *args, bool want_late)
{
	char dir[PATH_MAX], early[PATH_MAX + 32], late[PATH_MAX + 32];
	const char *shown = want_late ? late : early, *hidden = want_late ? early : late;
	struct sn_run r;

	CHECK(!fs_make_dir(dir, sizeof(dir)), "mkdtemp: %s", strerror(errno));
	snprintf(early, sizeof(early), "%s/%s", dir, sn_marker());
	snprintf(late, sizeof(late), "%s/%s", dir, sn_marker());
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	CHECK(!fs_make_file(late), "creating %s", late);
	if (want_late)
		CHECK(!fs_make_file(early) && !unlink(early), "creating and deleting %s", early);
	usleep(600000);
	CHECK(!unlink(late), "unlink %s: %s", late, strerror(errno));
	if (!want_late)
		CHECK(!fs_make_file(early) && !unlink(early), "creating and deleting %s", early);
	CHECK(sn_wait_line(&r, filelife_of, (void *)fs_base(shown), 5000), "%s %s hid %s",
	      args[2], args[3], shown);
	sn_stop(&r);
	CHECK(!sn_find_record(&r, "filelife", filelife_of, (void *)fs_base(hidden)),
	      "%s %s let %s through: %s", args[2], args[3], hidden, r.out);
	sn_run_free(&r);
	rmdir(dir);
	return 0;
}

TEST(filelife_min_and_max_age)
{
	const char *min[] = { "filelife", "--json", "--min-age", "300", NULL };
	const char *max[] = { "filelife", "--json", "--max-age", "300", NULL };

	if (age_filter(t, min, true))
		return -1;
	return age_filter(t, max, false);
}

/* Runs @cmd through the shell, quietly; whether it exited 0. */
static bool shell(const char *cmd)
{
	char full[4096];

	if (snprintf(full, sizeof(full), "%s >/dev/null 2>&1", cmd) >= (int)sizeof(full))
		return false;
	return system(full) == 0;
}

TEST_HOOKS(filelife_loop_mounted_ext4, "filelife")
{
	const char *args[] = { "filelife", "--json", "--full-path", NULL };
	char dir[256], img[272], mnt[272], sub[288], cmd[2048], path[352];
	struct sn_run r;
	const char *line;
	int dirfd, ok;

	if (access("/sbin/mkfs.ext4", X_OK) && access("/usr/sbin/mkfs.ext4", X_OK))
		SKIP("mkfs.ext4 (e2fsprogs) not installed");
	CHECK(!fs_make_dir(dir, sizeof(dir)), "mkdtemp: %s", strerror(errno));
	snprintf(img, sizeof(img), "%s/fs.img", dir);
	snprintf(mnt, sizeof(mnt), "%s/mnt", dir);
	snprintf(sub, sizeof(sub), "%s/sub", mnt);
	snprintf(cmd, sizeof(cmd),
		 "truncate -s 16M %s && mkfs.ext4 -q -F %s && mkdir %s && mount -o loop %s %s && "
		 "mkdir %s",
		 img, img, mnt, img, mnt, sub);
	CHECK(shell(cmd), "could not mount a loop ext4: %s", cmd);
	snprintf(path, sizeof(path), "%s/%s", sub, sn_marker());
	dirfd = open(sub, O_RDONLY | O_DIRECTORY);
	ok = dirfd >= 0 && !sn_start(t, &r, args);
	/* Through a dirfd, so the tracefs variant resolves the path by walking up too. */
	line = ok ? create_delete(t, &r, path, dirfd, 100, true) : NULL;
	if (ok) {
		sn_stop(&r);
		ok = sn_progs_gone(&r);
		sn_run_free(&r);
	}
	if (dirfd >= 0)
		close(dirfd);
	umount2(mnt, MNT_DETACH);
	unlink(img);
	rmdir(mnt);
	rmdir(dir);
	CHECK(line, "no record with the full path through the mount point");
	CHECK(ok, "programs left loaded");
	return 0;
}

TEST_HOOKS(filelife_tmpfs, "filelife")
{
	const char *args[] = { "filelife", "--json", "--full-path", NULL };
	char dir[PATH_MAX], path[PATH_MAX + 32];
	struct sn_run r;
	const char *line;

	if (strcmp(t->hook, "fentry") && strcmp(t->hook, "kprobe"))
		SKIP("the %s variant sees ext4 only", t->hook);
	CHECK(!fs_make_dir(dir, sizeof(dir)), "mkdtemp: %s", strerror(errno));
	CHECK(!mount("tmpfs", dir, "tmpfs", 0, "size=1m"), "mount tmpfs: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/%s", dir, sn_marker());
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	line = create_delete(t, &r, path, -1, 100, true);
	sn_stop(&r);
	sn_run_free(&r);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	CHECK(line, "no record for a file on tmpfs");
	return 0;
}

static bool has_text(const char *line, void *text)
{
	return strstr(line, text);
}

TEST(filelife_table_output)
{
	const char *args[] = { "filelife", NULL };
	char dir[PATH_MAX], path[PATH_MAX + 32];
	const char *row, *base;
	struct sn_run r;
	size_t n;

	CHECK(!fs_make_dir(dir, sizeof(dir)), "mkdtemp: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/%s", dir, sn_marker());
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	CHECK(!fs_make_file(path) && !unlink(path), "creating and deleting %s", path);
	row = sn_wait_line(&r, has_text, (void *)fs_base(path), 5000);
	CHECK(row, "no row for %s: %s", path, r.out);
	base = fs_base(path);
	n = strlen(row);
	CHECK(strstr(row, "sysnoop-e2e      ") && n > strlen(base) &&
		      !strcmp(row + n - strlen(base), base) && row[n - strlen(base) - 1] == ' ',
	      "row: %s", row);
	sn_stop(&r);
	CHECK(r.out && !strncmp(r.out, "PID     COMM             AGE(ms)     FILE\n", 42),
	      "header: %.80s", r.out);
	sn_run_free(&r);
	rmdir(dir);
	return 0;
}

static int usage_error(struct sn_tctx *t, const char *const *args, const char *needle)
{
	struct sn_run r;

	CHECK(!sn_run_sync(&r, args), "%s", r.why);
	CHECK(r.exit_code == 2, "exit %d, want 2; stderr: %s", r.exit_code, r.err);
	CHECK(r.err && strstr(r.err, needle) && strchr(r.err, '\n') == r.err + strlen(r.err) - 1,
	      "want one line with '%s' on stderr: %s", needle, r.err);
	sn_run_free(&r);
	return 0;
}

TEST(filelife_usage_errors)
{
	const char *a1[] = { "filelife", "--min-age", "500", "--max-age", "100", NULL };
	const char *a2[] = { "filelife", "--max-age", "0", NULL };
	const char *a3[] = { "filelife", "--min-age", "soon", NULL };
	const char *a4[] = { "unlink", "--full-path", NULL };

	if (usage_error(t, a1, "--min-age 500 is above --max-age 100") ||
	    usage_error(t, a2, "invalid --max-age '0'") ||
	    usage_error(t, a3, "invalid --min-age 'soon'"))
		return -1;
	return usage_error(t, a4, "unknown option '--full-path'");
}
