/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's checks of a container binding request: ids and cgroup paths. */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "container-bindings.h"
#include "test.h"
#include "util.h"

TEST(cgroup_path_valid)
{
	static const char *const good[] = {
		"/machine.slice/libpod-0123abcd.scope",
		"/a",
		"/system.slice/docker-1.scope/init",
		"/a/..b/c.", /* names that merely start or end with dots */
	};
	/* The root itself (every process of the host), and what resolves to it or elsewhere. */
	static const char *const bad[] = {
		"/",  "",      "a/b",       "//",   "/a//b", "/a/",    "/..", "/.",
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

TEST_MAIN()
