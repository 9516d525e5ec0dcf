// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Every command's record decoder, sn_commands[i]->handle(), fed truncated, oversized and
 * garbage records, as a kernel (or a different build of the BPF side) could hand them
 * over. Each command is set up as the session would: options parsed, skeleton opened (not
 * loaded) and configured. Output goes to a discarding stream that checks every line:
 * valid JSON with --json, terminal-safe (valid UTF-8, no controls) in a table.
 *
 * SN_FUZZ_COMMAND=NAME fuzzes one command (the stage runs each with its own corpus);
 * otherwise byte 0 picks it. SN_FUZZ_FLAGS=1 turns on the command's own flag options
 * (those taking no argument) that it accepts together. SN_FUZZ_LIST=1 lists the
 * commands that have a handler. Byte 1: bit 0 JSON, bit 1 a TIME column. The rest is
 * the record.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"
#include "json.h"
#include "runtime/command.h"
#include "runtime/opts.h"

struct target {
	const struct sn_command *cmd;
	struct sn_session s;
};

static struct target *targets;
static size_t nr_targets;
static struct sn_buf line;  /* the current output line, across writes */
static bool line_json;

static void check_line(const char *s, size_t len)
{
	if (line_json)
		FUZZ_ASSERT(json_valid(s, len), "handler wrote invalid JSON: %.*s", (int)len, s);
	else
		fuzz_check_terminal_safe(s, len, false, "handler's table row");
}

/* The discarding output: checks each complete line, keeps nothing. */
static ssize_t checking_write(void *cookie, const char *buf, size_t size)
{
	const char *nl;

	sn_buf_put(&line, buf, size);
	while ((nl = memchr(line.data, '\n', line.len))) {
		size_t n = nl - line.data;

		check_line(line.data, n);
		memmove(line.data, nl + 1, line.len - n - 1);
		line.len -= n + 1;
	}
	return size;
}

/* Parses @argv for @t's command in a child: whether the command accepts it. */
static bool accepted(struct target *t, int argc, char **argv)
{
	struct sn_common c;
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		/* Its complaints are expected: only the verdict counts. */
		freopen("/dev/null", "w", stderr);
		freopen("/dev/null", "w", stdout);
		_exit(sn_opts_parse(t->cmd, argc, argv, &c) ? 1 : 0);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       !WEXITSTATUS(status);
}

/*
 * Sets @t's command up as a session would: options parsed (once: a parse leaves its
 * options in the command's static state), skeleton opened, configure called. With
 * @flags, as many of its own flag options (those taking no argument) as it accepts
 * together, picked by trial parses in child processes.
 */
static int setup(struct target *t, bool flags)
{
	char *argv[FUZZ_MAX_ARGS] = { (char *)t->cmd->name };
	int argc = 1, err;

	for (const struct sn_opt *o = t->cmd->opts; flags && o && o->name; o++) {
		if (o->arg || argc >= FUZZ_MAX_ARGS - 1)
			continue;
		if (asprintf(&argv[argc], "--%s", o->name) < 0)
			abort();
		argv[argc + 1] = NULL;
		if (accepted(t, argc + 1, argv))
			argc++;
		else
			free(argv[argc]);
	}
	argv[argc] = NULL;
	err = sn_opts_parse(t->cmd, argc, argv, &t->s.opts);
	for (int i = 1; i < argc; i++)
		free(argv[i]);
	if (err) {
		fprintf(stderr, "fuzz_handle: %s: its options were refused\n", t->cmd->name);
		return -EINVAL;
	}
	if (t->cmd->open && (err = t->cmd->open(&t->s))) {
		fprintf(stderr, "fuzz_handle: %s: opening the skeleton: %s\n", t->cmd->name,
			strerror(-err));
		return err;
	}
	if (t->cmd->configure && (err = t->cmd->configure(&t->s))) {
		fprintf(stderr, "fuzz_handle: %s: configure: %s\n", t->cmd->name, strerror(-err));
		return err;
	}
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *only = getenv("SN_FUZZ_COMMAND"), *flags = getenv("SN_FUZZ_FLAGS");
	cookie_io_functions_t io = { .write = checking_write };
	FILE *out = fopencookie(NULL, "w", io);

	/* For the stage: which commands there are to fuzz. */
	if (getenv("SN_FUZZ_LIST")) {
		for (size_t i = 0; i < sn_nr_commands; i++)
			if (sn_commands[i]->handle)
				printf("%s\n", sn_commands[i]->name);
		exit(0);
	}
	if (!out)
		abort();
	setvbuf(out, NULL, _IOFBF, 1 << 16);
	targets = calloc(sn_nr_commands, sizeof(*targets));
	for (size_t i = 0; i < sn_nr_commands; i++) {
		const struct sn_command *cmd = sn_commands[i];
		struct target *t = &targets[nr_targets];

		if (!cmd->handle || (only && strcmp(only, cmd->name)))
			continue;
		t->cmd = cmd;
		t->s.cmd = cmd;
		sn_emit_init(&t->s.out, out, false, false);
		if (setup(t, flags && !strcmp(flags, "1"))) {
			fprintf(stderr, "fuzz_handle: %s: cannot be set up, not fuzzed\n",
				cmd->name);
			exit(1);
		}
		nr_targets++;
	}
	if (!nr_targets) {
		fprintf(stderr, "fuzz_handle: no command with a record handler%s%s\n",
			only ? " named " : "", only ? only : "");
		exit(1);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct target *t;
	size_t n;
	void *rec;
	int ret;

	if (size < 2)
		return 0;
	t = &targets[data[0] % nr_targets];
	t->s.opts.json = t->s.out.json = line_json = data[1] & 1;
	t->s.opts.timestamp = t->s.out.timestamp = data[1] & 2;
	t->s.stop = false;
	t->s.out.err = 0;
	line.len = 0;

	/* A record of exactly the remaining bytes, aligned as the transport aligns it. */
	n = size - 2;
	rec = malloc(n ? n : 1);
	memcpy(rec, data + 2, n);
	ret = t->cmd->handle(&t->s, rec, n);
	free(rec);
	FUZZ_ASSERT(ret >= 0, "%s: handle() returned %d: a bad record must be skipped, not end "
			      "the session", t->cmd->name, ret);
	fflush(t->s.out.out);
	FUZZ_ASSERT(line.len == 0, "%s: handle() left a line unfinished", t->cmd->name);
	return 0;
}
