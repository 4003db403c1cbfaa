// SPDX-License-Identifier: GPL-2.0
/*
 * bench_report_test - scripts/bench-report.py and mmapdemo_bench on the host
 *
 * - bench-report.py on the fixtures of bench-report/: the ratios to
 *   anonymous first touch, for mmap + first touch and for the whole
 *   cycle, the medians it computes itself when the JSON has repetitions
 *   but no aggregates, failed benchmarks, input that is not
 *   mmapdemo_bench's JSON, and the plot (one line per strategy, log axes,
 *   a legend, well-formed SVG).
 * - mmapdemo_bench, built on the host when Google Benchmark is installed:
 *   its options, its skip where there is no driver, and a short run of the
 *   anchors whose JSON bench-report.py turns into a table and a plot.
 */

#include "host_config.h"
#include "run_program.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;

using host::Describe;
using host::RunResult;

std::string Fixture(const char *name)
{
	return host::Config::BenchReportFixtures() + "/" + name;
}

std::string ReadFile(const fs::path &path)
{
	std::ifstream file(path);

	return std::string(std::istreambuf_iterator<char>(file), {});
}

size_t Count(const std::string &text, const std::string &what)
{
	size_t count = 0;

	for (size_t at = text.find(what); at != std::string::npos;
	     at = text.find(what, at + what.size()))
		count++;
	return count;
}

RunResult Report(const std::vector<std::string> &args)
{
	std::vector<std::string> argv = { "python3", host::Config::BenchReportScript() };

	argv.insert(argv.end(), args.begin(), args.end());
	return host::Run(argv);
}

/* A fresh scratch folder, removed with the fixture. */
class BenchReport : public testing::Test {
protected:
	void SetUp() override
	{
		dir_ = host::Config::MakeScratchFolder("bench");
		ASSERT_FALSE(dir_.empty()) << strerror(errno);
	}

	void TearDown() override
	{
		if (!dir_.empty())
			fs::remove_all(dir_);
	}

	fs::path dir_;
};

TEST_F(BenchReport, RatiosToAnonymousFirstTouch)
{
	const RunResult run = Report({ Fixture("aggregates.json") });

	ASSERT_EQ(run.exit_code, 0) << Describe(run);
	/* The fixture's medians: remap 1/4, insert 1.2, memfd 1.5 times anon. */
	EXPECT_TRUE(std::regex_search(run.out, std::regex("\nremap +0\\.25 +0\\.25\n")))
		<< run.out;
	EXPECT_TRUE(std::regex_search(run.out, std::regex("\ninsert +1\\.20 +1\\.20\n")))
		<< run.out;
	EXPECT_TRUE(std::regex_search(run.out, std::regex("\nanon +1\\.00 +1\\.00\n")))
		<< run.out;
	EXPECT_TRUE(std::regex_search(run.out, std::regex("\nmemfd +1\\.50 +1\\.50\n")))
		<< run.out;
	/* The strategies in kStrategies' order, the anchors last. */
	EXPECT_LT(run.out.find("\nremap "), run.out.find("\ninsert ")) << run.out;
	EXPECT_LT(run.out.find("\ninsert "), run.out.find("\nanon ")) << run.out;
	/* The context: accelerator, kernel, and what the bench left out. */
	EXPECT_NE(run.out.find("accelerator: tcg"), std::string::npos) << run.out;
	EXPECT_NE(run.out.find("kernel:      7.3.4-fixture"), std::string::npos) << run.out;
	EXPECT_NE(run.out.find("remap/64: over the driver's cap"), std::string::npos) << run.out;
	/* The whole cycle: open + mmap + first touch + munmap + close. */
	const size_t cycle = run.out.find("The same for the whole cycle");

	ASSERT_NE(cycle, std::string::npos) << run.out;

	const std::string cycle_table = run.out.substr(cycle);

	EXPECT_TRUE(std::regex_search(cycle_table, std::regex("\nremap +1\\.00 +1\\.00\n")))
		<< run.out;
	EXPECT_TRUE(std::regex_search(cycle_table, std::regex("\ninsert +2\\.00 +2\\.00\n")))
		<< run.out;
	EXPECT_TRUE(std::regex_search(cycle_table, std::regex("\nmemfd +2\\.00 +2\\.00\n")))
		<< run.out;
	/* The details: median per page, cv, the driver's faults per page. */
	EXPECT_TRUE(std::regex_search(run.out,
				      std::regex("\ninsert +16 +960ns +10% +96\\.0ns +864ns "
						 "+10\\.0ns +50\\.0ns +540ns +150ns +1 +1\n")))
		<< run.out;
	EXPECT_TRUE(std::regex_search(run.out, std::regex("\nanon +16 +800ns .* - +1\n")))
		<< run.out;
}

TEST_F(BenchReport, WritesTheTableToAFile)
{
	const fs::path text = dir_ / "bench.txt";
	const RunResult run = Report({ "--text", text.string(), Fixture("aggregates.json") });

	ASSERT_EQ(run.exit_code, 0) << Describe(run);
	EXPECT_EQ(run.out, "");
	EXPECT_EQ(ReadFile(text), Report({ Fixture("aggregates.json") }).out);
}

TEST_F(BenchReport, PlotsOneLinePerStrategyOnLogAxes)
{
	const fs::path svg = dir_ / "bench.svg";
	const RunResult run = Report({ "--svg", svg.string(), Fixture("aggregates.json") });

	ASSERT_EQ(run.exit_code, 0) << Describe(run);

	const std::string plot = ReadFile(svg);

	EXPECT_EQ(plot.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u) << plot;
	EXPECT_NE(plot.find("</svg>"), std::string::npos);
	/* Four strategies, two sizes each: four lines, eight points. */
	EXPECT_EQ(Count(plot, "<polyline"), 4u) << plot;
	EXPECT_EQ(Count(plot, "<circle"), 8u) << plot;
	for (const char *name : { "remap", "insert", "anon", "memfd" })
		EXPECT_NE(plot.find("<title>" + std::string(name) + "</title>"),
			  std::string::npos) << name;
	/* The anchors dashed, the driver's strategies solid. */
	EXPECT_EQ(Count(plot, "<polyline fill=\"none\" stroke=\"#E69F00\" stroke-width=\"2\" points"),
		  1u) << plot;
	EXPECT_EQ(Count(plot, "stroke-dasharray"), 4u) << plot;
	EXPECT_NE(plot.find("size in pages (log scale)"), std::string::npos);
	EXPECT_NE(plot.find("time per page (log scale)"), std::string::npos);
	/* Decades on the time axis: 100ns and 10us frame 200ns .. 1500ns. */
	EXPECT_NE(plot.find(">100ns</text>"), std::string::npos) << plot;
	EXPECT_NE(plot.find(">1us</text>"), std::string::npos) << plot;
	EXPECT_NE(plot.find(">10us</text>"), std::string::npos) << plot;

	/* Well-formed XML, as far as the standard library can tell. */
	const RunResult parsed = host::Run({ "python3", "-c",
		"import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])",
		svg.string() });

	EXPECT_EQ(parsed.exit_code, 0) << Describe(parsed);
}

TEST_F(BenchReport, MediansOfRepetitionsWithoutAggregatesAndFailures)
{
	const RunResult run = Report({ Fixture("iterations.json") });

	/* One benchmark failed: the table says so, and so does the status. */
	EXPECT_EQ(run.exit_code, 1) << Describe(run);
	/* Medians of 500, 450, 700 and of 1000, 900, 1300. */
	EXPECT_TRUE(std::regex_search(run.out, std::regex("\nlazy +0\\.50\n"))) << run.out;
	EXPECT_TRUE(std::regex_search(run.out, std::regex("\nowned +error\n"))) << run.out;
	EXPECT_TRUE(std::regex_search(run.out,
				      std::regex("\nowned +16 +error: mmap: Cannot allocate memory\n")))
		<< run.out;
	EXPECT_NE(run.out.find("1 benchmark(s) failed"), std::string::npos) << run.out;
	/* An older run without open_ns and close_ns: no cycle table. */
	EXPECT_EQ(run.out.find("whole cycle"), std::string::npos) << run.out;
}

TEST_F(BenchReport, JudgesTheGoalsOfTheRun)
{
	const RunResult run = Report({ Fixture("goals.json") });

	ASSERT_EQ(run.exit_code, 0) << Describe(run);

	const size_t goals = run.out.find("Goals (");

	ASSERT_NE(goals, std::string::npos) << run.out;

	const std::string section = run.out.substr(goals, run.out.find("\nPer page", goals) - goals);

	/* At most 0.5 times anon for the strategies that map at mmap(). */
	EXPECT_TRUE(std::regex_search(section, std::regex("\n +batch +0\\.40 at 1Ki +met\n")))
		<< section;
	EXPECT_TRUE(std::regex_search(section,
				      std::regex("\n +prefault +0\\.60 at 1Ki +NOT MET\n")))
		<< section;
	/* At most 1.2 times anon for the insert-on-fault ones. */
	EXPECT_TRUE(std::regex_search(section, std::regex("\n +insert +1\\.10 at 1Ki +met\n")))
		<< section;
	EXPECT_TRUE(std::regex_search(section, std::regex("\n +lazy +1\\.30 at 1Ki +NOT MET\n")))
		<< section;
	/* Not measured: said, not judged. */
	EXPECT_TRUE(std::regex_search(section, std::regex("\n +owned +-\n"))) << section;
	/* A cost per page that doubles with each size is not flat. */
	EXPECT_TRUE(std::regex_search(section,
				      std::regex("\n +vmalloc +median +200ns over 3 sizes; "
						 "min 0\\.50 \\(64\\), max 2\\.00 \\(1Ki\\): NOT MET\n")))
		<< section;
	EXPECT_TRUE(std::regex_search(section,
				      std::regex("\n +batch +median +400ns over 3 sizes; "
						 "min 1\\.00 \\(64\\), max 1\\.00 \\(1Ki\\): met\n")))
		<< section;
}

/*
 * The per-VMA lock experiment the README and the documentation quote is
 * kept as a diff of the sources: it must still apply to them.
 */
TEST(BenchExperiment, VmaLockOptInAppliesToTheSources)
{
	const std::string repo = host::Config::RepoDir();
	const RunResult run = host::Run({ "git", "-C", repo, "apply", "--check",
					  repo + "/scripts/experiments/vma-lock-opt-in.diff" });

	EXPECT_EQ(run.exit_code, 0) << Describe(run);
}

TEST_F(BenchReport, RefusesWhatIsNotItsInput)
{
	const fs::path empty = dir_ / "empty.json";
	const fs::path other = dir_ / "other.json";
	const fs::path broken = dir_ / "broken.json";

	std::ofstream(empty) << "{}";
	std::ofstream(other) << "{\"benchmarks\": [{\"name\": \"BM_Other\", \"real_time\": 1}]}";
	std::ofstream(broken) << "{\"benchmarks\": [";

	const struct {
		fs::path path;
		const char *message;
	} cases[] = {
		{ empty, "no \"benchmarks\" list" },
		{ other, "holds no mmapdemo_bench result" },
		{ broken, "is not JSON" },
		{ dir_ / "missing.json", "cannot read" },
	};

	for (const auto &c : cases) {
		const RunResult run = Report({ c.path.string() });

		EXPECT_EQ(run.exit_code, 1) << c.path << ": " << Describe(run);
		EXPECT_NE(run.err.find(c.message), std::string::npos) << c.path << ": " << run.err;
		EXPECT_EQ(run.out, "") << c.path;
	}
}

/* mmapdemo_bench itself, where the host could build it. */
class BenchProgram : public BenchReport {
protected:
	void SetUp() override
	{
		if (access(host::Config::MmapdemoBench().c_str(), X_OK) != 0)
			GTEST_SKIP() << "mmapdemo_bench not built: Google Benchmark not installed";
		BenchReport::SetUp();
	}
};

TEST_F(BenchProgram, ListsStrategiesAndAnchors)
{
	const RunResult run = host::Run({ host::Config::MmapdemoBench(), "--list" });

	ASSERT_EQ(run.exit_code, 0) << Describe(run);
	EXPECT_EQ(run.out, "remap\ninsert\nlazy\nvmfpage\nowned\nprefault\nbatch\npfn\n"
			   "vmalloc\nanon\nanon-populate\nmemfd\n");
}

TEST_F(BenchProgram, RejectsBadOptions)
{
	for (const char *arg : { "--bogus", "--max-pages=2", "--max-pages=x", "--only=nosuch" }) {
		const RunResult run = host::Run({ host::Config::MmapdemoBench(), arg });

		EXPECT_EQ(run.exit_code, 2) << arg << ": " << Describe(run);
	}
}

TEST_F(BenchProgram, SkipsWithoutDriver)
{
	if (access("/dev/mmapdemo-remap", F_OK) == 0)
		GTEST_SKIP() << "this host has mmapdemo nodes";

	const RunResult run = host::Run({ host::Config::MmapdemoBench(), "--only=remap" });

	EXPECT_EQ(run.exit_code, 4) << Describe(run);
	EXPECT_NE(run.out.find("modprobe mmapdemo"), std::string::npos) << run.out;
}

/* The anchors need no driver: a short run end to end. */
TEST_F(BenchProgram, AnchorsRunAndReport)
{
	const fs::path json = dir_ / "bench.json";
	const fs::path svg = dir_ / "bench.svg";
	const RunResult run = host::Run({ host::Config::MmapdemoBench(), "--quick",
					  "--max-pages=16", "--only=anon,memfd",
					  "--benchmark_out=" + json.string(),
					  "--benchmark_out_format=json",
					  "--benchmark_context=accelerator=host,host_load=0.5" });

	ASSERT_EQ(run.exit_code, 0) << Describe(run);

	const RunResult report = Report({ "--svg", svg.string(), json.string() });

	ASSERT_EQ(report.exit_code, 0) << Describe(report);
	EXPECT_NE(report.out.find("accelerator: host"), std::string::npos) << report.out;
	EXPECT_NE(report.out.find("host load:   0.5"), std::string::npos) << report.out;
	EXPECT_NE(report.out.find("mode:        quick"), std::string::npos) << report.out;
	EXPECT_TRUE(std::regex_search(report.out, std::regex("\nanon +1\\.00 +1\\.00\n")))
		<< report.out;
	EXPECT_TRUE(std::regex_search(report.out, std::regex("\nmemfd +[0-9.]+ +[0-9.]+\n")))
		<< report.out;
	/* A first touch of anonymous memory is one minor fault per page. */
	EXPECT_TRUE(std::regex_search(report.out, std::regex("\nanon +16 .* - +1\n")))
		<< report.out;
	EXPECT_EQ(Count(ReadFile(svg), "<polyline"), 2u);
}

} /* namespace */
