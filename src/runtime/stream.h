/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The transport from the kernel: the ring buffer, or a perf buffer on kernels without one.
 * Both batch wakeups (the BPF side wakes us only past a high-water mark; the perf buffer
 * with a wakeup watermark), so user space drains on a short timer. Losses are counted in
 * the kernel, never silent.
 */
#ifndef SN_STREAM_H
#define SN_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bpf_object;
struct ring_buffer;
struct perf_buffer;

/* Gets each record; a negative return stops the drain and is passed up. */
typedef int (*sn_record_fn)(void *ctx, const void *data, size_t size);

struct sn_stream {
	struct ring_buffer *rb;
	struct perf_buffer *pb;
	int drops_fd;          /* per-CPU counter of records the kernel could not hand over */
	uint64_t perf_lost;    /* PERF_RECORD_LOST totals (the same losses, seen by perf) */
	sn_record_fn fn;
	void *ctx;
	int stop_err;          /* what the callback returned to stop */
	/* The current sn_stream_poll: records handled, when it must return, whether it did. */
	unsigned int drained;
	uint64_t drain_end;
	bool out_of_time;
	void *aligned;         /* perf records copied to 8-byte alignment */
	size_t aligned_cap;
};

/* The ring-buffer size to configure before load: a power of two, at least a page. */
uint64_t sn_stream_ringbuf_size(uint64_t requested);

/*
 * Sets up the maps of @obj before load: the ring buffer sized @size, or a minimal one when
 * @ringbuf is false. Call between open and load.
 */
int sn_stream_prepare(struct bpf_object *obj, bool ringbuf, uint64_t size);

/* After load: opens the consumer. @size is the total buffer size (perf: over all CPUs). */
int sn_stream_open(struct sn_stream *st, struct bpf_object *obj, bool ringbuf, uint64_t size,
		   sn_record_fn fn, void *ctx);

/*
 * Waits up to @timeout_ms for a wakeup, then drains what is pending, for 50 ms at most so
 * that a producer faster than us cannot keep us here. Returns the number of records
 * handled, -EINTR on a signal, or the callback's error.
 */
int sn_stream_poll(struct sn_stream *st, int timeout_ms);

/* Records the kernel dropped, summed over CPUs. */
uint64_t sn_stream_dropped(const struct sn_stream *st);

void sn_stream_close(struct sn_stream *st);

#endif /* SN_STREAM_H */
