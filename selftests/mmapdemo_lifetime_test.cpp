// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo_lifetime_test - the module's life: who keeps it loaded, what
 * load / map / unload cycles leave behind, and the nodes' mode
 *
 * - rmmod (delete_module()) is refused with EWOULDBLOCK while a file of
 *   any node is open, and while a mapping of it exists after close(); it
 *   succeeds once the last mapping is gone.
 * - Load / map / unload cycles (100, or MMAPDEMO_LIFETIME_CYCLES) with
 *   every strategy: before each file is closed with its mapping gone, the
 *   driver's counters balance (pages_allocated - pages_freed is what the
 *   buffer still holds, 0 for owned and prefault); after the cycles the
 *   free pages are back where they were, within a tolerance the test
 *   prints and explains; and, where the kernel has kmemleak, a scan finds
 *   no leak from the module.
 * - The nodes are created 0600 (root only) without module parameters, and
 *   with the mode of dev_mode, which takes owner and group bits only.
 *
 * It unloads and loads the module, so it runs after the other programs,
 * and it always leaves the module loaded with no parameters. It skips
 * what needs unloading when the driver is built in or cannot be unloaded.
 * It prints KTAP; extra arguments are GoogleTest flags.
 */

#include "mmapdemo_gtest.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mmapdemo {
namespace {

constexpr char kModule[] = "mmapdemo";
constexpr char kModuleDir[] = "/sys/module/mmapdemo";
constexpr char kKmemleak[] = "/sys/kernel/debug/kmemleak";

bool Exists(const std::string &path)
{
	return access(path.c_str(), F_OK) == 0;
}

/* Only loadable modules have an initstate. */
bool IsLoadedModule()
{
	return Exists(std::string(kModuleDir) + "/initstate");
}

bool IsBuiltIn()
{
	return Exists(kModuleDir) && !IsLoadedModule();
}

/* The output of a command, and whether it exited with 0. */
std::optional<std::string> CommandOutput(std::vector<std::string> args)
{
	std::vector<char *> argv;
	posix_spawn_file_actions_t actions;
	int fds[2];
	pid_t pid;
	int status;
	std::string out;
	char buf[512];
	ssize_t n;

	for (std::string &arg : args)
		argv.push_back(arg.data());
	argv.push_back(nullptr);
	if (pipe2(fds, O_CLOEXEC) != 0)
		return std::nullopt;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);

	const int err = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);

	posix_spawn_file_actions_destroy(&actions);
	close(fds[1]);
	if (err) {
		close(fds[0]);
		return std::nullopt;
	}
	while ((n = read(fds[0], buf, sizeof(buf))) > 0)
		out.append(buf, n);
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return std::nullopt;
	return out;
}

/* delete_module() as rmmod calls it: 0 or the errno value. */
int Unload()
{
	return syscall(SYS_delete_module, kModule, O_NONBLOCK) == 0 ? 0 : errno;
}

/* The module file, as modprobe would find it; empty if unknown. */
const std::string &ModulePath()
{
	static const std::string path = [] {
		const auto out = CommandOutput({ "modinfo", "-n", kModule });
		std::string line = out ? out->substr(0, out->find('\n')) : "";

		/* finit_module() takes plain .ko files only. */
		if (line.size() < 3 || line.compare(line.size() - 3, 3, ".ko") != 0)
			line.clear();
		return line;
	}();

	return path;
}

bool AllNodesPresent()
{
	for (const Strategy &s : kStrategies)
		if (!Exists(DevicePath(s)))
			return false;
	return true;
}

/*
 * Load the module with @params: finit_module() of the file modinfo names,
 * else modprobe. 0 or the errno value (EINVAL from modprobe's exit status
 * alone is a guess). Waits for the nodes when it worked.
 */
int Load(const std::string &params = "")
{
	int err = 0;

	if (!ModulePath().empty()) {
		const int fd = open(ModulePath().c_str(), O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return errno;
		if (syscall(SYS_finit_module, fd, params.c_str(), 0) != 0)
			err = errno;
		close(fd);
	} else {
		std::vector<std::string> args = { "modprobe", kModule };
		std::istringstream words(params);
		std::string word;

		while (words >> word)
			args.push_back(word);
		if (!CommandOutput(args))
			err = EINVAL;
	}
	if (err)
		return err;
	for (int i = 0; i < 50 && !AllNodesPresent(); i++)
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	return 0;
}

/* A number from a sysfs or procfs file; -1 if unreadable. */
long long ReadNumber(const std::string &path)
{
	std::ifstream in(path);
	long long value;

	return in >> value ? value : -1;
}

/* Why the module cannot be unloaded and loaded here, if it cannot. */
std::optional<std::string> WhyNoUnload()
{
	if (IsBuiltIn())
		return std::string("mmapdemo is built in");
	if (!IsLoadedModule())
		return std::string("mmapdemo is not loaded as a module");

	const long long users = ReadNumber(std::string(kModuleDir) + "/refcnt");

	if (users != 0)
		return "mmapdemo is in use elsewhere (refcnt " + std::to_string(users) + ")";
	return std::nullopt;
}

/* Unload, then load with @params; fatal failures in the test. */
void Reload(const std::string &params = "")
{
	ASSERT_EQ(Unload(), 0) << "delete_module: " << strerror(errno);
	ASSERT_EQ(Load(params), 0) << "loading mmapdemo " << params;
	ASSERT_TRUE(AllNodesPresent()) << "the nodes did not appear";
}

/*
 * Whatever the tests did, the module is loaded with no parameters at the
 * end, so the nodes are there for what runs next.
 */
class LoadedAtExit : public testing::Environment {
public:
	void TearDown() override
	{
		if (IsBuiltIn())
			return;
		if (!IsLoadedModule() ||
		    ReadNumber(std::string(kModuleDir) + "/parameters/dev_mode") !=
		    static_cast<long long>(kDefaultDevMode)) {
			Unload();
			EXPECT_EQ(Load(), 0) << "loading mmapdemo again at the end";
		}
	}
};

/* The device number sysfs gives the node of @s; 0 if unknown. */
dev_t CurrentDevnum(const Strategy &s)
{
	std::ifstream in("/sys/class/misc/mmapdemo-" + std::string(s.name) + "/dev");
	unsigned int major_number = 0, minor_number = 0;
	char colon = 0;

	if (!(in >> major_number >> colon >> minor_number) || colon != ':')
		return 0;
	return makedev(major_number, minor_number);
}

/* The file mode and owner of every node. */
void ExpectNodeModes(unsigned int mode)
{
	/*
	 * Where udev runs, let it finish its queue before the nodes are looked
	 * at. It sets each node to the mode its add event carries (DEVMODE),
	 * finding the node by device number: the previous load's event,
	 * handled late, would give the new node (same dynamic minor) the old
	 * mode until the new load's event is handled.
	 */
	if (Exists("/run/udev/control"))
		CommandOutput({ "udevadm", "settle", "--timeout=10" });

	for (const Strategy &s : kStrategies) {
		struct stat st;

		SCOPED_TRACE(DevicePath(s));
		ASSERT_EQ(stat(DevicePath(s).c_str(), &st), 0) << strerror(errno);
		EXPECT_TRUE(S_ISCHR(st.st_mode));
		EXPECT_EQ(st.st_rdev, CurrentDevnum(s)) << "not the node of the loaded device";
		EXPECT_EQ(st.st_mode & 07777, mode) << std::oct << "mode 0" << (st.st_mode & 07777);
		EXPECT_EQ(st.st_uid, 0U);
		EXPECT_EQ(st.st_gid, 0U);
	}
}

/* Loaded without parameters, every node is root's alone: 0600. */
TEST(Lifetime, NodesAreRootOnlyByDefault)
{
	if (const auto why = WhyNoUnload())
		GTEST_SKIP() << *why;
	ASSERT_NO_FATAL_FAILURE(Reload());
	EXPECT_EQ(ReadNumber(std::string(kModuleDir) + "/parameters/dev_mode"), 0600);
	ExpectNodeModes(0600);
}

/*
 * dev_mode sets the nodes' mode, owner and group bits only: a bit for
 * others, a set-id or sticky bit, or 0, and the module refuses to load.
 */
TEST(Lifetime, DevModeParameter)
{
	if (const auto why = WhyNoUnload())
		GTEST_SKIP() << *why;
	for (const char *mode : { "0660", "0640", "0400" }) {
		SCOPED_TRACE(std::string("dev_mode=") + mode);
		ASSERT_NO_FATAL_FAILURE(Reload(std::string("dev_mode=") + mode));
		ExpectNodeModes(static_cast<unsigned int>(std::stoul(mode, nullptr, 8)));
	}
	ASSERT_EQ(Unload(), 0);
	for (const char *mode : { "0666", "0604", "0602", "0601", "01600", "02660", "04600",
				  "0", "0777" }) {
		SCOPED_TRACE(std::string("dev_mode=") + mode);
		EXPECT_EQ(Load(std::string("dev_mode=") + mode), EINVAL) << "the module loaded";
		EXPECT_FALSE(IsLoadedModule());
		if (IsLoadedModule())
			Unload();
	}
	ASSERT_EQ(Load(), 0);
}

/*
 * The size parameters: max_pages from 1 to the most pages a file's size in
 * bytes can hold (loff_t), nr_pages from 1 to max_pages and to remap's cap
 * of one buddy block. Out of range, the module refuses to load.
 */
TEST(Lifetime, SizeParametersOutOfRange)
{
	if (const auto why = WhyNoUnload())
		GTEST_SKIP() << *why;
	const unsigned int page_shift = static_cast<unsigned int>(__builtin_ctzl(static_cast<unsigned long>(PageSize())));
	const unsigned long long largest = sizeof(long) == 8 ?
		static_cast<unsigned long long>(LLONG_MAX) >> page_shift : ULONG_MAX;
	std::vector<std::string> refused = {
		"max_pages=0", "nr_pages=0", "nr_pages=4 max_pages=3", "nr_pages=1048576",
	};

	if (sizeof(long) == 8)
		refused.push_back("max_pages=" + std::to_string(largest + 1));
	ASSERT_EQ(Unload(), 0) << "delete_module: " << strerror(errno);
	for (const std::string &params : refused) {
		SCOPED_TRACE(params);
		EXPECT_EQ(Load(params), EINVAL) << "the module loaded";
		EXPECT_FALSE(IsLoadedModule());
		if (IsLoadedModule())
			Unload();
	}
	/* The largest cap is accepted: it only bounds what SET_SIZE may ask. */
	EXPECT_EQ(Load("max_pages=" + std::to_string(largest)), 0) << "the largest max_pages";
	EXPECT_TRUE(AllNodesPresent()) << "the nodes did not appear";
	if (IsLoadedModule())
		ASSERT_NO_FATAL_FAILURE(Reload());
	else
		ASSERT_EQ(Load(), 0) << "loading mmapdemo again";
}

/*
 * An open file, and a mapping whose file is closed, each keep the module:
 * delete_module() fails with EWOULDBLOCK, the mapping keeps working, and
 * after munmap() the unload succeeds.
 */
TEST(Lifetime, UnloadWaitsForLastCloseAndUnmap)
{
	const size_t page = PageSize();

	if (const auto why = WhyNoUnload())
		GTEST_SKIP() << *why;
	for (const Strategy &s : kStrategies) {
		SCOPED_TRACE(s.name);
		if (!IsLoadedModule()) {
			ASSERT_EQ(Load(), 0);
		}

		UniqueFd fd = OpenDevice(DevicePath(s));

		ASSERT_TRUE(fd) << strerror(errno);
		EXPECT_EQ(Unload(), EWOULDBLOCK) << "with a file open";
		EXPECT_EQ(ReadNumber(std::string(kModuleDir) + "/refcnt"), 1);

		auto mapping = Mapping::Create(fd.get(), page, 0);

		ASSERT_MAPPED(mapping);
		mapping.data()[0] = 0x5a;
		fd.reset();
		EXPECT_EQ(Unload(), EWOULDBLOCK) << "with a mapping, the file closed";
		barrier();
		EXPECT_EQ(mapping.data()[0], 0x5a) << "the mapping stopped working";
		mapping.data()[page - 1] = 0xa5;
		ASSERT_EQ(mapping.Unmap(), 0);
		EXPECT_EQ(ReadNumber(std::string(kModuleDir) + "/refcnt"), 0);
		EXPECT_EQ(Unload(), 0) << "after the last close and munmap";
		EXPECT_FALSE(Exists(DevicePath(s))) << "the node outlived the module";
	}
	ASSERT_EQ(Load(), 0);
}

/* Free pages: in the buddy allocator, plus those on per-CPU lists. */
struct FreePages {
	long long buddy = -1;	/* nr_free_pages of /proc/vmstat */
	long long pcp = 0;	/* "count:" of the per-CPU pagesets, /proc/zoneinfo */
	long long pcp_high = 0;	/* their "high:" marks */
	long long Total() const { return buddy + pcp; }
};

FreePages ReadFreePages()
{
	FreePages free;
	std::ifstream vmstat("/proc/vmstat"), zoneinfo("/proc/zoneinfo");
	std::string key;
	long long value;

	while (vmstat >> key >> value)
		if (key == "nr_free_pages")
			free.buddy = value;

	std::string line;

	while (std::getline(zoneinfo, line)) {
		std::istringstream words(line);

		if (words >> key >> value) {
			if (key == "count:")
				free.pcp += value;
			else if (key == "high:")
				free.pcp_high += value;
		}
	}
	return free;
}

void DropCaches()
{
	sync();

	std::ofstream drop("/proc/sys/vm/drop_caches");

	drop << "3" << std::endl;
	drop.close();

	/*
	 * Shrink every slab cache: empty slabs go back to the page allocator,
	 * and on a KASAN kernel the objects waiting in its quarantine are
	 * freed first (kmem_cache_shrink() drains the cache's quarantine).
	 */
	DIR *slabs = opendir("/sys/kernel/slab");

	if (!slabs)
		return;
	while (const struct dirent *entry = readdir(slabs)) {
		if (entry->d_name[0] == '.')
			continue;

		std::ofstream shrink(std::string("/sys/kernel/slab/") + entry->d_name + "/shrink");

		shrink << "1" << std::endl;
	}
	closedir(slabs);
}

/* kmemleak's control file, mounting debugfs if needed; empty if none. */
std::string KmemleakFile()
{
	if (!Exists("/sys/kernel/debug/kmemleak"))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, nullptr);
	return Exists(kKmemleak) ? kKmemleak : "";
}

bool WriteKmemleak(const char *command)
{
	std::ofstream control(kKmemleak);

	control << command << std::endl;
	return static_cast<bool>(control);
}

constexpr uint64_t kCyclePages = 16;

/* Results of the cycles, for the kmemleak test after them. */
struct {
	bool ran = false;
	bool kmemleak_cleared = false;
} cycles;

constexpr int kWarmUpCycles = 10;

/* Whether /proc/kallsyms lists @name: a kernel function, so its option is on. */
bool KernelHasSymbol(const std::string &name)
{
	std::ifstream kallsyms("/proc/kallsyms");
	std::string line;

	while (std::getline(kallsyms, line)) {
		const size_t space = line.rfind(' ');

		if (space != std::string::npos &&
		    line.compare(space + 1, std::string::npos, name) == 0)
			return true;
	}
	return false;
}

/*
 * One strategy in one cycle: a file of kCyclePages pages, mapped whole,
 * every page written and checked, also through read() for a buffer;
 * after munmap() the counters balance, then the file is closed.
 */
void MapOneFile(const Strategy &s, size_t page)
{
	UniqueFd fd = OpenDevice(DevicePath(s));
	mmapdemo_info info{};

	ASSERT_TRUE(fd) << DevicePath(s) << ": " << strerror(errno);
	ASSERT_EQ(QueryInfo(fd.get(), &info), 0);

	const uint64_t pages = std::min<uint64_t>(kCyclePages, info.max_pages);

	ASSERT_EQ(SetSize(fd.get(), pages), 0);

	auto mapping = Mapping::Create(fd.get(), pages * page, 0);

	ASSERT_MAPPED(mapping);
	for (uint64_t p = 0; p < pages; p++)
		mapping.data()[p * page + p % page] = PageMarker(p, 3);
	barrier();
	if (!s.per_mapping) {
		for (uint64_t p = 0; p < pages; p++) {
			uint8_t byte = 0;

			ASSERT_EQ(pread(fd.get(), &byte, 1, static_cast<off_t>(p * page + p % page)), 1);
			ASSERT_EQ(byte, PageMarker(p, 3)) << "page " << p;
		}
	}
	ASSERT_EQ(mapping.Unmap(), 0);

	mmapdemo_stats stats{};

	ASSERT_EQ(QueryStats(fd.get(), &stats), 0);
	EXPECT_EQ(stats.mmaps, 1U);
	/* The buffer still holds its pages until close(); per-mapping none. */
	EXPECT_EQ(stats.pages_allocated - stats.pages_freed, s.per_mapping ? 0 : pages)
		<< "pages_allocated " << stats.pages_allocated << ", pages_freed "
		<< stats.pages_freed;
}

/*
 * Load, map every strategy, unload, again and again. Free pages are
 * compared before and after, with caches dropped and the per-CPU lists
 * counted as free; see the tolerance below.
 */
TEST(Lifetime, LoadMapUnloadCycles)
{
	const size_t page = PageSize();
	const char *env = std::getenv("MMAPDEMO_LIFETIME_CYCLES");
	const int count = env ? std::atoi(env) : 100;

	if (const auto why = WhyNoUnload())
		GTEST_SKIP() << *why;
	ASSERT_GT(count, 0) << "MMAPDEMO_LIFETIME_CYCLES";

	/*
	 * Cycles first, so that one-off allocations are not counted: the
	 * caches the kernel grows on first use (slab, per-CPU, vmap pools,
	 * and kmemleak's and KASAN's metadata on a debug kernel) reach their
	 * steady size before the pages are counted.
	 */
	for (int cycle = 0; cycle < kWarmUpCycles; cycle++) {
		if (cycle > 0) {
			ASSERT_EQ(Load(), 0);
		}
		for (const Strategy &s : kStrategies)
			ASSERT_NO_FATAL_FAILURE(MapOneFile(s, page)) << s.name;
		ASSERT_EQ(Unload(), 0);
	}
	if (!KmemleakFile().empty())
		cycles.kmemleak_cleared = WriteKmemleak("clear");
	DropCaches();

	const FreePages before = ReadFreePages();
	const auto start = std::chrono::steady_clock::now();
	int done = 0;

	ASSERT_GE(before.buddy, 0) << "no nr_free_pages in /proc/vmstat";
	for (int cycle = 0; cycle < count; cycle++) {
		SCOPED_TRACE("cycle " + std::to_string(cycle));
		ASSERT_EQ(Load(), 0);
		for (const Strategy &s : kStrategies) {
			SCOPED_TRACE(s.name);
			ASSERT_NO_FATAL_FAILURE(MapOneFile(s, page));
		}
		ASSERT_EQ(Unload(), 0) << "unload after the last close and munmap";
		done++;
	}
	cycles.ran = true;

	const double seconds = std::chrono::duration<double>(
		std::chrono::steady_clock::now() - start).count();

	DropCaches();

	const FreePages after = ReadFreePages();
	const long long missing = before.Total() - after.Total();
	/*
	 * What may legitimately differ: slab pages still cached in the slab
	 * allocators' partial lists after their objects were freed, page
	 * tables and this program's heap, which drop_caches does not give
	 * back. A few hundred pages; 256 is the allowance, under 3 pages a
	 * cycle. A leak the driver's counters cannot see (they check every
	 * file's pages above) that grows with the cycles shows above it: one
	 * 16-page buffer a cycle would be 1600 pages.
	 */
	const long long tolerance = 256;
	/*
	 * With KASAN_VMALLOC, freeing a vmalloc area (a module's, a vmalloc
	 * buffer's) frees only the shadow pages the area covers whole: a
	 * shadow page shared with a live neighbour stays, and is freed later
	 * or never, as the areas happen to lie (mm/kasan/shadow.c). Free pages
	 * then drift by hundreds or thousands either way over the cycles
	 * (from 3589 more to 925 fewer measured in the debug guest), so the
	 * count is reported but not judged there; the driver's counters
	 * (above) and kmemleak (next test; the debug kernel has it) are the
	 * leak checks.
	 */
	const bool judged = !KernelHasSymbol("__kasan_release_vmalloc");
	char line[320];

	snprintf(line, sizeof(line),
		 "lifetime: %d load/map/unload cycles, 9 files of %llu pages each, in %.1f s; "
		 "free pages %lld before, %lld after (buddy + per-CPU lists): %lld fewer, %s",
		 done, static_cast<unsigned long long>(kCyclePages), seconds, before.Total(),
		 after.Total(), missing,
		 judged ? ("tolerance " + std::to_string(tolerance)).c_str()
			: "not judged (KASAN_VMALLOC keeps shadow pages)");
	ktap::PrintDiagnostic(line);
	if (judged) {
		EXPECT_LE(missing, tolerance) << "pages lost over " << done << " cycles";
	}
	ASSERT_EQ(Load(), 0);
}

/*
 * After the cycles, a kmemleak scan reports nothing of the module: no
 * object allocated from mmapdemo, and no backtrace with an address that
 * no longer resolves (the unloaded module's code; no other module is
 * unloaded here).
 */
TEST(Lifetime, KmemleakFindsNothingAfterCycles)
{
	if (KmemleakFile().empty())
		GTEST_SKIP() << "no " << kKmemleak << " (CONFIG_DEBUG_KMEMLEAK)";
	if (!cycles.ran)
		GTEST_SKIP() << "the load/map/unload cycles did not run";
	ASSERT_TRUE(cycles.kmemleak_cleared) << "could not clear kmemleak before the cycles";

	/* Objects younger than 5 s are never reported. */
	std::this_thread::sleep_for(std::chrono::seconds(6));
	ASSERT_TRUE(WriteKmemleak("scan"));
	ASSERT_TRUE(WriteKmemleak("scan"));

	std::ifstream report(kKmemleak);
	std::string line, object;
	std::vector<std::string> ours, others;

	auto finish = [&] {
		if (object.empty())
			return;

		/* "[<ffffffffc0123456>] 0xffffffffc0123456": an address kallsyms lost. */
		const bool unresolved = object.find("] 0x") != std::string::npos;

		if (object.find("mmapdemo") != std::string::npos || unresolved)
			ours.push_back(object);
		else
			others.push_back(object);
		object.clear();
	};
	while (std::getline(report, line)) {
		if (line.rfind("unreferenced object", 0) == 0)
			finish();
		object += line + "\n";
	}
	finish();

	ktap::PrintDiagnostic("lifetime: kmemleak: " + std::to_string(ours.size()) +
			      " report(s) from mmapdemo, " + std::to_string(others.size()) +
			      " from elsewhere");
	for (const std::string &other : others)
		ktap::PrintDiagnostic("not mmapdemo's:\n" + other);
	EXPECT_TRUE(ours.empty()) << ours.size() << " leak(s) of mmapdemo:\n"
				  << (ours.empty() ? "" : ours.front());
}

} /* namespace */
} /* namespace mmapdemo */

int main(int argc, char **argv)
{
	testing::InitGoogleTest(&argc, argv);
	testing::AddGlobalTestEnvironment(new mmapdemo::LoadedAtExit);
	return mmapdemo::RunInitializedTestProgram();
}
