// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sysnoop features: what this kernel offers, and which hook each command would use. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "runtime/caps.h"
#include "runtime/command.h"
#include "runtime/emit.h"
#include "runtime/features.h"
#include "runtime/log.h"
#include "runtime/opts.h"

enum { OPT_USABLE = SN_OPT_LONG };

static struct {
	bool json;
	const char *usable_of;
} env;

static const struct sn_opt opts[] = {
	{ "json", 'j', NULL, "one JSON object instead of tables" },
	{ "usable-hooks", OPT_USABLE, "COMMAND",
	  "print the hook variants of COMMAND this kernel can use, one per line" },
	{},
};

static int parse_opt(int key, const char *arg)
{
	switch (key) {
	case 'j':
		env.json = true;
		return 0;
	case OPT_USABLE:
		env.usable_of = arg;
		return 0;
	}
	return -EINVAL;
}

static const struct sn_command *find_command(const char *name)
{
	for (size_t i = 0; i < sn_nr_commands; i++)
		if (!strcmp(sn_commands[i]->name, name))
			return sn_commands[i];
	return NULL;
}

static int print_usable(const char *name)
{
	const struct sn_command *cmd = find_command(name);
	unsigned int printed = 0;
	char why[512];

	if (!cmd || !cmd->hooks) {
		sn_err("--usable-hooks: no tracing command named '%s'", name);
		return SN_EXIT_USAGE;
	}
	/* Each kind once: --hook KIND takes the first usable variant of that kind. */
	for (size_t i = 0; i < cmd->nr_hooks; i++) {
		enum sn_hook kind = cmd->hooks[i].hook;

		if (printed & (1u << kind) ||
		    !sn_hook_variant_usable(&cmd->hooks[i], why, sizeof(why)))
			continue;
		printed |= 1u << kind;
		printf("%s\n", sn_hook_name(kind));
	}
	return SN_EXIT_OK;
}

static enum sn_feature hook_feature(enum sn_hook kind)
{
	static const enum sn_feature map[SN_HOOK__COUNT] = {
		[SN_HOOK_FENTRY] = SN_FEAT_FENTRY,	   [SN_HOOK_KPROBE] = SN_FEAT_KPROBE,
		[SN_HOOK_TP_BTF] = SN_FEAT_TP_BTF,	   [SN_HOOK_RAW_TP] = SN_FEAT_RAW_TP,
		[SN_HOOK_TRACEPOINT] = SN_FEAT_TRACEPOINT, [SN_HOOK_PERF_EVENT] = SN_FEAT_PERF_EVENT,
	};

	return map[kind];
}

/* Whether a later variant of the same kind may still be usable (older-kernel families). */
static bool variant_kind_later(const struct sn_command *cmd, size_t v)
{
	char reason[256];

	for (size_t w = v + 1; w < cmd->nr_hooks; w++)
		if (cmd->hooks[w].hook == cmd->hooks[v].hook &&
		    sn_hook_variant_usable(&cmd->hooks[w], reason, sizeof(reason)))
			return true;
	return false;
}

static void print_tables(void)
{
	const char *why;
	char reason[512];

	printf("%-12s %s\n\n%-12s %-5s %s\n", "kernel", sn_kernel_release(), "FEATURE", "HAVE",
	       "DETAIL");
	for (int f = 0; f < SN_FEAT__COUNT; f++) {
		bool ok = sn_feature(f, &why);

		printf("%-12s %-5s %s\n", sn_feature_name(f), ok ? "yes" : "no", why);
	}
	printf("\n%-12s %-11s %-28s %s\n", "COMMAND", "HOOK", "ALSO USABLE", "NOT HERE");
	for (size_t i = 0; i < sn_nr_commands; i++) {
		const struct sn_command *cmd = sn_commands[i];
		char usable[128] = "", missing[512] = "";
		const char *chosen = NULL;
		size_t nu = 0, nm = 0;
		bool seen[SN_HOOK__COUNT] = {};

		if (!cmd->hooks)
			continue;
		/* One entry per kind: the reason a kind is missing is in the table above. */
		for (size_t v = 0; v < cmd->nr_hooks; v++) {
			enum sn_hook kind = cmd->hooks[v].hook;
			bool ok = sn_hook_variant_usable(&cmd->hooks[v], reason, sizeof(reason));

			if (seen[kind])
				continue;
			if (ok) {
				seen[kind] = true;
				if (!chosen)
					chosen = sn_hook_name(kind);
				else if (nu < sizeof(usable))
					nu += snprintf(usable + nu, sizeof(usable) - nu, "%s%s",
						       nu ? "," : "", sn_hook_name(kind));
			} else if (v + 1 == cmd->nr_hooks || !sn_feature(hook_feature(kind), NULL) ||
				   !variant_kind_later(cmd, v)) {
				seen[kind] = true;
				if (nm < sizeof(missing))
					nm += snprintf(missing + nm, sizeof(missing) - nm, "%s%s%s%s%s",
						       nm ? ", " : "", sn_hook_name(kind),
						       sn_feature(hook_feature(kind), NULL) ? " (" : "",
						       sn_feature(hook_feature(kind), NULL) ? reason : "",
						       sn_feature(hook_feature(kind), NULL) ? ")" : "");
			}
		}
		printf("%-12s %-11s %-28s %s\n", cmd->name, chosen ? chosen : "none",
		       nu ? usable : "-", nm ? missing : "-");
	}
}

static void print_json(void)
{
	struct sn_buf b = {};
	const char *why;
	char reason[512];

	sn_buf_puts(&b, "{\"type\":\"features\",\"kernel\":\"");
	sn_escape_json(&b, sn_kernel_release(), strlen(sn_kernel_release()));
	sn_buf_puts(&b, "\",\"features\":{");
	for (int f = 0; f < SN_FEAT__COUNT; f++) {
		bool ok = sn_feature(f, &why);

		sn_buf_printf(&b, "%s\"%s\":{\"available\":%s,\"detail\":\"", f ? "," : "",
			      sn_feature_name(f), ok ? "true" : "false");
		sn_escape_json(&b, why, strlen(why));
		sn_buf_puts(&b, "\"}");
	}
	sn_buf_puts(&b, "},\"commands\":[");
	for (size_t i = 0, n = 0; i < sn_nr_commands; i++) {
		const struct sn_command *cmd = sn_commands[i];
		bool chosen = false;

		if (!cmd->hooks)
			continue;
		sn_buf_printf(&b, "%s{\"name\":\"%s\",\"variants\":[", n++ ? "," : "", cmd->name);
		for (size_t v = 0; v < cmd->nr_hooks; v++) {
			bool ok = sn_hook_variant_usable(&cmd->hooks[v], reason, sizeof(reason));

			sn_buf_printf(&b, "%s{\"hook\":\"%s\",\"usable\":%s,\"chosen\":%s", v ? "," : "",
				      sn_hook_name(cmd->hooks[v].hook), ok ? "true" : "false",
				      ok && !chosen ? "true" : "false");
			chosen |= ok;
			sn_buf_puts(&b, ",\"why_not\":\"");
			if (!ok)
				sn_escape_json(&b, reason, strlen(reason));
			sn_buf_puts(&b, "\",\"targets\":\"");
			sn_escape_json(&b, cmd->hooks[v].targets, strlen(cmd->hooks[v].targets));
			sn_buf_puts(&b, "\",\"note\":\"");
			if (cmd->hooks[v].note)
				sn_escape_json(&b, cmd->hooks[v].note, strlen(cmd->hooks[v].note));
			sn_buf_puts(&b, "\"}");
		}
		sn_buf_puts(&b, "]}");
	}
	sn_buf_puts(&b, "]}\n");
	fwrite(b.data, 1, b.len, stdout);
	sn_buf_free(&b);
}

static int features_main(int argc, char **argv);

const struct sn_command sn_cmd_features = {
	.name = "features",
	.summary = "Show what this kernel offers and which hook each command would use",
	.description = "Probes BTF, ring buffers, fentry, kprobes, tp_btf, raw and classic\n"
		       "tracepoints and the helpers the filters need, each with the reason when\n"
		       "missing; then, per command, its hook variants best first and the one\n"
		       "it would use here. Needs the same privileges as tracing.",
	.examples = "  sysnoop features\n"
		    "  sysnoop features --json\n"
		    "  sysnoop features --usable-hooks exit\n",
	.opts = opts,
	.parse_opt = parse_opt,
	.main = features_main,
};

static int features_main(int argc, char **argv)
{
	struct sn_common common;
	const char *missing;
	int err = sn_opts_parse(&sn_cmd_features, argc, argv, &common);

	if (err)
		return err > 0 ? SN_EXIT_OK : SN_EXIT_USAGE;
	if ((missing = sn_caps_missing(sn_caps_effective()))) {
		sn_err("missing privileges: needs %s to probe the kernel; run as root", missing);
		return SN_EXIT_PRIVILEGE;
	}
	if (env.usable_of)
		return print_usable(env.usable_of);
	if (env.json)
		print_json();
	else
		print_tables();
	return SN_EXIT_OK;
}
