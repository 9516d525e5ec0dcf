/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Hook variants: each command lists the ways it can attach, best first; the one chosen is
 * the first whose kind this kernel offers and whose targets all exist. Only its programs
 * are loaded.
 */
#ifndef SN_HOOKS_H
#define SN_HOOKS_H

#include <stdbool.h>
#include <stddef.h>

enum sn_hook {
	SN_HOOK_FENTRY,
	SN_HOOK_KPROBE,
	SN_HOOK_TP_BTF,
	SN_HOOK_RAW_TP,
	SN_HOOK_TRACEPOINT,
	SN_HOOK_PERF_EVENT, /* a perf event (cpu-clock, page-faults...) sampled on every CPU */
	SN_HOOK__COUNT,
	SN_HOOK_AUTO = SN_HOOK__COUNT,
};

struct sn_hook_variant {
	enum sn_hook hook;
	/* BPF programs of this variant, separated by spaces. */
	const char *progs;
	/*
	 * What must exist in the kernel, separated by spaces: "category/name" tracepoints,
	 * tracepoint names for tp_btf and raw_tp, function names for fentry and kprobe,
	 * event names (see sn_perf_event_parse) for perf_event.
	 */
	const char *targets;
	/* What this variant sees that others do not, or misses; shown by `features`. */
	const char *note;
};

const char *sn_hook_name(enum sn_hook hook);
/* The hook kind named @name, or -EINVAL. */
int sn_hook_parse(const char *name);

/*
 * Whether @v can be used on this kernel. On false, @why (of @len bytes) says what was
 * missing and what was tried.
 */
bool sn_hook_variant_usable(const struct sn_hook_variant *v, char *why, size_t len);

/*
 * Picks the first usable variant, of kind @forced unless that is SN_HOOK_AUTO. Returns its
 * index, -ENOENT when the command has no variant of the forced
 * kind, or -EOPNOTSUPP when none usable (explained in @why).
 */
int sn_hook_choose(const struct sn_hook_variant *variants, size_t n, enum sn_hook forced,
		   char *why, size_t len);

/* Whether program @prog is listed in the space-separated @list. */
bool sn_name_in_list(const char *list, const char *prog);

#endif /* SN_HOOKS_H */
