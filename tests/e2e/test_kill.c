// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sysnoop kill against real signals: kill, tgkill, tkill, sigqueue, failures, filters. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* What a record's target and signal must be to match. */
struct want {
	const char *type;
	const char *key; /* "target_pid" or "target_tid" */
	pid_t target;
	int sig; /* -1: any */
};

static bool send_is(const char *line, void *data)
{
	const struct want *w = data;
	int64_t v;

	return json_str_eq(line, "type", w->type) && json_get_i64(line, w->key, &v) &&
	       v == w->target &&
	       (w->sig < 0 || (json_get_i64(line, "signal", &v) && v == w->sig));
}

static pid_t spawn_sleep(void)
{
	char *argv[] = { "/bin/sleep", "30", NULL };

	return sn_spawn(argv);
}

/* A pid no process has (the highest free one, far from where new pids are handed out). */
static pid_t free_pid(void)
{
	long max = 32768;
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");

	if (f) {
		if (fscanf(f, "%ld", &max) != 1)
			max = 32768;
		fclose(f);
	}
	for (pid_t p = max - 1; p > 300; p--)
		if (kill(p, 0) && errno == ESRCH)
			return p;
	return -1;
}

/* Our own comm, as the kernel has it: the first 15 bytes of the executable's name. */
static const char *self_comm(void)
{
	static char comm[16];
	FILE *f = fopen("/proc/self/comm", "re");

	if (f) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	return comm;
}

TEST_HOOKS(kill_sigterm, "kill")
{
	char self[16];
	const char *args[] = { "kill", "--json", "-p", self, NULL };
	struct want w = { "kill", "target_pid", 0, SIGTERM };
	struct sn_run r;
	const char *line;
	int64_t v;
	int status;

	snprintf(self, sizeof(self), "%d", getpid());
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	w.target = spawn_sleep();
	CHECK(!kill(w.target, SIGTERM), "kill: %s", strerror(errno));
	status = sn_reap(w.target);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "sleep status 0x%x", status);
	line = sn_wait_line(&r, send_is, &w, 5000);
	CHECK(line, "no kill record for %d; stderr: %s", w.target, r.err);
	CHECK(json_valid(line, strlen(line)), "invalid JSON: %s", line);
	CHECK(json_get_i64(line, "pid", &v) && v == getpid(), "sender pid: %s", line);
	CHECK(json_get_i64(line, "tid", &v) && v == gettid(), "sender tid: %s", line);
	CHECK(json_str_eq(line, "comm", self_comm()), "comm, want %s: %s", self_comm(), line);
	CHECK(json_get_i64(line, "uid", &v) && v == (int64_t)getuid(), "uid: %s", line);
	CHECK(json_str_eq(line, "signal_name", "SIGTERM"), "signal_name: %s", line);
	CHECK(json_str_eq(line, "syscall", "kill"), "syscall: %s", line);
	CHECK(json_get_i64(line, "ret", &v) && v == 0, "ret: %s", line);
	CHECK(json_get(line, "error").type == JSON_NONE, "error on success: %s", line);
	CHECK(json_get(line, "target_tid").type == JSON_NONE, "target_tid for kill: %s", line);
	CHECK(!sn_stop(&r), "%s", r.why);
	CHECK(r.exit_code == 0, "exit %d; stderr: %s", r.exit_code, r.err);
	CHECK(sn_count_records(&r, "kill", send_is, &w) == 1, "want one record: %s", r.out);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	return 0;
}

/* A send to a pid nobody has fails with ESRCH; with -x it is the only one of ours shown. */
TEST_HOOKS(kill_failed_esrch, "kill")
{
	char self[16];
	const char *args[] = { "kill", "--json", "-x", "-p", self, NULL };
	struct want w = { "kill", "target_pid", free_pid(), SIGKILL };
	struct sn_run r;
	const char *line;
	pid_t sleeper;
	int64_t v;

	CHECK(w.target > 0, "no free pid found");
	snprintf(self, sizeof(self), "%d", getpid());
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	sleeper = spawn_sleep();
	CHECK(!kill(sleeper, 0), "kill 0: %s", strerror(errno));
	CHECK(kill(w.target, SIGKILL) && errno == ESRCH, "kill of free pid %d did not fail",
	      w.target);
	CHECK(!kill(sleeper, SIGTERM), "kill: %s", strerror(errno));
	sn_reap(sleeper);
	line = sn_wait_line(&r, send_is, &w, 5000);
	CHECK(line, "no record of the failed kill of %d; stderr: %s", w.target, r.err);
	CHECK(json_get_i64(line, "ret", &v) && v == -ESRCH, "ret: %s", line);
	CHECK(json_str_eq(line, "error", "ESRCH"), "error: %s", line);
	CHECK(json_get_i64(line, "pid", &v) && v == getpid(), "sender: %s", line);
	/* Both successful sends (and the harness's SIGINT to stop) come before the summary. */
	CHECK(!sn_stop(&r), "%s", r.why);
	CHECK(sn_count_records(&r, "kill", NULL, NULL) == 1, "-x let more through: %s", r.out);
	sn_run_free(&r);
	return 0;
}

/* -s TERM,KILL,64: SIGCONT and SIGWINCH (harmless to sleep) are left out, SIGTERM is not. */
TEST_HOOKS(kill_signal_filter, "kill")
{
	char self[16];
	const char *args[] = { "kill", "--json", "-s", "TERM,KILL,64", "-p", self, NULL };
	struct want term = { "kill", "target_pid", 0, SIGTERM };
	struct want any = { "kill", "target_pid", 0, -1 };
	struct sn_run r;
	pid_t sleeper;

	snprintf(self, sizeof(self), "%d", getpid());
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	sleeper = spawn_sleep();
	term.target = any.target = sleeper;
	CHECK(!kill(sleeper, SIGCONT) && !kill(sleeper, SIGWINCH) && !kill(sleeper, SIGTERM),
	      "kill: %s", strerror(errno));
	sn_reap(sleeper);
	CHECK(sn_wait_line(&r, send_is, &term, 5000), "no SIGTERM record; stderr: %s", r.err);
	CHECK(!sn_stop(&r), "%s", r.why);
	CHECK(sn_count_records(&r, "kill", send_is, &any) == 1, "-s let others through: %s",
	      r.out);
	sn_run_free(&r);
	return 0;
}

/* tgkill, tkill and rt_sigqueueinfo are traced too, with the thread as target. */
TEST_HOOKS(kill_tgkill_tkill_sigqueue, "kill")
{
	char self[16];
	const char *args[] = { "kill", "--json", "-p", self, NULL };
	struct want w = { "kill", "target_tid", 0, SIGTERM };
	union sigval val = { .sival_int = 7 };
	struct sn_run r;
	const char *line;
	pid_t sleeper;
	int64_t v;

	snprintf(self, sizeof(self), "%d", getpid());
	CHECK(!sn_start(t, &r, args), "%s", r.why);
	sleeper = spawn_sleep();
	w.target = sleeper;
	CHECK(!syscall(SYS_tkill, sleeper, 0), "tkill: %s", strerror(errno));
	CHECK(!sigqueue(sleeper, 0, val), "sigqueue: %s", strerror(errno));
	CHECK(!syscall(SYS_tgkill, sleeper, sleeper, SIGTERM), "tgkill: %s", strerror(errno));
	sn_reap(sleeper);
	line = sn_wait_line(&r, send_is, &w, 5000);
	CHECK(line, "no tgkill record; stderr: %s", r.err);
	CHECK(json_str_eq(line, "syscall", "tgkill"), "syscall: %s", line);
	CHECK(json_get_i64(line, "target_pid", &v) && v == sleeper, "target_pid: %s", line);
	CHECK(json_get_i64(line, "ret", &v) && v == 0, "ret: %s", line);
	w.sig = 0;
	line = sn_find_record(&r, "kill", send_is, &w);
	CHECK(line && json_str_eq(line, "syscall", "tkill"), "no tkill record: %s", r.out);
	CHECK(json_get(line, "target_pid").type == JSON_NONE, "target_pid for tkill: %s", line);
	w.key = "target_pid";
	line = sn_find_record(&r, "kill", send_is, &w);
	CHECK(line && json_str_eq(line, "syscall", "rt_sigqueueinfo"), "no sigqueue record: %s",
	      r.out);
	sn_stop(&r);
	sn_run_free(&r);
	return 0;
}

/*
 * --all-signals: a child's exit sends us SIGCHLD, generated by the kernel in the child's
 * context; a kill(2) of ours is reported once, as a send, not again as generated.
 */
TEST_HOOKS(kill_all_signals, "kill")
{
	const char *args[] = { "kill", "--json", "--all-signals", NULL };
	struct want sent = { "kill", "target_pid", 0, SIGTERM };
	struct want chld = { "signal", "target_tid", getpid(), SIGCHLD };
	struct want dup = { "signal", "target_tid", 0, SIGTERM };
	struct sn_run r;
	const char *line;
	pid_t sleeper;
	int64_t v;

	CHECK(!sn_start(t, &r, args), "%s", r.why);
	sleeper = spawn_sleep();
	sent.target = dup.target = sleeper;
	CHECK(!kill(sleeper, SIGTERM), "kill: %s", strerror(errno));
	sn_reap(sleeper);
	CHECK(sn_wait_line(&r, send_is, &sent, 5000), "no kill record; stderr: %s", r.err);
	line = sn_wait_line(&r, send_is, &chld, 5000);
	CHECK(line, "no SIGCHLD record to %d: %s", getpid(), r.out);
	CHECK(json_valid(line, strlen(line)), "invalid JSON: %s", line);
	CHECK(json_get_i64(line, "pid", &v) && v == sleeper, "SIGCHLD sender: %s", line);
	CHECK(json_str_eq(line, "target_comm", self_comm()), "target_comm: %s", line);
	CHECK(json_get(line, "result").type == JSON_STRING, "result: %s", line);
	CHECK(json_get_i64(line, "si_code", &v) && v == CLD_KILLED, "si_code: %s", line);
	CHECK(json_get(line, "syscall").type == JSON_NONE, "syscall: %s", line);
	CHECK(!sn_stop(&r), "%s", r.why);
	CHECK(sn_count_records(&r, "kill", send_is, &sent) == 1, "kill records: %s", r.out);
	CHECK(sn_count_records(&r, "signal", send_is, &dup) == 0, "kill(2) reported twice: %s",
	      r.out);
	sn_run_free(&r);
	return 0;
}

TEST(kill_usage)
{
	const char *a1[] = { "kill", "-s", "TERM,BOGUS", NULL };
	const char *a2[] = { "kill", "--target", "0", NULL };
	const char *a3[] = { "kill", "-s", "65", NULL };
	const char *const *cases[] = { a1, a2, a3 };
	const char *want[] = { "'BOGUS' is no signal", "invalid --target '0'",
			       "'65' is no signal" };
	struct sn_run r;

	for (int i = 0; i < 3; i++) {
		CHECK(!sn_run_sync(&r, cases[i]), "%s", r.why);
		CHECK(r.exit_code == 2, "case %d: exit %d", i, r.exit_code);
		/* One line: its only newline is the last byte. */
		CHECK(r.err && strstr(r.err, want[i]) &&
			      strchr(r.err, '\n') == r.err + r.err_len - 1,
		      "case %d: want one line with '%s': %s", i, want[i], r.err);
		sn_run_free(&r);
	}
	return 0;
}
