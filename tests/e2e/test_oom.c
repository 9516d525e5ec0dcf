// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop oom against real OOM kills, kept inside a memory cgroup of its own with a 16 MiB
 * limit and no swap, so nothing else on the machine is touched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define MEMCG_LIMIT (16UL << 20)

struct memcg {
	char path[640];
	char name[96];
};

static int write_file(const char *dir, const char *file, const char *value)
{
	char path[768];
	int fd, ok;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ok = write(fd, value, strlen(value)) == (ssize_t)strlen(value);
	close(fd);
	return ok ? 0 : -errno;
}

static bool file_has_word(const char *path, const char *word)
{
	char buf[1024], *tok, *save = NULL;
	FILE *f = fopen(path, "re");
	bool found = false;

	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f))
		for (tok = strtok_r(buf, " \n", &save); tok && !found;
		     tok = strtok_r(NULL, " \n", &save))
			found = !strcmp(tok, word);
	fclose(f);
	return found;
}

/*
 * Where the memory controller is: a cgroup v1 hierarchy mounted with "memory", or the v2
 * one if it offers the controller (enabled for its children if it is not yet).
 */
static bool memcg_root(char *root, size_t len, bool *v2)
{
	char line[1024], dir[512], type[64], opts[512], path[600];
	FILE *f = fopen("/proc/self/mounts", "re");
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %511s %63s %511s", dir, type, opts) != 3)
			continue;
		if (!strcmp(type, "cgroup") && strstr(opts, "memory")) {
			*v2 = false;
			found = true;
		} else if (!strcmp(type, "cgroup2")) {
			snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
			found = *v2 = file_has_word(path, "memory");
		}
	}
	fclose(f);
	if (!found)
		return false;
	snprintf(root, len, "%s", dir);
	if (*v2) {
		snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
		if (!file_has_word(path, "memory") &&
		    write_file(dir, "cgroup.subtree_control", "+memory"))
			return false;
	}
	return true;
}

/* A new memory cgroup limited to MEMCG_LIMIT, swap included. */
static int memcg_create(struct sn_tctx *t, struct memcg *cg)
{
	char root[512], limit[32];
	bool v2;

	if (!memcg_root(root, sizeof(root), &v2))
		SKIP("no memory cgroup controller mounted");
	snprintf(cg->name, sizeof(cg->name), "sn-oom-%s", sn_marker());
	snprintf(cg->path, sizeof(cg->path), "%s/%s", root, cg->name);
	CHECK(!mkdir(cg->path, 0755), "mkdir %s: %s", cg->path, strerror(errno));
	snprintf(limit, sizeof(limit), "%lu", MEMCG_LIMIT);
	if (v2) {
		CHECK(!write_file(cg->path, "memory.max", limit), "memory.max");
		/* Absent without swap accounting: then there is nothing to swap to either. */
		write_file(cg->path, "memory.swap.max", "0");
	} else {
		CHECK(!write_file(cg->path, "memory.limit_in_bytes", limit), "limit_in_bytes");
		write_file(cg->path, "memory.memsw.limit_in_bytes", limit);
	}
	return 0;
}

/* Removes the cgroup once its tasks are reaped; the kernel may take a moment to let go. */
static void memcg_remove(struct memcg *cg)
{
	for (int i = 0; i < 100 && rmdir(cg->path) && errno == EBUSY; i++)
		usleep(20000);
}

/*
 * A child named @comm that joins @cg, sets its oom_score_adj to @adj and touches @hold
 * bytes. With @ready, it then says so; with @go too, it waits for a byte there, otherwise
 * it waits to be killed. Then it touches @more bytes and exits 0, if it is still alive.
 */
static pid_t memcg_child(struct memcg *cg, const char *comm, const char *adj, size_t hold,
			 int ready, int go, size_t more)
{
	pid_t pid = fork();
	char buf[32], c = 0;
	size_t page = sysconf(_SC_PAGESIZE);
	char *mem;

	if (pid)
		return pid;
	prctl(PR_SET_NAME, comm);
	snprintf(buf, sizeof(buf), "%d", getpid());
	if (write_file(cg->path, "cgroup.procs", buf) ||
	    write_file("/proc/self", "oom_score_adj", adj))
		_exit(100);
	mem = mmap(NULL, hold + more, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		_exit(101);
	for (size_t off = 0; off < hold; off += page)
		mem[off] = 1;
	if (ready >= 0 && write(ready, &c, 1) != 1)
		_exit(102);
	if (ready >= 0 && go < 0)
		for (;;)
			pause();
	if (go >= 0 && read(go, &c, 1) != 1)
		_exit(103);
	for (size_t off = hold; off < hold + more; off += page)
		mem[off] = 1;
	_exit(0);
}

static bool victim_is(const char *line, void *pid)
{
	int64_t v;

	return json_str_eq(line, "type", "oom") && json_get_i64(line, "victim_pid", &v) &&
	       v == *(pid_t *)pid;
}

static bool hook_sees_control(const struct sn_tctx *t)
{
	return !strcmp(t->hook, "fentry") || !strcmp(t->hook, "kprobe");
}

/* A child that outgrows its cgroup is killed by its own allocation: trigger and victim. */
/*
 * The OOM victims are forks of this driver: built with AddressSanitizer, their shadow
 * memory and allocator change what they use and which of them the killer picks.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SN_ASAN 1
#endif
#endif
#ifdef SN_ASAN
#define SKIP_UNDER_ASAN() SKIP("the driver runs under AddressSanitizer, which distorts memory use")
#else
#define SKIP_UNDER_ASAN() do { } while (0)
#endif

TEST_HOOKS(oom_kill_in_memcg, "oom")
{
	const char *args[] = { "oom", "--json", NULL };
	char memcg[600], want[600];
	struct memcg cg;
	struct sn_run r;
	const char *line;
	int64_t v;

	SKIP_UNDER_ASAN();
	pid_t child;
	int status;

	if (memcg_create(t, &cg) || t->skipped)
		return t->skipped ? 0 : -1;
	if (sn_start(t, &r, args)) {
		memcg_remove(&cg);
		CHECK(false, "%s", r.why);
	}
	child = memcg_child(&cg, "sn-oom-victim", "0", 0, -1, -1, 4 * MEMCG_LIMIT);
	status = sn_reap(child);
	memcg_remove(&cg);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	      "the child was not OOM-killed: wait status 0x%x", status);
	line = sn_wait_line(&r, victim_is, &child, 5000);
	CHECK(line, "no oom record for victim %d; stderr: %s", child, r.err);
	CHECK(json_valid(line, strlen(line)), "invalid JSON: %s", line);
	CHECK(json_get_i64(line, "pid", &v) && v == child, "trigger pid: %s", line);
	CHECK(json_str_eq(line, "comm", "sn-oom-victim"), "trigger comm: %s", line);
	CHECK(json_get_i64(line, "victim_tid", &v) && v == child, "victim_tid: %s", line);
	CHECK(json_str_eq(line, "victim_comm", "sn-oom-victim"), "victim_comm: %s", line);
	CHECK(json_get_i64(line, "victim_uid", &v) && v == (int64_t)getuid(), "uid: %s", line);
	CHECK(json_get_i64(line, "oom_score_adj", &v) && v == 0, "oom_score_adj: %s", line);
	/* It was killed charging past the limit: most of the limit is its anonymous memory. */
	CHECK(json_get_i64(line, "anon_rss_kb", &v) && v >= (int64_t)(MEMCG_LIMIT / 2 >> 10) &&
		      v <= (int64_t)(2 * MEMCG_LIMIT >> 10),
	      "anon_rss_kb: %s", line);
	CHECK(json_get_i64(line, "total_vm_kb", &v) && v >= (int64_t)(4 * MEMCG_LIMIT >> 10),
	      "total_vm_kb: %s", line);
	CHECK(json_get_i64(line, "file_rss_kb", &v) && v >= 0, "file_rss_kb: %s", line);
	CHECK(json_get_str(line, "memcg", memcg, sizeof(memcg)) > 0, "memcg: %s", line);
	snprintf(want, sizeof(want), "/%s", cg.name);
	CHECK(!strcmp(memcg, want), "memcg '%s', want '%s'", memcg, want);
	if (hook_sees_control(t)) {
		CHECK(json_str_eq(line, "constraint", "memcg"), "constraint: %s", line);
		CHECK(json_get_i64(line, "total_pages", &v) &&
			      v == (int64_t)(MEMCG_LIMIT / sysconf(_SC_PAGESIZE)),
		      "total_pages: %s", line);
		CHECK(json_get_i64(line, "points", &v) && v > 0, "points: %s", line);
	} else {
		CHECK(json_get(line, "constraint").type == JSON_NONE, "constraint: %s", line);
	}
	usleep(100000);
	CHECK(!sn_stop(&r), "%s", r.why);
	CHECK(r.exit_code == 0, "exit %d; stderr: %s", r.exit_code, r.err);
	CHECK(sn_count_records(&r, "oom", victim_is, &child) == 1, "want exactly one record: %s",
	      r.out);
	CHECK(sn_progs_gone(&r), "%s", r.why);
	sn_run_free(&r);
	return 0;
}

struct tracer {
	struct sn_run r;
	char a[16], b[16];
};

/* Starts `oom --json OPT1 PID1 [OPT2 PID2]`. */
static int start_tracer(struct sn_tctx *t, struct tracer *tr, const char *opt1, pid_t pid1,
			const char *opt2, pid_t pid2)
{
	const char *args[] = { "oom", "--json", opt1, tr->a, opt2, tr->b, NULL };

	snprintf(tr->a, sizeof(tr->a), "%d", pid1);
	snprintf(tr->b, sizeof(tr->b), "%d", pid2);
	return sn_start(t, &tr->r, args);
}

/* The checks of oom_trigger_is_not_victim, once the two children wait in the cgroup. */
static int trigger_is_not_victim(struct sn_tctx *t, struct tracer tr[3], pid_t hog,
				 pid_t alloc, int go, int *hog_status)
{
	const char *line;
	int status, nr = 0;
	int64_t v;
	char c = 0;

	for (; nr < 3; nr++) {
		int err = nr == 0 ? start_tracer(t, &tr[0], "--victim", hog, "-p", alloc) :
			  nr == 1 ? start_tracer(t, &tr[1], "--victim", alloc, NULL, 0) :
				    start_tracer(t, &tr[2], "-p", hog, NULL, 0);

		CHECK(!err, "%s", tr[nr].r.why);
	}
	CHECK(write(go, &c, 1) == 1, "go");
	status = sn_reap(alloc);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "allocator status 0x%x", status);
	*hog_status = sn_reap(hog);
	CHECK(WIFSIGNALED(*hog_status) && WTERMSIG(*hog_status) == SIGKILL, "hog status 0x%x",
	      *hog_status);
	line = sn_wait_line(&tr[0].r, victim_is, &hog, 5000);
	CHECK(line, "no oom record for the hog %d; stderr: %s", hog, tr[0].r.err);
	CHECK(json_get_i64(line, "pid", &v) && v == alloc, "trigger pid: %s", line);
	CHECK(json_str_eq(line, "comm", "sn-oom-trigger"), "trigger comm: %s", line);
	CHECK(json_str_eq(line, "victim_comm", "sn-oom-hog"), "victim_comm: %s", line);
	CHECK(json_get_i64(line, "oom_score_adj", &v) && v == 1000, "oom_score_adj: %s", line);
	/* It holds half the limit; the counters lag by a per-CPU batch at most. */
	CHECK(json_get_i64(line, "anon_rss_kb", &v) && v >= (int64_t)(MEMCG_LIMIT / 2 >> 10) - 1024,
	      "anon_rss_kb: %s", line);
	usleep(100000);
	for (int i = 0; i < 3; i++)
		CHECK(!sn_stop(&tr[i].r) && tr[i].r.exit_code == 0, "tracer %d: %s", i,
		      tr[i].r.err);
	CHECK(sn_count_records(&tr[0].r, "oom", NULL, NULL) == 1, "want one record: %s",
	      tr[0].r.out);
	CHECK(sn_count_records(&tr[1].r, "oom", NULL, NULL) == 0, "--victim let through: %s",
	      tr[1].r.out);
	CHECK(sn_count_records(&tr[2].r, "oom", NULL, NULL) == 0, "-p let through: %s",
	      tr[2].r.out);
	return 0;
}

/*
 * A hog (oom_score_adj 1000) and an allocator share a cgroup; the allocator outgrows it
 * and the hog is killed: the trigger is the allocator, in whose context the tracepoint
 * runs. Of three tracers, --victim HOG -p ALLOC sees the kill, --victim ALLOC and -p HOG
 * do not.
 */
TEST_HOOKS(oom_trigger_is_not_victim, "oom")
{
	struct tracer tr[3] = {};
	int ready[2], go[2], ret, hog_status = -1;
	struct memcg cg;
	pid_t hog, alloc;

	SKIP_UNDER_ASAN();
	/*
	 * Under emulation the killed hog's memory is reaped slowly, so the allocator can run
	 * into the limit again and be killed in turn: a second OOM, not a wrong report.
	 */
	if (sn_emulated())
		SKIP("under CPU emulation a second OOM can follow before the hog is reaped");
	char c = 0;

	if (memcg_create(t, &cg) || t->skipped)
		return t->skipped ? 0 : -1;
	CHECK(!pipe2(ready, O_CLOEXEC) && !pipe2(go, O_CLOEXEC), "pipe");
	hog = memcg_child(&cg, "sn-oom-hog", "1000", MEMCG_LIMIT / 2, ready[1], -1, 0);
	/* Enough to push the cgroup past its limit with the hog, little enough to fit alone. */
	alloc = memcg_child(&cg, "sn-oom-trigger", "0", 0, ready[1], go[0], MEMCG_LIMIT * 5 / 8);
	close(ready[1]);
	close(go[0]);
	if (read(ready[0], &c, 1) == 1 && read(ready[0], &c, 1) == 1) {
		ret = trigger_is_not_victim(t, tr, hog, alloc, go[1], &hog_status);
	} else {
		sn_test_fail(t, __FILE__, __LINE__, "the children did not get ready");
		ret = -1;
	}
	/* Whatever failed, leave nothing behind. */
	close(go[1]);
	close(ready[0]);
	if (hog_status == -1) {
		kill(hog, SIGKILL);
		kill(alloc, SIGKILL);
		sn_reap(hog);
		sn_reap(alloc);
	}
	for (int i = 0; i < 3; i++) {
		if (tr[i].r.pid > 0 && tr[i].r.exit_code < 0)
			sn_stop(&tr[i].r);
		sn_run_free(&tr[i].r);
	}
	memcg_remove(&cg);
	return ret;
}

static int lines(const char *s)
{
	int n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

TEST(oom_usage)
{
	const char *a1[] = { "oom", "--victim", "0", NULL };
	const char *a2[] = { "oom", "--victim", "4194303", NULL };
	struct sn_run r;

	CHECK(!sn_run_sync(&r, a1), "%s", r.why);
	CHECK(r.exit_code == 2 && strstr(r.err, "invalid --victim '0'") && lines(r.err) == 1,
	      "exit %d: %s", r.exit_code, r.err);
	sn_run_free(&r);
	CHECK(!sn_run_sync(&r, a2), "%s", r.why);
	CHECK(r.exit_code == 2 && strstr(r.err, "no such process") && lines(r.err) == 1,
	      "exit %d: %s", r.exit_code, r.err);
	sn_run_free(&r);
	return 0;
}
