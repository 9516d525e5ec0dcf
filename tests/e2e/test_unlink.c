// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop unlink against real deletions: absolute, dirfd- and cwd-relative paths, errors,
 * directory removals, a path in a page not yet faulted in, -x, filters and the table.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs_util.h"
#include "harness.h"

/* An unlink record whose string @key equals @value. */
struct want {
	const char *key;
	const char *value;
};

static bool unlink_with(const char *line, void *ctx)
{
	const struct want *w = ctx;

	return json_str_eq(line, "type", "unlink") && json_str_eq(line, w->key, w->value);
}

/* Waits for the record of @key = @value and checks the result and who deleted it. */
static const char *expect(struct sn_tctx *t, struct sn_run *r, const char *key, const char *value,
			  pid_t pid, long ret)
{
	struct want w = { key, value };
	const char *line;
	int64_t v;

	line = sn_wait_line(r, unlink_with, &w, 5000);
	if (!line) {
		sn_test_fail(t, __FILE__, __LINE__, "no record with %s '%s'; stderr: %s", key,
			     value, r->err);
		return NULL;
	}
	if (!json_get_i64(line, "pid", &v) || v != pid || !json_get_i64(line, "ret", &v) ||
	    v != ret || !json_str_eq(line, "comm", "sysnoop-e2e") ||
	    !json_valid(line, strlen(line))) {
		sn_test_fail(t, __FILE__, __LINE__, "want pid %d, ret %ld, comm sysnoop-e2e: %s",
			     pid, ret, line);
		return NULL;
	}
	return line;
}

TEST_HOOKS(unlink_paths_resolved, "unlink")
{
	const char *args[] = { "unlink", "--json", NULL };
	char dir[PATH_MAX], a[PATH_MAX + 32], b[PATH_MAX + 32], c[PATH_MAX + 32];
	struct sn_run r;
	const char *line;
	int64_t v;
	pid_t child;
	int dirfd;

	CHECK(!fs_make_dir(dir, sizeof(dir)), "mkdtemp: %s", strerror(errno));
	snprintf(a, sizeof(a), "%s/%s", dir, sn_marker());
	snprintf(b, sizeof(b), "%s/%s", dir, sn_marker());
	snprintf(c, sizeof(c), "%s/%s", dir, sn_marker());
	CHECK(!fs_make_file(a) && !fs_make_file(b) && !fs_make_file(c), "creating files in %s",
	      dir);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(dirfd >= 0, "open %s", dir);
	CHECK(!sn_start(t, &r, args), "%s", r.why);

	/* An absolute path is its own resolution. */
	CHECK(!unlink(a), "unlink %s: %s", a, strerror(errno));
	line = expect(t, &r, "filename", a, getpid(), 0);
	if (!line)
		return -1;
	CHECK(json_str_eq(line, "path", a), "path: %s", line);
	CHECK(json_get_i64(line, "dirfd", &v) && v == AT_FDCWD, "dirfd: %s", line);
	CHECK(json_get_i64(line, "tid", &v) && v == gettid(), "tid: %s", line);
	CHECK(json_get(line, "error").type == JSON_NONE, "error set on success: %s", line);
	CHECK(!strncmp(json_get(line, "rmdir").start ?: "", "false", 5), "rmdir: %s", line);

	/* Relative to a directory fd: resolved through the fd's dentry. */
	CHECK(!unlinkat(dirfd, fs_base(b), 0), "unlinkat: %s", strerror(errno));
	line = expect(t, &r, "filename", fs_base(b), getpid(), 0);
	if (!line)
		return -1;
	CHECK(json_str_eq(line, "path", b), "path, want %s: %s", b, line);
	CHECK(json_get_i64(line, "dirfd", &v) && v == dirfd, "dirfd %d: %s", dirfd, line);

	/* Relative to the cwd of a child. */
	child = fork();
	if (child == 0) {
		if (chdir(dir) || unlink(fs_base(c)))
			_exit(1);
		_exit(0);
	}
	CHECK(WEXITSTATUS(sn_reap(child)) == 0, "the child could not delete %s", c);
	line = expect(t, &r, "filename", fs_base(c), child, 0);
	if (!line)
		return -1;
	CHECK(json_str_eq(line, "path", c), "path, want %s: %s", c, line);

	CHECK(!sn_stop(&r), "%s", r.why);
	CHECK(r.exit_code == 0, "exit code %d; stderr: %s", r.exit_code, r.err);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	close(dirfd);
	rmdir(dir);
	return 0;
}

TEST_HOOKS(unlink_missing_file_enoent, "unlink")
{
	const char *args[] = { "unlink", "--json", NULL };
	char dir[PATH_MAX], path[PATH_MAX + 32];
	struct sn_run r;
	const char *line;

	CHECK(!fs_make_dir(dir, sizeof(dir)), "mkdtemp: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/%s", dir, sn_marker());
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	CHECK(unlink(path) && errno == ENOENT, "unlink of a missing file did not fail with ENOENT");
	line = expect(t, &r, "filename", path, getpid(), -ENOENT);
	if (!line)
		return -1;
	CHECK(json_str_eq(line, "error", "ENOENT"), "error name: %s", line);
	CHECK(json_str_eq(line, "path", path), "path: %s", line);
	sn_stop(&r);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	rmdir(dir);
	return 0;
}

/*
 * A path in a page the child has not touched since fork: file-backed read-only pages are
 * not copied at fork, so the syscall tracepoint cannot read it at entry (no faults there)
 * and must read it at exit. It fills a 64 KiB window of its own so that fault-around,
 * mapping the neighbours of another fault, cannot bring it in early.
 */
static const char literal_path[65536] __attribute__((aligned(65536))) =
	"/tmp/sysnoop-e2e-unlink-literal-path";

TEST_HOOKS(unlink_path_not_faulted_in, "unlink")
{
	const char *args[] = { "unlink", "--json", NULL };
	char path[PATH_MAX];
	struct sn_run r;
	pid_t child;

	/* A copy, so the parent never touches the literal's page either. */
	snprintf(path, sizeof(path), "%s", "/tmp/sysnoop-e2e-unlink-literal-path");
	unlink(path);
	CHECK(!fs_make_file(path), "creating %s: %s", path, strerror(errno));
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	child = fork();
	if (child == 0)
		_exit(unlink(literal_path) ? 1 : 0);
	CHECK(WEXITSTATUS(sn_reap(child)) == 0, "the child could not delete %s", path);
	CHECK(expect(t, &r, "filename", path, child, 0), "no record read at exit");
	sn_stop(&r);
	sn_run_free(&r);
	return 0;
}

TEST_HOOKS(unlink_rmdir_flagged, "unlink")
{
	const char *args[] = { "unlink", "--json", NULL };
	char dir[PATH_MAX], sub1[PATH_MAX + 32], sub2[PATH_MAX + 32];
	struct sn_run r;
	const char *line;
	struct json_val v;
	int dirfd;

	CHECK(!fs_make_dir(dir, sizeof(dir)), "mkdtemp: %s", strerror(errno));
	snprintf(sub1, sizeof(sub1), "%s/%s", dir, sn_marker());
	snprintf(sub2, sizeof(sub2), "%s/%s", dir, sn_marker());
	CHECK(!mkdir(sub1, 0700) && !mkdir(sub2, 0700), "mkdir in %s", dir);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(dirfd >= 0, "open %s", dir);
	CHECK(!sn_start(t, &r, args), "%s", r.why);

	CHECK(!rmdir(sub1), "rmdir: %s", strerror(errno));
	line = expect(t, &r, "filename", sub1, getpid(), 0);
	if (!line)
		return -1;
	v = json_get(line, "rmdir");
	CHECK(v.type == JSON_BOOL && !strncmp(v.start, "true", 4), "rmdir(2) not flagged: %s",
	      line);

	CHECK(!unlinkat(dirfd, fs_base(sub2), AT_REMOVEDIR), "unlinkat: %s",
	      strerror(errno));
	line = expect(t, &r, "filename", fs_base(sub2), getpid(), 0);
	if (!line)
		return -1;
	v = json_get(line, "rmdir");
	CHECK(v.type == JSON_BOOL && !strncmp(v.start, "true", 4), "AT_REMOVEDIR not flagged: %s",
	      line);
	CHECK(json_str_eq(line, "path", sub2), "path: %s", line);
	sn_stop(&r);
	sn_run_free(&r);
	close(dirfd);
	rmdir(dir);
	return 0;
}

TEST(unlink_failed_only_with_x)
{
	const char *args[] = { "unlink", "--json", "-x", NULL };
	char dir[PATH_MAX], ok[PATH_MAX + 32], missing[PATH_MAX + 32];
	struct want w;
	struct sn_run r;

	CHECK(!fs_make_dir(dir, sizeof(dir)), "mkdtemp: %s", strerror(errno));
	snprintf(ok, sizeof(ok), "%s/%s", dir, sn_marker());
	snprintf(missing, sizeof(missing), "%s/%s", dir, sn_marker());
	CHECK(!fs_make_file(ok), "creating %s", ok);
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	CHECK(!unlink(ok), "unlink: %s", strerror(errno));
	CHECK(unlink(missing), "unlink of a missing file succeeded");
	/* The failure, which came after the success, proves the tracer saw both. */
	CHECK(expect(t, &r, "filename", missing, getpid(), -ENOENT), "no record of the failure");
	sn_stop(&r);
	w = (struct want){ "filename", ok };
	CHECK(!sn_find_record(&r, "unlink", unlink_with, &w), "-x showed a successful unlink");
	sn_run_free(&r);
	rmdir(dir);
	return 0;
}

TEST(unlink_filter_pid)
{
	char pid[16], dir[PATH_MAX], path[PATH_MAX + 32];
	const char *args[] = { "unlink", "--json", "--pid", pid, NULL };
	struct want w = { "filename", path };
	struct sn_run r;

	snprintf(pid, sizeof(pid), "%d", getppid());
	CHECK(!fs_make_dir(dir, sizeof(dir)), "mkdtemp: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/%s", dir, sn_marker());
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	unlink(path);
	usleep(400000);
	sn_stop(&r);
	CHECK(!sn_find_record(&r, "unlink", unlink_with, &w), "--pid %s did not filter", pid);
	sn_run_free(&r);
	rmdir(dir);
	return 0;
}

static bool has_text(const char *line, void *text)
{
	return strstr(line, text);
}

TEST(unlink_table_output)
{
	const char *args[] = { "unlink", NULL };
	char dir[PATH_MAX], path[PATH_MAX + 32], want[PATH_MAX + 128];
	struct sn_run r;
	const char *row;

	CHECK(!fs_make_dir(dir, sizeof(dir)), "mkdtemp: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/%s", dir, sn_marker());
	snprintf(want, sizeof(want), "sysnoop-e2e      unlink -2   ENOENT   %s", path);
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	unlink(path);
	row = sn_wait_line(&r, has_text, path, 5000);
	CHECK(row, "no row for %s: %s", path, r.out);
	CHECK(strstr(row, want), "row: %s", row);
	sn_stop(&r);
	CHECK(r.out && !strncmp(r.out, "PID     COMM             OP     RET  ERR      PATH\n", 50),
	      "header: %.80s", r.out);
	sn_run_free(&r);
	rmdir(dir);
	return 0;
}

TEST_HOOKS(unlink_deep_cwd_cut, "unlink")
{
	const char *args[] = { "unlink", "--json", NULL };
	char dir[PATH_MAX], name[64], tail[80], got[PATH_MAX], cmd[PATH_MAX + 16];
	struct sn_run r;
	int n;
	const char *line;
	struct json_val v;
	pid_t child;

	CHECK(!fs_make_dir(dir, sizeof(dir)), "mkdtemp: %s", strerror(errno));
	snprintf(name, sizeof(name), "%s", sn_marker());
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	/* Deeper than the 48 levels walked: the path keeps its deepest names after "...". */
	child = fork();
	if (child == 0) {
		if (chdir(dir))
			_exit(1);
		for (int i = 0; i < 60; i++)
			if (mkdir("d", 0700) || chdir("d"))
				_exit(1);
		_exit(fs_make_file(name) || unlink(name) ? 1 : 0);
	}
	CHECK(WEXITSTATUS(sn_reap(child)) == 0, "the child could not work 60 levels down");
	line = expect(t, &r, "filename", name, child, 0);
	if (!line)
		return -1;
	v = json_get(line, "truncated");
	CHECK(v.type == JSON_BOOL && !strncmp(v.start, "true", 4), "truncated not set: %s", line);
	snprintf(tail, sizeof(tail), "/d/d/%s", name);
	CHECK(json_get_str(line, "path", got, sizeof(got)) > (long)strlen(tail) &&
		      !strncmp(got, ".../d/", 6) &&
		      !strcmp(got + strlen(got) - strlen(tail), tail),
	      "path: %s", line);
	sn_stop(&r);
	sn_run_free(&r);
	n = snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(n < (int)sizeof(cmd) && !system(cmd), "%s", cmd);
	return 0;
}

TEST(unlink_hostile_name_escaped)
{
	const char *args[] = { "unlink", "--json", NULL };
	const char *targs[] = { "unlink", NULL };
	char dir[PATH_MAX], marker[64], name[128], path[PATH_MAX + 160], got[PATH_MAX + 160];
	struct want w = { "filename", path };
	struct sn_run r;
	const char *line;

	CHECK(!fs_make_dir(dir, sizeof(dir)), "mkdtemp: %s", strerror(errno));
	snprintf(marker, sizeof(marker), "%s", sn_marker());
	snprintf(name, sizeof(name), "%s-\n\033[31m\xff", marker);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	unlink(path);
	line = sn_wait_line(&r, unlink_with, &w, 5000);
	CHECK(line && json_valid(line, strlen(line)), "no valid record: %s", r.out);
	CHECK(json_get_str(line, "path", got, sizeof(got)) > 0 && !strcmp(got, path),
	      "path bytes not recovered: %s", line);
	sn_stop(&r);
	sn_run_free(&r);

	CHECK(!sn_start(t, &r, targs), "%s", r.why);
	unlink(path);
	line = sn_wait_line(&r, has_text, marker, 5000);
	sn_stop(&r);
	CHECK(line && !strchr(r.out, '\033') && strstr(line, "-\\n\\x1b[31m\\xff"),
	      "table not escaped: %s", r.out);
	sn_run_free(&r);
	rmdir(dir);
	return 0;
}
