// SPDX-License-Identifier: GPL-2.0-or-later
/* `secagentctl events --json`: a journald entry as one object of the documented schema. */

#include "journal-fields.h"
#include "journal-json.h"
#include "json-util.h"
#include "test.h"
#include "util.h"

#define D(s)                                                                                       \
	{                                                                                          \
		s, sizeof(s) - 1                                                                   \
	}

/* As secagentctl writes it: integers unsigned (an inode may be above 2^63). */
static char *dump(json_t *o)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (!f || !o || json_dumpf_unsigned(o, f, JSON_COMPACT | JSON_PRESERVE_ORDER) < 0)
		s = NULL;
	if (f)
		fclose(f);
	json_decref(o);
	return s;
}

TEST(denial_typed_in_name_order)
{
	const struct journal_datum data[] = {
		D("MESSAGE_ID=" SECAGENT_MESSAGE_DENIED),
		D("MESSAGE=Denied file_open of /etc/shadow by cat[812] (uid 1000)"),
		D("_HOSTNAME=node-1"),
		D("PRIORITY=4"), /* not ours: left out */
		D(SA_FIELD_PID "=812"),
		D(SA_FIELD_UID "=1000"),
		D(SA_FIELD_PATH "=/etc/shadow"),
		D(SA_FIELD_ACTION "=deny"),
		D(SA_FIELD_PATH_TRUNCATED "=0"),
		D(SA_FIELD_FAILED_CLOSED "=0"),
		D(SA_FIELD_INODE "=18446744073709551615"),
		D(SA_FIELD_DEVICE "=8:1"),
	};
	char *s = dump(journal_entry_json(data, ELEMENTSOF(data), 1733306400123456ULL));

	ASSERT_STREQ(
		s,
		"{\"schema_version\":1,\"type\":\"denied\","
		"\"time\":\"2024-12-04T10:00:00.123456Z\",\"realtime_usec\":1733306400123456,"
		"\"hostname\":\"node-1\","
		"\"message\":\"Denied file_open of /etc/shadow by cat[812] (uid 1000)\","
		"\"action\":\"deny\",\"device\":\"8:1\",\"failed_closed\":false,"
		"\"inode\":18446744073709551615,\"path\":\"/etc/shadow\",\"path_truncated\":false,\"pid\":812,"
		"\"uid\":1000}");
	free(s);
}

TEST(failed_closed_reason_unknown_fields_bad_numbers)
{
	const struct journal_datum data[] = {
		D("MESSAGE_ID=" SECAGENT_MESSAGE_DENIED),
		D(SA_FIELD_FAILED_CLOSED "=depth"),
		D(SA_FIELD_PID "=12x"),		     /* not a number: null */
		D(SA_FIELD_PORT "="),		     /* empty: null */
		D("SECAGENT_FROM_A_NEWER_DAEMON=7"), /* passed on as a string */
		D(SA_FIELD_PATH "=/tmp/\xff\x1b"),   /* invalid UTF-8 made valid, control escaped */
	};
	char *s = dump(journal_entry_json(data, ELEMENTSOF(data), 0));

	ASSERT_STREQ(s, "{\"schema_version\":1,\"type\":\"denied\","
			"\"time\":\"1970-01-01T00:00:00.000000Z\",\"realtime_usec\":0,"
			"\"hostname\":null,\"message\":null,\"failed_closed\":true,"
			"\"failed_closed_reason\":\"depth\",\"from_a_newer_daemon\":\"7\","
			"\"path\":\"/tmp/\xef\xbf\xbd\\u001B\",\"pid\":null,\"port\":null}");
	free(s);
}

TEST(entry_types)
{
	static const char *const ids[][2] = {
		{ "MESSAGE_ID=" SECAGENT_MESSAGE_AUDITED, "audited" },
		{ "MESSAGE_ID=" SECAGENT_MESSAGE_REPEATED, "repeated" },
		{ "MESSAGE_ID=" SECAGENT_MESSAGE_SUPPRESSED, "suppressed" },
		{ "MESSAGE_ID=" SECAGENT_MESSAGE_LOST, "lost" },
		{ "MESSAGE_ID=" SECAGENT_MESSAGE_SECCOMP, "seccomp" },
		{ "MESSAGE_ID=0123456789abcdef0123456789abcdef", "unknown" },
	};

	for (size_t i = 0; i < ELEMENTSOF(ids); i++) {
		struct journal_datum d = { ids[i][0], strlen(ids[i][0]) };
		json_t *o = journal_entry_json(&d, 1, 0);

		ASSERT_NOT_NULL(o);
		ASSERT_STREQ(json_string_value(json_object_get(o, "type")), ids[i][1]);
		json_decref(o);
	}
}

TEST_MAIN()
