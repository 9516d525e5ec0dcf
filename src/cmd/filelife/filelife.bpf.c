// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop filelife: files created and deleted while tracing, with their age. A file is
 * known by its device and inode number from its creation on; a successful unlink of a
 * known file is reported (by the deleting task) and forgets it.
 *
 * fentry and kprobe see every filesystem: a file is born when an open creates it
 * (do_filp_open returns a file with FMODE_CREATED, whichever way the filesystem created
 * it) or when vfs_create succeeds (mknod, nfsd, overlayfs); it dies when vfs_unlink
 * succeeds. Those hooks see no inode being freed, so a file deleted unseen (replaced by a
 * rename) stays known; its inode generation tells a later file that reuses the number.
 *
 * Kernels without them still have ext4's tracepoints: ext4_allocate_inode (birth),
 * ext4_unlink_exit (death) and ext4_free_inode (forget a file that went any other way),
 * so these variants see ext4 only. tp_btf and raw_tp get the dentry, hence the name; the
 * tracefs variant gets numbers only, and takes the name from the path the deleting thread
 * passed to unlink(2) or unlinkat(2).
 */
#include "vmlinux.h"
#include "sn_common.bpf.h"
#include "filelife.h"
#include "../unlink/dpath.bpf.h"

#define S_IFMT  0170000
#define S_IFREG 0100000
/* include/linux/fs.h: the open created the file. The same bit since it came, in 4.19. */
#define FMODE_CREATED 0x100000
#define MAX_ERRNO     4095

const volatile __u64 min_age_ns = 0;
const volatile __u64 max_age_ns = 0; /* 0: no limit */
const volatile bool full_path = false;

struct file_key {
	__u64 ino;
	__u32 dev;
	__u32 pad;
};

struct file_birth {
	__u64 ts;
	__u32 gen; /* fentry and kprobe only; 0 on the ext4 variants, which see frees */
	__u32 pad;
};

/*
 * Files created while tracing and not deleted yet. Past its size, the least recently
 * created are forgotten first: the least likely to be short-lived.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct file_key);
	__type(value, struct file_birth);
} files SEC(".maps");

/* fentry, kprobe: the unlink of a known file between entry and exit, by thread. */
struct pending {
	struct file_key key;
	struct dentry *dentry;
	__u64 born;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct pending);
} pendings SEC(".maps");

/* kprobe: vfs_create's dentry between entry and return, by thread. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct dentry *);
} creating SEC(".maps");

/* tracefs: what the thread passed to unlink(2) or unlinkat(2), while it is in there. */
struct unlink_call {
	__u64 path;
	__s32 dirfd;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct unlink_call);
} calls SEC(".maps");

/* Where a record is assembled: too large for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct filelife_event);
} event_heap SEC(".maps");

static __always_inline void inode_key(struct inode *inode, struct file_key *key)
{
	key->ino = BPF_CORE_READ(inode, i_ino);
	key->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	key->pad = 0;
}

static __always_inline void track(struct file_key *key, __u32 gen)
{
	struct file_birth birth = { .ts = bpf_ktime_get_ns(), .gen = gen };

	bpf_map_update_elem(&files, key, &birth, BPF_ANY);
}

/* A regular file was just created (fentry, kprobe). */
static __always_inline void track_inode(struct inode *inode)
{
	struct file_key key;

	if (!inode || (BPF_CORE_READ(inode, i_mode) & S_IFMT) != S_IFREG)
		return;
	inode_key(inode, &key);
	track(&key, BPF_CORE_READ(inode, i_generation));
}

/*
 * Sends the record of a known file that @key names, born at @born, deleted now by the
 * current task: the name from @dentry, or without one (tracefs) from the path the thread
 * passed to unlink.
 */
static __always_inline void report(void *ctx, const struct file_key *key, __u64 born,
				   struct dentry *dentry)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 zero = 0, tid = (__u32)bpf_get_current_pid_tgid();
	struct dentry *walk_from = NULL;
	struct vfsmount *walk_mnt = NULL;
	struct filelife_event *e;
	struct unlink_call *call;
	const char *upath;
	struct path dir;
	__u64 age = bpf_ktime_get_ns() - born;
	char next;
	long n;

	if (age < min_age_ns || (max_age_ns && age > max_age_ns) || !sn_filter_current())
		return;
	e = bpf_map_lookup_elem(&event_heap, &zero);
	if (!e)
		return;
	e->age_ns = age;
	e->ino = key->ino;
	e->dev = key->dev;
	e->flags = 0;
	e->name_len = 0;
	e->dir_len = 0;
	if (dentry) {
		n = bpf_probe_read_kernel_str(e->data, DPATH_NAME_LEN,
					      BPF_CORE_READ(dentry, d_name.name));
		if (n > 0)
			e->name_len = n;
		if (full_path && e->name_len) {
			walk_from = BPF_CORE_READ(dentry, d_parent);
			walk_mnt = dpath_mount_of(dentry);
		}
	} else if ((call = bpf_map_lookup_elem(&calls, &tid))) {
		upath = (const char *)call->path;
		/* getname() has copied the path by now, so its page is in memory. */
		n = bpf_probe_read_user_str(e->data, FILELIFE_NAME_LEN, upath);
		if (n > 0)
			e->name_len = n;
		/* A full read is a cut path only if the string goes on past it. */
		if (n == FILELIFE_NAME_LEN &&
		    !bpf_probe_read_user(&next, 1, upath + FILELIFE_NAME_LEN - 1) && next)
			e->flags |= FILELIFE_F_NAME_CUT;
		if (full_path && e->name_len && e->data[0] != '/' &&
		    dpath_dir_of(task, call->dirfd, &dir)) {
			walk_from = dir.dentry;
			walk_mnt = dir.mnt;
		}
	}
	if (walk_from) {
		e->flags |= FILELIFE_F_DIR;
		if (dpath_walk(e->data, FILELIFE_DATA_MASK, e->name_len, &e->dir_len, walk_from,
			       walk_mnt))
			e->flags |= FILELIFE_F_DIR_CUT;
	}
	sn_fill_hdr(&e->hdr, 0);
	/* name_len <= FILELIFE_NAME_LEN and dir_len < DPATH_CAP: the sum never wraps the mask. */
	sn_output(ctx, e,
		  offsetof(struct filelife_event, data) +
			  ((e->name_len + e->dir_len) & FILELIFE_DATA_MASK));
}

/*
 * fentry and kprobe. Since 5.12 (which brought struct renamedata), vfs_create and
 * vfs_unlink take the mount's user namespace, now idmap, as their first argument.
 */
static __always_inline bool vfs_has_idmap(void)
{
	return bpf_core_type_exists(struct renamedata);
}

/* The dentry argument of vfs_create and vfs_unlink: loaded both, then chosen (see below). */
static __always_inline struct dentry *vfs_dentry(void *arg1, void *arg2)
{
	barrier_var(arg1);
	barrier_var(arg2);
	return vfs_has_idmap() ? arg2 : arg1;
}

static __always_inline int opened(struct file *file)
{
	if (!file || (unsigned long)file >= (unsigned long)-MAX_ERRNO)
		return 0;
	if (BPF_CORE_READ(file, f_mode) & FMODE_CREATED)
		track_inode(BPF_CORE_READ(file, f_inode));
	return 0;
}

static __always_inline int unlink_enter(struct dentry *dentry)
{
	struct inode *inode = BPF_CORE_READ(dentry, d_inode);
	struct pending p = { .dentry = dentry };
	struct file_birth *birth;
	__u32 tid;

	if (!inode)
		return 0;
	inode_key(inode, &p.key);
	birth = bpf_map_lookup_elem(&files, &p.key);
	if (!birth)
		return 0;
	/* Another generation: the number was reused by a file created unseen. */
	if (birth->gen != BPF_CORE_READ(inode, i_generation)) {
		bpf_map_delete_elem(&files, &p.key);
		return 0;
	}
	p.born = birth->ts;
	tid = (__u32)bpf_get_current_pid_tgid();
	/* No room for this thread's unlink: the record would be lost, so count it. */
	if (bpf_map_update_elem(&pendings, &tid, &p, BPF_ANY))
		sn_count_drop();
	return 0;
}

static __always_inline int unlink_exit(void *ctx, int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct pending *p = bpf_map_lookup_elem(&pendings, &tid);

	if (!p)
		return 0;
	/* The caller still holds the dentry, so its name is intact. */
	if (ret == 0) {
		report(ctx, &p->key, p->born, p->dentry);
		bpf_map_delete_elem(&files, &p->key);
	}
	bpf_map_delete_elem(&pendings, &tid);
	return 0;
}

SEC("?fexit/do_filp_open")
int BPF_PROG(fx_filp_open, int dfd, struct filename *name, const struct open_flags *op,
	     struct file *file)
{
	return opened(file);
}

/*
 * The results of vfs_create and vfs_unlink follow their arguments, whose number changed
 * in 5.12. Each load sits in its own branch, pinned there: a load through a ctx pointer
 * offset by a choice made at run time is refused by the verifier.
 */
SEC("?fexit/vfs_create")
int fx_vfs_create(unsigned long long *ctx)
{
	struct dentry *dentry;
	int ret;

	if (vfs_has_idmap()) {
		dentry = (struct dentry *)ctx[2];
		ret = (int)ctx[5];
		barrier_var(ret);
	} else {
		dentry = (struct dentry *)ctx[1];
		ret = (int)ctx[4];
		barrier_var(ret);
	}
	if (ret == 0)
		track_inode(BPF_CORE_READ(dentry, d_inode));
	return 0;
}

SEC("?fentry/vfs_unlink")
int BPF_PROG(fe_vfs_unlink, void *arg0, void *arg1, void *arg2)
{
	return unlink_enter(vfs_dentry(arg1, arg2));
}

SEC("?fexit/vfs_unlink")
int fx_vfs_unlink(unsigned long long *ctx)
{
	int ret;

	if (vfs_has_idmap()) {
		ret = (int)ctx[4];
		barrier_var(ret);
	} else {
		ret = (int)ctx[3];
		barrier_var(ret);
	}
	return unlink_exit(ctx, ret);
}

SEC("?kretprobe/do_filp_open")
int BPF_KRETPROBE(kr_filp_open, struct file *file)
{
	return opened(file);
}

SEC("?kprobe/vfs_create")
int BPF_KPROBE(kp_vfs_create, void *arg0, void *arg1, void *arg2)
{
	struct dentry *dentry = vfs_dentry(arg1, arg2);
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_update_elem(&creating, &tid, &dentry, BPF_ANY);
	return 0;
}

SEC("?kretprobe/vfs_create")
int BPF_KRETPROBE(kr_vfs_create, int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct dentry **dentry = bpf_map_lookup_elem(&creating, &tid);

	if (!dentry)
		return 0;
	if (ret == 0)
		track_inode(BPF_CORE_READ(*dentry, d_inode));
	bpf_map_delete_elem(&creating, &tid);
	return 0;
}

SEC("?kprobe/vfs_unlink")
int BPF_KPROBE(kp_vfs_unlink, void *arg0, void *arg1, void *arg2)
{
	return unlink_enter(vfs_dentry(arg1, arg2));
}

SEC("?kretprobe/vfs_unlink")
int BPF_KRETPROBE(kr_vfs_unlink, int ret)
{
	return unlink_exit(ctx, ret);
}

/* The ext4 variants: the tracepoints fire for ext4 only. */
static __always_inline void ext4_born(__u64 ino, __u32 dev, int mode)
{
	struct file_key key = { .ino = ino, .dev = dev };

	if ((mode & S_IFMT) == S_IFREG)
		track(&key, 0);
}

/* The unlink of @key returned @ret: a known file is gone, reported if it passes the filters. */
static __always_inline void ext4_unlinked(void *ctx, struct file_key *key, int ret,
					  struct dentry *dentry)
{
	struct file_birth *birth;
	__u64 born;

	if (ret)
		return;
	birth = bpf_map_lookup_elem(&files, key);
	if (!birth)
		return;
	born = birth->ts;
	bpf_map_delete_elem(&files, key);
	report(ctx, key, born, dentry);
}

static __always_inline void ext4_freed(__u64 ino, __u32 dev)
{
	struct file_key key = { .ino = ino, .dev = dev };

	bpf_map_delete_elem(&files, &key);
}

static __always_inline int dentry_unlinked(void *ctx, struct dentry *dentry, int ret)
{
	struct file_key key;

	inode_key(BPF_CORE_READ(dentry, d_inode), &key);
	ext4_unlinked(ctx, &key, ret, dentry);
	return 0;
}

SEC("?tp_btf/ext4_allocate_inode")
int BPF_PROG(btf_alloc, struct inode *inode, struct inode *dir, int mode)
{
	ext4_born(BPF_CORE_READ(inode, i_ino), BPF_CORE_READ(inode, i_sb, s_dev), mode);
	return 0;
}

SEC("?tp_btf/ext4_unlink_exit")
int BPF_PROG(btf_unlink, struct dentry *dentry, int ret)
{
	return dentry_unlinked(ctx, dentry, ret);
}

SEC("?tp_btf/ext4_free_inode")
int BPF_PROG(btf_free, struct inode *inode)
{
	ext4_freed(BPF_CORE_READ(inode, i_ino), BPF_CORE_READ(inode, i_sb, s_dev));
	return 0;
}

SEC("?raw_tp/ext4_allocate_inode")
int BPF_PROG(raw_alloc, struct inode *inode, struct inode *dir, int mode)
{
	ext4_born(BPF_CORE_READ(inode, i_ino), BPF_CORE_READ(inode, i_sb, s_dev), mode);
	return 0;
}

SEC("?raw_tp/ext4_unlink_exit")
int BPF_PROG(raw_unlink, struct dentry *dentry, int ret)
{
	return dentry_unlinked(ctx, dentry, ret);
}

SEC("?raw_tp/ext4_free_inode")
int BPF_PROG(raw_free, struct inode *inode)
{
	ext4_freed(BPF_CORE_READ(inode, i_ino), BPF_CORE_READ(inode, i_sb, s_dev));
	return 0;
}

SEC("?tracepoint/ext4/ext4_allocate_inode")
int tp_alloc(struct trace_event_raw_ext4_allocate_inode *ctx)
{
	ext4_born(ctx->ino, ctx->dev, ctx->mode);
	return 0;
}

SEC("?tracepoint/ext4/ext4_unlink_exit")
int tp_unlink(struct trace_event_raw_ext4_unlink_exit *ctx)
{
	struct file_key key = { .ino = ctx->ino, .dev = ctx->dev };

	ext4_unlinked(ctx, &key, ctx->ret, NULL);
	return 0;
}

SEC("?tracepoint/ext4/ext4_free_inode")
int tp_free(struct trace_event_raw_ext4_free_inode *ctx)
{
	ext4_freed(ctx->ino, ctx->dev);
	return 0;
}

static __always_inline int call_enter(const char *path, int dirfd)
{
	struct unlink_call call = { .path = (__u64)path, .dirfd = dirfd };
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_update_elem(&calls, &tid, &call, BPF_ANY);
	return 0;
}

static __always_inline int call_exit(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&calls, &tid);
	return 0;
}

SEC("?tracepoint/syscalls/sys_enter_unlink")
int tp_enter_unlink(struct trace_event_raw_sys_enter *ctx)
{
	return call_enter((const char *)ctx->args[0], DPATH_AT_FDCWD);
}

SEC("?tracepoint/syscalls/sys_enter_unlinkat")
int tp_enter_unlinkat(struct trace_event_raw_sys_enter *ctx)
{
	return call_enter((const char *)ctx->args[1], (int)ctx->args[0]);
}

SEC("?tracepoint/syscalls/sys_exit_unlink")
int tp_exit_unlink(void *ctx)
{
	return call_exit();
}

SEC("?tracepoint/syscalls/sys_exit_unlinkat")
int tp_exit_unlinkat(void *ctx)
{
	return call_exit();
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
