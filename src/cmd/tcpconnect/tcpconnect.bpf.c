// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop tcpconnect: outgoing TCP connections, IPv4 and IPv6.
 *
 * With fentry or kprobe hooks a connect is seen when tcp_v4_connect or tcp_v6_connect
 * returns in the caller, with the source port already chosen. The tracepoint family
 * (tp_btf, raw_tp, tracepoint) has only sock:inet_sock_set_state, and its CLOSE ->
 * SYN_SENT change comes before the kernel picks the source port: the caller is noted
 * there, by socket, and the record is sent at the handshake's end (ESTABLISHED or CLOSE)
 * or at the first SYN retransmission, whichever comes first; these may run in softirq
 * context, hence the keying by socket. --latency waits for the handshake's end in every
 * variant. --summary counts in a kernel map as soon as the destination is known.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include "tcpconnect.h"
#define SN_RECORD_MAX sizeof(struct tcpconnect_event)
#include "sn_common.bpf.h"

#define AF_INET      2
#define AF_INET6     10
#define IPPROTO_TCP  6
#define ECONNABORTED 103

const volatile __u32 mode = TCP_MODE_STREAM;
const volatile __u16 targ_family = 0; /* 0: both */
const volatile __u32 nr_ports = 0;
const volatile __u16 ports[TCP_PORTS_MAX] = {};

/* Connects whose handshake is under way: the caller, noted while it was current. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TCP_PENDING_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64); /* struct sock * */
	__type(value, struct sn_hdr);
} pending SEC(".maps");

/* kprobe variant: the socket a thread is connecting, from entry to return. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} connecting SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TCP_SUMMARY_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct tcp_addrs);
	__type(value, __u64);
} summary SEC(".maps");

/* Connects --summary could not count because its map was full. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} summary_missed SEC(".maps");

static __always_inline void read_addrs(const struct sock *sk, struct tcp_addrs *a)
{
	a->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	/* Not skc_num: closing puts the port back, zeroing it, before the CLOSE tracepoint. */
	a->sport = bpf_ntohs(BPF_CORE_READ((const struct inet_sock *)sk, inet_sport));
	a->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (a->family == AF_INET) {
		bpf_core_read(a->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(a->daddr, 4, &sk->__sk_common.skc_daddr);
	} else {
		bpf_core_read(a->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(a->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
}

static __always_inline bool wanted(const struct tcp_addrs *a)
{
	if (a->family != AF_INET && a->family != AF_INET6)
		return false;
	if (targ_family && a->family != targ_family)
		return false;
	if (!nr_ports)
		return true;
	for (__u32 i = 0; i < TCP_PORTS_MAX; i++) {
		if (i >= nr_ports)
			break;
		if (ports[i] == a->dport)
			return true;
	}
	return false;
}

static __always_inline void count_connect(struct tcp_addrs *a)
{
	__u64 one = 1, *n;
	__u32 zero = 0;

	a->sport = 0;
	n = bpf_map_lookup_elem(&summary, a);
	if (!n) {
		if (!bpf_map_update_elem(&summary, a, &one, BPF_NOEXIST))
			return;
		/* Another CPU may have added the same row in between. */
		n = bpf_map_lookup_elem(&summary, a);
	}
	if (n) {
		__sync_fetch_and_add(n, 1);
		return;
	}
	n = bpf_map_lookup_elem(&summary_missed, &zero);
	if (n)
		(*n)++;
}

static __always_inline void emit(void *ctx, const struct sn_hdr *hdr, const struct tcp_addrs *a,
				 __u64 lat_ns, __s32 err)
{
	struct tcpconnect_event *e = sn_reserve(sizeof(*e));

	if (!e)
		return;
	e->hdr = *hdr;
	e->addrs = *a;
	e->lat_ns = lat_ns;
	e->err = err;
	e->pad = 0;
	sn_submit(ctx, e, sizeof(*e));
}

/*
 * A connect is under way, in the caller's context. With fentry and kprobe its SYN is out
 * and the source port known (@port_known), so a plain record can go at once; otherwise
 * (CLOSE -> SYN_SENT, or --latency) the caller is kept until the handshake's end.
 */
static __always_inline void connect_seen(void *ctx, const struct sock *sk, bool port_known)
{
	struct tcp_addrs a = {};
	struct sn_hdr hdr;
	__u64 key = (__u64)sk;

	read_addrs(sk, &a);
	if (!wanted(&a))
		return;
	if (mode == TCP_MODE_SUMMARY) {
		count_connect(&a);
		return;
	}
	sn_fill_hdr(&hdr, TCP_REC_CONNECT);
	if (mode == TCP_MODE_STREAM && port_known) {
		emit(ctx, &hdr, &a, 0, 0);
		return;
	}
	if (bpf_map_update_elem(&pending, &key, &hdr, BPF_ANY))
		sn_count_drop();
}

/*
 * A pending connect is established, failed (@newstate TCP_CLOSE) or retransmits its SYN
 * (@newstate TCP_SYN_SENT). Any context: the caller comes from the pending entry.
 */
static __always_inline void connect_ended(void *ctx, const struct sock *sk, int newstate)
{
	__u64 key = (__u64)sk, lat_ns = 0;
	struct tcp_addrs a = {};
	struct sn_hdr *p, hdr;
	__s32 err = 0;

	p = bpf_map_lookup_elem(&pending, &key);
	if (!p)
		return;
	hdr = *p;
	/* Whoever deletes the entry reports it, so a connect is never reported twice. */
	if (bpf_map_delete_elem(&pending, &key))
		return;
	read_addrs(sk, &a);
	/* Closed before a source port was found: connect() failed locally, no SYN went out. */
	if (newstate == TCP_CLOSE && !a.sport)
		return;
	if (mode == TCP_MODE_LATENCY) {
		lat_ns = bpf_ktime_get_ns() - hdr.ts_ns;
		if (newstate == TCP_CLOSE) {
			/* sk_err is set before tcp_done() closes; none: its owner closed it. */
			err = BPF_CORE_READ(sk, sk_err);
			if (!err)
				err = ECONNABORTED;
		}
	}
	emit(ctx, &hdr, &a, lat_ns, err);
}

static __always_inline void state_changed(void *ctx, const struct sock *sk, int oldstate,
					  int newstate, bool starts)
{
	if (newstate == TCP_SYN_SENT) {
		if (starts && oldstate == TCP_CLOSE && sn_filter_current())
			connect_seen(ctx, sk, false);
		return;
	}
	if (newstate == TCP_ESTABLISHED || newstate == TCP_CLOSE)
		connect_ended(ctx, sk, newstate);
}

static __always_inline bool is_tcp(const struct sock *sk)
{
	return BPF_CORE_READ(sk, sk_protocol) == IPPROTO_TCP;
}

/* tp_btf, raw_tp and tracepoint variants: the state changes, and SYN retransmissions. */

SEC("?tp_btf/inet_sock_set_state")
int BPF_PROG(btf_state, const struct sock *sk, int oldstate, int newstate)
{
	if (is_tcp(sk))
		state_changed(ctx, sk, oldstate, newstate, true);
	return 0;
}

SEC("?tp_btf/tcp_retransmit_skb")
int BPF_PROG(btf_retrans, const struct sock *sk)
{
	if (BPF_CORE_READ(sk, __sk_common.skc_state) == TCP_SYN_SENT)
		connect_ended(ctx, sk, TCP_SYN_SENT);
	return 0;
}

SEC("?raw_tp/inet_sock_set_state")
int BPF_PROG(raw_state, const struct sock *sk, int oldstate, int newstate)
{
	if (is_tcp(sk))
		state_changed(ctx, sk, oldstate, newstate, true);
	return 0;
}

SEC("?raw_tp/tcp_retransmit_skb")
int BPF_PROG(raw_retrans, const struct sock *sk)
{
	if (BPF_CORE_READ(sk, __sk_common.skc_state) == TCP_SYN_SENT)
		connect_ended(ctx, sk, TCP_SYN_SENT);
	return 0;
}

SEC("?tracepoint/sock/inet_sock_set_state")
int tp_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->protocol == IPPROTO_TCP)
		state_changed(ctx, ctx->skaddr, ctx->oldstate, ctx->newstate, true);
	return 0;
}

/*
 * The start of tcp:tcp_retransmit_skb's record. Its context struct changed name across
 * kernels (trace_event_raw_tcp_event_sk_skb before 6.x), but these offsets are the
 * tracepoint's stable format.
 */
struct retransmit_args {
	__u64 common;
	const void *skbaddr;
	const void *skaddr;
	int state;
};

SEC("?tracepoint/tcp/tcp_retransmit_skb")
int tp_retrans(struct retransmit_args *ctx)
{
	if (ctx->state == TCP_SYN_SENT)
		connect_ended(ctx, ctx->skaddr, TCP_SYN_SENT);
	return 0;
}

/*
 * fentry and kprobe variants. A connect from an IPv6 socket to a v4-mapped address runs
 * tcp_v4_connect inside tcp_v6_connect; only the outer one reports it. With --latency the
 * handshake's end comes from the state-change tracepoint (a tp_btf program for fentry,
 * a tracepoint program for kprobe, so each variant needs only what its kind implies).
 */

static __always_inline bool inner_v4_of_v6(const struct sock *sk, bool v4)
{
	return v4 && BPF_CORE_READ(sk, __sk_common.skc_family) == AF_INET6;
}

static __always_inline int connect_returned(void *ctx, const struct sock *sk, int ret, bool v4)
{
	if (ret || inner_v4_of_v6(sk, v4) || !sn_filter_current())
		return 0;
	connect_seen(ctx, sk, true);
	return 0;
}

SEC("?fexit/tcp_v4_connect")
int BPF_PROG(fexit_v4, struct sock *sk, struct sockaddr *uaddr, int addr_len, int ret)
{
	return connect_returned(ctx, sk, ret, true);
}

SEC("?fexit/tcp_v6_connect")
int BPF_PROG(fexit_v6, struct sock *sk, struct sockaddr *uaddr, int addr_len, int ret)
{
	return connect_returned(ctx, sk, ret, false);
}

SEC("?tp_btf/inet_sock_set_state")
int BPF_PROG(fentry_state, const struct sock *sk, int oldstate, int newstate)
{
	if (is_tcp(sk))
		state_changed(ctx, sk, oldstate, newstate, false);
	return 0;
}

static __always_inline int kprobe_entry(struct sock *sk)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 val = (__u64)sk;

	if (!sn_filter_current())
		return 0;
	if (bpf_map_update_elem(&connecting, &tid, &val, BPF_ANY))
		sn_count_drop();
	return 0;
}

static __always_inline int kprobe_return(void *ctx, int ret, bool v4)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	const struct sock *sk;
	__u64 *p;

	p = bpf_map_lookup_elem(&connecting, &tid);
	if (!p)
		return 0;
	sk = (const struct sock *)*p;
	if (inner_v4_of_v6(sk, v4))
		return 0;
	bpf_map_delete_elem(&connecting, &tid);
	if (!ret)
		connect_seen(ctx, sk, true);
	return 0;
}

SEC("?kprobe/tcp_v4_connect")
int BPF_KPROBE(kprobe_v4, struct sock *sk)
{
	return kprobe_entry(sk);
}

SEC("?kretprobe/tcp_v4_connect")
int BPF_KRETPROBE(kretprobe_v4, int ret)
{
	return kprobe_return(ctx, ret, true);
}

SEC("?kprobe/tcp_v6_connect")
int BPF_KPROBE(kprobe_v6, struct sock *sk)
{
	return kprobe_entry(sk);
}

SEC("?kretprobe/tcp_v6_connect")
int BPF_KRETPROBE(kretprobe_v6, int ret)
{
	return kprobe_return(ctx, ret, false);
}

SEC("?tracepoint/sock/inet_sock_set_state")
int kprobe_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->protocol == IPPROTO_TCP)
		state_changed(ctx, ctx->skaddr, ctx->oldstate, ctx->newstate, false);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
