// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sysnoop open: file opens with result, flags and path, as the classic opensnoop shows them. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
/* The kernel's O_* values (some differ per architecture; glibc hides O_LARGEFILE on 64-bit). */
#include <asm/fcntl.h>

#include "runtime/command.h"
#include "runtime/features.h"
#include "runtime/log.h"
#include "runtime/names.h"
#include "open.h"
#include "open.skel.h"

enum { OPT_PATH_PREFIX = SN_OPT_LONG, OPT_FLAGS };

static struct {
	bool failed;
	bool flag_names;
	const char *prefix;
} env;

static const struct sn_opt opts[] = {
	{ "failed", 'x', NULL, "also show failed opens (default: successful ones only)" },
	{ "path-prefix", OPT_PATH_PREFIX, "PREFIX",
	  "only paths starting with PREFIX, as passed (up to 255 bytes)" },
	{ "flags", OPT_FLAGS, NULL, "FLAGS and MODE columns, flags by name (JSON: flags_names)" },
	{},
};

enum {
	F_PID, F_TID, F_UID, F_COMM, F_RET, F_ERR, F_ERROR, F_SYSCALL, F_DIRFD, F_FLAGS,
	F_FLAG_NAMES, F_FLAGS_TAB, F_MODE, F_MODE_TAB, F_PATH, F_TRUNCATED,
};

/* Not const: configure drops the columns that the options leave out. */
static struct sn_field fields[] = {
	[F_PID] = { "pid", "PID", 7 },
	[F_TID] = { "tid", NULL },
	[F_UID] = { "uid", NULL },
	[F_COMM] = { "comm", "COMM", 16 },
	[F_RET] = { "ret", "FD", 4 },
	[F_ERR] = { NULL, "ERR", 12 },
	[F_ERROR] = { "error", NULL },
	[F_SYSCALL] = { "syscall", NULL },
	[F_DIRFD] = { "dirfd", NULL },
	[F_FLAGS] = { "flags", NULL },
	[F_FLAG_NAMES] = { "flags_names", NULL },
	[F_FLAGS_TAB] = { NULL, "FLAGS", 24 },
	[F_MODE] = { "mode", NULL },
	[F_MODE_TAB] = { NULL, "MODE", 5 },
	[F_PATH] = { "path", "PATH", 0 },
	[F_TRUNCATED] = { "truncated", NULL },
	{},
};

static const char *const syscall_names[] = {
	[OPEN_SYS_OPEN] = "open",
	[OPEN_SYS_OPENAT] = "openat",
	[OPEN_SYS_OPENAT2] = "openat2",
	[OPEN_SYS_CREAT] = "creat",
};

static const struct {
	unsigned int bits;
	const char *name;
} flag_names[] = {
	/* Two-bit flags first, so they take their bits before their parts are named. */
	{ O_SYNC, "O_SYNC" },       { O_TMPFILE, "O_TMPFILE" }, { O_CREAT, "O_CREAT" },
	{ O_EXCL, "O_EXCL" },       { O_NOCTTY, "O_NOCTTY" },   { O_TRUNC, "O_TRUNC" },
	{ O_APPEND, "O_APPEND" },   { O_NONBLOCK, "O_NONBLOCK" }, { O_DSYNC, "O_DSYNC" },
	{ FASYNC, "O_ASYNC" },      { O_DIRECT, "O_DIRECT" },   { O_LARGEFILE, "O_LARGEFILE" },
	{ O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOATIME, "O_NOATIME" },
	{ O_CLOEXEC, "O_CLOEXEC" }, { O_PATH, "O_PATH" },
};

/* "O_WRONLY|O_CREAT|O_TRUNC"; bits without a name as one hex number at the end. */
static void format_flags(unsigned int flags, char *buf, size_t len)
{
	static const char *const access[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
	size_t used = snprintf(buf, len, "%s", access[flags & O_ACCMODE]);

	flags &= ~O_ACCMODE;
	for (size_t i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]) && used < len; i++) {
		if ((flags & flag_names[i].bits) != flag_names[i].bits)
			continue;
		used += snprintf(buf + used, len - used, "|%s", flag_names[i].name);
		flags &= ~flag_names[i].bits;
	}
	if (flags && used < len)
		snprintf(buf + used, len - used, "|0x%x", flags);
}

static int parse_opt(int key, const char *arg)
{
	switch (key) {
	case 'x':
		env.failed = true;
		return 0;
	case OPT_PATH_PREFIX:
		if (!*arg || strlen(arg) >= OPEN_PREFIX_LEN) {
			sn_err("invalid --path-prefix '%s': expected 1 to %d bytes", arg,
			       OPEN_PREFIX_LEN - 1);
			return -EINVAL;
		}
		env.prefix = arg;
		return 0;
	case OPT_FLAGS:
		env.flag_names = true;
		return 0;
	}
	return -EINVAL;
}

SN_SKELETON_OPS(open)

static int configure(struct sn_session *s)
{
	static const char *const legacy[] = { "open", "creat" };
	struct open_bpf *skel = s->skel;
	char tp[64];

	skel->rodata->report_failed = env.failed;
	if (env.prefix) {
		skel->rodata->prefix_len = strlen(env.prefix);
		memcpy((char *)skel->rodata->path_prefix, env.prefix, strlen(env.prefix));
	}
	/* Newer architectures (arm64, riscv) have only openat and openat2. */
	for (size_t i = 0; i < 2; i++) {
		snprintf(tp, sizeof(tp), "syscalls/sys_enter_%s", legacy[i]);
		if (sn_tracepoint_exists(tp))
			continue;
		snprintf(tp, sizeof(tp), "tp_enter_%s", legacy[i]);
		bpf_program__set_autoload(bpf_object__find_program_by_name(s->obj, tp), false);
		snprintf(tp, sizeof(tp), "tp_exit_%s", legacy[i]);
		bpf_program__set_autoload(bpf_object__find_program_by_name(s->obj, tp), false);
	}
	if (!env.failed)
		fields[F_ERR].title = NULL;
	if (!env.flag_names) {
		fields[F_FLAGS_TAB].title = NULL;
		fields[F_MODE_TAB].title = NULL;
		fields[F_FLAG_NAMES].key = NULL;
	}
	s->fields = fields;
	return 0;
}

static int handle(struct sn_session *s, const void *data, size_t size)
{
	const struct open_event *e = data;
	struct sn_emit *out = &s->out;
	const char *err = NULL;
	char text[256];
	bool create;

	if (size < offsetof(struct open_event, path) || e->syscall > OPEN_SYS_CREAT)
		return 1;
	create = e->flags & (O_CREAT | __O_TMPFILE);
	sn_emit_begin(out, "open", e->hdr.ts_ns);
	sn_emit_u64(out, &fields[F_PID], e->hdr.pid);
	sn_emit_u64(out, &fields[F_TID], e->hdr.tid);
	sn_emit_u64(out, &fields[F_UID], e->hdr.uid);
	sn_emit_str(out, &fields[F_COMM], e->hdr.comm, sizeof(e->hdr.comm));
	sn_emit_s64(out, &fields[F_RET], e->ret);
	if (e->ret < 0) {
		err = sn_errno_name(e->ret);
		if (!err) {
			/* Widened first: -INT_MIN does not exist. */
			snprintf(text, sizeof(text), "%lld", -(long long)e->ret);
			err = text;
		}
		sn_emit_text(out, &fields[F_ERROR], err);
	}
	sn_emit_text(out, &fields[F_ERR], err ? err : "0");
	sn_emit_text(out, &fields[F_SYSCALL], syscall_names[e->syscall]);
	if (e->syscall == OPEN_SYS_OPENAT || e->syscall == OPEN_SYS_OPENAT2)
		sn_emit_s64(out, &fields[F_DIRFD], e->dirfd);
	sn_emit_u64(out, &fields[F_FLAGS], e->flags);
	if (env.flag_names) {
		format_flags(e->flags, text, sizeof(text));
		sn_emit_text(out, &fields[F_FLAG_NAMES], text);
		sn_emit_text(out, &fields[F_FLAGS_TAB], text);
		if (create)
			snprintf(text, sizeof(text), "%04o", e->mode);
		sn_emit_text(out, &fields[F_MODE_TAB], create ? text : "-");
	}
	if (create)
		sn_emit_u64(out, &fields[F_MODE], e->mode);
	sn_emit_str(out, &fields[F_PATH], e->path, size - offsetof(struct open_event, path));
	if (e->rec_flags & OPEN_F_PATH_CUT)
		sn_emit_bool(out, &fields[F_TRUNCATED], true);
	sn_emit_end(out);
	return 0;
}

static const struct sn_hook_variant hooks[] = {
	{ SN_HOOK_TRACEPOINT,
	  "tp_enter_open tp_exit_open tp_enter_creat tp_exit_creat tp_enter_openat "
	  "tp_exit_openat tp_enter_openat2 tp_exit_openat2",
	  "syscalls/sys_enter_openat syscalls/sys_exit_openat syscalls/sys_enter_openat2 "
	  "syscalls/sys_exit_openat2",
	  "open/creat/openat/openat2 syscall tracepoints (open and creat where they exist)" },
};

const struct sn_command sn_cmd_open = {
	.name = "open",
	.summary = "Trace file opens (open, openat, openat2, creat) with result, flags and path",
	.description =
		"A row is printed when the call returns: the new fd (FD), or with -x also\n"
		"failures as a negative errno with its name (ERR). The path is shown as the\n"
		"caller passed it (relative to its cwd or dirfd), up to 4095 bytes, which is\n"
		"as long as the kernel accepts. --path-prefix compares the first bytes of that\n"
		"path in the kernel. Opens through io_uring are not syscalls and are not seen.",
	.examples = "  sysnoop open                      # every successful open\n"
		    "  sysnoop open -x                   # failed ones too (ERR column)\n"
		    "  sysnoop open --path-prefix /etc/  # only paths under /etc/\n"
		    "  sysnoop open -p 1234 --flags      # one process, with flags and mode\n"
		    "  sysnoop open -j --count 100       # a hundred opens as JSON Lines\n",
	.opts = opts,
	.filters = SN_FILTER_ALL,
	.parse_opt = parse_opt,
	.hooks = hooks,
	.nr_hooks = sizeof(hooks) / sizeof(hooks[0]),
	.open = open_open,
	.configure = configure,
	.handle = handle,
	.destroy = open_destroy,
};
