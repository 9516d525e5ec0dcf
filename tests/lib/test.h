/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The test framework of the unit and end-to-end drivers: tests register themselves, the
 * runner prints PASS/FAIL/SKIP lines and ends with "N passed, N failed".
 */
#ifndef SN_TEST_H
#define SN_TEST_H

#include <stdbool.h>
#include <stdio.h>

struct sn_tctx {
	const char *name;
	/* For tests run per hook variant: the variant forced with --hook ("" for auto). */
	const char *hook;
	char why[1024];
	bool skipped;
};

struct sn_test {
	const char *name;
	/* A command name: the test runs once per hook variant the kernel offers for it. */
	const char *per_hook_of;
	int (*fn)(struct sn_tctx *t);
	struct sn_test *next;
};

void sn_test_register(struct sn_test *test);
/* Runs the tests whose names contain @filter (all if NULL); returns the failures. */
int sn_test_run_all(const char *filter, int (*hooks_of)(const char *cmd, char hooks[][16], int max));

void sn_test_fail(struct sn_tctx *t, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define SN_TEST_DEFINE(id, cmd)                                                                \
	static int test_##id(struct sn_tctx *t);                                               \
	static struct sn_test test_reg_##id = { #id, cmd, test_##id, NULL };                   \
	__attribute__((constructor)) static void test_register_##id(void)                      \
	{                                                                                      \
		sn_test_register(&test_reg_##id);                                              \
	}                                                                                      \
	static int test_##id(struct sn_tctx *t)

/* A test of no particular hook. */
#define TEST(id) SN_TEST_DEFINE(id, NULL)
/* A test run once for each hook variant of @cmd that this kernel offers. */
#define TEST_HOOKS(id, cmd) SN_TEST_DEFINE(id, cmd)

#define CHECK(cond, ...)                                                                       \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			sn_test_fail(t, __FILE__, __LINE__, "(" #cond ") " __VA_ARGS__);       \
			return -1;                                                             \
		}                                                                              \
	} while (0)

#define SKIP(...)                                                                              \
	do {                                                                                   \
		snprintf(t->why, sizeof(t->why), __VA_ARGS__);                                 \
		t->skipped = true;                                                             \
		return 0;                                                                      \
	} while (0)

#endif
