/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The one walk over a BPF hash map's keys, for the daemon and `secagentctl teardown`. Keys are
 * collected first and acted on after: deleting while walking with get_next_key may restart the
 * walk, or skip keys. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which keys to keep: @key is @key_size bytes. NULL keeps every key. */
typedef bool (*map_key_filter)(const void *key, void *userdata);

/* Collects the keys of the map at @fd (@key_size bytes each) that @keep accepts into
 * @ret_keys (malloc'ed, @ret_n of them). Returns 0 or a negative errno. */
int map_keys_collect(int fd, size_t key_size, map_key_filter keep, void *userdata, void **ret_keys,
		     size_t *ret_n);

/* Deletes every key of the map at @fd whose slot field (@slot_width bytes, at most 4, at
 * @slot_offset of a @key_size-byte key) is @slot. */
int map_clear_slot(int fd, size_t key_size, size_t slot_offset, size_t slot_width, uint32_t slot);

/* Deletes every key of the map at @fd. */
int map_clear(int fd, size_t key_size);

/* The value of @key in the per-CPU map at @fd (of __u64 values), added up over every CPU.
 * Returns 0 or a negative errno (-ENOENT: no such key). */
int map_lookup_percpu_sum(int fd, const void *key, uint64_t *ret);
