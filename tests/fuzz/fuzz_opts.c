// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Command lines and values: sn_opts_parse with fake commands (tracing, plain, and one
 * that applies no filter) and with every real command's own options, then each argument
 * through the value and name parsers. Invariants: results stay within their documented
 * ranges; names round-trip. Real commands' checks may create files an option names
 * (profile --svg): the stage runs this target as nobody, in a mount namespace of its own.
 *
 * Input: byte 0 picks the command, byte 1 a signal-name buffer size; the rest is argv,
 * split at NUL bytes.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "runtime/command.h"
#include "runtime/hooks.h"
#include "runtime/names.h"
#include "runtime/opts.h"

enum { OPT_NUM = SN_OPT_LONG, OPT_FLAG };

static int fake_parse_opt(int key, const char *arg)
{
	uint64_t v;

	switch (key) {
	case 'x':
	case OPT_FLAG:
		return 0;
	case 'n':
		return arg ? 0 : -EINVAL;
	case OPT_NUM:
		return sn_parse_uint(arg, 100, &v);
	}
	return -EINVAL;
}

static int fake_report(struct sn_session *s, bool final)
{
	return 0;
}

static const struct sn_opt fake_opts[] = {
	{ "failed", 'x', NULL, "f" },
	{ "name", 'n', "NAME", "n" },
	{ "num", OPT_NUM, "N", "n" },
	{ "flag", OPT_FLAG, NULL, "f" },
	{},
};
static const struct sn_hook_variant fake_hooks[] = {
	{ SN_HOOK_TRACEPOINT, "prog", "syscalls/sys_enter_openat", "n" },
};
static const struct sn_command fake_tracing = {
	.name = "fake", .summary = "s", .opts = fake_opts, .filters = SN_FILTER_ALL,
	.parse_opt = fake_parse_opt, .hooks = fake_hooks, .nr_hooks = 1, .report = fake_report,
};
static const struct sn_command fake_unfiltered = {
	.name = "fake", .summary = "s", .opts = fake_opts, .filters = 0,
	.parse_opt = fake_parse_opt, .hooks = fake_hooks, .nr_hooks = 1,
};
static const struct sn_command fake_plain = {
	.name = "plain", .summary = "s", .opts = fake_opts, .parse_opt = fake_parse_opt,
};

static const struct sn_command *const fakes[] = { &fake_tracing, &fake_unfiltered,
						  &fake_plain };
#define NR_FAKES (sizeof(fakes) / sizeof(fakes[0]))

static const struct sn_command *pick_command(uint8_t b)
{
	b %= NR_FAKES + sn_nr_commands;
	return b < NR_FAKES ? fakes[b] : sn_commands[b - NR_FAKES];
}

static bool is_fake(const struct sn_command *cmd)
{
	for (size_t i = 0; i < NR_FAKES; i++)
		if (cmd == fakes[i])
			return true;
	return false;
}

static void check_common(const struct sn_common *c)
{
	FUZZ_ASSERT(memchr(c->comm, 0, sizeof(c->comm)), "comm not terminated");
	FUZZ_ASSERT(c->pid >= 0 && c->pid <= 4194304 && c->tid >= 0 && c->tid <= 4194304,
		    "pid %d tid %d", c->pid, c->tid);
	FUZZ_ASSERT(c->duration >= 0 && c->duration <= 1e9 && isfinite(c->duration),
		    "duration %g", c->duration);
	FUZZ_ASSERT(c->interval >= 0 && c->interval <= 1e9, "interval %g", c->interval);
	FUZZ_ASSERT(!c->buffer_size || (c->buffer_size >= 4096 && c->buffer_size <= 1ULL << 40),
		    "buffer size %llu", (unsigned long long)c->buffer_size);
	FUZZ_ASSERT(c->hook <= SN_HOOK_AUTO, "hook %d", c->hook);
	FUZZ_ASSERT(c->transport >= SN_TRANSPORT_AUTO && c->transport <= SN_TRANSPORT_PERF,
		    "transport %d", c->transport);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Whether @name is one of the space-separated words of @list, the simple way. */
static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p;) {
		size_t w;

		while (*p == ' ')
			p++;
		w = strcspn(p, " ");
		if (w && w == n && !memcmp(p, name, n))
			return true;
		p += w;
	}
	return false;
}

static void check_values(const char *arg, const char *next, int sigbuf_len, bool uid)
{
	uint64_t v, list[8];
	uint32_t u32;
	double d;
	char sigbuf[64];
	int r;

	r = sn_parse_uint(arg, UINT64_MAX, &v);
	FUZZ_ASSERT(r == 0 || r == -EINVAL, "sn_parse_uint returned %d", r);
	/* Digits only, and all of them when they fit in 64 bits (19 always do). */
	FUZZ_ASSERT(r || all_digits(arg), "sn_parse_uint('%s') took a non-number", arg);
	FUZZ_ASSERT(!r || !all_digits(arg) || strlen(arg) > 19, "sn_parse_uint('%s') refused",
		    arg);
	if (!sn_parse_uint(arg, 100, &v))
		FUZZ_ASSERT(v <= 100, "sn_parse_uint: %llu above the maximum",
			    (unsigned long long)v);
	if (!sn_parse_seconds(arg, &d))
		FUZZ_ASSERT(d > 0 && d <= 1e9 && isfinite(d), "sn_parse_seconds('%s'): %g", arg, d);
	if (!sn_parse_size(arg, &v))
		FUZZ_ASSERT(v > 0 && v <= 1ULL << 40, "sn_parse_size('%s'): %llu", arg,
			    (unsigned long long)v);
	r = sn_parse_uint_list(arg, 65535, list, 8);
	FUZZ_ASSERT(r == -EINVAL || (r >= 1 && r <= 8), "sn_parse_uint_list returned %d", r);
	for (int i = 0; i < r; i++)
		FUZZ_ASSERT(list[i] <= 65535, "sn_parse_uint_list: item %d is %llu", i,
			    (unsigned long long)list[i]);
	/* It reads /etc/passwd: once per input is enough. */
	if (uid)
		sn_parse_uid(arg, &u32);

	r = sn_hook_parse(arg);
	FUZZ_ASSERT(r == -EINVAL || (r >= 0 && r <= SN_HOOK_AUTO), "sn_hook_parse: %d", r);
	if (r >= 0 && r < SN_HOOK__COUNT)
		FUZZ_ASSERT(sn_hook_name(r) && sn_hook_parse(sn_hook_name(r)) == r,
			    "hook name does not round-trip");
	if (*next && !strchr(next, ' '))
		FUZZ_ASSERT(sn_name_in_list(arg, next) == in_list(arg, next),
			    "sn_name_in_list('%s', '%s') is wrong", arg, next);

	r = sn_errno_parse(arg);
	FUZZ_ASSERT(r == -EINVAL || (r >= 0 && r <= 4095), "sn_errno_parse('%s'): %d", arg, r);
	if (r > 0 && !all_digits(arg))
		FUZZ_ASSERT(sn_errno_name(r) && sn_errno_parse(sn_errno_name(r)) == r,
			    "errno name of %d does not round-trip", r);
	r = sn_signal_parse(arg);
	FUZZ_ASSERT(r == -EINVAL || (r >= 0 && r < 65), "sn_signal_parse('%s'): %d", arg, r);
	if (r >= 0)
		FUZZ_ASSERT(sn_signal_parse(sn_signal_name(r, sigbuf, sizeof(sigbuf))) == r,
			    "signal name '%s' of %d does not round-trip", sigbuf, r);
	/* Any number, any (small) buffer: never more than the buffer is written. */
	memcpy(&r, arg, strlen(arg) < sizeof(r) ? strlen(arg) : sizeof(r));
	sn_signal_name(r, sigbuf, sigbuf_len);
	sn_errno_name(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[FUZZ_MAX_ARGS];
	const struct sn_command *cmd;
	struct sn_common c;
	int argc, r, sigbuf_len;

	if (size < 2)
		return 0;
	cmd = pick_command(data[0]);
	sigbuf_len = data[1] % 65;
	/*
	 * Twice, each time on a fresh copy: state the parser keeps from one call to the next
	 * must not point into a command line that is gone (the unit tests and fuzz_handle
	 * parse many). Real commands keep pointers to their arguments in static state, as
	 * they may in a process whose argv never goes away: theirs live in an arena.
	 */
	for (int round = 0; round < 2; round++) {
		static char arena[8192];
		bool real = !is_fake(cmd);

		if (real)
			argc = fuzz_split_args_static(data + 2, size - 2, cmd->name, argv, arena,
						      sizeof(arena));
		else
			argc = fuzz_split_args(data + 2, size - 2, cmd->name, argv);
		r = sn_opts_parse(cmd, argc, argv, &c);
		FUZZ_ASSERT(r == 0 || r == 1 || r == -EINVAL, "sn_opts_parse returned %d", r);
		if (r == 0)
			check_common(&c);
		/* The name parsers scan every errno name: a few arguments are enough. */
		if (round)
			for (int i = 1; i < argc && i <= 3; i++)
				check_values(argv[i], i + 1 < argc ? argv[i + 1] : "", sigbuf_len,
					     i == 1);
		if (!real)
			fuzz_free_args(argv);
	}
	return 0;
}
