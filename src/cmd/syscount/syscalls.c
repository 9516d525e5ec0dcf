// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>

#include "runtime/emit.h"
#include "syscalls.h"

#define SN_SYSCALL(nr, name) [nr] = #name,
static const char *const names[] = {
#include "syscall_names.gen.h"
};
#undef SN_SYSCALL

#define NR_NAMES ((long)(sizeof(names) / sizeof(names[0])))

const char *sn_syscall_name(long nr)
{
	return nr >= 0 && nr < NR_NAMES ? names[nr] : NULL;
}

long sn_syscall_parse(const char *name)
{
	for (long nr = 0; nr < NR_NAMES; nr++)
		if (names[nr] && !strcmp(names[nr], name))
			return nr;
	return -ENOENT;
}

int sn_syscall_list(FILE *out, bool json)
{
	static const struct sn_field fields[] = {
		{ "nr", "NR", 5 },
		{ "name", "NAME", 0 },
		{},
	};
	struct sn_emit e;
	int err;

	sn_emit_init(&e, out, json, false);
	sn_emit_header(&e, fields);
	for (long nr = 0; nr < NR_NAMES; nr++) {
		if (!names[nr])
			continue;
		sn_emit_begin(&e, "syscall", 0);
		sn_emit_u64(&e, &fields[0], nr);
		sn_emit_text(&e, &fields[1], names[nr]);
		sn_emit_end(&e);
	}
	err = sn_emit_flush(&e);
	sn_emit_free(&e);
	return err;
}
