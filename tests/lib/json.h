/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A small strict JSON reader for the tests: validates one JSON Lines record and looks up
 * its top-level keys. Strings decode \udcNN back to the raw byte NN (our surrogateescape).
 */
#ifndef SN_TEST_JSON_H
#define SN_TEST_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_type { JSON_NONE, JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_val {
	enum json_type type;
	const char *start; /* the value's text in the line */
	size_t len;
};

/* Whether @line (up to @len bytes, no newline) is exactly one valid JSON value. */
bool json_valid(const char *line, size_t len);
/* The top-level member @key of object @line; type JSON_NONE if absent or invalid. */
struct json_val json_get(const char *line, const char *key);
bool json_get_i64(const char *line, const char *key, int64_t *out);
/* Decodes string member @key into @out (NUL-terminated); its decoded length, or -1. */
long json_get_str(const char *line, const char *key, char *out, size_t len);
/* Element @idx of array member @key, decoded; its length, or -1. */
long json_get_array_str(const char *line, const char *key, size_t idx, char *out, size_t len);
/* Number of elements of array member @key, or -1. */
long json_array_len(const char *line, const char *key);
/* Whether string member @key equals @s. */
bool json_str_eq(const char *line, const char *key, const char *s);

#endif
