// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo_gtest.hpp - what the two GoogleTest programs share
 *
 * mmapdemo_test checks the contract every node keeps; mmapdemo_semantics_test
 * checks, cell by cell, the semantics table of
 * Documentation/misc-devices/mmapdemo.rst. Both run every test on every
 * strategy of kStrategies (mmapdemo_common.hpp) through the StrategyTest
 * fixture below, report KTAP (ktap_listener.hpp), and start the same way
 * (RunTestProgram()): load the module if the nodes are missing, skip when
 * it is not found or the nodes need root, fail when it is found but does
 * not load.
 *
 * The table comes in as drivers/misc/mmapdemo/tests/mmapdemo_semantics.h,
 * generated from the documentation and shared with the KUnit tests; it is
 * included by its place in the kernel tree, relative to this directory
 * (tools/testing/selftests/mmapdemo). Outside a kernel tree, put a
 * directory on the include path whose ../../../../drivers/misc/mmapdemo/tests
 * holds the header (tests/host/Makefile does).
 */

#ifndef MMAPDEMO_GTEST_H
#define MMAPDEMO_GTEST_H

#include "ktap_runner.hpp"
#include "mmapdemo_common.hpp"
#include "../../../../drivers/misc/mmapdemo/tests/mmapdemo_semantics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Let EXPECT_EQ compare and print whole counter sets, so a mismatch shows
 * every counter at once.
 */
inline bool operator==(const mmapdemo_stats &a, const mmapdemo_stats &b)
{
	return a.mmaps == b.mmaps && a.faults == b.faults &&
	       a.pages_inserted == b.pages_inserted &&
	       a.pages_allocated == b.pages_allocated &&
	       a.pages_freed == b.pages_freed;
}

/* Counter changes between two snapshots (counters only grow). */
inline mmapdemo_stats operator-(const mmapdemo_stats &after,
				const mmapdemo_stats &before)
{
	mmapdemo_stats delta;

	delta.mmaps = after.mmaps - before.mmaps;
	delta.faults = after.faults - before.faults;
	delta.pages_inserted = after.pages_inserted - before.pages_inserted;
	delta.pages_allocated = after.pages_allocated - before.pages_allocated;
	delta.pages_freed = after.pages_freed - before.pages_freed;
	return delta;
}

/* The sum of two sets of counter changes. */
inline mmapdemo_stats operator+(const mmapdemo_stats &a, const mmapdemo_stats &b)
{
	mmapdemo_stats sum;

	sum.mmaps = a.mmaps + b.mmaps;
	sum.faults = a.faults + b.faults;
	sum.pages_inserted = a.pages_inserted + b.pages_inserted;
	sum.pages_allocated = a.pages_allocated + b.pages_allocated;
	sum.pages_freed = a.pages_freed + b.pages_freed;
	return sum;
}

inline void PrintTo(const mmapdemo_stats &stats, std::ostream *os)
{
	*os << "{mmaps=" << stats.mmaps << " faults=" << stats.faults
	    << " pages_inserted=" << stats.pages_inserted
	    << " pages_allocated=" << stats.pages_allocated
	    << " pages_freed=" << stats.pages_freed << "}";
}

namespace mmapdemo {

/* GoogleTest prints each test's parameter (e.g. in --gtest_output=xml). */
inline void PrintTo(const Strategy &strategy, std::ostream *os)
{
	*os << strategy.name;
}

/*
 * One row of the semantics table. The generated header names both the
 * struct and the array mmapdemo_semantics; in C++ the array hides the
 * struct's plain name.
 */
using SemanticsRow = struct ::mmapdemo_semantics;

/* The documentation's row for @strategy, or nullptr if it has none. */
inline const SemanticsRow *FindSemantics(const Strategy &strategy)
{
	for (const SemanticsRow &row : mmapdemo_semantics)
		if (std::string_view(row.name) == strategy.name)
			return &row;
	return nullptr;
}

/* The module parameter's documented default. */
inline constexpr uint64_t kDefaultPages = 3;

/*
 * Make the compiler forget what it knows about memory: a value written
 * through a mapping must really be loaded again when it is checked, not
 * forwarded from the store.
 */
inline void barrier()
{
	asm volatile("" ::: "memory");
}

/* A byte that depends on its offset and differs between pages. */
inline uint8_t PatternByte(uint64_t offset)
{
	return static_cast<uint8_t>((offset * 0x9e3779b97f4a7c15ULL) >> 56);
}

/* The offset of the first byte that is not zero, if any. */
inline std::optional<size_t> FirstNonZero(const uint8_t *data, size_t len)
{
	const uint8_t *found = std::find_if(data, data + len,
					    [](uint8_t byte) { return byte != 0; });

	if (found == data + len)
		return std::nullopt;
	return static_cast<size_t>(found - data);
}

/* The offset of the first byte that does not hold PatternByte(offset). */
inline std::optional<size_t> FirstPatternMismatch(const uint8_t *data, size_t len)
{
	for (size_t offset = 0; offset < len; offset++)
		if (data[offset] != PatternByte(offset))
			return offset;
	return std::nullopt;
}

/*
 * The errno value left by a system call that returned @ret, 0 if it did not
 * fail; taken before anything else can change errno.
 */
template <typename T>
int ErrnoOf(T ret)
{
	return ret == -1 ? errno : 0;
}

/* A per-page marker, so a page showing up in the wrong place is noticed. */
inline uint8_t PageMarker(uint64_t page, uint8_t salt)
{
	return static_cast<uint8_t>(0x40 + page * 7 + salt);
}

inline size_t PageSize()
{
	return static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

/*
 * The VmFlags line of the mapping that starts at @addr in
 * /proc/self/smaps, as a set of two-letter flags; empty if not found.
 */
inline std::set<std::string> VmFlagsOf(const void *addr)
{
	std::ifstream smaps("/proc/self/smaps");
	const uintptr_t start = reinterpret_cast<uintptr_t>(addr);
	std::string line;
	bool ours = false;

	while (std::getline(smaps, line)) {
		const size_t dash = line.find('-');
		const size_t space = line.find(' ');

		/* A mapping's header line: "start-end perms offset dev inode path". */
		if (dash != std::string::npos && space != std::string::npos &&
		    dash < space &&
		    line.find_first_not_of("0123456789abcdef") == dash) {
			ours = std::stoull(line.substr(0, dash), nullptr, 16) == start;
			continue;
		}
		if (ours && line.rfind("VmFlags:", 0) == 0) {
			std::istringstream words(line.substr(8));
			std::set<std::string> flags;
			std::string flag;

			while (words >> flag)
				flags.insert(flag);
			return flags;
		}
	}
	return {};
}

/* The size a freshly opened file has: the module parameter, if visible. */
inline uint64_t DefaultPages()
{
	std::ifstream param("/sys/module/mmapdemo/parameters/nr_pages");
	uint64_t pages;

	if (param >> pages)
		return pages;
	return kDefaultPages;
}

/* The strategy a test parameter is about: here, the parameter itself. */
inline const Strategy &StrategyOf(const Strategy &strategy)
{
	return strategy;
}

/* The documented default of the dev_mode module parameter: root only. */
inline constexpr unsigned int kDefaultDevMode = 0600;

/*
 * The mode the nodes were created with: the dev_mode module parameter
 * (sysfs prints it in decimal), or its default where it is not visible.
 */
inline unsigned int DevMode()
{
	std::ifstream param("/sys/module/mmapdemo/parameters/dev_mode");
	unsigned int mode;

	if (param >> mode)
		return mode;
	return kDefaultDevMode;
}

/*
 * The fixture of every test: a freshly opened file of the strategy under
 * test (fresh counters, a fresh buffer), its geometry, and the strategy's
 * row of the semantics table. @Param is a Strategy, or anything else
 * StrategyOf() finds a strategy in (e.g. a strategy and a row of another
 * table).
 */
template <typename Param>
class StrategyFixture : public testing::TestWithParam<Param> {
protected:
	void SetUp() override
	{
		page_size_ = PageSize();
		semantics_ = FindSemantics(strategy());
		ASSERT_NE(semantics_, nullptr)
			<< "the semantics table has no row for " << strategy().name;
		fd_ = OpenDevice(Path());

		const int open_errno = errno;

		ASSERT_TRUE(fd_) << "open " << Path() << ": " << strerror(open_errno);
		ASSERT_NO_FATAL_FAILURE(RefreshInfo());
	}

	const Strategy &strategy() const { return StrategyOf(this->GetParam()); }
	/* Valid once SetUp() succeeded. */
	const SemanticsRow &semantics() const { return *semantics_; }
	std::string Path() const { return DevicePath(strategy()); }
	size_t Bytes(uint64_t pages) const { return pages * page_size_; }

	void RefreshInfo()
	{
		const int err = QueryInfo(fd_.get(), &info_);

		ASSERT_EQ(err, 0) << "MMAPDEMO_IOC_INFO: " << strerror(err);
		pages_ = info_.nr_pages;
	}

	mmapdemo_stats Stats() const
	{
		mmapdemo_stats stats{};
		const int err = QueryStats(fd_.get(), &stats);

		EXPECT_EQ(err, 0) << "MMAPDEMO_IOC_STATS: " << strerror(err);
		return stats;
	}

	/* Give the file exactly @pages pages, unless it already has them. */
	void UsePages(uint64_t pages)
	{
		if (pages_ == pages)
			return;
		ASSERT_LE(pages, info_.max_pages) << "the driver's cap is too small";

		const int err = SetSize(fd_.get(), pages);

		ASSERT_EQ(err, 0) << "MMAPDEMO_IOC_SET_SIZE " << pages << ": "
				  << strerror(err);
		ASSERT_NO_FATAL_FAILURE(RefreshInfo());
		ASSERT_EQ(pages_, pages);
	}

	Mapping Map(uint64_t pages, uint64_t first_page = 0,
		    int prot = PROT_READ | PROT_WRITE) const
	{
		return Mapping::Create(fd_.get(), Bytes(pages),
				       static_cast<off_t>(Bytes(first_page)),
				       MAP_SHARED, prot);
	}

	UniqueFd fd_;
	mmapdemo_info info_{};
	uint64_t pages_ = 0;
	size_t page_size_ = 0;
	const SemanticsRow *semantics_ = nullptr;
};

using StrategyTest = StrategyFixture<Strategy>;

#define ASSERT_MAPPED(mapping)						\
	ASSERT_TRUE(mapping) << "mmap: " << strerror((mapping).error())

/* Test names end in the strategy: Suite.Test/remap. */
inline std::string StrategyName(const testing::TestParamInfo<Strategy> &param)
{
	return param.param.name;
}

/*
 * Run modprobe with @args quietly: its exit status, or -1 if it could not
 * be run; @message gets the first line it printed on stderr.
 */
inline int Modprobe(std::vector<const char *> args, std::string *message)
{
	char path[] = "/tmp/mmapdemo-modprobe-XXXXXX";
	const int err_fd = mkstemp(path);
	posix_spawn_file_actions_t actions;
	pid_t pid;
	int status;

	if (err_fd < 0)
		return -1;
	unlink(path);
	args.insert(args.begin(), "modprobe");
	args.push_back(nullptr);
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null",
					 O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
	const int err = posix_spawnp(&pid, "modprobe", &actions, nullptr,
				     const_cast<char *const *>(args.data()), environ);
	posix_spawn_file_actions_destroy(&actions);

	int result = -1;

	if (err == 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		result = WEXITSTATUS(status);

	char text[512] = "";
	const ssize_t len = pread(err_fd, text, sizeof(text) - 1, 0);

	close(err_fd);
	if (len > 0) {
		text[len] = '\0';
		*message = std::string(text).substr(0, std::string(text).find('\n'));
	}
	return result;
}

inline size_t CountPresentNodes()
{
	return std::count_if(std::begin(kStrategies), std::end(kStrategies),
			     [](const Strategy &s) {
				     return access(DevicePath(s).c_str(), F_OK) == 0;
			     });
}

/* Whether the tests can run here, and if not, why. */
struct Readiness {
	enum { kReady, kSkip, kFail } verdict = kReady;
	std::string reason;
};

/*
 * Load the module if its nodes are missing. As the kernel's
 * kselftest/module.sh does, a module that cannot be found is a skip, one
 * that is found but does not load is a failure, and so is a module that
 * loads but creates no node. Nodes that are missing while others exist
 * are left to the tests, which then fail: the module is loaded but does
 * not provide what the contract says.
 */
inline Readiness CheckReadiness()
{
	const size_t all = std::size(kStrategies);

	if (CountPresentNodes() < all) {
		std::string message;
		const bool loaded = access("/sys/module/mmapdemo", F_OK) == 0;

		if (!loaded && Modprobe({ "-q", "-n", "mmapdemo" }, &message) != 0) {
			if (CountPresentNodes() == 0)
				return { Readiness::kSkip,
					 "mmapdemo devices absent and the module not found "
					 "(modprobe -n mmapdemo)" };
		} else if (!loaded) {
			const int status = Modprobe({ "mmapdemo" }, &message);

			if (status != 0)
				return { Readiness::kFail,
					 "modprobe mmapdemo failed (exit status " +
					 std::to_string(status) + "): " +
					 (message.empty() ? "no message" : message) +
					 "; see the kernel log" };
		}
		/* Give udev a moment where devtmpfs does not create the nodes. */
		for (int i = 0; i < 20 && CountPresentNodes() < all; i++)
			std::this_thread::sleep_for(std::chrono::milliseconds(100));
		if (CountPresentNodes() == 0)
			return { Readiness::kFail,
				 "the mmapdemo module is loaded but no /dev/mmapdemo-* node "
				 "appeared within 2 s" };
	}

	for (const Strategy &s : kStrategies) {
		const std::string path = DevicePath(s);

		if (access(path.c_str(), F_OK) != 0)
			continue;

		UniqueFd fd = OpenDevice(path);

		if (!fd && (errno == EACCES || errno == EPERM))
			return { Readiness::kSkip, "mmapdemo devices need root: open " +
				 path + ": " + strerror(errno) };
		break;
	}
	return {};
}

/*
 * The rest of main() once testing::InitGoogleTest() has taken its flags
 * from the command line (a program with options of its own reads them
 * in between): KTAP out; a skip of the whole program when the devices are
 * not there to test, a failure when the module is there but broken.
 */
inline int RunInitializedTestProgram()
{
	/*
	 * Listing the tests needs no device, and a worker's supervisor
	 * checked (ktap_runner.hpp).
	 */
	if (ktap::ListingTests() || ktap::IsWorker())
		return ktap::RunAllTests();

	const Readiness ready = CheckReadiness();

	if (ready.verdict == Readiness::kSkip)
		return ktap::SkipAll(ready.reason);
	if (ready.verdict == Readiness::kFail)
		return ktap::FailAll("mmapdemo module loads and creates its nodes",
				     ready.reason);
	return ktap::RunAllTests();
}

/* The whole main() of a test program without options of its own. */
inline int RunTestProgram(int argc, char **argv)
{
	testing::InitGoogleTest(&argc, argv);
	return RunInitializedTestProgram();
}

} /* namespace mmapdemo */

#endif /* MMAPDEMO_GTEST_H */
