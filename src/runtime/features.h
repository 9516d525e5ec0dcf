/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What this kernel offers, probed once per run and cached. Each probe answers yes or no,
 * and for a no, why (what was looked for or tried).
 */
#ifndef SN_FEATURES_H
#define SN_FEATURES_H

#include <stdbool.h>
#include <stddef.h>

enum sn_feature {
	SN_FEAT_BTF,        /* vmlinux BTF, needed for CO-RE */
	SN_FEAT_RINGBUF,    /* BPF ring buffer map */
	SN_FEAT_PERFBUF,    /* perf event array output */
	SN_FEAT_FENTRY,     /* fentry/fexit programs load */
	SN_FEAT_KPROBE,     /* kprobes can be created */
	SN_FEAT_TP_BTF,     /* BTF-typed raw tracepoints load */
	SN_FEAT_RAW_TP,     /* raw tracepoint programs load */
	SN_FEAT_TRACEPOINT, /* tracefs is reachable and tracepoint programs load */
	SN_FEAT_PIDNS,      /* bpf_get_ns_current_pid_tgid */
	SN_FEAT_CGROUP,     /* bpf_current_task_under_cgroup */
	SN_FEAT_PERF_EVENT, /* software perf events (cpu-clock) can be opened */
	SN_FEAT__COUNT,
};

const char *sn_feature_name(enum sn_feature f);
/* Whether the kernel has @f; @why, if not NULL, gets the reason or a detail. */
bool sn_feature(enum sn_feature f, const char **why);

/* Whether a tracepoint "category/name" exists in tracefs. */
bool sn_tracepoint_exists(const char *category_name);
/* Whether vmlinux BTF has btf_trace_<name>, which tp_btf and raw_tp attach to. */
bool sn_btf_tracepoint_exists(const char *name);
/* Whether an fentry program on @func passes the verifier's attach checks. */
bool sn_fentry_can_attach(const char *func);
/* Whether @func is a kernel text symbol a kprobe could be placed on. */
bool sn_kprobe_target_exists(const char *func);

/* The tracefs mount point; mounts tracefs at /sys/kernel/tracing if it is nowhere. */
const char *sn_tracefs_path(void);

/* Kernel release, as uname -r prints it. */
const char *sn_kernel_release(void);

/*
 * Parses a /proc/kallsyms style line and tells whether it names text symbol @func.
 * Split out to be unit tested.
 */
bool sn_kallsyms_line_is_text(const char *line, const char *func);

#endif /* SN_FEATURES_H */
