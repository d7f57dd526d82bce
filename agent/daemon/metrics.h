/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * The daemon's metrics in the Prometheus text exposition format (version 0.0.4, which
 * OpenMetrics parsers read too): every name under secagent_, help and type lines, counters
 * ending in _total, units in names. docs/metrics.md lists them. Served by metrics-export.c.
 */

#include <stdio.h>

struct manager;

/* Writes every metric of @m to @f. Returns 0 or a negative errno. */
int metrics_write(struct manager *m, FILE *f);
