// SPDX-License-Identifier: GPL-2.0-or-later
/* The maps every hook family shares, defined here once (lib/maps.bpf.h), and the license. */

#define SA_DEFINE_MAPS
#include "maps.bpf.h"

char LICENSE[] SEC("license") = "GPL";
