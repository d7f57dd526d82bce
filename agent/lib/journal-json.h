/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A secagent journald entry as the JSON object `secagentctl events --json` writes, one per line,
 * for log shippers. The schema is docs/events-json.md: an envelope (schema_version, type, time,
 * realtime_usec, hostname, message) and every SECAGENT_* field of the entry under its name
 * without the prefix, lower-cased, typed by the table in journal-json.c.
 */

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Bumped when a key is renamed, removed or changes type; adding keys keeps it. */
#define EVENTS_JSON_SCHEMA_VERSION 1

/* One "NAME=value" datum of an entry, as sd_journal_enumerate_data() gives it (not terminated). */
struct journal_datum {
	const void *data;
	size_t len;
};

/* The object for the entry made of @n data, logged at @realtime_usec; NULL when out of memory.
 * Data other than MESSAGE_ID, MESSAGE, _HOSTNAME and SECAGENT_* are left out. */
json_t *journal_entry_json(const struct journal_datum *data, size_t n, uint64_t realtime_usec);
