/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The one JSON helper secagentctl needs: a string literal, escaped. Everything else the CLI writes
 * as JSON (objects, arrays, numbers, true/false/null) is fixed text around these.
 *
 * Paths and command names come from the kernel and may hold any byte but NUL. Quotes,
 * backslashes, control characters (U+0000..U+001F) and DEL are escaped; valid UTF-8 passes
 * through; each byte that is not part of valid UTF-8 (stray continuation bytes, overlong forms,
 * surrogates, code points above U+10FFFF, truncated sequences) becomes U+FFFD, so the output is
 * always valid JSON in valid UTF-8.
 */

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at @s (at most @n bytes), or 0 if it is not valid. */
static inline size_t utf8_sequence_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0; /* continuation byte, 0xc0/0xc1 (always overlong) or 0xf5.. */
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Writes @s (@n bytes) as a JSON string literal, quotes included. */
static inline void json_fput_string_n(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t len;

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				fprintf(f, "\\u%04x", c);
				break;
			}
			len = utf8_sequence_len(p + i, n - i);
			if (len == 0) {
				fputs("\\ufffd", f);
				break;
			}
			fwrite(p + i, 1, len, f);
			i += len;
			continue;
		}
		i++;
	}
	fputc('"', f);
}

/* Writes @s as a JSON string literal, or null for NULL. */
static inline void json_fput_string(FILE *f, const char *s)
{
	if (s)
		json_fput_string_n(f, s, strlen(s));
	else
		fputs("null", f);
}

/* Writes "key": with @key escaped, for hand-written objects. */
static inline void json_fput_key(FILE *f, const char *key)
{
	json_fput_string(f, key);
	fputc(':', f);
}
