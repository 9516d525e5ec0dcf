// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "caps.h"

#define CAP_SYS_ADMIN 21
#define CAP_PERFMON   38
#define CAP_BPF       39

#define HAS(set, cap) (((set) >> (cap)) & 1)

const char *sn_caps_missing(uint64_t eff)
{
	if (HAS(eff, CAP_SYS_ADMIN) || (HAS(eff, CAP_BPF) && HAS(eff, CAP_PERFMON)))
		return NULL;
	if (HAS(eff, CAP_BPF))
		return "CAP_PERFMON (or CAP_SYS_ADMIN)";
	if (HAS(eff, CAP_PERFMON))
		return "CAP_BPF (or CAP_SYS_ADMIN)";
	return "CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN)";
}

uint64_t sn_caps_effective(void)
{
	char line[256];
	uint64_t eff = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %" SCNx64, &eff) == 1)
			break;
	fclose(f);
	return eff;
}
