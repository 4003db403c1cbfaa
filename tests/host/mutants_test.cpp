// SPDX-License-Identifier: GPL-2.0
/*
 * mutants_test - the list of driver mutants that scripts/mutants.py runs
 *
 * The list must keep up with the driver: every mutant's line is still found
 * (once, or on every copy when it says so), so that an edit of the driver
 * cannot quietly turn a mutant into the unchanged driver. There are at least
 * 30, each with its bug class, and each shows as a patch that applies to
 * this checkout.
 */

#include "host_config.h"
#include "run_program.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace {

using host::Describe;
using host::Lines;
using host::RunResult;

std::string MutantsScript()
{
	return host::Config::RepoDir() + "/scripts/mutants.py";
}

std::vector<std::string> MutantNames()
{
	const RunResult run = host::Run({ "python3", MutantsScript(), "--list" });
	std::vector<std::string> names;

	EXPECT_EQ(run.exit_code, 0) << Describe(run);
	for (const std::string &line : Lines(run.out))
		names.push_back(line.substr(0, line.find(' ')));
	return names;
}

TEST(Mutants, EveryMutantStillApplies)
{
	const RunResult run = host::Run({ "python3", MutantsScript(), "--check" });

	EXPECT_EQ(run.exit_code, 0) << Describe(run);
	EXPECT_NE(run.out.find("mutants: all "), std::string::npos) << run.out;
}

TEST(Mutants, AtLeastThirtyEachWithItsBugClass)
{
	const RunResult run = host::Run({ "python3", MutantsScript(), "--list" });
	const std::regex line("[a-z0-9-]+ +[^ ].{10,}");

	ASSERT_EQ(run.exit_code, 0) << Describe(run);
	EXPECT_GE(Lines(run.out).size(), 30U) << run.out;
	for (const std::string &listed : Lines(run.out))
		EXPECT_TRUE(std::regex_match(listed, line)) << listed;
}

/* Each mutant is a patch of the checkout, which git apply accepts. */
TEST(Mutants, EachShowsAsAPatchThatApplies)
{
	const std::string patch = host::Config::ScratchDir() + "/mutant.patch";

	for (const std::string &name : MutantNames()) {
		const RunResult shown = host::Run({ "python3", MutantsScript(), "--show", name });

		SCOPED_TRACE(name);
		ASSERT_EQ(shown.exit_code, 0) << Describe(shown);
		EXPECT_EQ(shown.out.rfind("Bug class: ", 0), 0U) << shown.out;
		std::ofstream(patch) << shown.out;

		const RunResult check = host::Run({ "git", "-C", host::Config::RepoDir(), "apply",
						    "--check", patch });

		EXPECT_EQ(check.exit_code, 0) << Describe(check);
	}
}

/* A name that is not in the list stops the command before anything runs. */
TEST(Mutants, UnknownMutantIsAnError)
{
	const RunResult run = host::Run({ "python3", MutantsScript(), "no-such-mutant" });

	EXPECT_EQ(run.exit_code, 2) << Describe(run);
	EXPECT_NE(run.err.find("no such mutant: no-such-mutant"), std::string::npos) << run.err;
}

} /* namespace */
