// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop syscount against a child making a known number of real system calls: counts by
 * call and by process, failures (-x, -e), time (-L), interval reports, the table, --list.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "summary_util.h"

#define CALLS 5000

static void getppid_calls(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
}

static void failing_closes(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_close, -1); /* EBADF */
}

static void sleeps_20ms(long n)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	for (long i = 0; i < n; i++)
		syscall(SYS_nanosleep, &ts, NULL);
}

/*
 * Runs `syscount --json EXTRA... -p CHILD` around a gated child doing @work(@n) and leaves
 * the final record in *@line (owned by @r) and the child's pid in *@child. 0 or -1 (the
 * test has failed).
 */
static int run_child(struct sn_tctx *t, struct sn_run *r, const char *const *extra,
		     void (*work)(long), long n, const char **line, pid_t *child)
{
	const char *args[16] = { "syscount", "--json" };

	for (int i = 0; extra[i] && i < 13; i++)
		args[i + 2] = extra[i];
	CHECK(!run_around_child(t, r, args, work, n, child), "%s", r->why);
	*line = sn_find_record(r, "syscount", NULL, NULL);
	CHECK(*line, "no syscount record: %s", r->out);
	CHECK(json_valid(*line, strlen(*line)), "invalid JSON: %s", *line);
	return 0;
}

TEST_HOOKS(syscount_counts_by_syscall, "syscount")
{
	const char *extra[] = { NULL };
	const char *line;
	struct sn_run r;
	uint64_t count, full;
	pid_t child;

	if (run_child(t, &r, extra, getppid_calls, CALLS, &line, &child))
		return -1;
	CHECK(object_u64(line, "\"syscall\":\"getppid\"", "count", &count),
	      "no getppid row: %s", line);
	CHECK(count == CALLS, "getppid counted %llu times, the child made %d calls",
	      (unsigned long long)count, CALLS);
	CHECK(object_u64(line, "\"syscall\":\"getppid\"", "nr", &count) && count == SYS_getppid,
	      "nr: %s", line);
	CHECK(json_get_i64(line, "map_full", (int64_t *)&full) && full == 0, "map_full: %s", line);
	/* Only the child's calls: the exit_group it ends with never returns, so is not there. */
	CHECK(!strstr(line, "\"syscall\":\"exit_group\""), "exit_group counted: %s", line);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	return 0;
}

TEST_HOOKS(syscount_by_process, "syscount")
{
	const char *extra[] = { "--by-process", NULL };
	char anchor[32];
	const char *line;
	struct sn_run r;
	uint64_t count;
	pid_t child;

	if (run_child(t, &r, extra, getppid_calls, CALLS, &line, &child))
		return -1;
	CHECK(json_get(line, "rows").type == JSON_ARRAY, "rows: %s", line);
	snprintf(anchor, sizeof(anchor), "\"pid\":%d,", child);
	CHECK(object_u64(line, anchor, "count", &count) && count >= CALLS,
	      "no row for pid %d with %d calls or more: %s", child, CALLS, line);
	CHECK(strstr(line, "\"comm\":\"sysnoop-e2e\""), "comm: %s", line);
	CHECK(!strstr(line, "\"syscall\""), "--by-process alone has no syscall key: %s", line);
	sn_run_free(&r);
	return 0;
}

TEST(syscount_by_process_and_syscall)
{
	const char *extra[] = { "-P", "--by-syscall", "-L", NULL };
	const char *line;
	struct sn_run r;
	uint64_t count;
	double total, avg;
	pid_t child;

	if (run_child(t, &r, extra, sleeps_20ms, 5, &line, &child))
		return -1;
	CHECK(object_u64(line, "\"syscall\":\"nanosleep\"", "count", &count) && count == 5,
	      "nanosleep count: %s", line);
	CHECK(object_u64(line, "\"syscall\":\"nanosleep\"", "pid", &count) &&
		      count == (uint64_t)child,
	      "the nanosleep row is not the child's (%d): %s", child, line);
	/* The kernel sleeps at least what was asked: 5 x 20 ms. */
	CHECK(object_double(line, "\"syscall\":\"nanosleep\"", "total_ms", &total) &&
		      total >= 100 && total < 60000,
	      "total_ms: %s", line);
	CHECK(object_double(line, "\"syscall\":\"nanosleep\"", "avg_ms", &avg) && avg >= 20 &&
		      avg < 12000,
	      "avg_ms: %s", line);
	sn_run_free(&r);
	return 0;
}

/*
 * Entry stamps live per thread from call to call; a thread that exits (its last call,
 * exit_group, never returns) must take its stamp along, or the map fills up with the dead.
 */
TEST_HOOKS(syscount_latency_stamps_freed, "syscount")
{
	enum { CHILDREN = 100, EACH = 3 };
	char comm[16];
	const char *args[] = { "syscount", "--json", "-L", "--comm", comm, NULL };
	const char *line;
	struct sn_run r;
	uint64_t count;
	long stamps;

	snprintf(comm, sizeof(comm), "snl%d", getpid() % 100000);
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	for (int i = 0; i < CHILDREN; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			prctl(PR_SET_NAME, comm);
			getppid_calls(EACH);
			_exit(0);
		}
		waitpid(pid, NULL, 0);
	}
	/* Thread exits free their stamps at once, in the exiting thread itself. */
	stamps = bpf_map_entries(r.pid, "sn_start");
	CHECK(!sn_stop(&r), "%s", r.why);
	CHECK(stamps == 0, "%ld entry stamps left after %d exited processes", stamps, CHILDREN);
	line = sn_find_record(&r, "syscount", NULL, NULL);
	CHECK(line, "no syscount record: %s", r.out);
	CHECK(object_u64(line, "\"syscall\":\"getppid\"", "count", &count) &&
		      count == CHILDREN * EACH,
	      "want %d getppid calls timed: %s", CHILDREN * EACH, line);
	sn_run_free(&r);
	return 0;
}

TEST_HOOKS(syscount_failed_and_errno, "syscount")
{
	const char *failed[] = { "-x", NULL };
	const char *ebadf[] = { "--errno", "EBADF", NULL };
	const char *enoent[] = { "-e", "ENOENT", NULL };
	const char *line;
	struct sn_run r;
	uint64_t count;
	pid_t child;

	if (run_child(t, &r, failed, failing_closes, CALLS, &line, &child))
		return -1;
	CHECK(object_u64(line, "\"syscall\":\"close\"", "count", &count) && count >= CALLS,
	      "-x: close row: %s", line);
	/* The child's read of its gate succeeded: not a failure. */
	CHECK(!strstr(line, "\"syscall\":\"read\""), "-x counted a successful read: %s", line);
	sn_run_free(&r);

	if (run_child(t, &r, ebadf, failing_closes, CALLS, &line, &child))
		return -1;
	CHECK(object_u64(line, "\"syscall\":\"close\"", "count", &count) && count >= CALLS,
	      "-e EBADF: close row: %s", line);
	sn_run_free(&r);

	if (run_child(t, &r, enoent, failing_closes, CALLS, &line, &child))
		return -1;
	CHECK(!strstr(line, "\"syscall\":\"close\""), "-e ENOENT counted EBADF closes: %s", line);
	sn_run_free(&r);
	return 0;
}

TEST(syscount_interval_reports)
{
	const char *args[] = { "syscount", "--json", "-i", "1", "-d", "2.5", NULL };
	struct sn_run r;
	size_t pos = 0;
	const char *l;
	int n;

	CHECK(!sn_start(t, &r, args), "%s", r.why);
	CHECK(!sn_wait_exit(&r, 15000), "-d 2.5 did not end the run");
	CHECK(r.exit_code == 0, "exit %d; stderr: %s", r.exit_code, r.err);
	n = sn_count_records(&r, "syscount", NULL, NULL);
	CHECK(n == 2 || n == 3, "%d syscount records over 2.5 s with -i 1: %s", n, r.out);
	while ((l = sn_next_line(&r, &pos))) {
		CHECK(json_valid(l, strlen(l)), "invalid JSON: %s", l);
		if (json_str_eq(l, "type", "syscount"))
			CHECK(json_get(l, "ts").type == JSON_STRING, "no ts: %s", l);
	}
	CHECK(sn_find_record(&r, "summary", NULL, NULL), "no summary record");
	sn_run_free(&r);
	return 0;
}

TEST(syscount_table)
{
	const char *args[] = { "syscount", "-L", NULL };
	struct sn_run r;
	char *row;

	CHECK(!run_around_child(t, &r, args, getppid_calls, CALLS, NULL), "%s", r.why);
	CHECK(r.out[0] == '[' && strstr(r.out, "]\nSYSCALL "), "heading, then header: %s", r.out);
	CHECK(strstr(r.out, "COUNT") && strstr(r.out, "TIME(us)") && strstr(r.out, "AVG(us)"),
	      "columns: %s", r.out);
	row = strstr(r.out, "\ngetppid ");
	CHECK(row && strtoull(row + 8, NULL, 10) == CALLS, "getppid row: %s", r.out);
	sn_run_free(&r);
	return 0;
}

TEST(syscount_list_without_privileges)
{
	char bin[512];
	const char *args[] = { "--reuid=65534", "--regid=65534", "--clear-groups",
			       "--inh-caps=-all", "--bounding-set=-all", bin, "syscount", "--list",
			       NULL };
	struct sn_run r;
	int rc;

	if (access("/usr/bin/setpriv", X_OK))
		SKIP("setpriv (util-linux) not installed");
	snprintf(bin, sizeof(bin), "%s", sn_binary());
	setenv("SYSNOOP", "/usr/bin/setpriv", 1);
	rc = sn_run_sync(&r, args);
	setenv("SYSNOOP", bin, 1);
	CHECK(!rc, "%s", r.why);
	CHECK(r.exit_code == 0, "exit %d; stderr: %s", r.exit_code, r.err);
	CHECK(!strncmp(r.out, "NR ", 3), "header: %.40s", r.out);
	CHECK(strstr(r.out, "\n110   getppid\n") && strstr(r.out, "\n0     read\n"),
	      "getppid or read missing: %s", r.out);
	sn_run_free(&r);
	return 0;
}

static int usage_error(struct sn_tctx *t, const char *const *args, const char *needle)
{
	struct sn_run r;

	CHECK(!sn_run_sync(&r, args), "%s", r.why);
	CHECK(r.exit_code == 2, "exit %d, want 2; stderr: %s", r.exit_code, r.err);
	CHECK(r.err && strstr(r.err, needle) && strchr(r.err, '\n') == r.err + strlen(r.err) - 1,
	      "want one line with '%s': %s", needle, r.err);
	sn_run_free(&r);
	return 0;
}

TEST(syscount_usage_errors)
{
	const char *a1[] = { "syscount", "-e", "EWHAT", NULL };
	const char *a2[] = { "syscount", "--top", "many", NULL };
	const char *a3[] = { "syscount", "--count", "5", NULL };
	const char *a4[] = { "exec", "-i", "1", NULL };

	if (usage_error(t, a1, "invalid --errno 'EWHAT'") || usage_error(t, a2, "--top") ||
	    usage_error(t, a3, "--count"))
		return -1;
	return usage_error(t, a4, "no interval mode");
}
