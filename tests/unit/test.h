/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * A tiny test framework for one-file programs. TEST(name) { ... } registers a test; ASSERT_* print
 * file:line, the expression and both values on failure and end the test by longjmp() (a failed
 * test may leak). TEST_MAIN(): run all tests (or those named as arguments), exit 1 on failure.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test {
	const char *name;
	void (*fn)(void);
	int line;
};

static struct test test_table[1024];
static size_t test_count;
static jmp_buf test_jmp;
static const char *test_not_run_reason; /* set by test_not_here() */

/* Ends the test as not run in this build, with the reason printed: never counted as passed. For
 * a test a sanitizer's runtime cannot take part in; the unsanitized unit pass runs it. */
#define test_not_here(why)                                                                         \
	do {                                                                                       \
		test_not_run_reason = (why);                                                       \
		longjmp(test_jmp, 2);                                                              \
	} while (0)

#define TEST(n)                                                                                    \
	static void test_##n(void);                                                                \
	__attribute__((constructor)) static void test_register_##n(void)                           \
	{                                                                                          \
		if (test_count >= sizeof(test_table) / sizeof(test_table[0]))                      \
			abort();                                                                   \
		test_table[test_count++] = (struct test){ #n, test_##n, __LINE__ };                \
	}                                                                                          \
	static void test_##n(void)

#define test_check(cond, ...)                                                                      \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			longjmp(test_jmp, 1);                                                      \
		}                                                                                  \
	} while (0)

#define ASSERT_EQ(a, b)                                                                            \
	do {                                                                                       \
		long long _a = (long long)(a), _b = (long long)(b);                                \
		test_check(_a == _b, "ASSERT_EQ(%s, %s): %lld != %lld", #a, #b, _a, _b);           \
	} while (0)

#define ASSERT_STREQ(a, b)                                                                         \
	do {                                                                                       \
		const char *_a = (a), *_b = (b);                                                   \
		test_check(_a &&_b &&strcmp(_a, _b) == 0,                                          \
			   "ASSERT_STREQ(%s, %s): \"%s\" != \"%s\"", #a, #b, _a ?: "(null)",       \
			   _b ?: "(null)");                                                        \
	} while (0)

#define ASSERT_TRUE(x) test_check((x), "ASSERT_TRUE(%s): is false", #x)
#define ASSERT_NULL(p)                                                                             \
	do {                                                                                       \
		const void *_p = (p);                                                              \
		test_check(!_p, "ASSERT_NULL(%s): %p != NULL", #p, _p);                            \
	} while (0)
#define ASSERT_NOT_NULL(p) test_check((p), "ASSERT_NOT_NULL(%s): is NULL", #p)

#define ASSERT_OK(r)                                                                               \
	do {                                                                                       \
		long long _r = (r);                                                                \
		test_check(_r >= 0, "ASSERT_OK(%s): %lld (%s) < 0", #r, _r, strerror((int)-_r));   \
	} while (0)

/* @err is a positive errno; @r must be its negation. */
#define ASSERT_ERROR(r, err)                                                                       \
	do {                                                                                       \
		long long _r = (r), _e = (err);                                                    \
		test_check(_r == -_e, "ASSERT_ERROR(%s, %s): %lld != %lld", #r, #err, _r, -_e);    \
	} while (0)

static int test_by_line(const void *a, const void *b) /* constructors may run in any order */
{
	return ((const struct test *)a)->line - ((const struct test *)b)->line;
}

/* 1 passed, 0 failed, 2 not run here. Apart, so longjmp() clobbers no counters. */
static int test_run_one(void (*fn)(void))
{
	int r = setjmp(test_jmp);

	if (r != 0)
		return r == 2 ? 2 : 0;
	fn();
	return 1;
}

static inline int test_run_all(int argc, char **argv)
{
	size_t failed = 0, run = 0, not_run = 0;

	qsort(test_table, test_count, sizeof(struct test), test_by_line);
	for (size_t i = 0; i < test_count; i++) {
		bool ok, wanted = argc <= 1;
		int r;

		for (int j = 1; j < argc; j++)
			wanted = wanted || strcmp(argv[j], test_table[i].name) == 0;
		if (!wanted)
			continue;

		r = test_run_one(test_table[i].fn);
		if (r == 2) {
			printf("not run here: %s (%s)\n", test_table[i].name,
			       test_not_run_reason ? test_not_run_reason : "?");
			not_run++;
			continue;
		}
		ok = r == 1;
		printf("%s %s\n", ok ? "ok" : "FAIL", test_table[i].name);
		fflush(stdout);
		run++, failed += !ok;
	}
	printf("%zu tests, %zu passed, %zu failed", run, run - failed, failed);
	if (not_run)
		printf(", %zu not run in this build (each says why)", not_run);
	putchar('\n');
	if (run == 0)
		fprintf(stderr, "no test matches the names given\n");
	return failed > 0 || run == 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

#define TEST_MAIN()                                                                                \
	int main(int argc, char **argv)                                                            \
	{                                                                                          \
		return test_run_all(argc, argv);                                                   \
	}
