// SPDX-License-Identifier: GPL-2.0-or-later
/* The control socket's transport: authorises the peer, reads one request with the descriptors
 * it carries, dispatches through the handler table it was given, and sees that a reply goes out
 * (lib/control.h has the protocol). */
#include <errno.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "control-server.h"
#include "log.h"
#include "util.h"

struct control_server {
	sd_event *event;
	char *path;
	int fd;
	const control_handler *handlers;
	void *userdata;
};

struct control_conn {
	struct control_server *server;
	int fd;
	bool authorized;
	bool answered;	/* replied; now only draining what the peer still sends */
	pid_t peer_pid; /* SO_PEERCRED, for seccomp-register */
	/* Descriptors sent with the request (SCM_RIGHTS, CONTROL_FD_*), or -1. */
	int passed_fds[CONTROL_MAX_FDS];
	sd_event_source *io, *timeout;
};

static void control_conn_free(struct control_conn *c)
{
	sd_event_source_disable_unref(c->io);
	sd_event_source_disable_unref(c->timeout);
	closep(&c->fd);
	for (size_t i = 0; i < CONTROL_MAX_FDS; i++)
		closep(&c->passed_fds[i]);
	free(c);
}

void control_conn_reply(struct control_conn *c, bool ok, const char *body)
{
	_cleanup_free_ char *msg = NULL;

	if (asprintf(&msg, "%s\n%s", ok ? "ok" : "error", body ? body : "") < 0)
		return;
	if (strlen(msg) > CONTROL_MAX_MESSAGE)
		msg[CONTROL_MAX_MESSAGE] = '\0';
	(void)send(c->fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT);
}

pid_t control_conn_peer_pid(const struct control_conn *c)
{
	return c->peer_pid;
}

int control_conn_fd(const struct control_conn *c, unsigned idx)
{
	return idx < CONTROL_MAX_FDS ? c->passed_fds[idx] : -1;
}

int control_conn_take_fd(struct control_conn *c, unsigned idx)
{
	return idx < CONTROL_MAX_FDS ? TAKE_FD(c->passed_fds[idx]) : -1;
}

static int on_control_readable(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct control_conn *c = userdata;
	_cleanup_free_ char *buf = malloc(CONTROL_MAX_MESSAGE + 1);
	struct control_request req;
	const char *reason = NULL;
	char why[512];
	ssize_t n;
	int r;

	if (!buf) {
		control_conn_free(c);
		return 0;
	}
	/* MSG_TRUNC makes recvmsg() return the real size, so an oversized request is seen. A
	 * descriptor may come with it (container-bind: the requester's cgroup namespace); any
	 * other ancillary data is dropped by the kernel (MSG_CTRUNC). */
	{
		struct iovec iov = { .iov_base = buf, .iov_len = CONTROL_MAX_MESSAGE };
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(CONTROL_MAX_FDS * sizeof(int))];
		} cm;
		struct msghdr msg = { .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = cm.buf,
				      .msg_controllen = sizeof(cm.buf) };
		struct cmsghdr *h;

		n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
		for (h = n >= 0 ? CMSG_FIRSTHDR(&msg) : NULL; h; h = CMSG_NXTHDR(&msg, h)) {
			size_t k = h->cmsg_len >= CMSG_LEN(0)
					   ? (h->cmsg_len - CMSG_LEN(0)) / sizeof(int)
					   : 0;

			if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
				continue;
			for (size_t i = 0; i < k; i++) {
				int passed;

				memcpy(&passed, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
				if (i < CONTROL_MAX_FDS) {
					closep(&c->passed_fds[i]);
					c->passed_fds[i] = passed;
				} else
					(void)close(passed);
			}
		}
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		control_conn_free(c);
		return 0;
	}
	if (c->answered)
		return 0; /* discarded; the peer hangs up or the timeout ends it */
	if (!c->authorized || n > CONTROL_MAX_MESSAGE) {
		/* The peer may still be sending. Closing now would reset the connection and lose
		 * the reply; instead answer, end our side, and drain until the peer hangs up. */
		control_conn_reply(c, false,
				   !c->authorized
					   ? "permission denied: only root may control secagentd"
					   : "request too large");
		(void)shutdown(fd, SHUT_WR);
		c->answered = true;
		return 0;
	}
	buf[n] = '\0';

	r = control_request_parse(buf, &req, why, sizeof(why), &reason);
	if (r < 0) {
		control_conn_reply(c, false, reason);
		return 0;
	}
	if (c->server->handlers[req.verb])
		c->server->handlers[req.verb](c->server->userdata, c, &req);
	else
		control_conn_reply(c, false, "unknown request");
	control_conn_free(c);
	return 0;
}

static int on_control_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
	control_conn_reply(userdata, false, "request timed out");
	control_conn_free(userdata);
	return 0;
}

static int on_control_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct control_server *srv = userdata;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct control_conn *c;
	int cfd, r;

	cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(cfd);
		return 0;
	}
	c->server = srv;
	c->fd = cfd;
	for (size_t i = 0; i < CONTROL_MAX_FDS; i++)
		c->passed_fds[i] = -1;

	/* The socket is 0600, but authorise by the peer's credentials too: fail closed. A refused
	 * peer still gets its request read and answered, so that it sees the refusal rather than a
	 * reset connection. */
	c->authorized = getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) >= 0 && cred.uid == 0;
	c->peer_pid = c->authorized ? cred.pid : 0;
	r = sd_event_add_io(srv->event, &c->io, cfd, EPOLLIN, on_control_readable, c);
	if (r >= 0)
		r = sd_event_add_time_relative(srv->event, &c->timeout, CLOCK_MONOTONIC,
					       CONTROL_TIMEOUT_SEC * 1000000ULL, 0,
					       on_control_timeout, c);
	if (r < 0)
		control_conn_free(c);
	return 0;
}

static int make_parent_dir(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	char *slash;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}
struct control_server *control_server_free(struct control_server *s)
{
	if (!s)
		return NULL;
	closep(&s->fd);
	if (s->path)
		(void)unlink(s->path);
	free(s->path);
	free(s);
	return NULL;
}

int control_server_new(sd_event *event, const char *path, const control_handler *handlers,
		       void *userdata, struct control_server **ret)
{
	struct control_server *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return log_error_errno(-ENOMEM, "Out of memory");
	s->fd = -1;
	s->event = event;
	s->handlers = handlers;
	s->userdata = userdata;
	r = make_parent_dir(path);
	if (r >= 0)
		r = control_listen(path, &s->fd);
	if (r < 0) {
		log_error_errno(r, "Failed to listen on %s: %m", path);
		goto fail;
	}
	s->path = strdup(path);
	if (!s->path) {
		r = log_error_errno(-ENOMEM, "Out of memory");
		goto fail;
	}
	r = sd_event_add_io(event, NULL, s->fd, EPOLLIN, on_control_accept, s);
	if (r < 0) {
		log_error_errno(r, "Failed to watch the control socket: %m");
		goto fail;
	}
	*ret = s;
	return 0;
fail:
	control_server_free(s);
	return r;
}
