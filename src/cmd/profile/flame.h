/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Flame graphs: stacks merged into a tree, written as one self-contained SVG with the
 * script for zooming and searching inside it, as flamegraph.pl's output works.
 */
#ifndef SN_FLAME_H
#define SN_FLAME_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What a frame is: it picks the colour. */
enum flame_kind {
	FLAME_PROCESS, /* the process (comm) the stack belongs to */
	FLAME_USER,
	FLAME_KERNEL,
	FLAME_OTHER,   /* a placeholder: a missing stack, an unknown frame */
};

struct flame;

struct flame *flame_new(void);
void flame_free(struct flame *f);
/* Adds @count samples of a stack of @n frames, root first. 0 or -ENOMEM. */
int flame_add(struct flame *f, const char *const *names, const unsigned char *kinds, size_t n,
	      uint64_t count);
/* Writes the graph (sorting siblings); @title and @subtitle are our own text. 0 or -EIO. */
int flame_write_svg(struct flame *f, FILE *out, const char *title, const char *subtitle);

#endif /* SN_FLAME_H */
