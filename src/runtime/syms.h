/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Symbols for stack traces: kernel functions from /proc/kallsyms, user functions from the
 * ELF symbol tables of the files a process maps (read once per file, kept by device and
 * inode), and the folded-stack text that flame-graph tools read.
 */
#ifndef SN_SYMS_H
#define SN_SYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "buf.h"

/* What a lookup that finds nothing prints, as perf and flame graphs do. */
#define SN_SYM_UNKNOWN "[unknown]"

struct sn_sym {
	uint64_t addr;
	uint64_t size;      /* 0: not known, the symbol runs to the next one */
	const char *name;
	const char *module; /* kernel symbols: "[kernel]" or "[ext4]"; NULL in ELF tables */
	int prio;           /* among aliases at one address, the highest is kept */
};

/* A table of symbols sorted by address. */
struct sn_symtab;

struct sn_symtab *sn_symtab_new(void);
void sn_symtab_free(struct sn_symtab *t);
/* Adds a symbol; @name and @module are copied. 0 or -ENOMEM. */
int sn_symtab_add(struct sn_symtab *t, uint64_t addr, uint64_t size, const char *name,
		  const char *module, int prio);
/* Sorts and folds aliases; call after the last add, before any find. */
void sn_symtab_sort(struct sn_symtab *t);
size_t sn_symtab_count(const struct sn_symtab *t);
/*
 * The symbol that holds @addr: a sized symbol that contains it, or the nearest one below
 * without a size, up to the next symbol (the last one: up to 4 KiB). NULL if none.
 */
const struct sn_sym *sn_symtab_find(const struct sn_symtab *t, uint64_t addr);

/*
 * Reads kallsyms text (address, type, name, optional "[module]" per line) from @f: text
 * symbols only. NULL with errno set on failure.
 */
struct sn_symtab *sn_kallsyms_parse(FILE *f);
/* /proc/kallsyms; NULL with errno set. */
struct sn_symtab *sn_kallsyms_load(void);

/* One line of /proc/PID/maps. */
struct sn_maps_entry {
	uint64_t start, end, pgoff;
	uint64_t dev; /* makedev(major, minor) */
	uint64_t ino;
	bool exec;
	const char *path; /* points into the parsed line; "" for an anonymous mapping */
};

/*
 * Parses one maps line (its newline removed); the path keeps inner spaces and a
 * " (deleted)" suffix as the kernel wrote them. 0 or -EINVAL.
 */
int sn_maps_parse_line(char *line, struct sn_maps_entry *e);

/* User-space symbols of processes, each read once per address space. */
struct sn_usyms;

struct sn_usyms *sn_usyms_new(void);
void sn_usyms_free(struct sn_usyms *u);
/*
 * Reads the memory map of process @pid, whose address space is @as_id (any value that
 * changes when the process execs), and the symbol tables of the files it maps that are not
 * cached yet. Call it as soon as a process is seen: it must still be running. Does nothing
 * the second time. 0, or a negative errno (-ESRCH: the process is gone).
 */
int sn_usyms_add_process(struct sn_usyms *u, pid_t pid, uint64_t as_id);
/*
 * The function at @addr in that process (read now if it was not), or NULL. @module, if not
 * NULL, gets the path of the file mapped there, or NULL when no file is ("[vdso]" for the
 * vDSO).
 */
const char *sn_usyms_find(struct sn_usyms *u, pid_t pid, uint64_t as_id, uint64_t addr,
			  const char **module);
/* Forgets the processes that have exited, to bound memory over a long run. */
void sn_usyms_prune(struct sn_usyms *u);

/*
 * Appends one folded-stack line, "frame;frame;... count\n", frames root first. Each frame
 * is escaped like table text, and a ';' inside a frame becomes \x3b, so a hostile name can
 * neither split a frame nor end the line. 0 or -ENOMEM.
 */
int sn_stack_fold(struct sn_buf *b, const char *const *frames, size_t n, uint64_t count);

#endif /* SN_SYMS_H */
