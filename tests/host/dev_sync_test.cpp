// SPDX-License-Identifier: GPL-2.0
/*
 * dev_sync_test - scripts/dev-sync.py, the copy of the sources into a
 * build tree that scripts/dev.sh makes before each build
 *
 * On a scratch git tree laid out like a kernel tree with the series
 * applied: a file whose bytes differ from the source is copied, one that
 * is the same is left alone (its mtime too: make must not rebuild it), a
 * tracked file the sources no longer have is removed, and the result is
 * committed, so the tree stays clean for scripts/apply.sh. A second run
 * changes nothing.
 */

#include "host_config.h"
#include "run_program.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;

using host::Describe;
using host::RunResult;

std::string ReadFile(const fs::path &path)
{
	std::ifstream file(path);

	return std::string(std::istreambuf_iterator<char>(file), {});
}

void WriteFile(const fs::path &path, const std::string &text)
{
	fs::create_directories(path.parent_path());
	std::ofstream(path) << text;
}

class DevSync : public testing::Test {
protected:
	void SetUp() override
	{
		const std::string scratch = host::Config::MakeScratchFolder("devsync");

		ASSERT_FALSE(scratch.empty()) << strerror(errno);
		tree_ = scratch;
		state_ = scratch + ".state";
		repo_ = fs::canonical(host::Config::RepoDir());
	}

	void TearDown() override
	{
		std::error_code ignored;

		fs::remove_all(tree_, ignored);
		fs::remove(state_, ignored);
	}

	RunResult Git(const std::vector<std::string> &args) const
	{
		std::vector<std::string> argv = { "git", "-C", tree_.string(), "-c",
						  "user.name=host test", "-c",
						  "user.email=host-test@localhost" };

		argv.insert(argv.end(), args.begin(), args.end());
		return host::Run(argv, { "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1" });
	}

	RunResult Sync() const
	{
		return host::Run({ "python3", host::Config::DevSyncScript(), "--tree",
				   tree_.string(), "--state", state_.string() });
	}

	fs::path tree_;
	fs::path state_;	/* outside the tree, as scripts/dev.sh keeps it */
	fs::path repo_;
};

TEST_F(DevSync, CopiesWhatDiffersRemovesWhatWentAndCommits)
{
	const fs::path driver = tree_ / "drivers/misc/mmapdemo";
	const std::string core_source = ReadFile(repo_ / "drivers-misc-mmapdemo/core.c");
	const std::string insert_source = ReadFile(repo_ / "drivers-misc-mmapdemo/insert.c");

	ASSERT_FALSE(core_source.empty());
	ASSERT_EQ(Git({ "init", "-q" }).exit_code, 0);
	WriteFile(driver / "core.c", "/* an older core.c */\n");
	WriteFile(driver / "insert.c", insert_source);
	WriteFile(driver / "gone.c", "/* a file the sources no longer have */\n");
	WriteFile(tree_ / "Makefile", "# a kernel file the series does not own\n");
	ASSERT_EQ(Git({ "add", "-f", "-A" }).exit_code, 0);
	ASSERT_EQ(Git({ "commit", "-q", "-m", "base" }).exit_code, 0);

	/* An old mtime: a rewrite of the unchanged file would show. */
	const fs::file_time_type old_time = fs::file_time_type::clock::now() - std::chrono::hours(24);

	fs::last_write_time(driver / "insert.c", old_time);

	const RunResult run = Sync();

	ASSERT_EQ(run.exit_code, 0) << Describe(run);
	EXPECT_EQ(ReadFile(driver / "core.c"), core_source);
	EXPECT_FALSE(fs::exists(driver / "gone.c"));
	EXPECT_EQ(fs::last_write_time(driver / "insert.c"), old_time);
	EXPECT_TRUE(fs::exists(tree_ / "Makefile"));
	/* Where the series puts the UAPI header, the KUnit and the selftest files. */
	EXPECT_TRUE(fs::exists(tree_ / "include/uapi/linux/mmapdemo.h"));
	EXPECT_TRUE(fs::exists(driver / ".kunitconfig"));
	EXPECT_TRUE(fs::exists(driver / "tests/mmapdemo_kunit.c"));
	EXPECT_TRUE(fs::exists(tree_ / "tools/testing/selftests/mmapdemo/mmapdemo_test.cpp"));
	EXPECT_NE(run.out.find("synced drivers/misc/mmapdemo/core.c\n"), std::string::npos) << run.out;
	EXPECT_NE(run.out.find("synced drivers/misc/mmapdemo/gone.c\n"), std::string::npos) << run.out;
	EXPECT_EQ(run.out.find("synced drivers/misc/mmapdemo/insert.c"), std::string::npos) << run.out;

	/* Committed: a clean tree, and the state file names the commit. */
	const RunResult status = Git({ "status", "--porcelain", "--untracked-files=all" });

	EXPECT_EQ(status.out, "") << Describe(status);

	const std::string head = Git({ "rev-parse", "HEAD" }).out;

	EXPECT_EQ(Git({ "log", "-1", "--format=%s" }).out,
		  "dev-sync: the mmapdemo sources as they are\n");
	EXPECT_EQ(ReadFile(state_), "dev-sync " + head);

	/* Nothing differs any more: no copy, no commit. */
	const RunResult again = Sync();

	ASSERT_EQ(again.exit_code, 0) << Describe(again);
	EXPECT_NE(again.out.find("dev-sync: 0 file(s) changed"), std::string::npos) << again.out;
	EXPECT_EQ(Git({ "rev-parse", "HEAD" }).out, head);
}

TEST_F(DevSync, RefusesAFolderThatIsNotATreeTop)
{
	const RunResult run = Sync();

	EXPECT_EQ(run.exit_code, 1) << Describe(run);
	EXPECT_NE(run.err.find("is not the top of a git tree"), std::string::npos) << run.err;
	/* Nothing was copied into it. */
	EXPECT_TRUE(fs::is_empty(tree_));
}

} /* namespace */
