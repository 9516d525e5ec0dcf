// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The end-to-end driver: `sysnoop-e2e [--all-hooks] [FILTER]` runs every registered test
 * (those whose name or command contains FILTER), each per-hook test once for every hook
 * variant that `sysnoop features --usable-hooks CMD` lists on this kernel (--all-hooks
 * names that default, for the kernel matrix's command line).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static int usable_hooks(const char *cmd, char hooks[][16], int max)
{
	char command[512], line[16];
	int n = 0;
	FILE *p;

	snprintf(command, sizeof(command), "%s features --usable-hooks %s", sn_binary(), cmd);
	p = popen(command, "r");
	if (!p)
		return -1;
	while (n < max && fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		if (*line)
			snprintf(hooks[n++], 16, "%s", line);
	}
	pclose(p);
	return n;
}

int main(int argc, char **argv)
{
	const char *filter = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--all-hooks"))
			continue;
		if (argv[i][0] == '-') {
			fprintf(stderr, "usage: sysnoop-e2e [--all-hooks] [FILTER]\n");
			return 2;
		}
		filter = argv[i];
	}

	if (geteuid() != 0) {
		fprintf(stderr, "sysnoop-e2e: must run as root (loads BPF programs)\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	return sn_test_run_all(filter, usable_hooks) ? 1 : 0;
}
