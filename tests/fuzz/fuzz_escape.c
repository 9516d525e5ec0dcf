// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The escapers and the emitter, fed arbitrary traced bytes. Invariants: text output is
 * terminal-safe (valid UTF-8, no C0, DEL or C1 controls) and decodes back to the input up
 * to its first NUL; JSON string output is a valid RFC 8259 string body that decodes back
 * to the input (\udcNN being the raw byte NN); a whole emitted record is one valid JSON
 * line, or one terminal-safe table line; the runtime's UTF-8 decoder agrees with an
 * independent one.
 *
 * Input: byte 0 holds options (bit 0: quote in text), the rest is the traced string.
 */
#include <string.h>

#include "fuzz.h"
#include "json.h"
#include "runtime/buf.h"
#include "runtime/emit.h"

static const struct sn_field f_str = { "s", "S", 8 }, f_list = { "v", "V", 0 },
			     f_ms = { "ms", "MS", 4 }, f_text = { "t", NULL };

static void check_utf8_decoders(const unsigned char *p, size_t n)
{
	unsigned int cp1 = 0;
	uint32_t cp2 = 0;

	for (size_t i = 0; i < n; i++) {
		size_t a = sn_utf8_decode(p + i, n - i, &cp1);
		size_t b = fuzz_utf8_len(p + i, n - i, &cp2);

		FUZZ_ASSERT(a == b, "sn_utf8_decode: %zu bytes at %zu, the reference %zu", a, i,
			    b);
		FUZZ_ASSERT(!a || cp1 == cp2, "sn_utf8_decode: U+%04X, the reference U+%04X", cp1,
			    cp2);
	}
}

static void check_text(const char *s, size_t n, size_t raw_len, bool quote, char *dec)
{
	struct sn_buf b = {};
	const char *body;
	size_t body_len, dec_len;

	FUZZ_ASSERT(!sn_escape_text(&b, s, n, quote), "sn_escape_text failed");
	fuzz_check_terminal_safe(b.data, b.len, false, "sn_escape_text");
	body = b.data;
	body_len = b.len;
	if (quote) {
		FUZZ_ASSERT(b.len >= 2 && b.data[0] == '"' && b.data[b.len - 1] == '"',
			    "quoted text not in quotes: %.*s", (int)b.len, b.data);
		body++;
		body_len -= 2;
	}
	dec_len = fuzz_text_decode(body, body_len, quote, dec);
	FUZZ_ASSERT(dec_len == raw_len && !memcmp(dec, s, raw_len),
		    "text escape does not decode back (%zu bytes, want %zu)", dec_len, raw_len);
	sn_buf_free(&b);
}

static void check_json(const char *s, size_t n, size_t raw_len, char *dec)
{
	struct sn_buf b = {};
	size_t dec_len;

	FUZZ_ASSERT(!sn_escape_json(&b, s, n), "sn_escape_json failed");
	dec_len = fuzz_json_string_decode(b.data ? b.data : "", b.len, dec);
	FUZZ_ASSERT(dec_len == raw_len && !memcmp(dec, s, raw_len),
		    "JSON escape does not decode back (%zu bytes, want %zu)", dec_len, raw_len);
	sn_buf_free(&b);
}

/* A record with the string, the string as a packed list, a duration and a C string. */
static void emit_record(struct sn_emit *e, const char *s, size_t n, bool quote, uint64_t ns)
{
	char *cstr = strndup(s, n);

	sn_emit_begin(e, "fuzz", ns ? ns : 1);
	sn_emit_str(e, &f_str, s, n);
	sn_emit_strv(e, &f_list, s, n, quote, " ...");
	sn_emit_ms(e, &f_ms, ns);
	sn_emit_text(e, &f_text, cstr);
	sn_emit_end(e);
	free(cstr);
}

static void check_emit(FILE *null, const char *s, size_t n, size_t raw_len, bool quote,
		       char *dec)
{
	struct sn_emit e;
	size_t items = 0, len, off;
	uint64_t ns = 0;

	memcpy(&ns, s, n < sizeof(ns) ? n : sizeof(ns));
	for (off = 0; off < n; off += strnlen(s + off, n - off) + 1)
		items++;

	sn_emit_init(&e, null, true, false);
	emit_record(&e, s, n, quote, ns);
	len = e.row.len - 1;
	FUZZ_ASSERT(e.row.data[len] == '\n', "JSON record does not end its line");
	FUZZ_ASSERT(memchr(e.row.data, '\n', len) == NULL, "JSON record spans lines");
	FUZZ_ASSERT(json_valid(e.row.data, len), "invalid JSON line: %.*s", (int)len, e.row.data);
	FUZZ_ASSERT(json_get_str(e.row.data, "s", dec, n + 1) == (long)raw_len &&
			    !memcmp(dec, s, raw_len),
		    "JSON member s does not decode back");
	FUZZ_ASSERT(json_array_len(e.row.data, "v") == (long)items,
		    "JSON list: %ld items, want %zu", json_array_len(e.row.data, "v"), items);
	for (size_t i = 0, off = 0; i < items; i++) {
		size_t item = strnlen(s + off, n - off);

		FUZZ_ASSERT(json_get_array_str(e.row.data, "v", i, dec, n + 1) == (long)item &&
				    !memcmp(dec, s + off, item),
			    "JSON list item %zu does not decode back", i);
		off += item + 1;
	}
	sn_emit_free(&e);

	/* The table leaves out the JSON-only text field: the rest is traced bytes. */
	sn_emit_init(&e, null, false, true);
	emit_record(&e, s, n, quote, ns);
	fuzz_check_terminal_safe(e.row.data, e.row.len, true, "table row");
	FUZZ_ASSERT(memchr(e.row.data, '\n', e.row.len) == e.row.data + e.row.len - 1,
		    "table row spans lines");
	sn_emit_free(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	size_t n, raw_len;
	char *s, *dec;
	bool quote;

	if (!null && !(null = fopen("/dev/null", "w")))
		abort();
	if (!size)
		return 0;
	quote = data[0] & 1;
	n = size - 1;
	/* Exactly the input's bytes, so an overread is caught. */
	s = malloc(n ? n : 1);
	memcpy(s, data + 1, n);
	raw_len = strnlen(s, n);
	/* Decoding never grows: each escape is longer than what it stands for. */
	dec = malloc(n * 6 + 16);

	check_utf8_decoders((const unsigned char *)s, n);
	check_text(s, n, raw_len, quote, dec);
	check_json(s, n, raw_len, dec);
	check_emit(null, s, n, raw_len, quote, dec);
	free(dec);
	free(s);
	return 0;
}
