// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void sn_buf_free(struct sn_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int sn_buf_reserve(struct sn_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 256;
	char *data;

	if (b->len + more + 1 <= b->cap)
		return 0;
	while (cap < b->len + more + 1)
		cap *= 2;
	data = realloc(b->data, cap);
	if (!data)
		return -ENOMEM;
	b->data = data;
	b->cap = cap;
	return 0;
}

int sn_buf_put(struct sn_buf *b, const void *data, size_t len)
{
	if (sn_buf_reserve(b, len))
		return -ENOMEM;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int sn_buf_putc(struct sn_buf *b, char c)
{
	return sn_buf_put(b, &c, 1);
}

int sn_buf_puts(struct sn_buf *b, const char *s)
{
	return sn_buf_put(b, s, strlen(s));
}

int sn_buf_printf(struct sn_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	/* One pass when the text fits in what is allocated, the common case. */
	if (sn_buf_reserve(b, 64))
		return -ENOMEM;
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= b->cap - b->len) {
		if (sn_buf_reserve(b, n))
			return -ENOMEM;
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += n;
	return 0;
}

size_t sn_utf8_decode(const unsigned char *s, size_t len, unsigned int *cp)
{
	unsigned int c = s[0], min;
	size_t n;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static const char hex[] = "0123456789abcdef";

static int put_hex_escape(struct sn_buf *b, const char *prefix, unsigned char c)
{
	char esc[8];
	size_t n = strlen(prefix);

	memcpy(esc, prefix, n);
	esc[n++] = hex[c >> 4];
	esc[n++] = hex[c & 0xf];
	return sn_buf_put(b, esc, n);
}

/* The end of the run of printable ASCII from @i that needs no escape (@quote: nor '"'). */
static size_t plain_run(const unsigned char *p, size_t i, size_t len, bool quote)
{
	while (i < len && p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\' && !(quote && p[i] == '"'))
		i++;
	return i;
}

/* The two-character escape both outputs share for @c, or NULL. */
static const char *short_escape(unsigned char c)
{
	switch (c) {
	case '\\':
		return "\\\\";
	case '"':
		return "\\\"";
	case '\n':
		return "\\n";
	case '\t':
		return "\\t";
	case '\r':
		return "\\r";
	}
	return NULL;
}

int sn_escape_text(struct sn_buf *b, const char *s, size_t len, bool quote)
{
	const char *esc;
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, run;
	unsigned int cp;
	int err = 0;

	/* Worst case four output bytes per input byte, plus quotes. */
	if (sn_buf_reserve(b, len * 4 + 2))
		return -ENOMEM;
	if (quote)
		err |= sn_buf_putc(b, '"');
	while (i < len && p[i]) {
		/* Copy the plain printable ASCII run in one go: the common case. */
		run = plain_run(p, i, len, quote);
		if (run > i) {
			err |= sn_buf_put(b, p + i, run - i);
			i = run;
			continue;
		}
		if (!p[i])
			break;
		if ((esc = short_escape(p[i]))) {
			err |= sn_buf_put(b, esc, 2);
			i++;
			continue;
		}
		n = sn_utf8_decode(p + i, len - i, &cp);
		/* Controls (C0, DEL, C1) and invalid bytes: shown, never passed through. */
		if (n == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)) {
			n = n ? n : 1;
			for (size_t k = 0; k < n; k++)
				err |= put_hex_escape(b, "\\x", p[i + k]);
		} else {
			err |= sn_buf_put(b, p + i, n);
		}
		i += n;
	}
	if (quote)
		err |= sn_buf_putc(b, '"');
	return err ? -ENOMEM : 0;
}

int sn_escape_json(struct sn_buf *b, const char *s, size_t len)
{
	const char *esc;
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, run;
	unsigned int cp;
	int err = 0;

	/* Worst case six output bytes per input byte (\u00NN). */
	if (sn_buf_reserve(b, len * 6))
		return -ENOMEM;
	while (i < len && p[i]) {
		run = plain_run(p, i, len, true);
		if (run > i) {
			err |= sn_buf_put(b, p + i, run - i);
			i = run;
			continue;
		}
		if (!p[i])
			break;
		if ((esc = short_escape(p[i]))) {
			err |= sn_buf_put(b, esc, 2);
			i++;
			continue;
		}
		if (p[i] < 0x20 || p[i] == 0x7f) {
			err |= put_hex_escape(b, "\\u00", p[i]);
			i++;
			continue;
		}
		n = sn_utf8_decode(p + i, len - i, &cp);
		if (n == 0) {
			err |= put_hex_escape(b, "\\udc", p[i]);
			i++;
			continue;
		}
		err |= sn_buf_put(b, p + i, n);
		i += n;
	}
	return err ? -ENOMEM : 0;
}
