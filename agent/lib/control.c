// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include "control.h"
#include "policy.h"
#include "util.h"

const struct control_verb_def control_verbs[_CONTROL_VERB_MAX] = {
	[CONTROL_RELOAD] = { "reload", 0, "reload" },
	[CONTROL_STATUS] = { "status", 0, "status" },
	[CONTROL_POLICIES] = { "policies", 0, "policies" },
	[CONTROL_HANDOVER] = { "handover", 0, "handover" },
	[CONTROL_SECCOMP_REGISTER] = { "seccomp-register", 1, "seccomp-register NAME" },
	[CONTROL_CONTAINER_BIND] = { "container-bind", 3, "container-bind ID POLICY CGROUP" },
	[CONTROL_CONTAINER_UNBIND] = { "container-unbind", 1, "container-unbind ID" },
	[CONTROL_CONTAINERS] = { "containers", 0, "containers" },
	[CONTROL_RECORD_START] = { "record-start", 1, "record-start CGROUP" },
	[CONTROL_RECORD_STOP] = { "record-stop", 0, "record-stop" },
};

char *control_request_new(enum control_verb verb, ...)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	va_list ap;

	if (!f)
		return NULL;
	fputs(control_verbs[verb].name, f);
	va_start(ap, verb);
	for (unsigned i = 0; i < control_verbs[verb].n_args; i++)
		fprintf(f, " %s", va_arg(ap, const char *));
	va_end(ap);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

int control_request_parse(char *buf, struct control_request *ret, char *why_buf, size_t why_size,
			  const char **ret_why)
{
	size_t len = strlen(buf), used = 0;
	const struct control_verb_def *d = NULL;
	char *args;

	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	args = strchr(buf, ' ');
	if (args)
		*args++ = '\0';
	for (size_t i = 0; i < _CONTROL_VERB_MAX; i++)
		if (streq(buf, control_verbs[i].name)) {
			d = &control_verbs[i];
			*ret = (struct control_request){ .verb = (enum control_verb)i };
		}
	if (!d) {
		used = (size_t)snprintf(why_buf, why_size, "unknown request (expected: ");
		for (size_t i = 0; i < _CONTROL_VERB_MAX && used < why_size; i++)
			used += (size_t)snprintf(why_buf + used, why_size - used, "%s%s",
						 i ? ", " : "", control_verbs[i].usage);
		if (used < why_size)
			snprintf(why_buf + used, why_size - used, ")");
		*ret_why = why_buf;
		return -EINVAL;
	}
	for (unsigned k = 0; k < d->n_args; k++) {
		char *next = k + 1 < d->n_args && args ? strchr(args, ' ') : NULL;

		if (!args || !*args)
			goto usage;
		if (next)
			*next++ = '\0';
		ret->args[k] = args;
		args = next;
		if (k + 1 < d->n_args && !args)
			goto usage;
	}
	if (d->n_args == 0 && args)
		goto usage;
	switch (ret->verb) {
	case CONTROL_SECCOMP_REGISTER:
		if (!policy_name_valid(ret->args[0])) {
			*ret_why = "invalid policy name";
			return -EINVAL;
		}
		break;
	case CONTROL_CONTAINER_BIND:
		if (!policy_name_valid(ret->args[1]))
			goto usage;
		__attribute__((fallthrough));
	case CONTROL_CONTAINER_UNBIND:
		if (!container_id_valid(ret->args[0]))
			goto usage;
		break;
	default:
		break;
	}
	return 0;
usage:
	snprintf(why_buf, why_size,
		 "usage: %s (an id of at most %d characters of [A-Za-z0-9_.-], "
		 "a policy name of [a-z0-9-])",
		 d->usage, CONTAINER_ID_MAX);
	*ret_why = why_buf;
	return -EINVAL;
}

static int make_addr(const char *path, struct sockaddr_un *ret_sa)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	*ret_sa = sa;
	return 0;
}

int control_listen(const char *path, int *ret_fd)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_un sa;
	mode_t old_umask;
	int r;

	r = make_addr(path, &sa);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	(void)unlink(path);
	/* Create it 0600 from the start: no window in which others could connect. */
	old_umask = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_umask);
	if (r < 0)
		return -errno;
	if (listen(fd, 16) < 0)
		return -errno;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

int control_call(const char *path, const char *request, char **ret_body)
{
	return control_call_fds(path, request, NULL, 0, ret_body);
}

int control_call_fds(const char *path, const char *request, const int *fds, size_t n_fds,
		     char **ret_body)
{
	struct timeval tv = { .tv_sec = CONTROL_TIMEOUT_SEC };
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct sockaddr_un sa;
	ssize_t n;
	int r;

	r = make_addr(path, &sa);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	{
		struct iovec iov = { .iov_base = (void *)request, .iov_len = strlen(request) };
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(CONTROL_MAX_FDS * sizeof(int))];
		} cm = {};
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

		if (n_fds > CONTROL_MAX_FDS)
			return -E2BIG;
		if (n_fds > 0) {
			msg.msg_control = cm.buf;
			msg.msg_controllen = CMSG_SPACE(n_fds * sizeof(int));
			CMSG_FIRSTHDR(&msg)->cmsg_level = SOL_SOCKET;
			CMSG_FIRSTHDR(&msg)->cmsg_type = SCM_RIGHTS;
			CMSG_FIRSTHDR(&msg)->cmsg_len = CMSG_LEN(n_fds * sizeof(int));
			memcpy(CMSG_DATA(CMSG_FIRSTHDR(&msg)), fds, n_fds * sizeof(int));
		}
		if (sendmsg(fd, &msg, MSG_NOSIGNAL) < 0)
			return -errno;
	}

	buf = malloc(CONTROL_MAX_MESSAGE + 1);
	if (!buf)
		return -ENOMEM;
	n = recv(fd, buf, CONTROL_MAX_MESSAGE, 0);
	if (n < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	if (n == 0)
		return -ENOMSG; /* closed without a reply: told apart from a reset */
	buf[n] = '\0';

	if (strncmp(buf, "ok\n", 3) == 0)
		r = 0;
	else if (strncmp(buf, "error\n", 6) == 0)
		r = 1;
	else
		return -EBADMSG;
	*ret_body = strdup(buf + (r == 0 ? 3 : 6));
	if (!*ret_body)
		return -ENOMEM;
	return r;
}

const char *const status_key_names[_STATUS_KEY_MAX] = {
#define X(key, name) [STATUS_##key] = name,
	CONTROL_STATUS_KEYS(X)
#undef X
};

char *control_status_format(char *const values[_STATUS_KEY_MAX])
{
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	for (size_t k = 0; k < _STATUS_KEY_MAX; k++)
		if (!values[k])
			return NULL; /* an asprintf() that failed */
	f = open_memstream(&text, &size);
	if (!f)
		return NULL;
	for (size_t k = 0; k < _STATUS_KEY_MAX; k++)
		fprintf(f, "%s=%s\n", status_key_names[k], values[k]);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

void control_status_parse(char *body, struct control_status *ret)
{
	ret->n = 0;
	for (char *line = body, *next; line && *line && ret->n < ELEMENTSOF(ret->keys);
	     line = next) {
		char *eq;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		ret->keys[ret->n] = line;
		ret->values[ret->n++] = eq + 1;
	}
}

const char *control_status_get(const struct control_status *s, enum status_key key)
{
	for (size_t i = 0; i < s->n; i++)
		if (streq(s->keys[i], status_key_names[key]))
			return s->values[i];
	return NULL;
}
