// SPDX-License-Identifier: GPL-2.0
/*
 * ktap_fixture - a GoogleTest program with known outcomes, reported through
 * ktap_listener.hpp. ktap_listener_test runs it with different --gtest_filter
 * values and checks the KTAP it prints and its exit code.
 *
 * Keep the messages below in sync with ktap_listener_test.cpp, which
 * expects them verbatim.
 */

#include "ktap_runner.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

TEST(Fixture, Passes)
{
	EXPECT_EQ(2 + 2, 4);
}

TEST(Fixture, FailsTwice)
{
	ADD_FAILURE() << "first failure";
	ADD_FAILURE() << "second failure\nspans two lines";
}

TEST(Fixture, SkipsWithReason)
{
	GTEST_SKIP() << "no device\nhere";
}

TEST(Fixture, SkipsWithoutReason)
{
	GTEST_SKIP();
}

/* A failure is not undone by skipping afterwards. */
TEST(Fixture, FailsThenSkips)
{
	ADD_FAILURE() << "broken before the skip";
	GTEST_SKIP() << "too late";
}

class Param : public testing::TestWithParam<std::string> {};

TEST_P(Param, PassesUnlessBeta)
{
	EXPECT_NE(GetParam(), "beta") << "beta fails";
}

static std::string ParamName(const testing::TestParamInfo<std::string> &info)
{
	return info.param;
}

INSTANTIATE_TEST_SUITE_P(, Param, testing::Values("alpha", "beta"), ParamName);
INSTANTIATE_TEST_SUITE_P(Prefixed, Param, testing::Values("gamma"), ParamName);

/* A crashing child of a test is the test's business, not a result line. */
TEST(Fixture, ChildDiesOfSigbus)
{
	const pid_t child = fork();
	int status;

	ASSERT_GE(child, 0);
	if (child == 0) {
		std::raise(SIGBUS);
		_exit(0);
	}
	ASSERT_EQ(waitpid(child, &status, 0), child);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS);
}

/* Only run when a filter names it: it kills the program. */
TEST(Crash, DiesOfSigbus)
{
	std::raise(SIGBUS);
}

/* Only run when a filter names it: it ends its program from inside. */
TEST(CrashExit, ExitsZero)
{
	_exit(0);
}

/* Only run when a filter names it: it never ends (KTAP_TEST_TIMEOUT). */
TEST(CrashHang, SleepsForever)
{
	for (;;)
		pause();
}

/* Only run when a filter names it: its suite's set-up fails. */
class CrashSetUp : public testing::Test {
protected:
	static void SetUpTestSuite() { FAIL() << "suite set-up broken"; }
};

TEST_F(CrashSetUp, First) {}
TEST_F(CrashSetUp, Second) {}

/* Runs after the suites above, to show the plan goes on after them. */
TEST(Later, Passes)
{
	SUCCEED();
}

/* With KTAP_FIXTURE_BROKEN_TEARDOWN set: a global tear-down that fails. */
class BrokenTearDown : public testing::Environment {
public:
	void TearDown() override { ADD_FAILURE() << "environment tear-down broken"; }
};

int main(int argc, char **argv)
{
	testing::InitGoogleTest(&argc, argv);
	if (getenv("KTAP_FIXTURE_BROKEN_TEARDOWN"))
		testing::AddGlobalTestEnvironment(new BrokenTearDown);
	return ktap::RunAllTests();
}
