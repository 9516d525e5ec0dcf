/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Rebuilding a path from the dentry cache, with bounded loops so that it works on
 * tracepoints (no bpf_d_path there): the names from a dentry up to the root of the mount
 * tree, crossing mount points, leaf first. Include after sn_common.bpf.h.
 */
#ifndef SN_DPATH_BPF_H
#define SN_DPATH_BPF_H

#include "dpath.h"

#define DPATH_AT_FDCWD -100

/* Layouts before 6.15, where a superblock listed its mounts in a list_head. */
struct super_block___sn_list {
	struct list_head s_mounts;
} __attribute__((preserve_access_index));

struct mount___sn_list {
	struct list_head mnt_instance;
} __attribute__((preserve_access_index));

/* struct mount is private to fs/, but its layout is in the kernel's BTF. */
static __always_inline struct mount *dpath_real_mount(struct vfsmount *vfsmnt)
{
	return (struct mount *)((char *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
}

/*
 * Stores the names from @dentry up to the root, each NUL-terminated, at @buf + @off on
 * (@mask bounds every offset: @buf must have @mask + 1 + DPATH_NAME_LEN bytes). *@len counts
 * the bytes stored; it lives in map memory so the verifier sees one bounded unknown each
 * round instead of every combination of name lengths. Returns 0, or DPATH_CUT if it
 * stopped before the root.
 */
static __always_inline __u32 dpath_walk(char *buf, __u32 mask, __u32 off, __u32 *len,
					struct dentry *dentry, struct vfsmount *vfsmnt)
{
	struct mount *mnt = dpath_real_mount(vfsmnt), *up;
	struct dentry *parent, *root;
	const unsigned char *name;
	long n;

	if (!dentry || !vfsmnt)
		return DPATH_CUT;
	for (int i = 0; i < DPATH_DEPTH; i++) {
		root = BPF_CORE_READ(mnt, mnt.mnt_root);
		if (dentry == root) {
			up = BPF_CORE_READ(mnt, mnt_parent);
			if (!up || up == mnt)
				return 0;
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			continue;
		}
		parent = BPF_CORE_READ(dentry, d_parent);
		/* A filesystem root that is not the mount's: the dentry is outside the mount. */
		if (!parent || parent == dentry)
			return DPATH_CUT;
		/* Keeps *len below DPATH_CAP, so callers can size their masks. */
		if (*len >= DPATH_CAP - DPATH_NAME_LEN)
			return DPATH_CUT;
		name = BPF_CORE_READ(dentry, d_name.name);
		n = bpf_probe_read_kernel_str(&buf[(off + *len) & mask], DPATH_NAME_LEN, name);
		if (n <= 0)
			return DPATH_CUT;
		*len += n;
		dentry = parent;
	}
	return DPATH_CUT;
}

/* The directory a *at() call of @task starts from: its cwd for AT_FDCWD, else the dirfd's. */
static __always_inline bool dpath_dir_of(struct task_struct *task, int dirfd, struct path *out)
{
	struct file **fds;
	struct file *file;

	if (dirfd == DPATH_AT_FDCWD)
		return !BPF_CORE_READ_INTO(out, task, fs, pwd);
	if (dirfd < 0 || (unsigned int)dirfd >= BPF_CORE_READ(task, files, fdt, max_fds))
		return false;
	fds = BPF_CORE_READ(task, files, fdt, fd);
	if (bpf_core_read(&file, sizeof(file), &fds[dirfd]) || !file)
		return false;
	return !BPF_CORE_READ_INTO(out, file, f_path);
}

/*
 * A mount of the filesystem @dentry is on, for hooks that see a dentry without its mount:
 * the current task's root mount if the dentry is on that filesystem, else the first mount
 * the superblock lists (exact unless the filesystem is mounted in several places).
 */
static __always_inline struct vfsmount *dpath_mount_of(struct dentry *dentry)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct super_block *sb = BPF_CORE_READ(dentry, d_sb);
	struct vfsmount *root = BPF_CORE_READ(task, fs, root.mnt);
	struct super_block___sn_list *old;
	struct list_head *first;
	struct mount *mnt;

	if (root && BPF_CORE_READ(root, mnt_sb) == sb)
		return root;
	if (bpf_core_field_exists(struct mount, mnt_next_for_sb)) {
		mnt = BPF_CORE_READ(sb, s_mounts);
	} else {
		old = (struct super_block___sn_list *)sb;
		first = BPF_CORE_READ(old, s_mounts.next);
		if (!first || first == &old->s_mounts)
			return NULL;
		mnt = (struct mount *)((char *)first -
				       bpf_core_field_offset(struct mount___sn_list, mnt_instance));
	}
	return mnt ? &mnt->mnt : NULL;
}

#endif /* SN_DPATH_BPF_H */
