/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the fuzz targets share: the libFuzzer entry point, turning an input into argv, and
 * the output invariants every escaper and emitter must keep. An invariant that breaks
 * aborts with a message, which libFuzzer reports as a crash with the input saved.
 */
#ifndef SN_FUZZ_H
#define SN_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * stderr as it was at start: -close_fd_mask silences what the code under test prints,
 * but a broken invariant must still be said.
 */
extern int fuzz_report_fd;

#define FUZZ_ASSERT(cond, ...)                                                                 \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			dprintf(fuzz_report_fd, "fuzz: %s:%d: invariant (%s) broken: ",        \
				__FILE__, __LINE__, #cond);                                    \
			dprintf(fuzz_report_fd, __VA_ARGS__);                                  \
			dprintf(fuzz_report_fd, "\n");                                         \
			abort();                                                               \
		}                                                                              \
	} while (0)

#define FUZZ_MAX_ARGS 32

/*
 * Splits @data at NUL bytes into at most FUZZ_MAX_ARGS - 2 strings after @argv0, each a
 * malloc'd copy of exactly its length (so an overread is caught). Returns argc; argv ends
 * with NULL. fuzz_free_args() frees them.
 */
int fuzz_split_args(const uint8_t *data, size_t size, const char *argv0, char **argv);
void fuzz_free_args(char **argv);
/*
 * The same into @arena (of @cap bytes, reused by the next call, never freed), for code
 * that keeps pointers to its arguments as a real process may (its argv lives as long as
 * it does): they must stay valid memory. Arguments that do not fit are left out.
 */
int fuzz_split_args_static(const uint8_t *data, size_t size, const char *argv0, char **argv,
			   char *arena, size_t cap);

/*
 * Length of the valid UTF-8 sequence at @s, decoded independently of the runtime's
 * decoder (shortest form, no surrogates, at most U+10FFFF); 0 if invalid.
 */
size_t fuzz_utf8_len(const unsigned char *s, size_t len, uint32_t *cp);

/*
 * A terminal-safe line: valid UTF-8 without C0 controls (but @allow_nl newlines), DEL or
 * C1 controls. Aborts with @what in the message otherwise.
 */
void fuzz_check_terminal_safe(const char *s, size_t len, bool allow_nl, const char *what);

/*
 * Decodes the body of a JSON string (RFC 8259, no surrounding quotes) into @out (of at
 * least @len bytes), turning \udcNN back into byte NN as sn_escape_json promises.
 * Aborts if @s is not a valid JSON string body. Returns the decoded length.
 */
size_t fuzz_json_string_decode(const char *s, size_t len, char *out);

/* Decodes sn_escape_text output (without @quote's surrounding quotes) into @out. */
size_t fuzz_text_decode(const char *s, size_t len, bool quote, char *out);

#endif /* SN_FUZZ_H */
