/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Logging for the programs' top levels. Under systemd (JOURNAL_STREAM set) each line carries a
 * "<N>" syslog priority prefix, which journald turns into PRIORITY=; on a terminal it is plain.
 * log_*_errno() return the negative errno they are given, so callers can log and return at once.
 */

#include <errno.h>
#include <syslog.h>

void log_set_program(const char *name);
int log_internal(int priority, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_error(...)		  log_internal(LOG_ERR, 0, __VA_ARGS__)
#define log_warning(...)	  log_internal(LOG_WARNING, 0, __VA_ARGS__)
#define log_notice(...)		  log_internal(LOG_NOTICE, 0, __VA_ARGS__)
#define log_info(...)		  log_internal(LOG_INFO, 0, __VA_ARGS__)
#define log_debug(...)		  log_internal(LOG_DEBUG, 0, __VA_ARGS__)
#define log_error_errno(e, ...)	  log_internal(LOG_ERR, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_internal(LOG_WARNING, (e), __VA_ARGS__)
