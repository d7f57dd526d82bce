/* SPDX-License-Identifier: GPL-2.0-or-later */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* vasprintf(), open_memstream() */
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "util.h"

#define DIAG_FILE_FALLBACK "<input>"

int diag_add(struct diag_list *l, const char *file, unsigned line, unsigned column, const char *fmt,
	     ...)
{
	_cleanup_free_ char *f = NULL, *message = NULL;
	va_list ap;
	int r;

	/* Past DIAG_MAX_SHOWN, a diagnostic is only counted: an entry without text keeps n
	 * growing for callers that compare it, and the printers say how many were left out. */
	if (l->n < DIAG_MAX_SHOWN) {
		va_start(ap, fmt);
		r = vasprintf(&message, fmt, ap);
		va_end(ap);
		if (r < 0) {
			message = NULL; /* its value is undefined after a failure */
			return -ENOMEM;
		}

		f = strdup(file ?: DIAG_FILE_FALLBACK);
		if (!f)
			return -ENOMEM;
	}

	/* The capacity follows from n: 8 slots, doubled each time n reaches a power of two. */
	if (l->n == 0 || (l->n >= 8 && (l->n & (l->n - 1)) == 0)) {
		size_t cap = l->n == 0 ? 8 : l->n * 2;
		struct diag *items;

		items = reallocarray(l->items, cap, sizeof(struct diag));
		if (!items)
			return -ENOMEM;
		l->items = items;
	}

	l->items[l->n++] = (struct diag){
		.file = TAKE_PTR(f),
		.line = line,
		.column = line > 0 ? column : 0,
		.message = TAKE_PTR(message),
	};
	return 0;
}

static void diag_write(const struct diag *d, FILE *f)
{
	if (d->line > 0)
		fprintf(f, "%s:%u:%u: %s", d->file, d->line, d->column, d->message);
	else
		fprintf(f, "%s: %s", d->file, d->message);
}

size_t diag_shown(const struct diag_list *l)
{
	return l->n < DIAG_MAX_SHOWN ? l->n : DIAG_MAX_SHOWN;
}

static void diag_write_more(const struct diag_list *l, FILE *f)
{
	fprintf(f, "(%zu more errors not shown)", l->n - DIAG_MAX_SHOWN);
}

void diag_print(const struct diag_list *l, FILE *f)
{
	for (size_t i = 0; i < diag_shown(l); i++) {
		diag_write(&l->items[i], f);
		fputc('\n', f);
	}
	if (l->n > DIAG_MAX_SHOWN) {
		diag_write_more(l, f);
		fputc('\n', f);
	}
}

char *diag_join(const struct diag_list *l)
{
	_cleanup_fclose_ FILE *f = NULL;
	char *buf = NULL;
	size_t size = 0;

	f = open_memstream(&buf, &size);
	if (!f)
		return NULL;

	for (size_t i = 0; i < diag_shown(l); i++) {
		if (i > 0)
			fputc('\n', f);
		diag_write(&l->items[i], f);
	}
	if (l->n > DIAG_MAX_SHOWN) {
		fputc('\n', f);
		diag_write_more(l, f);
	}

	if (fflush(f) != 0 || ferror(f)) {
		fclose(TAKE_PTR(f));
		free(buf);
		return NULL;
	}
	if (fclose(TAKE_PTR(f)) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

void diag_list_clear(struct diag_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].file);
		free(l->items[i].message);
	}
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

void diag_list_truncate(struct diag_list *l, size_t n)
{
	/* The capacity follows from n (diag_add): a smaller n never asks for less than there is. */
	for (size_t i = n; i < l->n; i++) {
		free(l->items[i].file);
		free(l->items[i].message);
	}
	if (n < l->n)
		l->n = n;
}
