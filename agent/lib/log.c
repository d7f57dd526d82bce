// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *program = "secagent";
static int max_priority = LOG_INFO;

void log_set_program(const char *name)
{
	const char *e = getenv("SECAGENT_LOG_LEVEL");

	program = name;
	if (e && strcmp(e, "debug") == 0)
		max_priority = LOG_DEBUG;
}

int log_internal(int priority, int error, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (priority > max_priority)
		return error < 0 ? error : -abs(error);

	/* %m in fmt means the error passed in, as in systemd's log_*_errno(). */
	errno = abs(error);
	if (getenv("JOURNAL_STREAM"))
		fprintf(stderr, "<%d>", priority);
	else
		fprintf(stderr, "%s: ", program);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	errno = saved;
	return -abs(error);
}
