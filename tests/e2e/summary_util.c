// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "summary_util.h"

int gated_child_start(struct gated_child *c, const char *comm, void (*work)(long arg),
		      long arg)
{
	int fds[2];
	char go;

	if (pipe(fds))
		return -1;
	c->pid = fork();
	if (c->pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (c->pid == 0) {
		close(fds[1]);
		if (comm)
			prctl(PR_SET_NAME, comm);
		if (read(fds[0], &go, 1) != 1)
			_exit(1);
		work(arg);
		_exit(0);
	}
	close(fds[0]);
	c->gate = fds[1];
	return 0;
}

int gated_child_finish(struct gated_child *c)
{
	int status = -1;

	if (write(c->gate, "g", 1) != 1)
		kill(c->pid, SIGKILL);
	close(c->gate);
	waitpid(c->pid, &status, 0);
	return status;
}

int run_around_child(struct sn_tctx *t, struct sn_run *r, const char *const *args,
		     void (*work)(long arg), long arg, pid_t *child)
{
	const char *argv[24];
	struct gated_child c;
	char pid[16];
	int n = 0;

	if (gated_child_start(&c, NULL, work, arg)) {
		memset(r, 0, sizeof(*r));
		snprintf(r->why, sizeof(r->why), "fork failed");
		return -1;
	}
	if (child)
		*child = c.pid;
	snprintf(pid, sizeof(pid), "%d", c.pid);
	while (args[n] && n < 20) {
		argv[n] = args[n];
		n++;
	}
	argv[n++] = "-p";
	argv[n++] = pid;
	argv[n] = NULL;
	if (sn_start(t, r, argv)) {
		gated_child_finish(&c);
		return -1;
	}
	gated_child_finish(&c);
	if (sn_stop(r))
		return -1;
	if (r->exit_code != 0) {
		snprintf(r->why, sizeof(r->why), "exit %d; stderr: %.900s", r->exit_code,
			 r->err ? r->err : "");
		return -1;
	}
	return 0;
}

/* Counts the keys of the map behind @fd if it is named @name; -1 if it is not. */
static long count_if_named(int fd, const char *name)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);
	char key[512], next[512];
	long n = 0;

	if (bpf_obj_get_info_by_fd(fd, &info, &len) || strcmp(info.name, name) ||
	    info.key_size > sizeof(key))
		return -1;
	for (void *prev = NULL; !bpf_map_get_next_key(fd, prev, next); prev = key, n++)
		memcpy(key, next, info.key_size);
	return n;
}

long bpf_map_entries(pid_t pid, const char *name)
{
	char path[320], line[128];
	struct dirent *de;
	long n = -1;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", pid);
	d = opendir(path);
	if (!d)
		return -1;
	while (n < 0 && (de = readdir(d))) {
		unsigned int id;
		FILE *f;
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (n < 0 && fgets(line, sizeof(line), f)) {
			if (sscanf(line, "map_id: %u", &id) != 1)
				continue;
			fd = bpf_map_get_fd_by_id(id);
			if (fd >= 0) {
				n = count_if_named(fd, name);
				close(fd);
			}
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

/* Where @key's value starts inside the flat object around @anchor, or NULL. */
static const char *object_value(const char *line, const char *anchor, const char *key)
{
	const char *at = strstr(line, anchor), *start, *end, *k;
	char quoted[64];

	if (!at)
		return NULL;
	for (start = at; start > line && *start != '{'; start--)
		;
	end = strchr(at, '}');
	snprintf(quoted, sizeof(quoted), "\"%s\":", key);
	k = strstr(start, quoted);
	return k && (!end || k < end) ? k + strlen(quoted) : NULL;
}

bool object_u64(const char *line, const char *anchor, const char *key, uint64_t *out)
{
	const char *v = object_value(line, anchor, key);
	char *end;

	if (!v || *v < '0' || *v > '9')
		return false;
	*out = strtoull(v, &end, 10);
	return end != v;
}

bool object_double(const char *line, const char *anchor, const char *key, double *out)
{
	const char *v = object_value(line, anchor, key);
	char *end;

	if (!v)
		return false;
	*out = strtod(v, &end);
	return end != v;
}
