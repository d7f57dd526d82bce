// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "log.h"
#include "loop-time.h"
#include "metrics-export.h"
#include "privileges.h"
#include "util.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
/* A scraper that sends nothing for this long is dropped. */
#define METRICS_CONNECTION_TIMEOUT_SEC 10

struct metrics_export {
	metrics_render_fn render;
	void *userdata;
	struct MHD_Daemon *httpd;
	sd_event_source *httpd_io, *httpd_timer, *textfile_timer;
	char *textfile;
	bool textfile_failing; /* said once, until it works again */
};

int metrics_parse_listen(const char *listen, struct sockaddr_storage *ret, socklen_t *ret_len)
{
	_cleanup_free_ char *host = NULL;
	const char *port_s;
	unsigned long port;
	char *end;

	if (!listen || !*listen)
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	if (listen[0] == '[') {
		const char *close_br = strchr(listen, ']');

		if (!close_br || close_br[1] != ':')
			return -EINVAL;
		host = strndup(listen + 1, close_br - listen - 1);
		port_s = close_br + 2;
	} else if (strchr(listen, ':')) {
		const char *colon = strrchr(listen, ':');

		host = strndup(listen, colon - listen);
		port_s = colon + 1;
		if (host && strchr(host, ':'))
			return -EINVAL; /* IPv6 needs brackets */
	} else {
		host = strdup("127.0.0.1");
		port_s = listen;
	}
	if (!host)
		return -ENOMEM;
	errno = 0;
	port = strtoul(port_s, &end, 10);
	if (errno || end == port_s || *end || *port_s == '-' || port == 0 || port > 65535)
		return -EINVAL;
	if (!*host) {
		free(host);
		host = strdup("127.0.0.1"); /* ":PORT": loopback too */
		if (!host)
			return -ENOMEM;
	}
	if (listen[0] != '[') {
		struct sockaddr_in *in = (struct sockaddr_in *)ret;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
			return -EINVAL;
		*ret_len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ret;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			return -EINVAL;
		*ret_len = sizeof(*in6);
	}
	return 0;
}

static int render_to_buffer(struct metrics_export *x, char **ret, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	if (!f)
		return -errno;
	r = x->render(x->userdata, f);
	if (fclose(f) != 0 && r >= 0)
		r = -ENOMEM;
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

static enum MHD_Result reply_text(struct MHD_Connection *conn, unsigned status, const char *text)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result r;

	if (!resp)
		return MHD_NO;
	(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
	r = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct metrics_export *x = cls;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char *buf = NULL;
	size_t len = 0;

	if (!streq(method, MHD_HTTP_METHOD_GET) && !streq(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n");
	if (!streq(url, "/metrics") && !streq(url, "/"))
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "the metrics are at /metrics\n");
	if (render_to_buffer(x, &buf, &len) < 0)
		return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "the metrics could not be read; see the daemon's log\n");
	resp = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(buf);
		return MHD_NO;
	}
	(void)MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, METRICS_CONTENT_TYPE);
	ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

static int on_httpd_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct metrics_export *x = userdata;

	(void)MHD_run(x->httpd);
	return 0;
}

/* Connections that time out are closed by MHD_run(); nothing else would call it. */
static int on_httpd_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct metrics_export *x = userdata;

	(void)MHD_run(x->httpd);
	return time_source_rearm(s, 1000000);
}

/* A temporary file in the file's directory, open on @ret_fd, its name in @ret_tmp. */
static int textfile_temp(const struct metrics_export *x, char **ret_tmp, int *ret_fd)
{
	_cleanup_free_ char *dir_copy = strdup(x->textfile), *base_copy = strdup(x->textfile);
	char *tmp;
	int fd;

	if (!dir_copy || !base_copy)
		return -ENOMEM;
	/* Hidden, and not ending in .prom: the collector reads neither. */
	if (asprintf(&tmp, "%s/.%s.XXXXXX", dirname(dir_copy), basename(base_copy)) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		free(tmp);
		return -errno;
	}
	*ret_tmp = tmp;
	*ret_fd = fd;
	return 0;
}

/* At start, before there is anything to write, with the capabilities the daemon will run with:
 * a directory that is missing or not writable fails the start instead of the first write. */
static int probe_textfile_dir(void *userdata)
{
	const struct metrics_export *x = userdata;
	_cleanup_free_ char *tmp = NULL;
	int fd, r;

	r = textfile_temp(x, &tmp, &fd);
	if (r < 0)
		return r;
	close(fd);
	unlink(tmp);
	return 0;
}

/* The file, replaced in one rename: node_exporter never reads half of it. */
static int write_textfile(struct metrics_export *x)
{
	_cleanup_free_ char *tmp = NULL;
	FILE *f;
	int fd, r;

	r = textfile_temp(x, &tmp, &fd);
	if (r < 0)
		return r;
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
		unlink(tmp);
		return r;
	}
	r = x->render(x->userdata, f);
	if (r >= 0 && fchmod(fd, 0644) < 0)
		r = -errno;
	if (fclose(f) != 0 && r >= 0)
		r = -errno;
	if (r >= 0 && rename(tmp, x->textfile) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

static int on_textfile_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct metrics_export *x = userdata;
	int r = write_textfile(x);

	if (r < 0 && !x->textfile_failing)
		log_error_errno(r, "Failed to write the metrics to %s (retrying every %d s): %m",
				x->textfile, METRICS_TEXTFILE_INTERVAL_SEC);
	else if (r >= 0 && x->textfile_failing)
		log_info("The metrics are written to %s again.", x->textfile);
	x->textfile_failing = r < 0;
	return time_source_rearm(s, METRICS_TEXTFILE_INTERVAL_SEC * 1000000ULL);
}

static int start_httpd(struct metrics_export *x, sd_event *event, const char *listen)
{
	struct sockaddr_storage addr;
	socklen_t addr_len;
	const union MHD_DaemonInfo *info;
	int r;

	r = metrics_parse_listen(listen, &addr, &addr_len);
	if (r < 0)
		return log_error_errno(r,
				       "Invalid --metrics-listen '%s' (expected PORT, ADDRESS:PORT "
				       "or [IPV6]:PORT)",
				       listen);
	/* The port is also in @addr; MHD wants it as an argument all the same. */
	x->httpd =
		MHD_start_daemon(MHD_USE_EPOLL | (addr.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0), 0,
				 NULL, NULL, on_request, x, MHD_OPTION_SOCK_ADDR,
				 (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_LIMIT,
				 (unsigned)METRICS_MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
				 (unsigned)METRICS_CONNECTION_TIMEOUT_SEC, MHD_OPTION_END);
	if (!x->httpd)
		/* MHD says why on stderr (the journal) only; errno is what bind() left. */
		return log_error_errno(errno ? -errno : -EADDRNOTAVAIL,
				       "Failed to serve the metrics on %s: %m", listen);
	info = MHD_get_daemon_info(x->httpd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info)
		return log_error_errno(-EINVAL, "The HTTP server has no epoll descriptor.");
	r = sd_event_add_io(event, &x->httpd_io, info->epoll_fd, EPOLLIN, on_httpd_io, x);
	if (r >= 0)
		r = sd_event_add_time_relative(event, &x->httpd_timer, CLOCK_MONOTONIC, 1000000, 0,
					       on_httpd_timer, x);
	if (r < 0)
		return log_error_errno(r, "Failed to watch the HTTP server: %m");
	log_info("Serving metrics on http://%s/metrics.", listen);
	return 0;
}

static int start_textfile(struct metrics_export *x, sd_event *event, const char *path)
{
	size_t len = strlen(path);
	int r;

	if (path[0] != '/' || len < 6 || !streq(path + len - 5, ".prom"))
		return log_error_errno(
			-EINVAL,
			"Invalid --metrics-textfile '%s': an absolute path ending in "
			".prom (node_exporter's textfile collector reads no other)",
			path);
	x->textfile = strdup(path);
	if (!x->textfile)
		return log_error_errno(-ENOMEM, "Out of memory.");
	r = as_running_daemon(probe_textfile_dir, x);
	if (r < 0)
		return log_error_errno(r, "Cannot write the metrics file %s: %m", path);
	/* The first file as soon as the loop runs, with the daemon's state complete. */
	r = sd_event_add_time_relative(event, &x->textfile_timer, CLOCK_MONOTONIC, 1, 0,
				       on_textfile_timer, x);
	if (r < 0)
		return log_error_errno(r, "Failed to schedule the metrics file: %m");
	log_info("Writing metrics to %s every %d s.", path, METRICS_TEXTFILE_INTERVAL_SEC);
	return 0;
}

int metrics_export_new(sd_event *event, const struct metrics_export_config *cfg,
		       metrics_render_fn render, void *userdata, struct metrics_export **ret)
{
	struct metrics_export *x = calloc(1, sizeof(*x));
	int r = 0;

	if (!x)
		return log_error_errno(-ENOMEM, "Out of memory.");
	x->render = render;
	x->userdata = userdata;
	if (cfg->listen)
		r = start_httpd(x, event, cfg->listen);
	if (r >= 0 && cfg->textfile)
		r = start_textfile(x, event, cfg->textfile);
	if (r < 0) {
		metrics_export_free(x);
		return r;
	}
	*ret = x;
	return 0;
}

struct metrics_export *metrics_export_free(struct metrics_export *x)
{
	if (!x)
		return NULL;
	sd_event_source_disable_unref(x->httpd_io);
	sd_event_source_disable_unref(x->httpd_timer);
	sd_event_source_disable_unref(x->textfile_timer);
	if (x->httpd)
		MHD_stop_daemon(x->httpd);
	free(x->textfile);
	free(x);
	return NULL;
}
