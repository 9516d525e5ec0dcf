/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* sysnoop tcpconnect: what the BPF side and user space share. */
#ifndef SN_TCPCONNECT_H
#define SN_TCPCONNECT_H

#include "sn_abi.h"

#define TCP_PORTS_MAX   16    /* destination ports in one -P list */
#define TCP_SUMMARY_MAX 16384 /* distinct (source, destination, port) rows of --summary */
#define TCP_PENDING_MAX 16384 /* connects whose handshake is under way, kept by socket */

/* Values of the rodata `mode`. */
#define TCP_MODE_STREAM  0 /* a record per connect */
#define TCP_MODE_LATENCY 1 /* a record per connect once its handshake has ended */
#define TCP_MODE_SUMMARY 2 /* counts in the kernel, read at the end */

/* sn_hdr.type */
#define TCP_REC_CONNECT 1

/* Both ends of a connection; also the --summary key, with sport 0. */
struct tcp_addrs {
	__u8 saddr[16]; /* IPv4: the first 4 bytes */
	__u8 daddr[16];
	__u16 family;   /* AF_INET or AF_INET6 */
	__u16 dport;    /* host order */
	__u16 sport;
	__u16 pad;
};

struct tcpconnect_event {
	struct sn_hdr hdr; /* the connecting task, and when it connected */
	struct tcp_addrs addrs;
	__u64 lat_ns; /* --latency: from the SYN to the handshake's end */
	__s32 err;    /* --latency: 0 established, or the errno the attempt failed with */
	__u32 pad;
};

#endif /* SN_TCPCONNECT_H */
