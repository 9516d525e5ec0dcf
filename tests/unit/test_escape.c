// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The escapers: what a hostile name can and cannot put on a terminal or into JSON. */
#include <string.h>

#include "runtime/buf.h"
#include "json.h"
#include "test.h"

static const char *text(const char *s, size_t len, bool quote)
{
	static struct sn_buf b;

	b.len = 0;
	sn_escape_text(&b, s, len, quote);
	sn_buf_putc(&b, '\0');
	return b.data;
}

static const char *json(const char *s, size_t len)
{
	static struct sn_buf b;

	b.len = 0;
	sn_buf_putc(&b, '"');
	sn_escape_json(&b, s, len);
	sn_buf_puts(&b, "\"");
	return b.data;
}

TEST(escape_text_controls)
{
	CHECK(!strcmp(text("plain", 5, false), "plain"));
	CHECK(!strcmp(text("a\x1b[31mb", 7, false), "a\\x1b[31mb"), "%s", text("a\x1b[31mb", 7, false));
	CHECK(!strcmp(text("l1\nl2\tx\r", 8, false), "l1\\nl2\\tx\\r"));
	CHECK(!strcmp(text("back\\slash", 10, false), "back\\\\slash"));
	CHECK(!strcmp(text("del\x7f", 4, false), "del\\x7f"));
	return 0;
}

TEST(escape_text_utf8)
{
	CHECK(!strcmp(text("h\xc3\xa9llo", 6, false), "h\xc3\xa9llo"), "valid UTF-8 kept");
	CHECK(!strcmp(text("\xff\xfe", 2, false), "\\xff\\xfe"), "invalid bytes escaped");
	CHECK(!strcmp(text("\xc2\x9b", 2, false), "\\xc2\\x9b"), "C1 control (CSI) escaped");
	CHECK(!strcmp(text("\xc0\xaf", 2, false), "\\xc0\\xaf"), "overlong escaped");
	CHECK(!strcmp(text("\xed\xa0\x80", 3, false), "\\xed\\xa0\\x80"), "surrogate escaped");
	CHECK(!strcmp(text("\xe2\x82", 2, false), "\\xe2\\x82"), "cut sequence escaped");
	return 0;
}

TEST(escape_text_quote_and_nul)
{
	CHECK(!strcmp(text("say \"hi\"", 8, true), "\"say \\\"hi\\\"\""), "%s", text("say \"hi\"", 8, true));
	CHECK(!strcmp(text("ab\0cd", 5, false), "ab"), "stops at NUL");
	CHECK(!strcmp(text("abcdef", 3, false), "abc"), "stops at len");
	return 0;
}

TEST(escape_json_roundtrip)
{
	static const char evil[] = "q\"b\\n\n\x01\x1b\x7f\xff\xc3\xa9\xf0\x9f\x98\x80 end";
	const char *j = json(evil, sizeof(evil) - 1);
	char line[512], got[256];

	CHECK(json_valid(j, strlen(j)), "not valid JSON: %s", j);
	CHECK(!strchr(j, '\x1b') && !strchr(j, '\x01'), "raw control byte in %s", j);
	CHECK(strstr(j, "\\udcff"), "invalid byte not surrogate-escaped: %s", j);
	snprintf(line, sizeof(line), "{\"s\":%s}", j);
	CHECK(json_get_str(line, "s", got, sizeof(got)) == (long)sizeof(evil) - 1, "length");
	CHECK(!memcmp(got, evil, sizeof(evil) - 1), "bytes do not round-trip");
	return 0;
}

TEST(escape_long_strings)
{
	static char big[70000];
	const char *j;

	memset(big, '\x1b', sizeof(big) - 1);
	j = json(big, sizeof(big) - 1);
	CHECK(strlen(j) == 2 + 6 * (sizeof(big) - 1), "length %zu", strlen(j));
	CHECK(strlen(text(big, sizeof(big) - 1, false)) == 4 * (sizeof(big) - 1));
	return 0;
}

TEST(utf8_decode)
{
	unsigned int cp;

	CHECK(sn_utf8_decode((const unsigned char *)"\xf0\x9f\x98\x80", 4, &cp) == 4 && cp == 0x1f600);
	CHECK(sn_utf8_decode((const unsigned char *)"\xf4\x90\x80\x80", 4, &cp) == 0, "> U+10FFFF");
	CHECK(sn_utf8_decode((const unsigned char *)"\xe0\x80\x80", 3, &cp) == 0, "overlong");
	CHECK(sn_utf8_decode((const unsigned char *)"\x80", 1, &cp) == 0, "lone continuation");
	return 0;
}
