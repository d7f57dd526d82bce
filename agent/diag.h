/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Diagnostics: errors about an operator's input, each tied to a file, line and column, printed
 * as `file:line:column: message` (the format editors and compilers use).
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct diag {
	char *file;
	unsigned line;   /* 0 when the error is about the file as a whole */
	unsigned column;
	char *message;
};

struct diag_list {
	struct diag *items;
	size_t n;
};

/* Adds one diagnostic; returns 0 or -ENOMEM. */
int diag_add(struct diag_list *l, const char *file, unsigned line, unsigned column,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Writes every diagnostic, one per line, to @f. */
void diag_print(const struct diag_list *l, FILE *f);

/* Joins every diagnostic into one newly allocated string, lines separated by '\n'. */
char *diag_join(const struct diag_list *l);

void diag_list_clear(struct diag_list *l);
