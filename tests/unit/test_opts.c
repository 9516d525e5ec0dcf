// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Option and value parsing, the capability check, names, kallsyms lines, hooks. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "runtime/caps.h"
#include "runtime/features.h"
#include "runtime/hooks.h"
#include "runtime/names.h"
#include "runtime/opts.h"
#include "test.h"

const struct sn_command *const sn_commands[] = { NULL };
const size_t sn_nr_commands = 0;

TEST(parse_values)
{
	uint64_t v, list[4];
	double d;

	CHECK(!sn_parse_uint("42", 100, &v) && v == 42);
	CHECK(sn_parse_uint("-1", 100, &v) && sn_parse_uint("4x", 100, &v) &&
	      sn_parse_uint("101", 100, &v) && sn_parse_uint("", 100, &v) &&
	      sn_parse_uint(" 1", 100, &v), "bad numbers accepted");
	CHECK(!sn_parse_size("8M", &v) && v == 8 << 20);
	CHECK(!sn_parse_size("64KiB", &v) && v == 64 << 10);
	CHECK(!sn_parse_size("4096", &v) && v == 4096);
	CHECK(sn_parse_size("8X", &v) && sn_parse_size("0", &v) && sn_parse_size("M", &v));
	CHECK(!sn_parse_seconds("0.5", &d) && d == 0.5);
	CHECK(sn_parse_seconds("-1", &d) && sn_parse_seconds("0", &d) &&
	      sn_parse_seconds("nan", &d) && sn_parse_seconds("1s", &d));
	CHECK(sn_parse_uint_list("80,443", 65535, list, 4) == 2 && list[1] == 443);
	CHECK(sn_parse_uint_list("80,", 65535, list, 4) < 0 && sn_parse_uint_list(",", 65535, list, 4) < 0);
	return 0;
}

TEST(parse_uid)
{
	uint32_t uid;

	CHECK(!sn_parse_uid("1000", &uid) && uid == 1000);
	CHECK(!sn_parse_uid("root", &uid) && uid == 0, "root not found in /etc/passwd");
	CHECK(sn_parse_uid("no-such-user-xyz", &uid) == -EINVAL);
	return 0;
}

static int seen_key;
static int cmd_parse(int key, const char *arg)
{
	seen_key = key;
	return 0;
}

static const struct sn_opt cmd_opts[] = { { "failed", 'x', NULL, "f" },
					   { "mine", SN_OPT_LONG, "N", "m" },
					   {} };
static const struct sn_hook_variant cmd_hooks[] = { { SN_HOOK_TRACEPOINT, "p", "" } };
static const struct sn_command cmd = { .name = "t", .summary = "s", .opts = cmd_opts,
				       .filters = SN_FILTER_PID, .parse_opt = cmd_parse,
				       .hooks = cmd_hooks, .nr_hooks = 1 };

static int parse(struct sn_common *c, const char *const *argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return sn_opts_parse(&cmd, argc, (char **)argv, c);
}

TEST(parse_common_options)
{
	struct sn_common c;
	const char *a1[] = { "t", "-j", "-T", "-d", "2.5", "--count", "7", "--hook=raw_tp",
			     "--transport", "perf", "--buffer-size", "1M", "-x", "--mine", "3", NULL };
	const char *a2[] = { "t", "--tid", "5", NULL };
	const char *a3[] = { "t", "--hook=magic", NULL };

	freopen("/dev/null", "w", stderr);
	CHECK(!parse(&c, a1), "valid options rejected");
	CHECK(c.json && c.timestamp && c.duration == 2.5 && c.count == 7);
	CHECK(c.hook == SN_HOOK_RAW_TP && c.transport == SN_TRANSPORT_PERF && c.buffer_size == 1 << 20);
	CHECK(seen_key == SN_OPT_LONG, "command option not passed on");
	CHECK(parse(&c, a2) == -EINVAL, "--tid accepted by a command that cannot filter on it");
	CHECK(parse(&c, a3) == -EINVAL, "unknown hook accepted");
	return 0;
}

TEST(capabilities)
{
	CHECK(sn_caps_missing(1ULL << 21) == NULL, "CAP_SYS_ADMIN suffices");
	CHECK(sn_caps_missing((1ULL << 38) | (1ULL << 39)) == NULL, "CAP_BPF+CAP_PERFMON suffice");
	CHECK(strstr(sn_caps_missing(1ULL << 39), "CAP_PERFMON"), "CAP_BPF alone");
	CHECK(strstr(sn_caps_missing(0), "CAP_BPF and CAP_PERFMON"));
	return 0;
}

TEST(names)
{
	char buf[32];

	CHECK(!strcmp(sn_errno_name(-2), "ENOENT") && !strcmp(sn_errno_name(3), "ESRCH"));
	CHECK(sn_errno_parse("ENOENT") == 2 && sn_errno_parse("enoent") == 2 &&
	      sn_errno_parse("13") == 13 && sn_errno_parse("EFOO") < 0);
	CHECK(!strcmp(sn_signal_name(9, buf, sizeof(buf)), "SIGKILL"));
	CHECK(!strncmp(sn_signal_name(35, buf, sizeof(buf)), "SIGRTMIN+", 9), "%s", buf);
	CHECK(sn_signal_parse("TERM") == 15 && sn_signal_parse("SIGKILL") == 9 &&
	      sn_signal_parse("hup") == 1 && sn_signal_parse("99") < 0 && sn_signal_parse("X") < 0);
	return 0;
}

TEST(kallsyms_lines)
{
	CHECK(sn_kallsyms_line_is_text("ffffffff81234560 T do_unlinkat\n", "do_unlinkat"));
	CHECK(sn_kallsyms_line_is_text("ffffffff81234560 t vfs_open\n", "vfs_open"));
	CHECK(!sn_kallsyms_line_is_text("ffffffff81234560 D do_unlinkat\n", "do_unlinkat"), "data");
	CHECK(!sn_kallsyms_line_is_text("ffffffff81234560 T do_unlinkat2\n", "do_unlinkat"));
	CHECK(!sn_kallsyms_line_is_text("garbage", "x"));
	return 0;
}

TEST(hook_names)
{
	CHECK(sn_hook_parse("tp_btf") == SN_HOOK_TP_BTF && sn_hook_parse("auto") == SN_HOOK_AUTO);
	CHECK(sn_hook_parse("nope") == -EINVAL);
	CHECK(sn_name_in_list("a bb ccc", "bb") && !sn_name_in_list("a bb ccc", "b"));
	return 0;
}
