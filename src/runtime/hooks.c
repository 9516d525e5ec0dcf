// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "features.h"
#include "hooks.h"
#include "perf.h"

static const char *const hook_names[SN_HOOK__COUNT] = {
	[SN_HOOK_FENTRY] = "fentry",	 [SN_HOOK_KPROBE] = "kprobe",
	[SN_HOOK_TP_BTF] = "tp_btf",	 [SN_HOOK_RAW_TP] = "raw_tp",
	[SN_HOOK_TRACEPOINT] = "tracepoint", [SN_HOOK_PERF_EVENT] = "perf_event",
};

static const enum sn_feature hook_features[SN_HOOK__COUNT] = {
	[SN_HOOK_FENTRY] = SN_FEAT_FENTRY, [SN_HOOK_KPROBE] = SN_FEAT_KPROBE,
	[SN_HOOK_TP_BTF] = SN_FEAT_TP_BTF, [SN_HOOK_RAW_TP] = SN_FEAT_RAW_TP,
	[SN_HOOK_TRACEPOINT] = SN_FEAT_TRACEPOINT, [SN_HOOK_PERF_EVENT] = SN_FEAT_PERF_EVENT,
};

const char *sn_hook_name(enum sn_hook hook)
{
	if (hook == SN_HOOK_AUTO)
		return "auto";
	return hook < SN_HOOK__COUNT ? hook_names[hook] : "?";
}

int sn_hook_parse(const char *name)
{
	if (!strcmp(name, "auto"))
		return SN_HOOK_AUTO;
	for (int i = 0; i < SN_HOOK__COUNT; i++)
		if (!strcmp(name, hook_names[i]))
			return i;
	return -EINVAL;
}

/* Calls @fn on each space-separated word of @list until it returns non-zero. */
static int for_each_word(const char *list, int (*fn)(const char *word, void *ctx), void *ctx)
{
	const char *p = list;
	char *word;
	size_t n;
	int ret;

	while (p && *p) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (!n)
			break;
		/* Whole, however long: a cut word would match a shorter name, or its tail another. */
		word = strndup(p, n);
		if (!word)
			return -ENOMEM;
		ret = fn(word, ctx);
		free(word);
		if (ret)
			return ret;
		p += n;
	}
	return 0;
}

struct match_ctx {
	const char *name;
};

static int word_matches(const char *word, void *ctx)
{
	return !strcmp(word, ((struct match_ctx *)ctx)->name);
}

bool sn_name_in_list(const char *list, const char *name)
{
	struct match_ctx ctx = { name };

	return for_each_word(list, word_matches, &ctx) == 1;
}

struct target_ctx {
	enum sn_hook hook;
	char *why;
	size_t len;
};

#define HW_MISSING " (no hardware counters here, as in most virtual machines)"

static int target_missing(const char *target, void *data)
{
	struct target_ctx *ctx = data;
	bool ok;

	switch (ctx->hook) {
	case SN_HOOK_TRACEPOINT:
		ok = sn_tracepoint_exists(target);
		break;
	case SN_HOOK_TP_BTF:
	case SN_HOOK_RAW_TP:
		ok = sn_btf_tracepoint_exists(target);
		break;
	case SN_HOOK_FENTRY:
		ok = sn_fentry_can_attach(target);
		break;
	case SN_HOOK_KPROBE:
		ok = sn_kprobe_target_exists(target);
		break;
	case SN_HOOK_PERF_EVENT:
		ok = sn_perf_event_available(target);
		break;
	default:
		ok = false;
	}
	if (!ok && ctx->hook == SN_HOOK_PERF_EVENT)
		snprintf(ctx->why, ctx->len, "perf event %s cannot be opened on this machine%s",
			 target, sn_perf_event_is_hardware(target) ? HW_MISSING : "");
	else if (!ok)
		snprintf(ctx->why, ctx->len, "%s target %s not found in this kernel",
			 sn_hook_name(ctx->hook), target);
	return !ok;
}

bool sn_hook_variant_usable(const struct sn_hook_variant *v, char *why, size_t len)
{
	struct target_ctx ctx = { v->hook, why, len };
	const char *reason;

	if (!sn_feature(hook_features[v->hook], &reason)) {
		snprintf(why, len, "kernel lacks %s: %s", sn_hook_name(v->hook), reason);
		return false;
	}
	return for_each_word(v->targets, target_missing, &ctx) == 0;
}

int sn_hook_choose(const struct sn_hook_variant *variants, size_t n, enum sn_hook forced,
		   char *why, size_t len)
{
	char reason[256];
	size_t used = 0;
	bool has_kind = false;

	if (len)
		why[0] = '\0';
	/* A forced kind may have several variants (for older kernels): the first usable wins. */
	for (size_t i = 0; i < n; i++) {
		if (forced != SN_HOOK_AUTO && variants[i].hook != forced)
			continue;
		has_kind = true;
		if (sn_hook_variant_usable(&variants[i], reason, sizeof(reason)))
			return (int)i;
		if (used < len)
			used += snprintf(why + used, len - used, "%s%s", used ? "; " : "", reason);
	}
	return forced != SN_HOOK_AUTO && !has_kind ? -ENOENT : -EOPNOTSUPP;
}
