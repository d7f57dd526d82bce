// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include <bpf/bpf.h>

#include "map-keys.h"
#include "net-maps.h"
#include "selector-maps.h"
#include "util.h"

int net_maps_clear_slot(const struct net_map_fds *fds, uint32_t slot)
{
	int r;

	r = map_clear_slot(fds->net, sizeof(struct sa_net_key), offsetof(struct sa_net_key, slot),
			   1, slot);
	if (r == 0)
		r = map_clear_slot(fds->create, sizeof(struct sa_create_key),
				   offsetof(struct sa_create_key, slot), 1, slot);
	if (r == 0)
		r = map_clear_slot(fds->caps, sizeof(struct sa_cap_key),
				   offsetof(struct sa_cap_key, slot), 1, slot);
	return r;
}

/* The slot's 65536 port classes in one batch call (one call per port where batches are not
 * supported). */
static int write_ports(int fd, const uint32_t *port_class, uint32_t slot)
{
	_cleanup_free_ uint32_t *keys = calloc(SA_NET_PORTS, sizeof(uint32_t));
	_cleanup_free_ uint32_t *values = calloc(SA_NET_PORTS, sizeof(uint32_t));
	__u32 count = SA_NET_PORTS;

	if (!keys || !values)
		return -ENOMEM;
	for (uint32_t port = 0; port < SA_NET_PORTS; port++) {
		keys[port] = slot * SA_NET_PORTS + port;
		values[port] = port_class ? port_class[port] : 0;
	}
	if (bpf_map_update_batch(fd, keys, values, &count, NULL) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOTSUP && errno != EOPNOTSUPP)
		return -errno;
	for (uint32_t port = 0; port < SA_NET_PORTS; port++)
		if (bpf_map_update_elem(fd, &keys[port], &values[port], BPF_ANY) < 0)
			return -errno;
	return 0;
}

int net_maps_install(const struct net_map_fds *fds, const struct compiled_set *c, uint32_t slot)
{
	int r;

	r = write_ports(fds->ports, c->port_class, slot);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->n_net; i++) {
		struct sa_net_key key = c->net[i].key;

		key.slot = slot;
		if (bpf_map_update_elem(fds->net, &key, &c->net[i].rule, BPF_NOEXIST) < 0)
			return -errno;
	}
	for (size_t i = 0; i < c->n_create; i++) {
		struct sa_create_key key = c->create[i].key;

		key.slot = slot;
		if (bpf_map_update_elem(fds->create, &key, &c->create[i].rule, BPF_NOEXIST) < 0)
			return -errno;
	}
	for (size_t i = 0; i < c->n_caps; i++) {
		struct sa_cap_key key = c->caps[i].key;

		key.slot = slot;
		if (bpf_map_update_elem(fds->caps, &key, &c->caps[i].rule, BPF_NOEXIST) < 0)
			return -errno;
	}
	return 0;
}
