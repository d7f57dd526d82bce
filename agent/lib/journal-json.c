// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "journal-fields.h"
#include "journal-json.h"
#include "json-util.h"
#include "util.h"

#define FIELD_PREFIX "SECAGENT_"

enum field_type {
	FIELD_STRING = 0,    /* everything the table does not name, a newer daemon's fields too */
	FIELD_NUMBER,	     /* unsigned decimal; null if the value is not one */
	FIELD_FLAG,	     /* "1" or "0": true or false */
	FIELD_FAILED_CLOSED, /* "0", or why: false, and the reason in failed_closed_reason */
};

/* The fields that are not strings, by the names journal-fields.h owns. */
static const struct {
	const char *name;
	enum field_type type;
} field_types[] = {
	{ SA_FIELD_CAPABILITY_NR, FIELD_NUMBER },
	{ SA_FIELD_COUNT, FIELD_NUMBER },
	{ SA_FIELD_FAMILY_NR, FIELD_NUMBER },
	{ SA_FIELD_GENERATION, FIELD_NUMBER },
	{ SA_FIELD_GID, FIELD_NUMBER },
	{ SA_FIELD_INODE, FIELD_NUMBER },
	{ SA_FIELD_EXE_INODE, FIELD_NUMBER },
	{ SA_FIELD_LOST_TOTAL, FIELD_NUMBER },
	{ SA_FIELD_OBJECT_ID, FIELD_NUMBER },
	{ SA_FIELD_PID, FIELD_NUMBER },
	{ SA_FIELD_PORT, FIELD_NUMBER },
	{ SA_FIELD_PROTOCOL_NR, FIELD_NUMBER },
	{ SA_FIELD_REGISTERED_PID, FIELD_NUMBER },
	{ SA_FIELD_SYSCALL_NR, FIELD_NUMBER },
	{ SA_FIELD_TARGET_PID, FIELD_NUMBER },
	{ SA_FIELD_TID, FIELD_NUMBER },
	{ SA_FIELD_UID, FIELD_NUMBER },
	{ SA_FIELD_ATTRIBUTED, FIELD_FLAG },
	{ SA_FIELD_PATH_RELATIVE, FIELD_FLAG },
	{ SA_FIELD_PATH_TRUNCATED, FIELD_FLAG },
	{ SA_FIELD_FAILED_CLOSED, FIELD_FAILED_CLOSED },
};

/* The entry types, by MESSAGE_ID. */
static const struct {
	const char *id, *type;
} message_types[] = {
	{ SECAGENT_MESSAGE_DENIED, "denied" },	   { SECAGENT_MESSAGE_AUDITED, "audited" },
	{ SECAGENT_MESSAGE_REPEATED, "repeated" }, { SECAGENT_MESSAGE_SUPPRESSED, "suppressed" },
	{ SECAGENT_MESSAGE_LOST, "lost" },	   { SECAGENT_MESSAGE_SECCOMP, "seccomp" },
};

static enum field_type field_type(const char *name, size_t len)
{
	for (size_t i = 0; i < ELEMENTSOF(field_types); i++)
		if (strlen(field_types[i].name) == len &&
		    memcmp(field_types[i].name, name, len) == 0)
			return field_types[i].type;
	return FIELD_STRING;
}

/* @value (@len bytes) as an unsigned decimal number, or json null. */
static json_t *number_or_null(const char *value, size_t len)
{
	char buf[32];
	char *end;
	uint64_t v;

	if (len == 0 || len >= sizeof(buf) || !isdigit((unsigned char)value[0]))
		return json_null();
	memcpy(buf, value, len);
	buf[len] = '\0';
	errno = 0;
	v = strtoull(buf, &end, 10);
	return errno || *end ? json_null() : json_uint64(v);
}

static bool is(const char *data, size_t len, const char *name, const char **ret_value,
	       size_t *ret_len)
{
	size_t n = strlen(name);

	if (len <= n || memcmp(data, name, n) != 0 || data[n] != '=')
		return false;
	*ret_value = data + n + 1;
	*ret_len = len - n - 1;
	return true;
}

/* Sets @key of @o to @v (taken); false when out of memory. */
static bool set(json_t *o, const char *key, json_t *v)
{
	return v && json_object_set_new(o, key, v) == 0;
}

/* A SECAGENT_* datum: its name without the prefix, lower-cased, and its typed value. */
static bool add_field(json_t *o, const char *data, size_t len)
{
	const char *eq = memchr(data, '=', len);
	size_t name_len = eq ? (size_t)(eq - data) : 0, key_len, vlen;
	const char *value = eq + 1;
	char key[64];

	if (!eq || name_len <= strlen(FIELD_PREFIX) ||
	    name_len - strlen(FIELD_PREFIX) >= sizeof(key))
		return true; /* not a field of ours: left out */
	key_len = name_len - strlen(FIELD_PREFIX);
	for (size_t i = 0; i < key_len; i++)
		key[i] = tolower((unsigned char)data[strlen(FIELD_PREFIX) + i]);
	key[key_len] = '\0';
	vlen = len - name_len - 1;

	switch (field_type(data, name_len)) {
	case FIELD_NUMBER:
		return set(o, key, number_or_null(value, vlen));
	case FIELD_FLAG:
		return set(o, key, json_boolean(vlen == 1 && value[0] == '1'));
	case FIELD_FAILED_CLOSED: {
		bool failed = !(vlen == 1 && value[0] == '0') && vlen > 0;

		return set(o, key, json_boolean(failed)) &&
		       (!failed || set(o, "failed_closed_reason", json_stringn_lossy(value, vlen)));
	}
	case FIELD_STRING:
	default:
		return set(o, key, json_stringn_lossy(value, vlen));
	}
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *iso_time(uint64_t usec)
{
	char iso[64] = "";
	time_t t = (time_t)(usec / 1000000);
	struct tm tm;
	size_t n;

	if (!gmtime_r(&t, &tm))
		return json_null();
	n = strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(iso + n, sizeof(iso) - n, ".%06" PRIu64 "Z", usec % 1000000);
	return json_string(iso);
}

json_t *journal_entry_json(const struct journal_datum *data, size_t n, uint64_t realtime_usec)
{
	_cleanup_(json_decrefp) json_t *o = json_object(), *fields = json_object();
	const char *type = "unknown", *hostname = NULL, *message = NULL, *v;
	size_t hostname_len = 0, message_len = 0, vlen;
	const char *key;
	json_t *value;

	if (!o || !fields)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *d = data[i].data;
		size_t len = data[i].len;

		if (is(d, len, "MESSAGE_ID", &v, &vlen)) {
			for (size_t k = 0; k < ELEMENTSOF(message_types); k++)
				if (vlen == strlen(message_types[k].id) &&
				    memcmp(v, message_types[k].id, vlen) == 0)
					type = message_types[k].type;
		} else if (is(d, len, "MESSAGE", &v, &vlen)) {
			message = v;
			message_len = vlen;
		} else if (is(d, len, "_HOSTNAME", &v, &vlen)) {
			hostname = v;
			hostname_len = vlen;
		} else if (len > strlen(FIELD_PREFIX) &&
			   memcmp(d, FIELD_PREFIX, strlen(FIELD_PREFIX)) == 0) {
			if (!add_field(fields, d, len))
				return NULL;
		}
	}
	/* The envelope first, then the fields in name order: one line reads the same way each
	 * time, whatever order journald stored the data in. */
	if (!set(o, "schema_version", json_integer(EVENTS_JSON_SCHEMA_VERSION)) ||
	    !set(o, "type", json_string(type)) || !set(o, "time", iso_time(realtime_usec)) ||
	    !set(o, "realtime_usec", json_uint64(realtime_usec)) ||
	    !set(o, "hostname",
		 hostname ? json_stringn_lossy(hostname, hostname_len) : json_null()) ||
	    !set(o, "message", message ? json_stringn_lossy(message, message_len) : json_null()))
		return NULL;
	{
		const char **keys = calloc(json_object_size(fields) + 1, sizeof(*keys));
		size_t nk = 0;

		if (!keys)
			return NULL;
		json_object_foreach(fields, key, value) keys[nk++] = key;
		qsort(keys, nk, sizeof(*keys), cmp_key);
		for (size_t i = 0; i < nk; i++)
			if (json_object_set(o, keys[i], json_object_get(fields, keys[i])) < 0) {
				free(keys);
				return NULL;
			}
		free(keys);
	}
	return TAKE_PTR(o);
}
