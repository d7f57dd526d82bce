// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "map-keys.h"
#include "util.h"

int map_keys_collect(int fd, size_t key_size, map_key_filter keep, void *userdata, void **ret_keys,
		     size_t *ret_n)
{
	_cleanup_free_ uint8_t *keys = NULL, *key = NULL;
	size_t n = 0, cap = 0;
	bool first = true;

	if (key_size == 0)
		return -EINVAL;
	key = malloc(2 * key_size); /* the current key, and the next */
	if (!key)
		return -ENOMEM;
	for (;;) {
		uint8_t *next = key + key_size;

		if (bpf_map_get_next_key(fd, first ? NULL : key, next) < 0) {
			if (errno == ENOENT)
				break;
			return -errno;
		}
		first = false;
		memcpy(key, next, key_size);
		if (keep && !keep(key, userdata))
			continue;
		if (n == cap) {
			size_t want = cap ? cap * 2 : 64;
			uint8_t *grown = reallocarray(keys, want, key_size);

			if (!grown)
				return -ENOMEM;
			keys = grown;
			cap = want;
		}
		memcpy(keys + n++ * key_size, key, key_size);
	}
	*ret_keys = TAKE_PTR(keys);
	*ret_n = n;
	return 0;
}

static int delete_keys(int fd, const uint8_t *keys, size_t n, size_t key_size)
{
	for (size_t i = 0; i < n; i++)
		if (bpf_map_delete_elem(fd, keys + i * key_size) < 0 && errno != ENOENT)
			return -errno;
	return 0;
}

struct slot_filter {
	size_t offset, width;
	uint32_t slot;
};

static bool key_in_slot(const void *key, void *userdata)
{
	const struct slot_filter *f = userdata;
	uint32_t key_slot = 0;

	memcpy(&key_slot, (const uint8_t *)key + f->offset,
	       f->width); /* little-endian: low bytes */
	return key_slot == f->slot;
}

int map_clear_slot(int fd, size_t key_size, size_t slot_offset, size_t slot_width, uint32_t slot)
{
	struct slot_filter f = { slot_offset, slot_width, slot };
	_cleanup_free_ void *keys = NULL;
	size_t n = 0;
	int r;

	if (slot_offset + slot_width > key_size || slot_width > sizeof(uint32_t))
		return -EINVAL;
	r = map_keys_collect(fd, key_size, key_in_slot, &f, &keys, &n);
	return r < 0 ? r : delete_keys(fd, keys, n, key_size);
}

int map_clear(int fd, size_t key_size)
{
	_cleanup_free_ void *keys = NULL;
	size_t n = 0;
	int r;

	r = map_keys_collect(fd, key_size, NULL, NULL, &keys, &n);
	return r < 0 ? r : delete_keys(fd, keys, n, key_size);
}

int map_lookup_percpu_sum(int fd, const void *key, uint64_t *ret)
{
	int ncpus = libbpf_num_possible_cpus();
	_cleanup_free_ uint64_t *values = NULL;
	uint64_t sum = 0;

	if (ncpus < 0)
		return ncpus;
	values = calloc(ncpus, sizeof(*values));
	if (!values)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, key, values) < 0)
		return -errno;
	for (int cpu = 0; cpu < ncpus; cpu++)
		sum += values[cpu];
	*ret = sum;
	return 0;
}
