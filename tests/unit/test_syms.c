// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Symbols: address lookup in a synthetic table, kallsyms and /proc/PID/maps parsing, this
 * process's own functions named from its ELF file, and the folded-stack line format.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "runtime/syms.h"
#include "test.h"

static const char *name_at(const struct sn_symtab *t, uint64_t addr)
{
	const struct sn_sym *s = sn_symtab_find(t, addr);

	return s ? s->name : "(none)";
}

TEST(syms_table_lookup)
{
	struct sn_symtab *tab = sn_symtab_new();

	CHECK(tab);
	/* Out of order on purpose: the table sorts. */
	CHECK(!sn_symtab_add(tab, 0x3000, 0x40, "outer", NULL, 2));
	CHECK(!sn_symtab_add(tab, 0x1000, 0x100, "alpha", NULL, 2));
	CHECK(!sn_symtab_add(tab, 0x2000, 0, "gamma_alias", NULL, 2));
	CHECK(!sn_symtab_add(tab, 0x2000, 0x10, "gamma", NULL, 0));
	CHECK(!sn_symtab_add(tab, 0x1100, 0, "beta", NULL, 2));
	CHECK(!sn_symtab_add(tab, 0x3010, 0x8, "inner", NULL, 0));
	CHECK(!sn_symtab_add(tab, 0x4000, 0x10, "local_name", NULL, 0));
	CHECK(!sn_symtab_add(tab, 0x4000, 0x10, "global_name", NULL, 2));
	CHECK(!sn_symtab_add(tab, 0x5000, 0, "last", NULL, 2));
	sn_symtab_sort(tab);
	CHECK(sn_symtab_count(tab) == 7, "aliases folded: %zu", sn_symtab_count(tab));

	CHECK(!strcmp(name_at(tab, 0xfff), "(none)"), "below the first");
	CHECK(!strcmp(name_at(tab, 0x1000), "alpha") && !strcmp(name_at(tab, 0x10ff), "alpha"));
	/* Unsized: up to the next symbol. */
	CHECK(!strcmp(name_at(tab, 0x1100), "beta") && !strcmp(name_at(tab, 0x1fff), "beta"));
	/* A sized alias wins over an unsized one, and ends where its size says. */
	CHECK(!strcmp(name_at(tab, 0x2000), "gamma"), "%s", name_at(tab, 0x2000));
	CHECK(!strcmp(name_at(tab, 0x2010), "(none)"), "past a sized symbol: %s",
	      name_at(tab, 0x2010));
	/* Nested: the inner one, then the outer one again past it. */
	CHECK(!strcmp(name_at(tab, 0x3014), "inner"));
	CHECK(!strcmp(name_at(tab, 0x3020), "outer"), "%s", name_at(tab, 0x3020));
	CHECK(!strcmp(name_at(tab, 0x3040), "(none)"));
	/* Equal aliases: the stronger binding. */
	CHECK(!strcmp(name_at(tab, 0x4008), "global_name"), "%s", name_at(tab, 0x4008));
	/* The last unsized symbol reaches 4 KiB. */
	CHECK(!strcmp(name_at(tab, 0x5fff), "last") && !strcmp(name_at(tab, 0x6000), "(none)"));
	sn_symtab_free(tab);
	CHECK(!sn_symtab_find(NULL, 0x1000), "a missing table finds nothing");
	return 0;
}

TEST(syms_kallsyms_parse)
{
	static const char text[] = "0000000000000000 A fixed_percpu_data\n"
				   "ffffffff81000000 T _stext\n"
				   "ffffffff81000100 t helper_fn\n"
				   "ffffffff81000200 D some_data\n"
				   "ffffffff81000300 T next_fn\n"
				   "garbage line\n"
				   "ffffffffc0a00000 t ext4_mod_fn\t[ext4]\n"
				   "ffffffffc0a00100 T ext4_other\t[ext4]\n"
				   "ffffffffc0b00000 t xfs_fn\t[xfs]";
	static const char hidden[] = "0000000000000000 T _stext\n0000000000000000 t helper_fn\n";
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	const struct sn_sym *s;
	struct sn_symtab *tab;

	CHECK(f);
	tab = sn_kallsyms_parse(f);
	fclose(f);
	CHECK(tab);
	CHECK(sn_symtab_count(tab) == 6, "text symbols only: %zu", sn_symtab_count(tab));
	s = sn_symtab_find(tab, 0xffffffff81000150);
	CHECK(s && !strcmp(s->name, "helper_fn") && !strcmp(s->module, "[kernel]"));
	/* Data symbols are not boundaries: the function runs to the next function. */
	s = sn_symtab_find(tab, 0xffffffff81000250);
	CHECK(s && !strcmp(s->name, "helper_fn"), "%s", s ? s->name : "(none)");
	s = sn_symtab_find(tab, 0xffffffffc0a00050);
	CHECK(s && !strcmp(s->name, "ext4_mod_fn") && !strcmp(s->module, "[ext4]"));
	s = sn_symtab_find(tab, 0xffffffffc0b00010);
	CHECK(s && !strcmp(s->name, "xfs_fn") && !strcmp(s->module, "[xfs]"),
	      "a last line without a newline");
	sn_symtab_free(tab);

	/* With kptr_restrict every address reads 0: nothing to look up, and no error. */
	f = fmemopen((void *)hidden, sizeof(hidden) - 1, "r");
	CHECK(f);
	tab = sn_kallsyms_parse(f);
	fclose(f);
	CHECK(tab && sn_symtab_count(tab) == 0);
	sn_symtab_free(tab);
	return 0;
}

TEST(syms_maps_parse)
{
	char l1[] = "55d0c5a2e000-55d0c5a30000 r-xp 00002000 fd:01 1234567                    "
		    "/usr/bin/cat";
	char l2[] = "7f0000000000-7f0000001000 r-xp 00000000 08:11 42 /tmp/a file (deleted)";
	char l3[] = "7ffd1000-7ffd2000 rw-p 00000000 00:00 0 ";
	char l4[] = "7ffd1000 rw-p";
	struct sn_maps_entry e;

	CHECK(!sn_maps_parse_line(l1, &e));
	CHECK(e.start == 0x55d0c5a2e000 && e.end == 0x55d0c5a30000 && e.pgoff == 0x2000);
	CHECK(e.dev == makedev(0xfd, 1) && e.ino == 1234567 && e.exec);
	CHECK(!strcmp(e.path, "/usr/bin/cat"), "path '%s'", e.path);
	CHECK(!sn_maps_parse_line(l2, &e));
	CHECK(!strcmp(e.path, "/tmp/a file (deleted)"), "path '%s'", e.path);
	CHECK(!sn_maps_parse_line(l3, &e));
	CHECK(!e.exec && !*e.path && e.ino == 0);
	CHECK(sn_maps_parse_line(l4, &e) == -EINVAL);
	return 0;
}

/* A function of this test binary to find by address; not inlined, so it has one. */
__attribute__((noinline)) int sn_syms_test_marker(int x)
{
	return x * 3 + 1;
}

TEST(syms_own_process)
{
	struct sn_usyms *u = sn_usyms_new();
	uint64_t addr = (uint64_t)(uintptr_t)&sn_syms_test_marker;
	const char *name, *module;
	char exe[4096];
	ssize_t n;

	CHECK(u);
	CHECK(sn_syms_test_marker(1) == 4);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	CHECK(n > 0);
	exe[n] = '\0';
	CHECK(!sn_usyms_add_process(u, getpid(), 1));
	name = sn_usyms_find(u, getpid(), 1, addr + 1, &module);
	CHECK(name && !strcmp(name, "sn_syms_test_marker"), "got %s", name ? name : "(none)");
	CHECK(module && !strcmp(module, exe), "module %s, want %s", module ? module : "(none)",
	      exe);
	/* No mapping there, and a data mapping (the stack): nothing, and no module. */
	CHECK(!sn_usyms_find(u, getpid(), 1, 16, &module) && !module);
	CHECK(!sn_usyms_find(u, getpid(), 1, (uint64_t)(uintptr_t)&n, &module) && !module);
	/* A process that is gone: nothing, asked once. */
	CHECK(sn_usyms_add_process(u, 0x7ffffffe, 7) == -ESRCH);
	CHECK(!sn_usyms_find(u, 0x7ffffffe, 7, addr, &module));
	sn_usyms_prune(u);
	sn_usyms_free(u);
	return 0;
}

TEST(syms_folded_line)
{
	const char *frames[] = { "comm", "main", "a;b", "bad\nname", "x\\y", "has space",
				 "\xff" "z" };
	struct sn_buf b = {};

	CHECK(!sn_stack_fold(&b, frames, 7, 42));
	CHECK(!sn_buf_putc(&b, '\0'));
	CHECK(!strcmp(b.data, "comm;main;a\\x3bb;bad\\nname;x\\\\y;has space;\\xffz 42\n"),
	      "got '%s'", b.data);
	b.len = 0;
	CHECK(!sn_stack_fold(&b, frames, 1, 1));
	CHECK(!sn_buf_putc(&b, '\0'));
	CHECK(!strcmp(b.data, "comm 1\n"), "got '%s'", b.data);
	sn_buf_free(&b);
	return 0;
}
