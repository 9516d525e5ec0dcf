// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * sysnoop bio: one record per completed block request, with its issuer, disk, operation,
 * size and latency. The request tracking is bio_req.bpf.h's; this only reports.
 */
#include "vmlinux.h"
#include "bio.h"
#define SN_RECORD_MAX sizeof(struct bio_event)
#include "sn_common.bpf.h"
#include "bio_req.bpf.h"

const volatile __u64 min_lat_ns = 0;

static __always_inline void bio_on_done(void *ctx, const struct bio_req *r, __u64 now)
{
	__u64 lat = now - r->issue_ns;
	struct bio_event *e;

	if (lat < min_lat_ns)
		return;
	e = sn_reserve(sizeof(*e));
	if (!e)
		return;
	__builtin_memcpy(&e->hdr, &r->issuer, sizeof(e->hdr));
	e->hdr.ts_ns = now;
	e->sector = r->sector;
	e->lat_ns = lat;
	e->dev = r->dev;
	e->bytes = r->bytes;
	if (r->start_ns) {
		e->flags = BIO_F_QUEUE_KNOWN;
		e->queue_ns = r->issue_ns - r->start_ns;
	} else {
		e->flags = 0;
		e->queue_ns = 0;
	}
	__builtin_memcpy(e->rwbs, r->rwbs, sizeof(e->rwbs));
	sn_submit(ctx, e, sizeof(*e));
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
