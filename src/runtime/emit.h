/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One description of a command's fields drives both outputs: an aligned table with a
 * header, or JSON Lines with stable snake_case keys. A command emits a row field by field;
 * the emitter escapes what came from the traced system and buffers the output, which the
 * session flushes once per drain.
 */
#ifndef SN_EMIT_H
#define SN_EMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"

struct sn_field {
	const char *key;   /* JSON key; NULL: table only */
	const char *title; /* table column title; NULL: JSON only */
	int width;         /* table column width; 0 for the last, unpadded, column */
};

struct sn_emit {
	FILE *out;
	bool json;
	bool timestamp;    /* a TIME column in tables (JSON always carries "ts") */
	int64_t mono_to_real_ns; /* add to a CLOCK_MONOTONIC stamp to get wall-clock time */
	struct sn_buf row;
	size_t col_start;  /* where the current table column began, for padding */
	bool first;        /* no field in this JSON record yet */
	int err;           /* the first write error (-EPIPE when the reader went away) */
	/* The last second formatted, ISO and local: records come many to a second. */
	int64_t time_secs[2];
	char time_base[2][32];
};

void sn_emit_init(struct sn_emit *e, FILE *out, bool json, bool timestamp);
void sn_emit_free(struct sn_emit *e);

/* The table header (nothing in JSON mode). @fields ends with an all-NULL entry. */
void sn_emit_header(struct sn_emit *e, const struct sn_field *fields);

/* Starts a record of JSON "type" @type, stamped @ts_ns (CLOCK_MONOTONIC; 0: none). */
void sn_emit_begin(struct sn_emit *e, const char *type, uint64_t ts_ns);
void sn_emit_u64(struct sn_emit *e, const struct sn_field *f, uint64_t v);
void sn_emit_s64(struct sn_emit *e, const struct sn_field *f, int64_t v);
void sn_emit_bool(struct sn_emit *e, const struct sn_field *f, bool v);
/* A duration: milliseconds with microsecond precision ("12.345"), a number in JSON. */
void sn_emit_ms(struct sn_emit *e, const struct sn_field *f, uint64_t ns);
/* Traced bytes: up to @len bytes of @s, stopping at a NUL; escaped. */
void sn_emit_str(struct sn_emit *e, const struct sn_field *f, const char *s, size_t len);
/*
 * A list of NUL-terminated strings packed in @len bytes: a JSON array; in a table, the
 * items joined by spaces (each in double quotes with @quote), then @suffix if not NULL
 * (a visible truncation mark).
 */
void sn_emit_strv(struct sn_emit *e, const struct sn_field *f, const char *s, size_t len,
		  bool quote, const char *suffix);
/* Text we made ourselves (a name, a symbol): not escaped for tables, escaped for JSON. */
void sn_emit_text(struct sn_emit *e, const struct sn_field *f, const char *s);
/* A value already rendered as JSON by the caller (an array, an object); JSON mode only. */
void sn_emit_json(struct sn_emit *e, const struct sn_field *f, const char *json, size_t len);
/* Ends the record and hands it to the output stream. */
void sn_emit_end(struct sn_emit *e);

/* Flushes the output; returns 0 or the first write error (-EPIPE, ...). */
int sn_emit_flush(struct sn_emit *e);

/* Formats a CLOCK_MONOTONIC stamp as wall-clock time: ISO 8601 UTC or HH:MM:SS.uuuuuu. */
void sn_format_time(struct sn_emit *e, uint64_t ts_ns, bool iso, char *out, size_t len);

#endif /* SN_EMIT_H */
