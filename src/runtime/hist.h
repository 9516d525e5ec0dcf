/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Histograms in user space: merging per-CPU copies, percentiles estimated from buckets,
 * the classic "usecs : count distribution" print, and JSON.
 */
#ifndef SN_RT_HIST_H
#define SN_RT_HIST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "sn_hist.h"

/* How slots map to values. */
struct sn_hist_layout {
	bool linear;
	int64_t min;   /* linear: the low edge of slot 1 */
	int64_t step;  /* linear: the width of each slot */
	uint32_t nr;   /* linear: slots used, under- and overflow included */
};

/* Adds @src into @dst (per-CPU copies into one). */
void sn_hist_merge(struct sn_hist *dst, const struct sn_hist *src);

/* The value range [low, high) of @slot. */
void sn_hist_slot_range(const struct sn_hist_layout *l, uint32_t slot, int64_t *low,
			int64_t *high);

/*
 * The @p-th percentile (0 < p < 100), estimated by interpolating inside the bucket that
 * holds it, clamped to [min, max]. 0 for an empty histogram.
 */
double sn_hist_percentile(const struct sn_hist *h, const struct sn_hist_layout *l, double p);

/*
 * Prints the classic layout: "@unit : count distribution" with a bar per bucket, from the
 * first to the last non-empty bucket; then count, average, min, max, p50, p90, p99.
 */
void sn_hist_print(FILE *out, const struct sn_hist *h, const struct sn_hist_layout *l,
		   const char *unit);

/* Appends {"count":..,"sum":..,"min":..,"max":..,"p50":..,"buckets":[{"low":..}...]}. */
void sn_hist_json(struct sn_buf *b, const struct sn_hist *h, const struct sn_hist_layout *l);

#endif /* SN_RT_HIST_H */
