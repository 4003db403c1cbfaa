// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo_test - check every /dev/mmapdemo-<strategy> node against the
 * driver's contract (Documentation/misc-devices/mmapdemo.rst).
 *
 * One parameterised GoogleTest suite runs each test on every strategy of
 * kStrategies (mmapdemo_common.hpp); results are printed as KTAP for the
 * kselftest runner by ktap_listener.hpp. Every test opens its own file, so
 * each starts from fresh counters and a fresh buffer. What the strategies
 * do differently beyond mapping and touching (MAP_PRIVATE, mremap(),
 * fork(), madvise(), get_user_pages(), ...) is the documentation's
 * semantics table, and what they refuse is its bad-input table: both are
 * checked by mmapdemo_semantics_test.
 *
 * The program loads the module (modprobe mmapdemo) if the nodes are
 * missing, and skips (exit code 4) when they stay missing or cannot be
 * opened without root. Extra arguments are GoogleTest flags, e.g.
 * --gtest_filter='*remap' (KSELFTEST_MMAPDEMO_TEST_ARGS under run_tests).
 *
 * Page sizes are never assumed: everything is measured in sysconf()'s page
 * size, which the driver must report in MMAPDEMO_IOC_INFO.
 */

#include "mmapdemo_gtest.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

namespace mmapdemo {
namespace {

/* The seed demo: "facebook" at the start of each page reads as "face". */
constexpr char kSeedText[] = "facebook";
constexpr size_t kSeedTextLen = sizeof(kSeedText) - 1;
constexpr uint32_t kSeedWord = 0x66616365;

uint32_t BigEndianWordAt(const uint8_t *p)
{
	return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 |
	       uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

/* The contract tests; the fixture is shared with mmapdemo_semantics_test. */
class Mmapdemo : public StrategyTest {};

TEST_P(Mmapdemo, ReportsStrategyAndGeometry)
{
	struct stat node;

	EXPECT_EQ(info_.strategy, strategy().id);
	EXPECT_EQ((info_.flags & MMAPDEMO_INFO_PER_MAPPING) != 0,
		  strategy().per_mapping);
	EXPECT_EQ(info_.flags & MMAPDEMO_INFO_SIZE_FIXED, 0U)
		<< "a file that was never mapped can still be resized";
	EXPECT_EQ(info_.flags & ~(MMAPDEMO_INFO_PER_MAPPING |
				  MMAPDEMO_INFO_SIZE_FIXED), 0U)
		<< "undocumented flags";
	EXPECT_EQ(info_.page_size, page_size_);
	EXPECT_EQ(info_.nr_pages, DefaultPages());
	EXPECT_GE(info_.max_pages, info_.nr_pages);

	/* Once per run: which page size every other test ran with. */
	static bool geometry_reported;

	if (!geometry_reported) {
		char line[128];

		snprintf(line, sizeof(line),
			 "page size %#llx; the seed's 3 pages are len %#llx",
			 static_cast<unsigned long long>(info_.page_size),
			 static_cast<unsigned long long>(3 * info_.page_size));
		ktap::PrintDiagnostic(line);
		geometry_reported = true;
	}

	/*
	 * Mapping driver memory is for root only, unless the dev_mode module
	 * parameter grants a group access (mmapdemo_lifetime_test loads the
	 * module without it and checks 0600).
	 */
	ASSERT_EQ(stat(Path().c_str(), &node), 0) << strerror(errno);
	EXPECT_TRUE(S_ISCHR(node.st_mode));
	EXPECT_EQ(node.st_mode & 07777, DevMode()) << "the dev_mode parameter";
	EXPECT_EQ(node.st_uid, 0U) << "owner";

	EXPECT_EQ(Stats(), ExpectedAtOpen(strategy(), pages_));
}

/* What the seed demo did on every node: write "facebook", read "face". */
TEST_P(Mmapdemo, SeedScenario)
{
	ASSERT_NO_FATAL_FAILURE(UsePages(3));

	auto mapping = Map(3);

	ASSERT_MAPPED(mapping);
	for (uint64_t page = 0; page < 3; page++)
		std::memcpy(mapping.data() + Bytes(page), kSeedText, kSeedTextLen);
	barrier();
	for (uint64_t page = 0; page < 3; page++) {
		const uint8_t *start = mapping.data() + Bytes(page);

		SCOPED_TRACE("page " + std::to_string(page));
		EXPECT_EQ(BigEndianWordAt(start), kSeedWord);
		EXPECT_EQ(std::memcmp(start, kSeedText, kSeedTextLen), 0);
	}
}

/*
 * No page may leak old kernel memory. Even pages are first touched by a
 * read, odd pages by a write of their last byte, so both fault paths are
 * covered.
 */
TEST_P(Mmapdemo, PagesAreZeroOnFirstTouch)
{
	auto mapping = Map(pages_);

	ASSERT_MAPPED(mapping);
	for (uint64_t page = 0; page < pages_; page++) {
		uint8_t *start = mapping.data() + Bytes(page);

		SCOPED_TRACE("page " + std::to_string(page));
		if (page % 2)
			start[page_size_ - 1] = 0xa5;
		barrier();
		EXPECT_EQ(FirstNonZero(start, page_size_ - (page % 2)), std::nullopt);
	}

	/* New per-mapping pages must not inherit the old mapping's bytes. */
	if (strategy().per_mapping) {
		std::memset(mapping.data(), 0xff, mapping.size());
		ASSERT_EQ(mapping.Unmap(), 0);

		Mapping again = Map(pages_);

		ASSERT_MAPPED(again);
		EXPECT_EQ(FirstNonZero(again.data(), again.size()), std::nullopt);
	}
}

/* Every byte of a larger file holds what was written at its offset. */
TEST_P(Mmapdemo, FullBufferPattern)
{
	ASSERT_NO_FATAL_FAILURE(UsePages(std::min<uint64_t>(16, info_.max_pages)));

	const size_t size = Bytes(pages_);
	auto mapping = Map(pages_);

	ASSERT_MAPPED(mapping);
	for (size_t offset = 0; offset < size; offset++)
		mapping.data()[offset] = PatternByte(offset);
	barrier();
	EXPECT_EQ(FirstPatternMismatch(mapping.data(), size), std::nullopt);

	if (strategy().per_mapping)
		return;

	/* The file's buffer holds the same bytes, seen by read() ... */
	std::vector<uint8_t> copy(size);

	ASSERT_EQ(pread(fd_.get(), copy.data(), size, 0), static_cast<ssize_t>(size))
		<< strerror(errno);
	EXPECT_EQ(FirstPatternMismatch(copy.data(), size), std::nullopt)
		<< "read() of the buffer";

	/* ... and by a second mapping. */
	Mapping second = Map(pages_);

	ASSERT_MAPPED(second);
	EXPECT_EQ(FirstPatternMismatch(second.data(), size), std::nullopt)
		<< "a second mapping of the buffer";
}

/* The counters of MMAPDEMO_IOC_STATS, step by step, for one mapping. */
TEST_P(Mmapdemo, CountersFollowTheContract)
{
	const Strategy &s = strategy();
	const mmapdemo_stats opened = Stats();

	EXPECT_EQ(opened, ExpectedAtOpen(s, pages_));

	auto mapping = Map(pages_);

	ASSERT_MAPPED(mapping);
	const mmapdemo_stats mapped = Stats();

	EXPECT_EQ(mapped - opened, ExpectedForMmap(s, pages_)) << "after mmap()";

	for (uint64_t page = 0; page < pages_; page++)
		mapping.data()[Bytes(page)] = PageMarker(page, 1);
	barrier();
	const mmapdemo_stats written = Stats();

	EXPECT_EQ(written - mapped, ExpectedForFirstTouch(s, pages_, false))
		<< "after writing each page once";

	for (uint64_t page = 0; page < pages_; page++)
		EXPECT_EQ(mapping.data()[Bytes(page)], PageMarker(page, 1));
	for (uint64_t page = 0; page < pages_; page++)
		mapping.data()[Bytes(page) + 1] = PageMarker(page, 2);
	barrier();
	const mmapdemo_stats retouched = Stats();

	EXPECT_EQ(retouched - written, mmapdemo_stats{})
		<< "reading and writing mapped pages again must not fault";

	ASSERT_EQ(mapping.Unmap(), 0);
	const mmapdemo_stats unmapped = Stats();

	EXPECT_EQ(unmapped - retouched, ExpectedForMunmap(s, pages_))
		<< "after munmap()";
	EXPECT_EQ(unmapped.mmaps, 1U);
}

/* The minor faults the kernel has charged to this thread. */
long MinorFaults()
{
	struct rusage usage {};

	getrusage(RUSAGE_THREAD, &usage);
	return usage.ru_minflt;
}

/*
 * Write @marker_salt's marker at the start of each of @pages pages from
 * @data. Not inlined, so that its code has been run (and faulted in) by
 * a warm-up call before a measured one.
 */
[[gnu::noinline]] void TouchPages(uint8_t *data, uint64_t pages, size_t page_size,
				  uint8_t marker_salt)
{
	for (uint64_t page = 0; page < pages; page++)
		data[page * page_size] = PageMarker(page, marker_salt);
	barrier();
}

/*
 * Which of the @pages pages from @addr /proc/self/pagemap shows present
 * (bit 63); nullopt if it cannot be read.
 */
std::optional<std::vector<bool>> PresentPages(const void *addr, uint64_t pages)
{
	const UniqueFd pagemap(open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC));
	const uint64_t first = reinterpret_cast<uintptr_t>(addr) / PageSize();
	std::vector<uint64_t> entries(pages);

	if (!pagemap)
		return std::nullopt;
	if (pread(pagemap.get(), entries.data(), entries.size() * sizeof(entries[0]),
		  static_cast<off_t>(first * sizeof(entries[0]))) !=
	    static_cast<ssize_t>(entries.size() * sizeof(entries[0])))
		return std::nullopt;

	std::vector<bool> present;

	for (uint64_t entry : entries)
		present.push_back(entry >> 63);
	return present;
}

/*
 * The fault counts and mapped pages as the kernel reports them, not the
 * driver: getrusage()'s minor faults over the first touch of every page
 * must equal both the model and MMAPDEMO_IOC_STATS, and pagemap's present
 * bits must show the pages mapped when the strategy says it maps them.
 */
TEST_P(Mmapdemo, KernelSeesTheFaultsTheDriverCounts)
{
	const Strategy &s = strategy();
	const uint64_t expected_faults = ExpectedForFirstTouch(s, pages_, false).faults;

	/* The same code on memory that does not fault, so its text is in. */
	auto warm_up = Mapping::Create(-1, Bytes(pages_), 0,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
				       PROT_READ | PROT_WRITE);

	ASSERT_MAPPED(warm_up);
	TouchPages(warm_up.data(), pages_, page_size_, 0);

	auto mapping = Map(pages_);

	ASSERT_MAPPED(mapping);
	const std::optional<std::vector<bool>> present_at_mmap =
		PresentPages(mapping.data(), pages_);
	const mmapdemo_stats mapped = Stats();
	const long faults_before = MinorFaults();

	TouchPages(mapping.data(), pages_, page_size_, 1);

	const long faults_after = MinorFaults();
	const mmapdemo_stats touched = Stats();
	const std::optional<std::vector<bool>> present_after_touch =
		PresentPages(mapping.data(), pages_);
	const uint64_t kernel_faults = static_cast<uint64_t>(faults_after - faults_before);

	EXPECT_EQ(kernel_faults, expected_faults)
		<< "minor faults (getrusage) while touching each page once";
	EXPECT_EQ(kernel_faults, touched.faults - mapped.faults)
		<< "the kernel's minor faults against the driver's fault counter";

	ASSERT_TRUE(present_at_mmap && present_after_touch) << "cannot read /proc/self/pagemap";
	/* The walk pagemap uses reports a VM_PFNMAP mapping as a hole. */
	if (VmFlagsOf(mapping.data()).count("pf")) {
		ktap::PrintDiagnostic(std::string(s.name) + ": a VM_PFNMAP mapping, which "
				      "pagemap shows as not present: its present bits are not checked");
		return;
	}

	const bool mapped_at_mmap = s.inserted == Moment::kMmap;

	for (uint64_t page = 0; page < pages_; page++) {
		EXPECT_EQ((*present_at_mmap)[page], mapped_at_mmap)
			<< "pagemap present bit of page " << page << " right after mmap()";
		EXPECT_TRUE((*present_after_touch)[page])
			<< "pagemap present bit of page " << page << " after its first touch";
	}
}

/*
 * A second mapping of the file: buffer strategies map the existing pages
 * (lazy allocates nothing more), per-mapping strategies get new pages.
 */
TEST_P(Mmapdemo, SecondMappingCounters)
{
	const Strategy &s = strategy();
	Mapping first = Map(pages_);

	ASSERT_MAPPED(first);
	for (uint64_t page = 0; page < pages_; page++)
		first.data()[Bytes(page)] = PageMarker(page, 1);
	barrier();

	const mmapdemo_stats before = Stats();
	Mapping second = Map(pages_);

	ASSERT_MAPPED(second);
	const mmapdemo_stats mapped = Stats();

	EXPECT_EQ(mapped - before, ExpectedForMmap(s, pages_)) << "after mmap()";

	for (uint64_t page = 0; page < pages_; page++)
		second.data()[Bytes(page) + 1] = PageMarker(page, 2);
	barrier();
	const mmapdemo_stats touched = Stats();

	EXPECT_EQ(touched - mapped, ExpectedForFirstTouch(s, pages_, true))
		<< "after touching the pages through the second mapping";

	ASSERT_EQ(second.Unmap(), 0);
	const mmapdemo_stats unmapped = Stats();

	EXPECT_EQ(unmapped - touched, ExpectedForMunmap(s, pages_))
		<< "after munmap() of the second mapping";
	EXPECT_EQ(unmapped.mmaps, 2U);

	/* The first mapping is unaffected by the second one going away. */
	for (uint64_t page = 0; page < pages_; page++)
		EXPECT_EQ(first.data()[Bytes(page)], PageMarker(page, 1));
}

/*
 * A mapping placed right after another one of the same file, at the next
 * file offset, merges into it when the VMA flags allow: only VMAs with
 * none of the VM_SPECIAL flags (io, pf, mm, de) do. A merged mmap() gets
 * no vm_ops->mapped call, so the driver does not count it.
 */
TEST_P(Mmapdemo, AdjacentMappingMergesOnlyWithoutSpecialFlags)
{
	constexpr unsigned int kSpecial = MMAPDEMO_VMF_IO | MMAPDEMO_VMF_PF |
					  MMAPDEMO_VMF_MM | MMAPDEMO_VMF_DE;
	const bool mergeable = (semantics().vm_flags & kSpecial) == 0;
	/* Reserve the range, so that the two mappings can be placed in it. */
	Mapping reserved = Mapping::Create(-1, Bytes(pages_), 0,
					   MAP_PRIVATE | MAP_ANONYMOUS, PROT_NONE);

	ASSERT_MAPPED(reserved);
	const uint64_t head = pages_ - 1;
	const mmapdemo_stats before = Stats();
	Mapping first = Mapping::Create(fd_.get(), Bytes(head), 0, MAP_SHARED | MAP_FIXED,
					PROT_READ | PROT_WRITE, reserved.data());

	ASSERT_MAPPED(first);
	Mapping last = Mapping::Create(fd_.get(), Bytes(1), static_cast<off_t>(Bytes(head)),
				       MAP_SHARED | MAP_FIXED, PROT_READ | PROT_WRITE,
				       reserved.data() + Bytes(head));

	ASSERT_MAPPED(last);
	EXPECT_EQ(VmasOverlapping(reserved.data(), Bytes(pages_)).size(), mergeable ? 1U : 2U);
	EXPECT_EQ(Stats().mmaps - before.mmaps, mergeable ? 1U : 2U);

	/* Either way the pages are the file's, in order. */
	for (uint64_t page = 0; page < pages_; page++)
		reserved.data()[Bytes(page)] = PageMarker(page, 3);
	barrier();
	for (uint64_t page = 0; page < pages_ && !strategy().per_mapping; page++) {
		uint8_t byte = 0;

		ASSERT_EQ(pread(fd_.get(), &byte, 1, static_cast<off_t>(Bytes(page))), 1);
		EXPECT_EQ(byte, PageMarker(page, 3)) << "page " << page;
	}
}

/* Two mappings of one file share its buffer, or each has its own pages. */
TEST_P(Mmapdemo, TwoMappingsShareOrSeparate)
{
	Mapping a = Map(pages_);
	Mapping b = Map(pages_);

	ASSERT_MAPPED(a);
	ASSERT_MAPPED(b);
	ASSERT_NE(a.data(), b.data());

	for (uint64_t page = 0; page < pages_; page++)
		a.data()[Bytes(page)] = PageMarker(page, 1);
	barrier();
	for (uint64_t page = 0; page < pages_; page++) {
		SCOPED_TRACE("page " + std::to_string(page));
		if (strategy().per_mapping)
			EXPECT_EQ(FirstNonZero(b.data() + Bytes(page), page_size_),
				  std::nullopt) << "mappings must not share pages";
		else
			EXPECT_EQ(b.data()[Bytes(page)], PageMarker(page, 1))
				<< "a write through one mapping is missing in the other";
	}

	for (uint64_t page = 0; page < pages_; page++)
		b.data()[Bytes(page)] = PageMarker(page, 2);
	barrier();
	for (uint64_t page = 0; page < pages_; page++) {
		const uint8_t expected = strategy().per_mapping ? PageMarker(page, 1)
								: PageMarker(page, 2);

		EXPECT_EQ(a.data()[Bytes(page)], expected) << "page " << page;
	}
}

/*
 * MAP_SHARED means shared with a fork child too: the child's copy of a
 * mapping shares its pages with the parent's whatever the strategy. A new
 * mmap() in the child shares the buffer of a buffer strategy, but gets
 * pages of its own from a per-mapping strategy.
 */
TEST_P(Mmapdemo, ForkChildSharesMapping)
{
	enum ChildStatus {
		kChildOk,
		kChildMissedParentWrite,
		kChildMmapFailed,
		kChildOwnMappingNotZero,
	};
	const bool per_mapping = strategy().per_mapping;

	ASSERT_NO_FATAL_FAILURE(UsePages(3));

	auto mapping = Map(3);

	ASSERT_MAPPED(mapping);
	mapping.data()[0] = PageMarker(0, 1);
	barrier();

	const pid_t child = fork();

	ASSERT_GE(child, 0) << "fork: " << strerror(errno);
	if (child == 0) {
		/*
		 * No GoogleTest in the child: report through the exit code and
		 * leave with _exit() so nothing is flushed or unmapped twice.
		 */
		if (mapping.data()[0] != PageMarker(0, 1))
			_exit(kChildMissedParentWrite);
		mapping.data()[Bytes(1)] = PageMarker(1, 2);

		void *addr = mmap(nullptr, Bytes(3), PROT_READ | PROT_WRITE,
				  MAP_SHARED, fd_.get(), 0);

		if (addr == MAP_FAILED)
			_exit(kChildMmapFailed);

		uint8_t *own = static_cast<uint8_t *>(addr);

		if (per_mapping && FirstNonZero(own, Bytes(3)))
			_exit(kChildOwnMappingNotZero);
		own[Bytes(2)] = PageMarker(2, 3);
		_exit(kChildOk);
	}

	int status;

	ASSERT_EQ(waitpid(child, &status, 0), child) << strerror(errno);
	ASSERT_TRUE(WIFEXITED(status)) << "child died, status " << status;
	ASSERT_NE(WEXITSTATUS(status), kChildMissedParentWrite)
		<< "the child did not see the parent's write";
	ASSERT_NE(WEXITSTATUS(status), kChildMmapFailed) << "mmap() in the child failed";
	ASSERT_NE(WEXITSTATUS(status), kChildOwnMappingNotZero)
		<< "the child's own mapping is not zeroed";
	ASSERT_EQ(WEXITSTATUS(status), kChildOk);
	barrier();
	EXPECT_EQ(mapping.data()[Bytes(1)], PageMarker(1, 2))
		<< "write through the inherited mapping";
	if (per_mapping)
		EXPECT_EQ(mapping.data()[Bytes(2)], 0)
			<< "the child's own mapping shares pages with the parent's";
	else
		EXPECT_EQ(mapping.data()[Bytes(2)], PageMarker(2, 3))
			<< "write through the child's own mapping";
}

/* A mapping of a window inside the file sees the bytes at that offset. */
TEST_P(Mmapdemo, MappingAtAnOffset)
{
	ASSERT_NO_FATAL_FAILURE(UsePages(std::max<uint64_t>(pages_, 3)));

	const uint64_t first_page = 1;
	const uint64_t window = pages_ - first_page;

	/* Put a marker at the start of every page, through the fd. */
	if (!strategy().per_mapping) {
		for (uint64_t page = 0; page < pages_; page++) {
			const uint8_t marker = PageMarker(page, 1);

			ASSERT_EQ(pwrite(fd_.get(), &marker, 1, Bytes(page)), 1)
				<< strerror(errno);
		}
	}

	const mmapdemo_stats before = Stats();
	auto mapping = Map(window, first_page);

	ASSERT_MAPPED(mapping);
	for (uint64_t page = 0; page < window; page++) {
		const uint8_t *start = mapping.data() + Bytes(page);

		SCOPED_TRACE("window page " + std::to_string(page));
		if (strategy().per_mapping)
			EXPECT_EQ(FirstNonZero(start, page_size_), std::nullopt);
		else
			EXPECT_EQ(start[0], PageMarker(first_page + page, 1));
	}

	/* Every page of the window was touched once, and only those. */
	EXPECT_EQ(Stats() - before,
		  ExpectedForMmap(strategy(), window) +
		  ExpectedForFirstTouch(strategy(), window, !strategy().per_mapping));

	if (strategy().per_mapping)
		return;

	/* A write through the window lands at the file offset. */
	const uint8_t written = 0x5a;
	uint8_t read_back = 0;

	mapping.data()[Bytes(window - 1) + 3] = written;
	barrier();
	ASSERT_EQ(pread(fd_.get(), &read_back, 1, Bytes(pages_ - 1) + 3), 1)
		<< strerror(errno);
	EXPECT_EQ(read_back, written);
}

/*
 * read(), write(), pread(), pwrite() and lseek() on the fd reach the bytes
 * the mappings show; per-mapping strategies have no file bytes to reach.
 */
TEST_P(Mmapdemo, FileIo)
{
	ASSERT_NO_FATAL_FAILURE(UsePages(std::max<uint64_t>(pages_, 2)));

	const int fd = fd_.get();
	const size_t size = Bytes(pages_);
	char buf[32] = {};

	if (strategy().per_mapping) {
		auto mapping = Map(pages_);

		ASSERT_MAPPED(mapping);
		EXPECT_EQ(ErrnoOf(read(fd, buf, 1)), EINVAL);
		EXPECT_EQ(ErrnoOf(write(fd, "x", 1)), EINVAL);
		EXPECT_EQ(ErrnoOf(pread(fd, buf, 1, 0)), EINVAL);
		EXPECT_EQ(ErrnoOf(pwrite(fd, "x", 1, 0)), EINVAL);
		EXPECT_EQ(FirstNonZero(mapping.data(), mapping.size()), std::nullopt);
		return;
	}

	/* A fresh file reads as zeros, through the fd too. */
	std::vector<uint8_t> contents(size, 0xaa);

	ASSERT_EQ(pread(fd, contents.data(), size, 0), static_cast<ssize_t>(size))
		<< strerror(errno);
	EXPECT_EQ(FirstNonZero(contents.data(), size), std::nullopt);

	auto mapping = Map(pages_);

	ASSERT_MAPPED(mapping);

	/* fd → mapping */
	const char from_fd[] = "written with pwrite";
	const size_t from_fd_offset = size / 2 + 10;

	ASSERT_EQ(pwrite(fd, from_fd, sizeof(from_fd), from_fd_offset),
		  static_cast<ssize_t>(sizeof(from_fd))) << strerror(errno);
	barrier();
	EXPECT_EQ(std::memcmp(mapping.data() + from_fd_offset, from_fd,
			      sizeof(from_fd)), 0);

	/* mapping → fd */
	const char from_mapping[] = "stored through the mapping";
	const size_t from_mapping_offset = size - 100;

	std::memcpy(mapping.data() + from_mapping_offset, from_mapping,
		    sizeof(from_mapping));
	barrier();
	ASSERT_EQ(pread(fd, buf, sizeof(from_mapping), from_mapping_offset),
		  static_cast<ssize_t>(sizeof(from_mapping))) << strerror(errno);
	EXPECT_STREQ(buf, from_mapping);

	/* read() and write() move the file position. */
	const off_t pos = static_cast<off_t>(page_size_ - 1);

	ASSERT_EQ(lseek(fd, pos, SEEK_SET), pos) << strerror(errno);
	ASSERT_EQ(write(fd, "abc", 3), 3) << strerror(errno);
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), pos + 3);
	barrier();
	EXPECT_EQ(std::memcmp(mapping.data() + pos, "abc", 3), 0)
		<< "a write() across a page boundary";
	ASSERT_EQ(lseek(fd, pos, SEEK_SET), pos);
	std::memset(buf, 0, sizeof(buf));
	ASSERT_EQ(read(fd, buf, 3), 3) << strerror(errno);
	EXPECT_STREQ(buf, "abc");
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), pos + 3);

	/* The end of the file. */
	const off_t end = static_cast<off_t>(size);

	EXPECT_EQ(lseek(fd, 0, SEEK_END), end);
	EXPECT_EQ(read(fd, buf, 1), 0) << "read() at the end";
	EXPECT_EQ(pread(fd, buf, 1, end), 0) << "pread() at the end";
	EXPECT_EQ(pread(fd, buf, 1, end + static_cast<off_t>(page_size_)), 0)
		<< "pread() past the end";
	EXPECT_EQ(ErrnoOf(write(fd, "x", 1)), ENOSPC) << "write() at the end";
	EXPECT_EQ(ErrnoOf(pwrite(fd, "x", 1, end + static_cast<off_t>(page_size_))),
		  ENOSPC) << "pwrite() past the end";

	/* Transfers crossing the end are cut short at the end. */
	EXPECT_EQ(pwrite(fd, "12345678", 8, end - 4), 4) << strerror(errno);
	barrier();
	EXPECT_EQ(std::memcmp(mapping.data() + size - 4, "1234", 4), 0);
	std::memset(buf, 0, sizeof(buf));
	EXPECT_EQ(pread(fd, buf, 8, end - 4), 4) << strerror(errno);
	EXPECT_STREQ(buf, "1234");

	/* No seeking outside the file; a failed lseek() leaves the position. */
	ASSERT_EQ(lseek(fd, end, SEEK_SET), end) << "seek to the end itself";
	const struct {
		const char *what;
		off_t offset;
		int whence;
	} bad_seeks[] = {
		{ "SEEK_SET past the end", end + 1, SEEK_SET },
		{ "SEEK_CUR past the end", 1, SEEK_CUR },
		{ "SEEK_END past the end", 1, SEEK_END },
		{ "SEEK_SET before the start", -1, SEEK_SET },
	};
	for (const auto &seek : bad_seeks) {
		SCOPED_TRACE(seek.what);
		EXPECT_EQ(ErrnoOf(lseek(fd, seek.offset, seek.whence)), EINVAL);
		EXPECT_EQ(lseek(fd, 0, SEEK_CUR), end);
	}
}

/*
 * Closing the fd does not end the memory: mappings keep working, pages
 * not touched before close() still fault in (zeroed), and a buffer stays
 * shared between the mappings.
 */
TEST_P(Mmapdemo, MappingOutlivesClose)
{
	ASSERT_NO_FATAL_FAILURE(UsePages(std::max<uint64_t>(pages_, 2)));

	Mapping a = Map(pages_);
	Mapping b;

	ASSERT_MAPPED(a);
	if (!strategy().per_mapping) {
		b = Map(pages_);
		ASSERT_MAPPED(b);
	}
	a.data()[0] = PageMarker(0, 1);
	fd_.reset();

	for (uint64_t page = 1; page < pages_; page++) {
		uint8_t *start = a.data() + Bytes(page);

		SCOPED_TRACE("page " + std::to_string(page) + ", first touched after close()");
		EXPECT_EQ(FirstNonZero(start, page_size_), std::nullopt);
		start[0] = PageMarker(page, 1);
	}
	barrier();
	for (uint64_t page = 0; page < pages_; page++) {
		SCOPED_TRACE("page " + std::to_string(page));
		EXPECT_EQ(a.data()[Bytes(page)], PageMarker(page, 1));
		if (b) {
			EXPECT_EQ(b.data()[Bytes(page)], PageMarker(page, 1))
				<< "the mappings stopped sharing the buffer";
		}
	}
}

/*
 * Zeroes on the other ways a page first reaches user space, beyond the
 * touches of PagesAreZeroOnFirstTouch: in a file just resized by
 * MMAPDEMO_IOC_SET_SIZE, through read() (the holes of a lazy buffer), around
 * a byte a write() put in a page (lazy allocates it there), in a window at
 * an offset, faulted in by the kernel itself (write() from the mapping into
 * a pipe, which reads it with copy_from_user()), and by a fork() child.
 */
TEST_P(Mmapdemo, PagesAreZeroOnEveryPath)
{
	enum ChildStatus { kChildOk = 0, kChildSawData };
	const bool buffer = !strategy().per_mapping;
	const uint8_t written = 0x5a;

	if (info_.max_pages < 4)
		GTEST_SKIP() << "max_pages " << info_.max_pages << " < 4";
	ASSERT_NO_FATAL_FAILURE(UsePages(std::min<uint64_t>(8, info_.max_pages)));

	if (buffer) {
		std::vector<uint8_t> contents(Bytes(pages_), 0xaa);

		ASSERT_EQ(pread(fd_.get(), contents.data(), contents.size(), 0),
			  static_cast<ssize_t>(contents.size())) << strerror(errno);
		EXPECT_EQ(FirstNonZero(contents.data(), contents.size()), std::nullopt)
			<< "read() of the resized file";
		/* The last byte of page 1, which lazy allocates for it. */
		ASSERT_EQ(pwrite(fd_.get(), &written, 1, Bytes(2) - 1), 1) << strerror(errno);
	}

	/* Pages 1 to the end: window page 0 is file page 1. */
	Mapping window = Map(pages_ - 1, 1);

	ASSERT_MAPPED(window);

	/* The kernel touches window page 0 first. */
	int pipe_fds[2];

	ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0) << strerror(errno);

	UniqueFd pipe_in(pipe_fds[0]), pipe_out(pipe_fds[1]);
	std::vector<uint8_t> through_pipe(page_size_, 0xaa);

	ASSERT_EQ(write(pipe_out.get(), window.data(), page_size_),
		  static_cast<ssize_t>(page_size_)) << strerror(errno);
	ASSERT_EQ(read(pipe_in.get(), through_pipe.data(), page_size_),
		  static_cast<ssize_t>(page_size_)) << strerror(errno);
	EXPECT_EQ(FirstNonZero(through_pipe.data(), page_size_ - 1), std::nullopt)
		<< "page 1 as the kernel read it";
	EXPECT_EQ(through_pipe[page_size_ - 1], buffer ? written : 0);

	/* A child touches window page 1 first. */
	const pid_t child = fork();

	ASSERT_GE(child, 0) << "fork: " << strerror(errno);
	if (child == 0)
		_exit(FirstNonZero(window.data() + Bytes(1), page_size_) ? kChildSawData
									 : kChildOk);

	int status;

	ASSERT_EQ(waitpid(child, &status, 0), child) << strerror(errno);
	ASSERT_TRUE(WIFEXITED(status)) << "child died, status " << status;
	EXPECT_EQ(WEXITSTATUS(status), kChildOk) << "page 2 as a fork() child saw it";

	/* And every page as the mapping shows it now. */
	for (uint64_t page = 0; page < window.size() / page_size_; page++) {
		const uint8_t *start = window.data() + Bytes(page);
		const size_t len = page == 0 ? page_size_ - 1 : page_size_;

		SCOPED_TRACE("file page " + std::to_string(page + 1));
		EXPECT_EQ(FirstNonZero(start, len), std::nullopt);
	}
	EXPECT_EQ(window.data()[page_size_ - 1], buffer ? written : 0);
}

/* A resize gives zeroed pages, changes the bounds, and only for this file. */
TEST_P(Mmapdemo, SetSizeResizesAndZeroes)
{
	const uint64_t original = pages_;
	const uint64_t target = original + 2 <= info_.max_pages ? original + 2 : 1;
	const bool has_buffer = !strategy().per_mapping;
	const uint8_t marker = 0x3c;

	if (target == original)
		GTEST_SKIP() << "max_pages leaves no other size to try";

	if (has_buffer) {
		ASSERT_EQ(pwrite(fd_.get(), &marker, 1, 0), 1) << strerror(errno);
	}

	const mmapdemo_stats before = Stats();

	ASSERT_EQ(SetSize(fd_.get(), target), 0) << strerror(errno);
	ASSERT_NO_FATAL_FAILURE(RefreshInfo());
	EXPECT_EQ(pages_, target);
	EXPECT_EQ(info_.flags & MMAPDEMO_INFO_SIZE_FIXED, 0U);

	/* The old pages were given back, the new ones are as after open(). */
	const mmapdemo_stats after = Stats();

	EXPECT_EQ(after.pages_allocated - after.pages_freed,
		  ExpectedAtOpen(strategy(), target).pages_allocated)
		<< "pages still allocated after the resize (before: "
		<< testing::PrintToString(before) << ", after: "
		<< testing::PrintToString(after) << ")";

	if (has_buffer) {
		std::vector<uint8_t> contents(Bytes(target), 0xaa);

		EXPECT_EQ(lseek(fd_.get(), 0, SEEK_END),
			  static_cast<off_t>(Bytes(target)));
		ASSERT_EQ(pread(fd_.get(), contents.data(), contents.size(), 0),
			  static_cast<ssize_t>(contents.size())) << strerror(errno);
		EXPECT_EQ(FirstNonZero(contents.data(), contents.size()), std::nullopt)
			<< "the resized buffer is not zeroed";

		/* Resizing to the same size gives zeroed pages as well. */
		ASSERT_EQ(pwrite(fd_.get(), &marker, 1, 0), 1) << strerror(errno);
		ASSERT_EQ(SetSize(fd_.get(), target), 0) << strerror(errno);
		ASSERT_EQ(pread(fd_.get(), contents.data(), 1, 0), 1) << strerror(errno);
		EXPECT_EQ(contents[0], 0) << "resize to the same size kept the data";
	}

	/* The new size bounds mmap(). */
	{
		Mapping too_long = Map(target + 1);

		EXPECT_FALSE(too_long);
		EXPECT_EQ(too_long.error(), ENXIO);
	}
	auto mapping = Map(target);

	ASSERT_MAPPED(mapping);
	EXPECT_EQ(FirstNonZero(mapping.data(), mapping.size()), std::nullopt);

	/* Another open file of the node keeps the default geometry. */
	UniqueFd other = OpenDevice(Path());
	mmapdemo_info other_info{};

	ASSERT_TRUE(other) << strerror(errno);
	ASSERT_EQ(QueryInfo(other.get(), &other_info), 0) << strerror(errno);
	EXPECT_EQ(other_info.nr_pages, original);
}

/* The size is fixed by the first successful mmap(), for good. */
TEST_P(Mmapdemo, SetSizeBusyOnceMapped)
{
	const uint64_t other_size = pages_ > 1 ? pages_ - 1 : 1;

	/*
	 * Failed mmap() calls fix nothing: one the driver's bounds check
	 * refuses and, where the table says it is refused, MAP_PRIVATE.
	 */
	{
		Mapping past_end = Map(1, pages_);

		ASSERT_FALSE(past_end);
		if (semantics().private_errno) {
			Mapping private_map = Mapping::Create(fd_.get(), Bytes(1), 0,
							      MAP_PRIVATE);

			ASSERT_FALSE(private_map);
		}
	}
	ASSERT_NO_FATAL_FAILURE(RefreshInfo());
	EXPECT_EQ(info_.flags & MMAPDEMO_INFO_SIZE_FIXED, 0U);
	ASSERT_EQ(SetSize(fd_.get(), other_size), 0)
		<< "a failed mmap() must not fix the size: " << strerror(errno);
	ASSERT_NO_FATAL_FAILURE(RefreshInfo());

	auto mapping = Map(1);

	ASSERT_MAPPED(mapping);
	ASSERT_NO_FATAL_FAILURE(RefreshInfo());
	EXPECT_NE(info_.flags & MMAPDEMO_INFO_SIZE_FIXED, 0U);

	const uint64_t another = pages_ + 1 <= info_.max_pages ? pages_ + 1 : 1;

	EXPECT_EQ(SetSize(fd_.get(), another), EBUSY) << "while mapped";
	EXPECT_EQ(SetSize(fd_.get(), pages_), EBUSY) << "same size, while mapped";

	ASSERT_EQ(mapping.Unmap(), 0);
	EXPECT_EQ(SetSize(fd_.get(), another), EBUSY) << "after munmap()";

	ASSERT_NO_FATAL_FAILURE(RefreshInfo());
	EXPECT_EQ(pages_, other_size);
	EXPECT_NE(info_.flags & MMAPDEMO_INFO_SIZE_FIXED, 0U);
}

INSTANTIATE_TEST_SUITE_P(, Mmapdemo, testing::ValuesIn(kStrategies), StrategyName);

} /* namespace */
} /* namespace mmapdemo */

int main(int argc, char **argv)
{
	return mmapdemo::RunTestProgram(argc, argv);
}
