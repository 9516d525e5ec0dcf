/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the BPF side of the summaries (syscount, hist) and user space agree on. */
#ifndef SN_SUMMARY_ABI_H
#define SN_SUMMARY_ABI_H

/* Default size of the entry-stamp map: threads inside a system call at the same time. */
#define SUMMARY_START_ENTRIES 32768

/* Index into sn_map_full: which map an update was lost to. */
#define SUMMARY_FULL_START 0 /* entry stamps: a latency could not be measured */
#define SUMMARY_FULL_DATA  1 /* the summary itself: an event was not counted */
#define SUMMARY_FULL__COUNT 2

#endif /* SN_SUMMARY_ABI_H */
