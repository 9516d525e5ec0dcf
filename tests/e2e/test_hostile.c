// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Hostile input end to end: a process named with an escape sequence and a newline opens a
 * path of 4,000 bytes whose last name carries quotes, a backslash and invalid UTF-8. Every
 * JSON line must parse and give the bytes back; the table must show them escaped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define HOSTILE_COMM "\x1b]0;x\x07\n\"q\\"
#define HOSTILE_NAME "f\x1b[31m\"q\"\\\xff\xfe\nend"

/* Builds /tmp/sn-hostile-PID/ddd.../ddd.../HOSTILE_NAME, about @len bytes long. */
static int make_long_path(char *path, size_t cap, size_t len)
{
	char comp[241];
	size_t n;

	memset(comp, 'd', sizeof(comp) - 1);
	comp[sizeof(comp) - 1] = '\0';
	n = snprintf(path, cap, "/tmp/sn-hostile-%d", getpid());
	if (mkdir(path, 0755) && errno != EEXIST)
		return -1;
	while (n + sizeof(comp) + sizeof(HOSTILE_NAME) + 2 < len && n + sizeof(comp) + 1 < cap) {
		n += snprintf(path + n, cap - n, "/%s", comp);
		if (mkdir(path, 0755) && errno != EEXIST)
			return -1;
	}
	snprintf(path + n, cap - n, "/%s", HOSTILE_NAME);
	return 0;
}

static bool path_is(const char *line, void *path)
{
	static char got[8192];

	return json_get_str(line, "path", got, sizeof(got)) >= 0 && !strcmp(got, path);
}

/* Forks a child named HOSTILE_COMM that opens @path, once sysnoop traces. */
static void open_as_hostile(const char *path)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_NAME, HOSTILE_COMM);
		int fd = open(path, O_CREAT | O_WRONLY, 0644);

		_exit(fd < 0);
	}
	sn_reap(pid);
}

TEST(hostile_names_and_long_paths)
{
	static char path[4096];
	const char *ja[] = { "open", "--json", "--comm", HOSTILE_COMM, NULL };
	const char *ta[] = { "open", "--comm", HOSTILE_COMM, NULL };
	char comm[64];
	struct sn_run r;
	const char *line, *l;
	size_t pos = 0;

	CHECK(!make_long_path(path, sizeof(path), 4000), "mkdir: %s", strerror(errno));
	CHECK(strlen(path) > 3800 && strlen(path) < 4096, "path of %zu bytes", strlen(path));
	CHECK(!sn_start(t, &r, ja), "%s", r.why);
	open_as_hostile(path);
	line = sn_wait_line(&r, path_is, path, 5000);
	CHECK(line, "no record with the 4000-byte hostile path");
	CHECK(json_get_str(line, "comm", comm, sizeof(comm)) >= 0, "no comm");
	CHECK(!strcmp(comm, HOSTILE_COMM), "comm: %s", line);
	sn_stop(&r);
	while ((l = sn_next_line(&r, &pos)))
		CHECK(json_valid(l, strlen(l)), "invalid JSON line: %.200s", l);
	CHECK(!strchr(r.out, '\x1b') && !strchr(r.out, '\x07'), "raw control bytes in JSON");
	sn_run_free(&r);

	CHECK(!sn_start(t, &r, ta), "%s", r.why);
	open_as_hostile(path);
	usleep(400000);
	sn_stop(&r);
	CHECK(r.out && strstr(r.out, "f\\x1b[31m\"q\"\\\\\\xff\\xfe\\nend"), "table: %.300s",
	      r.out ? r.out + strlen(r.out) - (strlen(r.out) > 300 ? 300 : strlen(r.out)) : "");
	CHECK(strstr(r.out, "\\x1b]0;x\\x07\\n\"q"), "comm not escaped in the table");
	CHECK(!strchr(r.out, '\x1b') && !strchr(r.out, '\x07') && !strstr(r.out, "\xff"),
	      "raw control or invalid bytes reached the table");
	sn_run_free(&r);
	unlink(path);
	return 0;
}
