// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include "control.h"
#include "util.h"

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
	return control_call_fd(path, request, -1, ret_body);
}

int control_call_fd(const char *path, const char *request, int pass_fd, char **ret_body)
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
			char buf[CMSG_SPACE(sizeof(int))];
		} cm = {};
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

		if (pass_fd >= 0) {
			msg.msg_control = cm.buf;
			msg.msg_controllen = sizeof(cm.buf);
			CMSG_FIRSTHDR(&msg)->cmsg_level = SOL_SOCKET;
			CMSG_FIRSTHDR(&msg)->cmsg_type = SCM_RIGHTS;
			CMSG_FIRSTHDR(&msg)->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(CMSG_FIRSTHDR(&msg)), &pass_fd, sizeof(int));
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
