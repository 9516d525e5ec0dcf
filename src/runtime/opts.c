// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "hooks.h"
#include "log.h"
#include "opts.h"

/* Keys of the long-only common options; above any short letter, below SN_OPT_LONG. */
enum {
	KEY_TID = 0x100,
	KEY_COMM,
	KEY_CGROUP,
	KEY_PIDNS,
	KEY_COUNT,
	KEY_HOOK,
	KEY_TRANSPORT,
	KEY_BUFFER_SIZE,
};

/* Keys the runtime takes only for commands that have an interval mode. */
#define KEY_INTERVAL 'i'

/* The largest pid Linux can hand out (PID_MAX_LIMIT on 64-bit). */
#define PID_MAX 4194304

static const struct sn_opt common_opts[] = {
	{ "pid", 'p', "PID", "only this process (thread group id)" },
	{ "tid", KEY_TID, "TID", "only this thread" },
	{ "uid", 'u', "UID", "only this user (id or name)" },
	{ "comm", KEY_COMM, "NAME", "only tasks named exactly NAME (at most 15 bytes)" },
	{ "cgroup", KEY_CGROUP, "PATH", "only tasks in this cgroup v2 directory or below it" },
	{ "pidns", KEY_PIDNS, "PID|PATH",
	  "pids as seen in this pid namespace (of PID, or an ns file); only its tasks" },
	{ "json", 'j', NULL, "JSON Lines output, one object per record, then a summary" },
	{ "timestamp", 'T', NULL, "add a wall-clock TIME column" },
	{ "duration", 'd', "SECS", "stop after SECS seconds" },
	{ "count", KEY_COUNT, "N", "stop after N events" },
	{ "interval", KEY_INTERVAL, "SECS", "summaries: print and reset every SECS seconds" },
	{ "hook", KEY_HOOK, "KIND", "force a hook: fentry, kprobe, tp_btf, raw_tp, tracepoint" },
	{ "transport", KEY_TRANSPORT, "KIND", "force the transport: ringbuf or perf" },
	{ "buffer-size", KEY_BUFFER_SIZE, "SIZE", "kernel buffer size, e.g. 8M (perf: all CPUs)" },
	{ "quiet", 'q', NULL, "no progress lines on stderr (drops are still reported)" },
	{ "verbose", 'v', NULL, "show libbpf's messages and the choices made" },
	{ "help", 'h', NULL, "show this help" },
	{},
};

int sn_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int sn_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v <= 0 || v > 1e9)
		return -EINVAL;
	*out = v;
	return 0;
}

int sn_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v, mult = 1;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': mult = 1ULL << 10; end++; break;
	case 'm': case 'M': mult = 1ULL << 20; end++; break;
	case 'g': case 'G': mult = 1ULL << 30; end++; break;
	}
	if (*end == 'i' || *end == 'B') /* accept "8MiB", "8MB" */
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end || v == 0 || v > (1ULL << 40) / mult)
		return -EINVAL;
	*out = v * mult;
	return 0;
}

int sn_parse_pid_opt(const char *opt, const char *arg, uint32_t *out)
{
	uint64_t v;

	if (sn_parse_uint(arg, PID_MAX, &v) || !v) {
		sn_err("invalid --%s '%s': expected a process id (a positive integer)", opt, arg);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

int sn_parse_uid(const char *s, uint32_t *out)
{
	char line[1024];
	uint64_t v;
	size_t n = strlen(s);
	FILE *f;
	int err = -EINVAL;

	if (!sn_parse_uint(s, UINT32_MAX - 1, &v)) {
		*out = (uint32_t)v;
		return 0;
	}
	if (!n || strchr(s, ':'))
		return -EINVAL;
	/* Read /etc/passwd ourselves: NSS does not work from a static binary. */
	f = fopen("/etc/passwd", "re");
	if (!f)
		return -EINVAL;
	while (fgets(line, sizeof(line), f)) {
		char *uid_field;

		if (strncmp(line, s, n) || line[n] != ':')
			continue;
		uid_field = strchr(line + n + 1, ':');
		if (uid_field && sscanf(uid_field + 1, "%u", out) == 1)
			err = 0;
		break;
	}
	fclose(f);
	return err;
}

int sn_parse_uint_list(const char *s, uint64_t max, uint64_t *out, int cap)
{
	char item[32];
	int n = 0;

	while (*s) {
		size_t len = strcspn(s, ",");

		if (!len || len >= sizeof(item) || n >= cap)
			return -EINVAL;
		memcpy(item, s, len);
		item[len] = '\0';
		if (sn_parse_uint(item, max, &out[n++]))
			return -EINVAL;
		s += len;
		if (*s == ',' && !*++s)
			return -EINVAL;
	}
	return n ? n : -EINVAL;
}

static void print_opts(FILE *out, const struct sn_opt *opts)
{
	char lhs[64];

	for (const struct sn_opt *o = opts; o && o->name; o++) {
		if (o->key < 0x100)
			snprintf(lhs, sizeof(lhs), "-%c, --%s%s%s", o->key, o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(lhs, sizeof(lhs), "    --%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		fprintf(out, "  %-26s %s\n", lhs, o->help);
	}
}

void sn_opts_common_usage(FILE *out)
{
	print_opts(out, common_opts);
}

void sn_opts_usage(const struct sn_command *cmd, FILE *out)
{
	fprintf(out, "USAGE: sysnoop %s [OPTIONS]\n\n%s.\n", cmd->name, cmd->summary);
	if (cmd->description)
		fprintf(out, "\n%s\n", cmd->description);
	if (cmd->opts && cmd->opts->name) {
		fprintf(out, "\nOPTIONS:\n");
		print_opts(out, cmd->opts);
	}
	if (cmd->hooks) {
		fprintf(out, "\nCOMMON OPTIONS:\n");
		print_opts(out, common_opts);
	}
	if (cmd->examples)
		fprintf(out, "\nEXAMPLES:\n%s", cmd->examples);
}

/* The option with @key; common ones first, so a letter means the same everywhere. */
static const struct sn_opt *find_opt(const struct sn_command *cmd, int key, bool *common)
{
	*common = true;
	for (const struct sn_opt *o = common_opts; cmd->hooks && o->name; o++)
		if (o->key == key)
			return o;
	*common = false;
	for (const struct sn_opt *o = cmd->opts; o && o->name; o++)
		if (o->key == key)
			return o;
	return NULL;
}

static int bad_value(const struct sn_opt *o, const char *arg, const char *expected)
{
	sn_err("invalid --%s '%s': expected %s", o->name, arg, expected);
	return -EINVAL;
}

static int filter_supported(const struct sn_command *cmd, const struct sn_opt *o,
			    unsigned int filter)
{
	if (cmd->filters & filter)
		return 0;
	sn_err("--%s cannot be applied in the kernel by this command", o->name);
	return -EINVAL;
}

static int parse_common(const struct sn_command *cmd, const struct sn_opt *o, const char *arg,
			struct sn_common *c)
{
	uint64_t v;
	uint32_t uid;
	int hook;

	switch (o->key) {
	case 'p':
		if (filter_supported(cmd, o, SN_FILTER_PID) || sn_parse_pid_opt(o->name, arg, &uid))
			return -EINVAL;
		c->pid = (pid_t)uid;
		return 0;
	case KEY_TID:
		if (filter_supported(cmd, o, SN_FILTER_TID))
			return -EINVAL;
		if (sn_parse_uint(arg, PID_MAX, &v) || !v)
			return bad_value(o, arg, "a thread id (a positive integer)");
		c->tid = (pid_t)v;
		return 0;
	case 'u':
		if (filter_supported(cmd, o, SN_FILTER_UID))
			return -EINVAL;
		if (sn_parse_uid(arg, &uid))
			return bad_value(o, arg, "a user id or a user name from /etc/passwd");
		c->uid = uid;
		c->has_uid = true;
		return 0;
	case KEY_COMM:
		if (filter_supported(cmd, o, SN_FILTER_COMM))
			return -EINVAL;
		if (!*arg || strlen(arg) >= sizeof(c->comm))
			return bad_value(o, arg, "a task name of 1 to 15 bytes");
		strcpy(c->comm, arg);
		return 0;
	case KEY_CGROUP:
		if (filter_supported(cmd, o, SN_FILTER_CGROUP))
			return -EINVAL;
		c->cgroup = arg;
		return 0;
	case KEY_PIDNS:
		if (filter_supported(cmd, o, SN_FILTER_PIDNS))
			return -EINVAL;
		c->pidns = arg;
		return 0;
	case 'j':
		c->json = true;
		return 0;
	case 'T':
		c->timestamp = true;
		return 0;
	case 'd':
		if (sn_parse_seconds(arg, &c->duration))
			return bad_value(o, arg, "a positive number of seconds");
		return 0;
	case KEY_INTERVAL:
		if (!cmd->report) {
			sn_err("--interval: this command streams events; it has no interval mode");
			return -EINVAL;
		}
		if (sn_parse_seconds(arg, &c->interval))
			return bad_value(o, arg, "a positive number of seconds");
		return 0;
	case KEY_COUNT:
		if (sn_parse_uint(arg, UINT64_MAX, &c->count) || !c->count)
			return bad_value(o, arg, "a positive number of events");
		return 0;
	case KEY_HOOK:
		hook = sn_hook_parse(arg);
		if (hook < 0)
			return bad_value(o, arg, "fentry, kprobe, tp_btf, raw_tp, tracepoint or auto");
		c->hook = hook;
		return 0;
	case KEY_TRANSPORT:
		if (!strcmp(arg, "ringbuf"))
			c->transport = SN_TRANSPORT_RINGBUF;
		else if (!strcmp(arg, "perf"))
			c->transport = SN_TRANSPORT_PERF;
		else if (!strcmp(arg, "auto"))
			c->transport = SN_TRANSPORT_AUTO;
		else
			return bad_value(o, arg, "ringbuf, perf or auto");
		return 0;
	case KEY_BUFFER_SIZE:
		if (sn_parse_size(arg, &c->buffer_size) || c->buffer_size < 4096)
			return bad_value(o, arg, "a size of at least 4K, like 64K or 8M");
		return 0;
	case 'q':
		c->quiet = true;
		return 0;
	case 'v':
		c->verbose = true;
		sn_log_set_verbose(true);
		return 0;
	}
	return -EINVAL;
}

int sn_opts_parse(const struct sn_command *cmd, int argc, char **argv, struct sn_common *c)
{
	struct option longopts[96];
	char shortopts[160] = ":";
	size_t nlong = 0, nshort = 1;
	const struct sn_opt *tables[2] = { cmd->hooks ? common_opts : NULL, cmd->opts };
	int key, err;

	memset(c, 0, sizeof(*c));
	c->hook = SN_HOOK_AUTO;
	for (int t = 0; t < 2; t++) {
		for (const struct sn_opt *o = tables[t]; o && o->name; o++) {
			if (nlong + 2 >= sizeof(longopts) / sizeof(longopts[0]))
				return -E2BIG;
			longopts[nlong++] = (struct option){ o->name, o->arg ? required_argument
									  : no_argument,
							     NULL, o->key };
			if (o->key < 0x100 && nshort + 3 < sizeof(shortopts)) {
				shortopts[nshort++] = (char)o->key;
				if (o->arg)
					shortopts[nshort++] = ':';
			}
		}
	}
	if (!cmd->hooks) { /* commands without BPF still take -h and -j */
		longopts[nlong++] = (struct option){ "help", no_argument, NULL, 'h' };
		shortopts[nshort++] = 'h';
	}
	longopts[nlong] = (struct option){ 0 };
	shortopts[nshort] = '\0';

	opterr = 0;
	/*
	 * 0, not 1: getopt also resets its position inside a cluster of short options, which
	 * otherwise still points into the previous argv after a parse that stopped mid-cluster.
	 */
	optind = 0;
	while ((key = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const struct sn_opt *o;
		bool common;

		if (key == 'h') {
			sn_opts_usage(cmd, stdout);
			return 1;
		}
		if (key == '?') {
			if (optopt && optopt < 0x100)
				sn_err("unknown option '-%c' (see 'sysnoop %s --help')", optopt,
				       cmd->name);
			else
				sn_err("unknown option '%s' (see 'sysnoop %s --help')",
				       argv[optind - 1], cmd->name);
			return -EINVAL;
		}
		if (key == ':') {
			sn_err("option '%s' needs an argument", argv[optind - 1]);
			return -EINVAL;
		}
		o = find_opt(cmd, key, &common);
		if (!o)
			return -EINVAL;
		if (common)
			err = parse_common(cmd, o, optarg, c);
		else
			err = cmd->parse_opt ? cmd->parse_opt(key, optarg) : -EINVAL;
		if (err)
			return -EINVAL;
	}
	if (optind < argc) {
		sn_err("unexpected argument '%s' (see 'sysnoop %s --help')", argv[optind],
		       cmd->name);
		return -EINVAL;
	}
	if (cmd->check_opts && cmd->check_opts(c))
		return -EINVAL;
	return 0;
}
