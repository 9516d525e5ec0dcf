// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The field emitter: one description, an aligned table or JSON Lines. */
#include <stdlib.h>
#include <string.h>

#include "runtime/emit.h"
#include "json.h"
#include "test.h"

static const struct sn_field fields[] = {
	{ "comm", "COMM", 8 }, { "pid", "PID", 6 }, { "lat_ms", "LAT(ms)", 8 },
	{ "secret", NULL }, { NULL, "ARGS", 0 }, {},
};

static char *render(bool json, bool ts)
{
	char *data = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&data, &len);
	struct sn_emit e;

	sn_emit_init(&e, f, json, ts);
	sn_emit_header(&e, fields);
	sn_emit_begin(&e, "demo", 1000000000ULL);
	sn_emit_str(&e, &fields[0], "bash\n", 16);
	sn_emit_u64(&e, &fields[1], 42);
	sn_emit_ms(&e, &fields[2], 1234567);
	sn_emit_s64(&e, &fields[3], -7);
	sn_emit_strv(&e, &fields[4], "a\0b c\0", 6, true, " ...");
	sn_emit_end(&e);
	sn_emit_flush(&e);
	sn_emit_free(&e);
	fclose(f);
	return data;
}

TEST(emit_table)
{
	char *out = render(false, false);

	CHECK(!strcmp(out, "COMM     PID    LAT(ms)  ARGS\n"
			   "bash\\n   42     1.234    \"a\" \"b c\" ...\n"),
	      "got:\n%s", out);
	free(out);
	return 0;
}

TEST(emit_json)
{
	char *out = render(true, false);
	int64_t v;

	CHECK(json_valid(out, strlen(out) - 1), "invalid: %s", out);
	CHECK(json_str_eq(out, "type", "demo") && json_str_eq(out, "comm", "bash\n"), "%s", out);
	CHECK(json_get_i64(out, "pid", &v) && v == 42);
	CHECK(json_get_i64(out, "secret", &v) && v == -7, "JSON-only field missing");
	CHECK(strstr(out, "\"lat_ms\":1.234"), "duration: %s", out);
	CHECK(json_get(out, "ts").type == JSON_STRING, "no ts");
	CHECK(!strstr(out, "ARGS"), "table-only field leaked into JSON");
	free(out);
	return 0;
}

TEST(emit_timestamp_column)
{
	char *out = render(false, true);

	CHECK(!strncmp(out, "TIME            COMM", 20), "got: %s", out);
	/* HH:MM:SS.uuuuuu */
	CHECK(out[strlen("TIME            COMM     PID    LAT(ms)  ARGS\n") + 8] == '.', "%s", out);
	free(out);
	return 0;
}
