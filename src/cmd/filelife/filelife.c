// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sysnoop filelife: short-lived files, created then deleted while tracing, with their age. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "runtime/command.h"
#include "runtime/log.h"
#include "runtime/opts.h"
#include "filelife.h"
#include "filelife.skel.h"

enum { OPT_FULL_PATH = SN_OPT_LONG, OPT_MIN_AGE, OPT_MAX_AGE };

static struct {
	bool full_path;
	uint64_t min_age_ms;
	uint64_t max_age_ms; /* 0: no limit */
} env;

static const struct sn_opt opts[] = {
	{ "full-path", OPT_FULL_PATH, NULL, "show the path from the root, as far as it resolves" },
	{ "min-age", OPT_MIN_AGE, "MS", "only files that lived at least MS milliseconds" },
	{ "max-age", OPT_MAX_AGE, "MS", "only files that lived at most MS milliseconds" },
	{},
};

enum { F_PID, F_TID, F_UID, F_COMM, F_AGE, F_DEV, F_INO, F_FILENAME, F_PATH, F_TRUNCATED, F_FILE };

static const struct sn_field fields[] = {
	[F_PID] = { "pid", "PID", 7 },
	[F_TID] = { "tid", NULL },
	[F_UID] = { "uid", NULL },
	[F_COMM] = { "comm", "COMM", 16 },
	[F_AGE] = { "age_ms", "AGE(ms)", 11 },
	[F_DEV] = { "dev", NULL },
	[F_INO] = { "ino", NULL },
	[F_FILENAME] = { "filename", NULL },
	[F_PATH] = { "path", NULL },
	[F_TRUNCATED] = { "truncated", NULL },
	/* The table shows the name, or with --full-path the path. */
	[F_FILE] = { NULL, "FILE", 0 },
	{},
};

static int parse_ms(const char *name, const char *arg, uint64_t *out)
{
	if (sn_parse_uint(arg, UINT64_MAX / 1000000, out)) {
		sn_err("invalid --%s '%s': expected milliseconds (an integer)", name, arg);
		return -EINVAL;
	}
	return 0;
}

static int parse_opt(int key, const char *arg)
{
	switch (key) {
	case OPT_FULL_PATH:
		env.full_path = true;
		return 0;
	case OPT_MIN_AGE:
		return parse_ms("min-age", arg, &env.min_age_ms);
	case OPT_MAX_AGE:
		if (parse_ms("max-age", arg, &env.max_age_ms))
			return -EINVAL;
		if (!env.max_age_ms) {
			sn_err("invalid --max-age '%s': expected a positive number of milliseconds",
			       arg);
			return -EINVAL;
		}
		return 0;
	}
	return -EINVAL;
}

static int check_opts(const struct sn_common *common)
{
	if (env.max_age_ms && env.min_age_ms > env.max_age_ms) {
		sn_err("--min-age %llu is above --max-age %llu: no file could match",
		       (unsigned long long)env.min_age_ms, (unsigned long long)env.max_age_ms);
		return -EINVAL;
	}
	return 0;
}

SN_SKELETON_OPS(filelife)

static int configure(struct sn_session *s)
{
	struct filelife_bpf *skel = s->skel;

	skel->rodata->min_age_ns = env.min_age_ms * 1000000;
	skel->rodata->max_age_ns = env.max_age_ms * 1000000;
	skel->rodata->full_path = env.full_path;
	s->fields = fields;
	return 0;
}

static int handle(struct sn_session *s, const void *data, size_t size)
{
	const struct filelife_event *e = data;
	struct sn_emit *out = &s->out;
	static struct sn_buf path; /* reused: no allocation per record */
	size_t avail, name_len, dir_len, base_len;
	const char *base;
	char dev[32];
	bool resolved;

	if (size < offsetof(struct filelife_event, data))
		return 1;
	avail = size - offsetof(struct filelife_event, data);
	name_len = e->name_len < avail ? e->name_len : avail;
	dir_len = e->dir_len < avail - name_len ? e->dir_len : avail - name_len;
	base_len = dpath_basename(e->data, name_len, &base);
	path.len = 0;
	resolved = env.full_path &&
		   dpath_resolve(&path, e->data, name_len, e->flags & FILELIFE_F_DIR,
				 e->data + name_len, dir_len, e->flags & FILELIFE_F_DIR_CUT) > 0;
	snprintf(dev, sizeof(dev), "%u:%u", e->dev >> 20, e->dev & ((1u << 20) - 1));

	sn_emit_begin(out, "filelife", e->hdr.ts_ns);
	sn_emit_u64(out, &fields[F_PID], e->hdr.pid);
	sn_emit_u64(out, &fields[F_TID], e->hdr.tid);
	sn_emit_u64(out, &fields[F_UID], e->hdr.uid);
	sn_emit_str(out, &fields[F_COMM], e->hdr.comm, sizeof(e->hdr.comm));
	sn_emit_ms(out, &fields[F_AGE], e->age_ns);
	sn_emit_text(out, &fields[F_DEV], dev);
	sn_emit_u64(out, &fields[F_INO], e->ino);
	if (name_len)
		sn_emit_str(out, &fields[F_FILENAME], base, base_len);
	if (resolved) {
		sn_emit_str(out, &fields[F_PATH], path.data, path.len);
		sn_emit_bool(out, &fields[F_TRUNCATED],
			     e->flags & (FILELIFE_F_DIR_CUT | FILELIFE_F_NAME_CUT));
		sn_emit_str(out, &fields[F_FILE], path.data, path.len);
	} else if (env.full_path && name_len) {
		sn_emit_str(out, &fields[F_FILE], e->data, name_len);
	} else {
		sn_emit_str(out, &fields[F_FILE], name_len ? base : "?", name_len ? base_len : 1);
	}
	sn_emit_end(out);
	return 0;
}

static const struct sn_hook_variant hooks[] = {
	{ SN_HOOK_FENTRY, "fx_filp_open fx_vfs_create fe_vfs_unlink fx_vfs_unlink",
	  "do_filp_open vfs_create vfs_unlink", "VFS functions: every filesystem" },
	{ SN_HOOK_KPROBE, "kr_filp_open kp_vfs_create kr_vfs_create kp_vfs_unlink kr_vfs_unlink",
	  "do_filp_open vfs_create vfs_unlink", "VFS functions: every filesystem" },
	{ SN_HOOK_TP_BTF, "btf_alloc btf_unlink btf_free",
	  "ext4_allocate_inode ext4_unlink_exit ext4_free_inode",
	  "ext4 tracepoints: ext4 files only" },
	{ SN_HOOK_RAW_TP, "raw_alloc raw_unlink raw_free",
	  "ext4_allocate_inode ext4_unlink_exit ext4_free_inode",
	  "ext4 tracepoints: ext4 files only" },
	{ SN_HOOK_TRACEPOINT,
	  "tp_alloc tp_unlink tp_free tp_enter_unlink tp_exit_unlink tp_enter_unlinkat "
	  "tp_exit_unlinkat",
	  "ext4/ext4_allocate_inode ext4/ext4_unlink_exit ext4/ext4_free_inode "
	  "syscalls/sys_enter_unlink syscalls/sys_exit_unlink syscalls/sys_enter_unlinkat "
	  "syscalls/sys_exit_unlinkat",
	  "ext4 tracepoints: ext4 files only; the name from the path passed to unlink(at)" },
};

const struct sn_command sn_cmd_filelife = {
	.name = "filelife",
	.summary = "Trace short-lived files: created then deleted while tracing, with their age",
	.description =
		"A file counts from its creation (open with O_CREAT, creat, mknod) to the\n"
		"successful unlink that removes it; files that existed before tracing began, and\n"
		"failed unlinks, are not shown. The row shows the task that deleted the file,\n"
		"and the common filters (-p, -u, --comm, ...) select that task.\n"
		"fentry and kprobe see every filesystem; kernels without them fall back to ext4's\n"
		"tracepoints, which see ext4 only (`sysnoop features` shows the choice).\n"
		"--full-path resolves the path through the dentry cache, up to 48 levels (a path\n"
		"cut short starts with \"...\"). Up to 65536 files are remembered at once.",
	.examples = "  sysnoop filelife                 # every short-lived file\n"
		    "  sysnoop filelife --max-age 1000  # those that lived at most a second\n"
		    "  sysnoop filelife --full-path -T  # with the path, and the time\n"
		    "  sysnoop filelife -j -d 60        # a minute of them as JSON Lines\n",
	.opts = opts,
	.filters = SN_FILTER_ALL,
	.parse_opt = parse_opt,
	.check_opts = check_opts,
	.hooks = hooks,
	.nr_hooks = sizeof(hooks) / sizeof(hooks[0]),
	.open = filelife_open,
	.configure = configure,
	.handle = handle,
	.destroy = filelife_destroy,
};
