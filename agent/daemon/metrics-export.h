/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Where the metrics go, both off unless asked for: an HTTP endpoint (libmicrohttpd, run on the
 * daemon's event loop: no thread, no lock) and a file for node_exporter's textfile collector,
 * replaced atomically (a temporary file renamed over it) every METRICS_TEXTFILE_INTERVAL_SEC.
 */

#include <stdio.h>
#include <sys/socket.h>

#include <systemd/sd-event.h>

#define METRICS_TEXTFILE_INTERVAL_SEC 5
#define METRICS_DEFAULT_PORT	      9464
/* Scrapers served at once; more wait in the listen queue. */
#define METRICS_MAX_CONNECTIONS 8

struct metrics_export_config {
	const char *listen;   /* "PORT", "ADDRESS:PORT" or "[IPV6]:PORT"; NULL: no endpoint */
	const char *textfile; /* a path ending in .prom; NULL: no file */
};

/* Writes the metrics to @f; 0 or a negative errno. */
typedef int (*metrics_render_fn)(void *userdata, FILE *f);

struct metrics_export;

/* Parses @listen into an address; a bare port is on loopback. 0 or -EINVAL. */
int metrics_parse_listen(const char *listen, struct sockaddr_storage *ret, socklen_t *ret_len);

/* Binds the endpoint and writes the file once, so that a bad address or path fails the start:
 * returns a negative errno, logged with what was wrong. */
int metrics_export_new(sd_event *event, const struct metrics_export_config *cfg,
		       metrics_render_fn render, void *userdata, struct metrics_export **ret);
struct metrics_export *metrics_export_free(struct metrics_export *x);
