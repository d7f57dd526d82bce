/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The network, socket creation and capability maps of one slot. Written into the inactive slot
 * before a switch and cleared from the old one after, like the file rules.
 */

#include <stdint.h>

#include "compile.h"

struct net_map_fds {
	int net;    /* sa_net_rules (LPM trie) */
	int ports;  /* sa_net_ports (array, SA_SLOTS * SA_NET_PORTS) */
	int create; /* sa_create_rules */
	int caps;   /* sa_cap_rules */
};

/* Removes every entry of @slot (the port array is rewritten by net_maps_install()). */
int net_maps_clear_slot(const struct net_map_fds *fds, uint32_t slot);

/* Writes @c's entries into @slot, which must be cleared; the port classes are written whole. */
int net_maps_install(const struct net_map_fds *fds, const struct compiled_set *c, uint32_t slot);
