// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop bio against real block I/O: O_DIRECT writes and reads of known sizes on loop
 * devices made for the test, from a child with a marker name, checked request by request;
 * then the disk, issuer and latency filters, the table, and bad input.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/blkpg.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define LOOP_SIZE (64 << 20)
#define MIB       (1 << 20)
#define NR_IOS    7

/* Four 64 KiB writes then three 16 KiB reads, 2 MiB apart so that no two can merge. */
static const struct {
	off_t off;
	size_t len;
	bool write;
} ios[NR_IOS] = {
	{ 1 * MIB, 65536, true },  { 3 * MIB, 65536, true },  { 5 * MIB, 65536, true },
	{ 7 * MIB, 65536, true },  { 9 * MIB, 16384, false }, { 11 * MIB, 16384, false },
	{ 13 * MIB, 16384, false },
};

struct loopdev {
	int fd; /* held open: the device is set to clear itself once the last user closes it */
	unsigned int major, minor;
	char name[32]; /* loopN */
	char path[48]; /* /dev/loopN */
	char image[128];
};

/*
 * A loop device over a fresh sparse file in /tmp, which may have partitions with @partscan;
 * 0, or -1 with the reason in @why.
 */
static int loop_create_flags(struct loopdev *l, bool partscan, char *why, size_t len)
{
	struct loop_info64 info = { .lo_flags = LO_FLAGS_AUTOCLEAR };
	int ctl = -1, backing = -1, nr = -1, ret = -1;
	struct stat st;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	if (partscan)
		info.lo_flags |= LO_FLAGS_PARTSCAN;
	snprintf(l->image, sizeof(l->image), "/tmp/%s.img", sn_marker());
	backing = open(l->image, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (backing < 0 || ftruncate(backing, LOOP_SIZE)) {
		snprintf(why, len, "creating %s: %s", l->image, strerror(errno));
		goto out;
	}
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		snprintf(why, len, "/dev/loop-control: %s", strerror(errno));
		goto out;
	}
	/* Another process may take the free device first: then ask again. */
	for (int tries = 0; tries < 20 && l->fd < 0; tries++) {
		nr = ioctl(ctl, LOOP_CTL_GET_FREE);
		if (nr < 0) {
			snprintf(why, len, "LOOP_CTL_GET_FREE: %s", strerror(errno));
			goto out;
		}
		snprintf(l->path, sizeof(l->path), "/dev/loop%d", nr);
		l->fd = open(l->path, O_RDWR | O_CLOEXEC);
		if (l->fd < 0) {
			snprintf(why, len, "%s: %s", l->path, strerror(errno));
			goto out;
		}
		if (!ioctl(l->fd, LOOP_SET_FD, backing))
			break;
		if (errno != EBUSY) {
			snprintf(why, len, "LOOP_SET_FD %s: %s", l->path, strerror(errno));
			goto out;
		}
		close(l->fd);
		l->fd = -1;
	}
	if (l->fd < 0) {
		snprintf(why, len, "no free loop device");
		goto out;
	}
	if (ioctl(l->fd, LOOP_SET_STATUS64, &info) || fstat(l->fd, &st)) {
		snprintf(why, len, "configuring %s: %s", l->path, strerror(errno));
		ioctl(l->fd, LOOP_CLR_FD, 0);
		goto out;
	}
	/* Real disk I/O behind the loop where the file system allows it; not required. */
	ioctl(l->fd, LOOP_SET_DIRECT_IO, 1UL);
	l->major = major(st.st_rdev);
	l->minor = minor(st.st_rdev);
	snprintf(l->name, sizeof(l->name), "loop%d", nr);
	ret = 0;
out:
	if (ret && l->fd >= 0) {
		close(l->fd);
		l->fd = -1;
	}
	if (ctl >= 0)
		close(ctl);
	if (backing >= 0)
		close(backing);
	if (ret)
		unlink(l->image);
	return ret;
}

static void loop_destroy(struct loopdev *l)
{
	if (l->fd >= 0) {
		ioctl(l->fd, LOOP_CLR_FD, 0);
		close(l->fd);
		l->fd = -1;
	}
	if (l->image[0])
		unlink(l->image);
}

/* A test's body: loop devices l[0], l[1] (as many as asked for), sysnoop runs r[0], r[1]. */
typedef int (*loop_test_fn)(struct sn_tctx *t, struct loopdev *l, struct sn_run *r);

/*
 * Runs @fn on @nloops fresh loop devices, then stops any sysnoop it left running and frees
 * the devices, whether it passed or not.
 */
static int on_loops(struct sn_tctx *t, int nloops, bool partscan, loop_test_fn fn)
{
	struct loopdev l[2] = { { .fd = -1 }, { .fd = -1 } };
	struct sn_run r[2] = {};
	int made = 0, ret = -1;

	for (; made < nloops; made++) {
		if (loop_create_flags(&l[made], partscan, t->why, sizeof(t->why))) {
			sn_test_fail(t, __FILE__, __LINE__, "%s", t->why);
			goto out;
		}
	}
	ret = fn(t, l, r);
out:
	for (int i = 0; i < 2; i++) {
		if (r[i].pid > 0 && r[i].exit_code < 0)
			sn_stop(&r[i]);
		sn_run_free(&r[i]);
	}
	while (made--)
		loop_destroy(&l[made]);
	return ret;
}

/* The I/O of ios[] on @dev with O_DIRECT from aligned memory; 0 or -1. */
static int do_ios(const char *dev)
{
	void *buf;
	int fd, ret = 0;

	if (posix_memalign(&buf, 4096, 65536))
		return -1;
	memset(buf, 0x5a, 65536);
	fd = open(dev, O_RDWR | O_DIRECT | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -1;
	}
	for (int i = 0; i < NR_IOS && !ret; i++) {
		ssize_t n = ios[i].write ? pwrite(fd, buf, ios[i].len, ios[i].off)
					 : pread(fd, buf, ios[i].len, ios[i].off);

		ret = n == (ssize_t)ios[i].len ? 0 : -1;
	}
	close(fd);
	free(buf);
	return ret;
}

/* A child named @comm doing the I/O of ios[] on each of @devs; 0 if all of it succeeded. */
static int marker_io(const char *comm, const char *dev1, const char *dev2, pid_t *pid)
{
	int status;

	*pid = fork();
	if (*pid < 0)
		return -1;
	if (*pid == 0) {
		prctl(PR_SET_NAME, comm);
		if (do_ios(dev1) || (dev2 && do_ios(dev2)))
			_exit(1);
		_exit(0);
	}
	status = sn_reap(*pid);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static bool json_get_double(const char *line, const char *key, double *out)
{
	struct json_val v = json_get(line, key);
	char num[64];

	if (v.type != JSON_NUMBER || v.len >= sizeof(num))
		return false;
	memcpy(num, v.start, v.len);
	num[v.len] = '\0';
	*out = strtod(num, NULL);
	return true;
}

struct io_match {
	pid_t pid;
	const char *disk; /* NULL: any */
	int seen;
	int want;         /* the matcher is true at the want-th record; 0: at every one */
};

static bool io_of(const char *line, void *data)
{
	struct io_match *m = data;
	int64_t pid;

	if (!json_str_eq(line, "type", "bio") || !json_get_i64(line, "pid", &pid) ||
	    pid != m->pid || (m->disk && !json_str_eq(line, "disk", m->disk)))
		return false;
	return ++m->seen == m->want || !m->want;
}

static int count_io(struct sn_run *r, pid_t pid, const char *disk)
{
	struct io_match m = { pid, disk, 0, 0 };

	return sn_count_records(r, "bio", io_of, &m);
}

/* Waits until @run shows all of ios[] from @pid on @disk. */
static bool wait_ios(struct sn_run *r, pid_t pid, const char *disk)
{
	struct io_match m = { pid, disk, 0, NR_IOS };

	return sn_wait_line(r, io_of, &m, 10000) != NULL;
}

/* Checks one record against ios[]; marks which one it was in @seen. */
static int check_record(struct sn_tctx *t, const char *line, const struct loopdev *l,
			const char *comm, pid_t pid, bool queue_expected, bool seen[NR_IOS])
{
	char rwbs[16];
	double lat, queue;
	int64_t v, sector;
	int i;

	CHECK(json_valid(line, strlen(line)), "invalid JSON: %s", line);
	CHECK(json_str_eq(line, "comm", comm), "comm, want %s: %s", comm, line);
	CHECK(json_get_i64(line, "tid", &v) && v == pid, "tid, want %d: %s", pid, line);
	CHECK(json_get_i64(line, "uid", &v) && v == (int64_t)getuid(), "uid: %s", line);
	CHECK(json_get_i64(line, "major", &v) && v == l->major, "major, want %u: %s", l->major,
	      line);
	CHECK(json_get_i64(line, "minor", &v) && v == l->minor, "minor, want %u: %s", l->minor,
	      line);
	CHECK(json_get_i64(line, "sector", &sector), "sector: %s", line);
	for (i = 0; i < NR_IOS && ios[i].off / 512 != sector; i++)
		;
	CHECK(i < NR_IOS, "sector %lld is none of the test's (merged or split?): %s",
	      (long long)sector, line);
	CHECK(!seen[i], "two records for the request at sector %lld", (long long)sector);
	seen[i] = true;
	CHECK(json_get_i64(line, "bytes", &v) && v == (int64_t)ios[i].len, "bytes, want %zu: %s",
	      ios[i].len, line);
	CHECK(json_get_str(line, "rwbs", rwbs, sizeof(rwbs)) > 0, "rwbs: %s", line);
	/* The block device's O_DIRECT writes are REQ_SYNC (dio_bio_write_op). */
	if (ios[i].write)
		CHECK(rwbs[0] == 'W' && strchr(rwbs, 'S'), "rwbs '%s', want W...S: %s", rwbs, line);
	else
		CHECK(rwbs[0] == 'R', "rwbs '%s', want R...: %s", rwbs, line);
	CHECK(json_get_double(line, "lat_ms", &lat) && lat > 0 && lat < 10000,
	      "lat_ms, want > 0: %s", line);
	if (queue_expected)
		CHECK(json_get_double(line, "queue_ms", &queue) && queue >= 0 && queue < 10000,
		      "queue_ms: %s", line);
	else if (json_get(line, "queue_ms").type != JSON_NONE)
		CHECK(json_get_double(line, "queue_ms", &queue) && queue >= 0, "queue_ms: %s",
		      line);
	return 0;
}

static void marker_comm(char *comm, size_t len)
{
	snprintf(comm, len, "snbio%d", getpid() % 1000000);
}

/* Whether this kernel starts requests with block_io_start, which makes queue_ms known. */
static bool have_io_start(void)
{
	return !access("/sys/kernel/tracing/events/block/block_io_start", F_OK) ||
	       !access("/sys/kernel/debug/tracing/events/block/block_io_start", F_OK);
}

static int direct_io(struct sn_tctx *t, struct loopdev *l, struct sn_run *r)
{
	const char *args[] = { "bio", "--json", "-Q", "--disk", l->name, NULL };
	bool seen[NR_IOS] = {};
	size_t pos = 0;
	const char *line;
	char comm[16];
	int64_t v;
	pid_t child;
	int n = 0;

	marker_comm(comm, sizeof(comm));
	CHECK(!sn_start(t, r, args), "%s", r->why);
	CHECK(!marker_io(comm, l->path, NULL, &child), "the marker's I/O on %s failed", l->path);
	CHECK(wait_ios(r, child, l->name), "want %d records from pid %d on %s; got %d; stderr: %s",
	      NR_IOS, child, l->name, count_io(r, child, NULL), r->err);
	CHECK(!sn_stop(r), "%s", r->why);
	CHECK(r->exit_code == 0, "exit code %d; stderr: %s", r->exit_code, r->err);
	while ((line = sn_next_line(r, &pos))) {
		if (!json_str_eq(line, "type", "bio"))
			continue;
		/* --disk let nothing else through. */
		CHECK(json_str_eq(line, "disk", l->name), "disk, want %s: %s", l->name, line);
		if (!json_get_i64(line, "pid", &v) || v != child)
			continue;
		if (check_record(t, line, l, comm, child, have_io_start(), seen))
			return -1;
		n++;
	}
	CHECK(n == NR_IOS, "%d records from the marker, want %d", n, NR_IOS);
	line = sn_find_record(r, "summary", NULL, NULL);
	CHECK(line && json_get_i64(line, "dropped", &v) && v == 0, "summary: %s", line);
	CHECK(sn_progs_gone(r), "%s", r->why);
	return 0;
}

TEST_HOOKS(bio_direct_io, "bio")
{
	return on_loops(t, 1, false, direct_io);
}

/* The parent's own write, outside ios[]: not the marker, so --comm must leave it out. */
static int parent_write(const char *dev)
{
	void *buf;
	int fd, ret;

	if (posix_memalign(&buf, 4096, 65536))
		return -1;
	memset(buf, 0xa5, 65536);
	fd = open(dev, O_WRONLY | O_DIRECT | O_CLOEXEC);
	ret = fd >= 0 && pwrite(fd, buf, 65536, 15 * MIB) == 65536 ? 0 : -1;
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

static int filters(struct sn_tctx *t, struct loopdev *l, struct sn_run *r)
{
	struct loopdev *a = &l[0], *b = &l[1];
	struct sn_run *all = &r[0], *mine = &r[1];
	char comm[16];
	const char *args_all[] = { "bio", "--json", "--disk", a->name, NULL };
	const char *args_mine[] = { "bio", "--json", "--disk", a->name, "--comm", comm, NULL };
	struct io_match parent = { getpid(), a->name, 0, 1 };
	pid_t child;

	marker_comm(comm, sizeof(comm));
	CHECK(!sn_start(t, all, args_all), "%s", all->why);
	CHECK(!sn_start(t, mine, args_mine), "%s", mine->why);
	CHECK(!parent_write(a->path), "the parent's write on %s failed", a->path);
	CHECK(!marker_io(comm, a->path, b->path, &child), "the marker's I/O failed");
	CHECK(wait_ios(all, child, a->name), "--disk %s: %d of %d records from the marker",
	      a->name, count_io(all, child, NULL), NR_IOS);
	CHECK(sn_wait_line(all, io_of, &parent, 5000), "--disk %s: no record of the parent's write",
	      a->name);
	CHECK(wait_ios(mine, child, a->name), "--comm %s: %d of %d records from the marker", comm,
	      count_io(mine, child, NULL), NR_IOS);
	CHECK(!sn_stop(all), "%s", all->why);
	CHECK(!sn_stop(mine), "%s", mine->why);
	CHECK(count_io(all, child, b->name) == 0, "--disk %s let %s through", a->name, b->name);
	CHECK(count_io(all, child, NULL) == NR_IOS,
	      "--disk %s: %d records from the marker, want %d", a->name,
	      count_io(all, child, NULL), NR_IOS);
	CHECK(count_io(mine, getpid(), NULL) == 0, "--comm %s let the parent's write through",
	      comm);
	CHECK(count_io(mine, child, NULL) == NR_IOS, "--comm %s: %d records, want %d", comm,
	      count_io(mine, child, NULL), NR_IOS);
	CHECK(sn_progs_gone(all), "%s", all->why);
	return 0;
}

TEST_HOOKS(bio_disk_and_comm_filters, "bio")
{
	return on_loops(t, 2, false, filters);
}

static int min_latency(struct sn_tctx *t, struct loopdev *l, struct sn_run *r)
{
	struct sn_run *all = &r[0], *slow = &r[1];
	const char *args_all[] = { "bio", "--json", "--disk", l->name, NULL };
	const char *args_slow[] = { "bio", "--json", "--disk", l->name, "--min-latency", "60000",
				    NULL };
	char comm[16];
	pid_t child;

	marker_comm(comm, sizeof(comm));
	CHECK(!sn_start(t, all, args_all), "%s", all->why);
	CHECK(!sn_start(t, slow, args_slow), "%s", slow->why);
	CHECK(!marker_io(comm, l->path, NULL, &child), "the marker's I/O failed");
	CHECK(wait_ios(all, child, l->name), "%d of %d records without --min-latency",
	      count_io(all, child, NULL), NR_IOS);
	CHECK(!sn_stop(all), "%s", all->why);
	CHECK(!sn_stop(slow), "%s", slow->why);
	CHECK(slow->exit_code == 0, "exit code %d; stderr: %s", slow->exit_code, slow->err);
	CHECK(count_io(slow, child, NULL) == 0, "--min-latency 60000 let %d fast requests through",
	      count_io(slow, child, NULL));
	return 0;
}

TEST(bio_min_latency)
{
	return on_loops(t, 1, false, min_latency);
}

static bool table_row_of(const char *line, void *comm)
{
	return !strncmp(line, comm, strlen(comm)) && line[strlen(comm)] == ' ';
}

static int table(struct sn_tctx *t, struct loopdev *l, struct sn_run *r)
{
	const char *args[] = { "bio", "-Q", "--disk", l->name, NULL };
	char comm[16], want_pid[16], col[7][32];
	const char *line;
	size_t pos = 0;
	pid_t child;
	int n;

	marker_comm(comm, sizeof(comm));
	CHECK(!sn_start(t, r, args), "%s", r->why);
	CHECK(!marker_io(comm, l->path, NULL, &child), "the marker's I/O failed");
	CHECK(sn_wait_line(r, table_row_of, comm, 10000), "no row for %s; stdout: %s", comm,
	      r->out);
	CHECK(!sn_stop(r), "%s", r->why);
	line = sn_next_line(r, &pos);
	CHECK(line, "no header");
	CHECK(!strcmp(line, "COMM             PID     DISK     T    SECTOR      BYTES   QUE(ms)   "
			    "LAT(ms)"),
	      "header: '%s'", line);
	while ((line = sn_next_line(r, &pos)) && !table_row_of(line, comm))
		;
	CHECK(line, "no row for %s", comm);
	n = sscanf(line, "%31s %31s %31s %31s %31s %31s %31s", col[0], col[1], col[2], col[3],
		   col[4], col[5], col[6]);
	CHECK(n == 7, "row: '%s'", line);
	snprintf(want_pid, sizeof(want_pid), "%d", child);
	CHECK(!strcmp(col[1], want_pid), "PID %s, want %s: '%s'", col[1], want_pid, line);
	CHECK(!strcmp(col[2], l->name), "DISK %s, want %s: '%s'", col[2], l->name, line);
	CHECK(col[3][0] == 'W', "T %s, want a write first: '%s'", col[3], line);
	CHECK(!strcmp(col[4], "2048") && !strcmp(col[5], "65536"), "SECTOR/BYTES: '%s'", line);
	return 0;
}

TEST(bio_table)
{
	return on_loops(t, 1, false, table);
}

static int usage_error(struct sn_tctx *t, const char *const *args, const char *needle)
{
	struct sn_run r;
	const char *nl;

	CHECK(!sn_run_sync(&r, args), "%s", r.why);
	CHECK(r.exit_code == 2, "'%s %s %s': exit %d, want 2; stderr: %s", args[0], args[1],
	      args[2], r.exit_code, r.err);
	nl = r.err ? strchr(r.err, '\n') : NULL;
	CHECK(nl && !nl[1], "want one line on stderr, got: %s", r.err);
	CHECK(strstr(r.err, needle), "stderr lacks '%s': %s", needle, r.err);
	sn_run_free(&r);
	return 0;
}

TEST(bio_bad_input)
{
	const char *a1[] = { "bio", "--disk", "nosuchdisk0", NULL };
	const char *a2[] = { "bio", "--disk", "/proc/version", NULL };
	const char *a3[] = { "bio", "--disk", "..", NULL };
	const char *a4[] = { "bio", "--min-latency", "abc", NULL };
	const char *a5[] = { "bio", "--min-latency", "-1", NULL };

	if (usage_error(t, a1, "invalid --disk 'nosuchdisk0': no such block device") ||
	    usage_error(t, a2, "invalid --disk '/proc/version': not a block device") ||
	    usage_error(t, a3, "invalid --disk '..'") ||
	    usage_error(t, a4, "invalid --min-latency 'abc'"))
		return -1;
	return usage_error(t, a5, "invalid --min-latency '-1'");
}

/* Partition 1 of @l: @len bytes from @start, added by hand (this needs no partition table). */
static int add_partition(struct loopdev *l, long long start, long long len)
{
	struct blkpg_partition part = { .start = start, .length = len, .pno = 1 };
	struct blkpg_ioctl_arg arg = {
		.op = BLKPG_ADD_PARTITION, .datalen = sizeof(part), .data = &part
	};

	return ioctl(l->fd, BLKPG, &arg);
}

#define PART_START (8 * MIB)
#define PART_LEN   (16 * MIB)

/* 64 KiB writes: two inside the partition (through it, and through the disk), two outside. */
static int partition_io(const char *comm, const char *disk, const char *part)
{
	static const struct {
		bool on_part;
		off_t off;
	} writes[] = {
		{ true, 1 * MIB }, { false, PART_START + 12 * MIB },
		{ false, 1 * MIB }, { false, PART_START + PART_LEN },
	};
	int status, ret = 0;
	void *buf;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		status = sn_reap(pid);
		return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? pid : -1;
	}
	prctl(PR_SET_NAME, comm);
	if (posix_memalign(&buf, 4096, 65536))
		_exit(1);
	memset(buf, 0x3c, 65536);
	for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]) && !ret; i++) {
		int fd = open(writes[i].on_part ? part : disk, O_WRONLY | O_DIRECT | O_CLOEXEC);

		ret = fd >= 0 && pwrite(fd, buf, 65536, writes[i].off) == 65536 ? 0 : -1;
		if (fd >= 0)
			close(fd);
	}
	_exit(ret ? 1 : 0);
}

static int partition(struct sn_tctx *t, struct loopdev *l, struct sn_run *r)
{
	char part_name[48], part_path[64], comm[16];
	const char *args[] = { "bio", "--json", "--disk", part_name, NULL };
	struct io_match m = { 0, l->name, 0, 2 };
	const int64_t want[2] = { (PART_START + 1 * MIB) / 512, (PART_START + 12 * MIB) / 512 };
	bool seen[2] = {};
	const char *line;
	size_t pos = 0;
	int64_t sector;
	pid_t child;

	CHECK(!add_partition(l, PART_START, PART_LEN), "BLKPG_ADD_PARTITION on %s: %s", l->path,
	      strerror(errno));
	snprintf(part_name, sizeof(part_name), "%sp1", l->name);
	snprintf(part_path, sizeof(part_path), "/dev/%s", part_name);
	marker_comm(comm, sizeof(comm));
	CHECK(!sn_start(t, r, args), "%s", r->why);
	child = partition_io(comm, l->path, part_path);
	CHECK(child > 0, "the marker's writes on %s and %s failed", l->path, part_path);
	m.pid = child;
	CHECK(sn_wait_line(r, io_of, &m, 10000), "--disk %s: %d of 2 records from the marker",
	      part_name, count_io(r, child, NULL));
	CHECK(!sn_stop(r), "%s", r->why);
	while ((line = sn_next_line(r, &pos))) {
		if (!json_str_eq(line, "type", "bio"))
			continue;
		/* Requests are the whole disk's: its name, and sectors counted on it. */
		CHECK(json_str_eq(line, "disk", l->name), "disk, want %s: %s", l->name, line);
		CHECK(json_get_i64(line, "sector", &sector), "sector: %s", line);
		CHECK(sector >= PART_START / 512 && sector < (PART_START + PART_LEN) / 512,
		      "--disk %s let sector %lld through", part_name, (long long)sector);
		for (int i = 0; i < 2; i++)
			seen[i] |= sector == want[i];
	}
	CHECK(seen[0] && seen[1], "want sectors %lld and %lld", (long long)want[0],
	      (long long)want[1]);
	CHECK(count_io(r, child, NULL) == 2, "%d records from the marker, want 2",
	      count_io(r, child, NULL));
	return 0;
}

TEST_HOOKS(bio_partition_filter, "bio")
{
	return on_loops(t, 1, true, partition);
}

/* ---- biolat ---- */

#define NR_READS 20

/* A child named @comm reading 4 KiB NR_READS times with O_DIRECT, 1 MiB apart. */
static int marker_reads(const char *comm, const char *dev)
{
	int status, fd, ret = 0;
	void *buf;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		status = sn_reap(pid);
		return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
	}
	prctl(PR_SET_NAME, comm);
	if (posix_memalign(&buf, 4096, 4096))
		_exit(1);
	fd = open(dev, O_RDONLY | O_DIRECT | O_CLOEXEC);
	for (int i = 0; i < NR_READS && !ret; i++)
		ret = fd >= 0 && pread(fd, buf, 4096, (off_t)i * MIB) == 4096 ? 0 : -1;
	_exit(ret || fd < 0 ? 1 : 0);
}

/*
 * The histogram of a biolat record: its count, checked against the sum of its buckets.
 * Returns the count, or -1 if the record is malformed.
 */
static int64_t hist_count(const char *line)
{
	struct json_val hist = json_get(line, "hist"), buckets;
	int64_t count, sum = 0;
	const char *p, *end;
	char *obj;

	if (hist.type != JSON_OBJECT)
		return -1;
	obj = strndup(hist.start, hist.len);
	if (!obj)
		return -1;
	buckets = json_get(obj, "buckets");
	if (!json_get_i64(obj, "count", &count) || buckets.type != JSON_ARRAY) {
		free(obj);
		return -1;
	}
	/* Each bucket is {"low":..,"high":..,"count":N}. */
	end = buckets.start + buckets.len;
	for (p = buckets.start; (p = strstr(p, "\"count\":")) && p < end; p += 8)
		sum += strtoll(p + 8, NULL, 10);
	free(obj);
	return sum == count ? count : -1;
}

static int reads_counted(struct sn_tctx *t, struct loopdev *l, struct sn_run *r)
{
	const char *args[] = { "biolat", "--json", "-D", "-F", "--disk", l->name, NULL };
	int64_t reads = 0, count, v;
	char comm[16], rwbs[16];
	const char *line;
	size_t pos = 0;

	marker_comm(comm, sizeof(comm));
	CHECK(!sn_start(t, r, args), "%s", r->why);
	CHECK(!marker_reads(comm, l->path), "the marker's reads on %s failed", l->path);
	CHECK(!sn_stop(r), "%s", r->why);
	CHECK(r->exit_code == 0, "exit code %d; stderr: %s", r->exit_code, r->err);
	while ((line = sn_next_line(r, &pos))) {
		if (!json_str_eq(line, "type", "biolat"))
			continue;
		CHECK(json_valid(line, strlen(line)), "invalid JSON: %s", line);
		CHECK(json_str_eq(line, "disk", l->name), "disk, want %s: %s", l->name, line);
		CHECK(json_get_i64(line, "major", &v) && v == l->major, "major: %s", line);
		CHECK(json_get_i64(line, "minor", &v) && v == l->minor, "minor: %s", line);
		CHECK(json_str_eq(line, "unit", "usecs"), "unit: %s", line);
		CHECK(json_get_str(line, "rwbs", rwbs, sizeof(rwbs)) > 0, "rwbs: %s", line);
		count = hist_count(line);
		CHECK(count > 0, "a histogram whose buckets do not add up to its count: %s", line);
		if (rwbs[0] == 'R')
			reads += count;
	}
	CHECK(reads >= NR_READS, "%lld reads in the histograms of %s, want at least %d",
	      (long long)reads, l->name, NR_READS);
	CHECK(sn_progs_gone(r), "%s", r->why);
	return 0;
}

TEST_HOOKS(biolat_reads_counted, "biolat")
{
	return on_loops(t, 1, false, reads_counted);
}

struct resets {
	int64_t total; /* samples over the reports so far */
};

/* True at the first empty report after all the reads were counted: the reports reset. */
static bool empty_after_reads(const char *line, void *data)
{
	struct resets *st = data;
	int64_t count;

	if (!json_str_eq(line, "type", "biolat") || (count = hist_count(line)) < 0)
		return false;
	if (st->total >= NR_READS && count == 0)
		return true;
	st->total += count;
	return false;
}

static int interval_resets(struct sn_tctx *t, struct loopdev *l, struct sn_run *r)
{
	const char *args[] = { "biolat", "--json", "-i", "0.2", "--disk", l->name, NULL };
	struct resets st = {};
	char comm[16];

	marker_comm(comm, sizeof(comm));
	CHECK(!sn_start(t, r, args), "%s", r->why);
	CHECK(!marker_reads(comm, l->path), "the marker's reads on %s failed", l->path);
	CHECK(sn_wait_line(r, empty_after_reads, &st, 10000),
	      "no empty report after %lld samples (want %d, then a reset); stdout: %s",
	      (long long)st.total, NR_READS, r->out);
	CHECK(!sn_stop(r), "%s", r->why);
	CHECK(r->exit_code == 0, "exit code %d; stderr: %s", r->exit_code, r->err);
	return 0;
}

TEST(biolat_interval_resets)
{
	return on_loops(t, 1, false, interval_resets);
}

static int biolat_table(struct sn_tctx *t, struct loopdev *l, struct sn_run *r)
{
	const char *args[] = { "biolat", "-D", "-m", "-Q", "--disk", l->name, NULL };
	char comm[16], heading[64];
	bool in_disk = false, header = false;
	long long count = -1;
	const char *line;
	size_t pos = 0;

	marker_comm(comm, sizeof(comm));
	snprintf(heading, sizeof(heading), "disk = %s", l->name);
	CHECK(!sn_start(t, r, args), "%s", r->why);
	CHECK(!marker_reads(comm, l->path), "the marker's reads on %s failed", l->path);
	CHECK(!sn_stop(r), "%s", r->why);
	while ((line = sn_next_line(r, &pos))) {
		in_disk |= !strcmp(line, heading);
		header |= in_disk && strstr(line, "msecs : count    distribution");
		if (in_disk && header && sscanf(line, "count %lld,", &count) == 1)
			break;
	}
	CHECK(in_disk && header, "no '%s' histogram in msecs; stdout: %s", heading, r->out);
	CHECK(count >= NR_READS, "count %lld, want at least %d; stdout: %s", count, NR_READS,
	      r->out);
	return 0;
}

TEST(biolat_table)
{
	return on_loops(t, 1, false, biolat_table);
}

TEST(biolat_bad_input)
{
	const char *a1[] = { "biolat", "--count", "3", NULL };
	const char *a2[] = { "biolat", "--disk", "nosuchdisk0", NULL };

	if (usage_error(t, a1, "--count: biolat counts into histograms"))
		return -1;
	return usage_error(t, a2, "invalid --disk 'nosuchdisk0': no such block device");
}
