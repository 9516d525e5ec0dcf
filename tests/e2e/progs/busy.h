/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The functions profile's tests look for, shared by busy.c and the e2e driver (which runs
 * them in a child where busy cannot be run: the kernel-matrix guests have no libc).
 * Callers pass a duration that is not a constant, so the compiler clones nothing and the
 * names stay as written.
 */
#ifndef SN_E2E_BUSY_H
#define SN_E2E_BUSY_H

#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* CPU time: a busy machine makes the burn longer, never thinner. */
static double busy_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Spins in user space for @secs seconds of CPU time. */
__attribute__((noinline)) void sn_busy_loop_marker(double secs)
{
	volatile unsigned long sum = 0;
	double end = busy_now() + secs;

	/* The clock is read rarely, so nearly every sample lands in this loop. */
	do {
		for (unsigned long i = 0; i < 10000000; i++)
			sum += i;
	} while (busy_now() < end);
}

/* Reads /dev/zero for @secs seconds of CPU time, most of it in the kernel. */
__attribute__((noinline)) void sn_busy_sys_marker(double secs)
{
	static char buf[1 << 16];
	double end = busy_now() + secs;
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		exit(1);
	do {
		for (int i = 0; i < 256; i++)
			if (read(fd, buf, sizeof(buf)) < 0)
				exit(1);
	} while (busy_now() < end);
	close(fd);
}

#endif /* SN_E2E_BUSY_H */
