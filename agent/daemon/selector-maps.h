/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The selector maps of one slot: what the hooks read to know which policies bind the current
 * process. Written into the inactive slot before a switch and cleared from the old one after,
 * like the rules.
 */

#include <stdint.h>

#include "compile.h"

struct selector_map_fds {
	int table;	  /* sa_selectors */
	int cgroups;	  /* sa_cgroups */
	int cgroup_paths; /* sa_cgroup_paths */
	int binaries;	  /* sa_binaries */
};

/* Sets, then clears, selector bits of one cgroup (by id) in @slot: for container bindings, also
 * in the active slot (one map update, atomic for the hooks). An entry left empty is deleted. */
int selector_maps_update_bound(const struct selector_map_fds *fds, uint32_t slot,
			       uint64_t cgroup_id, uint64_t set, uint64_t clear);

/* Removes every entry of @slot: also ones the kernel added for cgroups created meanwhile. */
int selector_maps_clear_slot(const struct selector_map_fds *fds, uint32_t slot);

/*
 * Writes @sel into @slot (which must be cleared). Cgroups are bound by path first, so that one
 * created from here on is bound by the kernel as it appears, then the existing ones by id.
 */
int selector_maps_install(const struct selector_map_fds *fds, const struct compiled_selectors *sel,
			  uint32_t slot);
