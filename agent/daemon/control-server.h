/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The control socket's server: one request, one reply (lib/control.h). It knows the transport;
 * what a request does is its handler's, from the table it is given. */

#include <stdbool.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "control.h"

struct control_conn;
struct control_server;

/* Answers @req on @c with control_conn_reply(); the connection ends when the handler returns. */
typedef void (*control_handler)(void *userdata, struct control_conn *c,
				const struct control_request *req);

/* Listens on @path (mode 0600, its directory made), dispatching through @handlers
 * (_CONTROL_VERB_MAX of them; a NULL one answers "unknown request"). */
int control_server_new(sd_event *event, const char *path, const control_handler *handlers,
		       void *userdata, struct control_server **ret);
/* Closes the socket and removes its file. */
struct control_server *control_server_free(struct control_server *s);

void control_conn_reply(struct control_conn *c, bool ok, const char *body);
/* The peer's pid (SO_PEERCRED). */
pid_t control_conn_peer_pid(const struct control_conn *c);
/* A descriptor sent with the request (CONTROL_FD_*), or -1; _take_ makes it the caller's. */
int control_conn_fd(const struct control_conn *c, unsigned idx);
int control_conn_take_fd(struct control_conn *c, unsigned idx);

/* The daemon's handlers (control-handlers.c). */
extern const control_handler control_handlers[_CONTROL_VERB_MAX];
