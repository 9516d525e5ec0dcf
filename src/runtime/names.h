/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Names of errno values and signals, both ways. */
#ifndef SN_NAMES_H
#define SN_NAMES_H

/* "ENOENT" for 2; NULL if unknown. */
const char *sn_errno_name(int err);
/* "SIGKILL" for 9, "SIGRTMIN+3" for real-time ones; written into @buf, which is returned. */
const char *sn_signal_name(int sig, char *buf, int len);
/* 2 for "ENOENT" or "2"; -EINVAL if neither. */
int sn_errno_parse(const char *s);
/* 9 for "KILL", "SIGKILL", "kill" or "9"; -EINVAL if none. */
int sn_signal_parse(const char *s);

#endif /* SN_NAMES_H */
