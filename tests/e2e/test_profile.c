// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop profile against a real CPU burner (tests/e2e/progs/busy.c, built next to the
 * sysnoop binary under progs/): it must name the process and the function it spins in, in
 * the top list, the folded stacks and the flame graph, through exec, from stripped files,
 * and in the kernel. Where busy cannot run (the kernel-matrix guests have no libc), a child
 * of this driver runs the same functions, and what needs busy's own files is skipped.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "progs/busy.h"
#include "summaries.h"

#define MARKER "sn_busy_loop_marker"

/* build/progs/NAME, next to the binary under test. */
static const char *prog_path(const char *name)
{
	static char path[4096];
	char bin[4096];

	snprintf(bin, sizeof(bin), "%s", sn_binary());
	snprintf(path, sizeof(path), "%s/progs/%s", dirname(bin), name);
	return path;
}

/* Where it can run: build/progs/busy exists, and so does the libc it links. */
static bool busy_runs(const char *path)
{
	char *argv[] = { (char *)path, "cpu", "0", NULL };
	int status;

	if (access(path, X_OK))
		return false;
	status = sn_reap(sn_spawn(argv));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

struct busy {
	pid_t pid;
	int go;        /* a byte here starts the burn */
	bool external; /* build/progs/NAME, not a child of this driver */
};

/* A child of this driver named busy that burns like `busy MODE SECS`. */
static void busy_inside(int go, const char *mode, const char *secs)
{
	volatile double duration = atof(secs);
	char byte;

	prctl(PR_SET_NAME, "busy");
	if (read(go, &byte, 1) != 1)
		_exit(1);
	if (!strcmp(mode, "sys"))
		sn_busy_sys_marker(duration);
	else
		sn_busy_loop_marker(duration);
	_exit(0);
}

/*
 * Starts `NAME MODE SECS` from build/progs, waiting on its stdin; "busy" runs inside this
 * driver where build/progs/busy cannot. 0, 1 if @name cannot run here, -1 on failure.
 */
static int busy_start(struct busy *b, const char *name, const char *mode, const char *secs)
{
	const char *path = prog_path(name);
	char *argv[] = { (char *)path, (char *)mode, (char *)secs, NULL };
	int go[2];

	b->external = busy_runs(path);
	if (!b->external && strcmp(name, "busy"))
		return 1;
	if (pipe2(go, O_CLOEXEC))
		return -1;
	b->pid = fork();
	if (b->pid < 0)
		return -1;
	if (b->pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 1);
		dup2(null, 2);
		if (!b->external)
			busy_inside(go[0], mode, secs);
		dup2(go[0], 0);
		execv(path, argv);
		_exit(127);
	}
	close(go[0]);
	b->go = go[1];
	return 0;
}

static void busy_go(struct busy *b)
{
	if (write(b->go, "g", 1) != 1)
		kill(b->pid, SIGKILL);
	close(b->go);
}

static void busy_end(struct busy *b)
{
	kill(b->pid, SIGKILL);
	sn_reap(b->pid);
}

/*
 * Profiles `busy MODE` (@prog: busy or busy-stripped) for 2 s with -p and @extra options
 * (NULL-terminated), leaving the output in @r. 0, -1 with the reason in @t, or 1 when
 * @prog cannot run here (the test is skipped).
 */
static int profile_busy(struct sn_tctx *t, struct sn_run *r, struct busy *b, const char *prog,
			const char *mode, const char *const *extra)
{
	const char *args[32] = { "profile", "-F", "199", "-d", "2", "-p" };
	char pid[16];
	int n = 6, err;

	err = busy_start(b, prog, mode, "3");
	if (err > 0) {
		snprintf(t->why, sizeof(t->why), "%s cannot run here (not built, or no libc)",
			 prog);
		t->skipped = true;
		return 1;
	}
	CHECK(!err, "cannot start %s: %m", prog);
	snprintf(pid, sizeof(pid), "%d", b->pid);
	args[n++] = pid;
	for (int i = 0; extra[i] && n < 31; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	if (sn_start(t, r, args)) {
		busy_end(b);
		CHECK(false, "%s", r->why);
	}
	busy_go(b);
	sn_wait_exit(r, 15000);
	busy_end(b);
	CHECK(r->exit_code == 0, "exit %d: %s", r->exit_code, r->err);
	return 0;
}

/* Runs profile_busy(), ending the test on failure or skip. */
#define PROFILE_BUSY(...)                                                                      \
	do {                                                                                   \
		int err_ = profile_busy(__VA_ARGS__);                                          \
		if (err_)                                                                      \
			return err_ < 0 ? -1 : 0;                                              \
	} while (0)

/* The file the samples of @b are named from, as /proc/PID/maps names it. */
static const char *busy_file(const struct busy *b)
{
	static char path[4096];
	ssize_t n;

	if (b->external)
		return realpath(prog_path("busy"), path) ? path : "?";
	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	path[n > 0 ? n : 0] = '\0';
	return path;
}

static bool function_is(const char *line, void *name)
{
	return json_str_eq(line, "function", name);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

TEST_HOOKS(profile_names_busy_function, "profile")
{
	const char *extra[] = { "-P", "--json", NULL };
	struct sn_run r;
	struct busy b;
	const char *line;
	char module[4096], percent[32];
	struct json_val v;
	int64_t samples, total;

	PROFILE_BUSY(t, &r, &b, "busy", "cpu", extra);
	/* The first row is the top one. */
	line = sn_find_record(&r, "function", NULL, NULL);
	CHECK(line && function_is(line, MARKER), "the top function is not %s: %s", MARKER, r.out);
	CHECK(json_str_eq(line, "comm", "busy") && json_i64_is(line, "pid", b.pid),
	      "process: %s", line);
	CHECK(json_get_str(line, "module", module, sizeof(module)) > 0 &&
		      !strcmp(module, busy_file(&b)),
	      "module %s, want %s", module, busy_file(&b));
	v = json_get(line, "percent");
	CHECK(v.type == JSON_NUMBER && v.len < sizeof(percent), "percent: %s", line);
	snprintf(percent, sizeof(percent), "%.*s", (int)v.len, v.start);
	/* -p leaves only busy, which spins in that function: most samples are there. */
	CHECK(atof(percent) > 50, "share %s%%: %s", percent, r.out);
	CHECK(json_get_i64(line, "samples", &samples) && samples > 0, "%s", line);
	line = sn_find_record(&r, "totals", NULL, NULL);
	CHECK(line && json_get_i64(line, "samples", &total) && total >= samples, "totals: %s",
	      line);
	line = sn_find_record(&r, "summary", NULL, NULL);
	CHECK(line && json_i64_is(line, "events", total), "summary events: %s", line);
	CHECK(summary_hook_is(&r, t->hook), "hook: %s", r.out);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	return 0;
}

TEST(profile_table_output)
{
	const char *extra[] = { "--top", "3", NULL };
	struct sn_run r;
	struct busy b;
	size_t pos = 0;
	const char *line;
	bool header = false, row = false;
	int rows = 0;

	PROFILE_BUSY(t, &r, &b, "busy", "cpu", extra);
	while ((line = sn_next_line(&r, &pos))) {
		if (!strncmp(line, "SAMPLES  PERCENT COMM             MODULE", 40)) {
			header = true;
			continue;
		}
		rows++;
		row |= strstr(line, " busy ") && ends_with(line, " " MARKER);
	}
	CHECK(header && row, "table: %s", r.out);
	CHECK(rows <= 3, "--top 3 printed %d rows: %s", rows, r.out);
	sn_run_free(&r);
	return 0;
}

/* Folded lines: "busy;...;main;sn_busy_loop_marker COUNT", the format flamegraph.pl reads. */
TEST(profile_folded_stacks)
{
	const char *extra[] = { "--folded", NULL };
	struct sn_run r;
	struct busy b;
	size_t pos = 0;
	const char *line;
	bool found = false;

	PROFILE_BUSY(t, &r, &b, "busy", "cpu", extra);
	while ((line = sn_next_line(&r, &pos))) {
		const char *count = strrchr(line, ' ');

		CHECK(count && count > line && count[1] && strspn(count + 1, "0123456789") ==
								   strlen(count + 1),
		      "not a folded line: '%s'", line);
		/* busy keeps frame pointers: its caller is there too. */
		found |= !strncmp(line, "busy;", 5) &&
			 strstr(line, b.external ? ";main;" MARKER " " : ";" MARKER " ");
	}
	CHECK(found, "no busy;...;%s%s line: %s", b.external ? "main;" : "", MARKER, r.out);
	sn_run_free(&r);
	return 0;
}

/* Exit status of a well-formedness check of XML file @path: 0 valid, 127 no checker. */
static int xml_check(const char *path)
{
	char *argv[] = { "/bin/sh", "-c",
			 "if command -v python3 >/dev/null; then exec python3 -c 'import sys, "
			 "xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' \"$1\" 2>/dev/null; "
			 "elif command -v xmllint >/dev/null; then exec xmllint --noout \"$1\" "
			 "2>/dev/null; else exit 127; fi",
			 "sh", (char *)path, NULL };
	int status = sn_reap(sn_spawn(argv));

	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *data = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&data, &len, '\0', f) < 0) {
		free(data);
		data = NULL;
	}
	fclose(f);
	return data;
}

TEST(profile_svg_flame_graph)
{
	char path[128], bad[160];
	const char *extra[] = { "--svg", path, NULL };
	struct sn_run r;
	struct busy b;
	char *svg;
	int rc;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/%s.svg", sn_marker());
	snprintf(bad, sizeof(bad), "%s.bad", path);
	PROFILE_BUSY(t, &r, &b, "busy", "cpu", extra);
	CHECK(strstr(r.err, "flame graph written to"), "stderr: %s", r.err);
	svg = read_file(path);
	CHECK(svg, "no %s", path);
	CHECK(strstr(svg, ">" MARKER " (") && strstr(svg, ">busy ("), "names missing from the SVG");
	CHECK(strstr(svg, "<script") && strstr(svg, "function zoom("), "no zoom script");
	free(svg);
	/* The checker must tell a broken file from a good one, or it proves nothing. */
	f = fopen(bad, "we");
	CHECK(f && fputs("<svg><g></svg>\n", f) >= 0 && !fclose(f), "writing %s", bad);
	rc = xml_check(bad);
	unlink(bad);
	if (rc == 127) {
		unlink(path);
		SKIP("neither python3 nor xmllint to check the XML");
	}
	CHECK(rc != 0, "the XML check passes a broken file");
	rc = xml_check(path);
	CHECK(rc == 0, "%s is not well-formed XML (checker exit %d)", path, rc);
	unlink(path);
	sn_run_free(&r);
	return 0;
}

/* Reads /proc/kallsyms for text symbol @name. */
static bool kallsyms_has(const char *name)
{
	char line[512], sym[256], type;
	unsigned long long addr;
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "re");

	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%llx %c %255s", &addr, &type, sym) == 3 &&
			(type == 't' || type == 'T') && !strcmp(sym, name);
	if (f)
		fclose(f);
	return found;
}

TEST(profile_kernel_stacks)
{
	const char *extra[] = { "-K", "--json", "--top", "0", NULL };
	struct sn_run r;
	struct busy b;
	size_t pos = 0;
	const char *line;
	char name[256], module[256], pct[32];
	double kernel = 0;
	bool named = false;

	PROFILE_BUSY(t, &r, &b, "busy", "sys", extra);
	while ((line = sn_next_line(&r, &pos))) {
		struct json_val v = json_get(line, "percent");

		if (!json_str_eq(line, "type", "function"))
			continue;
		CHECK(json_get_str(line, "function", name, sizeof(name)) > 0 &&
			      json_get_str(line, "module", module, sizeof(module)) > 0 &&
			      v.type == JSON_NUMBER && v.len < sizeof(pct),
		      "%s", line);
		/* -K: the kernel's own, its modules' ([ext4], [bpf]), or samples in user mode. */
		CHECK(module[0] == '[' || !strcmp(name, "[user]"), "-K shows %s", line);
		if (module[0] != '[')
			continue;
		snprintf(pct, sizeof(pct), "%.*s", (int)v.len, v.start);
		kernel += atof(pct);
		named |= strcmp(name, "[unknown]") && kallsyms_has(name);
	}
	/* busy sys spends its time reading /dev/zero: in the kernel. */
	CHECK(kernel > 50 && named, "kernel share %.2f%%, named %d: %s", kernel, named, r.out);
	sn_run_free(&r);
	return 0;
}

/* A binary without symbols: its frames are [unknown], in its file. */
TEST(profile_stripped_binary)
{
	const char *extra[] = { "--json", NULL };
	struct sn_run r;
	struct busy b;
	const char *line;
	char module[4096];

	PROFILE_BUSY(t, &r, &b, "busy-stripped", "cpu", extra);
	line = sn_find_record(&r, "function", NULL, NULL);
	CHECK(line && function_is(line, "[unknown]"), "top: %s", r.out);
	CHECK(json_get_str(line, "module", module, sizeof(module)) > 0 &&
		      ends_with(module, "/progs/busy-stripped"),
	      "module: %s", line);
	CHECK(!sn_find_record(&r, "function", function_is, MARKER), "a name from nowhere: %s",
	      r.out);
	sn_run_free(&r);
	return 0;
}

/* Spins in this test binary for @secs of CPU time: named from it, until the exec. */
__attribute__((noinline)) void sn_profile_pre_exec_spin(double secs)
{
	volatile unsigned long sum = 0;
	double end = busy_now() + secs;

	do {
		for (unsigned long i = 0; i < 1000000; i++)
			sum += i;
	} while (busy_now() < end);
	(void)sum;
}

static bool comm_and_function(const char *line, void *want)
{
	const char *const *w = want;

	return json_str_eq(line, "type", "function") && json_str_eq(line, "comm", w[0]) &&
	       json_str_eq(line, "function", w[1]);
}

/* One pid, two images: each sample is named from the image it ran in. */
TEST(profile_through_exec)
{
	const char *before[] = { "sysnoop-e2e", "sn_profile_pre_exec_spin" };
	const char *after[] = { "busy", MARKER };
	char pid[16], *busy = strdup(prog_path("busy"));
	char *argv[] = { busy, "cpu", "60", NULL };
	volatile double spin = 0.5;
	struct sn_run r;
	const char *line;
	int go[2];
	char byte;
	pid_t child;

	CHECK(busy && !pipe2(go, O_CLOEXEC), "pipe");
	if (!busy_runs(busy)) {
		free(busy);
		SKIP("%.200s cannot run here (not built, or no libc)", prog_path("busy"));
	}
	child = fork();
	if (child == 0) {
		int null = open("/dev/null", O_RDWR);

		if (read(go[0], &byte, 1) != 1)
			_exit(1);
		sn_profile_pre_exec_spin(spin);
		dup2(null, 0); /* busy starts at end of file */
		dup2(null, 1);
		execv(busy, argv);
		_exit(127);
	}
	close(go[0]);
	snprintf(pid, sizeof(pid), "%d", child);
	const char *args[] = { "profile", "-F", "199", "-p", pid, "-i", "0.5", "--json", NULL };

	CHECK(!sn_start(t, &r, args), "%s", r.why);
	CHECK(write(go[1], "g", 1) == 1, "go");
	close(go[1]);
	/* Reports come until one names busy's function: by then the exec is behind. */
	line = sn_wait_line(&r, comm_and_function, after, 60000);
	sn_stop(&r);
	kill(child, SIGKILL);
	sn_reap(child);
	free(busy);
	CHECK(line, "after exec: %s", r.out);
	CHECK(sn_find_record(&r, "function", comm_and_function, before), "before exec: %s", r.out);
	sn_run_free(&r);
	return 0;
}

/* A stack table of one: collisions and a full map, counted and said. */
TEST(profile_losses_reported)
{
	const char *extra[] = { "--stack-storage-size", "1", "--json", NULL };
	struct sn_run r;
	struct busy b;
	const char *line;
	int64_t coll = 0, full = 0, stacks = 0;

	PROFILE_BUSY(t, &r, &b, "busy", "cpu", extra);
	line = sn_find_record(&r, "totals", NULL, NULL);
	/* The guests' burner runs inside the driver, with one stack: nothing to collide with. */
	if (line && json_get_i64(line, "stacks", &stacks) && stacks <= 1 && sn_emulated()) {
		sn_run_free(&r);
		SKIP("one distinct stack was sampled: nothing could collide");
	}
	CHECK(line && json_get_i64(line, "user_stack_collisions", &coll) &&
		      json_get_i64(line, "map_full", &full) && coll + full > 0,
	      "nothing lost with a table of one: %s", line);
	CHECK(strstr(r.err, "try a larger --stack-storage-size"), "stderr: %s", r.err);
	sn_run_free(&r);
	return 0;
}

/* Counts "totals" records (one per report) until the @want-th. */
struct nth_report {
	int want, seen;
};

static bool nth_report(const char *line, void *ctx)
{
	struct nth_report *n = ctx;

	return json_str_eq(line, "type", "totals") && ++n->seen >= n->want;
}

/* Reports every -i: each names the function; stacks freed between them stay readable. */
TEST(profile_intervals)
{
	struct nth_report nth = { .want = 3 };
	struct sn_run r;
	struct busy b;
	size_t pos = 0;
	const char *line;
	int reports = 0, named = 0;
	bool top = true;
	char pid[16];

	CHECK(!busy_start(&b, "busy", "cpu", "60"), "cannot start busy: %m");
	snprintf(pid, sizeof(pid), "%d", b.pid);
	const char *args[] = { "profile", "-F", "199", "-p", pid, "-i", "0.5", "--json", NULL };

	if (sn_start(t, &r, args)) {
		busy_end(&b);
		CHECK(false, "%s", r.why);
	}
	busy_go(&b);
	/* No -d: however slow the machine, three reports come while busy burns. */
	line = sn_wait_line(&r, nth_report, &nth, 60000);
	sn_stop(&r);
	busy_end(&b);
	CHECK(line, "fewer than 3 reports: %s", r.out);
	while ((line = sn_next_line(&r, &pos))) {
		if (json_str_eq(line, "type", "totals")) {
			reports++;
			top = true;
		} else if (json_str_eq(line, "type", "function") && top) {
			named += function_is(line, MARKER);
			top = false;
		}
	}
	CHECK(named >= 2, "%s on top in %d of %d reports: %s", MARKER, named, reports, r.out);
	sn_run_free(&r);
	return 0;
}

TEST(profile_missing_hardware_event)
{
	const char *args[] = { "profile", "--event", "cycles", "-d", "1", NULL };
	struct sn_run r;

	CHECK(!sn_run_sync(&r, args), "%s", r.why);
	if (r.exit_code == 0) {
		sn_run_free(&r);
		SKIP("this machine has hardware counters");
	}
	CHECK(r.exit_code == 4, "exit %d, want 4: %s", r.exit_code, r.err);
	CHECK(strstr(r.err, "perf event cycles cannot be opened"), "stderr: %s", r.err);
	sn_run_free(&r);
	return 0;
}

TEST(profile_bad_input)
{
	const char *a1[] = { "profile", "-K", "-U", NULL };
	const char *a2[] = { "profile", "-F", "0", NULL };
	const char *a3[] = { "profile", "-F", "1000000000", NULL };
	const char *a4[] = { "profile", "--event", "bogus", NULL };
	const char *a5[] = { "profile", "--count", "5", NULL };
	const char *a6[] = { "profile", "--svg", "/nonexistent/dir/x.svg", NULL };
	const char *a7[] = { "profile", "--stack-storage-size", "0", NULL };
	const char *a8[] = { "profile", "--top", "-1", NULL };

	if (expect_usage_error(t, a1, "exclude each other") ||
	    expect_usage_error(t, a2, "--frequency '0'") ||
	    expect_usage_error(t, a3, "perf_event_max_sample_rate") ||
	    expect_usage_error(t, a4, "--event 'bogus'") || expect_usage_error(t, a5, "--count") ||
	    expect_usage_error(t, a6, "/nonexistent/dir/x.svg") ||
	    expect_usage_error(t, a7, "--stack-storage-size"))
		return -1;
	return expect_usage_error(t, a8, "--top");
}
