// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "features.h"
#include "perf.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#define KPROBE_PMU  "/sys/bus/event_source/devices/kprobe/type"
/* A function every kernel has, to ask whether fentry works at all. */
#define FENTRY_PROBE_FUNC "vfs_read"
/* A tracepoint every kernel has, to ask whether tp_btf works at all. */
#define TP_BTF_PROBE_NAME "sched_switch"

static const char *const feature_names[SN_FEAT__COUNT] = {
	[SN_FEAT_BTF] = "btf",
	[SN_FEAT_RINGBUF] = "ringbuf",
	[SN_FEAT_PERFBUF] = "perfbuf",
	[SN_FEAT_FENTRY] = "fentry",
	[SN_FEAT_KPROBE] = "kprobe",
	[SN_FEAT_TP_BTF] = "tp_btf",
	[SN_FEAT_RAW_TP] = "raw_tp",
	[SN_FEAT_TRACEPOINT] = "tracepoint",
	[SN_FEAT_PIDNS] = "pidns",
	[SN_FEAT_CGROUP] = "cgroup",
	[SN_FEAT_PERF_EVENT] = "perf_event",
};

struct probe_result {
	bool done;
	bool ok;
	char why[160];
};

static struct probe_result results[SN_FEAT__COUNT];
static struct btf *vmlinux_btf;

const char *sn_feature_name(enum sn_feature f)
{
	return f < SN_FEAT__COUNT ? feature_names[f] : "?";
}

const char *sn_kernel_release(void)
{
	static struct utsname uts;

	if (!uts.release[0] && uname(&uts))
		return "unknown";
	return uts.release;
}

static struct btf *get_vmlinux_btf(void)
{
	if (!vmlinux_btf)
		vmlinux_btf = btf__load_vmlinux_btf();
	return libbpf_get_error(vmlinux_btf) ? NULL : vmlinux_btf;
}

const char *sn_tracefs_path(void)
{
	static const char *const paths[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	static const char *found;
	static bool tried;
	char events[64];

	if (tried)
		return found;
	tried = true;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		snprintf(events, sizeof(events), "%s/events", paths[i]);
		if (!access(events, F_OK))
			return found = paths[i];
	}
	/* Not mounted (a minimal system or container): mount it where the kernel expects. */
	if (!mount("tracefs", paths[0], "tracefs", 0, NULL))
		return found = paths[0];
	return NULL;
}

bool sn_tracepoint_exists(const char *category_name)
{
	const char *tracefs = sn_tracefs_path();
	char path[512];

	if (!tracefs)
		return false;
	snprintf(path, sizeof(path), "%s/events/%s/id", tracefs, category_name);
	return !access(path, F_OK);
}

bool sn_btf_tracepoint_exists(const char *name)
{
	struct btf *btf = get_vmlinux_btf();
	char type[256];

	if (!btf)
		return false;
	snprintf(type, sizeof(type), "btf_trace_%s", name);
	return btf__find_by_name_kind(btf, type, BTF_KIND_TYPEDEF) > 0;
}

/* Loads "return 0" as a tracing program of @attach type on @target; the fd or -errno. */
static int load_tracing_probe(const char *target, enum bpf_attach_type attach)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = attach);
	int id, fd;

	/* Our cached BTF: libbpf_find_vmlinux_btf_id would parse vmlinux again (~30 ms). */
	if (!get_vmlinux_btf())
		return -ENOENT;
	if (attach == BPF_TRACE_RAW_TP) {
		char name[256];

		snprintf(name, sizeof(name), "btf_trace_%s", target);
		id = btf__find_by_name_kind(vmlinux_btf, name, BTF_KIND_TYPEDEF);
	} else {
		id = btf__find_by_name_kind(vmlinux_btf, target, BTF_KIND_FUNC);
	}
	if (id < 0)
		return id;
	opts.attach_btf_id = id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, 2, &opts);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

bool sn_fentry_can_attach(const char *func)
{
	return load_tracing_probe(func, BPF_TRACE_FENTRY) == 0;
}

bool sn_kallsyms_line_is_text(const char *line, const char *func)
{
	char type, name[256];

	if (sscanf(line, "%*s %c %255s", &type, name) != 2)
		return false;
	return (type == 'T' || type == 't') && !strcmp(name, func);
}

bool sn_kprobe_target_exists(const char *func)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sn_kallsyms_line_is_text(line, func);
	fclose(f);
	return found;
}

static bool set(struct probe_result *r, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool set(struct probe_result *r, bool ok, const char *fmt, ...)
{
	va_list ap;

	r->ok = ok;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return ok;
}

static void probe(enum sn_feature f, struct probe_result *r)
{
	const char *tracefs;
	int err;

	switch (f) {
	case SN_FEAT_BTF:
		/* Present is enough here: parsing it costs ~30 ms, and libbpf parses it anyway. */
		if (access(VMLINUX_BTF, R_OK))
			set(r, false, "%s: %s", VMLINUX_BTF, strerror(errno));
		else
			set(r, true, "%s", VMLINUX_BTF);
		break;
	case SN_FEAT_RINGBUF:
		err = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);
		set(r, err == 1, "%s", err == 1 ? "" : "map type BPF_MAP_TYPE_RINGBUF rejected (Linux < 5.8)");
		break;
	case SN_FEAT_PERFBUF:
		err = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_PERF_EVENT_ARRAY, NULL);
		set(r, err == 1, "%s", err == 1 ? "" : "map type BPF_MAP_TYPE_PERF_EVENT_ARRAY rejected");
		break;
	case SN_FEAT_FENTRY:
		err = load_tracing_probe(FENTRY_PROBE_FUNC, BPF_TRACE_FENTRY);
		set(r, !err, "%s%s%s", err ? "test program on " FENTRY_PROBE_FUNC " rejected: " : "",
		    err ? strerror(-err) : "", "");
		break;
	case SN_FEAT_KPROBE:
		tracefs = sn_tracefs_path();
		if (!access(KPROBE_PMU, F_OK)) {
			set(r, true, "kprobe PMU");
		} else {
			char path[128];

			snprintf(path, sizeof(path), "%s/kprobe_events", tracefs ? tracefs : "");
			if (tracefs && !access(path, F_OK))
				set(r, true, "%s", path);
			else
				set(r, false, "no kprobe PMU (%s) and no kprobe_events in tracefs",
				    KPROBE_PMU);
		}
		break;
	case SN_FEAT_TP_BTF:
		err = load_tracing_probe(TP_BTF_PROBE_NAME, BPF_TRACE_RAW_TP);
		set(r, !err, "%s%s", err ? "test program on " TP_BTF_PROBE_NAME " rejected: " : "",
		    err ? strerror(-err) : "");
		break;
	case SN_FEAT_RAW_TP:
		err = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_RAW_TRACEPOINT, NULL);
		set(r, err == 1, "%s", err == 1 ? "" : "program type raw_tracepoint rejected");
		break;
	case SN_FEAT_TRACEPOINT:
		tracefs = sn_tracefs_path();
		if (!tracefs)
			set(r, false, "tracefs is not mounted and mounting it failed: %s",
			    strerror(errno));
		else if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACEPOINT, NULL) != 1)
			set(r, false, "program type tracepoint rejected");
		else
			set(r, true, "tracefs at %s", tracefs);
		break;
	case SN_FEAT_PIDNS:
		err = libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT,
					      BPF_FUNC_get_ns_current_pid_tgid, NULL);
		set(r, err == 1, "%s", err == 1 ? "" : "helper bpf_get_ns_current_pid_tgid missing (Linux < 5.7)");
		break;
	case SN_FEAT_CGROUP:
		err = libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT,
					      BPF_FUNC_current_task_under_cgroup, NULL);
		set(r, err == 1, "%s", err == 1 ? "" : "helper bpf_current_task_under_cgroup missing");
		break;
	case SN_FEAT_PERF_EVENT:
		set(r, sn_perf_event_available("cpu-clock"), "%s",
		    sn_perf_event_available("cpu-clock") ? "software events"
							 : "perf_event_open(cpu-clock) failed");
		break;
	default:
		set(r, false, "unknown feature");
	}
}

bool sn_feature(enum sn_feature f, const char **why)
{
	struct probe_result *r;

	if (f >= SN_FEAT__COUNT)
		return false;
	r = &results[f];
	if (!r->done) {
		probe(f, r);
		r->done = true;
	}
	if (why)
		*why = r->why;
	return r->ok;
}
