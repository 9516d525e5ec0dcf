// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sysnoop exec against real execs: marker arguments, failures, truncation, both transports. */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static bool has_marker(const char *line, void *marker)
{
	return json_str_eq(line, "type", "exec") && sn_line_has_arg(line, "args", marker);
}

/* Runs /bin/true MARKER a b c under sysnoop ARGS and checks the record field by field. */
static int exec_roundtrip(struct sn_tctx *t, const char *const *args)
{
	char marker[64], arg[256];
	struct sn_run r;
	const char *line;
	int64_t v;
	pid_t child;

	snprintf(marker, sizeof(marker), "%s", sn_marker());
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	char *argv[] = { "/bin/true", marker, "two words", "3", NULL };
	child = sn_spawn(argv);
	sn_reap(child);
	line = sn_wait_line(&r, has_marker, marker, 5000);
	CHECK(line, "no exec record with marker %s; stderr: %s", marker, r.err);
	CHECK(json_get_i64(line, "pid", &v) && v == child, "pid %lld, want %d", (long long)v, child);
	CHECK(json_get_i64(line, "ppid", &v) && v == getpid(), "ppid %lld, want %d", (long long)v,
	      getpid());
	CHECK(json_get_i64(line, "ret", &v) && v == 0, "ret %lld, want 0", (long long)v);
	CHECK(json_get_i64(line, "uid", &v) && v == (int64_t)getuid(), "uid %lld", (long long)v);
	CHECK(json_str_eq(line, "comm", "true"), "comm: %s", line);
	CHECK(json_str_eq(line, "filename", "/bin/true"), "filename: %s", line);
	CHECK(json_str_eq(line, "syscall", "execve"), "syscall: %s", line);
	CHECK(json_array_len(line, "args") == 4, "want 4 args: %s", line);
	const char *want[] = { "/bin/true", marker, "two words", "3" };
	for (int i = 0; i < 4; i++) {
		json_get_array_str(line, "args", i, arg, sizeof(arg));
		CHECK(!strcmp(arg, want[i]), "args[%d] = '%s', want '%s'", i, arg, want[i]);
	}
	CHECK(json_valid(line, strlen(line)), "invalid JSON: %s", line);
	CHECK(!sn_stop(&r), "%s", r.why);
	CHECK(r.exit_code == 0, "exit code %d; stderr: %s", r.exit_code, r.err);
	line = sn_find_record(&r, "summary", NULL, NULL);
	CHECK(line, "no summary record");
	CHECK(json_get_i64(line, "dropped", &v) && v == 0, "dropped: %s", line);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	return 0;
}

TEST_HOOKS(exec_fields_ringbuf, "exec")
{
	const char *args[] = { "exec", "--json", "--transport=ringbuf", NULL };

	return exec_roundtrip(t, args);
}

TEST_HOOKS(exec_fields_perf, "exec")
{
	const char *args[] = { "exec", "--json", "--transport=perf", NULL };

	return exec_roundtrip(t, args);
}

TEST_HOOKS(exec_failed_shown_with_x, "exec")
{
	const char *args[] = { "exec", "--json", "-x", NULL };
	char path[128];
	struct sn_run r;
	const char *line;
	int64_t v;
	pid_t child;

	snprintf(path, sizeof(path), "/nonexistent/%s", sn_marker());
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	child = fork();
	if (child == 0) {
		char *argv[] = { path, NULL };

		execve(path, argv, NULL);
		_exit(errno == ENOENT ? 0 : 1);
	}
	CHECK(WEXITSTATUS(sn_reap(child)) == 0, "execve did not fail with ENOENT");
	line = sn_wait_line(&r, has_marker, path, 5000);
	CHECK(line, "no record for the failed exec of %s", path);
	CHECK(json_get_i64(line, "ret", &v) && v == -ENOENT, "ret %lld, want -ENOENT",
	      (long long)v);
	CHECK(json_str_eq(line, "error", "ENOENT"), "error name: %s", line);
	CHECK(json_get_i64(line, "pid", &v) && v == child, "pid %lld, want %d", (long long)v, child);
	sn_stop(&r);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	return 0;
}

TEST(exec_failed_hidden_by_default)
{
	const char *args[] = { "exec", "--json", NULL };
	char path[128], okmark[64];
	struct sn_run r;
	pid_t child;

	snprintf(path, sizeof(path), "/nonexistent/%s", sn_marker());
	snprintf(okmark, sizeof(okmark), "%s", sn_marker());
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	child = fork();
	if (child == 0) {
		char *argv[] = { path, NULL };

		execve(path, argv, NULL);
		_exit(0);
	}
	sn_reap(child);
	/* A successful exec after it proves the tracer was live when the failure happened. */
	char *argv[] = { "/bin/true", okmark, NULL };
	sn_reap(sn_spawn(argv));
	CHECK(sn_wait_line(&r, has_marker, okmark, 5000), "the successful exec was not seen");
	sn_stop(&r);
	CHECK(!sn_find_record(&r, "exec", has_marker, path), "failed exec shown without -x");
	sn_run_free(&r);
	return 0;
}

TEST(exec_max_args_truncation)
{
	const char *args[] = { "exec", "--json", "--max-args", "3", NULL };
	char marker[64];
	struct sn_run r;
	const char *line;
	struct json_val v;

	snprintf(marker, sizeof(marker), "%s", sn_marker());
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	char *argv[] = { "/bin/true", marker, "a", "b", "c", "d", NULL };
	sn_reap(sn_spawn(argv));
	line = sn_wait_line(&r, has_marker, marker, 5000);
	CHECK(line, "no record");
	CHECK(json_array_len(line, "args") == 3, "want 3 args kept: %s", line);
	v = json_get(line, "truncated");
	CHECK(v.type == JSON_BOOL && !strncmp(v.start, "true", 4), "truncated not set: %s", line);
	sn_stop(&r);
	sn_run_free(&r);

	/* The table marks the cut visibly. */
	const char *targs[] = { "exec", "--max-args", "3", NULL };
	snprintf(marker, sizeof(marker), "%s", sn_marker());
	CHECK(!sn_start(t, &r, targs), "%s", r.why);
	char *argv2[] = { "/bin/true", marker, "a", "b", "c", NULL };
	sn_reap(sn_spawn(argv2));
	usleep(300000);
	sn_stop(&r);
	line = strstr(r.out ? r.out : "", marker);
	CHECK(line, "marker not in table output: %s", r.out);
	CHECK(!strncmp(line + strlen(marker), " a ...\n", 7), "no ' ...' mark: %.60s", line);
	sn_run_free(&r);
	return 0;
}

TEST(exec_long_arguments_cut)
{
	const char *args[] = { "exec", "--json", NULL };
	static char big[5000], got[13000];
	char marker[64];
	struct sn_run r;
	const char *line;
	struct json_val v;
	size_t total = 0;

	snprintf(marker, sizeof(marker), "%s", sn_marker());
	memset(big, 'z', sizeof(big) - 1);
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	/* 4 x 5000 bytes: past the 12 KiB of argument text kept. */
	char *argv[] = { "/bin/true", marker, big, big, big, big, NULL };
	sn_reap(sn_spawn(argv));
	line = sn_wait_line(&r, has_marker, marker, 5000);
	CHECK(line, "no record");
	CHECK(json_get_array_str(line, "args", 2, got, sizeof(got)) == 4999, "a 4999-byte argument");
	for (long i = 0; i < json_array_len(line, "args"); i++)
		total += json_get_array_str(line, "args", i, got, sizeof(got)) + 1;
	CHECK(total <= 12289 && total > 12000, "kept %zu bytes of arguments, want about 12 KiB",
	      total);
	v = json_get(line, "truncated");
	CHECK(v.type == JSON_BOOL && !strncmp(v.start, "true", 4), "truncated not set");
	sn_stop(&r);
	sn_run_free(&r);
	return 0;
}

TEST_HOOKS(exec_execveat_seen, "exec")
{
	const char *args[] = { "exec", "--json", NULL };
	char marker[64], path[256];
	struct sn_run r;
	const char *line;
	int64_t v;
	pid_t child;

	snprintf(marker, sizeof(marker), "%s", sn_marker());
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	child = fork();
	if (child == 0) {
		int dir = open("/bin", O_RDONLY | O_DIRECTORY);
		char *argv[] = { "true", marker, NULL };

		syscall(SYS_execveat, dir, "true", argv, NULL, 0);
		_exit(1);
	}
	sn_reap(child);
	line = sn_wait_line(&r, has_marker, marker, 5000);
	CHECK(line, "no execveat record");
	CHECK(json_str_eq(line, "syscall", "execveat"), "syscall: %s", line);
	/* The kernel names a file opened through a directory fd as /dev/fd/N/NAME. */
	CHECK(json_get_str(line, "filename", path, sizeof(path)) > 0 &&
		      !strcmp(path + strlen(path) - 5, "/true"),
	      "filename: %s", line);
	CHECK(json_get_i64(line, "pid", &v) && v == child, "pid");
	CHECK(json_get_i64(line, "ret", &v) && v == 0, "ret");
	sn_stop(&r);
	sn_run_free(&r);
	return 0;
}

/* A filter that matches nothing of ours: the marker exec must not appear. */
static int filtered_out(struct sn_tctx *t, const char *opt, const char *value)
{
	const char *args[] = { "exec", "--json", opt, value, NULL };
	char marker[64];
	struct sn_run r;

	snprintf(marker, sizeof(marker), "%s", sn_marker());
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	char *argv[] = { "/bin/true", marker, NULL };
	sn_reap(sn_spawn(argv));
	usleep(400000);
	sn_stop(&r);
	CHECK(!sn_find_record(&r, "exec", has_marker, marker), "%s %s did not filter", opt, value);
	sn_run_free(&r);
	return 0;
}

TEST(exec_filter_pid)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", getppid());
	return filtered_out(t, "--pid", pid);
}

TEST(exec_filter_uid)
{
	return filtered_out(t, "--uid", "4242");
}

TEST(exec_filter_ppid)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", getppid());
	return filtered_out(t, "--ppid", pid);
}

TEST(exec_filter_comm)
{
	return filtered_out(t, "--comm", "no-such-comm");
}

TEST(exec_filter_ppid_matches)
{
	char pid[16], marker[64];
	const char *args[] = { "exec", "--json", "--ppid", pid, NULL };
	struct sn_run r;

	snprintf(pid, sizeof(pid), "%d", getpid());
	snprintf(marker, sizeof(marker), "%s", sn_marker());
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	char *argv[] = { "/bin/true", marker, NULL };
	sn_reap(sn_spawn(argv));
	CHECK(sn_wait_line(&r, has_marker, marker, 5000), "--ppid %s hid our own child", pid);
	sn_stop(&r);
	sn_run_free(&r);
	return 0;
}

/* Waits on @fd until the parent writes a byte, then execs /bin/true MARKER. */
static void exec_marker_when_told(int fd, const char *marker)
{
	char go;
	char *argv[] = { "/bin/true", (char *)marker, NULL };

	if (read(fd, &go, 1) != 1)
		_exit(1);
	execv(argv[0], argv);
	_exit(1);
}

TEST(exec_filter_cgroup)
{
	char dir[256], procs[300], rel[64], marker[64], other[64], pidbuf[16];
	const char *args[] = { "exec", "--json", "--cgroup", rel, NULL };
	struct sn_run r;
	const char *line;
	int go[2], fd;
	int64_t v;
	pid_t child;

	snprintf(rel, sizeof(rel), "sn-e2e-%d", getpid());
	snprintf(dir, sizeof(dir), "/sys/fs/cgroup/unified/%s", rel);
	if (access("/sys/fs/cgroup/unified/cgroup.procs", F_OK))
		snprintf(dir, sizeof(dir), "/sys/fs/cgroup/%s", rel);
	CHECK(!mkdir(dir, 0755), "mkdir %s: %s", dir, strerror(errno));
	snprintf(marker, sizeof(marker), "%s", sn_marker());
	snprintf(other, sizeof(other), "%s", sn_marker());
	CHECK(!pipe(go));
	child = fork();
	if (child == 0)
		exec_marker_when_told(go[0], marker);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	snprintf(pidbuf, sizeof(pidbuf), "%d", child);
	fd = open(procs, O_WRONLY);
	CHECK(fd >= 0 && write(fd, pidbuf, strlen(pidbuf)) > 0, "moving %d into %s", child, dir);
	close(fd);
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	char *argv[] = { "/bin/true", other, NULL };
	sn_reap(sn_spawn(argv)); /* outside the cgroup */
	CHECK(write(go[1], "g", 1) == 1);
	sn_reap(child);
	line = sn_wait_line(&r, has_marker, marker, 5000);
	sn_stop(&r);
	rmdir(dir);
	CHECK(line, "exec inside the cgroup not seen");
	CHECK(json_get_i64(line, "pid", &v) && v == child, "pid");
	CHECK(!sn_find_record(&r, "exec", has_marker, other), "exec outside the cgroup shown");
	sn_run_free(&r);
	return 0;
}

TEST(exec_pidns_translates_pids)
{
	char nspath[64], marker[64], other[64];
	const char *args[] = { "exec", "--json", "--pidns", nspath, NULL };
	struct sn_run r;
	const char *line;
	int go[2], report[2];
	int64_t v;
	pid_t child, inner = 0;

	snprintf(marker, sizeof(marker), "%s", sn_marker());
	snprintf(other, sizeof(other), "%s", sn_marker());
	CHECK(!pipe(go) && !pipe(report));
	child = fork();
	if (child == 0) {
		/* A new pid namespace: our next child is its pid 1. */
		if (unshare(CLONE_NEWPID))
			_exit(1);
		pid_t init = fork();

		if (init == 0)
			exec_marker_when_told(go[0], marker);
		if (write(report[1], &init, sizeof(init)) != sizeof(init))
			_exit(1);
		waitpid(init, NULL, 0);
		_exit(0);
	}
	CHECK(read(report[0], &inner, sizeof(inner)) == sizeof(inner) && inner > 0);
	snprintf(nspath, sizeof(nspath), "/proc/%d/ns/pid", inner);
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	char *argv[] = { "/bin/true", other, NULL };
	sn_reap(sn_spawn(argv)); /* in our namespace: not visible from theirs */
	CHECK(write(go[1], "g", 1) == 1);
	sn_reap(child);
	line = sn_wait_line(&r, has_marker, marker, 5000);
	sn_stop(&r);
	CHECK(line, "exec inside the namespace not seen");
	CHECK(json_get_i64(line, "pid", &v) && v == 1, "pid %lld, want 1 (as the namespace sees it)",
	      (long long)v);
	CHECK(json_get_i64(line, "ppid", &v) && v == 0,
	      "ppid %lld, want 0 (the parent is outside the namespace)", (long long)v);
	CHECK(!sn_find_record(&r, "exec", has_marker, other), "exec outside the namespace shown");
	sn_run_free(&r);
	return 0;
}
