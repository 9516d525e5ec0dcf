// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "test.h"

static struct sn_test *head, **tail = &head;

void sn_test_register(struct sn_test *test)
{
	*tail = test;
	tail = &test->next;
}

void sn_test_fail(struct sn_tctx *t, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(t->why, sizeof(t->why), "%s:%d: ", file, line);

	va_start(ap, fmt);
	vsnprintf(t->why + n, sizeof(t->why) - n, fmt, ap);
	va_end(ap);
}

static void run_one(struct sn_test *test, const char *hook, int *passed, int *failed)
{
	struct sn_tctx t = { .hook = hook };
	char name[256];
	int ret;

	if (hook && *hook)
		snprintf(name, sizeof(name), "%s/%s/%s", test->per_hook_of, hook, test->name);
	else
		snprintf(name, sizeof(name), "%s", test->name);
	t.name = name;
	ret = test->fn(&t);
	if (t.skipped) {
		printf("SKIP %s: %s\n", name, t.why);
	} else if (ret) {
		printf("FAIL %s: %s\n", name, t.why[0] ? t.why : "failed");
		(*failed)++;
	} else {
		printf("PASS %s\n", name);
		(*passed)++;
	}
	fflush(stdout);
}

int sn_test_run_all(const char *filter, int (*hooks_of)(const char *cmd, char hooks[][16], int max))
{
	int passed = 0, failed = 0;

	for (struct sn_test *test = head; test; test = test->next) {
		char hooks[8][16];
		int n;

		if (filter && !strstr(test->name, filter) &&
		    !(test->per_hook_of && strstr(test->per_hook_of, filter)))
			continue;
		if (!test->per_hook_of || !hooks_of) {
			run_one(test, NULL, &passed, &failed);
			continue;
		}
		n = hooks_of(test->per_hook_of, hooks, 8);
		if (n <= 0) {
			printf("FAIL %s/%s: no usable hook variant\n", test->per_hook_of, test->name);
			failed++;
		}
		for (int i = 0; i < n; i++)
			run_one(test, hooks[i], &passed, &failed);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed;
}
