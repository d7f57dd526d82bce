// SPDX-License-Identifier: GPL-2.0-or-later
/* The metrics' outputs: the listen address syntax and the textfile, written whole. */

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "metrics-export.h"
#include "rule-counts.h"
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

static void put(int fd, uint32_t seq, uint32_t kind, uint64_t count, int ncpus)
{
	struct sa_rule_count_key k = {
		.seq = seq, .rule_ref = SA_RULE_REF(0, 1), .kind = kind, .verdict = SA_VERDICT_DENY
	};
	uint64_t v[ncpus];

	memset(v, 0, sizeof(v));
	v[ncpus - 1] = count; /* the sum over CPUs is what counts */
	ASSERT_OK(bpf_map_update_elem(fd, &k, v, BPF_NOEXIST) < 0 ? -errno : 0);
}

/* A reload retires the generation before the active one and keeps the incoming one's entries,
 * which hooks make from the switch on, before the daemon knows the generation by name. */
TEST(rule_counts_retire_keeps_active_and_incoming)
{
	int ncpus = libbpf_num_possible_cpus();
	int fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, "test_counts",
				sizeof(struct sa_rule_count_key), sizeof(uint64_t), 16, NULL);
	char *names[] = { "old-policy" }, *files[] = { "/p/old.yaml" };
	struct generations g = { .active_seq = 2 };
	struct rule_counts *rc;
	struct rule_count *a = NULL;
	size_t n = 0;

	if (fd < 0 && (errno == EPERM || errno == EACCES))
		test_not_here("creating a BPF map needs CAP_BPF");
	ASSERT_TRUE(fd >= 0 && ncpus > 0);
	g.history[1] =
		(struct generation_names){ .seq = 1, .n = 1, .names = names, .files = files };
	put(fd, 1, SA_EVENT_FILE_OPEN, 5, ncpus);   /* retired */
	put(fd, 2, SA_EVENT_FILE_EXEC, 3, ncpus);   /* active */
	put(fd, 3, SA_EVENT_NET_CONNECT, 1, ncpus); /* incoming */
	rc = rule_counts_new(fd);
	ASSERT_NOT_NULL(rc);
	ASSERT_OK(rule_counts_retire(rc, &g, 3));
	ASSERT_OK(rule_counts_snapshot(rc, &g, &a, &n));
	ASSERT_EQ(rule_counts_map_entries(rc), 2); /* generation 1's entry is gone from the map */
	ASSERT_EQ(n, 3);
	/* Sorted by policy, then rule, kind, verdict: the unknown generations' names are "". */
	ASSERT_STREQ(a[0].policy, "");
	ASSERT_EQ(a[0].kind, SA_EVENT_FILE_EXEC);
	ASSERT_EQ(a[0].count, 3);
	ASSERT_EQ(a[1].kind, SA_EVENT_NET_CONNECT);
	ASSERT_EQ(a[1].count, 1);
	ASSERT_STREQ(a[2].policy, "old-policy"); /* named from the history, its count kept */
	ASSERT_EQ(a[2].kind, SA_EVENT_FILE_OPEN);
	ASSERT_EQ(a[2].count, 5);
	rule_count_array_free(a, n);
	/* A second retirement adds nothing twice. */
	ASSERT_OK(rule_counts_retire(rc, &g, 3));
	ASSERT_OK(rule_counts_snapshot(rc, &g, &a, &n));
	ASSERT_EQ(n, 3);
	ASSERT_EQ(a[2].count, 5);
	rule_count_array_free(a, n);
	rule_counts_free(rc);
	close(fd);
}

TEST_MAIN()
