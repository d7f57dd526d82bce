// SPDX-License-Identifier: GPL-2.0-or-later
/* The metrics' outputs: the listen address syntax and the textfile, written whole. */

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metrics-export.h"
#include "test.h"

static int parse_port(const char *s, int *family, char *addr, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int r = metrics_parse_listen(s, &ss, &len);

	if (r < 0)
		return r;
	*family = ss.ss_family;
	if (ss.ss_family == AF_INET) {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, addr, size);
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, addr, size);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

TEST(listen_addresses)
{
	char addr[64];
	int family;

	/* A bare port, or an empty host, is loopback: never every interface by accident. */
	ASSERT_EQ(parse_port("9464", &family, addr, sizeof(addr)), 9464);
	ASSERT_EQ(family, AF_INET);
	ASSERT_STREQ(addr, "127.0.0.1");
	ASSERT_EQ(parse_port(":9000", &family, addr, sizeof(addr)), 9000);
	ASSERT_STREQ(addr, "127.0.0.1");
	ASSERT_EQ(parse_port("0.0.0.0:80", &family, addr, sizeof(addr)), 80);
	ASSERT_STREQ(addr, "0.0.0.0");
	ASSERT_EQ(parse_port("[::1]:9464", &family, addr, sizeof(addr)), 9464);
	ASSERT_EQ(family, AF_INET6);
	ASSERT_STREQ(addr, "::1");
	for (const char *const *bad =
		     (const char *const[]){ "", "0", "65536", "-1", "x", "localhost:9464",
					    "::1:9464", "[::1]9464", "[::1]",
					    "1.2.3.4:", "1.2.3.4:http", "9464 ", NULL };
	     *bad; bad++)
		ASSERT_ERROR(parse_port(*bad, &family, addr, sizeof(addr)), EINVAL);
}

static int render(void *userdata, FILE *f)
{
	(*(int *)userdata)++;
	fputs("# HELP t_total A test.\n# TYPE t_total counter\nt_total 42\n", f);
	return 0;
}

TEST(textfile_written_whole)
{
	char dir[] = "/tmp/test-metrics.XXXXXX", path[128], buf[256] = "";
	struct metrics_export_config cfg = { .textfile = path };
	struct metrics_export *x = NULL;
	struct stat st;
	sd_event *ev = NULL;
	int calls = 0, n = 0;
	struct dirent *de;
	DIR *d;
	FILE *f;

	ASSERT_NOT_NULL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/secagent.prom", dir);
	ASSERT_OK(sd_event_new(&ev));
	ASSERT_OK(metrics_export_new(ev, &cfg, render, &calls, &x));
	/* Nothing rendered before the loop runs: the daemon's state is not complete yet. */
	ASSERT_EQ(calls, 0);
	ASSERT_OK(sd_event_run(ev, 1000000));
	ASSERT_EQ(calls, 1);
	ASSERT_OK(stat(path, &st));
	ASSERT_EQ(st.st_mode & 07777, 0644);
	f = fopen(path, "r");
	ASSERT_NOT_NULL(f);
	fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	ASSERT_STREQ(buf, "# HELP t_total A test.\n# TYPE t_total counter\nt_total 42\n");
	/* No temporary file is left beside it. */
	d = opendir(dir);
	ASSERT_NOT_NULL(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.' || (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."));
	closedir(d);
	ASSERT_EQ(n, 1);
	metrics_export_free(x);
	sd_event_unref(ev);
	unlink(path);
	rmdir(dir);
}

TEST(textfile_refused_at_start)
{
	struct metrics_export_config missing = { .textfile = "/nonexistent-dir/secagent.prom" };
	struct metrics_export_config not_prom = { .textfile = "/tmp/secagent.txt" };
	struct metrics_export_config relative = { .textfile = "secagent.prom" };
	struct metrics_export *x = NULL;
	sd_event *ev = NULL;
	int calls = 0;

	ASSERT_OK(sd_event_new(&ev));
	ASSERT_ERROR(metrics_export_new(ev, &missing, render, &calls, &x), ENOENT);
	ASSERT_ERROR(metrics_export_new(ev, &not_prom, render, &calls, &x), EINVAL);
	ASSERT_ERROR(metrics_export_new(ev, &relative, render, &calls, &x), EINVAL);
	ASSERT_NULL(x);
	sd_event_unref(ev);
}

TEST_MAIN()
