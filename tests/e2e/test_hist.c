// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop hist against children making known system calls: 10 ms sleeps land in the
 * [8192, 16384) us bucket, reads of known sizes in their linear buckets, one histogram per
 * pid or comm, errors counted apart; bad input.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "summary_util.h"

static void sleeps_10ms(long n)
{
	struct sched_param rt = { .sched_priority = 1 };
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	/*
	 * A real-time task runs as soon as its timer fires, so a loaded machine cannot stretch
	 * a 10 ms sleep past the bucket's 16.4 ms (measured: a 16.9 ms one without this).
	 */
	sched_setscheduler(0, SCHED_FIFO, &rt);
	/* nanosleep itself: glibc's nanosleep() would make a clock_nanosleep call. */
	for (long i = 0; i < n; i++)
		syscall(SYS_nanosleep, &ts, NULL);
}

/* Reads of 100, 250 and 900 bytes from /dev/zero, and one that fails (EBADF). */
static void sized_reads(long unused)
{
	static const size_t sizes[] = { 100, 250, 900 };
	char buf[1024];
	int fd = open("/dev/zero", O_RDONLY);

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (read(fd, buf, sizes[i]) != (ssize_t)sizes[i])
			_exit(1);
	if (read(-1, buf, 10) != -1)
		_exit(1);
}

static void getppid_calls(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
}

/*
 * Runs `hist ARGS... -p CHILD` around a gated child; with @line, checks that a valid hist
 * record was printed and leaves it there. 0 or -1 (the test has failed).
 */
static int run_child(struct sn_tctx *t, struct sn_run *r, const char *const *args,
		     void (*work)(long), long n, const char **line)
{
	CHECK(!run_around_child(t, r, args, work, n, NULL), "%s", r->why);
	if (!line)
		return 0;
	*line = sn_find_record(r, "hist", NULL, NULL);
	CHECK(*line, "no hist record: %s", r->out);
	CHECK(json_valid(*line, strlen(*line)), "invalid JSON: %s", *line);
	return 0;
}

TEST_HOOKS(hist_nanosleep_latency, "hist")
{
	const char *args[] = { "hist", "--json", "--syscall", "nanosleep", NULL };
	const char *line;
	struct sn_run r;
	uint64_t count, min;

	if (run_child(t, &r, args, sleeps_10ms, 50, &line))
		return -1;
	CHECK(json_str_eq(line, "syscall", "nanosleep") && json_str_eq(line, "value", "latency") &&
		      json_str_eq(line, "unit", "us"),
	      "header fields: %s", line);
	CHECK(json_array_len(line, "histograms") == 1, "want one histogram: %s", line);
	CHECK(object_u64(line, "\"low\":8192,", "count", &count) && count >= 50,
	      "the [8192, 16384) us bucket should hold the 50 sleeps of 10 ms: %s", line);
	CHECK(object_u64(line, "\"low\":8192,", "high", &count) && count == 16384, "%s", line);
	/* The kernel sleeps at least what was asked. */
	CHECK(object_u64(line, "\"sum\":", "min", &min) && min >= 10000, "min: %s", line);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	return 0;
}

TEST(hist_linear_return_values)
{
	const char *args[] = { "hist", "--json", "--syscall", "read", "--value", "ret",
			       "--linear", "0,1000,100", NULL };
	const char *line;
	struct sn_run r;
	uint64_t count;
	int64_t errors;

	if (run_child(t, &r, args, sized_reads, 0, &line))
		return -1;
	/* Each size in its bucket: [100, 200), [200, 300), [900, 1000). */
	CHECK(object_u64(line, "\"low\":100,", "count", &count) && count == 1, "100: %s", line);
	CHECK(object_u64(line, "\"low\":200,", "count", &count) && count == 1, "250: %s", line);
	CHECK(object_u64(line, "\"low\":900,", "count", &count) && count == 1, "900: %s", line);
	CHECK(object_u64(line, "\"low\":900,", "high", &count) && count == 1000, "%s", line);
	CHECK(!strstr(line, "\"low\":300,") && !strstr(line, "\"low\":800,"),
	      "a read in a bucket it does not belong to: %s", line);
	/* The read of -1 failed: an error, not a value. */
	CHECK(object_u64(line, "\"errors\":", "errors", (uint64_t *)&errors) && errors == 1,
	      "errors: %s", line);
	CHECK(!strstr(line, "\"low\":null"), "a negative return in the histogram: %s", line);
	sn_run_free(&r);
	return 0;
}

TEST(hist_table_layout)
{
	const char *args[] = { "hist", "--syscall", "read", "--value", "ret", "--linear",
			       "0,1000,100", NULL };
	struct sn_run r;

	if (run_child(t, &r, args, sized_reads, 0, NULL))
		return -1;
	CHECK(r.out[0] == '[', "heading: %s", r.out);
	CHECK(strstr(r.out, "ret : count    distribution"), "header: %s", r.out);
	CHECK(strstr(r.out, "       200 -> 300        : 1        |"), "[200, 300): %s", r.out);
	/* The gate's 1-byte read and the three sized ones; the failed read is apart. */
	CHECK(strstr(r.out, "\ncount 4, average "), "stats line: %s", r.out);
	CHECK(strstr(r.out, "errors: 1 (negative returns"), "errors line: %s", r.out);
	sn_run_free(&r);
	return 0;
}

TEST(hist_by_pid_and_comm)
{
	char comm[16];
	const char *by_pid[] = { "hist", "--json", "--syscall", "getppid", "--by", "pid",
				 "--comm", comm, NULL };
	const char *by_comm[] = { "hist", "--json", "--syscall", "getppid", "--by", "comm",
				  "--comm", comm, NULL };
	struct gated_child a, b;
	struct sn_run r;
	const char *line;
	char anchor[64];

	snprintf(comm, sizeof(comm), "snh%d", getpid() % 100000);
	CHECK(!gated_child_start(&a, comm, getppid_calls, 30), "fork failed");
	CHECK(!gated_child_start(&b, comm, getppid_calls, 70), "fork failed");
	if (sn_start(t, &r, by_pid)) {
		gated_child_finish(&a);
		gated_child_finish(&b);
		CHECK(0, "%s", r.why);
	}
	gated_child_finish(&a);
	gated_child_finish(&b);
	CHECK(!sn_stop(&r), "%s", r.why);
	line = sn_find_record(&r, "hist", NULL, NULL);
	CHECK(line && json_valid(line, strlen(line)), "no valid hist record: %s", r.out);
	CHECK(json_array_len(line, "histograms") == 2, "want a histogram per child: %s", line);
	/* The bigger one first. */
	snprintf(anchor, sizeof(anchor), "\"histograms\":[{\"pid\":%d,", b.pid);
	CHECK(strstr(line, anchor), "pid %d (70 calls) should come first: %s", b.pid, line);
	snprintf(anchor, sizeof(anchor), "{\"pid\":%d,\"comm\":\"%s\"", a.pid, comm);
	CHECK(strstr(line, anchor), "no histogram for pid %d: %s", a.pid, line);
	snprintf(anchor, sizeof(anchor), "\"pid\":%d,", b.pid);
	CHECK(strstr(line, anchor), "no histogram for pid %d: %s", b.pid, line);
	/* Each histogram holds its own child's calls: count follows sum in the hist object. */
	snprintf(anchor, sizeof(anchor), "\"pid\":%d,", a.pid);
	CHECK(strstr(strstr(line, anchor), "\"hist\":{\"count\":30,"), "pid %d: %s", a.pid, line);
	CHECK(strstr(line, "\"hist\":{\"count\":70,"), "pid %d: %s", b.pid, line);
	sn_run_free(&r);

	CHECK(!gated_child_start(&a, comm, getppid_calls, 30), "fork failed");
	CHECK(!gated_child_start(&b, comm, getppid_calls, 70), "fork failed");
	if (sn_start(t, &r, by_comm)) {
		gated_child_finish(&a);
		gated_child_finish(&b);
		CHECK(0, "%s", r.why);
	}
	gated_child_finish(&a);
	gated_child_finish(&b);
	CHECK(!sn_stop(&r), "%s", r.why);
	line = sn_find_record(&r, "hist", NULL, NULL);
	CHECK(line && json_array_len(line, "histograms") == 1, "want one histogram: %s", r.out);
	snprintf(anchor, sizeof(anchor), "[{\"comm\":\"%s\",\"errors\":0,\"hist\":{\"count\":100,",
		 comm);
	CHECK(strstr(line, anchor), "want 100 calls under comm %s: %s", comm, line);
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

TEST(hist_usage_errors)
{
	const char *a1[] = { "hist", NULL };
	const char *a2[] = { "hist", "--syscall", "nosuchcall", NULL };
	const char *a3[] = { "hist", "--syscall", "read", "--linear", "0,1000,1", NULL };
	const char *a4[] = { "hist", "--syscall", "read", "--linear", "0,1000,300", NULL };
	const char *a5[] = { "hist", "--syscall", "read", "--unit", "s", NULL };
	const char *a6[] = { "hist", "--syscall", "read", "--by", "uid", NULL };
	const char *a7[] = { "hist", "--syscall", "read", "--value", "ret", "--unit", "ms", NULL };
	const char *a8[] = { "hist", "--syscall", "exit_group", NULL };

	if (usage_error(t, a1, "--syscall NAME is required") ||
	    usage_error(t, a2, "unknown system call 'nosuchcall' (see 'sysnoop syscount --list'") ||
	    usage_error(t, a3, "1000 steps, at most 62") ||
	    usage_error(t, a4, "multiple of STEP") || usage_error(t, a5, "invalid --unit 's'") ||
	    usage_error(t, a6, "invalid --by 'uid'") || usage_error(t, a7, "--unit applies") ||
	    usage_error(t, a8, "never returns"))
		return -1;
	return 0;
}
