/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A growing byte buffer, and the escapers that make traced bytes safe to print. */
#ifndef SN_BUF_H
#define SN_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct sn_buf {
	char *data;
	size_t len;
	size_t cap;
};

void sn_buf_free(struct sn_buf *b);
/* Each returns 0, or -ENOMEM with the buffer unchanged. */
int sn_buf_reserve(struct sn_buf *b, size_t more);
int sn_buf_put(struct sn_buf *b, const void *data, size_t len);
int sn_buf_putc(struct sn_buf *b, char c);
int sn_buf_puts(struct sn_buf *b, const char *s);
int sn_buf_printf(struct sn_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Appends @len bytes of @s (stopping early at a NUL) for a terminal: valid printable UTF-8
 * as it is; backslash, control characters, C1 controls and invalid bytes as \\, \n, \t,
 * \r or \xNN, so a hostile name cannot drive the terminal. With @quote, wraps the text in
 * double quotes and escapes the quotes inside.
 */
int sn_escape_text(struct sn_buf *b, const char *s, size_t len, bool quote);

/*
 * Appends the body of a JSON string (no surrounding quotes) per RFC 8259: quote,
 * backslash and control characters escaped; a byte that is not valid UTF-8 becomes
 * \udcNN (a lone low surrogate, the "surrogateescape" convention), so the original
 * bytes can be recovered and the line still parses.
 */
int sn_escape_json(struct sn_buf *b, const char *s, size_t len);

/*
 * Length of the valid UTF-8 sequence at @s (at most @len bytes), or 0 if it is invalid
 * (bad lead or continuation byte, overlong form, surrogate, above U+10FFFF, cut short).
 * Stores the code point in @cp.
 */
size_t sn_utf8_decode(const unsigned char *s, size_t len, unsigned int *cp);

#endif /* SN_BUF_H */
