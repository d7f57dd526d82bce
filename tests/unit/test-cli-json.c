/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The JSON string escaping of secagentctl: every output must be one valid JSON string in valid
 * UTF-8, whatever bytes a path or command name holds. */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream() */
#endif

#include "cli-json.h"
#include "test.h"

/* @s (@n bytes) written by json_fput_string_n(), as a new string (leaked on failure). */
static char *escape(const char *s, size_t n)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f)
		abort();
	json_fput_string_n(f, s, n);
	if (fclose(f) != 0)
		abort();
	return buf;
}

#define ASSERT_ESCAPES(in, expected)                                                               \
	do {                                                                                       \
		char *_got = escape((in), sizeof(in) - 1);                                         \
		ASSERT_STREQ(_got, (expected));                                                    \
		free(_got);                                                                        \
	} while (0)

TEST(plain)
{
	ASSERT_ESCAPES("", "\"\"");
	ASSERT_ESCAPES("/etc/shadow", "\"/etc/shadow\"");
}

TEST(quotes_and_backslashes)
{
	ASSERT_ESCAPES("a\"b", "\"a\\\"b\"");
	ASSERT_ESCAPES("a\\b", "\"a\\\\b\"");
	ASSERT_ESCAPES("\\\"", "\"\\\\\\\"\"");
	ASSERT_ESCAPES("/", "\"/\""); /* no need to escape the solidus */
}

TEST(control_characters)
{
	ASSERT_ESCAPES("\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"");
	ASSERT_ESCAPES("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	ASSERT_ESCAPES("\x1b[31mred", "\"\\u001b[31mred\"");
}

TEST(embedded_nul)
{
	/* The length counts, not the NUL (journal fields may hold one). */
	ASSERT_ESCAPES("a\0b", "\"a\\u0000b\"");
}

TEST(valid_utf8_passes)
{
	ASSERT_ESCAPES("caf\xc3\xa9", "\"caf\xc3\xa9\"");                /* é, 2 bytes */
	ASSERT_ESCAPES("\xe2\x82\xac", "\"\xe2\x82\xac\"");              /* €, 3 bytes */
	ASSERT_ESCAPES("\xf0\x9f\x94\x92", "\"\xf0\x9f\x94\x92\"");      /* 🔒, 4 bytes */
	ASSERT_ESCAPES("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");      /* U+10FFFF */
}

TEST(invalid_utf8_replaced)
{
	ASSERT_ESCAPES("\xff", "\"\\ufffd\"");
	ASSERT_ESCAPES("a\x80z", "\"a\\ufffdz\"");                 /* stray continuation */
	ASSERT_ESCAPES("\xc0\xaf", "\"\\ufffd\\ufffd\"");          /* overlong '/' */
	ASSERT_ESCAPES("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\""); /* overlong, 3 bytes */
	ASSERT_ESCAPES("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate U+D800 */
	ASSERT_ESCAPES("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > U+10FFFF */
	ASSERT_ESCAPES("\xc3", "\"\\ufffd\"");                     /* truncated at the end */
	ASSERT_ESCAPES("\xe2\x82\"", "\"\\ufffd\\ufffd\\\"\"");    /* truncated before a quote */
}

TEST(null_pointer)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	ASSERT_NOT_NULL(f);
	json_fput_string(f, NULL);
	fputc(' ', f);
	json_fput_key(f, "k\"");
	fclose(f);
	ASSERT_STREQ(buf, "null \"k\\\"\":");
	free(buf);
}

TEST_MAIN()
