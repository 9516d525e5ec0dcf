// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sysnoop exit against real exits: codes, signals, age, --min-age, --with-exec. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static bool pid_is(const char *line, void *pid)
{
	int64_t v;

	return json_get_i64(line, "pid", &v) && v == *(pid_t *)pid;
}

static bool exit_of(const char *line, void *pid)
{
	return json_str_eq(line, "type", "exit") && pid_is(line, pid);
}

/* Forks a child that sleeps @ms then exits with @code (or waits to be killed if code < 0). */
static pid_t child_exiting(int ms, int code)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (code < 0)
			for (;;)
				pause();
		usleep(ms * 1000);
		_exit(code);
	}
	return pid;
}

TEST_HOOKS(exit_code_and_age, "exit")
{
	const char *args[] = { "exit", "--json", NULL };
	struct sn_run r;
	const char *line;
	char age[32];
	struct json_val v;
	int64_t n;
	pid_t child;

	CHECK(!sn_start(t, &r, args), "%s", r.why);
	child = child_exiting(200, 3);
	sn_reap(child);
	line = sn_wait_line(&r, exit_of, &child, 5000);
	CHECK(line, "no exit record for pid %d", child);
	CHECK(json_str_eq(line, "type", "exit"), "type: %s", line);
	CHECK(json_get_i64(line, "exit_code", &n) && n == 3, "exit_code: %s", line);
	CHECK(json_get_i64(line, "ppid", &n) && n == getpid(), "ppid: %s", line);
	CHECK(json_get_i64(line, "tid", &n) && n == child, "tid: %s", line);
	v = json_get(line, "age_ms");
	CHECK(v.type == JSON_NUMBER, "age_ms missing: %s", line);
	snprintf(age, sizeof(age), "%.*s", (int)v.len, v.start);
	CHECK(atof(age) >= 150 && atof(age) < 5000, "age %s ms, want about 200", age);
	CHECK(json_get(line, "signal").type == JSON_NONE, "signal set on a normal exit");
	sn_stop(&r);
	CHECK(r.exit_code == 0, "exit %d", r.exit_code);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	return 0;
}

TEST_HOOKS(exit_killed_by_signal, "exit")
{
	const char *args[] = { "exit", "--json", NULL };
	struct sn_run r;
	const char *line;
	int64_t n;
	pid_t child;

	CHECK(!sn_start(t, &r, args), "%s", r.why);
	child = child_exiting(0, -1);
	usleep(50000);
	kill(child, SIGKILL);
	sn_reap(child);
	line = sn_wait_line(&r, exit_of, &child, 5000);
	CHECK(line, "no exit record for pid %d", child);
	CHECK(json_get_i64(line, "signal", &n) && n == SIGKILL, "signal: %s", line);
	CHECK(json_str_eq(line, "signal_name", "SIGKILL"), "signal_name: %s", line);
	CHECK(json_get(line, "exit_code").type == JSON_NONE, "exit_code on a kill: %s", line);
	sn_stop(&r);
	sn_run_free(&r);
	return 0;
}

TEST(exit_min_age_and_failed)
{
	const char *args[] = { "exit", "--json", "--min-age", "400", "-x", NULL };
	struct sn_run r;
	pid_t young, old, ok;

	CHECK(!sn_start(t, &r, args), "%s", r.why);
	young = child_exiting(10, 1);
	ok = child_exiting(600, 0);
	old = child_exiting(600, 1);
	sn_reap(young);
	sn_reap(ok);
	sn_reap(old);
	CHECK(sn_wait_line(&r, exit_of, &old, 5000), "the old failing process was not reported");
	sn_stop(&r);
	CHECK(!sn_find_record(&r, "exit", exit_of, &young), "--min-age let a young process through");
	CHECK(!sn_find_record(&r, "exit", exit_of, &ok), "-x let a successful exit through");
	sn_run_free(&r);
	return 0;
}

TEST(exit_threads_only_with_option)
{
	const char *args[] = { "exit", "--json", NULL };
	struct sn_run r;
	pid_t child;

	/* A process exit is one record, not one per thread: its tid is the last thread's. */
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	child = child_exiting(50, 0);
	sn_reap(child);
	CHECK(sn_wait_line(&r, exit_of, &child, 5000), "no record");
	usleep(100000);
	sn_stop(&r);
	CHECK(sn_count_records(&r, "exit", exit_of, &child) == 1, "want exactly one record");
	sn_run_free(&r);
	return 0;
}

static bool exec_of(const char *line, void *pid)
{
	return json_str_eq(line, "type", "exec") && pid_is(line, pid);
}

TEST_HOOKS(exit_with_exec, "exit")
{
	const char *args[] = { "exit", "--json", "--with-exec", NULL };
	struct sn_run r;
	const char *line;
	pid_t child;

	CHECK(!sn_start(t, &r, args), "%s", r.why);
	char *argv[] = { "/bin/true", NULL };
	child = sn_spawn(argv);
	sn_reap(child);
	line = sn_wait_line(&r, exec_of, &child, 5000);
	CHECK(line, "no exec record for %d", child);
	CHECK(json_str_eq(line, "filename", "/bin/true"), "filename: %s", line);
	CHECK(sn_wait_line(&r, exit_of, &child, 5000), "no exit record");
	sn_stop(&r);
	sn_run_free(&r);
	return 0;
}
