// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests: no privileges needed. `sysnoop-unit [FILTER]`. */
#include <stdio.h>

#include "test.h"

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	return sn_test_run_all(argc > 1 ? argv[1] : NULL, NULL) ? 1 : 0;
}
