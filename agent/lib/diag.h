/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Diagnostics: errors about an operator's input, each tied to a file, line and column, printed
 * as `file:line:column: message` (the format editors and compilers use).
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Diagnostics kept with their text; past this they are counted and reported as a number (one
 * file of 250,000 bad aliases made 58 MB of messages). */
#define DIAG_MAX_SHOWN 1000

struct diag {
	char *file;
	unsigned line; /* 0 when the error is about the file as a whole */
	unsigned column;
	char *message;
};

struct diag_list {
	struct diag *items;
	size_t n;
};

/* Adds one diagnostic (past DIAG_MAX_SHOWN counted only: n grows, the entry has no text);
 * returns 0 or -ENOMEM. */
int diag_add(struct diag_list *l, const char *file, unsigned line, unsigned column, const char *fmt,
	     ...) __attribute__((format(printf, 5, 6)));

/* How many of @l's diagnostics have their text: items[0 .. diag_shown() - 1]. */
size_t diag_shown(const struct diag_list *l);

/* Writes every diagnostic, one per line, to @f. */
void diag_print(const struct diag_list *l, FILE *f);

/* Joins every diagnostic into one newly allocated string, lines separated by '\n'. */
char *diag_join(const struct diag_list *l);

void diag_list_clear(struct diag_list *l);
/* Drops the diagnostics added after the first @n (a try whose findings do not count). */
void diag_list_truncate(struct diag_list *l, size_t n);
