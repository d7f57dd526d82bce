/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * What the programs need besides jansson to write JSON: strings from the kernel, errno names and
 * unsigned 64-bit numbers. Everything else is json_object()/json_array() and json_dumpf().
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/* Length of the valid UTF-8 sequence at @s (at most @n bytes, n >= 1), or 0 if it is not valid. */
size_t utf8_sequence_len(const unsigned char *s, size_t n);

/*
 * A JSON string of @s (@n bytes). Paths and command names come from the kernel and may hold any
 * byte; json_stringn() takes only valid UTF-8, so valid UTF-8 is kept and each byte that is not
 * part of it (stray continuation bytes, overlong forms, surrogates, code points above U+10FFFF,
 * truncated sequences) becomes U+FFFD: the output is always valid JSON in valid UTF-8. jansson
 * escapes quotes, backslashes and control characters when it dumps the string.
 * Returns NULL when out of memory.
 */
json_t *json_stringn_lossy(const char *s, size_t n);

/* The same for a NUL-terminated @s; json null for NULL. Returns NULL when out of memory. */
json_t *json_string_lossy(const char *s);

/* The name of errno @error (e.g. "ENOENT") as a JSON string, or null when @error is 0 or has no
 * name. Returns NULL when out of memory. */
json_t *json_errno_name(int error);

/*
 * jansson's integers are signed 64-bit; @v above INT64_MAX is kept as its two's complement.
 * Dump a value holding these with json_dumpf_unsigned(), which prints every integer as unsigned:
 * for documents without negative numbers.
 */
json_t *json_uint64(uint64_t v);
int json_dumpf_unsigned(const json_t *json, FILE *f, size_t flags);
