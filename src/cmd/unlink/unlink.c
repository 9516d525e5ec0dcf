// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sysnoop unlink: file and directory deletions with their result. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "runtime/command.h"
#include "runtime/names.h"
#include "unlink.h"
#include "unlink.skel.h"

static struct {
	bool failed;
} env;

static const struct sn_opt opts[] = {
	{ "failed", 'x', NULL, "only failed deletions (default: all)" },
	{},
};

enum {
	F_PID, F_TID, F_UID, F_COMM, F_OP, F_RET, F_ERROR, F_RMDIR, F_DIRFD, F_FILENAME, F_PATH,
	F_TRUNCATED,
};

static const struct sn_field fields[] = {
	[F_PID] = { "pid", "PID", 7 },
	[F_TID] = { "tid", NULL },
	[F_UID] = { "uid", NULL },
	[F_COMM] = { "comm", "COMM", 16 },
	[F_OP] = { NULL, "OP", 6 },
	[F_RET] = { "ret", "RET", 4 },
	[F_ERROR] = { "error", "ERR", 8 },
	[F_RMDIR] = { "rmdir", NULL },
	[F_DIRFD] = { "dirfd", NULL },
	[F_FILENAME] = { "filename", NULL },
	/* The table shows the resolved path, or the path as passed when it has none. */
	[F_PATH] = { "path", "PATH", 0 },
	[F_TRUNCATED] = { "truncated", NULL },
	{},
};

static int parse_opt(int key, const char *arg)
{
	if (key != 'x')
		return -EINVAL;
	env.failed = true;
	return 0;
}

SN_SKELETON_OPS(unlink)

static int configure(struct sn_session *s)
{
	struct unlink_bpf *skel = s->skel;

	skel->rodata->only_failed = env.failed;
	s->fields = fields;
	return 0;
}

static int handle(struct sn_session *s, const void *data, size_t size)
{
	const struct unlink_event *e = data;
	struct sn_emit *out = &s->out;
	static struct sn_buf path; /* reused: no allocation per record */
	size_t avail, name_len, dir_len;
	bool resolved, truncated;
	const char *err;

	if (size < offsetof(struct unlink_event, data))
		return 1;
	avail = size - offsetof(struct unlink_event, data);
	name_len = e->name_len < avail ? e->name_len : avail;
	dir_len = e->dir_len < avail - name_len ? e->dir_len : avail - name_len;
	truncated = e->flags & (UNLINK_F_NAME_CUT | UNLINK_F_DIR_CUT);
	path.len = 0;
	resolved = dpath_resolve(&path, e->data, name_len, e->flags & UNLINK_F_DIR,
				 e->data + name_len, dir_len, e->flags & UNLINK_F_DIR_CUT) > 0;

	sn_emit_begin(out, "unlink", e->hdr.ts_ns);
	sn_emit_u64(out, &fields[F_PID], e->hdr.pid);
	sn_emit_u64(out, &fields[F_TID], e->hdr.tid);
	sn_emit_u64(out, &fields[F_UID], e->hdr.uid);
	sn_emit_str(out, &fields[F_COMM], e->hdr.comm, sizeof(e->hdr.comm));
	sn_emit_text(out, &fields[F_OP], e->flags & UNLINK_F_RMDIR ? "rmdir" : "unlink");
	sn_emit_s64(out, &fields[F_RET], e->ret);
	if (e->ret < 0 && (err = sn_errno_name(e->ret)))
		sn_emit_text(out, &fields[F_ERROR], err);
	else if (!out->json)
		sn_emit_text(out, &fields[F_ERROR], "");
	sn_emit_bool(out, &fields[F_RMDIR], e->flags & UNLINK_F_RMDIR);
	sn_emit_s64(out, &fields[F_DIRFD], e->dirfd);
	if (name_len)
		sn_emit_str(out, &fields[F_FILENAME], e->data, name_len);
	if (resolved)
		sn_emit_str(out, &fields[F_PATH], path.data, path.len);
	else if (!out->json)
		sn_emit_str(out, &fields[F_PATH], name_len ? e->data : "?", name_len ?: 1);
	sn_emit_bool(out, &fields[F_TRUNCATED], truncated);
	sn_emit_end(out);
	return 0;
}

static const struct sn_hook_variant hooks[] = {
	{ SN_HOOK_FENTRY, "fe_unlinkat fx_unlinkat fe_rmdir fx_rmdir", "do_unlinkat do_rmdir",
	  "fentry/fexit on do_unlinkat and do_rmdir; also sees io_uring's unlinkat" },
	{ SN_HOOK_KPROBE, "kp_unlinkat kr_unlinkat kp_rmdir kr_rmdir", "do_unlinkat do_rmdir",
	  "kprobe/kretprobe on do_unlinkat and do_rmdir; also sees io_uring's unlinkat" },
	{ SN_HOOK_TRACEPOINT,
	  "tp_enter_unlink tp_exit_unlink tp_enter_unlinkat tp_exit_unlinkat tp_enter_rmdir "
	  "tp_exit_rmdir",
	  "syscalls/sys_enter_unlink syscalls/sys_exit_unlink syscalls/sys_enter_unlinkat "
	  "syscalls/sys_exit_unlinkat syscalls/sys_enter_rmdir syscalls/sys_exit_rmdir",
	  "unlink/unlinkat/rmdir syscall tracepoints; path read at entry, again at exit if "
	  "its page was not faulted in" },
};

const struct sn_command sn_cmd_unlink = {
	.name = "unlink",
	.summary = "Trace file deletions (unlink, unlinkat, rmdir) with the result",
	.description =
		"Shows each deletion when it returns: the path as passed and, for a relative\n"
		"one, resolved against the dirfd's directory or the cwd (read from the dentry\n"
		"cache: up to 48 levels and 4 KiB of names; a path cut short starts with \"...\"\n"
		"and sets \"truncated\"). Directory removals (rmdir, unlinkat with\n"
		"AT_REMOVEDIR) show as OP rmdir.",
	.examples = "  sysnoop unlink                # every deletion\n"
		    "  sysnoop unlink -x             # only failed ones\n"
		    "  sysnoop unlink -p 1234 -T     # by process 1234, with time\n"
		    "  sysnoop unlink -j --count 10  # ten deletions as JSON Lines\n",
	.opts = opts,
	.filters = SN_FILTER_ALL,
	.parse_opt = parse_opt,
	.hooks = hooks,
	.nr_hooks = sizeof(hooks) / sizeof(hooks[0]),
	.open = unlink_open,
	.configure = configure,
	.handle = handle,
	.destroy = unlink_destroy,
};
