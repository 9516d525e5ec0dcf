// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "harness.h"

#define READY_TEXT "tracing with"

/* $SYSNOOP, else the sysnoop beside this driver (build/, or / in the kernel matrix). */
const char *sn_binary(void)
{
	static char beside[4096];
	const char *env = getenv("SYSNOOP");
	ssize_t n;

	if (env && *env)
		return env;
	if (!beside[0]) {
		n = readlink("/proc/self/exe", beside, sizeof(beside) - 16);
		if (n <= 0) {
			snprintf(beside, sizeof(beside), "build/sysnoop");
		} else {
			beside[n] = '\0';
			strcpy(strrchr(beside, '/') + 1, "sysnoop");
		}
	}
	return beside;
}

const char *sn_marker(void)
{
	static char marker[64];
	static unsigned int seq;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(marker, sizeof(marker), "snmark-%d-%u-%ld", getpid(), ++seq, ts.tv_nsec % 100000);
	return marker;
}

static long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static void append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = realloc(*buf, *cap);
	}
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/* Reads whatever is ready within @timeout_ms; false once both pipes are closed. */
static bool pump(struct sn_run *r, int timeout_ms)
{
	struct pollfd pfd[2] = { { r->out_fd, POLLIN }, { r->err_fd, POLLIN } };
	char chunk[65536];
	ssize_t n;

	if (r->out_fd < 0 && r->err_fd < 0)
		return false;
	if (poll(pfd, 2, timeout_ms) <= 0)
		return true;
	if (r->out_fd >= 0 && pfd[0].revents) {
		n = read(r->out_fd, chunk, sizeof(chunk));
		if (n > 0)
			append(&r->out, &r->out_len, &r->out_cap, chunk, n);
		else {
			close(r->out_fd);
			r->out_fd = -1;
		}
	}
	if (r->err_fd >= 0 && pfd[1].revents) {
		n = read(r->err_fd, chunk, sizeof(chunk));
		if (n > 0)
			append(&r->err, &r->err_len, &r->err_cap, chunk, n);
		else {
			close(r->err_fd);
			r->err_fd = -1;
		}
	}
	return true;
}

static void record_progs(struct sn_run *r)
{
	char dir[64], path[512], line[256];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", r->pid);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		FILE *f;
		unsigned int id;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "prog_id: %u", &id) != 1)
				continue;
			bool seen = false;

			for (int i = 0; i < r->nr_progs; i++)
				seen |= r->prog_ids[i] == id;
			if (!seen && r->nr_progs < SN_MAX_PROGS)
				r->prog_ids[r->nr_progs++] = id;
		}
		fclose(f);
	}
	closedir(d);
}

static int launch(struct sn_run *r, const char *const *args, const char *hook)
{
	const char *argv[64];
	int out[2], err[2], n = 0;

	memset(r, 0, sizeof(*r));
	r->exit_code = -1;
	argv[n++] = sn_binary();
	for (int i = 0; args[i] && n < 60; i++)
		argv[n++] = args[i];
	if (hook && *hook) {
		static char opt[64];

		snprintf(opt, sizeof(opt), "--hook=%s", hook);
		argv[n++] = opt;
	}
	argv[n] = NULL;
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		return -1;
	r->pid = fork();
	if (r->pid < 0)
		return -1;
	if (r->pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	r->out_fd = out[0];
	r->err_fd = err[0];
	return 0;
}

static void reap_run(struct sn_run *r, bool block)
{
	int status;

	if (r->exit_code >= 0 || r->pid <= 0)
		return;
	if (waitpid(r->pid, &status, block ? 0 : WNOHANG) == r->pid)
		r->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int sn_start(struct sn_tctx *t, struct sn_run *r, const char *const *args)
{
	long deadline = ms_now() + 15000;

	if (launch(r, args, t->hook)) {
		snprintf(r->why, sizeof(r->why), "cannot start %s: %s", sn_binary(), strerror(errno));
		return -1;
	}
	while (ms_now() < deadline) {
		if (r->err && strstr(r->err, READY_TEXT)) {
			record_progs(r);
			return 0;
		}
		if (!pump(r, 100))
			break;
		reap_run(r, false);
		if (r->exit_code >= 0 && r->out_fd < 0 && r->err_fd < 0)
			break;
	}
	sn_stop(r);
	snprintf(r->why, sizeof(r->why), "sysnoop did not start tracing (exit %d): %s", r->exit_code,
		 r->err ? r->err : "");
	return -1;
}

/* Finds the first complete line in @buf at or after @from that @match accepts. */
static const char *match_line(struct sn_run *r, size_t *from,
			      bool (*match)(const char *line, void *ctx), void *ctx)
{
	static char *line;
	static size_t cap;

	while (*from < r->out_len) {
		char *nl = memchr(r->out + *from, '\n', r->out_len - *from);
		size_t n;

		if (!nl)
			return NULL;
		n = nl - (r->out + *from);
		if (n + 1 > cap) {
			cap = n + 1;
			line = realloc(line, cap);
		}
		memcpy(line, r->out + *from, n);
		line[n] = '\0';
		*from += n + 1;
		if (!match || match(line, ctx))
			return line;
	}
	return NULL;
}

const char *sn_wait_line(struct sn_run *r, bool (*match)(const char *line, void *ctx),
			 void *ctx, int timeout_ms)
{
	long deadline = ms_now() + timeout_ms;
	size_t from = 0;
	const char *line;

	for (;;) {
		line = match_line(r, &from, match, ctx);
		if (line)
			return line;
		if (ms_now() >= deadline || !pump(r, 50))
			return NULL;
	}
}

static int finish(struct sn_run *r, int timeout_ms, bool interrupt)
{
	long deadline = ms_now() + timeout_ms;

	if (interrupt && r->exit_code < 0)
		kill(r->pid, SIGINT);
	while (pump(r, 100)) {
		reap_run(r, false);
		if (ms_now() > deadline) {
			kill(r->pid, SIGKILL);
			reap_run(r, true);
			snprintf(r->why, sizeof(r->why), "sysnoop did not exit within %d ms",
				 timeout_ms);
			while (pump(r, 100))
				;
			return -1;
		}
	}
	reap_run(r, true);
	return 0;
}

int sn_stop(struct sn_run *r)
{
	return finish(r, 15000, true);
}

int sn_wait_exit(struct sn_run *r, int timeout_ms)
{
	return finish(r, timeout_ms, false);
}

int sn_run_sync(struct sn_run *r, const char *const *args)
{
	if (launch(r, args, NULL)) {
		snprintf(r->why, sizeof(r->why), "cannot start %s", sn_binary());
		return -1;
	}
	return finish(r, 15000, false);
}

void sn_run_free(struct sn_run *r)
{
	if (r->out_fd >= 0)
		close(r->out_fd);
	if (r->err_fd >= 0)
		close(r->err_fd);
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

const char *sn_next_line(struct sn_run *r, size_t *pos)
{
	return match_line(r, pos, NULL, NULL);
}

struct type_match {
	const char *type;
	bool (*match)(const char *line, void *ctx);
	void *ctx;
};

static bool type_matches(const char *line, void *data)
{
	struct type_match *tm = data;

	if (tm->type && !json_str_eq(line, "type", tm->type))
		return false;
	return !tm->match || tm->match(line, tm->ctx);
}

const char *sn_find_record(struct sn_run *r, const char *type,
			   bool (*match)(const char *line, void *ctx), void *ctx)
{
	struct type_match tm = { type, match, ctx };
	size_t pos = 0;

	return match_line(r, &pos, type_matches, &tm);
}

int sn_count_records(struct sn_run *r, const char *type,
		     bool (*match)(const char *line, void *ctx), void *ctx)
{
	struct type_match tm = { type, match, ctx };
	size_t pos = 0;
	int n = 0;

	while (match_line(r, &pos, type_matches, &tm))
		n++;
	return n;
}

bool sn_progs_gone(struct sn_run *r)
{
	long deadline = ms_now() + 3000;

	if (!r->nr_progs) {
		snprintf(r->why, sizeof(r->why), "no BPF program of sysnoop was seen while it ran");
		return false;
	}
	for (int i = 0; i < r->nr_progs; i++) {
		int fd;

		while ((fd = bpf_prog_get_fd_by_id(r->prog_ids[i])) >= 0) {
			close(fd);
			if (ms_now() > deadline) {
				snprintf(r->why, sizeof(r->why),
					 "BPF program id %u still loaded 3 s after exit", r->prog_ids[i]);
				return false;
			}
			usleep(20000);
		}
	}
	return true;
}

pid_t sn_spawn(char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

int sn_reap(pid_t pid)
{
	int status = -1;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

bool sn_line_has_arg(const char *line, const char *key, const char *s)
{
	char buf[8192];
	long n = json_array_len(line, key);

	for (long i = 0; i < n; i++)
		if (json_get_array_str(line, key, i, buf, sizeof(buf)) >= 0 && strstr(buf, s))
			return true;
	if (json_get_str(line, key, buf, sizeof(buf)) >= 0 && strstr(buf, s))
		return true;
	return false;
}
