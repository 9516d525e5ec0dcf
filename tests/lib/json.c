// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct parser {
	const char *p, *end;
};

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static bool parse_value(struct parser *ps, struct json_val *v, int depth);

static bool parse_string(struct parser *ps)
{
	if (ps->p >= ps->end || *ps->p != '"')
		return false;
	ps->p++;
	while (ps->p < ps->end) {
		unsigned char c = *ps->p++;

		if (c == '"')
			return true;
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (ps->p >= ps->end)
				return false;
			c = *ps->p++;
			if (c == 'u') {
				for (int i = 0; i < 4; i++, ps->p++)
					if (ps->p >= ps->end || !strchr("0123456789abcdefABCDEF", *ps->p))
						return false;
			} else if (!strchr("\"\\/bfnrt", c)) {
				return false;
			}
		}
	}
	return false;
}

static bool parse_number(struct parser *ps)
{
	const char *s = ps->p;

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p >= ps->end)
		return false;
	if (*ps->p == '0')
		ps->p++;
	else if (*ps->p >= '1' && *ps->p <= '9')
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	else
		return false;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
			return false;
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
			return false;
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	return ps->p > s;
}

static bool literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n))
		return false;
	ps->p += n;
	return true;
}

static bool parse_value(struct parser *ps, struct json_val *v, int depth)
{
	struct json_val dummy;

	if (depth > 32)
		return false;
	skip_ws(ps);
	if (ps->p >= ps->end)
		return false;
	v->start = ps->p;
	switch (*ps->p) {
	case '"':
		v->type = JSON_STRING;
		if (!parse_string(ps))
			return false;
		break;
	case '{':
		v->type = JSON_OBJECT;
		ps->p++;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			break;
		}
		for (;;) {
			skip_ws(ps);
			if (!parse_string(ps))
				return false;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p++ != ':')
				return false;
			if (!parse_value(ps, &dummy, depth + 1))
				return false;
			skip_ws(ps);
			if (ps->p < ps->end && *ps->p == ',') {
				ps->p++;
				continue;
			}
			if (ps->p < ps->end && *ps->p == '}') {
				ps->p++;
				break;
			}
			return false;
		}
		break;
	case '[':
		v->type = JSON_ARRAY;
		ps->p++;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			break;
		}
		for (;;) {
			if (!parse_value(ps, &dummy, depth + 1))
				return false;
			skip_ws(ps);
			if (ps->p < ps->end && *ps->p == ',') {
				ps->p++;
				continue;
			}
			if (ps->p < ps->end && *ps->p == ']') {
				ps->p++;
				break;
			}
			return false;
		}
		break;
	case 't':
		v->type = JSON_BOOL;
		if (!literal(ps, "true"))
			return false;
		break;
	case 'f':
		v->type = JSON_BOOL;
		if (!literal(ps, "false"))
			return false;
		break;
	case 'n':
		v->type = JSON_NULL;
		if (!literal(ps, "null"))
			return false;
		break;
	default:
		v->type = JSON_NUMBER;
		if (!parse_number(ps))
			return false;
	}
	v->len = ps->p - v->start;
	return true;
}

bool json_valid(const char *line, size_t len)
{
	struct parser ps = { line, line + len };
	struct json_val v;

	if (!parse_value(&ps, &v, 0))
		return false;
	skip_ws(&ps);
	return ps.p == ps.end;
}

/* Decodes a JSON string token into @out; returns the decoded length or -1. */
static long decode_string(const char *s, size_t n, char *out, size_t len)
{
	size_t o = 0;

	if (n < 2 || s[0] != '"')
		return -1;
	for (size_t i = 1; i < n - 1; i++) {
		unsigned char c = s[i];
		unsigned int cp;
		char tmp[5];

		if (c == '\\') {
			c = s[++i];
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u':
				memcpy(tmp, s + i + 1, 4);
				tmp[4] = 0;
				cp = strtoul(tmp, NULL, 16);
				i += 4;
				if (cp >= 0xdc80 && cp <= 0xdcff) {
					c = cp & 0xff;
					break;
				}
				/* Encode the code point as UTF-8. */
				if (cp < 0x80) {
					c = cp;
				} else if (cp < 0x800) {
					if (o + 1 < len)
						out[o++] = 0xc0 | (cp >> 6);
					c = 0x80 | (cp & 0x3f);
				} else {
					if (o + 2 < len) {
						out[o++] = 0xe0 | (cp >> 12);
						out[o++] = 0x80 | ((cp >> 6) & 0x3f);
					}
					c = 0x80 | (cp & 0x3f);
				}
				break;
			default:
				break; /* \" \\ \/ */
			}
		}
		if (o + 1 < len)
			out[o++] = c;
	}
	if (len)
		out[o] = '\0';
	return o;
}

struct json_val json_get(const char *line, const char *key)
{
	struct parser ps = { line, line + strlen(line) };
	struct json_val none = { JSON_NONE }, k, v;
	size_t klen = strlen(key);

	skip_ws(&ps);
	if (ps.p >= ps.end || *ps.p++ != '{')
		return none;
	for (;;) {
		skip_ws(&ps);
		k.start = ps.p;
		if (!parse_string(&ps))
			return none;
		k.len = ps.p - k.start;
		skip_ws(&ps);
		if (ps.p >= ps.end || *ps.p++ != ':')
			return none;
		if (!parse_value(&ps, &v, 1))
			return none;
		if (k.len == klen + 2 && !memcmp(k.start + 1, key, klen))
			return v;
		skip_ws(&ps);
		if (ps.p >= ps.end || *ps.p++ != ',')
			return none;
	}
}

bool json_get_i64(const char *line, const char *key, int64_t *out)
{
	struct json_val v = json_get(line, key);

	if (v.type != JSON_NUMBER)
		return false;
	*out = strtoll(v.start, NULL, 10);
	return true;
}

long json_get_str(const char *line, const char *key, char *out, size_t len)
{
	struct json_val v = json_get(line, key);

	if (v.type != JSON_STRING)
		return -1;
	return decode_string(v.start, v.len, out, len);
}

bool json_str_eq(const char *line, const char *key, const char *s)
{
	char buf[8192];
	long n = json_get_str(line, key, buf, sizeof(buf));

	return n >= 0 && !strcmp(buf, s);
}

/* Walks array member @key to element @idx; returns it or JSON_NONE. */
static struct json_val array_elem(const char *line, const char *key, size_t idx, long *count)
{
	struct json_val arr = json_get(line, key), none = { JSON_NONE }, v;
	struct parser ps;
	size_t i = 0;

	*count = -1;
	if (arr.type != JSON_ARRAY)
		return none;
	ps.p = arr.start + 1;
	ps.end = arr.start + arr.len;
	skip_ws(&ps);
	*count = 0;
	if (*ps.p == ']')
		return none;
	for (;;) {
		if (!parse_value(&ps, &v, 1))
			return none;
		(*count)++;
		if (i++ == idx)
			return v;
		skip_ws(&ps);
		if (*ps.p++ != ',')
			return none;
	}
}

long json_get_array_str(const char *line, const char *key, size_t idx, char *out, size_t len)
{
	long count;
	struct json_val v = array_elem(line, key, idx, &count);

	if (v.type != JSON_STRING)
		return -1;
	return decode_string(v.start, v.len, out, len);
}

long json_array_len(const char *line, const char *key)
{
	long count;

	array_elem(line, key, (size_t)-1, &count);
	return count;
}
