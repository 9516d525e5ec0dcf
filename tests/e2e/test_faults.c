// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop faults against real page faults: a child writes once to every page of a fresh
 * anonymous mapping, so it takes one minor fault per page, and faults must count them all.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "summaries.h"

#define MIB (1024 * 1024)

/* A child that touches @mib MiB of new memory for each byte it reads, answering each. */
struct toucher {
	pid_t pid;
	int go, done;
	size_t pages; /* pages touched per round */
};

static void touch_rounds(int go, int done, size_t len)
{
	char byte;

	while (read(go, &byte, 1) == 1) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			       0);

		if (p == MAP_FAILED)
			_exit(1);
		/* One fault per small page: no transparent huge pages here. */
		madvise(p, len, MADV_NOHUGEPAGE);
		for (size_t off = 0; off < len; off += (size_t)sysconf(_SC_PAGESIZE))
			p[off] = 1;
		munmap(p, len);
		if (write(done, "d", 1) != 1)
			_exit(1);
	}
	_exit(0);
}

/* Starts the child, named @comm if not NULL, blocked until the first round. */
static int toucher_start(struct toucher *c, size_t mib, const char *comm)
{
	int go[2], done[2];

	if (pipe2(go, O_CLOEXEC) || pipe2(done, O_CLOEXEC))
		return -1;
	c->pages = mib * MIB / (size_t)sysconf(_SC_PAGESIZE);
	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (c->pid == 0) {
		/* Only its own pipe ends: another child's would keep that one from its EOF. */
		for (int fd = 3; fd < 1024; fd++)
			if (fd != go[0] && fd != done[1])
				close(fd);
		if (comm)
			prctl(PR_SET_NAME, comm);
		touch_rounds(go[0], done[1], mib * MIB);
	}
	close(go[0]);
	close(done[1]);
	c->go = go[1];
	c->done = done[0];
	return 0;
}

/* One round: returns once the child has touched every page. */
static int toucher_round(struct toucher *c)
{
	char byte;

	if (write(c->go, "g", 1) != 1 || read(c->done, &byte, 1) != 1)
		return -1;
	return 0;
}

static void toucher_end(struct toucher *c)
{
	close(c->go);
	close(c->done);
	sn_reap(c->pid);
}

static bool faults_of(const char *line, void *pid)
{
	return json_i64_is(line, "pid", *(pid_t *)pid);
}

static bool not_faults_of(const char *line, void *pid)
{
	return !faults_of(line, pid);
}

TEST_HOOKS(faults_minor_by_pid, "faults")
{
	struct toucher c;
	struct sn_run r;
	const char *line;
	char pid[16];
	int64_t n;

	CHECK(!toucher_start(&c, 64, NULL), "fork: %m");
	snprintf(pid, sizeof(pid), "%d", c.pid);
	const char *args[] = { "faults", "-P", "-p", pid, "--json", NULL };

	CHECK(!sn_start(t, &r, args), "%s", r.why);
	CHECK(!toucher_round(&c), "the child did not touch its pages");
	toucher_end(&c);
	sn_stop(&r);
	CHECK(r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
	line = sn_find_record(&r, "faults", faults_of, &c.pid);
	CHECK(line, "no row for pid %d: %s", c.pid, r.out);
	CHECK(json_get_i64(line, "faults", &n) && n >= (int64_t)c.pages,
	      "want at least %zu faults: %s", c.pages, line);
	CHECK(json_str_eq(line, "comm", "sysnoop-e2e"), "comm: %s", line);
	CHECK(json_get(line, "minor").type == JSON_NONE, "minor without --split: %s", line);
	/* -p is applied in the kernel: no other process has a row. */
	CHECK(!sn_find_record(&r, "faults", not_faults_of, &c.pid), "another pid: %s", r.out);
	line = sn_find_record(&r, "totals", NULL, NULL);
	CHECK(line && json_get_i64(line, "faults", &n) && n >= (int64_t)c.pages &&
		      json_i64_is(line, "rows", 1) && json_i64_is(line, "map_full", 0),
	      "totals: %s", line);
	CHECK(summary_hook_is(&r, t->hook), "summary: %s", r.out);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	return 0;
}

TEST(faults_split_minor_major)
{
	struct toucher c;
	struct sn_run r;
	const char *line;
	int64_t all, minor, major;
	char pid[16];

	CHECK(!toucher_start(&c, 64, NULL), "fork: %m");
	snprintf(pid, sizeof(pid), "%d", c.pid);
	const char *args[] = { "faults", "--split", "-P", "-p", pid, "--json", NULL };

	if (sn_start(t, &r, args)) {
		toucher_end(&c);
		if (strstr(r.why, "cannot be opened"))
			SKIP("no minor-faults/major-faults events: %.200s", r.why);
		CHECK(false, "%s", r.why);
	}
	CHECK(!toucher_round(&c), "the child did not touch its pages");
	toucher_end(&c);
	sn_stop(&r);
	line = sn_find_record(&r, "faults", faults_of, &c.pid);
	CHECK(line, "no row for pid %d: %s", c.pid, r.out);
	CHECK(json_get_i64(line, "minor", &minor) && minor >= (int64_t)c.pages,
	      "want at least %zu minor faults: %s", c.pages, line);
	CHECK(json_get_i64(line, "major", &major) && json_get_i64(line, "faults", &all) &&
		      all == minor + major,
	      "faults is minor + major: %s", line);
	CHECK(summary_hook_is(&r, "perf_event"), "hook: %s", r.out);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	return 0;
}

static bool comm_is(const char *line, void *comm)
{
	return json_str_eq(line, "comm", comm);
}

/* Two processes of one name: one row per name by default, the top one with -P --top 1. */
TEST(faults_by_comm_and_top)
{
	struct toucher big, small;
	struct sn_run r;
	const char *line;
	char comm[16];
	int64_t n;

	snprintf(comm, sizeof(comm), "snflt%d", getpid() % 100000);
	CHECK(!toucher_start(&big, 64, comm) && !toucher_start(&small, 8, comm), "fork: %m");
	const char *by_comm[] = { "faults", "--comm", comm, "--json", NULL };
	const char *top[] = { "faults", "--comm", comm, "-P", "--top", "1", "--json", NULL };

	CHECK(!sn_start(t, &r, by_comm), "%s", r.why);
	CHECK(!toucher_round(&big) && !toucher_round(&small), "the children did not run");
	sn_stop(&r);
	CHECK(sn_count_records(&r, "faults", NULL, NULL) == 1, "one row per name: %s", r.out);
	line = sn_find_record(&r, "faults", comm_is, comm);
	CHECK(line && json_get_i64(line, "faults", &n) && n >= (int64_t)(big.pages + small.pages),
	      "the name sums both processes: %s", line);
	CHECK(json_get(line, "pid").type == JSON_NONE, "no pid without -P: %s", line);
	sn_run_free(&r);

	CHECK(!sn_start(t, &r, top), "%s", r.why);
	CHECK(!toucher_round(&big) && !toucher_round(&small), "the children did not run");
	toucher_end(&big);
	toucher_end(&small);
	sn_stop(&r);
	CHECK(sn_count_records(&r, "faults", NULL, NULL) == 1, "--top 1: %s", r.out);
	CHECK(sn_find_record(&r, "faults", faults_of, &big.pid), "the top row is the bigger: %s",
	      r.out);
	line = sn_find_record(&r, "totals", NULL, NULL);
	CHECK(line && json_i64_is(line, "rows", 2), "totals count both rows: %s", line);
	sn_run_free(&r);
	return 0;
}

/* Counts "totals" records until the @want-th. */
struct nth_report {
	int want, seen;
};

static bool nth_report(const char *line, void *ctx)
{
	struct nth_report *n = ctx;

	return json_str_eq(line, "type", "totals") && ++n->seen >= n->want;
}

/* Each report covers its interval: the maps are emptied after each. */
TEST(faults_interval_resets)
{
	struct nth_report nth = {};
	struct toucher c;
	struct sn_run r;
	size_t pos = 0;
	const char *line;
	int64_t n, sum = 0;
	int rows = 0;
	char pid[16];

	CHECK(!toucher_start(&c, 64, NULL), "fork: %m");
	snprintf(pid, sizeof(pid), "%d", c.pid);
	const char *args[] = { "faults", "-P", "-p", pid, "-i", "0.5", "--json", NULL };

	CHECK(!sn_start(t, &r, args), "%s", r.why);
	CHECK(!toucher_round(&c), "first round");
	/* The report after next covers the whole first round. */
	nth.want = sn_count_records(&r, "totals", NULL, NULL) + 2;
	CHECK(sn_wait_line(&r, nth_report, &nth, 5000), "no reports: %s", r.err);
	CHECK(!toucher_round(&c), "second round");
	toucher_end(&c);
	sn_stop(&r);
	while ((line = sn_next_line(&r, &pos))) {
		if (!json_str_eq(line, "type", "faults") || !faults_of(line, &c.pid))
			continue;
		CHECK(json_get_i64(line, "faults", &n), "%s", line);
		CHECK(n < 2 * (int64_t)c.pages, "a report counts both rounds: the maps were not "
		      "reset: %s", line);
		sum += n;
		rows++;
	}
	CHECK(rows >= 2 && sum >= 2 * (int64_t)c.pages, "%d rows, %lld faults in all: %s", rows,
	      (long long)sum, r.out);
	sn_run_free(&r);
	return 0;
}

/* A full map loses faults: counted, in the totals and on stderr. */
TEST(faults_map_full_reported)
{
	struct toucher a, b;
	struct sn_run r;
	const char *line;
	char comm[16];
	int64_t n;

	snprintf(comm, sizeof(comm), "snful%d", getpid() % 100000);
	CHECK(!toucher_start(&a, 8, comm) && !toucher_start(&b, 8, comm), "fork: %m");
	const char *args[] = { "faults", "--comm", comm, "-P", "--max-entries", "1", "--json",
			       NULL };

	CHECK(!sn_start(t, &r, args), "%s", r.why);
	CHECK(!toucher_round(&a) && !toucher_round(&b), "the children did not run");
	toucher_end(&a);
	toucher_end(&b);
	sn_stop(&r);
	line = sn_find_record(&r, "totals", NULL, NULL);
	CHECK(line && json_get_i64(line, "map_full", &n) && n >= (int64_t)a.pages,
	      "the second process's faults are counted as lost: %s", line);
	CHECK(strstr(r.err, "faults not counted") && strstr(r.err, "--max-entries"),
	      "stderr: %s", r.err);
	sn_run_free(&r);
	return 0;
}

TEST(faults_table_output)
{
	struct toucher c;
	struct sn_run r;
	size_t pos = 0;
	const char *line;
	char pid[16];
	bool header = false, row = false;

	CHECK(!toucher_start(&c, 8, NULL), "fork: %m");
	snprintf(pid, sizeof(pid), "%d", c.pid);
	const char *args[] = { "faults", "-P", "-p", pid, NULL };

	CHECK(!sn_start(t, &r, args), "%s", r.why);
	CHECK(!toucher_round(&c), "round");
	toucher_end(&c);
	sn_stop(&r);
	while ((line = sn_next_line(&r, &pos))) {
		header |= !strncmp(line, "PID     COMM             FAULTS", 31);
		row |= !strncmp(line, pid, strlen(pid)) && strstr(line, "sysnoop-e2e");
	}
	CHECK(header && row, "table: %s", r.out);
	CHECK(strstr(r.err, "events, 0 dropped"), "stderr: %s", r.err);
	sn_run_free(&r);
	return 0;
}

TEST(faults_bad_input)
{
	const char *a1[] = { "faults", "--split", "--hook", "tracepoint", NULL };
	const char *a2[] = { "faults", "--top", "ten", NULL };
	const char *a3[] = { "faults", "--count", "5", NULL };
	const char *a4[] = { "faults", "--max-entries", "0", NULL };
	const char *a5[] = { "faults", "-i", "0", NULL };
	const char *a6[] = { "faults", "--hook", "kprobe", NULL };

	if (expect_usage_error(t, a1, "--split") || expect_usage_error(t, a2, "--top") ||
	    expect_usage_error(t, a3, "--count") || expect_usage_error(t, a4, "--max-entries") ||
	    expect_usage_error(t, a5, "--interval"))
		return -1;
	return expect_usage_error(t, a6, "no kprobe variant");
}
