// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The tests' own JSON reader: a validator that accepts too much would hide bugs. */
#include <string.h>

#include "json.h"
#include "test.h"

#define V(s) json_valid(s, strlen(s))

TEST(json_reader_validates)
{
	CHECK(V("{\"a\":1,\"b\":[\"x\",true,null,-1.5e3],\"c\":{}}"));
	CHECK(!V("{\"a\":1,}") && !V("{\"a\" 1}") && !V("[1,2") && !V("\"raw\x01\"") &&
	      !V("{\"a\":01}") && !V("{\"a\":\"\\x\"}") && !V("{} x"), "invalid JSON accepted");
	return 0;
}

TEST(json_reader_lookup)
{
	const char *l = "{\"type\":\"exec\",\"pid\":12,\"args\":[\"a\",\"b\\\"c\"],\"s\":\"\\u00e9\"}";
	char buf[32];
	int64_t v;

	CHECK(json_get_i64(l, "pid", &v) && v == 12);
	CHECK(json_array_len(l, "args") == 2);
	CHECK(json_get_array_str(l, "args", 1, buf, sizeof(buf)) == 3 && !strcmp(buf, "b\"c"));
	CHECK(json_get_str(l, "s", buf, sizeof(buf)) == 2 && !strcmp(buf, "\xc3\xa9"));
	CHECK(json_get(l, "nope").type == JSON_NONE);
	return 0;
}
