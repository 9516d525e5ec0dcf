// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The flame-graph writer: frames as boxes as wide as their samples, callers below callees,
 * siblings in alphabetical order, in one SVG file that needs nothing else. Its script zooms
 * into a clicked frame, searches names by regular expression (Ctrl-F) and shows each frame's
 * share on hover; without script support the graph still shows, unzoomed.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/buf.h"
#include "flame.h"

#define IMAGE_WIDTH 1200
#define XPAD        10
#define FRAME_H     16
#define FONT_SIZE   12
/* Average glyph width of the font, as a share of its size: decides how much label fits. */
#define FONT_WIDTH  0.59
#define TOP_PAD     (FONT_SIZE * 4)
#define BOTTOM_PAD  (FONT_SIZE * 2 + 10)
/* Frames narrower than this many pixels are left out, as flamegraph.pl does. */
#define MIN_WIDTH   0.1

struct node {
	char *name;
	unsigned char kind;
	uint64_t count;
	struct node **kids;
	size_t nr_kids, cap_kids;
};

struct flame {
	struct node root;
};

struct flame *flame_new(void)
{
	struct flame *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->root.kind = FLAME_OTHER;
	f->root.name = strdup("all");
	if (!f->root.name) {
		free(f);
		return NULL;
	}
	return f;
}

static void node_free(struct node *n)
{
	for (size_t i = 0; i < n->nr_kids; i++) {
		node_free(n->kids[i]);
		free(n->kids[i]);
	}
	free(n->kids);
	free(n->name);
}

void flame_free(struct flame *f)
{
	if (!f)
		return;
	node_free(&f->root);
	free(f);
}

static struct node *child(struct node *n, const char *name, unsigned char kind)
{
	struct node *c;

	for (size_t i = 0; i < n->nr_kids; i++)
		if (n->kids[i]->kind == kind && !strcmp(n->kids[i]->name, name))
			return n->kids[i];
	if (n->nr_kids == n->cap_kids) {
		size_t cap = n->cap_kids ? n->cap_kids * 2 : 4;
		struct node **kids = realloc(n->kids, cap * sizeof(*kids));

		if (!kids)
			return NULL;
		n->kids = kids;
		n->cap_kids = cap;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->name = strdup(name);
	if (!c->name) {
		free(c);
		return NULL;
	}
	c->kind = kind;
	n->kids[n->nr_kids++] = c;
	return c;
}

int flame_add(struct flame *f, const char *const *names, const unsigned char *kinds, size_t n,
	      uint64_t count)
{
	struct node *node = &f->root;

	node->count += count;
	for (size_t i = 0; i < n; i++) {
		node = child(node, names[i], kinds[i]);
		if (!node)
			return -ENOMEM;
		node->count += count;
	}
	return 0;
}

static int node_cmp(const void *a, const void *b)
{
	const struct node *x = *(const struct node *const *)a, *y = *(const struct node *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : (int)x->kind - (int)y->kind;
}

/* Sorts siblings by name and returns the depth of the deepest frame wide enough to draw. */
static int prepare(struct node *n, int depth, double px_per_sample)
{
	int max = depth;

	qsort(n->kids, n->nr_kids, sizeof(*n->kids), node_cmp);
	for (size_t i = 0; i < n->nr_kids; i++) {
		int d;

		if (n->kids[i]->count * px_per_sample < MIN_WIDTH)
			continue;
		d = prepare(n->kids[i], depth + 1, px_per_sample);
		if (d > max)
			max = d;
	}
	return max;
}

/* A stable colour per name, in the palette of its kind. */
static void colour(const struct node *n, int rgb[3])
{
	uint32_t h = 2166136261u;
	double v1, v2, v3;

	for (const char *p = n->name; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	v1 = (h & 0xff) / 255.0;
	v2 = ((h >> 8) & 0xff) / 255.0;
	v3 = ((h >> 16) & 0xff) / 255.0;
	switch (n->kind) {
	case FLAME_USER: /* flamegraph.pl's "hot" */
		rgb[0] = 205 + (int)(50 * v3);
		rgb[1] = (int)(230 * v1);
		rgb[2] = (int)(55 * v2);
		break;
	case FLAME_KERNEL: /* its kernel orange */
		rgb[0] = 190 + (int)(65 * v1);
		rgb[1] = 90 + (int)(65 * v1);
		rgb[2] = 0;
		break;
	case FLAME_PROCESS:
		rgb[0] = 80 + (int)(50 * v1);
		rgb[1] = 170 + (int)(50 * v2);
		rgb[2] = 200 + (int)(55 * v3);
		break;
	default:
		rgb[0] = rgb[1] = rgb[2] = 170 + (int)(40 * v1);
	}
}

/*
 * XML text: what passes sn_escape_text (printable UTF-8, \xNN for the rest) with the five
 * markup characters as entities, and U+FFFE/U+FFFF, which XML forbids, as \xNN too.
 */
static void put_xml(FILE *out, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned int cp;
		size_t n = sn_utf8_decode((const unsigned char *)s + i, len - i, &cp);

		if (!n || cp == 0xfffe || cp == 0xffff) {
			for (size_t k = 0; k < (n ? n : 1); k++)
				fprintf(out, "\\x%02x", (unsigned char)s[i + k]);
			i += n ? n : 1;
			continue;
		}
		switch (cp) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		default: fwrite(s + i, 1, n, out);
		}
		i += n;
	}
}

/* Bytes of the first @ncp code points of valid UTF-8 @s. */
static size_t cp_prefix(const char *s, size_t len, size_t ncp)
{
	size_t i = 0;

	while (i < len && ncp--) {
		unsigned int cp;
		size_t n = sn_utf8_decode((const unsigned char *)s + i, len - i, &cp);

		i += n ? n : 1;
	}
	return i;
}

static size_t cp_count(const char *s, size_t len)
{
	size_t count = 0;

	for (size_t i = 0; i < len; i++)
		count += ((unsigned char)s[i] & 0xc0) != 0x80;
	return count;
}

struct writer {
	FILE *out;
	double px_per_sample;
	uint64_t total;
	int height;
	struct sn_buf name; /* the frame's name as displayed */
};

static void write_frame(struct writer *w, const struct node *n, uint64_t x, int depth)
{
	double px = XPAD + x * w->px_per_sample, width = n->count * w->px_per_sample;
	double y = w->height - BOTTOM_PAD - (depth + 1) * FRAME_H;
	size_t fit = width > 6 ? (size_t)((width - 6) / (FONT_SIZE * FONT_WIDTH)) : 0;
	size_t len, shown;
	int rgb[3];

	w->name.len = 0;
	if (sn_escape_text(&w->name, n->name, strlen(n->name), false))
		return;
	len = w->name.len;
	colour(n, rgb);
	fprintf(w->out, "<g class=\"f\" data-x=\"%llu\" data-w=\"%llu\" data-d=\"%d\"><title>",
		(unsigned long long)x, (unsigned long long)n->count, depth);
	put_xml(w->out, w->name.data, len);
	fprintf(w->out,
		" (%llu samples, %.2f%%)</title><rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" "
		"height=\"%d\" fill=\"rgb(%d,%d,%d)\" rx=\"2\" ry=\"2\"/><text x=\"%.2f\" "
		"y=\"%.1f\">",
		(unsigned long long)n->count, 100.0 * n->count / w->total, px, y, width,
		FRAME_H - 1, rgb[0], rgb[1], rgb[2], px + 3, y + FRAME_H / 2.0 + 4);
	/* The label: the whole name if it fits, else its start and "..", else nothing. */
	if (fit >= 3) {
		if (cp_count(w->name.data, len) <= fit) {
			put_xml(w->out, w->name.data, len);
		} else {
			shown = cp_prefix(w->name.data, len, fit - 2);
			put_xml(w->out, w->name.data, shown);
			fputs("..", w->out);
		}
	}
	fputs("</text></g>\n", w->out);
	for (size_t i = 0; i < n->nr_kids; i++) {
		if (n->kids[i]->count * w->px_per_sample >= MIN_WIDTH)
			write_frame(w, n->kids[i], x, depth + 1);
		x += n->kids[i]->count;
	}
}

/* The script: plain ES5, so any SVG viewer with scripting runs it. */
static const char script[] =
	"var frames, details, matched, searchbtn, unzoombtn, searching = null;\n"
	"function init(evt) {\n"
	"  frames = document.getElementById('frames').getElementsByTagName('g');\n"
	"  details = document.getElementById('details');\n"
	"  matched = document.getElementById('matched');\n"
	"  searchbtn = document.getElementById('search');\n"
	"  unzoombtn = document.getElementById('unzoom');\n"
	"  for (var i = 0; i < frames.length; i++) {\n"
	"    var g = frames[i], t = g.getElementsByTagName('title')[0].textContent;\n"
	"    g.fx = +g.getAttribute('data-x');\n"
	"    g.fw = +g.getAttribute('data-w');\n"
	"    g.fd = +g.getAttribute('data-d');\n"
	"    g.rect = g.getElementsByTagName('rect')[0];\n"
	"    g.text = g.getElementsByTagName('text')[0];\n"
	"    g.fill = g.rect.getAttribute('fill');\n"
	"    g.title = t;\n"
	"    g.label = t.lastIndexOf(' (') < 0 ? t : t.substring(0, t.lastIndexOf(' ('));\n"
	"    g.onclick = function () { zoom(this); };\n"
	"    g.onmouseover = function () { details.textContent = 'Function: ' + this.title; };\n"
	"    g.onmouseout = function () { details.textContent = ' '; };\n"
	"  }\n"
	"  searchbtn.onclick = function () { if (searching) resetsearch(); else askfor(); };\n"
	"  unzoombtn.onclick = unzoom;\n"
	"  window.addEventListener('keydown', function (e) {\n"
	"    if (e.keyCode === 114 || ((e.ctrlKey || e.metaKey) && e.keyCode === 70)) {\n"
	"      e.preventDefault();\n"
	"      askfor();\n"
	"    } else if (e.keyCode === 27) {\n"
	"      unzoom();\n"
	"      resetsearch();\n"
	"    }\n"
	"  }, false);\n"
	"}\n"
	"function place(g, x, w) {\n"
	"  var n = Math.floor((w - 6) / FONTW), s = g.label;\n"
	"  g.rect.setAttribute('x', x.toFixed(2));\n"
	"  g.rect.setAttribute('width', w.toFixed(2));\n"
	"  g.text.setAttribute('x', (x + 3).toFixed(2));\n"
	"  if (n < 3) s = ''; else if (s.length > n) s = s.substring(0, n - 2) + '..';\n"
	"  g.text.textContent = s;\n"
	"}\n"
	"function zoom(z) {\n"
	"  var scale = (WIDTH - 2 * XPAD) / z.fw;\n"
	"  unzoombtn.setAttribute('class', '');\n"
	"  for (var i = 0; i < frames.length; i++) {\n"
	"    var g = frames[i];\n"
	"    if (g.fd < z.fd && g.fx <= z.fx && g.fx + g.fw >= z.fx + z.fw) {\n"
	"      g.setAttribute('class', 'f parent');\n"
	"      g.style.display = '';\n"
	"      place(g, XPAD, WIDTH - 2 * XPAD);\n"
	"    } else if (g.fd >= z.fd && g.fx >= z.fx && g.fx + g.fw <= z.fx + z.fw) {\n"
	"      g.setAttribute('class', 'f');\n"
	"      g.style.display = '';\n"
	"      place(g, XPAD + (g.fx - z.fx) * scale, g.fw * scale);\n"
	"    } else {\n"
	"      g.style.display = 'none';\n"
	"    }\n"
	"  }\n"
	"}\n"
	"function unzoom() {\n"
	"  var scale = (WIDTH - 2 * XPAD) / TOTAL;\n"
	"  unzoombtn.setAttribute('class', 'hide');\n"
	"  for (var i = 0; i < frames.length; i++) {\n"
	"    frames[i].setAttribute('class', 'f');\n"
	"    frames[i].style.display = '';\n"
	"    place(frames[i], XPAD + frames[i].fx * scale, frames[i].fw * scale);\n"
	"  }\n"
	"}\n"
	"function askfor() {\n"
	"  var term = prompt('Search for functions (a regular expression)', searching || '');\n"
	"  if (term) search(term);\n"
	"}\n"
	"function search(term) {\n"
	"  var re = null, hits = [], sum = 0, end = -1;\n"
	"  try { re = new RegExp(term); } catch (e) { re = null; }\n"
	"  for (var i = 0; i < frames.length; i++) {\n"
	"    var g = frames[i];\n"
	"    if (re ? re.test(g.label) : g.label.indexOf(term) >= 0) {\n"
	"      g.rect.setAttribute('fill', 'rgb(230,0,230)');\n"
	"      hits.push(g);\n"
	"    } else {\n"
	"      g.rect.setAttribute('fill', g.fill);\n"
	"    }\n"
	"  }\n"
	"  /* Nested matches overlap: count each sample once. */\n"
	"  hits.sort(function (a, b) { return a.fx - b.fx || b.fw - a.fw; });\n"
	"  for (var k = 0; k < hits.length; k++) {\n"
	"    var from = Math.max(hits[k].fx, end), to = hits[k].fx + hits[k].fw;\n"
	"    if (to > from) { sum += to - from; end = to; }\n"
	"  }\n"
	"  searching = term;\n"
	"  searchbtn.textContent = 'Reset Search';\n"
	"  matched.textContent = 'Matched: ' + (TOTAL ? 100 * sum / TOTAL : 0).toFixed(2) + '%';\n"
	"}\n"
	"function resetsearch() {\n"
	"  if (!searching) return;\n"
	"  for (var i = 0; i < frames.length; i++)\n"
	"    frames[i].rect.setAttribute('fill', frames[i].fill);\n"
	"  searching = null;\n"
	"  searchbtn.textContent = 'Search';\n"
	"  matched.textContent = ' ';\n"
	"}\n";

static const char style[] =
	"text { font-family: Verdana, sans-serif; font-size: 12px; fill: rgb(0,0,0); }\n"
	"#title { text-anchor: middle; font-size: 17px; }\n"
	"#subtitle { text-anchor: middle; fill: rgb(96,96,96); }\n"
	"#search, #unzoom { cursor: pointer; }\n"
	"#search { text-anchor: end; }\n"
	"#matched { text-anchor: end; }\n"
	".f:hover rect { stroke: black; stroke-width: 0.5; cursor: pointer; }\n"
	".parent { opacity: 0.5; }\n"
	".hide { display: none; }\n";

static void put_own_text(FILE *out, const char *s)
{
	struct sn_buf b = {};

	if (!sn_escape_text(&b, s, strlen(s), false))
		put_xml(out, b.data, b.len);
	sn_buf_free(&b);
}

int flame_write_svg(struct flame *f, FILE *out, const char *title, const char *subtitle)
{
	struct writer w = { .out = out, .total = f->root.count };
	int depth;

	w.px_per_sample = w.total ? (double)(IMAGE_WIDTH - 2 * XPAD) / w.total : 0;
	depth = w.total ? prepare(&f->root, 0, w.px_per_sample) : 0;
	w.height = TOP_PAD + (depth + 1) * FRAME_H + BOTTOM_PAD;

	fprintf(out,
		"<?xml version=\"1.0\" standalone=\"no\"?>\n"
		"<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"onload=\"init(evt)\" xmlns=\"http://www.w3.org/2000/svg\">\n"
		"<defs><linearGradient id=\"background\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\">"
		"<stop stop-color=\"#eeeeee\" offset=\"5%%\"/><stop stop-color=\"#eeeeb0\" "
		"offset=\"95%%\"/></linearGradient></defs>\n"
		"<style type=\"text/css\"><![CDATA[\n%s]]></style>\n"
		"<script type=\"text/ecmascript\"><![CDATA[\n"
		"var WIDTH = %d, XPAD = %d, FONTW = %.2f, TOTAL = %llu;\n%s]]></script>\n"
		"<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"url(#background)\"/>\n",
		IMAGE_WIDTH, w.height, IMAGE_WIDTH, w.height, style, IMAGE_WIDTH, XPAD,
		FONT_SIZE * FONT_WIDTH, (unsigned long long)w.total, script, IMAGE_WIDTH, w.height);
	fprintf(out, "<text id=\"title\" x=\"%d\" y=\"%d\">", IMAGE_WIDTH / 2, FONT_SIZE * 2);
	put_own_text(out, title);
	fprintf(out, "</text>\n<text id=\"subtitle\" x=\"%d\" y=\"%d\">", IMAGE_WIDTH / 2,
		FONT_SIZE * 2 + 17);
	put_own_text(out, w.total ? subtitle : "no samples");
	fprintf(out,
		"</text>\n<text id=\"unzoom\" class=\"hide\" x=\"%d\" y=\"%d\">Reset Zoom</text>\n"
		"<text id=\"search\" x=\"%d\" y=\"%d\">Search</text>\n"
		"<text id=\"details\" x=\"%d\" y=\"%d\"> </text>\n"
		"<text id=\"matched\" x=\"%d\" y=\"%d\"> </text>\n<g id=\"frames\">\n",
		XPAD, FONT_SIZE * 2, IMAGE_WIDTH - XPAD, FONT_SIZE * 2, XPAD, w.height - 17,
		IMAGE_WIDTH - XPAD, w.height - 17);
	if (w.total)
		write_frame(&w, &f->root, 0, 0);
	fputs("</g>\n</svg>\n", out);
	sn_buf_free(&w.name);
	if (fflush(out) || ferror(out))
		return -EIO;
	return 0;
}
