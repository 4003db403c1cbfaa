// SPDX-License-Identifier: GPL-2.0
/*
 * selftest_host_test - what can be checked of the kselftest without a kernel
 *
 * - mmapdemo_test, mmapdemo_semantics_test, mmapdemo_stress,
 *   mmapdemo_lifetime_test and mmapdemo_demo, built on the host against the
 *   UAPI header, behave sensibly where there is no driver: the tests skip
 *   with exit code 4, the demo fails. Every parameterised test of the first
 *   two runs on every strategy, and every row of the bad-input table is
 *   tried on the strategies it names.
 * - The selftest Makefile works with the kernel's lib.mk (taken from a
 *   kernel tree if one is available): it builds, installs and lists the
 *   test, picks the C++ compiler like lib.mk picks CC, and stops with a
 *   helpful message when GoogleTest is missing; it builds and installs
 *   mmapdemo_bench where Google Benchmark is installed, and without it
 *   leaves the benchmark out with a message, not a failure.
 */

#include "host_config.h"
#include "mmapdemo_common.hpp"
#include "run_program.h"
#include "../../../../drivers/misc/mmapdemo/tests/mmapdemo_bad_input.h"
#include "../../../../drivers/misc/mmapdemo/tests/mmapdemo_semantics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;

using host::Describe;
using host::Lines;
using host::RunResult;

bool DriverPresent()
{
	for (const mmapdemo::Strategy &strategy : mmapdemo::kStrategies)
		if (access(mmapdemo::DevicePath(strategy).c_str(), F_OK) == 0)
			return true;
	return false;
}

/* What the selftest Makefile asks before building mmapdemo_bench. */
bool BenchmarkInstalled()
{
	return host::Run({ "pkg-config", "--exists", "benchmark" }).exit_code == 0;
}

/* The GoogleTest programs of the selftest. */
std::vector<std::string> TestPrograms()
{
	return { host::Config::MmapdemoTest(), host::Config::MmapdemoSemanticsTest(),
		 host::Config::MmapdemoStress(), host::Config::MmapdemoLifetimeTest() };
}

TEST(SelftestOnHost, TestSkipsWithoutDriver)
{
	if (DriverPresent())
		GTEST_SKIP() << "this host has mmapdemo nodes";

	for (const std::string &program : TestPrograms()) {
		const RunResult run = host::Run({ program });

		SCOPED_TRACE(program);
		EXPECT_EQ(run.out, "TAP version 13\n"
				   "1..0 # SKIP mmapdemo devices absent and the module not found "
				   "(modprobe -n mmapdemo)\n");
		EXPECT_EQ(run.exit_code, 4) << Describe(run);
	}
}

/*
 * The parameterised tests of @program ("Suite.Test" -> strategies), from
 * --gtest_list_tests; @suites gets every suite listed.
 */
std::map<std::string, std::set<std::string>> ListStrategiesOfTests(
	const std::string &program, std::vector<std::string> *suites)
{
	const RunResult run = host::Run({ program, "--gtest_list_tests" });
	const std::regex suite_line("([A-Za-z]+)\\.(  #.*)?");
	const std::regex test_line("  ([A-Za-z]+)/([a-z]+)(  #.*)?");
	std::map<std::string, std::set<std::string>> strategies_of_test;
	std::string suite;

	EXPECT_EQ(run.exit_code, 0) << Describe(run);
	for (const std::string &line : Lines(run.out)) {
		std::smatch match;

		if (std::regex_match(line, match, suite_line)) {
			suite = match[1];
			suites->push_back(suite);
		} else if (std::regex_match(line, match, test_line)) {
			strategies_of_test[suite + "." + match[1].str()].insert(match[2]);
		}
	}
	return strategies_of_test;
}

std::set<std::string> AllStrategies()
{
	std::set<std::string> all;

	for (const mmapdemo::Strategy &strategy : mmapdemo::kStrategies)
		all.insert(strategy.name);
	return all;
}

/* Every test is instantiated once per strategy, named after it. */
TEST(SelftestOnHost, TestCoversEveryStrategy)
{
	std::vector<std::string> suites;
	const auto strategies_of_test =
		ListStrategiesOfTests(host::Config::MmapdemoTest(), &suites);

	ASSERT_FALSE(suites.empty());
	EXPECT_EQ(suites[0], "Mmapdemo");
	ASSERT_FALSE(strategies_of_test.empty());
	EXPECT_TRUE(strategies_of_test.count("Mmapdemo.SeedScenario"));
	for (const auto &[test, strategies] : strategies_of_test)
		EXPECT_EQ(strategies, AllStrategies()) << test;
}

/*
 * One test per column of the documentation's semantics table, each run on
 * every strategy, plus the check that the table has a row per strategy.
 */
TEST(SelftestOnHost, SemanticsTestCoversEveryColumnAndStrategy)
{
	std::vector<std::string> suites;
	const auto strategies_of_test =
		ListStrategiesOfTests(host::Config::MmapdemoSemanticsTest(), &suites);
	const char *const columns[] = {
		"FaultsWhenPagesAreFirstTouched", "MapPrivate", "ForkChildFaults",
		"MremapGrow", "MremapMove", "MunmapOfAMiddlePage", "MprotectAddWrite",
		"MadviseDontneed", "GetUserPagesProcessVmReadv", "GetUserPagesVmsplice",
		"GetUserPagesODirect", "VmFlagsInSmaps", "MadviseDodump",
		"ConcurrentFaults",
	};

	EXPECT_NE(std::find(suites.begin(), suites.end(), "SemanticsTable"), suites.end());
	for (const char *column : columns)
		EXPECT_TRUE(strategies_of_test.count(std::string("Semantics.") + column))
			<< column;
	for (const auto &[test, strategies] : strategies_of_test)
		EXPECT_EQ(strategies, AllStrategies()) << test;
}

/*
 * BadInput.Answer/<strategy>_<input>: every row of the bad-input table on
 * exactly the strategies its "strategies" cell names.
 */
TEST(SelftestOnHost, SemanticsTestTriesEveryBadInputRow)
{
	const RunResult run = host::Run({ host::Config::MmapdemoSemanticsTest(),
					  "--gtest_list_tests", "--gtest_filter=BadInput.*" });
	const std::regex case_line("  Answer/([a-z]+)_([a-z0-9_]+)(  #.*)?");
	std::set<std::pair<std::string, std::string>> listed;

	ASSERT_EQ(run.exit_code, 0) << Describe(run);
	for (const std::string &line : Lines(run.out)) {
		std::smatch match;

		if (std::regex_match(line, match, case_line))
			listed.insert({ match[1], match[2] });
	}

	std::set<std::pair<std::string, std::string>> expected;

	for (const auto &row : mmapdemo_bad_inputs) {
		std::string name = row.name;

		std::replace(name.begin(), name.end(), '-', '_');
		for (const mmapdemo::Strategy &strategy : mmapdemo::kStrategies) {
			const struct ::mmapdemo_semantics *semantics = nullptr;
			bool applies = false;

			for (const auto &sem : mmapdemo_semantics)
				if (std::string(sem.name) == strategy.name)
					semantics = &sem;
			ASSERT_NE(semantics, nullptr) << strategy.name;
			switch (row.scope) {
			case MMAPDEMO_BAD_SCOPE_ALL:
				applies = true;
				break;
			case MMAPDEMO_BAD_SCOPE_BUFFER:
				applies = !strategy.per_mapping;
				break;
			case MMAPDEMO_BAD_SCOPE_PER_MAPPING:
				applies = strategy.per_mapping;
				break;
			case MMAPDEMO_BAD_SCOPE_PRIVATE_REFUSED:
				applies = semantics->private_errno != 0;
				break;
			case MMAPDEMO_BAD_SCOPE_GROW_REFUSED:
				applies = semantics->grow_errno != 0;
				break;
			case MMAPDEMO_BAD_SCOPE_GROW_ALLOWED:
				applies = semantics->grow_errno == 0;
				break;
			case MMAPDEMO_BAD_SCOPE_GROW_ALLOWED_MM:
				applies = semantics->grow_errno == 0 &&
					  (semantics->vm_flags & MMAPDEMO_VMF_MM);
				break;
			}
			if (applies)
				expected.insert({ strategy.name, name });
		}
	}
	EXPECT_EQ(listed, expected);
	EXPECT_GT(listed.size(), std::size(mmapdemo_bad_inputs));
}

/* The stress program and the lifetime test list their tests. */
TEST(SelftestOnHost, StressAndLifetimeListTheirTests)
{
	const RunResult stress = host::Run({ host::Config::MmapdemoStress(),
					     "--gtest_list_tests" });
	const RunResult lifetime = host::Run({ host::Config::MmapdemoLifetimeTest(),
					       "--gtest_list_tests" });

	EXPECT_EQ(stress.exit_code, 0) << Describe(stress);
	EXPECT_NE(stress.out.find("RandomSequencesOnEveryStrategy"), std::string::npos)
		<< stress.out;
	EXPECT_EQ(lifetime.exit_code, 0) << Describe(lifetime);
	for (const char *test : { "NodesAreRootOnlyByDefault", "DevModeParameter",
				  "UnloadWaitsForLastCloseAndUnmap", "LoadMapUnloadCycles",
				  "KmemleakFindsNothingAfterCycles" })
		EXPECT_NE(lifetime.out.find(test), std::string::npos) << test;
}

/* The stress program refuses options it does not know, before any test. */
TEST(SelftestOnHost, StressRejectsUnknownOptions)
{
	const RunResult run = host::Run({ host::Config::MmapdemoStress(), "--sedd=1" });

	/* KSFT_FAIL, not 2: the kselftest runner reads 2 as an expected failure. */
	EXPECT_EQ(run.exit_code, 1) << Describe(run);
	EXPECT_NE(run.err.find("usage:"), std::string::npos) << run.err;
	EXPECT_EQ(run.out, "");
}

TEST(SelftestOnHost, DemoRejectsUnknownStrategy)
{
	const RunResult run = host::Run({ host::Config::MmapdemoDemo(), "nosuch" });

	EXPECT_EQ(run.exit_code, 2) << Describe(run);
	EXPECT_NE(run.err.find("usage:"), std::string::npos) << run.err;
	for (const mmapdemo::Strategy &strategy : mmapdemo::kStrategies)
		EXPECT_NE(run.err.find(std::string(" ") + strategy.name),
			  std::string::npos) << strategy.name;
	EXPECT_EQ(run.out, "");
}

/* demo.sh asks the demo which strategies there are. */
TEST(SelftestOnHost, DemoListsEveryStrategy)
{
	const RunResult run = host::Run({ host::Config::MmapdemoDemo(), "--list" });
	std::vector<std::string> expected;

	for (const mmapdemo::Strategy &strategy : mmapdemo::kStrategies)
		expected.push_back(strategy.name);
	EXPECT_EQ(run.exit_code, 0) << Describe(run);
	EXPECT_EQ(Lines(run.out), expected);
	EXPECT_EQ(run.err, "");
}

TEST(SelftestOnHost, DemoFailsWithoutDriver)
{
	if (DriverPresent())
		GTEST_SKIP() << "this host has mmapdemo nodes";

	const RunResult run = host::Run({ host::Config::MmapdemoDemo(), "remap",
					  "/dev/mmapdemo-lazy" });

	EXPECT_EQ(run.exit_code, 1) << Describe(run);
	EXPECT_EQ(run.err, "mmapdemo-demo: open /dev/mmapdemo-remap: No such file or directory\n"
			   "mmapdemo-demo: open /dev/mmapdemo-lazy: No such file or directory\n");
}

/*
 * A minimal kernel tree around a copy of the selftest directory: lib.mk
 * and kselftest.h from the real tree, the UAPI header where "make headers"
 * would put it, and the semantics table where the series puts it.
 */
class SelftestMakefile : public testing::Test {
protected:
	void SetUp() override
	{
		const fs::path selftests = fs::path(host::Config::KernelSource()) /
					   "tools/testing/selftests";

		if (!fs::exists(selftests / "lib.mk"))
			GTEST_SKIP() << "no kernel tree at " << host::Config::KernelSource()
				     << " (set MMAPDEMO_KERNEL_SRC)";

		std::string scratch = host::Config::ScratchDir() + "/tree.XXXXXX";

		ASSERT_NE(mkdtemp(scratch.data()), nullptr) << strerror(errno);
		root_ = scratch;
		dir_ = root_ / "tools/testing/selftests/mmapdemo";
		output_ = root_ / "output";

		fs::create_directories(dir_);
		fs::create_directories(output_);
		fs::create_directories(root_ / "usr/include/linux");
		fs::copy_file(selftests / "lib.mk", dir_.parent_path() / "lib.mk");
		fs::copy_file(selftests / "kselftest.h", dir_.parent_path() / "kselftest.h");
		fs::copy(host::Config::SelftestDir(), dir_, fs::copy_options::recursive);
		fs::copy_file(fs::path(host::Config::UapiDir()) / "linux/mmapdemo.h",
			      root_ / "usr/include/linux/mmapdemo.h");
		fs::create_directories(root_ / "drivers/misc/mmapdemo/tests");
		for (const char *header : { "mmapdemo_semantics.h", "mmapdemo_bad_input.h" })
			fs::copy_file(fs::path(host::Config::KunitDir()) / header,
				      root_ / "drivers/misc/mmapdemo/tests" / header);
	}

	void TearDown() override
	{
		if (!root_.empty())
			fs::remove_all(root_);
	}

	/* make in the selftest directory, as the selftests Makefile calls it. */
	RunResult Make(const std::vector<std::string> &args,
		       const std::vector<std::string> &env = {})
	{
		std::vector<std::string> argv = { "make", "-C", dir_.string(),
						  "OUTPUT=" + output_.string() };
		/* Not the settings of a make this test may be running under. */
		std::vector<std::string> env_changes = { "MAKEFLAGS", "MAKELEVEL",
							 "MFLAGS", "CXX", "CROSS_COMPILE",
							 "LLVM" };

		argv.insert(argv.end(), args.begin(), args.end());
		env_changes.insert(env_changes.end(), env.begin(), env.end());
		return host::Run(argv, env_changes);
	}

	fs::path root_, dir_, output_;
};

TEST_F(SelftestMakefile, BuildsInstallsAndListsTheTest)
{
	const fs::path install = root_ / "install";
	const RunResult build = Make({});

	ASSERT_EQ(build.exit_code, 0) << Describe(build);
	for (const char *program : { "mmapdemo_test", "mmapdemo_semantics_test", "mmapdemo_stress",
				     "mmapdemo_lifetime_test", "mmapdemo_demo" })
		EXPECT_TRUE(fs::exists(output_ / program)) << program;
	EXPECT_EQ(build.err.find("warning"), std::string::npos) << build.err;

	const RunResult installed = Make({ "install", "INSTALL_PATH=" + install.string() });

	ASSERT_EQ(installed.exit_code, 0) << Describe(installed);
	for (const char *file : { "mmapdemo_test", "mmapdemo_semantics_test", "mmapdemo_stress",
				  "mmapdemo_lifetime_test", "mmapdemo_demo", "config", "settings" })
		EXPECT_TRUE(fs::exists(install / file)) << file;

	/* The benchmark too, where Google Benchmark is installed. */
	if (BenchmarkInstalled()) {
		EXPECT_TRUE(fs::exists(output_ / "mmapdemo_bench"));
		EXPECT_TRUE(fs::exists(install / "mmapdemo_bench"));
	}

	/* The demo and the benchmark are built and installed but are not tests to run. */
	const RunResult listed = Make({ "-s", "--no-print-directory",
					"COLLECTION=mmapdemo", "emit_tests" });

	EXPECT_EQ(listed.out, "mmapdemo:mmapdemo_test\nmmapdemo:mmapdemo_semantics_test\n"
			      "mmapdemo:mmapdemo_stress\nmmapdemo:mmapdemo_lifetime_test\n")
		<< Describe(listed);

	if (!DriverPresent()) {
		for (const char *program : { "mmapdemo_test", "mmapdemo_semantics_test",
					     "mmapdemo_stress", "mmapdemo_lifetime_test" }) {
			const RunResult run = host::Run({ (install / program).string() });

			EXPECT_EQ(run.exit_code, 4) << program << ": " << Describe(run);
		}
	}
}

/* The benchmark is optional: without Google Benchmark the rest builds. */
TEST_F(SelftestMakefile, BenchLeftOutWithoutGoogleBenchmark)
{
	const fs::path install = root_ / "install";
	/* pkg-config finds nothing; GoogleTest is found through the compiler. */
	const RunResult build = Make({ "PKG_CONFIG=false" });

	ASSERT_EQ(build.exit_code, 0) << Describe(build);
	EXPECT_NE(build.err.find("mmapdemo: not building mmapdemo_bench (optional, not a test)"),
		  std::string::npos) << build.err;
	EXPECT_NE(build.err.find("libbenchmark-dev"), std::string::npos) << build.err;
	EXPECT_TRUE(fs::exists(output_ / "mmapdemo_test"));
	EXPECT_FALSE(fs::exists(output_ / "mmapdemo_bench"));

	const RunResult installed = Make({ "PKG_CONFIG=false", "install",
					   "INSTALL_PATH=" + install.string() });

	ASSERT_EQ(installed.exit_code, 0) << Describe(installed);
	EXPECT_TRUE(fs::exists(install / "mmapdemo_demo"));
	EXPECT_FALSE(fs::exists(install / "mmapdemo_bench"));
}

/*
 * Without GoogleTest the build warns and goes on: the test programs it
 * installs report a skip, with what to install, and exit 4 (KSFT_SKIP).
 */
void ExpectSkippingStubs(const fs::path &output, const fs::path &install,
			 const std::string &why)
{
	for (const char *program : { "mmapdemo_test", "mmapdemo_semantics_test",
				     "mmapdemo_stress", "mmapdemo_lifetime_test" }) {
		const RunResult run = host::Run({ (install / program).string() });

		SCOPED_TRACE(program);
		EXPECT_TRUE(fs::exists(output / program));
		EXPECT_EQ(run.out, "TAP version 13\n1..0 # SKIP " + std::string(program) +
				   " was built without GoogleTest (" + why + "); install "
				   "GoogleTest (Debian/Ubuntu: libgtest-dev) and rebuild\n");
		EXPECT_EQ(run.exit_code, 4) << Describe(run);

		const RunResult nested = host::Run({ (install / program).string() }, { "KSFT_TAP_LEVEL=1" });

		EXPECT_EQ(nested.out.rfind("1..0 # SKIP ", 0), 0U) << nested.out;
	}
	/* What needs no GoogleTest is built as usual. */
	EXPECT_TRUE(fs::exists(install / "mmapdemo_demo"));
}

TEST_F(SelftestMakefile, MissingGtestHeadersLeaveSkippingPrograms)
{
	/* A gtest/gtest.h that is found first and does not compile. */
	const fs::path broken = root_ / "broken-gtest";
	const fs::path install = root_ / "install";

	fs::create_directories(broken / "gtest");
	std::ofstream(broken / "gtest" / "gtest.h") << "#error not installed\n";

	const std::string cflags = "GTEST_CFLAGS=-I" + broken.string();
	const RunResult build = Make({ cflags, "install", "INSTALL_PATH=" + install.string() });

	ASSERT_EQ(build.exit_code, 0) << Describe(build);
	EXPECT_NE(build.err.find("mmapdemo: warning: GoogleTest headers (gtest/gtest.h) not found"),
		  std::string::npos) << build.err;
	EXPECT_NE(build.err.find("libgtest-dev"), std::string::npos) << build.err;
	EXPECT_NE(build.err.find("gtest-devel"), std::string::npos) << build.err;
	ExpectSkippingStubs(output_, install, "GoogleTest headers (gtest/gtest.h) not found by " +
				      host::Config::Cxx());
}

TEST_F(SelftestMakefile, MissingGtestLibraryLeavesSkippingPrograms)
{
	const fs::path install = root_ / "install";
	const RunResult build = Make({ "GTEST_LDLIBS=-lgtest_that_is_not_installed", "install",
				       "INSTALL_PATH=" + install.string() });

	ASSERT_EQ(build.exit_code, 0) << Describe(build);
	EXPECT_NE(build.err.find("mmapdemo: warning: GoogleTest library not found"),
		  std::string::npos) << build.err;
	EXPECT_NE(build.err.find("libgtest-dev"), std::string::npos) << build.err;
	ExpectSkippingStubs(output_, install, "GoogleTest library not found or not linkable with " +
				      host::Config::Cxx() + " (-lgtest_that_is_not_installed)");

	/* Once GoogleTest is there, the same output folder gets the real programs. */
	const RunResult rebuilt = Make({});

	ASSERT_EQ(rebuilt.exit_code, 0) << Describe(rebuilt);
	EXPECT_EQ(host::Run({ (output_ / "mmapdemo_test").string(), "--gtest_list_tests" }).exit_code, 0);
}

/* The C++ compiler follows CROSS_COMPILE and LLVM unless CXX is given. */
TEST_F(SelftestMakefile, PicksTheCompilerLikeLibMk)
{
	const RunResult cross = Make({ "-n", "CROSS_COMPILE=mmapdemo-cross-" });

	ASSERT_EQ(cross.exit_code, 0) << Describe(cross);
	EXPECT_NE(cross.out.find("mmapdemo-cross-g++ -std=gnu++17"), std::string::npos)
		<< cross.out;

	const RunResult chosen = Make({ "-n", "CROSS_COMPILE=mmapdemo-cross-",
					"CXX=my-c++" });

	ASSERT_EQ(chosen.exit_code, 0) << Describe(chosen);
	EXPECT_NE(chosen.out.find("my-c++ -std=gnu++17"), std::string::npos) << chosen.out;
	EXPECT_EQ(chosen.out.find("mmapdemo-cross-g++"), std::string::npos) << chosen.out;

	/* Without make's built-in variables (the kernel's top Makefile uses -rR). */
	const RunResult no_builtins = Make({ "-n", "-R" });

	ASSERT_EQ(no_builtins.exit_code, 0) << Describe(no_builtins);
	EXPECT_NE(no_builtins.out.find("g++ -std=gnu++17"), std::string::npos)
		<< no_builtins.out;

	/* lib.mk's -D_GNU_SOURCE= is for C; g++ defines _GNU_SOURCE itself. */
	EXPECT_EQ(cross.out.find("-D_GNU_SOURCE"), std::string::npos) << cross.out;

	if (host::Run({ "clang++", "--version" }).exit_code == 0) {
		const RunResult llvm = Make({ "-n", "LLVM=1" });

		ASSERT_EQ(llvm.exit_code, 0) << Describe(llvm);
		EXPECT_TRUE(std::regex_search(llvm.out,
					      std::regex("clang\\+\\+ --target=[^ ]+ -std=gnu\\+\\+17")))
			<< llvm.out;
	}
}

} /* namespace */
