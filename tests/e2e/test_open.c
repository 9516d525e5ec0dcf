// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sysnoop open against real opens: fields, failures, openat2, creates, --path-prefix, filters. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static bool open_of(const char *line, void *path)
{
	return json_str_eq(line, "type", "open") && json_str_eq(line, "path", path);
}

/* A path under /tmp unique to this run: the marker, then @suffix. */
static void marker_path(char *buf, size_t len, const char *suffix)
{
	snprintf(buf, len, "/tmp/%s%s", sn_marker(), suffix);
}

static int create_file(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* Opens an existing marker file from this process and checks its record field by field. */
static int open_roundtrip(struct sn_tctx *t, const char *transport)
{
	const char *args[] = { "open", "--json", transport, NULL };
	char path[128];
	struct sn_run r;
	const char *line;
	int64_t v;
	int fd;

	marker_path(path, sizeof(path), "-exists");
	CHECK(!create_file(path), "creating %s: %s", path, strerror(errno));
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0, "openat %s: %s", path, strerror(errno));
	line = sn_wait_line(&r, open_of, path, 5000);
	close(fd);
	unlink(path);
	CHECK(line, "no open record for %s; stderr: %s", path, r.err);
	CHECK(json_get_i64(line, "ret", &v) && v == fd, "ret %lld, want fd %d", (long long)v, fd);
	CHECK(json_get(line, "error").type == JSON_NONE, "error on a successful open: %s", line);
	CHECK(json_get_i64(line, "pid", &v) && v == getpid(), "pid %lld, want %d", (long long)v,
	      getpid());
	CHECK(json_get_i64(line, "tid", &v) && v == gettid(), "tid: %s", line);
	CHECK(json_get_i64(line, "uid", &v) && v == (int64_t)getuid(), "uid: %s", line);
	CHECK(json_str_eq(line, "comm", "sysnoop-e2e"), "comm: %s", line);
	CHECK(json_str_eq(line, "syscall", "openat"), "syscall: %s", line);
	CHECK(json_get_i64(line, "dirfd", &v) && v == AT_FDCWD, "dirfd: %s", line);
	CHECK(json_get_i64(line, "flags", &v) && v == (O_RDONLY | O_CLOEXEC), "flags: %s", line);
	CHECK(json_get(line, "mode").type == JSON_NONE, "mode without O_CREAT: %s", line);
	CHECK(json_get(line, "flags_names").type == JSON_NONE, "flags_names without --flags");
	CHECK(json_valid(line, strlen(line)), "invalid JSON: %s", line);
	CHECK(!sn_stop(&r), "%s", r.why);
	CHECK(r.exit_code == 0, "exit code %d; stderr: %s", r.exit_code, r.err);
	line = sn_find_record(&r, "summary", NULL, NULL);
	CHECK(line && json_get_i64(line, "dropped", &v) && v == 0, "summary: %s", line);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	return 0;
}

TEST_HOOKS(open_fields_ringbuf, "open")
{
	return open_roundtrip(t, "--transport=ringbuf");
}

TEST_HOOKS(open_fields_perf, "open")
{
	return open_roundtrip(t, "--transport=perf");
}

/* Opens @missing (fails with ENOENT), then @present: once that is seen, both were traced. */
static int open_missing_then_present(struct sn_tctx *t, struct sn_run *r, const char *missing,
				     const char *present)
{
	CHECK(open(missing, O_RDONLY) < 0 && errno == ENOENT, "%s exists", missing);
	int fd = open(present, O_RDONLY);

	CHECK(fd >= 0, "open %s: %s", present, strerror(errno));
	close(fd);
	CHECK(sn_wait_line(r, open_of, (void *)present, 5000), "no record for %s; stderr: %s",
	      present, r->err);
	return 0;
}

TEST_HOOKS(open_failed_shown_with_x, "open")
{
	const char *args[] = { "open", "--json", "-x", NULL };
	char missing[128], present[128];
	struct sn_run r;
	const char *line;
	int64_t v;

	marker_path(missing, sizeof(missing), "-missing");
	marker_path(present, sizeof(present), "-present");
	CHECK(!create_file(present), "creating %s", present);
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	int err = open_missing_then_present(t, &r, missing, present);

	unlink(present);
	if (err)
		return err;
	sn_stop(&r);
	line = sn_find_record(&r, "open", open_of, missing);
	CHECK(line, "no record for the failed open of %s", missing);
	CHECK(json_get_i64(line, "ret", &v) && v == -ENOENT, "ret %lld, want -ENOENT",
	      (long long)v);
	CHECK(json_str_eq(line, "error", "ENOENT"), "error: %s", line);
	CHECK(json_get_i64(line, "pid", &v) && v == getpid(), "pid: %s", line);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	return 0;
}

TEST(open_failed_hidden_by_default)
{
	const char *args[] = { "open", "--json", NULL };
	char missing[128], present[128];
	struct sn_run r;

	marker_path(missing, sizeof(missing), "-missing");
	marker_path(present, sizeof(present), "-present");
	CHECK(!create_file(present), "creating %s", present);
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	int err = open_missing_then_present(t, &r, missing, present);

	unlink(present);
	if (err)
		return err;
	sn_stop(&r);
	CHECK(!sn_find_record(&r, "open", open_of, missing), "failed open shown without -x");
	sn_run_free(&r);
	return 0;
}

TEST_HOOKS(open_openat2_seen, "open")
{
	const char *args[] = { "open", "--json", "--flags", NULL };
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW };
	char path[128];
	struct sn_run r;
	const char *line;
	int64_t v;
	int fd;

	marker_path(path, sizeof(path), "-openat2");
	CHECK(!create_file(path), "creating %s", path);
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	fd = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS) {
		sn_stop(&r);
		sn_run_free(&r);
		unlink(path);
		SKIP("kernel lacks openat2");
	}
	CHECK(fd >= 0, "openat2: %s", strerror(errno));
	close(fd);
	unlink(path);
	line = sn_wait_line(&r, open_of, path, 5000);
	CHECK(line, "no openat2 record; stderr: %s", r.err);
	CHECK(json_str_eq(line, "syscall", "openat2"), "syscall: %s", line);
	CHECK(json_get_i64(line, "ret", &v) && v == fd, "ret: %s", line);
	CHECK(json_get_i64(line, "flags", &v) && v == (int64_t)how.flags, "flags: %s", line);
	CHECK(json_str_eq(line, "flags_names", "O_RDONLY|O_NOFOLLOW|O_CLOEXEC"), "flags_names: %s",
	      line);
	sn_stop(&r);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	return 0;
}

#ifdef SYS_creat
static bool creat_of(const char *line, void *path)
{
	return open_of(line, path) && json_str_eq(line, "syscall", "creat");
}
#endif

TEST_HOOKS(open_create_shows_mode, "open")
{
	const char *args[] = { "open", "--json", "--flags", NULL };
	char path[128];
	struct sn_run r;
	const char *line;
	int64_t v;
	int fd;

	marker_path(path, sizeof(path), "-created");
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0640);
	CHECK(fd >= 0, "creating %s: %s", path, strerror(errno));
	close(fd);
	unlink(path);
	line = sn_wait_line(&r, open_of, path, 5000);
	CHECK(line, "no record for the create");
	CHECK(json_get_i64(line, "mode", &v) && v == 0640, "mode %llo, want 640: %s",
	      (long long)v, line);
	CHECK(json_str_eq(line, "flags_names", "O_WRONLY|O_CREAT|O_EXCL"), "flags_names: %s",
	      line);
#ifdef SYS_creat
	/* creat(2) is an open too, where the architecture still has it. */
	fd = syscall(SYS_creat, path, 0604);
	CHECK(fd >= 0, "creat: %s", strerror(errno));
	close(fd);
	unlink(path);
	line = sn_wait_line(&r, creat_of, path, 5000);
	CHECK(line, "no record for creat(2)");
	CHECK(json_get_i64(line, "mode", &v) && v == 0604, "creat mode: %s", line);
	CHECK(json_str_eq(line, "flags_names", "O_WRONLY|O_CREAT|O_TRUNC"), "creat flags: %s",
	      line);
#endif
	sn_stop(&r);
	sn_run_free(&r);
	return 0;
}

/* Only the page of this literal: a child that has not touched it cannot read it at entry. */
static const char literal_path[] __attribute__((aligned(4096))) = "/dev/null";

static bool open_by_pid(const char *line, void *pid)
{
	int64_t v;

	return json_str_eq(line, "type", "open") && json_get_i64(line, "pid", &v) &&
	       v == *(pid_t *)pid;
}

TEST_HOOKS(open_literal_path_after_fork, "open")
{
	/* With a prefix the path is read at entry too; a failed read is retried at exit. */
	const char *args[] = { "open", "--json", "--path-prefix", "/dev/nul", NULL };
	struct sn_run r;
	const char *line;
	pid_t child;
	int64_t v;

	CHECK(!sn_start(t, &r, args), "%s", r.why);
	child = fork();
	if (child == 0)
		_exit(syscall(SYS_openat, AT_FDCWD, literal_path, O_RDONLY) < 0);
	CHECK(WEXITSTATUS(sn_reap(child)) == 0, "the child could not open %s", literal_path);
	line = sn_wait_line(&r, open_by_pid, &child, 5000);
	CHECK(line, "no record for the child's open of a literal path; stderr: %s", r.err);
	CHECK(json_str_eq(line, "path", "/dev/null"), "path: %s", line);
	CHECK(json_get_i64(line, "ret", &v) && v >= 0, "ret: %s", line);
	sn_stop(&r);
	sn_run_free(&r);
	return 0;
}

TEST(open_path_prefix_filters)
{
	char prefix[128], inside[160], outside[128];
	const char *args[] = { "open", "--json", "-x", "--path-prefix", prefix, NULL };
	struct sn_run r;

	marker_path(prefix, sizeof(prefix), "-in");
	snprintf(inside, sizeof(inside), "%s-file", prefix);
	marker_path(outside, sizeof(outside), "-out");
	CHECK(!create_file(inside), "creating %s", inside);
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	/* The outside path fails, so only the prefix (not -x) can hide it. */
	int err = open_missing_then_present(t, &r, outside, inside);

	unlink(inside);
	if (err)
		return err;
	sn_stop(&r);
	CHECK(!sn_find_record(&r, "open", open_of, outside), "--path-prefix let %s through",
	      outside);
	CHECK(sn_count_records(&r, "open", NULL, NULL) == 1, "want only %s: %s", inside, r.out);
	sn_run_free(&r);
	return 0;
}

/* The common filters, in the kernel: a child opens under the filter, this process not. */
TEST(open_filter_pid_and_comm)
{
	char pid[16], mine[128], theirs[128];
	const char *a1[] = { "open", "--json", "-x", "--pid", pid, NULL };
	const char *a2[] = { "open", "--json", "-x", "--comm", "sn-opener", NULL };
	const char *const *runs[] = { a1, a2 };
	int go[2];

	for (int i = 0; i < 2; i++) {
		struct sn_run r;
		pid_t child;
		char c;

		marker_path(mine, sizeof(mine), "-mine");
		marker_path(theirs, sizeof(theirs), "-theirs");
		CHECK(!pipe(go), "pipe");
		child = fork();
		if (child == 0) {
			prctl(PR_SET_NAME, "sn-opener");
			close(go[1]);
			if (read(go[0], &c, 1) == 1)
				open(theirs, O_RDONLY);
			_exit(0);
		}
		close(go[0]);
		snprintf(pid, sizeof(pid), "%d", child);
		CHECK(!sn_start(t, &r, runs[i]), "%s", r.why);
		open(mine, O_RDONLY);
		CHECK(write(go[1], "g", 1) == 1, "write");
		close(go[1]);
		sn_reap(child);
		CHECK(sn_wait_line(&r, open_of, theirs, 5000), "%s hid the child's open",
		      runs[i][3]);
		sn_stop(&r);
		CHECK(!sn_find_record(&r, "open", open_of, mine), "%s %s did not filter",
		      runs[i][3], runs[i][4]);
		sn_run_free(&r);
	}
	return 0;
}

TEST(open_table_output)
{
	const char *args[] = { "open", "-x", "--flags", NULL };
	char missing[128], present[128], row[512];
	struct sn_run r;

	marker_path(missing, sizeof(missing), "-missing");
	marker_path(present, sizeof(present), "-present");
	CHECK(!create_file(present), "creating %s", present);
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	CHECK(open(missing, O_RDONLY | O_CLOEXEC) < 0, "%s exists", missing);
	int fd = open(present, O_RDONLY);

	close(fd);
	unlink(present);
	usleep(300000);
	sn_stop(&r);
	CHECK(!strncmp(r.out, "PID     COMM             FD   ERR          FLAGS", 48),
	      "header: %.80s", r.out);
	CHECK(strstr(r.out, "MODE  PATH\n"), "header: %.100s", r.out);
	snprintf(row, sizeof(row), "%-7d %-16s %-4d %-12s %-24s %-5s %s\n", getpid(),
		 "sysnoop-e2e", fd, "0", "O_RDONLY", "-", present);
	CHECK(strstr(r.out, row), "no row '%s' in: %s", row, r.out);
	snprintf(row, sizeof(row), "%-7d %-16s %-4d %-12s %-24s %-5s %s\n", getpid(),
		 "sysnoop-e2e", -ENOENT, "ENOENT", "O_RDONLY|O_CLOEXEC", "-", missing);
	CHECK(strstr(r.out, row), "no row '%s' in: %s", row, r.out);
	sn_run_free(&r);
	return 0;
}

TEST(open_hostile_path_escaped)
{
	const char *args[] = { "open", "--json", "-x", NULL };
	char path[256], got[256];
	struct sn_run r;
	const char *line;

	snprintf(path, sizeof(path), "/tmp/%s-\x1b[2J\n\xff", sn_marker());
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	open(path, O_RDONLY);
	line = sn_wait_line(&r, open_of, path, 5000);
	CHECK(line, "no record for the hostile path; out: %s", r.out);
	CHECK(json_get_str(line, "path", got, sizeof(got)) > 0 && !strcmp(got, path),
	      "path does not round-trip: %s", line);
	CHECK(!strchr(line, '\x1b'), "raw ESC in JSON");
	sn_stop(&r);
	sn_run_free(&r);
	return 0;
}

TEST(open_bad_input)
{
	static char long_prefix[300];
	const char *a1[] = { "open", "--path-prefix", "", NULL };
	const char *a2[] = { "open", "--path-prefix", long_prefix, NULL };
	const char *const *runs[] = { a1, a2 };
	struct sn_run r;

	memset(long_prefix, 'a', sizeof(long_prefix) - 1);
	for (int i = 0; i < 2; i++) {
		CHECK(!sn_run_sync(&r, runs[i]), "%s", r.why);
		CHECK(r.exit_code == 2, "exit %d, want 2: %s", r.exit_code, r.err);
		CHECK(strstr(r.err, "invalid --path-prefix") && strchr(r.err, '\n') ==
			      r.err + strlen(r.err) - 1,
		      "want one line about --path-prefix: %s", r.err);
		sn_run_free(&r);
	}
	return 0;
}

/*
 * Under a storm of opens faster than the reader, the ring buffer is never empty: the
 * reader must still stop on time (--duration here; signals likewise), not when the storm
 * ends. To keep the reader behind for sure, it runs only a fifth of the time (stopped and
 * continued), and its output goes to /dev/null so that nothing else slows it.
 */
TEST(open_storm_stops_on_time)
{
	enum { STORMS = 4, STORM_SECS = 60, WAIT_SECS = 30 };
	pid_t storm[STORMS], tracer;
	int status = -1, null;
	bool exited = false;

	tracer = fork();
	if (tracer == 0) {
		null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execl(sn_binary(), sn_binary(), "open", "--json", "-d", "2", NULL);
		_exit(127);
	}
	for (int i = 0; i < STORMS; i++) {
		storm[i] = fork();
		if (storm[i] == 0) {
			alarm(STORM_SECS);
			for (;;)
				close(open("/dev/null", O_RDONLY));
		}
	}
	for (int i = 0; i < WAIT_SECS * 20 && !exited; i++) {
		kill(tracer, SIGSTOP);
		usleep(40000);
		kill(tracer, SIGCONT);
		usleep(10000);
		exited = waitpid(tracer, &status, WNOHANG) == tracer;
	}
	for (int i = 0; i < STORMS; i++) {
		kill(storm[i], SIGKILL);
		sn_reap(storm[i]);
	}
	if (!exited) {
		kill(tracer, SIGKILL);
		sn_reap(tracer);
	}
	CHECK(exited, "-d 2 did not end the run within %d s of a storm", WAIT_SECS);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x", status);
	return 0;
}
