// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sysnoop oom: OOM kills, with the trigger, the victim, its memory and its memory cgroup. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <unistd.h>

#include "runtime/command.h"
#include "runtime/log.h"
#include "runtime/opts.h"
#include "oom.h"
#include "oom.skel.h"

enum { OPT_VICTIM = SN_OPT_LONG };

static struct {
	uint32_t victim;
} env;

static const struct sn_opt opts[] = {
	{ "victim", OPT_VICTIM, "PID", "only kills of this process (-p is the trigger)" },
	{},
};

enum {
	F_COMM, F_PID, F_TID, F_UID, F_VPID, F_VTID, F_VCOMM, F_VUID, F_TOTAL_VM, F_ANON, F_FILE,
	F_SHMEM, F_PGTABLES, F_ADJ, F_TOTAL_PAGES, F_CONSTRAINT, F_POINTS, F_GROUP, F_MEMCG,
	F_MEMCG_CUT,
};

/* Table columns, shared by the two tables below. The trigger first, as oomkill reads. */
#define COL_COMM       { "comm", "COMM", 16 }
#define COL_PID        { "pid", "PID", 7 }
#define COL_VPID       { "victim_pid", "VPID", 7 }
#define COL_VCOMM      { "victim_comm", "VCOMM", 16 }
#define COL_VUID       { "victim_uid", "VUID", 6 }
#define COL_TOTAL_VM   { "total_vm_kb", "TOTAL_VM(kB)", 13 }
#define COL_ANON       { "anon_rss_kb", "ANON_RSS(kB)", 13 }
#define COL_FILE       { "file_rss_kb", "FILE_RSS(kB)", 13 }
#define COL_SHMEM      { "shmem_rss_kb", "SHMEM_RSS(kB)", 14 }
#define COL_ADJ        { "oom_score_adj", "ADJ", 6 }
#define COL_MEMCG      { "memcg", "MEMCG", 0 }

static const struct sn_field fields[] = {
	[F_COMM] = COL_COMM,
	[F_PID] = COL_PID,
	[F_TID] = { "tid", NULL },
	[F_UID] = { "uid", NULL },
	[F_VPID] = COL_VPID,
	[F_VTID] = { "victim_tid", NULL },
	[F_VCOMM] = COL_VCOMM,
	[F_VUID] = COL_VUID,
	[F_TOTAL_VM] = COL_TOTAL_VM,
	[F_ANON] = COL_ANON,
	[F_FILE] = COL_FILE,
	[F_SHMEM] = COL_SHMEM,
	[F_PGTABLES] = { "pgtables_kb", NULL },
	[F_ADJ] = COL_ADJ,
	[F_TOTAL_PAGES] = { "total_pages", "PAGES", 9 },
	[F_CONSTRAINT] = { "constraint", "CONSTRAINT", 11 },
	[F_POINTS] = { "points", NULL },
	[F_GROUP] = { "oom_group", NULL },
	[F_MEMCG] = COL_MEMCG,
	[F_MEMCG_CUT] = { "memcg_truncated", NULL },
	{},
};

/* The table header without the columns only oom_control gives (tp_btf, raw_tp, tracepoint). */
static const struct sn_field fields_basic[] = {
	COL_COMM, COL_PID, COL_VPID, COL_VCOMM, COL_VUID, COL_TOTAL_VM, COL_ANON, COL_FILE,
	COL_SHMEM, COL_ADJ, COL_MEMCG, {},
};

static const char *const constraints[] = {
	[OOM_CONSTRAINT_NONE] = "none",
	[OOM_CONSTRAINT_CPUSET] = "cpuset",
	[OOM_CONSTRAINT_MEMORY_POLICY] = "mempolicy",
	[OOM_CONSTRAINT_MEMCG] = "memcg",
};

/* Whether the chosen variant hooks oom_kill_process(), whose oom_control adds columns. */
static bool with_control;
static unsigned int page_kb;

static int parse_opt(int key, const char *arg)
{
	switch (key) {
	case OPT_VICTIM:
		return sn_parse_pid_opt("victim", arg, &env.victim);
	}
	return -EINVAL;
}

static int check_opts(const struct sn_common *c)
{
	/* As for -p: a pid in another namespace can only be checked by the kernel. */
	if (env.victim && !c->pidns && kill(env.victim, 0) && errno == ESRCH) {
		sn_err("--victim %u: no such process", env.victim);
		return -ESRCH;
	}
	return 0;
}

SN_SKELETON_OPS(oom)

static int configure(struct sn_session *s)
{
	struct oom_bpf *skel = s->skel;
	enum sn_hook hook = s->cmd->hooks[s->hook_index].hook;

	skel->rodata->targ_victim = env.victim;
	with_control = hook == SN_HOOK_FENTRY || hook == SN_HOOK_KPROBE;
	page_kb = sysconf(_SC_PAGESIZE) / 1024;
	s->fields = with_control ? fields : fields_basic;
	return 0;
}

static void emit_kb(struct sn_emit *out, const struct sn_field *f, uint64_t pages, bool valid)
{
	if (valid)
		sn_emit_u64(out, f, pages * page_kb);
	else if (!out->json)
		sn_emit_text(out, f, "-");
}

static int handle(struct sn_session *s, const void *data, size_t size)
{
	const struct oom_event *e = data;
	struct sn_emit *out = &s->out;
	const char *constraint;
	bool task, ctl;
	size_t len;

	if (size < sizeof(*e))
		return 1;
	task = e->flags & OOM_F_TASK;
	ctl = e->flags & OOM_F_CONTROL;
	sn_emit_begin(out, "oom", e->hdr.ts_ns);
	sn_emit_str(out, &fields[F_COMM], e->hdr.comm, sizeof(e->hdr.comm));
	sn_emit_u64(out, &fields[F_PID], e->hdr.pid);
	sn_emit_u64(out, &fields[F_TID], e->hdr.tid);
	sn_emit_u64(out, &fields[F_UID], e->hdr.uid);
	/* Without the task, only the tracepoint's (global) thread id is known. */
	sn_emit_u64(out, &fields[F_VPID], task ? e->victim_pid : e->victim_tid);
	sn_emit_u64(out, &fields[F_VTID], e->victim_tid);
	if (task) {
		sn_emit_str(out, &fields[F_VCOMM], e->victim_comm, sizeof(e->victim_comm));
		sn_emit_u64(out, &fields[F_VUID], e->victim_uid);
	} else if (!out->json) {
		sn_emit_text(out, &fields[F_VCOMM], "?");
		sn_emit_text(out, &fields[F_VUID], "-");
	}
	emit_kb(out, &fields[F_TOTAL_VM], e->total_vm, task);
	emit_kb(out, &fields[F_ANON], e->anon_rss, task);
	emit_kb(out, &fields[F_FILE], e->file_rss, task);
	emit_kb(out, &fields[F_SHMEM], e->shmem_rss, task);
	if (task) {
		sn_emit_u64(out, &fields[F_PGTABLES], e->pgtables_bytes / 1024);
		sn_emit_s64(out, &fields[F_ADJ], e->oom_score_adj);
	} else if (!out->json) {
		sn_emit_text(out, &fields[F_ADJ], "-");
	}
	if (with_control) {
		constraint = e->constraint < sizeof(constraints) / sizeof(constraints[0]) ?
				     constraints[e->constraint] : "?";
		if (ctl) {
			sn_emit_u64(out, &fields[F_TOTAL_PAGES], e->total_pages);
			sn_emit_text(out, &fields[F_CONSTRAINT], constraint);
			if (e->flags & OOM_F_CHOSEN)
				sn_emit_s64(out, &fields[F_POINTS], e->points);
			sn_emit_bool(out, &fields[F_GROUP], e->flags & OOM_F_GROUP);
		} else if (!out->json) {
			/* Marked without oom_kill_process(): a task already exiting. */
			sn_emit_text(out, &fields[F_TOTAL_PAGES], "-");
			sn_emit_text(out, &fields[F_CONSTRAINT], "-");
		}
	}
	if (e->flags & OOM_F_MEMCG) {
		len = e->memcg_len < sizeof(e->memcg) ? e->memcg_len : sizeof(e->memcg);
		sn_emit_str(out, &fields[F_MEMCG], e->memcg, len);
		if (e->flags & OOM_F_MEMCG_CUT)
			sn_emit_bool(out, &fields[F_MEMCG_CUT], true);
	} else if (!out->json) {
		sn_emit_text(out, &fields[F_MEMCG], "-");
	}
	sn_emit_end(out);
	return 0;
}

/*
 * The fentry and kprobe variants pair their oom_kill_process() programs with the
 * mark_victim tracepoint (tp_btf, raw_tp). It dates from 4.13, before kernel BTF (5.2),
 * which sysnoop needs anyway: only the function is listed as a target to check.
 */
static const struct sn_hook_variant hooks[] = {
	{ SN_HOOK_FENTRY, "fentry_oom_kill fexit_oom_kill btf_mark_victim", "oom_kill_process",
	  "oom_kill_process() adds total pages, constraint, points; mark_victim via tp_btf" },
	{ SN_HOOK_KPROBE, "kprobe_oom_kill kretprobe_oom_kill raw_mark_victim", "oom_kill_process",
	  "oom_kill_process() adds total pages, constraint, points; mark_victim via raw_tp" },
	{ SN_HOOK_TP_BTF, "btf_mark_victim", "mark_victim",
	  "BTF-typed oom:mark_victim; no total pages or constraint" },
	{ SN_HOOK_RAW_TP, "raw_mark_victim", "mark_victim",
	  "raw oom:mark_victim; no total pages or constraint" },
	{ SN_HOOK_TRACEPOINT, "tp_mark_victim", "oom/mark_victim",
	  "oom:mark_victim through tracefs, victim found by pid; no total pages or constraint" },
};

const struct sn_command sn_cmd_oom = {
	.name = "oom",
	.summary = "Trace OOM kills: trigger, victim, its memory and memory cgroup",
	.description =
		"One row per victim of the OOM killer (each member of a memory.oom.group kill\n"
		"too), when it is marked, right after its SIGKILL. PID and COMM are the trigger:\n"
		"the task whose allocation ran the OOM killer (a kworker for sysrq-f). The\n"
		"common filters (-p, -u, --comm, --cgroup ...) apply to the trigger; --victim\n"
		"selects the killed process. Memory is the victim's, in kB, as the kernel's own\n"
		"OOM report counts it. MEMCG is the victim's memory cgroup, in the hierarchy that\n"
		"holds the memory controller (v1 or v2). The fentry and kprobe hooks add the\n"
		"pages the OOM killer weighed against, the constraint (memcg, cpuset, mempolicy,\n"
		"none) and the victim's badness points.",
	.examples = "  sysnoop oom                   # every OOM kill\n"
		    "  sysnoop oom -T                # with the time of day\n"
		    "  sysnoop oom --victim 1234     # only if process 1234 is killed\n"
		    "  sysnoop oom -j                # JSON Lines\n",
	.opts = opts,
	.filters = SN_FILTER_ALL,
	.parse_opt = parse_opt,
	.check_opts = check_opts,
	.hooks = hooks,
	.nr_hooks = sizeof(hooks) / sizeof(hooks[0]),
	/* Kills are rare: a small buffer holds many. */
	.default_buffer_size = 256 << 10,
	.open = oom_open,
	.configure = configure,
	.handle = handle,
	.destroy = oom_destroy,
};
