/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * System call names of the build architecture, both ways, from the table generated at build
 * time out of the C library's <asm/unistd.h> (gen-syscall-names.sh). Shared by syscount and
 * hist.
 */
#ifndef SN_SYSCALLS_H
#define SN_SYSCALLS_H

#include <stdbool.h>
#include <stdio.h>

/* "read" for 0 on x86-64; NULL for a number with no name. */
const char *sn_syscall_name(long nr);
/* The number of system call @name ("openat"), or -ENOENT. */
long sn_syscall_parse(const char *name);
/* Prints the table, "NR NAME" per line, or one JSON Lines record per call with @json. */
int sn_syscall_list(FILE *out, bool json);

#endif /* SN_SYSCALLS_H */
