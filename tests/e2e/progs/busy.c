// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A CPU burner for the profile tests: `busy [cpu|sys] [SECS]` waits for one byte (or end
 * of file) on stdin, so a test can start the profiler first, then for SECS seconds (3 by
 * default) spins in user space in sn_busy_loop_marker (cpu), or reads /dev/zero in
 * sn_busy_sys_marker, spending its time in the kernel (sys).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) void sn_busy_loop_marker(double secs)
{
	volatile unsigned long sum = 0;
	double end = now() + secs;

	/* The clock is read rarely, so nearly every sample lands in this loop. */
	do {
		for (unsigned long i = 0; i < 10000000; i++)
			sum += i;
	} while (now() < end);
}

__attribute__((noinline)) void sn_busy_sys_marker(double secs)
{
	static char buf[1 << 16];
	double end = now() + secs;
	int fd = open("/dev/zero", O_RDONLY);

	if (fd < 0)
		exit(1);
	do {
		for (int i = 0; i < 256; i++)
			if (read(fd, buf, sizeof(buf)) < 0)
				exit(1);
	} while (now() < end);
	close(fd);
}

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
