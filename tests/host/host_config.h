// SPDX-License-Identifier: GPL-2.0
/*
 * host_config.h - where the host tests find what they test
 *
 * tests/host/Makefile passes the paths as macros; MMAPDEMO_KERNEL_SRC in
 * the environment overrides the kernel tree used by the optional checks.
 */

#ifndef MMAPDEMO_HOST_CONFIG_H
#define MMAPDEMO_HOST_CONFIG_H

#include <cstdlib>
#include <string>

#include <sys/stat.h>

#if !defined(HOST_BUILD_DIR) || !defined(HOST_SOURCE_DIR) || \
	!defined(HOST_SELFTEST_DIR) || !defined(HOST_UAPI_DIR) || \
	!defined(HOST_KUNIT_DIR) || \
	!defined(HOST_KERNEL_SRC) || !defined(HOST_CXX)
#error "build the host tests with tests/host/Makefile"
#endif

namespace host {

struct Config {
	/* Programs built by tests/host/Makefile. */
	static std::string KtapFixture() { return std::string(HOST_BUILD_DIR) + "/ktap_fixture"; }
	static std::string MmapdemoTest() { return std::string(HOST_BUILD_DIR) + "/mmapdemo_test"; }
	static std::string MmapdemoSemanticsTest()
	{
		return std::string(HOST_BUILD_DIR) + "/mmapdemo_semantics_test";
	}
	static std::string MmapdemoStress() { return std::string(HOST_BUILD_DIR) + "/mmapdemo_stress"; }
	static std::string MmapdemoLifetimeTest()
	{
		return std::string(HOST_BUILD_DIR) + "/mmapdemo_lifetime_test";
	}
	static std::string MmapdemoDemo() { return std::string(HOST_BUILD_DIR) + "/mmapdemo_demo"; }
	/* Built only where Google Benchmark is installed. */
	static std::string MmapdemoBench() { return std::string(HOST_BUILD_DIR) + "/mmapdemo_bench"; }

	/*
	 * Sources: the selftest directory, the UAPI header's include dir, and
	 * kunit/, which lands as drivers/misc/mmapdemo/tests/ and holds the
	 * semantics table the test programs include.
	 */
	static std::string SelftestDir() { return HOST_SELFTEST_DIR; }
	static std::string UapiDir() { return HOST_UAPI_DIR; }
	static std::string KunitDir() { return HOST_KUNIT_DIR; }
	static std::string KtapParseScript() { return std::string(HOST_SOURCE_DIR) + "/ktap_parse.py"; }
	/* scripts/bench-report.py and its test input. */
	static std::string BenchReportScript()
	{
		return std::string(HOST_SOURCE_DIR) + "/../../scripts/bench-report.py";
	}
	static std::string BenchReportFixtures() { return std::string(HOST_SOURCE_DIR) + "/bench-report"; }
	/* The repository, and scripts/dev-sync.py and scripts/result-key.py in it. */
	static std::string RepoDir() { return std::string(HOST_SOURCE_DIR) + "/../.."; }
	static std::string DevSyncScript() { return RepoDir() + "/scripts/dev-sync.py"; }
	static std::string ResultKeyScript() { return RepoDir() + "/scripts/result-key.py"; }

	/* The C++ compiler the host tests were built with. */
	static std::string Cxx() { return HOST_CXX; }

	/* A kernel tree for the optional checks; it may be absent. */
	static std::string KernelSource()
	{
		const char *env = std::getenv("MMAPDEMO_KERNEL_SRC");

		return env && *env ? env : HOST_KERNEL_SRC;
	}

	/* Room for temporary files, inside the build directory. */
	static std::string ScratchDir()
	{
		const std::string dir = std::string(HOST_BUILD_DIR) + "/scratch";

		mkdir(dir.c_str(), 0755);
		return dir;
	}

	/*
	 * A new empty folder under ScratchDir() whose name starts with
	 * @prefix; empty (errno set) if it could not be made.
	 */
	static std::string MakeScratchFolder(const std::string &prefix)
	{
		std::string path = ScratchDir() + "/" + prefix + ".XXXXXX";

		return mkdtemp(path.data()) ? path : std::string();
	}
};

} /* namespace host */

#endif /* MMAPDEMO_HOST_CONFIG_H */
