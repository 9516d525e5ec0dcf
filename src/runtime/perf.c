// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <bpf/libbpf.h>

#include "command.h"
#include "log.h"
#include "perf.h"

static const struct {
	const char *name;
	uint32_t type;
	uint64_t config;
} events[] = {
	{ "cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK },
	{ "task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ "page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "minor-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "major-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ },
	{ "context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ "cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
	{ "branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES },
};

int sn_perf_event_parse(const char *name, uint32_t *type, uint64_t *config)
{
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		if (!strcmp(events[i].name, name)) {
			*type = events[i].type;
			*config = events[i].config;
			return 0;
		}
	}
	return -EINVAL;
}

bool sn_perf_event_is_hardware(const char *name)
{
	uint32_t type;
	uint64_t config;

	return !sn_perf_event_parse(name, &type, &config) && type == PERF_TYPE_HARDWARE;
}

static int open_event(uint32_t type, uint64_t config, int cpu, uint64_t period, bool freq)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = type,
		.config = config,
		.freq = freq,
		.sample_period = period,
	};
	int fd = syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

bool sn_perf_event_available(const char *name)
{
	uint32_t type;
	uint64_t config;
	int fd;

	if (sn_perf_event_parse(name, &type, &config))
		return false;
	fd = open_event(type, config, 0, 1000000, false);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int sn_attach_perf_event(struct sn_session *s, struct bpf_program *prog, const char *name,
			 uint64_t period, bool freq)
{
	int cpus = libbpf_num_possible_cpus(), attached = 0, fd, err;
	struct bpf_link *link;
	uint32_t type;
	uint64_t config;

	if (sn_perf_event_parse(name, &type, &config)) {
		sn_err("unknown perf event '%s'", name);
		return -EINVAL;
	}
	for (int cpu = 0; cpu < cpus; cpu++) {
		fd = open_event(type, config, cpu, period, freq);
		if (fd == -ENODEV) /* a possible but offline CPU */
			continue;
		if (fd < 0) {
			sn_err("perf event %s on CPU %d: %s%s", name, cpu, strerror(-fd),
			       type == PERF_TYPE_HARDWARE ? " (no hardware counters here?)" : "");
			return fd;
		}
		link = bpf_program__attach_perf_event(prog, fd);
		if (!link) {
			err = -errno;
			close(fd);
			sn_err("attaching %s to perf event %s: %s", bpf_program__name(prog), name,
			       strerror(-err));
			return err;
		}
		err = sn_session_add_link(s, link);
		if (err)
			return err;
		attached++;
	}
	return attached ? 0 : -ENODEV;
}
