// SPDX-License-Identifier: GPL-2.0
/*
 * ktap_listener_test - check the KTAP that ktap_listener.hpp prints
 *
 * Runs ktap_fixture (passing, failing, skipped, parameterised and crashing
 * tests) with different --gtest_filter values and compares its stdout line
 * by line and its exit code with what the kselftest runner expects. When a
 * kernel tree is available, the output is also fed to the kernel's KTAP
 * parser (tools/testing/kunit/kunit_parser.py).
 */

#include "host_config.h"
#include "run_program.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

using host::Describe;
using host::Lines;
using host::RunResult;

RunResult RunFixture(const std::string &filter,
		     const std::vector<std::string> &extra_args = {},
		     const std::vector<std::string> &env = {})
{
	std::vector<std::string> argv = { host::Config::KtapFixture(),
					  "--gtest_filter=" + filter };

	argv.insert(argv.end(), extra_args.begin(), extra_args.end());
	return host::Run(argv, env);
}

/*
 * Compare @actual with @expected line by line; an expected line starting
 * with "~" is a regular expression (for failure locations).
 */
void ExpectLines(const std::string &actual,
		 const std::vector<std::string> &expected)
{
	const std::vector<std::string> lines = Lines(actual);

	ASSERT_EQ(lines.size(), expected.size()) << "output:\n" << actual;
	for (size_t i = 0; i < lines.size(); i++) {
		if (!expected[i].empty() && expected[i][0] == '~')
			EXPECT_TRUE(std::regex_match(lines[i],
						     std::regex(expected[i].substr(1))))
				<< "line " << i + 1 << ": " << lines[i];
		else
			EXPECT_EQ(lines[i], expected[i]) << "line " << i + 1;
	}
}

/* Where a failure diagnostic points: any path to the fixture, any line. */
const std::string kLocation = "~# .*ktap_fixture\\.cpp:[0-9]+: Failure";

TEST(KtapListener, PassAndSkipExitZero)
{
	const RunResult run = RunFixture("Fixture.Passes:Fixture.SkipsWithReason");

	ExpectLines(run.out, {
		"TAP version 13",
		"1..2",
		"ok 1 Fixture.Passes",
		"ok 2 Fixture.SkipsWithReason # SKIP no device here",
		"# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:1 error:0",
	});
	EXPECT_EQ(run.exit_code, 0) << Describe(run);
}

TEST(KtapListener, FailuresAreDiagnosedAndExitOne)
{
	const RunResult run = RunFixture("Fixture.Passes:Fixture.FailsTwice");

	ExpectLines(run.out, {
		"TAP version 13",
		"1..2",
		"ok 1 Fixture.Passes",
		kLocation,
		"# Failed",
		"# first failure",
		kLocation,
		"# Failed",
		"# second failure",
		"# spans two lines",
		"not ok 2 Fixture.FailsTwice",
		"# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:0 error:0",
	});
	EXPECT_EQ(run.exit_code, 1) << Describe(run);
}

TEST(KtapListener, OnlySkipsExitFour)
{
	const RunResult run = RunFixture("Fixture.Skips*");

	ExpectLines(run.out, {
		"TAP version 13",
		"1..2",
		"ok 1 Fixture.SkipsWithReason # SKIP no device here",
		"ok 2 Fixture.SkipsWithoutReason # SKIP",
		"# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:2 error:0",
	});
	EXPECT_EQ(run.exit_code, 4) << Describe(run);
}

TEST(KtapListener, FailureBeforeSkipIsNotOk)
{
	const RunResult run = RunFixture("Fixture.FailsThenSkips:Fixture.SkipsWithReason");

	ExpectLines(run.out, {
		"TAP version 13",
		"1..2",
		"ok 1 Fixture.SkipsWithReason # SKIP no device here",
		kLocation,
		"# Failed",
		"# broken before the skip",
		"not ok 2 Fixture.FailsThenSkips",
		"# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:1 error:0",
	});
	EXPECT_EQ(run.exit_code, 1) << Describe(run);
}

TEST(KtapListener, EmptySelectionIsASkipPlan)
{
	const RunResult run = RunFixture("NoSuchSuite.*");

	ExpectLines(run.out, {
		"TAP version 13",
		"1..0 # SKIP no test matches the filter",
	});
	EXPECT_EQ(run.exit_code, 4) << Describe(run);
}

TEST(KtapListener, ParameterisedNames)
{
	const RunResult run = RunFixture("*Param*");

	ExpectLines(run.out, {
		"TAP version 13",
		"1..3",
		"ok 1 Param.PassesUnlessBeta/alpha",
		kLocation,
		"~# Expected: .*",
		"# beta fails",
		"not ok 2 Param.PassesUnlessBeta/beta",
		"ok 3 Prefixed/Param.PassesUnlessBeta/gamma",
		"# Totals: pass:2 fail:1 xfail:0 xpass:0 skip:0 error:0",
	});
	EXPECT_EQ(run.exit_code, 1) << Describe(run);
}

/* A test killed by a signal is "not ok"; the tests after it still run. */
TEST(KtapListener, CrashIsNotOkAndThePlanGoesOn)
{
	const RunResult run = RunFixture("Fixture.Passes:Crash.*:Later.Passes");

	ExpectLines(run.out, {
		"TAP version 13",
		"1..3",
		"ok 1 Fixture.Passes",
		"# Crash.DiesOfSigbus: killed by a fatal signal",
		"not ok 2 Crash.DiesOfSigbus",
		"ok 3 Later.Passes",
		"# Totals: pass:2 fail:1 xfail:0 xpass:0 skip:0 error:0",
	});
	EXPECT_EQ(run.exit_code, 1) << Describe(run);
}

/* A test that hangs is stopped and "not ok"; the tests after it still run. */
TEST(KtapListener, HangIsNotOkAfterTheTimeout)
{
	const RunResult run = RunFixture("CrashHang.*:Later.Passes", {},
					 { "KTAP_TEST_TIMEOUT=1" });

	ExpectLines(run.out, {
		"TAP version 13",
		"1..2",
		"# CrashHang.SleepsForever: did not end within 1 s (KTAP_TEST_TIMEOUT): "
		"its process was killed",
		"not ok 1 CrashHang.SleepsForever",
		"ok 2 Later.Passes",
		"# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:0 error:0",
	});
	EXPECT_EQ(run.exit_code, 1) << Describe(run);
}

/* A test that ends its program, even with status 0, is "not ok". */
TEST(KtapListener, ExitInsideATestIsNotOk)
{
	const RunResult run = RunFixture("CrashExit.*:Later.Passes");

	ExpectLines(run.out, {
		"TAP version 13",
		"1..2",
		"# CrashExit.ExitsZero: the test program exited with status 0 while it ran",
		"not ok 1 CrashExit.ExitsZero",
		"ok 2 Later.Passes",
		"# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:0 error:0",
	});
	EXPECT_EQ(run.exit_code, 1) << Describe(run);
}

/* The tests GoogleTest skips after their suite's set-up failed are "not ok". */
TEST(KtapListener, SuiteSetUpFailureIsNotOk)
{
	const RunResult run = RunFixture("CrashSetUp.*:Later.Passes");

	ExpectLines(run.out, {
		"TAP version 13",
		"1..3",
		kLocation,
		"# Failed",
		"# suite set-up broken",
		"# CrashSetUp.First: not run: a set-up before it failed (SetUpTestSuite(), above)",
		"not ok 1 CrashSetUp.First",
		"# CrashSetUp.Second: not run: a set-up before it failed (SetUpTestSuite(), above)",
		"not ok 2 CrashSetUp.Second",
		"ok 3 Later.Passes",
		"# Totals: pass:1 fail:2 xfail:0 xpass:0 skip:0 error:0",
	});
	EXPECT_EQ(run.exit_code, 1) << Describe(run);
}

/* A failing global tear-down is charged to the last test. */
TEST(KtapListener, EnvironmentTearDownFailureIsNotOk)
{
	const RunResult run = RunFixture("Fixture.Passes:Later.Passes", {},
					 { "KTAP_FIXTURE_BROKEN_TEARDOWN=1" });

	ExpectLines(run.out, {
		"TAP version 13",
		"1..2",
		"ok 1 Fixture.Passes",
		kLocation,
		"# Failed",
		"# environment tear-down broken",
		"# Later.Passes: a tear-down after it failed (above)",
		"not ok 2 Later.Passes",
		"# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:0 error:0",
	});
	EXPECT_EQ(run.exit_code, 1) << Describe(run);
}

/* Only the test program itself reports a crash, not a test's child. */
TEST(KtapListener, CrashingChildIsNotReported)
{
	const RunResult run = RunFixture("Fixture.ChildDiesOfSigbus");

	ExpectLines(run.out, {
		"TAP version 13",
		"1..1",
		"ok 1 Fixture.ChildDiesOfSigbus",
		"# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0",
	});
	EXPECT_EQ(run.exit_code, 0) << Describe(run);
}

/* Shuffled or not, results are numbered 1..N in the order they are printed. */
TEST(KtapListener, NumbersFollowRunOrder)
{
	const RunResult run = RunFixture("-Crash*", { "--gtest_shuffle",
						       "--gtest_random_seed=7" });
	const std::regex result_line("(ok|not ok) ([0-9]+) ([^ #]+)( # SKIP.*)?");
	std::set<std::string> names;
	int expected_number = 1;

	ASSERT_GE(Lines(run.out).size(), 2U) << Describe(run);
	EXPECT_EQ(Lines(run.out)[1], "1..10");
	for (const std::string &line : Lines(run.out)) {
		std::smatch match;

		if (!std::regex_match(line, match, result_line))
			continue;
		EXPECT_EQ(std::stoi(match[2]), expected_number) << line;
		expected_number++;
		names.insert(match[3]);
	}
	EXPECT_EQ(expected_number - 1, 10);
	EXPECT_EQ(names.size(), 10U) << "every test is reported once";
	EXPECT_EQ(run.exit_code, 1) << Describe(run);
}

/* Nothing but KTAP reaches stdout: GoogleTest's own printer is gone. */
TEST(KtapListener, StdoutIsOnlyKtap)
{
	const RunResult run = RunFixture("-Crash*");
	const std::regex ktap_line("TAP version 13|1\\.\\.[0-9]+|"
				   "(ok|not ok) [0-9]+ [^#]+( # SKIP.*)?|# .*");

	ASSERT_FALSE(run.out.empty()) << Describe(run);
	for (const std::string &line : Lines(run.out))
		EXPECT_TRUE(std::regex_match(line, ktap_line)) << "not KTAP: " << line;
	EXPECT_EQ(run.out.find("[ RUN      ]"), std::string::npos);
	EXPECT_EQ(run.out.back(), '\n');
}

/* Like kselftest.h, leave the header to a wrapper that sets KSFT_TAP_LEVEL. */
TEST(KtapListener, KsftTapLevelDropsTheHeader)
{
	const RunResult run = RunFixture("Fixture.Passes", {}, { "KSFT_TAP_LEVEL=1" });

	ExpectLines(run.out, {
		"1..1",
		"ok 1 Fixture.Passes",
		"# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0",
	});
	EXPECT_EQ(run.exit_code, 0) << Describe(run);
}

/* The kernel's own KTAP parser reads the output without complaint. */
TEST(KtapListener, KernelKtapParserAgrees)
{
	const std::string kernel = host::Config::KernelSource();

	if (access((kernel + "/tools/testing/kunit/kunit_parser.py").c_str(), R_OK))
		GTEST_SKIP() << "no kernel tree at " << kernel
			     << " (set MMAPDEMO_KERNEL_SRC)";
	if (host::Run({ "python3", "--version" }).exit_code != 0)
		GTEST_SKIP() << "no python3";

	const RunResult run = RunFixture("-Crash*");
	const std::string ktap_file = host::Config::ScratchDir() + "/fixture.ktap";

	std::ofstream(ktap_file) << run.out;

	const RunResult parsed = host::Run({ "python3", host::Config::KtapParseScript(),
					     kernel }, {}, ktap_file);

	ASSERT_EQ(parsed.exit_code, 0) << Describe(parsed);
	ExpectLines(parsed.out, {
		"status=FAILURE passed=5 failed=3 skipped=2 crashed=0 errors=0",
		"SUCCESS Fixture.Passes",
		"FAILURE Fixture.FailsTwice",
		"SKIPPED Fixture.SkipsWithReason # no device here",
		"SKIPPED Fixture.SkipsWithoutReason",
		"FAILURE Fixture.FailsThenSkips",
		"SUCCESS Fixture.ChildDiesOfSigbus",
		"SUCCESS Later.Passes",
		"SUCCESS Param.PassesUnlessBeta/alpha",
		"FAILURE Param.PassesUnlessBeta/beta",
		"SUCCESS Prefixed/Param.PassesUnlessBeta/gamma",
	});
}

} /* namespace */
