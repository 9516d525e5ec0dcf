// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sysnoop tcpconnect: outgoing TCP connections, as the classic tcpconnect shows them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "runtime/command.h"
#include "runtime/log.h"
#include "runtime/names.h"
#include "runtime/opts.h"
#include "tcpconnect.h"
#include "tcpconnect.skel.h"

enum { OPT_LATENCY = SN_OPT_LONG, OPT_SUMMARY };

static struct {
	uint32_t mode;
	uint16_t family;
	uint16_t ports[TCP_PORTS_MAX];
	int nr_ports;
} env;

static const struct sn_opt opts[] = {
	{ "port", 'P', "LIST", "only these destination ports, comma-separated (up to 16)" },
	{ "ipv4", '4', NULL, "only IPv4 connections" },
	{ "ipv6", '6', NULL, "only IPv6 connections" },
	{ "latency", OPT_LATENCY, NULL,
	  "add the time from SYN to established, or the error" },
	{ "summary", OPT_SUMMARY, NULL,
	  "count connects per source, destination and port; a table at the end" },
	{},
};

enum {
	F_PID, F_TID, F_UID, F_COMM, F_IP, F_SADDR, F_SPORT, F_DADDR, F_DPORT, F_LAT, F_RET,
	F_ERROR, F_RESULT,
};

/* Not const: configure drops the latency columns when they are not asked for. */
static struct sn_field fields[] = {
	[F_PID] = { "pid", "PID", 7 },
	[F_TID] = { "tid", NULL },
	[F_UID] = { "uid", "UID", 6 },
	[F_COMM] = { "comm", "COMM", 16 },
	[F_IP] = { "ip", "IP", 2 },
	[F_SADDR] = { "saddr", "SADDR", 15 },
	[F_SPORT] = { "sport", "SPORT", 5 },
	[F_DADDR] = { "daddr", "DADDR", 15 },
	[F_DPORT] = { "dport", "DPORT", 5 },
	[F_LAT] = { "lat_ms", "LAT(ms)", 10 },
	[F_RET] = { "ret", NULL },
	[F_ERROR] = { "error", NULL },
	[F_RESULT] = { NULL, "RESULT", 0 },
	{},
};

enum { S_IP, S_SADDR, S_DADDR, S_DPORT, S_CONNECTS };

/* The --summary table, printed at the end: the classic tcpconnect -c columns. */
static const struct sn_field summary_fields[] = {
	[S_IP] = { "ip", "IP", 2 },
	[S_SADDR] = { "saddr", "LADDR", 25 },
	[S_DADDR] = { "daddr", "RADDR", 25 },
	[S_DPORT] = { "dport", "RPORT", 5 },
	[S_CONNECTS] = { "connects", "CONNECTS", 0 },
	{},
};

static int parse_ports(const char *arg)
{
	uint64_t v[TCP_PORTS_MAX];
	int n = sn_parse_uint_list(arg, 65535, v, TCP_PORTS_MAX);

	for (int i = 0; i < n; i++)
		if (!v[i])
			n = -EINVAL;
	if (n < 0) {
		sn_err("invalid --port '%s': expected up to %d ports (1-65535), comma-separated",
		       arg, TCP_PORTS_MAX);
		return -EINVAL;
	}
	for (int i = 0; i < n; i++)
		env.ports[i] = (uint16_t)v[i];
	env.nr_ports = n;
	return 0;
}

static int parse_opt(int key, const char *arg)
{
	uint32_t mode;

	switch (key) {
	case 'P':
		return parse_ports(arg);
	case '4':
	case '6':
		if (env.family && env.family != (key == '4' ? AF_INET : AF_INET6)) {
			sn_err("-4 and -6 exclude each other (give neither for both)");
			return -EINVAL;
		}
		env.family = key == '4' ? AF_INET : AF_INET6;
		return 0;
	case OPT_LATENCY:
	case OPT_SUMMARY:
		mode = key == OPT_LATENCY ? TCP_MODE_LATENCY : TCP_MODE_SUMMARY;
		if (env.mode && env.mode != mode) {
			sn_err("--latency and --summary exclude each other");
			return -EINVAL;
		}
		env.mode = mode;
		return 0;
	}
	return -EINVAL;
}

static int check_opts(const struct sn_common *c)
{
	if (env.mode == TCP_MODE_SUMMARY && c->count) {
		sn_err("--count cannot end a --summary run (nothing is streamed); use -d");
		return -EINVAL;
	}
	return 0;
}

SN_SKELETON_OPS(tcpconnect)

static int configure(struct sn_session *s)
{
	struct tcpconnect_bpf *skel = s->skel;
	struct bpf_program *prog;

	skel->rodata->mode = env.mode;
	skel->rodata->targ_family = env.family;
	skel->rodata->nr_ports = env.nr_ports;
	memcpy((void *)skel->rodata->ports, env.ports, sizeof(env.ports));
	/*
	 * SYN retransmissions only report connects early, which --latency does not want;
	 * fentry and kprobe watch state changes only for --latency.
	 */
	bpf_object__for_each_program(prog, s->obj) {
		const char *name = bpf_program__name(prog);

		if ((strstr(name, "_retrans") && env.mode != TCP_MODE_STREAM) ||
		    ((!strcmp(name, "fentry_state") || !strcmp(name, "kprobe_state")) &&
		     env.mode != TCP_MODE_LATENCY))
			bpf_program__set_autoload(prog, false);
	}
	if (env.mode != TCP_MODE_LATENCY) {
		fields[F_LAT].title = NULL;
		fields[F_RESULT].title = NULL;
	}
	s->fields = env.mode == TCP_MODE_SUMMARY ? NULL : fields;
	return 0;
}

static void format_addr(const struct tcp_addrs *a, const uint8_t *addr, char *buf, size_t len)
{
	if (!inet_ntop(a->family, addr, buf, len))
		snprintf(buf, len, "?");
}

static int handle(struct sn_session *s, const void *data, size_t size)
{
	const struct tcpconnect_event *e = data;
	const struct tcp_addrs *a = &e->addrs;
	struct sn_emit *out = &s->out;
	char saddr[INET6_ADDRSTRLEN], daddr[INET6_ADDRSTRLEN], num[16];
	const char *err;

	if (size < sizeof(*e) || e->hdr.type != TCP_REC_CONNECT)
		return 1;
	format_addr(a, a->saddr, saddr, sizeof(saddr));
	format_addr(a, a->daddr, daddr, sizeof(daddr));
	sn_emit_begin(out, "connect", e->hdr.ts_ns);
	sn_emit_u64(out, &fields[F_PID], e->hdr.pid);
	sn_emit_u64(out, &fields[F_TID], e->hdr.tid);
	sn_emit_u64(out, &fields[F_UID], e->hdr.uid);
	sn_emit_str(out, &fields[F_COMM], e->hdr.comm, sizeof(e->hdr.comm));
	sn_emit_u64(out, &fields[F_IP], a->family == AF_INET6 ? 6 : 4);
	sn_emit_text(out, &fields[F_SADDR], saddr);
	sn_emit_u64(out, &fields[F_SPORT], a->sport);
	sn_emit_text(out, &fields[F_DADDR], daddr);
	sn_emit_u64(out, &fields[F_DPORT], a->dport);
	if (env.mode == TCP_MODE_LATENCY) {
		sn_emit_ms(out, &fields[F_LAT], e->lat_ns);
		/* Widened first: -INT_MIN does not exist. */
		sn_emit_s64(out, &fields[F_RET], -(int64_t)e->err);
		err = e->err ? sn_errno_name(e->err) : "established";
		if (!err) {
			snprintf(num, sizeof(num), "%d", e->err);
			err = num;
		}
		if (e->err)
			sn_emit_text(out, &fields[F_ERROR], err);
		sn_emit_text(out, &fields[F_RESULT], err);
	}
	sn_emit_end(out);
	return 0;
}

struct summary_row {
	struct tcp_addrs key;
	uint64_t count;
};

static int by_count(const void *a, const void *b)
{
	const struct summary_row *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

/* The sum of a per-CPU counter. */
static uint64_t percpu_sum(struct bpf_map *map)
{
	int cpus = libbpf_num_possible_cpus();
	uint64_t total = 0, *values;
	uint32_t zero = 0;

	if (cpus <= 0 || !(values = calloc(cpus, sizeof(*values))))
		return 0;
	if (!bpf_map_lookup_elem(bpf_map__fd(map), &zero, values))
		for (int i = 0; i < cpus; i++)
			total += values[i];
	free(values);
	return total;
}

/* Says, on stderr and in JSON, how many connects were traced but not reported, and why. */
static void report_missed(struct sn_session *s, uint64_t n, const char *reason)
{
	static const struct sn_field f_connects = { "connects" }, f_reason = { "reason" };

	if (!n)
		return;
	sn_warn("%llu connects not reported: %s", (unsigned long long)n, reason);
	if (!s->out.json)
		return;
	sn_emit_begin(&s->out, "missed", 0);
	sn_emit_u64(&s->out, &f_connects, n);
	sn_emit_text(&s->out, &f_reason, reason);
	sn_emit_end(&s->out);
}

static int print_summary(struct sn_session *s, struct tcpconnect_bpf *skel)
{
	int fd = bpf_map__fd(skel->maps.summary);
	struct tcp_addrs key, next, *prev = NULL;
	struct summary_row *rows;
	char saddr[INET6_ADDRSTRLEN], daddr[INET6_ADDRSTRLEN], reason[64];
	size_t n = 0;

	rows = calloc(TCP_SUMMARY_MAX, sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	while (n < TCP_SUMMARY_MAX && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &rows[n].count))
			continue;
		rows[n++].key = key;
	}
	qsort(rows, n, sizeof(*rows), by_count);
	sn_emit_header(&s->out, summary_fields);
	for (size_t i = 0; i < n; i++) {
		const struct tcp_addrs *a = &rows[i].key;

		format_addr(a, a->saddr, saddr, sizeof(saddr));
		format_addr(a, a->daddr, daddr, sizeof(daddr));
		sn_emit_begin(&s->out, "connect_summary", 0);
		sn_emit_u64(&s->out, &summary_fields[S_IP], a->family == AF_INET6 ? 6 : 4);
		sn_emit_text(&s->out, &summary_fields[S_SADDR], saddr);
		sn_emit_text(&s->out, &summary_fields[S_DADDR], daddr);
		sn_emit_u64(&s->out, &summary_fields[S_DPORT], a->dport);
		sn_emit_u64(&s->out, &summary_fields[S_CONNECTS], rows[i].count);
		sn_emit_end(&s->out);
		s->events += rows[i].count;
	}
	free(rows);
	snprintf(reason, sizeof(reason), "the --summary map was full (%d rows)", TCP_SUMMARY_MAX);
	report_missed(s, percpu_sum(skel->maps.summary_missed), reason);
	return 0;
}

/* Entries left in a map: connects whose handshake had not ended when tracing stopped. */
static uint64_t map_entries(struct bpf_map *map)
{
	uint64_t key, next, *prev = NULL, n = 0;
	int fd = bpf_map__fd(map);

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}

static int finish(struct sn_session *s)
{
	struct tcpconnect_bpf *skel = s->skel;

	if (env.mode == TCP_MODE_SUMMARY)
		return print_summary(s, skel);
	report_missed(s, map_entries(skel->maps.pending),
		      "their handshake had not ended when tracing stopped");
	return 0;
}

static const struct sn_hook_variant hooks[] = {
	{ SN_HOOK_FENTRY, "fexit_v4 fexit_v6 fentry_state", "tcp_v4_connect tcp_v6_connect",
	  "fexit on tcp_v4/v6_connect: reported as connect() sends the SYN" },
	{ SN_HOOK_KPROBE, "kprobe_v4 kretprobe_v4 kprobe_v6 kretprobe_v6 kprobe_state",
	  "tcp_v4_connect tcp_v6_connect",
	  "kprobes on tcp_v4/v6_connect: reported as connect() sends the SYN" },
	{ SN_HOOK_TP_BTF, "btf_state btf_retrans", "inet_sock_set_state tcp_retransmit_skb",
	  "socket state changes: reported when the handshake ends or the SYN is resent" },
	{ SN_HOOK_RAW_TP, "raw_state raw_retrans", "inet_sock_set_state tcp_retransmit_skb",
	  "socket state changes: reported when the handshake ends or the SYN is resent" },
	{ SN_HOOK_TRACEPOINT, "tp_state tp_retrans",
	  "sock/inet_sock_set_state tcp/tcp_retransmit_skb",
	  "socket state changes: reported when the handshake ends or the SYN is resent" },
};

const struct sn_command sn_cmd_tcpconnect = {
	.name = "tcpconnect",
	.summary = "Trace outgoing TCP connections (IPv4, IPv6) with addresses and ports",
	.description =
		"One row per connect that sent a SYN, with the caller's pid, comm and uid.\n"
		"With fentry or kprobe hooks a row comes as connect() sends the SYN; with\n"
		"tracepoint hooks the kernel chooses the source port after the only state change\n"
		"they see, so a row comes when the handshake ends or the SYN is first resent\n"
		"(about 1 s). --latency prints each connect once its handshake has ended: the\n"
		"time from SYN to ESTABLISHED, or the error (ECONNREFUSED, ETIMEDOUT, ...;\n"
		"ECONNABORTED when its owner closed it first). --summary counts connects in the\n"
		"kernel and prints the table when tracing ends. An IPv6 socket connecting to a\n"
		"v4-mapped address is IPv6 (::ffff:a.b.c.d).",
	.examples = "  sysnoop tcpconnect                  # every outgoing connect\n"
		    "  sysnoop tcpconnect -P 80,443 -4     # IPv4 connects to ports 80 and 443\n"
		    "  sysnoop tcpconnect --latency        # handshake time, or why it failed\n"
		    "  sysnoop tcpconnect --summary -d 60  # a minute of connects, counted\n"
		    "  sysnoop tcpconnect -u www-data -j   # one user's connects as JSON Lines\n",
	.opts = opts,
	.filters = SN_FILTER_ALL,
	.parse_opt = parse_opt,
	.check_opts = check_opts,
	.hooks = hooks,
	.nr_hooks = sizeof(hooks) / sizeof(hooks[0]),
	.open = tcpconnect_open,
	.configure = configure,
	.handle = handle,
	.finish = finish,
	.destroy = tcpconnect_destroy,
};
