/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Block requests followed from start to completion, shared by bio and biolat. Include after
 * vmlinux.h, bio.h and sn_common.bpf.h, having declared
 *
 *	static __always_inline void bio_on_done(void *ctx, const struct bio_req *r, __u64 now);
 *
 * which is called once for each completed request that passed the filters.
 *
 * The issuer of a request is the task that started it: block_io_start (6.5+) fires in the
 * submitter's context when a bio becomes a request; older kernels have only block_rq_insert,
 * in the context that queued it. A request first seen at its issue (in flight when tracing
 * began, the flush machinery's own requests, requests issued without being queued on older
 * kernels) is the issuing task's, which may be a kworker. The common filters apply to that
 * issuer, where it is seen.
 *
 * Completion is block_rq_complete, which fires for every request. block_io_done is not used:
 * the kernel calls it only for requests that carry timestamps (iostats, blk-stat or an I/O
 * scheduler), so with iostats off and no scheduler completions would vanish.
 *
 * tp_btf and raw_tp key requests by their struct request *. Classic tracepoints give only
 * dev, sector and rwbs, so they key by those; a request whose first sector a front merge
 * moved between start and issue is then seen as new at issue.
 */
#ifndef SN_BIO_REQ_BPF_H
#define SN_BIO_REQ_BPF_H

/* Requests tracked at once: in flight, or started and not yet issued. */
#define BIO_MAX_INFLIGHT 16384

/* The low REQ_OP_BITS (8) bits of cmd_flags are the operation, since 4.10. */
#define BIO_REQ_OP_MASK 0xff

struct bio_req {
	struct sn_hdr issuer;
	__u64 start_ns; /* block_io_start or block_rq_insert; 0 if first seen at issue */
	__u64 issue_ns; /* 0 until issued */
	__u64 sector;
	__u32 dev;
	__u32 bytes;
	__u32 filtered; /* started by a task the filters leave out: never reported */
	char rwbs[BIO_RWBS_LEN];
};

/*
 * Classic tracepoints' key; op is the rwbs operation letter, so that a read and a write of
 * one sector in flight together stay apart.
 */
struct bio_tp_key {
	__u64 sector;
	__u32 dev;
	__u32 op;
};

const volatile struct bio_disk_filter bio_disk = { .sector_hi = ~0ULL };

extern int LINUX_KERNEL_VERSION __kconfig;

/*
 * Keyed by struct request * (tp_btf, raw_tp). Not LRU: a full map is a counted drop, never a
 * silently evicted request in flight.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BIO_MAX_INFLIGHT);
	__type(key, __u64);
	__type(value, struct bio_req);
} bio_reqs SEC(".maps");

/*
 * Keyed by bio_tp_key (classic tracepoints). LRU, since a key moved by a front merge is never
 * completed and would otherwise stay forever.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, BIO_MAX_INFLIGHT);
	__type(key, struct bio_tp_key);
	__type(value, struct bio_req);
} bio_tp_reqs SEC(".maps");

static __always_inline void bio_on_done(void *ctx, const struct bio_req *r, __u64 now);

static __always_inline bool bio_disk_wanted(__u32 dev, __u64 sector)
{
	if (!bio_disk.dev)
		return true;
	return dev == bio_disk.dev && sector >= bio_disk.sector_lo && sector < bio_disk.sector_hi;
}

/* A request seen at its start: remembered with its issuer, unless the disk is not wanted. */
static __always_inline int bio_req_start(void *map, const void *key, __u32 dev, __u64 sector)
{
	struct bio_req *old = bpf_map_lookup_elem(map, key);
	struct bio_req r = {};

	/* Issued already: a requeued request inserted again; it keeps its issuer. */
	if (old && old->issue_ns)
		return 0;
	if (!bio_disk_wanted(dev, sector)) {
		/* A request never completed (merged away) must not lend its issuer to this one. */
		if (old)
			bpf_map_delete_elem(map, key);
		return 0;
	}
	/* Remembered even when filtered out, so that the issuing kworker does not adopt it. */
	r.filtered = !sn_filter_current();
	sn_fill_hdr(&r.issuer, BIO_REC_IO);
	r.start_ns = r.issuer.ts_ns;
	if (bpf_map_update_elem(map, key, &r, BPF_ANY))
		sn_count_drop();
	return 0;
}

static __always_inline void bio_set_issue(struct bio_req *r, __u32 dev, __u64 sector, __u32 bytes,
					  const char *rwbs)
{
	r->issue_ns = bpf_ktime_get_ns();
	r->dev = dev;
	r->sector = sector;
	r->bytes = bytes;
	__builtin_memcpy(r->rwbs, rwbs, BIO_RWBS_LEN);
}

/* A request handed to the driver: what it is now (merges are over) and when. */
static __always_inline int bio_req_issue(void *map, const void *key, __u32 dev, __u64 sector,
					 __u32 bytes, const char *rwbs)
{
	struct bio_req *r = bpf_map_lookup_elem(map, key);
	struct bio_req fresh = {};

	if (r) {
		if (r->filtered)
			bpf_map_delete_elem(map, key);
		else
			bio_set_issue(r, dev, sector, bytes, rwbs);
		return 0;
	}
	if (!bio_disk_wanted(dev, sector) || !sn_filter_current())
		return 0;
	sn_fill_hdr(&fresh.issuer, BIO_REC_IO);
	bio_set_issue(&fresh, dev, sector, bytes, rwbs);
	if (bpf_map_update_elem(map, key, &fresh, BPF_ANY))
		sn_count_drop();
	return 0;
}

static __always_inline int bio_req_done(void *ctx, void *map, const void *key)
{
	struct bio_req *r = bpf_map_lookup_elem(map, key);

	if (!r)
		return 0;
	/* Not issued: ended by the flush machinery or failed before reaching the driver. */
	if (r->issue_ns && !r->filtered)
		bio_on_done(ctx, r, bpf_ktime_get_ns());
	bpf_map_delete_elem(map, key);
	return 0;
}

/*
 * rwbs as blk_fill_rwbs() writes it: F for a preflush, the operation (R, W, D, DE, F, Z*
 * for zone operations, N for others), then F (FUA), A (readahead), S (sync), M (meta) and
 * U (atomic). Flag bits moved between kernels: CO-RE gives this kernel's. Built in two
 * words, since older verifiers refuse a variable offset into the stack.
 */
#define BIO_REQ_BIT(name) (1ULL << bpf_core_enum_value(enum req_flag_bits, name))

struct bio_rwbs {
	__u64 w[2];
	__u32 n;
};

static __always_inline void bio_rwbs_put(struct bio_rwbs *b, char c)
{
	__u32 n = b->n;

	if (n < 8)
		b->w[0] |= (__u64)(unsigned char)c << (n * 8);
	else if (n < BIO_RWBS_LEN - 1)
		b->w[1] |= (__u64)(unsigned char)c << ((n - 8) * 8);
	b->n = n + 1;
}

/* The value of zone operation @name in enum req_op (6.0+), or -1 where it has none. */
#define BIO_ZONE_OP(name)                                                                      \
	(bpf_core_enum_value_exists(enum req_op, name) ?                                       \
		 (long)bpf_core_enum_value(enum req_op, name) :                                \
		 -1L)

static __always_inline void bio_fill_rwbs(char rwbs[BIO_RWBS_LEN], __u64 opf)
{
	long op = opf & BIO_REQ_OP_MASK;
	struct bio_rwbs b = {};

	if (opf & BIO_REQ_BIT(__REQ_PREFLUSH))
		bio_rwbs_put(&b, 'F');
	/* Read, write, flush, discard and secure erase kept their values since 4.10. */
	if (op == 0) {
		bio_rwbs_put(&b, 'R');
	} else if (op == 1) {
		bio_rwbs_put(&b, 'W');
	} else if (op == 2) {
		bio_rwbs_put(&b, 'F');
	} else if (op == 3) {
		bio_rwbs_put(&b, 'D');
	} else if (op == 5) {
		bio_rwbs_put(&b, 'D');
		bio_rwbs_put(&b, 'E');
	} else if (op == BIO_ZONE_OP(REQ_OP_ZONE_APPEND)) {
		bio_rwbs_put(&b, 'Z');
		bio_rwbs_put(&b, 'A');
	} else if (op == BIO_ZONE_OP(REQ_OP_ZONE_RESET)) {
		bio_rwbs_put(&b, 'Z');
		bio_rwbs_put(&b, 'R');
	} else if (op == BIO_ZONE_OP(REQ_OP_ZONE_RESET_ALL)) {
		bio_rwbs_put(&b, 'Z');
		bio_rwbs_put(&b, 'R');
		bio_rwbs_put(&b, 'A');
	} else if (op == BIO_ZONE_OP(REQ_OP_ZONE_FINISH)) {
		bio_rwbs_put(&b, 'Z');
		bio_rwbs_put(&b, 'F');
	} else if (op == BIO_ZONE_OP(REQ_OP_ZONE_OPEN)) {
		bio_rwbs_put(&b, 'Z');
		bio_rwbs_put(&b, 'O');
	} else if (op == BIO_ZONE_OP(REQ_OP_ZONE_CLOSE)) {
		bio_rwbs_put(&b, 'Z');
		bio_rwbs_put(&b, 'C');
	} else {
		bio_rwbs_put(&b, 'N');
	}
	if (opf & BIO_REQ_BIT(__REQ_FUA))
		bio_rwbs_put(&b, 'F');
	if (opf & BIO_REQ_BIT(__REQ_RAHEAD))
		bio_rwbs_put(&b, 'A');
	if (opf & BIO_REQ_BIT(__REQ_SYNC))
		bio_rwbs_put(&b, 'S');
	if (opf & BIO_REQ_BIT(__REQ_META))
		bio_rwbs_put(&b, 'M');
	if (bpf_core_enum_value_exists(enum req_flag_bits, __REQ_ATOMIC) &&
	    (opf & BIO_REQ_BIT(__REQ_ATOMIC)))
		bio_rwbs_put(&b, 'U');
	__builtin_memcpy(rwbs, b.w, sizeof(b.w) < BIO_RWBS_LEN ? sizeof(b.w) : BIO_RWBS_LEN);
}

/* ---- tp_btf and raw_tp: the struct request itself ---- */

/* Before 5.19 (f3fa33acca9f) a request pointed at its disk itself. */
struct request___rq_disk {
	struct gendisk *rq_disk;
} __attribute__((preserve_access_index));

/* The whole disk's dev_t, as the block tracepoints report it. */
static __always_inline __u32 bio_rq_dev(struct request *rq)
{
	struct request___rq_disk *old = (void *)rq;
	struct gendisk *disk;

	if (bpf_core_field_exists(old->rq_disk))
		disk = BPF_CORE_READ(old, rq_disk);
	else
		disk = BPF_CORE_READ(rq, q, disk);
	if (!disk)
		return 0;
	return BIO_MKDEV(BPF_CORE_READ(disk, major), BPF_CORE_READ(disk, first_minor));
}

/* As blk_rq_trace_sector(): 0 for requests without one (passthrough). */
static __always_inline __u64 bio_rq_sector(struct request *rq)
{
	__u64 sector = BPF_CORE_READ(rq, __sector);

	return sector == ~0ULL ? 0 : sector;
}

/* Until 5.11 (a54895fa057c) insert and issue passed the request_queue before the request. */
static __always_inline struct request *bio_rq_arg(unsigned long long *ctx)
{
	if (LINUX_KERNEL_VERSION < KERNEL_VERSION(5, 11, 0))
		return (struct request *)ctx[1];
	return (struct request *)ctx[0];
}

static __always_inline int bio_rq_start(struct request *rq)
{
	__u64 key = (__u64)rq;

	return bio_req_start(&bio_reqs, &key, bio_rq_dev(rq), bio_rq_sector(rq));
}

static __always_inline int bio_rq_issue(struct request *rq)
{
	char rwbs[BIO_RWBS_LEN] = {};
	__u64 key = (__u64)rq;

	bio_fill_rwbs(rwbs, BPF_CORE_READ(rq, cmd_flags));
	return bio_req_issue(&bio_reqs, &key, bio_rq_dev(rq), bio_rq_sector(rq),
			     BPF_CORE_READ(rq, __data_len), rwbs);
}

static __always_inline int bio_rq_complete(void *ctx, struct request *rq, unsigned int nr_bytes)
{
	__u64 key = (__u64)rq;

	/* A partial completion leaves bytes for another call: the request ends with that one. */
	if (nr_bytes < BPF_CORE_READ(rq, __data_len))
		return 0;
	return bio_req_done(ctx, &bio_reqs, &key);
}

/* block_rq_merge: the request merged into another goes away without completing. */
static __always_inline int bio_rq_forget(struct request *rq)
{
	__u64 key = (__u64)rq;

	bpf_map_delete_elem(&bio_reqs, &key);
	return 0;
}

SEC("?tp_btf/block_io_start")
int BPF_PROG(btf_io_start, struct request *rq)
{
	return bio_rq_start(rq);
}

SEC("?tp_btf/block_rq_insert")
int BPF_PROG(btf_rq_insert)
{
	return bio_rq_start(bio_rq_arg(ctx));
}

SEC("?tp_btf/block_rq_issue")
int BPF_PROG(btf_rq_issue)
{
	return bio_rq_issue(bio_rq_arg(ctx));
}

SEC("?tp_btf/block_rq_complete")
int BPF_PROG(btf_rq_complete, struct request *rq, int error, unsigned int nr_bytes)
{
	return bio_rq_complete(ctx, rq, nr_bytes);
}

SEC("?tp_btf/block_rq_merge")
int BPF_PROG(btf_rq_merge, struct request *rq)
{
	return bio_rq_forget(rq);
}

SEC("?raw_tp/block_io_start")
int BPF_PROG(raw_io_start, struct request *rq)
{
	return bio_rq_start(rq);
}

SEC("?raw_tp/block_rq_insert")
int BPF_PROG(raw_rq_insert)
{
	return bio_rq_start(bio_rq_arg(ctx));
}

SEC("?raw_tp/block_rq_issue")
int BPF_PROG(raw_rq_issue)
{
	return bio_rq_issue(bio_rq_arg(ctx));
}

SEC("?raw_tp/block_rq_complete")
int BPF_PROG(raw_rq_complete, struct request *rq, int error, unsigned int nr_bytes)
{
	return bio_rq_complete(ctx, rq, nr_bytes);
}

SEC("?raw_tp/block_rq_merge")
int BPF_PROG(raw_rq_merge, struct request *rq)
{
	return bio_rq_forget(rq);
}

/* ---- classic tracepoints: dev, sector and rwbs from the record ---- */

/* block_rq_complete's record type was renamed when block_rq_error came (d5869fdc189f). */
struct trace_event_raw_block_rq_completion___x {
	dev_t dev;
	sector_t sector;
	unsigned int nr_sector;
	char rwbs[8];
} __attribute__((preserve_access_index));

struct trace_event_raw_block_rq_complete___x {
	dev_t dev;
	sector_t sector;
	unsigned int nr_sector;
	char rwbs[8];
} __attribute__((preserve_access_index));

/* The operation letter: the first of rwbs after a preflush F ("FWS" is a write). */
static __always_inline __u32 bio_tp_op(const char *rwbs)
{
	char c = rwbs[1];

	if (rwbs[0] == 'F' && (c == 'R' || c == 'W' || c == 'D' || c == 'F' || c == 'Z' ||
			       c == 'N'))
		return c;
	return rwbs[0];
}

/* Key and rwbs of a block_rq class record (block_io_start, insert, issue, merge). */
static __always_inline void bio_tp_rq(struct trace_event_raw_block_rq *ctx, struct bio_tp_key *key,
				      char rwbs[BIO_RWBS_LEN])
{
	bpf_probe_read_kernel_str(rwbs, BIO_RWBS_LEN, ctx->rwbs);
	key->dev = ctx->dev;
	key->sector = ctx->sector;
	key->op = bio_tp_op(rwbs);
}

static __always_inline int bio_tp_start(struct trace_event_raw_block_rq *ctx)
{
	char rwbs[BIO_RWBS_LEN] = {};
	struct bio_tp_key key = {};

	bio_tp_rq(ctx, &key, rwbs);
	return bio_req_start(&bio_tp_reqs, &key, key.dev, key.sector);
}

SEC("?tracepoint/block/block_io_start")
int tp_io_start(struct trace_event_raw_block_rq *ctx)
{
	return bio_tp_start(ctx);
}

SEC("?tracepoint/block/block_rq_insert")
int tp_rq_insert(struct trace_event_raw_block_rq *ctx)
{
	return bio_tp_start(ctx);
}

SEC("?tracepoint/block/block_rq_issue")
int tp_rq_issue(struct trace_event_raw_block_rq *ctx)
{
	char rwbs[BIO_RWBS_LEN] = {};
	struct bio_tp_key key = {};

	bio_tp_rq(ctx, &key, rwbs);
	return bio_req_issue(&bio_tp_reqs, &key, key.dev, key.sector, ctx->bytes, rwbs);
}

SEC("?tracepoint/block/block_rq_merge")
int tp_rq_merge(struct trace_event_raw_block_rq *ctx)
{
	char rwbs[BIO_RWBS_LEN] = {};
	struct bio_tp_key key = {};

	bio_tp_rq(ctx, &key, rwbs);
	bpf_map_delete_elem(&bio_tp_reqs, &key);
	return 0;
}

/*
 * The record gives the sector as it is now: after a partial completion it has moved on, so
 * the request is reported at its first completion here. Read through probes: the compiler
 * may merge the two layouts' loads into one from a computed offset, which the verifier
 * refuses for direct context access.
 */
SEC("?tracepoint/block/block_rq_complete")
int tp_rq_complete(void *ctx)
{
	char rwbs[BIO_RWBS_LEN] = {};
	struct bio_tp_key key = {};

	if (bpf_core_type_exists(struct trace_event_raw_block_rq_completion___x)) {
		struct trace_event_raw_block_rq_completion___x *rec = ctx;

		bpf_probe_read_kernel_str(rwbs, BIO_RWBS_LEN, rec->rwbs);
		key.dev = BPF_CORE_READ(rec, dev);
		key.sector = BPF_CORE_READ(rec, sector);
	} else {
		struct trace_event_raw_block_rq_complete___x *rec = ctx;

		bpf_probe_read_kernel_str(rwbs, BIO_RWBS_LEN, rec->rwbs);
		key.dev = BPF_CORE_READ(rec, dev);
		key.sector = BPF_CORE_READ(rec, sector);
	}
	key.op = bio_tp_op(rwbs);
	return bio_req_done(ctx, &bio_tp_reqs, &key);
}

#endif /* SN_BIO_REQ_BPF_H */
