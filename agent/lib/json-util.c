/* SPDX-License-Identifier: GPL-2.0-or-later */

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json-util.h"
#include "names.h"
#include "util.h"

size_t utf8_sequence_len(const unsigned char *s, size_t n)
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

json_t *json_stringn_lossy(const char *s, size_t n)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	const unsigned char *p = (const unsigned char *)s;
	_cleanup_free_ char *copy = NULL;
	size_t len = 0;

	/* At most three bytes for each byte in. */
	if (n > (SIZE_MAX - 1) / 3)
		return NULL;
	copy = malloc(n * 3 + 1);
	if (!copy)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_sequence_len(p + i, n - i);

		if (l == 0) {
			memcpy(copy + len, replacement, 3);
			len += 3;
			i++;
		} else {
			memcpy(copy + len, p + i, l);
			len += l;
			i += l;
		}
	}
	copy[len] = '\0';
	return json_stringn(copy, len);
}

json_t *json_string_lossy(const char *s)
{
	return s ? json_stringn_lossy(s, strlen(s)) : json_null();
}

json_t *json_errno_name(int error)
{
	const char *name = errno_to_name(error);

	return name ? json_string(name) : json_null();
}

json_t *json_uint64(uint64_t v)
{
	return json_integer((json_int_t)v);
}

struct unsigned_dump {
	FILE *f;
	bool in_string;
};

/* jansson hands an integer over as one chunk, a string as its opening quote, the pieces between
 * escapes and its closing quote; a '"' alone is always a quote, as one inside a string comes
 * escaped. */
static int dump_unsigned(const char *buffer, size_t size, void *data)
{
	struct unsigned_dump *d = data;

	if (size == 1 && buffer[0] == '"')
		d->in_string = !d->in_string;
	else if (!d->in_string && size > 1 && buffer[0] == '-' && size < 32) {
		char number[32];

		memcpy(number, buffer, size);
		number[size] = '\0';
		return fprintf(d->f, "%" PRIu64, (uint64_t)strtoll(number, NULL, 10)) < 0 ? -1 : 0;
	}
	return fwrite(buffer, 1, size, d->f) == size ? 0 : -1;
}

int json_dumpf_unsigned(const json_t *json, FILE *f, size_t flags)
{
	struct unsigned_dump d = { .f = f };

	return json_dump_callback(json, dump_unsigned, &d, flags);
}
