// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "stream.h"

/* Wake the consumer once a CPU's perf buffer is a quarter full. */
#define PERF_WATERMARK_DIV 4
/*
 * How long one poll may spend handing ring-buffer records over. libbpf's consumer returns
 * only when it finds the buffer empty, which a storm of events never lets happen: without
 * a bound, signals, --duration and drop reports would wait for the storm to end. (The perf
 * consumer stops at the head it read first, so it is bounded already.) The clock is read
 * once every RINGBUF_CLOCK_EVERY records.
 */
#define RINGBUF_DRAIN_NS    50000000ULL
#define RINGBUF_CLOCK_EVERY 256

uint64_t sn_stream_ringbuf_size(uint64_t requested)
{
	uint64_t size = (uint64_t)sysconf(_SC_PAGESIZE);

	while (size < requested && size < (1ULL << 31))
		size <<= 1;
	return size;
}

int sn_stream_prepare(struct bpf_object *obj, bool ringbuf, uint64_t size)
{
	struct bpf_map *rb = bpf_object__find_map_by_name(obj, "sn_ringbuf");
	int err;

	if (!rb)
		return -ENOENT;
	if (ringbuf)
		return bpf_map__set_max_entries(rb, sn_stream_ringbuf_size(size));
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1)
		return bpf_map__set_max_entries(rb, sn_stream_ringbuf_size(1));
	/*
	 * A kernel without ring buffers cannot create the map at all; a tiny array takes its
	 * place. The ring-buffer code paths are dead there (pruned through .rodata).
	 */
	err = bpf_map__set_type(rb, BPF_MAP_TYPE_ARRAY);
	err = err ?: bpf_map__set_key_size(rb, sizeof(int));
	err = err ?: bpf_map__set_value_size(rb, sizeof(int));
	return err ?: bpf_map__set_max_entries(rb, 1);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int ringbuf_record(void *ctx, void *data, size_t size)
{
	struct sn_stream *st = ctx;
	int err = st->fn(st->ctx, data, size);

	if (err < 0) {
		st->stop_err = err;
		return err;
	}
	if (st->drained++ % RINGBUF_CLOCK_EVERY)
		return 0;
	if (!st->drain_end) {
		st->drain_end = mono_ns() + RINGBUF_DRAIN_NS;
		return 0;
	}
	/* Stops libbpf's loop; this record is consumed, the rest waits for the next poll. */
	if (mono_ns() >= st->drain_end) {
		st->out_of_time = true;
		return -EAGAIN;
	}
	return 0;
}

struct perf_sample {
	struct perf_event_header header;
	uint32_t size;
	char data[];
};

struct perf_lost {
	struct perf_event_header header;
	uint64_t id;
	uint64_t lost;
};

/*
 * A perf sample's raw data starts 4 bytes past an 8-byte boundary, but commands read their
 * records as structs with 64-bit members (as ring-buffer records are aligned): copy it.
 */
static const void *perf_align(struct sn_stream *st, const struct perf_sample *ps)
{
	void *buf;

	if (!((uintptr_t)ps->data & 7))
		return ps->data;
	if (ps->size > st->aligned_cap) {
		buf = realloc(st->aligned, ps->size);
		if (!buf)
			return NULL;
		st->aligned = buf;
		st->aligned_cap = ps->size;
	}
	return memcpy(st->aligned, ps->data, ps->size);
}

static enum bpf_perf_event_ret perf_event(void *ctx, int cpu, struct perf_event_header *ev)
{
	struct sn_stream *st = ctx;
	const void *data;
	int err;

	switch (ev->type) {
	case PERF_RECORD_SAMPLE:
		data = perf_align(st, (struct perf_sample *)ev);
		err = data ? st->fn(st->ctx, data, ((struct perf_sample *)ev)->size) : -ENOMEM;
		if (err < 0) {
			st->stop_err = err;
			return LIBBPF_PERF_EVENT_DONE;
		}
		return LIBBPF_PERF_EVENT_CONT;
	case PERF_RECORD_LOST:
		st->perf_lost += ((struct perf_lost *)ev)->lost;
		return LIBBPF_PERF_EVENT_CONT;
	default:
		return LIBBPF_PERF_EVENT_CONT;
	}
}

static int open_perf(struct sn_stream *st, struct bpf_object *obj, uint64_t size)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, "sn_perfbuf");
	long page = sysconf(_SC_PAGESIZE);
	int cpus = libbpf_num_possible_cpus();
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_BPF_OUTPUT,
		.sample_type = PERF_SAMPLE_RAW,
		.sample_period = 1,
		.watermark = 1,
	};
	size_t pages = 1;

	if (!map || cpus <= 0)
		return -ENOENT;
	/* Pages per CPU: a power of two, the total about @size. */
	while (pages * 2 * page * cpus <= size)
		pages *= 2;
	attr.wakeup_watermark = pages * page / PERF_WATERMARK_DIV;
	st->pb = perf_buffer__new_raw(bpf_map__fd(map), pages, &attr, perf_event, st, NULL);
	if (!st->pb)
		return -errno;
	return 0;
}

int sn_stream_open(struct sn_stream *st, struct bpf_object *obj, bool ringbuf, uint64_t size,
		   sn_record_fn fn, void *ctx)
{
	struct bpf_map *drops = bpf_object__find_map_by_name(obj, "sn_drops");
	struct bpf_map *rb;

	memset(st, 0, sizeof(*st));
	st->fn = fn;
	st->ctx = ctx;
	st->drops_fd = drops ? bpf_map__fd(drops) : -1;
	if (!ringbuf)
		return open_perf(st, obj, size);
	rb = bpf_object__find_map_by_name(obj, "sn_ringbuf");
	if (!rb)
		return -ENOENT;
	st->rb = ring_buffer__new(bpf_map__fd(rb), ringbuf_record, st, NULL);
	return st->rb ? 0 : -errno;
}

int sn_stream_poll(struct sn_stream *st, int timeout_ms)
{
	int n, m;

	if (st->rb) {
		st->drained = 0;
		st->drain_end = 0;
		st->out_of_time = false;
		n = ring_buffer__poll(st->rb, timeout_ms);
		if (st->out_of_time)
			return st->drained;
		if (n < 0)
			return st->stop_err ? st->stop_err : n;
		/* Records submitted without a wakeup are not signalled: take them anyway. */
		m = ring_buffer__consume(st->rb);
		if (st->out_of_time)
			return st->drained;
	} else {
		n = perf_buffer__poll(st->pb, timeout_ms);
		if (n < 0 && n != -EINTR)
			return st->stop_err ? st->stop_err : n;
		m = perf_buffer__consume(st->pb);
		if (n == -EINTR)
			return st->stop_err ? st->stop_err : -EINTR;
		n = 0;
	}
	if (m < 0)
		return st->stop_err ? st->stop_err : m;
	return n + m;
}

uint64_t sn_stream_dropped(const struct sn_stream *st)
{
	int cpus = libbpf_num_possible_cpus();
	uint64_t total = 0, *values;
	uint32_t zero = 0;

	if (st->drops_fd < 0 || cpus <= 0)
		return 0;
	values = calloc(cpus, sizeof(*values));
	if (!values)
		return 0;
	if (!bpf_map_lookup_elem(st->drops_fd, &zero, values))
		for (int i = 0; i < cpus; i++)
			total += values[i];
	free(values);
	return total;
}

void sn_stream_close(struct sn_stream *st)
{
	ring_buffer__free(st->rb);
	perf_buffer__free(st->pb);
	free(st->aligned);
	st->rb = NULL;
	st->pb = NULL;
	st->aligned = NULL;
	st->aligned_cap = 0;
}
