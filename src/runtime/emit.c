// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "emit.h"

#define TIME_TITLE "TIME"
#define TIME_WIDTH 16

void sn_emit_init(struct sn_emit *e, FILE *out, bool json, bool timestamp)
{
	struct timespec mono, real;

	memset(e, 0, sizeof(*e));
	e->out = out;
	e->json = json;
	e->timestamp = timestamp;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	e->mono_to_real_ns = ((int64_t)real.tv_sec - mono.tv_sec) * 1000000000LL +
			     (real.tv_nsec - mono.tv_nsec);
}

void sn_emit_free(struct sn_emit *e)
{
	sn_buf_free(&e->row);
}

/* Writes @v in decimal ending just before @end; returns where it starts. */
static char *u64_digits(char *end, uint64_t v)
{
	do {
		*--end = '0' + v % 10;
		v /= 10;
	} while (v);
	return end;
}

/* Decimal numbers without printf: the emitter's hot path on a busy system. */
static void put_u64(struct sn_buf *b, uint64_t v)
{
	char digits[24], *end = digits + sizeof(digits);
	char *start = u64_digits(end, v);

	sn_buf_put(b, start, end - start);
}

static void put_s64(struct sn_buf *b, int64_t v)
{
	if (v < 0) {
		sn_buf_putc(b, '-');
		put_u64(b, -(uint64_t)v);
	} else {
		put_u64(b, v);
	}
}

/* @v zero-padded to @width digits. */
static void put_padded(char *out, uint64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--, v /= 10)
		out[i] = '0' + v % 10;
}

void sn_format_time(struct sn_emit *e, uint64_t ts_ns, bool iso, char *out, size_t len)
{
	/* Unsigned, so a garbage stamp wraps (defined) instead of overflowing (undefined). */
	int64_t real = (int64_t)(ts_ns + (uint64_t)e->mono_to_real_ns);
	int64_t secs = real / 1000000000LL;
	long usec = (real % 1000000000LL) / 1000;
	char frac[9];
	struct tm tm;
	time_t t = secs;

	/* strftime and the time zone lookup once a second, not once a record. */
	if (e->time_secs[iso] != secs || !e->time_base[iso][0]) {
		if (iso) {
			gmtime_r(&t, &tm);
			strftime(e->time_base[iso], sizeof(e->time_base[iso]), "%Y-%m-%dT%H:%M:%S",
				 &tm);
		} else {
			localtime_r(&t, &tm);
			strftime(e->time_base[iso], sizeof(e->time_base[iso]), "%H:%M:%S", &tm);
		}
		e->time_secs[iso] = secs;
	}
	if (usec < 0) {
		snprintf(out, len, "%s.%06ld%s", e->time_base[iso], usec, iso ? "Z" : "");
		return;
	}
	frac[0] = '.';
	put_padded(frac + 1, usec, 6);
	frac[7] = iso ? 'Z' : '\0';
	frac[8] = '\0';
	size_t base_len = strlen(e->time_base[iso]);

	if (base_len + sizeof(frac) <= len) {
		memcpy(out, e->time_base[iso], base_len);
		memcpy(out + base_len, frac, sizeof(frac));
	} else if (len) {
		out[0] = '\0';
	}
}

static void pad_column(struct sn_emit *e, int width)
{
	size_t used = e->row.len - e->col_start;

	/* An over-wide value still gets one space, so columns stay separable. */
	if (width > 0) {
		while (used < (size_t)width) {
			sn_buf_putc(&e->row, ' ');
			used++;
		}
		sn_buf_putc(&e->row, ' ');
	}
}

void sn_emit_header(struct sn_emit *e, const struct sn_field *fields)
{
	if (e->json)
		return;
	e->row.len = 0;
	if (e->timestamp) {
		e->col_start = 0;
		sn_buf_puts(&e->row, TIME_TITLE);
		pad_column(e, TIME_WIDTH - 1);
	}
	for (const struct sn_field *f = fields; f->key || f->title; f++) {
		if (!f->title)
			continue;
		e->col_start = e->row.len;
		sn_buf_puts(&e->row, f->title);
		pad_column(e, f->width);
	}
	while (e->row.len && e->row.data[e->row.len - 1] == ' ')
		e->row.len--;
	sn_buf_putc(&e->row, '\n');
	if (fwrite(e->row.data, 1, e->row.len, e->out) != e->row.len && !e->err)
		e->err = -errno;
	e->row.len = 0;
}

void sn_emit_begin(struct sn_emit *e, const char *type, uint64_t ts_ns)
{
	char ts[40];

	e->row.len = 0;
	e->first = true;
	if (e->json) {
		sn_buf_puts(&e->row, "{\"type\":\"");
		sn_escape_json(&e->row, type, strlen(type));
		sn_buf_putc(&e->row, '"');
		e->first = false;
		if (ts_ns) {
			sn_format_time(e, ts_ns, true, ts, sizeof(ts));
			sn_buf_puts(&e->row, ",\"ts\":\"");
			sn_buf_puts(&e->row, ts);
			sn_buf_putc(&e->row, '"');
		}
		return;
	}
	if (e->timestamp) {
		e->col_start = 0;
		if (ts_ns) {
			sn_format_time(e, ts_ns, false, ts, sizeof(ts));
			sn_buf_puts(&e->row, ts);
		}
		pad_column(e, TIME_WIDTH - 1);
	}
}

/* Opens a field: the JSON key, or the start of a table column. False: skip this field. */
static bool field_open(struct sn_emit *e, const struct sn_field *f)
{
	if (e->json) {
		if (!f->key)
			return false;
		sn_buf_puts(&e->row, e->first ? "\"" : ",\"");
		sn_buf_puts(&e->row, f->key);
		sn_buf_puts(&e->row, "\":");
		e->first = false;
		return true;
	}
	if (!f->title)
		return false;
	e->col_start = e->row.len;
	return true;
}

static void field_close(struct sn_emit *e, const struct sn_field *f)
{
	if (!e->json)
		pad_column(e, f->width);
}

void sn_emit_u64(struct sn_emit *e, const struct sn_field *f, uint64_t v)
{
	if (!field_open(e, f))
		return;
	put_u64(&e->row, v);
	field_close(e, f);
}

void sn_emit_s64(struct sn_emit *e, const struct sn_field *f, int64_t v)
{
	if (!field_open(e, f))
		return;
	put_s64(&e->row, v);
	field_close(e, f);
}

void sn_emit_bool(struct sn_emit *e, const struct sn_field *f, bool v)
{
	if (!field_open(e, f))
		return;
	if (e->json)
		sn_buf_puts(&e->row, v ? "true" : "false");
	else
		sn_buf_puts(&e->row, v ? "yes" : "no");
	field_close(e, f);
}

void sn_emit_ms(struct sn_emit *e, const struct sn_field *f, uint64_t ns)
{
	if (!field_open(e, f))
		return;
	char frac[4] = { '.' };

	put_u64(&e->row, ns / 1000000);
	put_padded(frac + 1, (ns / 1000) % 1000, 3);
	sn_buf_put(&e->row, frac, sizeof(frac));
	field_close(e, f);
}

void sn_emit_str(struct sn_emit *e, const struct sn_field *f, const char *s, size_t len)
{
	if (!field_open(e, f))
		return;
	if (e->json) {
		sn_buf_putc(&e->row, '"');
		sn_escape_json(&e->row, s, len);
		sn_buf_putc(&e->row, '"');
	} else {
		sn_escape_text(&e->row, s, len, false);
	}
	field_close(e, f);
}

void sn_emit_text(struct sn_emit *e, const struct sn_field *f, const char *s)
{
	sn_emit_str(e, f, s, strlen(s));
}

void sn_emit_strv(struct sn_emit *e, const struct sn_field *f, const char *s, size_t len,
		  bool quote, const char *suffix)
{
	size_t off = 0, n;
	bool first = true;

	if (!field_open(e, f))
		return;
	if (e->json)
		sn_buf_putc(&e->row, '[');
	while (off < len) {
		n = strnlen(s + off, len - off);
		if (e->json) {
			sn_buf_puts(&e->row, first ? "\"" : ",\"");
			sn_escape_json(&e->row, s + off, n);
			sn_buf_putc(&e->row, '"');
		} else {
			if (!first)
				sn_buf_putc(&e->row, ' ');
			sn_escape_text(&e->row, s + off, n, quote);
		}
		first = false;
		off += n + 1;
	}
	if (e->json)
		sn_buf_putc(&e->row, ']');
	else if (suffix)
		sn_buf_puts(&e->row, suffix);
	field_close(e, f);
}

void sn_emit_json(struct sn_emit *e, const struct sn_field *f, const char *json, size_t len)
{
	if (!e->json || !field_open(e, f))
		return;
	sn_buf_put(&e->row, json, len);
}

void sn_emit_end(struct sn_emit *e)
{
	if (e->json) {
		sn_buf_putc(&e->row, '}');
	} else {
		while (e->row.len && e->row.data[e->row.len - 1] == ' ')
			e->row.len--;
	}
	sn_buf_putc(&e->row, '\n');
	if (e->err)
		return;
	if (fwrite(e->row.data, 1, e->row.len, e->out) != e->row.len)
		e->err = errno ? -errno : -EIO;
}

int sn_emit_flush(struct sn_emit *e)
{
	if (!e->err && fflush(e->out))
		e->err = errno ? -errno : -EIO;
	return e->err;
}
