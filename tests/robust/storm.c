// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sn-storm: the load generator and measuring helper of the robustness stage and the
 * benchmarks.
 *
 *   sn-storm open PATH N          open(PATH) and close N times, as fast as possible
 *   sn-storm exec MARKER N        fork and exec /bin/true ev-MARKER N times, one at a time
 *   sn-storm sink MARKER          read stdin to its end; count lines, lines with MARKER,
 *                                 the losses bpftrace reports ("Lost N events" lines),
 *                                 and print the last JSON summary record seen; with
 *                                 READY_PATTERN and READY_FILE set, create READY_FILE
 *                                 once a line holds READY_PATTERN
 *   sn-storm startup open|exec MARKER -- CMD ARGS...
 *                                 start CMD, repeat the marker action every 2 ms, and
 *                                 print the milliseconds until CMD prints a line with
 *                                 MARKER (then stop CMD)
 *
 * The storms print "ops N ns T ns_per_op X cpu_ns_per_op C" on stdout: C counts the CPU
 * time of the storm and its children only (user and system, where the tracers' BPF
 * programs run), so it varies less than X on a busy machine. The execs' argument is "ev-MARKER",
 * so that the exec of sn-storm itself, whose arguments hold MARKER, is not counted when
 * searching for it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int usage(void)
{
	fprintf(stderr, "usage: sn-storm open PATH N | exec MARKER N | sink MARKER |\n"
			"       startup open|exec MARKER -- CMD ARGS...\n");
	return 2;
}

static int parse_count(const char *s, uint64_t *n)
{
	char *end;

	errno = 0;
	*n = strtoull(s, &end, 10);
	return errno || *end || !*s ? -1 : 0;
}

/* CPU time, user and system, of this process and its waited-for children. */
static uint64_t cpu_ns(void)
{
	struct rusage self, children;
	uint64_t us;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &children);
	us = (self.ru_utime.tv_sec + self.ru_stime.tv_sec + children.ru_utime.tv_sec +
	      children.ru_stime.tv_sec) * 1000000ULL +
	     self.ru_utime.tv_usec + self.ru_stime.tv_usec + children.ru_utime.tv_usec +
	     children.ru_stime.tv_usec;
	return us * 1000;
}

static void report(uint64_t ops, uint64_t ns, uint64_t cpu)
{
	printf("ops %llu ns %llu ns_per_op %.1f cpu_ns_per_op %.1f\n", (unsigned long long)ops,
	       (unsigned long long)ns, ops ? (double)ns / ops : 0.0, ops ? (double)cpu / ops : 0.0);
}

static int open_once(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/*
 * The path and the argument live on the stack, as a shell's would live on its heap: a
 * string literal sits in a file-backed page that the child of fork() has not mapped yet,
 * so tracers that read argv at syscall entry (bpftrace's join()) would see nothing.
 */
static int exec_once(const char *marker)
{
	char path[] = "/bin/true", arg[256];
	pid_t pid;
	int status;

	snprintf(arg, sizeof(arg), "ev-%s", marker);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execl(path, path, arg, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

static int storm(const char *what, const char *arg, uint64_t n)
{
	uint64_t start = now_ns(), cpu = cpu_ns();
	int err;

	for (uint64_t i = 0; i < n; i++) {
		err = !strcmp(what, "open") ? open_once(arg) : exec_once(arg);
		if (err) {
			fprintf(stderr, "sn-storm: %s %s: %s\n", what, arg, strerror(-err));
			return 1;
		}
	}
	report(n, now_ns() - start, cpu_ns() - cpu);
	return 0;
}

/* What the sink keeps of the lines it reads. */
struct sink_state {
	const char *marker, *ready, *ready_file;
	size_t mlen, rlen;
	uint64_t lines, marked, lost;
	char *summary;
};

static void sink_line(struct sink_state *st, const char *p, size_t len)
{
	st->lines++;
	if (memmem(p, len, st->marker, st->mlen))
		st->marked++;
	else if (len > 5 && !memcmp(p, "Lost ", 5))
		st->lost += strtoull(p + 5, NULL, 10);
	else if (len > 18 && !memcmp(p, "{\"type\":\"summary\"", 17)) {
		free(st->summary);
		st->summary = strndup(p, len);
	}
	if (st->ready && memmem(p, len, st->ready, st->rlen)) {
		close(open(st->ready_file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
		st->ready = NULL;
	}
}

/* Reads stdin in large blocks; a line is counted once, however many markers it holds. */
static int sink(const char *marker)
{
	struct sink_state st = { .marker = marker, .mlen = strlen(marker) };
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);
	ssize_t n;

	st.ready = getenv("READY_PATTERN");
	st.ready_file = getenv("READY_FILE");
	if (!st.ready || !st.ready_file)
		st.ready = NULL;
	else
		st.rlen = strlen(st.ready);
	if (!buf)
		return 1;
	while ((n = read(0, buf + len, cap - len)) > 0 || (n < 0 && errno == EINTR)) {
		char *p = buf, *nl;

		if (n < 0)
			continue;
		len += n;
		while ((nl = memchr(p, '\n', len - (p - buf)))) {
			sink_line(&st, p, nl - p);
			p = nl + 1;
		}
		len -= p - buf;
		memmove(buf, p, len);
		/* A line longer than the buffer is counted as it is cut. */
		if (len == cap) {
			sink_line(&st, buf, len);
			len = 0;
		}
	}
	printf("lines %llu marked %llu lost %llu\n", (unsigned long long)st.lines,
	       (unsigned long long)st.marked, (unsigned long long)st.lost);
	printf("summary %s\n", st.summary ? st.summary : "none");
	free(st.summary);
	free(buf);
	return 0;
}

/* Stops @pid: SIGINT, then SIGKILL after 5 s. */
static void stop(pid_t pid)
{
	for (int i = 0; i < 500; i++) {
		if (i == 0)
			kill(pid, SIGINT);
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static int startup(const char *action, const char *marker, char **cmd)
{
	char path[256], buf[65536];
	uint64_t start, deadline;
	size_t len = 0;
	int pipefd[2], devnull;
	pid_t pid;

	snprintf(path, sizeof(path), "/tmp/%s", marker);
	if (!strcmp(action, "open")) {
		int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);

		if (fd < 0)
			return perror(path), 1;
		close(fd);
	}
	if (pipe2(pipefd, O_CLOEXEC))
		return perror("pipe"), 1;
	start = now_ns();
	pid = fork();
	if (pid < 0)
		return perror("fork"), 1;
	if (pid == 0) {
		devnull = open("/dev/null", O_WRONLY);
		dup2(pipefd[1], 1);
		dup2(devnull, 2);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	close(pipefd[1]);
	deadline = start + 60ULL * 1000000000;
	while (now_ns() < deadline) {
		struct pollfd pfd = { pipefd[0], POLLIN, 0 };
		ssize_t n;

		if (!strcmp(action, "open"))
			open_once(path);
		else
			exec_once(marker);
		if (poll(&pfd, 1, 2) <= 0)
			continue;
		n = read(pipefd[0], buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break; /* the tool ended before printing the marker */
		len += n;
		buf[len] = '\0';
		if (strstr(buf, marker)) {
			printf("startup_ms %.1f\n", (now_ns() - start) / 1e6);
			stop(pid);
			unlink(path);
			return 0;
		}
		/* Keep the unfinished line only. */
		if (memrchr(buf, '\n', len)) {
			char *nl = memrchr(buf, '\n', len);

			len -= nl + 1 - buf;
			memmove(buf, nl + 1, len);
		}
		if (len >= sizeof(buf) - 1)
			len = 0;
	}
	fprintf(stderr, "sn-storm: %s printed no line with %s\n", cmd[0], marker);
	stop(pid);
	unlink(path);
	return 1;
}

int main(int argc, char **argv)
{
	uint64_t n;

	if (argc == 4 && (!strcmp(argv[1], "open") || !strcmp(argv[1], "exec"))) {
		if (parse_count(argv[3], &n))
			return usage();
		return storm(argv[1], argv[2], n);
	}
	if (argc == 3 && !strcmp(argv[1], "sink"))
		return sink(argv[2]);
	if (argc >= 6 && !strcmp(argv[1], "startup") && !strcmp(argv[4], "--"))
		return startup(argv[2], argv[3], argv + 5);
	return usage();
}
