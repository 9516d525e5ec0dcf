// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Histogram maths: the BPF bucket functions (compiled here too), merging, percentiles. */
#include <stdlib.h>
#include <string.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#include "runtime/hist.h"
#include "sn_hist.bpf.h"
#include "json.h"
#include "test.h"

static const struct sn_hist_layout log2 = { 0 };

static void add(struct sn_hist *h, uint64_t v)
{
	sn_hist_add(h, sn_hist_log2_slot(v), v);
}

TEST(hist_log2_slots)
{
	CHECK(sn_hist_log2_slot(0) == 0 && sn_hist_log2_slot(1) == 1);
	CHECK(sn_hist_log2_slot(2) == 2 && sn_hist_log2_slot(3) == 2 && sn_hist_log2_slot(4) == 3);
	CHECK(sn_hist_log2_slot(1023) == 10 && sn_hist_log2_slot(1024) == 11);
	CHECK(sn_hist_log2_slot(~0ULL) == SN_HIST_SLOTS - 1);
	/* Every value falls inside the range its slot reports. */
	for (uint64_t v = 1; v < (1ULL << 40); v = v * 3 + 1) {
		int64_t lo, hi;

		sn_hist_slot_range(&log2, sn_hist_log2_slot(v), &lo, &hi);
		CHECK((int64_t)v >= lo && (int64_t)v < hi, "%llu not in [%lld, %lld)",
		      (unsigned long long)v, (long long)lo, (long long)hi);
	}
	return 0;
}

TEST(hist_linear_slots)
{
	const struct sn_hist_layout lin = { true, 0, 10, 12 }; /* [0,100) in 10s + under/over */
	int64_t lo, hi;

	CHECK(sn_hist_linear_slot(-1, 0, 10, 12) == 0, "underflow");
	CHECK(sn_hist_linear_slot(0, 0, 10, 12) == 1 && sn_hist_linear_slot(9, 0, 10, 12) == 1);
	CHECK(sn_hist_linear_slot(95, 0, 10, 12) == 10);
	CHECK(sn_hist_linear_slot(100, 0, 10, 12) == 11 && sn_hist_linear_slot(1000, 0, 10, 12) == 11);
	sn_hist_slot_range(&lin, 3, &lo, &hi);
	CHECK(lo == 20 && hi == 30);
	sn_hist_slot_range(&lin, 11, &lo, &hi);
	CHECK(lo == 100 && hi == INT64_MAX);
	return 0;
}

TEST(hist_percentiles_and_merge)
{
	struct sn_hist a = {}, b = {}, m = {};
	double p50, p99;

	for (int i = 0; i < 90; i++)
		add(&a, 1000); /* slot [512, 1024) */
	for (int i = 0; i < 10; i++)
		add(&b, 100000);
	sn_hist_merge(&m, &a);
	sn_hist_merge(&m, &b);
	CHECK(m.count == 100 && m.min == 1000 && m.max == 100000 && m.sum == 90000 + 1000000);
	p50 = sn_hist_percentile(&m, &log2, 50);
	p99 = sn_hist_percentile(&m, &log2, 99);
	CHECK(p50 >= 512 && p50 <= 1024, "p50 %f", p50);
	CHECK(p99 >= 65536 && p99 <= 100000, "p99 %f", p99);
	CHECK(sn_hist_percentile(&(struct sn_hist){ 0 }, &log2, 50) == 0, "empty");
	return 0;
}

TEST(hist_print_and_json)
{
	struct sn_hist h = {};
	struct sn_buf b = {};
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	add(&h, 3);
	add(&h, 3);
	add(&h, 10);
	sn_hist_print(f, &h, &log2, "usecs");
	fclose(f);
	CHECK(strstr(out, "usecs : count    distribution"), "%s", out);
	CHECK(strstr(out, "2 -> 3          : 2        |****************************************|"),
	      "%s", out);
	CHECK(strstr(out, "8 -> 15         : 1        |********************                    |"),
	      "%s", out);
	CHECK(strstr(out, "count 3, average 5.3, min 3, max 10"), "%s", out);
	sn_hist_json(&b, &h, &log2);
	CHECK(json_valid(b.data, b.len), "%s", b.data);
	CHECK(strstr(b.data, "{\"low\":2,\"high\":4,\"count\":2}"), "%s", b.data);
	free(out);
	sn_buf_free(&b);
	return 0;
}
