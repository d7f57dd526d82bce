/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

/*
 * Names of what the daemon pins in its bpffs directory (SECAGENT_PIN_DIR by default), so that
 * enforcement outlives a crash and the next daemon adopts it. The daemon pins; `secagentctl
 * teardown` ends what a dead daemon left. bpffs refuses dots in names.
 */

/* PIN_DIR/map_NAME: the map NAME of the BPF object (bpf_map__name()). */
#define PIN_MAP_PREFIX "map_"
/* PIN_DIR/link_PROGRAM_INSTANCE: a program's link, under the name of the daemon that made it. */
#define PIN_LINK_PREFIX "link_"

/* The maps whose entries decide (teardown empties them before it unpins). */
#define PIN_MAP_STATE	   PIN_MAP_PREFIX "sa_state"
#define PIN_MAP_FILE_RULES PIN_MAP_PREFIX "sa_file_rules"
#define PIN_MAP_NAME_RULES PIN_MAP_PREFIX "sa_name_rules"

/* Which pins to keep, by name; what was removed. */
typedef bool (*pin_filter)(const char *name, void *userdata);
typedef void (*pin_callback)(const char *name, void *userdata);

/* The one walk over the pin directory: removes every pin of @dir that @keep (NULL: none) does
 * not keep, telling @removed (may be NULL) of each. A pin that cannot be removed does not stop
 * the others. Returns how many were removed (0 when @dir does not exist), or the first error. */
int pins_remove(const char *dir, pin_filter keep, pin_callback removed, void *userdata);
