/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "compiled.h"
#include "diag.h"

/* The network:, create and capabilities: rules of every policy of @c (compile-network.c);
 * called once the policies and their selectors are compiled. 0, -EINVAL after diagnostics, or
 * -ENOMEM. */
int compile_network(struct compiled_set *c, struct diag_list *diags);
