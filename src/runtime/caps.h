/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Whether this process may load and attach tracing programs. */
#ifndef SN_CAPS_H
#define SN_CAPS_H

#include <stdint.h>

/*
 * Given an effective capability set, NULL if it suffices (CAP_BPF and CAP_PERFMON, or
 * CAP_SYS_ADMIN), else the names of what is missing.
 */
const char *sn_caps_missing(uint64_t effective);

/* Reads CapEff from /proc/self/status; 0 on error. */
uint64_t sn_caps_effective(void);

#endif /* SN_CAPS_H */
