// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Helpers of the fuzz targets: argv from bytes, and independent output checkers. */
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

int fuzz_report_fd = 2;

__attribute__((constructor)) static void keep_stderr(void)
{
	int fd = dup(2);

	if (fd >= 0)
		fuzz_report_fd = fd;
}

int fuzz_split_args(const uint8_t *data, size_t size, const char *argv0, char **argv)
{
	size_t off = 0;
	int argc = 0;

	argv[argc++] = strdup(argv0);
	while (off < size && argc < FUZZ_MAX_ARGS - 1) {
		const uint8_t *end = memchr(data + off, 0, size - off);
		size_t n = end ? (size_t)(end - (data + off)) : size - off;
		char *arg = malloc(n + 1);

		if (!arg)
			abort();
		memcpy(arg, data + off, n);
		arg[n] = '\0';
		argv[argc++] = arg;
		off += n + 1;
	}
	argv[argc] = NULL;
	return argc;
}

int fuzz_split_args_static(const uint8_t *data, size_t size, const char *argv0, char **argv,
			   char *arena, size_t cap)
{
	size_t off = 0, used = strlen(argv0) + 1;
	int argc = 0;

	if (used > cap)
		abort();
	argv[argc++] = memcpy(arena, argv0, used);
	while (off < size && argc < FUZZ_MAX_ARGS - 1) {
		const uint8_t *end = memchr(data + off, 0, size - off);
		size_t n = end ? (size_t)(end - (data + off)) : size - off;

		if (used + n + 1 > cap)
			break;
		argv[argc] = arena + used;
		memcpy(argv[argc], data + off, n);
		argv[argc++][n] = '\0';
		used += n + 1;
		off += n + 1;
	}
	argv[argc] = NULL;
	return argc;
}

void fuzz_free_args(char **argv)
{
	for (int i = 0; argv[i]; i++)
		free(argv[i]);
}

size_t fuzz_utf8_len(const unsigned char *s, size_t len, uint32_t *cp)
{
	static const uint32_t min_of[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n;
	uint32_t c;

	if (!len)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, c = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, c = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min_of[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

void fuzz_check_terminal_safe(const char *s, size_t len, bool allow_nl, const char *what)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;

	for (size_t i = 0; i < len;) {
		size_t n = fuzz_utf8_len(p + i, len - i, &cp);

		FUZZ_ASSERT(n, "%s: invalid UTF-8 at byte %zu of %zu: %.*s", what, i, len,
			    (int)len, s);
		FUZZ_ASSERT(cp >= 0x20 || (allow_nl && cp == '\n'),
			    "%s: control byte 0x%02x at %zu: %.*s", what, cp, i, (int)len, s);
		FUZZ_ASSERT(cp != 0x7f && (cp < 0x80 || cp >= 0xa0),
			    "%s: DEL or C1 control U+%04X at %zu", what, cp, i);
		i += n;
	}
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at @s (of @len bytes left), or -1. */
static long hex4(const char *s, size_t len)
{
	long v = 0;

	if (len < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int h = hex_value(s[i]);

		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t fuzz_json_string_decode(const char *s, size_t len, char *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, o = 0, n;
	uint32_t cp;
	long u, lo;

	while (i < len) {
		if (p[i] != '\\') {
			n = fuzz_utf8_len(p + i, len - i, &cp);
			FUZZ_ASSERT(n, "json: invalid UTF-8 at %zu: %.*s", i, (int)len, s);
			FUZZ_ASSERT(cp >= 0x20 && cp != '"', "json: raw 0x%02x at %zu", cp, i);
			memcpy(out + o, p + i, n);
			o += n;
			i += n;
			continue;
		}
		FUZZ_ASSERT(i + 1 < len, "json: backslash at the end: %.*s", (int)len, s);
		switch (p[i + 1]) {
		case '"': out[o++] = '"'; break;
		case '\\': out[o++] = '\\'; break;
		case '/': out[o++] = '/'; break;
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case 'u':
			u = hex4(s + i + 2, len - i - 2);
			FUZZ_ASSERT(u >= 0, "json: bad \\u escape at %zu: %.*s", i, (int)len, s);
			i += 6;
			if (u >= 0xdc80 && u <= 0xdcff) {
				/* The surrogateescape of one raw byte. */
				out[o++] = (char)(u - 0xdc00);
			} else if (u >= 0xd800 && u <= 0xdbff) {
				FUZZ_ASSERT(i + 1 < len && p[i] == '\\' && p[i + 1] == 'u',
					    "json: high surrogate alone at %zu", i);
				lo = hex4(s + i + 2, len - i - 2);
				FUZZ_ASSERT(lo >= 0xdc00 && lo <= 0xdfff,
					    "json: high surrogate without a low one at %zu", i);
				o += put_utf8(out + o,
					      0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00));
				i += 6;
			} else {
				FUZZ_ASSERT(u < 0xdc00 || u > 0xdfff,
					    "json: lone low surrogate \\u%04lx is no raw byte", u);
				o += put_utf8(out + o, (uint32_t)u);
			}
			continue;
		default:
			FUZZ_ASSERT(0, "json: unknown escape \\%c at %zu", p[i + 1], i);
		}
		i += 2;
	}
	return o;
}

size_t fuzz_text_decode(const char *s, size_t len, bool quote, char *out)
{
	size_t i = 0, o = 0;
	int hi, lo;

	while (i < len) {
		if (s[i] != '\\') {
			FUZZ_ASSERT(!quote || s[i] != '"', "text: bare quote in quotes at %zu", i);
			out[o++] = s[i++];
			continue;
		}
		FUZZ_ASSERT(i + 1 < len, "text: backslash at the end: %.*s", (int)len, s);
		switch (s[i + 1]) {
		case '\\': out[o++] = '\\'; break;
		case 'n': out[o++] = '\n'; break;
		case 't': out[o++] = '\t'; break;
		case 'r': out[o++] = '\r'; break;
		case '"':
			FUZZ_ASSERT(quote, "text: \\\" outside quotes at %zu", i);
			out[o++] = '"';
			break;
		case 'x':
			FUZZ_ASSERT(i + 3 < len, "text: \\x cut short at %zu", i);
			hi = hex_value(s[i + 2]);
			lo = hex_value(s[i + 3]);
			FUZZ_ASSERT(hi >= 0 && lo >= 0, "text: bad \\x escape at %zu", i);
			out[o++] = (char)(hi << 4 | lo);
			i += 4;
			continue;
		default:
			FUZZ_ASSERT(0, "text: unknown escape \\%c at %zu", s[i + 1], i);
		}
		i += 2;
	}
	return o;
}
