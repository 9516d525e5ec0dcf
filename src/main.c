// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sysnoop: the command table and dispatch. */
#include <stdio.h>
#include <string.h>

#include "runtime/command.h"
#include "runtime/log.h"
#include "runtime/opts.h"

#ifndef SN_VERSION
#define SN_VERSION "0.0.0"
#endif

/* commands.gen.h lists one SN_COMMAND(name) per directory under src/cmd/. */
#define SN_COMMAND(name) extern const struct sn_command sn_cmd_##name;
#include "commands.gen.h"
#undef SN_COMMAND

#define SN_COMMAND(name) &sn_cmd_##name,
const struct sn_command *const sn_commands[] = {
#include "commands.gen.h"
};
#undef SN_COMMAND
const size_t sn_nr_commands = sizeof(sn_commands) / sizeof(sn_commands[0]);

static void usage(FILE *out)
{
	fprintf(out, "sysnoop %s - Linux observability with eBPF\n\n"
		     "USAGE: sysnoop COMMAND [OPTIONS]\n"
		     "       sysnoop COMMAND --help\n"
		     "       sysnoop --version\n\nCOMMANDS:\n",
		SN_VERSION);
	for (size_t i = 0; i < sn_nr_commands; i++)
		fprintf(out, "  %-12s %s\n", sn_commands[i]->name, sn_commands[i]->summary);
	fprintf(out, "\nCOMMON OPTIONS (every tracing command; the same letter means the same thing):\n");
	sn_opts_common_usage(out);
	fprintf(out, "\nEXIT CODES: 0 ok, 1 runtime error, 2 usage error, 3 missing privileges,\n"
		     "            4 the kernel lacks a needed feature\n"
		     "\nEXAMPLES:\n"
		     "  sysnoop exec                  # trace every exec until Ctrl-C\n"
		     "  sysnoop exec -j --count 10    # ten execs as JSON Lines\n"
		     "  sysnoop features              # what this kernel offers, per command\n");
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;

	if (!name || !strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
		usage(name ? stdout : stderr);
		return name ? SN_EXIT_OK : SN_EXIT_USAGE;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
		printf("sysnoop %s\n", SN_VERSION);
		return SN_EXIT_OK;
	}
	for (size_t i = 0; i < sn_nr_commands; i++) {
		const struct sn_command *cmd = sn_commands[i];

		if (strcmp(name, cmd->name))
			continue;
		sn_log_set_subject(cmd->name);
		if (cmd->main)
			return cmd->main(argc - 1, argv + 1);
		return sn_session_main(cmd, argc - 1, argv + 1);
	}
	sn_err("unknown command '%s' (see 'sysnoop --help')", name);
	return SN_EXIT_USAGE;
}
