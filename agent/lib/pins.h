/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

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
