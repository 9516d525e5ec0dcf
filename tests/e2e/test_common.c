// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What every command shares, checked through exec and exit: bad input, privileges,
 * signals, --count, --duration, a closed stdout, hostile names, drop accounting.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* Counts the lines of @s. */
static int lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

static int expect_usage_error(struct sn_tctx *t, const char *const *args, int code,
			      const char *needle)
{
	struct sn_run r;

	CHECK(!sn_run_sync(&r, args), "%s", r.why);
	CHECK(r.exit_code == code, "'%s %s': exit %d, want %d; stderr: %s", args[0],
	      args[1] ? args[1] : "", r.exit_code, code, r.err);
	CHECK(lines(r.err) == 1, "want one line on stderr, got: %s", r.err);
	CHECK(r.err && strstr(r.err, needle), "stderr lacks '%s': %s", needle, r.err);
	sn_run_free(&r);
	return 0;
}

TEST(usage_unknown_option)
{
	const char *args[] = { "exec", "--bogus", NULL };

	return expect_usage_error(t, args, 2, "unknown option '--bogus'");
}

TEST(usage_unknown_command)
{
	const char *args[] = { "nosuch", NULL };

	return expect_usage_error(t, args, 2, "unknown command 'nosuch'");
}

TEST(usage_bad_pid)
{
	const char *a1[] = { "exec", "-p", "abc", NULL };
	const char *a2[] = { "exec", "-p", "0", NULL };
	const char *a3[] = { "exit", "--pid", "4194303", NULL };

	if (expect_usage_error(t, a1, 2, "invalid --pid 'abc'") ||
	    expect_usage_error(t, a2, 2, "invalid --pid '0'"))
		return -1;
	return expect_usage_error(t, a3, 2, "no such process");
}

TEST(usage_bad_values)
{
	const char *a1[] = { "exec", "--max-args", "65", NULL };
	const char *a2[] = { "exit", "-d", "-1", NULL };
	const char *a3[] = { "exec", "--buffer-size", "12X", NULL };
	const char *a4[] = { "exec", "--transport", "pigeon", NULL };
	const char *a5[] = { "exec", "--comm", "a-name-longer-than-15", NULL };
	const char *a6[] = { "exec", "--cgroup", "/proc", NULL };
	const char *a7[] = { "exec", "stray", NULL };
	const char *a8[] = { "exec", "-p", NULL };

	if (expect_usage_error(t, a1, 2, "--max-args") || expect_usage_error(t, a2, 2, "--duration") ||
	    expect_usage_error(t, a3, 2, "--buffer-size") ||
	    expect_usage_error(t, a4, 2, "--transport") || expect_usage_error(t, a5, 2, "--comm") ||
	    expect_usage_error(t, a6, 2, "not a cgroup v2 directory") ||
	    expect_usage_error(t, a7, 2, "unexpected argument 'stray'"))
		return -1;
	return expect_usage_error(t, a8, 2, "needs an argument");
}

TEST(usage_hook_without_variant)
{
	const char *args[] = { "exec", "--hook=kprobe", NULL };

	return expect_usage_error(t, args, 2, "has no kprobe variant");
}

TEST(help_and_version)
{
	const char *a1[] = { "exec", "--help", NULL };
	const char *a2[] = { "--version", NULL };
	const char *a3[] = { "--help", NULL };
	struct sn_run r;

	CHECK(!sn_run_sync(&r, a1) && r.exit_code == 0, "exec --help failed");
	CHECK(strstr(r.out, "USAGE: sysnoop exec") && strstr(r.out, "EXAMPLES:") &&
		      strstr(r.out, "--max-args"),
	      "exec --help lacks usage, examples or options: %s", r.out);
	sn_run_free(&r);
	CHECK(!sn_run_sync(&r, a2) && r.exit_code == 0 && !strncmp(r.out, "sysnoop ", 8),
	      "--version: %s", r.out);
	sn_run_free(&r);
	CHECK(!sn_run_sync(&r, a3) && r.exit_code == 0 && strstr(r.out, "exec ") &&
		      strstr(r.out, "exit ") && strstr(r.out, "features "),
	      "--help lacks the command list: %s", r.out);
	sn_run_free(&r);
	return 0;
}

TEST(missing_privileges)
{
	struct sn_run r;
	char bin[512];
	if (access("/usr/bin/setpriv", X_OK))
		SKIP("setpriv (util-linux) not installed");
	/* Run the same binary as nobody with no capabilities, through setpriv. */
	snprintf(bin, sizeof(bin), "%s", sn_binary());
	setenv("SN_SAVED_BIN", bin, 1);
	setenv("SYSNOOP", "/usr/bin/setpriv", 1);
	const char *priv[] = { "--reuid=65534", "--regid=65534", "--clear-groups",
			       "--inh-caps=-all", "--bounding-set=-all", bin, "exec", NULL };
	int rc = sn_run_sync(&r, priv);

	setenv("SYSNOOP", bin, 1);
	CHECK(!rc, "%s", r.why);
	CHECK(r.exit_code == 3, "exit %d, want 3; stderr: %s", r.exit_code, r.err);
	CHECK(lines(r.err) == 1 && strstr(r.err, "CAP_BPF") && strstr(r.err, "CAP_PERFMON"),
	      "stderr: %s", r.err);
	sn_run_free(&r);
	return 0;
}

TEST(sigterm_prints_summary_and_detaches)
{
	const char *args[] = { "exit", "--json", NULL };
	struct sn_run r;

	CHECK(!sn_start(t, &r, args), "%s", r.why);
	kill(r.pid, SIGTERM);
	CHECK(!sn_wait_exit(&r, 10000), "%s", r.why);
	CHECK(r.exit_code == 0, "exit %d after SIGTERM", r.exit_code);
	CHECK(sn_find_record(&r, "summary", NULL, NULL), "no summary after SIGTERM: %s", r.out);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	return 0;
}

TEST(sigkill_leaves_nothing)
{
	const char *args[] = { "exec", NULL };
	struct sn_run r;

	CHECK(!sn_start(t, &r, args), "%s", r.why);
	kill(r.pid, SIGKILL);
	sn_wait_exit(&r, 10000);
	CHECK(r.exit_code == 128 + SIGKILL, "exit %d", r.exit_code);
	/* Programs go with their last file descriptor; give the kernel a moment to free them. */
	usleep(300000);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	return 0;
}

TEST(count_and_duration_end_the_run)
{
	char pid[16], marker[64];
	const char *a1[] = { "exec", "--json", "--ppid", pid, "--count", "2", NULL };
	const char *a2[] = { "exit", "-d", "0.5", NULL };
	struct sn_run r;

	snprintf(pid, sizeof(pid), "%d", getpid());
	snprintf(marker, sizeof(marker), "%s", sn_marker());
	CHECK(!sn_start(t, &r, a1), "%s", r.why);
	for (int i = 0; i < 3; i++) {
		char *argv[] = { "/bin/true", marker, NULL };

		sn_reap(sn_spawn(argv));
	}
	CHECK(!sn_wait_exit(&r, 10000), "--count 2 did not end the run");
	CHECK(r.exit_code == 0, "exit %d", r.exit_code);
	CHECK(sn_count_records(&r, "exec", NULL, NULL) == 2, "want 2 exec records: %s", r.out);
	sn_run_free(&r);

	CHECK(!sn_start(t, &r, a2), "%s", r.why);
	CHECK(!sn_wait_exit(&r, 10000), "-d 0.5 did not end the run");
	CHECK(r.exit_code == 0, "exit %d", r.exit_code);
	CHECK(!strncmp(r.out, "PCOMM", 5), "table header missing: %s", r.out);
	sn_run_free(&r);
	return 0;
}

TEST(closed_stdout_ends_cleanly)
{
	char marker[64];
	const char *args[] = { "exec", NULL };
	struct sn_run r;

	snprintf(marker, sizeof(marker), "%s", sn_marker());
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	/* The reader goes away, as `| head -1` does. */
	close(r.out_fd);
	r.out_fd = -1;
	for (int i = 0; i < 5; i++) {
		char *argv[] = { "/bin/true", marker, NULL };

		sn_reap(sn_spawn(argv));
	}
	CHECK(!sn_wait_exit(&r, 10000), "sysnoop kept running with stdout closed");
	CHECK(r.exit_code == 0, "exit %d; stderr: %s", r.exit_code, r.err);
	CHECK(!strstr(r.err, "rror") && !strstr(r.err, "Broken pipe"), "error spam: %s", r.err);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	return 0;
}

static bool has_arg(const char *line, void *marker)
{
	return json_str_eq(line, "type", "exec") && sn_line_has_arg(line, "args", marker);
}

TEST(hostile_arguments_escaped)
{
	static const char evil[] = "\x1b]0;pwned\x07 new\nline \"q\" back\\slash \xff\xfe bad";
	char marker[64], got[256];
	const char *ja[] = { "exec", "--json", NULL };
	const char *ta[] = { "exec", "-T", NULL };
	struct sn_run r;
	const char *line;

	snprintf(marker, sizeof(marker), "%s", sn_marker());
	CHECK(!sn_start(t, &r, ja), "%s", r.why);
	char *argv[] = { "/bin/true", marker, (char *)evil, NULL };
	sn_reap(sn_spawn(argv));
	line = sn_wait_line(&r, has_arg, marker, 5000);
	CHECK(line, "no record with the marker");
	sn_stop(&r);
	size_t pos = 0;
	const char *l;
	bool found = false;

	while ((l = sn_next_line(&r, &pos))) {
		CHECK(json_valid(l, strlen(l)), "invalid JSON line: %s", l);
		if (strstr(l, marker)) {
			found = true;
			CHECK(json_get_array_str(l, "args", 2, got, sizeof(got)) >= 0, "no args[2]");
			CHECK(!strcmp(got, evil), "args[2] does not round-trip: %s", l);
			CHECK(!strchr(l, '\x1b') && !strchr(l, '\x07'), "raw control bytes in JSON");
		}
	}
	CHECK(found, "no record with the marker");
	sn_run_free(&r);

	CHECK(!sn_start(t, &r, ta), "%s", r.why);
	sn_reap(sn_spawn(argv));
	usleep(300000);
	sn_stop(&r);
	CHECK(strstr(r.out, marker), "marker not in table");
	CHECK(!strchr(r.out, '\x1b') && !strchr(r.out, '\x07') && !strstr(r.out, "\xff"),
	      "raw control or invalid bytes reached the table");
	CHECK(strstr(r.out, "\\x1b]0;pwned\\x07 new\\nline \"q\" back\\\\slash \\xff\\xfe bad"),
	      "table escaping: %s", r.out);
	CHECK(!strncmp(r.out, "TIME", 4), "-T: no TIME column: %.40s", r.out);
	sn_run_free(&r);
	return 0;
}

/*
 * With a buffer that holds one record and the consumer stopped, a burst must lose
 * records; every one of them is either delivered or counted as dropped.
 */
static int drops_add_up(struct sn_tctx *t, const char *transport)
{
	enum { BURST = 60 };
	char pid[16], marker[64], pad[120];
	const char *args[] = { "exec", "--json", "--ppid", pid, "--buffer-size", "4096",
			       "--max-args", "20", transport, NULL };
	struct sn_run r;
	const char *line;
	int64_t dropped;
	int delivered;

	snprintf(pid, sizeof(pid), "%d", getpid());
	snprintf(marker, sizeof(marker), "%s", sn_marker());
	memset(pad, 'p', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	kill(r.pid, SIGSTOP);
	for (int i = 0; i < BURST; i++) {
		char *argv[] = { "/bin/true", marker, pad, pad, pad, pad, pad, pad, pad, pad, NULL };

		sn_reap(sn_spawn(argv));
	}
	kill(r.pid, SIGCONT);
	usleep(300000);
	sn_stop(&r);
	delivered = sn_count_records(&r, "exec", has_arg, marker);
	line = sn_find_record(&r, "summary", NULL, NULL);
	CHECK(line && json_get_i64(line, "dropped", &dropped), "no summary: %s", r.out);
	CHECK(dropped > 0, "a 4 KiB buffer took %d records without loss", delivered);
	CHECK(delivered + dropped == BURST, "%d delivered + %lld dropped != %d generated",
	      delivered, (long long)dropped, BURST);
	CHECK(strstr(r.err, "dropped"), "drops not reported on stderr: %s", r.err);
	sn_run_free(&r);
	return 0;
}

TEST(drops_counted_ringbuf)
{
	return drops_add_up(t, "--transport=ringbuf");
}

TEST(drops_counted_perf)
{
	return drops_add_up(t, "--transport=perf");
}

TEST(features_lists_commands)
{
	const char *args[] = { "features", "--json", NULL };
	struct sn_run r;

	CHECK(!sn_run_sync(&r, args) && r.exit_code == 0, "features failed: %s", r.err);
	CHECK(json_valid(r.out, strcspn(r.out, "\n")), "features --json is not JSON: %s", r.out);
	CHECK(strstr(r.out, "\"name\":\"exec\"") && strstr(r.out, "\"name\":\"exit\""),
	      "commands missing: %s", r.out);
	CHECK(strstr(r.out, "\"tracepoint\":{\"available\":true"), "tracepoint: %s", r.out);
	sn_run_free(&r);
	return 0;
}
