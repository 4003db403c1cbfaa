// SPDX-License-Identifier: GPL-2.0
/*
 * result_key_test - scripts/result-key.py, the key under which
 * scripts/test.sh caches the result of a test step that passed
 *
 * A step must run again when one of its inputs changed, and only then.
 * On a scratch clone of the repository (with the working tree's
 * result-key.py) and a small scratch kernel git tree, each test changes
 * one input and checks both directions: the keys of the steps that read
 * it change, those of named steps that do not read it stay the same.
 */

#include "host_config.h"
#include "run_program.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

using host::Describe;
using host::RunResult;

/* The step labels of scripts/test.sh that have a key. */
const std::vector<std::string> kKeyedSteps = {
	"host-tests", "kernel-log-check", "semantics-sync", "patches-sync", "git-am", "lint",
	"kunit-um", "kunit-x86_64", "kunit-x86_64-debug", "kunit-arm64", "kunit-riscv64",
	"kselftest", "kselftest-debug", "build-check-arm64", "build-check-riscv64",
	"build-check-6.12",
};

/* The steps that are never cached. */
const std::vector<std::string> kAlwaysRunSteps = { "arm64", "riscv64", "kernel-6.12" };

/* Inputs of every step, unset unless a test sets them. */
const std::vector<std::string> kUnset = { "KDIR", "MMAPDEMO_ARCH", "MMAPDEMO_KERNEL",
					  "MMAPDEMO_VARIANT", "MMAPDEMO_PATCHES",
					  "MMAPDEMO_EXTRA_CONFIG" };

/* Commits in scratch trees: a fixed identity, no user configuration. */
const std::vector<std::string> kGitEnv = { "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
					   "GIT_AUTHOR_NAME=host test",
					   "GIT_AUTHOR_EMAIL=host-test@localhost",
					   "GIT_COMMITTER_NAME=host test",
					   "GIT_COMMITTER_EMAIL=host-test@localhost" };

/* Step label -> key. */
using StepKeys = std::map<std::string, std::string>;

/*
 * The python3 on PATH, resolved once: a version manager's shim in its
 * place takes half a second to start, and the tests start it often.
 */
std::string Python()
{
	static const std::string python = [] {
		const RunResult run = host::Run({ "python3", "-c",
						  "import sys; print(sys.executable)" });
		const std::string path = run.out.substr(0, run.out.find('\n'));

		return run.exit_code == 0 && !path.empty() ? path : std::string("python3");
	}();

	return python;
}

void WriteFile(const fs::path &path, const std::string &text)
{
	fs::create_directories(path.parent_path());
	std::ofstream(path) << text;
}

void AppendToFile(const fs::path &path, const std::string &text)
{
	std::ofstream(path, std::ios::app) << text;
}

RunResult Git(const fs::path &dir, const std::vector<std::string> &args)
{
	std::vector<std::string> argv = { "git", "-C", dir.string() };

	argv.insert(argv.end(), args.begin(), args.end());
	return host::Run(argv, kGitEnv);
}

/* Commit everything in @tree; false (with a failure) if git did not. */
bool Commit(const fs::path &tree, const std::string &message)
{
	const RunResult add = Git(tree, { "add", "-A" });
	const RunResult commit = Git(tree, { "commit", "-q", "-m", message });

	EXPECT_EQ(add.exit_code, 0) << Describe(add);
	EXPECT_EQ(commit.exit_code, 0) << Describe(commit);
	return add.exit_code == 0 && commit.exit_code == 0;
}

/* A kernel git tree small enough to make in a test: one commit. */
bool MakeKernelTree(const fs::path &tree)
{
	WriteFile(tree / "Makefile", "VERSION = 7\nPATCHLEVEL = 3\n");
	WriteFile(tree / "drivers/x.c", "int x = 1;\n");
	WriteFile(tree / "Documentation/x.rst", "x\n=\n");
	WriteFile(tree / "MAINTAINERS", "X\nF:\tdrivers/x.c\n");

	const RunResult init = Git(tree, { "init", "-q" });

	EXPECT_EQ(init.exit_code, 0) << Describe(init);
	return init.exit_code == 0 && Commit(tree, "base");
}

/* An executable that prints @line as its version, in @bin. */
void FakeTool(const fs::path &bin, const std::string &name, const std::string &line)
{
	WriteFile(bin / name, "#!/bin/sh\necho '" + line + "'\n");
	fs::permissions(bin / name, fs::perms::owner_all | fs::perms::group_read |
			fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
}

/*
 * The tools result-key.py asks that take a while to answer (interpreters
 * starting): the tests that are not about tools put instant fakes of them
 * first on PATH.
 */
const std::vector<std::string> kSlowTools = { "python3", "vng", "sphinx-build", "spatch",
					      "qemu-system-x86_64", "qemu-system-aarch64",
					      "qemu-system-riscv64" };

/* PATH with @bin first. */
std::string PathWith(const fs::path &bin)
{
	const char *path = std::getenv("PATH");

	return "PATH=" + bin.string() + (path ? std::string(":") + path : std::string());
}

void ExpectChanged(const StepKeys &before, const StepKeys &after,
		   const std::vector<std::string> &steps, const std::string &input)
{
	for (const std::string &step : steps)
		EXPECT_NE(before.at(step), after.at(step))
			<< "the key of " << step << " stayed the same when " << input
			<< ": the step would not run again";
}

void ExpectSame(const StepKeys &before, const StepKeys &after,
		const std::vector<std::string> &steps, const std::string &input)
{
	for (const std::string &step : steps)
		EXPECT_EQ(before.at(step), after.at(step))
			<< "the key of " << step << " changed when " << input
			<< ", which is not one of its inputs";
}

class ResultKey : public testing::Test {
protected:
	void SetUp() override
	{
		const std::string source = host::Config::RepoDir();

		if (Git(source, { "rev-parse", "--git-dir" }).exit_code != 0)
			GTEST_SKIP() << source << " is not a git checkout: nothing to clone";
		scratch_ = host::Config::MakeScratchFolder("resultkey");
		ASSERT_FALSE(scratch_.empty()) << strerror(errno);
		repo_ = scratch_ / "repo";
		tree_ = scratch_ / "linux";

		const RunResult clone = host::Run({ "git", "clone", "--quiet", "--local", source,
						    repo_.string() }, kGitEnv);

		ASSERT_EQ(clone.exit_code, 0) << Describe(clone);
		/* The script under test is the working tree's, committed or not. */
		fs::copy_file(host::Config::ResultKeyScript(), repo_ / "scripts/result-key.py",
			      fs::copy_options::overwrite_existing);
		ASSERT_TRUE(MakeKernelTree(tree_));
		quick_tools_ = scratch_ / "quick-tools";
		for (const std::string &tool : kSlowTools)
			FakeTool(quick_tools_, tool, tool + " (host test)");
	}

	void TearDown() override
	{
		std::error_code ignored;

		if (!scratch_.empty())
			fs::remove_all(scratch_, ignored);
	}

	/*
	 * result-key.py STEP --repo <the clone> OPTIONS..., with @env set
	 * (and the quick tools first on PATH unless the test uses the real
	 * ones).
	 */
	RunResult RunKey(const std::string &step, const std::vector<std::string> &options,
			 const std::vector<std::string> &env = {}) const
	{
		std::vector<std::string> argv = { Python(), script(), step, "--repo",
						  repo_.string() };
		std::vector<std::string> changes = kUnset;

		argv.insert(argv.end(), options.begin(), options.end());
		if (!real_tools_)
			changes.push_back(PathWith(quick_tools_));
		changes.insert(changes.end(), env.begin(), env.end());
		return host::Run(argv, changes);
	}

	/*
	 * The key of @step, given --tree, --base and --series as test.sh
	 * gives them to every step, then @extra.
	 */
	std::string Key(const std::string &step, const std::vector<std::string> &env = {},
			const std::vector<std::string> &extra = {}) const
	{
		std::vector<std::string> options = { "--tree", tree_.string(), "--base", base_ };

		if (!series_.empty()) {
			options.push_back("--series");
			options.push_back(series_.string());
		}
		options.insert(options.end(), extra.begin(), extra.end());

		const RunResult run = RunKey(step, options, env);

		EXPECT_EQ(run.exit_code, 0) << step << ": " << Describe(run);
		EXPECT_TRUE(std::regex_match(run.out, std::regex("[0-9a-f]{64}\n")))
			<< step << ": not one key: " << Describe(run);
		return run.out;
	}

	/* The keys of @steps, computed side by side (each asks every tool). */
	StepKeys Keys(const std::vector<std::string> &steps,
		      const std::vector<std::string> &env = {}) const
	{
		std::vector<std::future<std::string>> futures;
		StepKeys keys;

		for (const std::string &step : steps)
			futures.push_back(std::async(std::launch::async,
						     [this, step, env] { return Key(step, env); }));
		for (size_t i = 0; i < steps.size(); i++)
			keys[steps[i]] = futures[i].get();
		return keys;
	}

	/* The clone's result-key.py. */
	std::string script() const { return (repo_ / "scripts/result-key.py").string(); }

	fs::path scratch_;
	fs::path repo_;		/* the clone of the repository */
	fs::path tree_;		/* the tested kernel tree (--tree) */
	std::string base_ = "1111111111111111111111111111111111111111";	/* --base */
	fs::path series_;	/* --series, when not empty */
	fs::path quick_tools_;	/* the fakes of kSlowTools */
	bool real_tools_ = false;	/* the tools on PATH, not the quick ones */
};

TEST_F(ResultKey, ReadmeIsNoStepsInput)
{
	const StepKeys before = Keys(kKeyedSteps);

	AppendToFile(repo_ / "README.md", "\nAn edit of the README.\n");
	ExpectSame(before, Keys(kKeyedSteps), kKeyedSteps, "README.md was edited");
}

TEST_F(ResultKey, DocumentationIsTheGeneratedFilesInput)
{
	const std::vector<std::string> readers = { "semantics-sync", "patches-sync" };
	const std::vector<std::string> others = { "kselftest", "kunit-x86_64", "lint" };
	const std::vector<std::string> steps = { "semantics-sync", "patches-sync", "kselftest",
						 "kunit-x86_64", "lint" };
	const StepKeys before = Keys(steps);

	AppendToFile(repo_ / "Documentation/misc-devices/mmapdemo.rst", "\nAn edit.\n");

	const StepKeys after = Keys(steps);
	const std::string input = "Documentation/misc-devices/mmapdemo.rst was edited";

	ExpectChanged(before, after, readers, input);
	ExpectSame(before, after, others, input);
}

TEST_F(ResultKey, BenchReportIsTheHostTestsInput)
{
	const std::vector<std::string> steps = { "host-tests", "kselftest", "lint", "kunit-um" };
	const StepKeys before = Keys(steps);

	AppendToFile(repo_ / "scripts/bench-report.py", "\n# An edit.\n");

	const StepKeys after = Keys(steps);
	const std::string input = "scripts/bench-report.py was edited";

	ExpectChanged(before, after, { "host-tests" }, input);
	ExpectSame(before, after, { "kselftest", "lint", "kunit-um" }, input);
}

/* A guest step tests the applied tree, not the sources it was made from. */
TEST_F(ResultKey, DriverSourceIsThePatchesInput)
{
	const std::vector<std::string> steps = { "patches-sync", "kselftest" };
	const StepKeys before = Keys(steps);

	AppendToFile(repo_ / "drivers-misc-mmapdemo/core.c", "/* An edit. */\n");

	const StepKeys after = Keys(steps);
	const std::string input = "drivers-misc-mmapdemo/core.c was edited";

	ExpectChanged(before, after, { "patches-sync" }, input);
	ExpectSame(before, after, { "kselftest" }, input + " (the same --tree)");
}

/* A guest or a build reads the tested tree but its Documentation/ and MAINTAINERS. */
TEST_F(ResultKey, TestedTreeButItsDocumentation)
{
	const std::vector<std::string> steps = { "kselftest", "kunit-x86_64-debug", "kunit-um" };
	const StepKeys before = Keys(steps);

	WriteFile(tree_ / "drivers/x.c", "int x = 2;\n");
	ASSERT_TRUE(Commit(tree_, "change drivers/x.c"));

	const StepKeys code = Keys(steps);

	ExpectChanged(before, code, steps, "a commit of the --tree changed drivers/x.c");

	WriteFile(tree_ / "Documentation/x.rst", "x\n=\n\nMore.\n");
	ASSERT_TRUE(Commit(tree_, "change Documentation/x.rst"));
	ExpectSame(code, Keys(steps), steps,
		   "a commit of the --tree changed only Documentation/x.rst");

	AppendToFile(tree_ / "MAINTAINERS", "M:\tsomeone@localhost\n");
	ASSERT_TRUE(Commit(tree_, "change MAINTAINERS"));

	const StepKeys committed = Keys(steps);

	ExpectSame(code, committed, steps, "a commit of the --tree changed only MAINTAINERS");

	/* Uncommitted: the same rules. */
	AppendToFile(tree_ / "Documentation/x.rst", "Uncommitted.\n");
	ExpectSame(committed, Keys({ "kselftest" }), { "kselftest" },
		   "Documentation/x.rst of the --tree was edited, uncommitted");
	WriteFile(tree_ / "drivers/x.c", "int x = 3;\n");

	const StepKeys edited = Keys({ "kselftest" });

	ExpectChanged(committed, edited, { "kselftest" },
		      "drivers/x.c of the --tree was edited, uncommitted");
	WriteFile(tree_ / "drivers/y.c", "int y;\n");
	ExpectChanged(edited, Keys({ "kselftest" }), { "kselftest" },
		      "an untracked drivers/y.c was added to the --tree");
}

TEST_F(ResultKey, KdirByItsContentNotItsPath)
{
	const std::vector<std::string> steps = { "lint", "kselftest" };
	const fs::path kdir = scratch_ / "kdir";
	const fs::path kdir_copy = scratch_ / "kdir-copy";

	ASSERT_TRUE(MakeKernelTree(kdir));

	const StepKeys before = Keys(steps, { "KDIR=" + kdir.string() });
	const RunResult clone = host::Run({ "git", "clone", "--quiet", "--local", kdir.string(),
					    kdir_copy.string() }, kGitEnv);

	ASSERT_EQ(clone.exit_code, 0) << Describe(clone);
	ExpectSame(before, Keys(steps, { "KDIR=" + kdir_copy.string() }), steps,
		   "KDIR named another clone of the same commit");

	WriteFile(kdir / "drivers/x.c", "int x = 2;\n");
	ASSERT_TRUE(Commit(kdir, "move HEAD"));

	const StepKeys moved = Keys(steps, { "KDIR=" + kdir.string() });

	ExpectChanged(before, moved, steps, "KDIR's HEAD moved");

	WriteFile(kdir / "drivers/x.c", "int x = 3;\n");
	ExpectChanged(moved, Keys(steps, { "KDIR=" + kdir.string() }), steps,
		      "a file of KDIR was edited, uncommitted");

	const RunResult restore = Git(kdir, { "checkout", "-q", "--", "." });

	ASSERT_EQ(restore.exit_code, 0) << Describe(restore);
	ExpectSame(moved, Keys(steps, { "KDIR=" + kdir.string() }), steps,
		   "KDIR was edited and restored");
	WriteFile(kdir / "drivers/new.c", "int n;\n");
	ExpectChanged(moved, Keys(steps, { "KDIR=" + kdir.string() }), steps,
		      "an untracked file was added to KDIR");
}

/* lint applies the series it names; for every step it is a setting. */
TEST_F(ResultKey, PatchesSettingByItsContent)
{
	const std::vector<std::string> steps = { "lint", "kselftest" };
	const fs::path patches = scratch_ / "patches";
	const fs::path patches_copy = scratch_ / "patches-copy";

	WriteFile(patches / "0001-a.patch", "Subject: [PATCH] a\n");
	fs::copy(patches, patches_copy);

	const StepKeys before = Keys(steps, { "MMAPDEMO_PATCHES=" + patches.string() });

	ExpectSame(before, Keys(steps, { "MMAPDEMO_PATCHES=" + patches_copy.string() }), steps,
		   "MMAPDEMO_PATCHES named a copy of the same folder");
	WriteFile(patches / "0001-a.patch", "Subject: [PATCH] b\n");
	ExpectChanged(before, Keys(steps, { "MMAPDEMO_PATCHES=" + patches.string() }), steps,
		      "the patch in MMAPDEMO_PATCHES was edited");
}

TEST_F(ResultKey, ExtraConfigByItsContent)
{
	const std::vector<std::string> steps = { "kselftest" };
	const fs::path fragment = scratch_ / "extra.config";
	const fs::path fragment_copy = scratch_ / "copy/extra.config";

	WriteFile(fragment, "CONFIG_PRINTK=y\n");
	WriteFile(fragment_copy, "CONFIG_PRINTK=y\n");

	const StepKeys before = Keys(steps, { "MMAPDEMO_EXTRA_CONFIG=" + fragment.string() });

	ExpectSame(before, Keys(steps, { "MMAPDEMO_EXTRA_CONFIG=" + fragment_copy.string() }),
		   steps, "MMAPDEMO_EXTRA_CONFIG named a copy of the same fragment");
	WriteFile(fragment, "CONFIG_PRINTK=n\n");
	ExpectChanged(before, Keys(steps, { "MMAPDEMO_EXTRA_CONFIG=" + fragment.string() }), steps,
		      "the fragment in MMAPDEMO_EXTRA_CONFIG was edited");
}

TEST_F(ResultKey, SettingsThatChangeNoResult)
{
	const std::vector<std::string> steps = { "kselftest", "host-tests" };
	const StepKeys before = Keys(steps);

	ExpectSame(before, Keys(steps, { "MMAPDEMO_LOCK_HELD=/somewhere/lock",
					 "MMAPDEMO_CACHE=" + (scratch_ / "cache").string(),
					 "MMAPDEMO_PROGRESS_INTERVAL=5" }),
		   steps, "MMAPDEMO_LOCK_HELD, MMAPDEMO_CACHE and MMAPDEMO_PROGRESS_INTERVAL "
			  "were set");
	ExpectChanged(before, Keys(steps, { "MMAPDEMO_VARIANT=debug" }), steps,
		      "MMAPDEMO_VARIANT was set");
}

TEST_F(ResultKey, ToolVersions)
{
	const std::vector<std::string> steps = { "kselftest", "lint" };
	const fs::path gcc_bin = scratch_ / "bin-gcc";
	const fs::path sphinx_bin = scratch_ / "bin-sphinx";
	const fs::path qemu_bin = scratch_ / "bin-qemu";

	FakeTool(gcc_bin, "gcc", "gcc (host test) 0.1");
	FakeTool(sphinx_bin, "sphinx-build", "sphinx-build 0.1");
	FakeTool(qemu_bin, "qemu-system-aarch64", "QEMU emulator version 0.1");
	real_tools_ = true;

	const StepKeys before = Keys(steps);

	ExpectChanged(before, Keys(steps, { PathWith(gcc_bin) }), steps,
		      "another gcc came first on PATH");

	const StepKeys sphinx = Keys(steps, { PathWith(sphinx_bin) });

	ExpectChanged(before, sphinx, { "lint" }, "another sphinx-build came first on PATH");
	ExpectSame(before, sphinx, { "kselftest" }, "another sphinx-build came first on PATH");

	/* Each guest by the QEMU of its own architecture. */
	const std::string arm64 = Key("kselftest", { "MMAPDEMO_ARCH=arm64" });
	const std::string x86_64 = Key("kselftest", { "MMAPDEMO_ARCH=x86_64" });

	EXPECT_NE(arm64, Key("kselftest", { "MMAPDEMO_ARCH=arm64", PathWith(qemu_bin) }))
		<< "the key of kselftest (MMAPDEMO_ARCH=arm64) stayed the same when another "
		   "qemu-system-aarch64 came first on PATH";
	EXPECT_EQ(x86_64, Key("kselftest", { "MMAPDEMO_ARCH=x86_64", PathWith(qemu_bin) }))
		<< "the key of kselftest (MMAPDEMO_ARCH=x86_64) changed when another "
		   "qemu-system-aarch64 came first on PATH, which its guest does not run";
}

TEST_F(ResultKey, BaseAndSeries)
{
	const std::vector<std::string> steps = { "lint", "patches-sync", "git-am", "kselftest",
						 "kunit-um" };
	const StepKeys before = Keys(steps);

	base_ = "2222222222222222222222222222222222222222";

	const StepKeys rebased = Keys(steps);

	ExpectChanged(before, rebased, { "lint", "patches-sync", "git-am" }, "--base changed");
	ExpectSame(before, rebased, { "kselftest", "kunit-um" }, "--base changed");

	const std::vector<std::string> series_steps = { "lint", "build-check-arm64", "git-am",
							"kselftest" };

	series_ = scratch_ / "series";
	WriteFile(series_ / "0001-a.patch", "Subject: [PATCH] a\n");

	const StepKeys series = Keys(series_steps);

	WriteFile(series_ / "0001-a.patch", "Subject: [PATCH] b\n");

	const StepKeys edited = Keys(series_steps);

	ExpectChanged(series, edited, { "lint", "build-check-arm64", "git-am" },
		      "a patch of the --series folder was edited");
	ExpectSame(series, edited, { "kselftest" }, "a patch of the --series folder was edited");

	/* What is not a patch is not applied: a README beside the patches. */
	WriteFile(series_ / "README.md", "Generated: do not edit\n");

	const StepKeys readme = Keys(series_steps);

	ExpectSame(edited, readme, series_steps, "a README.md was added to the --series folder");
}

TEST_F(ResultKey, StepsOwnArguments)
{
	EXPECT_NE(Key("kselftest"), Key("kselftest", {}, { "--", "--fast" }))
		<< "the key of kselftest stayed the same when its command line gained --fast";
}

TEST_F(ResultKey, AlwaysRunStepsHaveAnEmptyKey)
{
	for (const std::string &step : kAlwaysRunSteps) {
		const RunResult run = RunKey(step, { "--tree", tree_.string(), "--", "--rerun" });

		EXPECT_EQ(run.exit_code, 0) << step << ": " << Describe(run);
		EXPECT_EQ(run.out, "\n") << step << ": " << Describe(run);
		EXPECT_EQ(run.err, "") << step;
	}
}

TEST_F(ResultKey, UnknownStepIsAnError)
{
	const RunResult run = RunKey("no-such-step", { "--tree", tree_.string() });

	EXPECT_EQ(run.exit_code, 2) << Describe(run);
	EXPECT_EQ(run.out, "");
	EXPECT_NE(run.err.find("unknown step: no-such-step"), std::string::npos) << run.err;
}

TEST_F(ResultKey, TreeMissingOrNotGitIsAnError)
{
	const fs::path plain = scratch_ / "plain";

	fs::create_directories(plain);

	const struct {
		std::vector<std::string> options;
		const char *message;
	} cases[] = {
		{ {}, "give it with --tree DIR" },
		{ { "--tree", (scratch_ / "missing").string() }, "no such folder" },
		{ { "--tree", plain.string() }, "is not the top of a git tree" },
	};

	for (const auto &c : cases) {
		const RunResult run = RunKey("kselftest", c.options);

		EXPECT_EQ(run.exit_code, 2) << c.message << ": " << Describe(run);
		EXPECT_EQ(run.out, "") << c.message;
		EXPECT_NE(run.err.find(c.message), std::string::npos) << run.err;
	}
	/* A step that does not test a tree ignores --tree. */
	EXPECT_EQ(RunKey("lint", { "--tree", plain.string() }).exit_code, 0);
}

TEST_F(ResultKey, NoKeyOutsideAGitCheckout)
{
	const fs::path plain = scratch_ / "plain";

	fs::create_directories(plain / "scripts");

	const RunResult run = host::Run({ Python(), script(), "host-tests", "--repo",
					  plain.string() });

	EXPECT_EQ(run.exit_code, 0) << Describe(run);
	EXPECT_EQ(run.out, "") << Describe(run);
}

TEST_F(ResultKey, ExplainListsTheInputsThenTheKey)
{
	real_tools_ = true;

	const RunResult run = RunKey("kselftest", { "--tree", tree_.string(), "--explain" },
				     { "MMAPDEMO_ARCH=arm64" });
	const std::vector<std::string> lines = host::Lines(run.out);

	ASSERT_EQ(run.exit_code, 0) << Describe(run);
	ASSERT_FALSE(lines.empty());
	EXPECT_EQ(lines.back() + "\n", Key("kselftest", { "MMAPDEMO_ARCH=arm64" }))
		<< "the last line of --explain is not the key";
	for (const char *expected : { "step kselftest", "env MMAPDEMO_ARCH=arm64",
				      "tool qemu-system-aarch64: ", "tool aarch64-linux-gnu-gcc: ",
				      "tree 100644 blob ", "file scripts/lib.sh " }) {
		bool found = false;

		for (const std::string &line : lines)
			found = found || line.rfind(expected, 0) == 0;
		EXPECT_TRUE(found) << "no line starting \"" << expected << "\"\n" << run.out;
	}
	for (const std::string &line : lines) {
		EXPECT_EQ(line.find("Documentation"), std::string::npos) << line;
		EXPECT_EQ(line.find("MAINTAINERS"), std::string::npos) << line;
		EXPECT_EQ(line.find("README.md"), std::string::npos) << line;
	}
}

} /* namespace */
