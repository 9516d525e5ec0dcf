// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

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
