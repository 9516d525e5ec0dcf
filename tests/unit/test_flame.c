// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The flame-graph writer (profile's flame.c, compiled in here): stacks merged into frames,
 * siblings in order, narrow frames left out, and hostile names that cannot break the XML.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/profile/flame.c"
#include "test.h"

static char *render(struct flame *f)
{
	char *svg = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&svg, &len);

	if (!out)
		return NULL;
	if (flame_write_svg(f, out, "Flame Graph", "a <subtitle> & more")) {
		fclose(out);
		free(svg);
		return NULL;
	}
	fclose(out);
	return svg;
}

static int count(const char *s, const char *needle)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

TEST(flame_merges_and_orders)
{
	const char *a[] = { "busy", "main", "g" }, *b[] = { "busy", "main", "f" };
	const unsigned char kinds[] = { FLAME_PROCESS, FLAME_USER, FLAME_USER };
	const char *root = "<title>all (4 samples, 100.00%)</title>";
	struct flame *f = flame_new();
	char *svg;

	CHECK(f);
	CHECK(!flame_add(f, a, kinds, 3, 1) && !flame_add(f, b, kinds, 3, 3));
	svg = render(f);
	CHECK(svg);
	/* all, busy, main, f, g: shared callers merged. */
	CHECK(count(svg, "<g class=\"f\"") == 5, "frames: %d", count(svg, "<g class=\"f\""));
	CHECK(strstr(svg, root), "root");
	CHECK(strstr(svg, "data-w=\"4\" data-d=\"2\"><title>main (4 samples"), "main spans both");
	/* Siblings in name order: f (3 samples) from x 0, then g. */
	CHECK(strstr(svg, "data-x=\"0\" data-w=\"3\" data-d=\"3\"><title>f ("), "f first");
	CHECK(strstr(svg, "data-x=\"3\" data-w=\"1\" data-d=\"3\"><title>g ("), "g after f");
	CHECK(strstr(svg, "a &lt;subtitle&gt; &amp; more"), "our own text is escaped too");
	free(svg);
	flame_free(f);
	return 0;
}

TEST(flame_hostile_names)
{
	const char *evil[] = { "<b>&\"x'", "]]></script><script>alert(1)</script>",
			       "\x01" "bad\xff" };
	const unsigned char kinds[] = { FLAME_PROCESS, FLAME_USER, FLAME_KERNEL };
	struct flame *f = flame_new();
	char *svg, *frames;

	CHECK(f && !flame_add(f, evil, kinds, 3, 5));
	svg = render(f);
	CHECK(svg);
	frames = strstr(svg, "<g id=\"frames\">");
	CHECK(frames, "no frames group");
	/* Nothing from a name is markup: no tag opens inside the frames but ours. */
	CHECK(!strstr(frames, "<b>") && !strstr(frames, "<script"), "raw markup in the frames");
	CHECK(count(svg, "]]>") == 2, "only the style and script sections end a CDATA");
	CHECK(strstr(frames, "&lt;b&gt;&amp;&quot;x&apos;"), "markup characters as entities");
	CHECK(strstr(frames, "\\x01bad\\xff"), "controls and invalid UTF-8 as \\xNN");
	free(svg);
	flame_free(f);
	return 0;
}

TEST(flame_narrow_frames_and_labels)
{
	const char *wide[] = { "p", "a_function_with_a_rather_long_name_that_cannot_fit" };
	const char *thin[] = { "p", "thin" };
	const unsigned char kinds[] = { FLAME_PROCESS, FLAME_USER };
	struct flame *f = flame_new();
	char *svg;

	CHECK(f && !flame_add(f, wide, kinds, 2, 1000000) && !flame_add(f, thin, kinds, 2, 1));
	svg = render(f);
	CHECK(svg);
	/* One sample in a million is far narrower than a pixel: left out. */
	CHECK(!strstr(svg, "<title>thin ("), "a 0.001 px frame was drawn");
	/* The long name fits the whole width, labelled whole. */
	CHECK(strstr(svg, ">a_function_with_a_rather_long_name_that_cannot_fit</text>"), "label");
	free(svg);
	flame_free(f);

	f = flame_new();
	CHECK(f);
	svg = render(f);
	CHECK(svg && strstr(svg, ">no samples</text>") && !count(svg, "<g class=\"f\""),
	      "an empty graph");
	free(svg);
	flame_free(f);
	return 0;
}
