/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's checks of a container binding request: ids and cgroup paths. */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compiled.h" /* COMPILED_CGROUP_ROOT */
#include "container-bindings.h"
#include "control.h"
#include "test.h"
#include "util.h"

TEST(cgroup_path_valid)
{
	static const char *const good[] = {
		"/machine.slice/libpod-0123abcd.scope", "/a", "/system.slice/docker-1.scope/init",
		"/a/..b/c.", /* names that merely start or end with dots */
	};
	/* The root itself (every process of the host), and what resolves to it or elsewhere. */
	static const char *const bad[] = {
		"/",	 "",	 "a/b",	    "//",   "/a//b",  "/a/",   "/..", "/.",
		"/a/..", "/a/.", "/a/../b", "/./a", "/a/./b", "/../a", "//a",
	};

	for (size_t i = 0; i < ELEMENTSOF(good); i++)
		test_check(container_cgroup_path_valid(good[i]), "'%s' refused", good[i]);
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		test_check(!container_cgroup_path_valid(bad[i]), "'%s' accepted", bad[i]);
}

TEST(cgroup_id_refuses_the_root)
{
	uint64_t id = 0;

	ASSERT_EQ(container_cgroup_id("/", &id), -EINVAL);
	ASSERT_EQ(container_cgroup_id("/sys/..", &id), -EINVAL);
	ASSERT_EQ(id, (uint64_t)0);
}

TEST(container_id_valid)
{
	ASSERT_TRUE(container_id_valid("0123456789abcdef"));
	ASSERT_TRUE(!container_id_valid(""));
	ASSERT_TRUE(!container_id_valid("../x"));
	ASSERT_TRUE(!container_id_valid(".hidden"));
	ASSERT_TRUE(!container_id_valid("a b"));
}

/* The daemon's parse of a control request: verbs from the one table, arguments checked. */
TEST(control_request_parse)
{
	struct control_request req;
	const char *why = NULL;
	char reason[512], buf[256];

	strcpy(buf, "container-bind c1 web-a /machine.slice/a b\n");
	ASSERT_OK(control_request_parse(buf, &req, reason, sizeof(reason), &why));
	ASSERT_EQ(req.verb, CONTROL_CONTAINER_BIND);
	ASSERT_STREQ(req.args[0], "c1");
	ASSERT_STREQ(req.args[1], "web-a");
	ASSERT_STREQ(req.args[2], "/machine.slice/a b"); /* the last takes the rest */
	strcpy(buf, "status");
	ASSERT_OK(control_request_parse(buf, &req, reason, sizeof(reason), &why));
	ASSERT_EQ(req.verb, CONTROL_STATUS);

	strcpy(buf, "frob");
	ASSERT_EQ(control_request_parse(buf, &req, reason, sizeof(reason), &why), -EINVAL);
	ASSERT_TRUE(strstr(why, "unknown request (expected: reload, status,") == why);
	ASSERT_TRUE(strstr(why, "container-bind ID POLICY CGROUP") != NULL);
	strcpy(buf, "container-bind ../x web /a");
	ASSERT_EQ(control_request_parse(buf, &req, reason, sizeof(reason), &why), -EINVAL);
	ASSERT_TRUE(strstr(why, "usage: container-bind ID POLICY CGROUP") == why);
	strcpy(buf, "container-bind c1 web");
	ASSERT_EQ(control_request_parse(buf, &req, reason, sizeof(reason), &why), -EINVAL);
	strcpy(buf, "container-bind c1 Web /a");
	ASSERT_EQ(control_request_parse(buf, &req, reason, sizeof(reason), &why), -EINVAL);
	strcpy(buf, "seccomp-register A_B");
	ASSERT_EQ(control_request_parse(buf, &req, reason, sizeof(reason), &why), -EINVAL);
	ASSERT_STREQ(why, "invalid policy name");
	strcpy(buf, "status now");
	ASSERT_EQ(control_request_parse(buf, &req, reason, sizeof(reason), &why), -EINVAL);
	strcpy(buf, "container-unbind ");
	ASSERT_EQ(control_request_parse(buf, &req, reason, sizeof(reason), &why), -EINVAL);
}

/* A binding file keeps the runtime's program, and a binding without one (a hook of an earlier
 * version) reads back as none. The cgroup is one of this host's, as a container's would be. */
TEST(binding_file_keeps_the_runtime)
{
	char dir[] = "/tmp/secagent-bindings-XXXXXX", cgroup[300] = "";
	struct container_bindings *b = NULL;
	const struct container_binding *x;
	struct dirent *de;
	uint64_t id = 0;
	DIR *d = opendir(COMPILED_CGROUP_ROOT);

	ASSERT_NOT_NULL(d);
	while (!cgroup[0] && (de = readdir(d))) {
		if (de->d_type == DT_DIR && de->d_name[0] != '.')
			snprintf(cgroup, sizeof(cgroup), "/%s", de->d_name);
	}
	closedir(d);
	ASSERT_TRUE(cgroup[0] != 0);
	ASSERT_OK(container_cgroup_id(cgroup, &id));
	ASSERT_NOT_NULL(mkdtemp(dir));
	ASSERT_OK(container_bindings_load(dir, &b));
	ASSERT_OK(container_bindings_add(b, "c1", "web", cgroup, id, 7, 42, -1));
	ASSERT_OK(container_bindings_add(b, "c2", "db", cgroup, id, 0, 0, -1));
	b = container_bindings_free(b);

	ASSERT_OK(container_bindings_load(dir, &b));
	ASSERT_EQ(b->n, 2);
	x = container_bindings_find(b, "c1");
	ASSERT_NOT_NULL(x);
	ASSERT_EQ(x->runtime_dev, 7);
	ASSERT_EQ(x->runtime_ino, (uint64_t)42);
	ASSERT_EQ(x->cgroup_id, id);
	x = container_bindings_find(b, "c2");
	ASSERT_NOT_NULL(x);
	ASSERT_EQ(x->runtime_ino, (uint64_t)0);
	ASSERT_OK(container_bindings_remove(b, "c1"));
	ASSERT_OK(container_bindings_remove(b, "c2"));
	b = container_bindings_free(b);
	ASSERT_OK(rmdir(dir));
}

TEST_MAIN()
