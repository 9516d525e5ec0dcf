// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A CPU burner for the profile tests, built as most programs are (a dynamically linked
 * PIE, with frame pointers): `busy [cpu|sys] [SECS]` waits for one byte (or end of file)
 * on stdin, so a test can start the profiler first, then for SECS seconds of CPU time (3
 * by default) spins in sn_busy_loop_marker (cpu) or reads /dev/zero in sn_busy_sys_marker
 * (sys).
 */
#define _GNU_SOURCE
#include <string.h>

#include "busy.h"

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "cpu";
	double secs = argc > 2 ? atof(argv[2]) : 3;
	char go;

	if (read(0, &go, 1) < 0)
		return 1;
	if (!strcmp(mode, "sys"))
		sn_busy_sys_marker(secs);
	else
		sn_busy_loop_marker(secs);
	return 0;
}
