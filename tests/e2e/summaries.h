/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Helpers for the tests of the summary commands (faults, profile). */
#ifndef SN_E2E_SUMMARIES_H
#define SN_E2E_SUMMARIES_H

#include <string.h>

#include "harness.h"

/* Runs `sysnoop ARGS` and expects exit 2 with one line on stderr that contains @needle. */
static inline int expect_usage_error(struct sn_tctx *t, const char *const *args,
				     const char *needle)
{
	struct sn_run r;
	int lines = 0;

	CHECK(!sn_run_sync(&r, args), "%s", r.why);
	for (const char *p = r.err; p && *p; p++)
		lines += *p == '\n';
	CHECK(r.exit_code == 2, "'%s %s': exit %d, want 2; stderr: %s", args[0], args[1],
	      r.exit_code, r.err);
	CHECK(lines == 1, "want one line on stderr, got: %s", r.err);
	CHECK(r.err && strstr(r.err, needle), "stderr lacks '%s': %s", needle, r.err);
	sn_run_free(&r);
	return 0;
}

/* Whether JSON line @line has number @key equal to @v. */
static inline bool json_i64_is(const char *line, const char *key, int64_t v)
{
	int64_t n;

	return json_get_i64(line, key, &n) && n == v;
}

/* The summary record's hook is the one the test forced (any, when none was). */
static inline bool summary_hook_is(struct sn_run *r, const char *hook)
{
	const char *line = sn_find_record(r, "summary", NULL, NULL);

	return line && (!hook || !*hook || json_str_eq(line, "hook", hook));
}

#endif /* SN_E2E_SUMMARIES_H */
