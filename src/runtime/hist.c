// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <inttypes.h>
#include <string.h>

#include "hist.h"

#define BAR_WIDTH 40

void sn_hist_merge(struct sn_hist *dst, const struct sn_hist *src)
{
	if (!src->count)
		return;
	for (int i = 0; i < SN_HIST_SLOTS; i++)
		dst->slots[i] += src->slots[i];
	if (!dst->count || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum += src->sum;
}

static uint32_t nr_slots(const struct sn_hist_layout *l)
{
	return l->linear ? (l->nr <= SN_HIST_SLOTS ? l->nr : SN_HIST_SLOTS) : SN_HIST_SLOTS;
}

void sn_hist_slot_range(const struct sn_hist_layout *l, uint32_t slot, int64_t *low,
			int64_t *high)
{
	if (l->linear) {
		uint32_t n = nr_slots(l);

		if (slot == 0) {
			*low = INT64_MIN;
			*high = l->min;
		} else if (slot >= n - 1) {
			*low = l->min + l->step * (int64_t)(n - 2);
			*high = INT64_MAX;
		} else {
			*low = l->min + l->step * (int64_t)(slot - 1);
			*high = *low + l->step;
		}
		return;
	}
	if (slot == 0) {
		*low = 0;
		*high = 1;
	} else {
		*low = slot >= 64 ? INT64_MAX : (int64_t)(1ULL << (slot - 1));
		*high = slot >= 63 ? INT64_MAX : (int64_t)(1ULL << slot);
	}
}

double sn_hist_percentile(const struct sn_hist *h, const struct sn_hist_layout *l, double p)
{
	double target = h->count * p / 100.0, seen = 0, low, high, v;
	uint32_t n = nr_slots(l);
	int64_t lo, hi;

	if (!h->count)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		if (!h->slots[i] || seen + h->slots[i] < target) {
			seen += h->slots[i];
			continue;
		}
		sn_hist_slot_range(l, i, &lo, &hi);
		/* Open-ended buckets interpolate between the observed extremes. */
		low = lo == INT64_MIN ? (double)(int64_t)h->min : (double)lo;
		high = hi == INT64_MAX ? (double)h->max : (double)hi;
		if (low < (double)h->min && !l->linear)
			low = (double)h->min;
		if (high > (double)h->max + 1)
			high = (double)h->max + 1;
		v = low + (high - low) * (target - seen) / h->slots[i];
		if (v < (double)h->min)
			v = (double)h->min;
		if (v > (double)h->max)
			v = (double)h->max;
		return v;
	}
	return (double)h->max;
}

static void bar(FILE *out, uint64_t count, uint64_t peak)
{
	int n = peak ? (int)((count * BAR_WIDTH + peak - 1) / peak) : 0;

	fputc('|', out);
	for (int i = 0; i < BAR_WIDTH; i++)
		fputc(i < n ? '*' : ' ', out);
	fputc('|', out);
}

void sn_hist_print(FILE *out, const struct sn_hist *h, const struct sn_hist_layout *l,
		   const char *unit)
{
	uint32_t n = nr_slots(l), first = n, last = 0;
	uint64_t peak = 0;
	int64_t lo, hi;
	char left[32], right[32];

	for (uint32_t i = 0; i < n; i++) {
		if (!h->slots[i])
			continue;
		if (first == n)
			first = i;
		last = i;
		if (h->slots[i] > peak)
			peak = h->slots[i];
	}
	fprintf(out, "%24s : count    distribution\n", unit);
	for (uint32_t i = first; first < n && i <= last; i++) {
		sn_hist_slot_range(l, i, &lo, &hi);
		if (lo == INT64_MIN)
			snprintf(left, sizeof(left), "< %" PRId64, hi);
		else
			snprintf(left, sizeof(left), "%" PRId64, lo);
		if (hi == INT64_MAX)
			snprintf(right, sizeof(right), "...");
		else if (lo == INT64_MIN)
			right[0] = '\0';
		else
			snprintf(right, sizeof(right), "%" PRId64, l->linear ? hi : hi - 1);
		if (right[0])
			fprintf(out, "%10s -> %-10s : %-8" "llu" " ", left, right, h->slots[i]);
		else
			fprintf(out, "%24s : %-8" "llu" " ", left, h->slots[i]);
		bar(out, h->slots[i], peak);
		fputc('\n', out);
	}
	if (!h->count) {
		fprintf(out, "%24s\n", "(no samples)");
		return;
	}
	fprintf(out, "count %" "llu" ", average %.1f, min %" "llu" ", max %" "llu"
		     ", p50 %.0f, p90 %.0f, p99 %.0f (%s)\n",
		h->count, (double)h->sum / h->count, h->min, h->max, sn_hist_percentile(h, l, 50),
		sn_hist_percentile(h, l, 90), sn_hist_percentile(h, l, 99), unit);
}

void sn_hist_json(struct sn_buf *b, const struct sn_hist *h, const struct sn_hist_layout *l)
{
	uint32_t n = nr_slots(l);
	int64_t lo, hi;
	bool first = true;

	sn_buf_printf(b, "{\"count\":%" "llu" ",\"sum\":%" "llu", h->count, h->sum);
	if (h->count)
		sn_buf_printf(b, ",\"min\":%" "llu" ",\"max\":%" "llu" ",\"avg\":%.3f,\"p50\":%.1f,"
				 "\"p90\":%.1f,\"p99\":%.1f",
			      h->min, h->max, (double)h->sum / h->count, sn_hist_percentile(h, l, 50),
			      sn_hist_percentile(h, l, 90), sn_hist_percentile(h, l, 99));
	sn_buf_puts(b, ",\"buckets\":[");
	for (uint32_t i = 0; i < n; i++) {
		if (!h->slots[i])
			continue;
		sn_hist_slot_range(l, i, &lo, &hi);
		sn_buf_puts(b, first ? "{" : ",{");
		first = false;
		if (lo == INT64_MIN)
			sn_buf_puts(b, "\"low\":null");
		else
			sn_buf_printf(b, "\"low\":%" PRId64, lo);
		if (hi == INT64_MAX)
			sn_buf_puts(b, ",\"high\":null");
		else
			sn_buf_printf(b, ",\"high\":%" PRId64, hi);
		sn_buf_printf(b, ",\"count\":%" "llu" "}", h->slots[i]);
	}
	sn_buf_puts(b, "]}");
}
