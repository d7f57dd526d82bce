/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The strings secagentctl hands to jansson: every output must be one valid JSON string in valid
 * UTF-8, whatever bytes a path or command name holds. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json-util.h"
#include "test.h"

#define FFFD "\xef\xbf\xbd" /* U+FFFD in UTF-8 */

/* @s (@n bytes) through json_stringn_lossy() and json_dumps(), as a new string; checks that
 * jansson reads the text back as the same string. */
static char *escape(const char *s, size_t n)
{
	json_t *j = json_stringn_lossy(s, n), *back;
	char *text;

	if (!j)
		abort();
	text = json_dumps(j, JSON_ENCODE_ANY);
	if (!text)
		abort();
	back = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (!back || !json_equal(j, back))
		abort();
	json_decref(back);
	json_decref(j);
	return text;
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
	ASSERT_ESCAPES("\x01\x1f", "\"\\u0001\\u001F\"");
	ASSERT_ESCAPES("\x1b[31mred", "\"\\u001B[31mred\"");
	/* DEL is not a control character to JSON: jansson writes it as it is. */
	ASSERT_ESCAPES("a\x7f", "\"a\x7f\"");
}

TEST(embedded_nul)
{
	/* The length counts, not the NUL (journal fields may hold one). */
	ASSERT_ESCAPES("a\0b", "\"a\\u0000b\"");
}

TEST(valid_utf8_passes)
{
	ASSERT_ESCAPES("caf\xc3\xa9", "\"caf\xc3\xa9\"");	    /* é, 2 bytes */
	ASSERT_ESCAPES("\xe2\x82\xac", "\"\xe2\x82\xac\"");	    /* €, 3 bytes */
	ASSERT_ESCAPES("\xf0\x9f\x94\x92", "\"\xf0\x9f\x94\x92\""); /* 🔒, 4 bytes */
	ASSERT_ESCAPES("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF */
	ASSERT_ESCAPES(FFFD, "\"" FFFD "\"");
}

TEST(invalid_utf8_replaced)
{
	ASSERT_ESCAPES("\xff", "\"" FFFD "\"");
	ASSERT_ESCAPES("a\x80z", "\"a" FFFD "z\"");			   /* stray continuation */
	ASSERT_ESCAPES("\xc0\xaf", "\"" FFFD FFFD "\"");		   /* overlong '/' */
	ASSERT_ESCAPES("\xe0\x80\xaf", "\"" FFFD FFFD FFFD "\"");	   /* overlong, 3 bytes */
	ASSERT_ESCAPES("\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"");	   /* surrogate U+D800 */
	ASSERT_ESCAPES("\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\""); /* > U+10FFFF */
	ASSERT_ESCAPES("\xc3", "\"" FFFD "\"");		       /* truncated at the end */
	ASSERT_ESCAPES("\xe2\x82\"", "\"" FFFD FFFD "\\\"\""); /* truncated before a quote */
	ASSERT_ESCAPES("\xf5\xbf\xbf\xbf", "\"" FFFD FFFD FFFD FFFD "\""); /* 0xf5.. */
}

TEST(null_pointer)
{
	json_t *j = json_string_lossy(NULL);

	ASSERT_NOT_NULL(j);
	ASSERT_TRUE(json_is_null(j));
	json_decref(j);
	j = json_string_lossy("k\"\xff");
	ASSERT_STREQ(json_string_value(j), "k\"" FFFD);
	json_decref(j);
}

TEST(errno_name)
{
	json_t *j = json_errno_name(ENOENT);

	ASSERT_STREQ(json_string_value(j), "ENOENT");
	json_decref(j);
	j = json_errno_name(0);
	ASSERT_TRUE(json_is_null(j));
	json_decref(j);
}

TEST(unsigned_numbers)
{
	json_t *o =
		json_pack("{s:o, s:o, s:o, s:s}", "max", json_uint64(UINT64_MAX), "big",
			  json_uint64(UINT64_C(1) << 63), "small", json_uint64(17), "text", "-1");
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	ASSERT_NOT_NULL(o);
	ASSERT_NOT_NULL(f);
	ASSERT_OK(json_dumpf_unsigned(o, f, JSON_COMPACT | JSON_PRESERVE_ORDER));
	fclose(f);
	ASSERT_STREQ(buf, "{\"max\":18446744073709551615,\"big\":9223372036854775808,"
			  "\"small\":17,\"text\":\"-1\"}");
	free(buf);
	json_decref(o);
}

TEST_MAIN()
