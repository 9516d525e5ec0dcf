// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "filter.h"
#include "log.h"

#define CGROUP2_SUPER_MAGIC 0x63677270

/* Where the cgroup v2 hierarchy is mounted ("/sys/fs/cgroup" or, on hybrid systems, below). */
static int cgroup2_mount(char *out, size_t len)
{
	char line[1024], dev[256], dir[512], type[64];
	FILE *f = fopen("/proc/self/mounts", "re");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%255s %511s %63s", dev, dir, type) == 3 &&
		    !strcmp(type, "cgroup2")) {
			snprintf(out, len, "%s", dir);
			err = 0;
			break;
		}
	}
	fclose(f);
	return err;
}

static int open_cgroup(const char *arg, int *fd)
{
	char root[512] = "", path[1024];
	struct statfs sfs;

	if (arg[0] == '/') {
		snprintf(path, sizeof(path), "%s", arg);
	} else {
		if (cgroup2_mount(root, sizeof(root))) {
			sn_err("--cgroup %s: no cgroup v2 hierarchy is mounted", arg);
			return -ENOENT;
		}
		snprintf(path, sizeof(path), "%s/%s", root, arg);
	}
	*fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0) {
		sn_err("--cgroup %s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstatfs(*fd, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC) {
		cgroup2_mount(root, sizeof(root));
		sn_err("--cgroup %s: not a cgroup v2 directory (the v2 hierarchy is at %s)", path,
		       root[0] ? root : "nowhere");
		close(*fd);
		*fd = -1;
		return -EINVAL;
	}
	return 0;
}

static int resolve_pidns(const char *arg, struct sn_config *cfg)
{
	char path[512];
	struct stat st;
	const char *p = arg;

	while (*p >= '0' && *p <= '9')
		p++;
	if (*arg && !*p)
		snprintf(path, sizeof(path), "/proc/%s/ns/pid", arg);
	else
		snprintf(path, sizeof(path), "%s", arg);
	if (stat(path, &st)) {
		sn_err("--pidns %s: %s: %s", arg, path, strerror(errno));
		return -ENOENT;
	}
	cfg->pidns_dev = st.st_dev;
	cfg->pidns_ino = st.st_ino;
	cfg->flags |= SN_CFG_PIDNS;
	return 0;
}

int sn_filter_build(const struct sn_common *c, struct sn_config *cfg, int *cgroup_fd)
{
	int err;

	*cgroup_fd = -1;
	if (c->pidns && (err = resolve_pidns(c->pidns, cfg)))
		return err;
	/* A pid in another namespace cannot be checked from here; the kernel will match it. */
	if (c->pid) {
		if (!c->pidns && kill(c->pid, 0) && errno == ESRCH) {
			sn_err("--pid %d: no such process", c->pid);
			return -ESRCH;
		}
		cfg->flags |= SN_CFG_TGID;
		cfg->tgid = c->pid;
	}
	if (c->tid) {
		char task[64];

		/* /proc/TID exists for every thread, though readdir does not list it. */
		snprintf(task, sizeof(task), "/proc/%d", c->tid);
		if (!c->pidns && access(task, F_OK)) {
			sn_err("--tid %d: no such thread", c->tid);
			return -ESRCH;
		}
		cfg->flags |= SN_CFG_TID;
		cfg->tid = c->tid;
	}
	if (c->has_uid) {
		cfg->flags |= SN_CFG_UID;
		cfg->uid = c->uid;
	}
	if (c->comm[0]) {
		cfg->flags |= SN_CFG_COMM;
		memcpy(cfg->comm, c->comm, sizeof(cfg->comm));
	}
	if (c->cgroup) {
		err = open_cgroup(c->cgroup, cgroup_fd);
		if (err)
			return err;
		cfg->flags |= SN_CFG_CGROUP;
	}
	return 0;
}
