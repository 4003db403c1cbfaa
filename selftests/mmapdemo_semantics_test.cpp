// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo_semantics_test - check every cell of the semantics table
 *
 * Documentation/misc-devices/mmapdemo.rst has a table, "Semantics of each
 * strategy", that says what each /dev/mmapdemo-<strategy> node does when
 * user space does more than map and touch: MAP_PRIVATE, fork(), mremap(),
 * munmap() of a part, mprotect(), madvise(), get_user_pages() users, the
 * VMA flags, races between faults. scripts/gen-semantics.py turns the table
 * into drivers/misc/mmapdemo/tests/mmapdemo_semantics.h, which this program
 * and the KUnit tests include, so the documentation cannot claim anything
 * the tests do not check.
 *
 * There is one test per column, run on every strategy of kStrategies; each
 * reads its cell from the strategy's row (StrategyTest::semantics()) and
 * checks exactly that, so a test never names a strategy. A failure message
 * starts with the cell it checked ("table: mremap grow = EFAULT").
 *
 * Like mmapdemo_test, it prints KTAP, loads the module if the nodes are
 * missing and skips when it cannot test; extra arguments are GoogleTest
 * flags (KSELFTEST_MMAPDEMO_SEMANTICS_TEST_ARGS under run_tests).
 * GetUserPagesODirect needs a loop device (CONFIG_BLK_DEV_LOOP) and
 * GetUserPagesProcessVmReadv needs CONFIG_CROSS_MEMORY_ATTACH; each skips
 * alone without.
 *
 * The documentation's second table, "Bad input and its answer", comes in
 * as drivers/misc/mmapdemo/tests/mmapdemo_bad_input.h: BadInput.Answer tries
 * each of its rows on each strategy the row applies to and checks the
 * answer (errno, signal or success) and that the request changed nothing.
 */

#include "mmapdemo_gtest.hpp"
#include "../../../../drivers/misc/mmapdemo/tests/mmapdemo_bad_input.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <csetjmp>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mmapdemo {
namespace {

class Semantics : public StrategyTest {};

/* "0 (success)" or "22 (Invalid argument)", for messages. */
std::string ErrnoText(int err)
{
	return std::to_string(err) + " (" + (err ? strerror(err) : "success") + ")";
}

/* The words of the table for a fault count. */
const char *FaultCountText(mmapdemo_fault_count count)
{
	switch (count) {
	case MMAPDEMO_FAULTS_NONE:
		return "0";
	case MMAPDEMO_FAULTS_PER_PAGE:
		return "1 per page";
	case MMAPDEMO_FAULTS_PER_VMA:
		return "1 per VMA";
	}
	return "?";
}

/*
 * The table's cell for a column whose success word is @word: the word
 * itself, or the errno the operation fails with.
 */
std::string Cell(const char *column, int err, const char *word)
{
	return std::string("table: ") + column + " = " +
	       (err ? ErrnoText(err) : std::string(word));
}

std::string Cell(const char *column, mmapdemo_fault_count count)
{
	return std::string("table: ") + column + " = " + FaultCountText(count);
}

/*
 * The fault-handler calls and the pages inserted when @touched pages of
 * one VMA of @mapped pages are touched for the first time, as a fault
 * count of the table says: none, one per page, or one per VMA that maps
 * the whole VMA.
 */
mmapdemo_stats TouchCounters(mmapdemo_fault_count count, uint64_t touched,
			     uint64_t mapped)
{
	mmapdemo_stats stats{};

	switch (count) {
	case MMAPDEMO_FAULTS_NONE:
		break;
	case MMAPDEMO_FAULTS_PER_PAGE:
		stats.faults = touched;
		stats.pages_inserted = touched;
		break;
	case MMAPDEMO_FAULTS_PER_VMA:
		stats.faults = touched ? 1 : 0;
		stats.pages_inserted = touched ? mapped : 0;
		break;
	}
	return stats;
}

/* Just the counters a fault count speaks of. */
mmapdemo_stats FaultCounters(const mmapdemo_stats &stats)
{
	mmapdemo_stats only{};

	only.faults = stats.faults;
	only.pages_inserted = stats.pages_inserted;
	return only;
}

/* Allocations minus frees, which may both grow when faults race. */
int64_t NetAllocated(const mmapdemo_stats &delta)
{
	return static_cast<int64_t>(delta.pages_allocated) -
	       static_cast<int64_t>(delta.pages_freed);
}

/* Read the byte at @addr: a load the compiler must really do. */
uint8_t Load(const uint8_t *addr)
{
	return *static_cast<const volatile uint8_t *>(addr);
}

/*
 * Reading a byte that may raise SIGBUS or SIGSEGV, without dying of it:
 * the handler jumps back into ProbeRead(). Only the main thread probes.
 */
sigjmp_buf probe_jump;
volatile sig_atomic_t probe_signal;

void ProbeHandler(int sig)
{
	probe_signal = sig;
	siglongjmp(probe_jump, 1);
}

struct Probe {
	int signal;	/* the signal the read raised, 0 if none */
	uint8_t value;	/* the byte read, if no signal */
};

Probe ProbeRead(const uint8_t *addr)
{
	struct sigaction action {}, old_bus{}, old_segv{};
	/* Locals written after sigsetjmp() must be volatile to survive the jump. */
	volatile uint8_t value = 0;
	volatile int signal = 0;

	action.sa_handler = ProbeHandler;
	sigemptyset(&action.sa_mask);
	sigaction(SIGBUS, &action, &old_bus);
	sigaction(SIGSEGV, &action, &old_segv);
	probe_signal = 0;
	/* 1: the jump out of the handler unblocks the signal again. */
	if (sigsetjmp(probe_jump, 1) == 0)
		value = Load(addr);
	else
		signal = probe_signal;
	sigaction(SIGBUS, &old_bus, nullptr);
	sigaction(SIGSEGV, &old_segv, nullptr);
	return { signal, value };
}

/* Whether @len bytes at @addr are mapped at all: mincore() says ENOMEM if not. */
bool IsMapped(const uint8_t *addr, size_t len)
{
	std::vector<unsigned char> residency((len + PageSize() - 1) / PageSize());

	return mincore(const_cast<uint8_t *>(addr), len, residency.data()) == 0;
}

/* The smaps names of the flags the table speaks of, and their bits. */
constexpr struct {
	const char *name;
	unsigned int bit;
} kTableVmFlags[] = {
	{ "io", MMAPDEMO_VMF_IO },
	{ "pf", MMAPDEMO_VMF_PF },
	{ "mm", MMAPDEMO_VMF_MM },
	{ "de", MMAPDEMO_VMF_DE },
	{ "dd", MMAPDEMO_VMF_DD },
};

/* Write a marker at the start of each page of a mapping. */
void MarkPages(const Mapping &mapping, uint64_t pages, size_t page_size,
	       uint8_t salt)
{
	for (uint64_t page = 0; page < pages; page++)
		mapping.data()[page * page_size] = PageMarker(page, salt);
	barrier();
}

/*
 * The faults column: touch 5 of the 8 pages of a new mapping. A strategy
 * that maps at mmap() time takes no fault, one that maps on fault takes
 * one per page touched, and pfn one for the whole VMA, inserting all 8.
 * Touching the pages again costs nothing. The counter model of
 * mmapdemo_common.hpp, which mmapdemo_test and the demo use, must agree.
 */
TEST_P(Semantics, FaultsWhenPagesAreFirstTouched)
{
	constexpr uint64_t kMapped = 8, kTouched = 5;
	const mmapdemo_fault_count faults = semantics().faults;

	SCOPED_TRACE(Cell("faults", faults));
	ASSERT_NO_FATAL_FAILURE(UsePages(kMapped));

	const mmapdemo_stats before = Stats();
	auto mapping = Map(kMapped);

	ASSERT_MAPPED(mapping);
	const mmapdemo_stats mapped = Stats();

	/* Reads and writes both fault; take turns. */
	for (uint64_t page = 0; page < kTouched; page++) {
		if (page % 2)
			mapping.data()[Bytes(page)] = PageMarker(page, 1);
		else
			(void)Load(mapping.data() + Bytes(page));
	}
	barrier();
	const mmapdemo_stats touched = Stats();

	EXPECT_EQ(FaultCounters(touched - mapped),
		  TouchCounters(faults, kTouched, kMapped))
		<< "the first touch of " << kTouched << " of " << kMapped << " pages";

	for (uint64_t page = 0; page < kMapped; page++)
		(void)Load(mapping.data() + Bytes(page));
	for (uint64_t page = 0; page < kTouched; page++)
		mapping.data()[Bytes(page) + 1] = PageMarker(page, 2);
	barrier();
	EXPECT_EQ((Stats() - touched).faults,
		  faults == MMAPDEMO_FAULTS_PER_PAGE ? kMapped - kTouched : 0)
		<< "touching the pages again (and the untouched ones once)";

	/* The model predicts mmap() and the touches apart; compare both. */
	EXPECT_EQ(mapped - before, ExpectedForMmap(strategy(), kMapped))
		<< "mmapdemo_common.hpp's counter model disagrees with the driver on mmap()";
	EXPECT_EQ(touched - mapped, ExpectedForFirstTouch(strategy(), kTouched, false, kMapped))
		<< "mmapdemo_common.hpp's counter model disagrees with the driver on the touches";
}

/*
 * MAP_PRIVATE is refused with EINVAL, or maps copy-on-write: reads see the
 * file's buffer, a private write lands in a copy that neither read() nor a
 * shared mapping of the file ever sees.
 */
TEST_P(Semantics, MapPrivate)
{
	const int expected = semantics().private_errno;

	SCOPED_TRACE(Cell("MAP_PRIVATE", expected, "copy-on-write"));
	ASSERT_NO_FATAL_FAILURE(UsePages(3));

	if (expected) {
		for (int prot : { PROT_READ | PROT_WRITE, PROT_READ }) {
			auto mapping = Mapping::Create(fd_.get(), Bytes(3), 0,
							  MAP_PRIVATE, prot);

			SCOPED_TRACE(prot & PROT_WRITE ? "read-write" : "read-only");
			EXPECT_FALSE(mapping) << "mmap(MAP_PRIVATE) succeeded";
			EXPECT_EQ(mapping.error(), expected) << ErrnoText(mapping.error());
		}
		EXPECT_EQ(Stats().mmaps, 0U) << "a refused mmap() was counted";
		return;
	}

	ASSERT_FALSE(strategy().per_mapping)
		<< "copy-on-write of a per-mapping strategy: no buffer to copy from";
	for (uint64_t page = 0; page < 3; page++) {
		const uint8_t marker = PageMarker(page, 1);

		ASSERT_EQ(pwrite(fd_.get(), &marker, 1, Bytes(page)), 1) << strerror(errno);
	}

	Mapping priv = Mapping::Create(fd_.get(), Bytes(3), 0, MAP_PRIVATE);

	ASSERT_MAPPED(priv);
	for (uint64_t page = 0; page < 3; page++)
		EXPECT_EQ(Load(priv.data() + Bytes(page)), PageMarker(page, 1))
			<< "a private read of page " << page << " misses the buffer's data";

	/* Write pages 0 and 1 privately; page 2 stays the file's. */
	priv.data()[Bytes(0)] = PageMarker(0, 3);
	priv.data()[Bytes(1)] = PageMarker(1, 3);
	barrier();
	EXPECT_EQ(Load(priv.data() + Bytes(0)), PageMarker(0, 3));
	EXPECT_EQ(Load(priv.data() + Bytes(1)), PageMarker(1, 3));
	EXPECT_EQ(Load(priv.data() + Bytes(2)), PageMarker(2, 1));

	Mapping shared = Map(3);

	ASSERT_MAPPED(shared);
	for (uint64_t page = 0; page < 3; page++) {
		uint8_t byte = 0;

		SCOPED_TRACE("page " + std::to_string(page));
		ASSERT_EQ(pread(fd_.get(), &byte, 1, Bytes(page)), 1) << strerror(errno);
		EXPECT_EQ(byte, PageMarker(page, 1)) << "read() sees a private write";
		EXPECT_EQ(Load(shared.data() + Bytes(page)), PageMarker(page, 1))
			<< "a shared mapping sees a private write";
	}
}

/*
 * fork() with a mapping the parent has touched in full: the child touches
 * every page again and takes no fault where fork() copied the page tables
 * (VM_PFNMAP, VM_MIXEDMAP), one per page where the core mm leaves an
 * ordinary shared VMA to fault again. Either way the child sees the
 * parent's data and its writes reach the parent, and no memory is added.
 */
TEST_P(Semantics, ForkChildFaults)
{
	enum ChildStatus { kChildOk, kChildMissedParentWrite };
	const mmapdemo_fault_count expected = semantics().fork_child_faults;

	SCOPED_TRACE(Cell("fork child faults", expected));
	ASSERT_NO_FATAL_FAILURE(UsePages(3));

	auto mapping = Map(3);

	ASSERT_MAPPED(mapping);
	MarkPages(mapping, 3, page_size_, 1);

	const mmapdemo_stats before = Stats();
	const pid_t child = fork();

	ASSERT_GE(child, 0) << "fork: " << strerror(errno);
	if (child == 0) {
		/* No GoogleTest in the child: the exit code tells. */
		for (uint64_t page = 0; page < 3; page++) {
			if (Load(mapping.data() + Bytes(page)) != PageMarker(page, 1))
				_exit(kChildMissedParentWrite);
			mapping.data()[Bytes(page)] = PageMarker(page, 2);
		}
		_exit(kChildOk);
	}

	int status;

	ASSERT_EQ(waitpid(child, &status, 0), child) << strerror(errno);
	ASSERT_TRUE(WIFEXITED(status)) << "child died, status " << status;
	EXPECT_NE(WEXITSTATUS(status), kChildMissedParentWrite)
		<< "the child does not see the parent's data";
	EXPECT_EQ(WEXITSTATUS(status), kChildOk);

	const mmapdemo_stats delta = Stats() - before;

	EXPECT_EQ(FaultCounters(delta), TouchCounters(expected, 3, 3))
		<< "the child touching all 3 pages";
	EXPECT_EQ(delta.pages_allocated, 0U) << "the child got memory of its own";
	EXPECT_EQ(delta.pages_freed, 0U) << "the child's exit freed memory";
	for (uint64_t page = 0; page < 3; page++)
		EXPECT_EQ(Load(mapping.data() + Bytes(page)), PageMarker(page, 2))
			<< "the child's write to page " << page << " is missing in the parent";
}

/*
 * A range of @pages pages reserved with an inaccessible anonymous mapping,
 * so nothing else is placed there; unmapped when it goes out of scope
 * (whatever was mapped over it since).
 */
class Reservation {
public:
	Reservation(size_t pages, size_t page_size) : len_(pages * page_size)
	{
		addr_ = mmap(nullptr, len_, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	}
	Reservation(const Reservation &) = delete;
	Reservation &operator=(const Reservation &) = delete;
	~Reservation()
	{
		if (addr_ != MAP_FAILED)
			munmap(addr_, len_);
	}

	explicit operator bool() const { return addr_ != MAP_FAILED; }
	uint8_t *data() const { return static_cast<uint8_t *>(addr_); }

private:
	void *addr_;
	size_t len_;
};

/*
 * mremap() growth of a 1-page mapping of a 3-page file to 5 pages, where it
 * cannot grow in place (the next 4 pages are taken) and MREMAP_MAYMOVE lets
 * it move. EFAULT where VM_DONTEXPAND or VM_PFNMAP forbid it, and the
 * mapping is left as it was. Otherwise the pages still in the file fault
 * in with its data and the 2 pages past its end raise SIGBUS: the fault
 * handler, not mmap(), is what keeps such a mapping inside the file.
 *
 * Then the same growth with the 4 pages after the mapping free: an ordinary
 * VMA grows in place; a VM_MIXEDMAP one (VmFlags mm) cannot, since 7.3's
 * core mm grows in place by merging and never merges VM_MIXEDMAP VMAs, and
 * fails with ENOMEM although it could move.
 */
TEST_P(Semantics, MremapGrow)
{
	const int expected = semantics().grow_errno;
	const bool buffer = !strategy().per_mapping;

	SCOPED_TRACE(Cell("mremap grow", expected, "SIGBUS past end"));
	ASSERT_NO_FATAL_FAILURE(UsePages(3));
	if (buffer) {
		for (uint64_t page = 0; page < 3; page++) {
			const uint8_t marker = PageMarker(page, 1);

			ASSERT_EQ(pwrite(fd_.get(), &marker, 1, Bytes(page)), 1)
				<< strerror(errno);
		}
	}

	for (const bool room_after : { false, true }) {
		SCOPED_TRACE(room_after ? "the 4 pages after it free" : "no room after it");

		Reservation range(5, page_size_);

		ASSERT_TRUE(range) << strerror(errno);

		auto mapping = Mapping::Create(fd_.get(), Bytes(1), 0, MAP_SHARED | MAP_FIXED,
						  PROT_READ | PROT_WRITE, range.data());

		ASSERT_MAPPED(mapping);
		if (room_after) {
			ASSERT_EQ(munmap(range.data() + Bytes(1), Bytes(4)), 0) << strerror(errno);
		}
		mapping.data()[1] = 0x5a;
		barrier();

		const bool in_place_refused = !expected && room_after &&
					      (semantics().vm_flags & MMAPDEMO_VMF_MM);
		const int want = in_place_refused ? ENOMEM : expected;
		const int err = mapping.Remap(Bytes(5), MREMAP_MAYMOVE);

		ASSERT_EQ(err, want) << "mremap() to 5 pages: " << ErrnoText(err);
		EXPECT_EQ(mapping.size(), Bytes(want ? 1 : 5));
		EXPECT_EQ(Load(mapping.data() + 1), 0x5a) << "page 0 lost its data";
		if (want)
			continue;
		if (room_after) {
			EXPECT_EQ(mapping.data(), range.data()) << "grew by moving, not in place";
		} else {
			EXPECT_NE(mapping.data(), range.data()) << "grew in place over a mapping";
		}

		for (uint64_t page = 0; page < 5; page++) {
			const auto probe = ProbeRead(mapping.data() + Bytes(page));

			SCOPED_TRACE("page " + std::to_string(page) + " of the grown mapping");
			if (page >= 3) {
				EXPECT_EQ(probe.signal, SIGBUS)
					<< "a page past the file's end did not raise SIGBUS ("
					<< (probe.signal ? strsignal(probe.signal) : "no signal") << ")";
				continue;
			}
			ASSERT_EQ(probe.signal, 0) << "a page inside the file raised "
						   << strsignal(probe.signal);
			EXPECT_EQ(probe.value, buffer ? PageMarker(page, 1) : 0);
		}
		/* Unmapped before the reservation goes, wherever it is now. */
		ASSERT_EQ(mapping.Unmap(), 0);
	}
}

/*
 * mremap() moving a mapping to an address of our choosing (a reservation
 * it replaces): the data moves with it and the old range is unmapped.
 */
TEST_P(Semantics, MremapMove)
{
	const int expected = semantics().move_errno;

	SCOPED_TRACE(Cell("mremap move", expected, "moved"));
	ASSERT_NO_FATAL_FAILURE(UsePages(3));

	auto mapping = Map(3);

	ASSERT_MAPPED(mapping);
	MarkPages(mapping, 3, page_size_, 1);

	void *target = mmap(nullptr, Bytes(3), PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	ASSERT_NE(target, MAP_FAILED) << "reserving the target: " << strerror(errno);

	uint8_t *const old_addr = mapping.data();
	const int err = mapping.Remap(Bytes(3), MREMAP_MAYMOVE | MREMAP_FIXED, target);

	if (err)
		munmap(target, Bytes(3));
	ASSERT_EQ(err, expected) << "mremap(MREMAP_FIXED): " << ErrnoText(err);
	if (expected)
		return;

	EXPECT_EQ(mapping.data(), target);
	EXPECT_FALSE(IsMapped(old_addr, Bytes(3))) << "the old range is still mapped";
	for (uint64_t page = 0; page < 3; page++)
		EXPECT_EQ(Load(mapping.data() + Bytes(page)), PageMarker(page, 1))
			<< "page " << page << " after the move";

	/* The moved mapping still reaches the file's buffer. */
	if (!strategy().per_mapping) {
		uint8_t byte = 0;

		mapping.data()[Bytes(2) + 1] = 0x77;
		barrier();
		ASSERT_EQ(pread(fd_.get(), &byte, 1, Bytes(2) + 1), 1) << strerror(errno);
		EXPECT_EQ(byte, 0x77) << "a write through the moved mapping";
	}
}

/*
 * munmap() of the middle page of a 3-page mapping splits its VMA in two;
 * both keep their pages (per-mapping pages too: vm_ops->open counts the
 * new VMA) and the file's buffer keeps the middle page's data.
 */
TEST_P(Semantics, MunmapOfAMiddlePage)
{
	const int expected = semantics().split_errno;

	SCOPED_TRACE(Cell("munmap part", expected, "split"));
	ASSERT_NO_FATAL_FAILURE(UsePages(3));

	auto mapping = Map(3);

	ASSERT_MAPPED(mapping);
	MarkPages(mapping, 3, page_size_, 1);

	const int err = ErrnoOf(munmap(mapping.data() + Bytes(1), Bytes(1)));

	ASSERT_EQ(err, expected) << "munmap() of page 1: " << ErrnoText(err);
	if (expected)
		return;

	EXPECT_FALSE(IsMapped(mapping.data() + Bytes(1), Bytes(1)))
		<< "page 1 is still mapped";
	EXPECT_EQ(Load(mapping.data()), PageMarker(0, 1)) << "page 0";
	EXPECT_EQ(Load(mapping.data() + Bytes(2)), PageMarker(2, 1)) << "page 2";

	if (!strategy().per_mapping) {
		uint8_t byte = 0;

		ASSERT_EQ(pread(fd_.get(), &byte, 1, Bytes(1)), 1) << strerror(errno);
		EXPECT_EQ(byte, PageMarker(1, 1)) << "the buffer lost the unmapped page";
	}
	/* The Mapping's munmap() of all 3 pages steps over the hole. */
}

/*
 * A PROT_READ mapping of a file opened read-write may be made writable
 * with mprotect(); writes then reach the memory (the buffer, seen by
 * read(), or the mapping's own pages). On a file opened read-only the core
 * mm refuses with EACCES: the mapping never had VM_MAYWRITE.
 */
TEST_P(Semantics, MprotectAddWrite)
{
	const int expected = semantics().mprotect_errno;

	SCOPED_TRACE(Cell("mprotect +W", expected, "writable"));
	ASSERT_NO_FATAL_FAILURE(UsePages(3));

	auto mapping = Map(3, 0, PROT_READ);

	ASSERT_MAPPED(mapping);
	/* Fault the pages in read-only first: the write then upgrades them. */
	for (uint64_t page = 0; page < 3; page++)
		EXPECT_EQ(Load(mapping.data() + Bytes(page)), 0) << "page " << page;

	const int err = ErrnoOf(mprotect(mapping.data(), Bytes(3),
					 PROT_READ | PROT_WRITE));

	EXPECT_EQ(err, expected) << "mprotect(PROT_READ | PROT_WRITE): " << ErrnoText(err);
	if (!err) {
		MarkPages(mapping, 3, page_size_, 1);
		for (uint64_t page = 0; page < 3; page++) {
			uint8_t byte = Load(mapping.data() + Bytes(page));

			SCOPED_TRACE("page " + std::to_string(page));
			if (!strategy().per_mapping) {
				ASSERT_EQ(pread(fd_.get(), &byte, 1, Bytes(page)), 1)
					<< strerror(errno);
			}
			EXPECT_EQ(byte, PageMarker(page, 1)) << "the write was lost";
		}
	}

	UniqueFd read_only = OpenDevice(Path(), O_RDONLY);

	ASSERT_TRUE(read_only) << "open O_RDONLY: " << strerror(errno);

	Mapping ro = Mapping::Create(read_only.get(), Bytes(1), 0, MAP_SHARED, PROT_READ);

	ASSERT_MAPPED(ro);
	EXPECT_EQ(ErrnoOf(mprotect(ro.data(), Bytes(1), PROT_READ | PROT_WRITE)), EACCES)
		<< "mprotect(+W) of a mapping of a file opened O_RDONLY";
}

/*
 * MADV_DONTNEED drops the page-table entries. EINVAL on VM_PFNMAP, with
 * the mapping untouched. Elsewhere the memory stays with its owner: each
 * page touched again faults exactly once more (also for strategies that
 * map everything at mmap() time: their ->fault is the fallback), maps the
 * same page with the same data, and nothing is allocated.
 */
TEST_P(Semantics, MadviseDontneed)
{
	const int expected = semantics().dontneed_errno;

	SCOPED_TRACE(Cell("MADV_DONTNEED", expected, "kept, re-faults"));
	ASSERT_NO_FATAL_FAILURE(UsePages(3));

	auto mapping = Map(3);

	ASSERT_MAPPED(mapping);
	MarkPages(mapping, 3, page_size_, 1);

	const mmapdemo_stats before = Stats();
	const int err = ErrnoOf(madvise(mapping.data(), Bytes(3), MADV_DONTNEED));

	ASSERT_EQ(err, expected) << "madvise(MADV_DONTNEED): " << ErrnoText(err);

	for (uint64_t page = 0; page < 3; page++)
		EXPECT_EQ(Load(mapping.data() + Bytes(page)), PageMarker(page, 1))
			<< "page " << page << " lost its data";
	MarkPages(mapping, 3, page_size_, 2);

	const mmapdemo_stats delta = Stats() - before;
	mmapdemo_stats refaults{};

	if (!expected) {
		refaults.faults = 3;
		refaults.pages_inserted = 3;
	}
	EXPECT_EQ(delta, refaults) << "touching the 3 pages again, twice";

	if (!strategy().per_mapping) {
		uint8_t byte = 0;

		ASSERT_EQ(pread(fd_.get(), &byte, 1, Bytes(2)), 1) << strerror(errno);
		EXPECT_EQ(byte, PageMarker(2, 2)) << "the page mapped again is not the buffer's";
	}
}

/* A page-aligned anonymous buffer of @size bytes, for O_DIRECT and copies. */
Mapping AnonymousBuffer(size_t size)
{
	return Mapping::Create(-1, size, 0, MAP_PRIVATE | MAP_ANONYMOUS);
}

/*
 * process_vm_readv() of our own mapping into a plain buffer. The kernel
 * pins the mapping's pages with get_user_pages(), which works on
 * reference-counted pages and fails with EFAULT on VM_PFNMAP and VM_IO
 * ranges, where there is no page to pin.
 */
TEST_P(Semantics, GetUserPagesProcessVmReadv)
{
	const int expected = semantics().gup_errno;

	/* Nothing to copy: fails only where the system call is missing. */
	if (ErrnoOf(process_vm_readv(getpid(), nullptr, 0, nullptr, 0, 0)) == ENOSYS)
		GTEST_SKIP() << "process_vm_readv() is not built in (CONFIG_CROSS_MEMORY_ATTACH)";
	SCOPED_TRACE(Cell("get_user_pages", expected, "works"));
	ASSERT_NO_FATAL_FAILURE(UsePages(3));

	auto mapping = Map(3);

	ASSERT_MAPPED(mapping);
	for (size_t offset = 0; offset < mapping.size(); offset++)
		mapping.data()[offset] = PatternByte(offset);
	barrier();

	std::vector<uint8_t> copy(mapping.size());
	const iovec local = { copy.data(), copy.size() };
	const iovec remote = { mapping.data(), mapping.size() };
	const ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	const int err = ErrnoOf(n);

	if (expected) {
		EXPECT_EQ(n, -1) << "process_vm_readv() succeeded";
		EXPECT_EQ(err, expected) << ErrnoText(err);
		return;
	}
	ASSERT_EQ(n, static_cast<ssize_t>(copy.size())) << ErrnoText(err);
	EXPECT_EQ(FirstPatternMismatch(copy.data(), copy.size()), std::nullopt);
}

/*
 * vmsplice() of the mapping into a pipe: the pipe takes references on the
 * mapping's pages (get_user_pages() again), and reading the pipe gives
 * their data.
 */
TEST_P(Semantics, GetUserPagesVmsplice)
{
	const int expected = semantics().gup_errno;

	SCOPED_TRACE(Cell("get_user_pages", expected, "works"));
	ASSERT_NO_FATAL_FAILURE(UsePages(3));

	auto mapping = Map(3);

	ASSERT_MAPPED(mapping);
	for (size_t offset = 0; offset < mapping.size(); offset++)
		mapping.data()[offset] = PatternByte(offset);
	barrier();

	int pipe_fds[2];

	ASSERT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0) << strerror(errno);

	UniqueFd pipe_in(pipe_fds[0]), pipe_out(pipe_fds[1]);
	const iovec iov = { mapping.data(), mapping.size() };
	/* Non-blocking: a pipe too small for 3 pages must not hang the test. */
	const ssize_t n = vmsplice(pipe_out.get(), &iov, 1, SPLICE_F_NONBLOCK);
	const int err = ErrnoOf(n);

	if (expected) {
		EXPECT_EQ(n, -1) << "vmsplice() succeeded";
		EXPECT_EQ(err, expected) << ErrnoText(err);
		return;
	}
	ASSERT_EQ(n, static_cast<ssize_t>(mapping.size())) << ErrnoText(err);

	std::vector<uint8_t> copy(mapping.size());
	size_t done = 0;

	while (done < copy.size()) {
		const ssize_t got = read(pipe_in.get(), copy.data() + done, copy.size() - done);

		ASSERT_GT(got, 0) << "read from the pipe: " << strerror(errno);
		done += static_cast<size_t>(got);
	}
	EXPECT_EQ(FirstPatternMismatch(copy.data(), copy.size()), std::nullopt);
}

/*
 * A loop device over an anonymous memory file (memfd), for O_DIRECT I/O
 * that reaches a real block device. It is detached by the kernel when
 * @device, opened with O_DIRECT, is closed (LO_FLAGS_AUTOCLEAR).
 */
void AttachLoopDevice(size_t size, UniqueFd *device)
{
	UniqueFd control(open("/dev/loop-control", O_RDWR | O_CLOEXEC));

	ASSERT_TRUE(control) << "open /dev/loop-control: " << strerror(errno);

	UniqueFd backing(memfd_create("mmapdemo-loop", MFD_CLOEXEC));

	ASSERT_TRUE(backing) << "memfd_create: " << strerror(errno);
	ASSERT_EQ(ftruncate(backing.get(), static_cast<off_t>(size)), 0) << strerror(errno);

	/* Another program may take the free device first: try again. */
	for (int attempt = 0; attempt < 10; attempt++) {
		const int number = ioctl(control.get(), LOOP_CTL_GET_FREE);

		ASSERT_GE(number, 0) << "LOOP_CTL_GET_FREE: " << strerror(errno);

		const std::string path = "/dev/loop" + std::to_string(number);
		UniqueFd dev;

		/* devtmpfs creates the node; give udev a moment if it does it. */
		for (int wait = 0; wait < 20; wait++) {
			dev.reset(open(path.c_str(), O_RDWR | O_DIRECT | O_CLOEXEC));
			if (dev || errno != ENOENT)
				break;
			std::this_thread::sleep_for(std::chrono::milliseconds(50));
		}
		ASSERT_TRUE(dev) << "open " << path << ": " << strerror(errno);

		loop_config config{};

		config.fd = static_cast<__u32>(backing.get());
		config.info.lo_flags = LO_FLAGS_AUTOCLEAR;
		if (ioctl(dev.get(), LOOP_CONFIGURE, &config) == 0) {
			*device = std::move(dev);
			return;
		}
		ASSERT_EQ(errno, EBUSY) << "LOOP_CONFIGURE " << path << ": " << strerror(errno);
	}
	FAIL() << "no free loop device after 10 attempts";
}

/*
 * O_DIRECT I/O between the mapping and a block device: the block layer
 * pins the mapping's pages with get_user_pages() and does DMA (here:
 * loop's copy) straight to or from them. Both directions, with a plain
 * buffer on the other side for the check.
 */
TEST_P(Semantics, GetUserPagesODirect)
{
	const int expected = semantics().gup_errno;

	if (access("/dev/loop-control", F_OK) != 0)
		GTEST_SKIP() << "no /dev/loop-control: O_DIRECT needs a block device "
				"and this kernel has no loop driver (CONFIG_BLK_DEV_LOOP)";
	SCOPED_TRACE(Cell("get_user_pages", expected, "works"));
	ASSERT_NO_FATAL_FAILURE(UsePages(3));

	const size_t size = Bytes(3);
	UniqueFd loop;

	ASSERT_NO_FATAL_FAILURE(AttachLoopDevice(2 * size, &loop));

	auto mapping = Map(3);
	Mapping plain = AnonymousBuffer(size);

	ASSERT_MAPPED(mapping);
	ASSERT_MAPPED(plain);
	for (size_t offset = 0; offset < size; offset++)
		mapping.data()[offset] = PatternByte(offset);
	barrier();

	/* The mapping as the source: a write to the first 3 pages of the disk. */
	ssize_t n = pwrite(loop.get(), mapping.data(), size, 0);
	int err = ErrnoOf(n);

	if (expected) {
		EXPECT_EQ(n, -1) << "an O_DIRECT write from the mapping succeeded";
		EXPECT_EQ(err, expected) << ErrnoText(err);
	} else {
		ASSERT_EQ(n, static_cast<ssize_t>(size))
			<< "O_DIRECT write from the mapping: " << ErrnoText(err);
		ASSERT_EQ(pread(loop.get(), plain.data(), size, 0), static_cast<ssize_t>(size))
			<< strerror(errno);
		EXPECT_EQ(FirstPatternMismatch(plain.data(), size), std::nullopt)
			<< "the disk does not hold what the mapping held";
	}

	/* The mapping as the destination: a read of the next 3 pages. */
	for (size_t offset = 0; offset < size; offset++)
		plain.data()[offset] = static_cast<uint8_t>(~PatternByte(offset));
	ASSERT_EQ(pwrite(loop.get(), plain.data(), size, static_cast<off_t>(size)),
		  static_cast<ssize_t>(size)) << strerror(errno);

	n = pread(loop.get(), mapping.data(), size, static_cast<off_t>(size));
	err = ErrnoOf(n);
	barrier();
	if (expected) {
		EXPECT_EQ(n, -1) << "an O_DIRECT read into the mapping succeeded";
		EXPECT_EQ(err, expected) << ErrnoText(err);
		EXPECT_EQ(FirstPatternMismatch(mapping.data(), size), std::nullopt)
			<< "a failed read changed the mapping";
		return;
	}
	ASSERT_EQ(n, static_cast<ssize_t>(size))
		<< "O_DIRECT read into the mapping: " << ErrnoText(err);
	for (size_t offset = 0; offset < size; offset++) {
		if (mapping.data()[offset] != static_cast<uint8_t>(~PatternByte(offset))) {
			ADD_FAILURE() << "the mapping differs from the disk at byte " << offset;
			break;
		}
	}
	if (!strategy().per_mapping) {
		uint8_t byte = 0;

		ASSERT_EQ(pread(fd_.get(), &byte, 1, Bytes(2) + 5), 1) << strerror(errno);
		EXPECT_EQ(byte, static_cast<uint8_t>(~PatternByte(Bytes(2) + 5)))
			<< "the O_DIRECT read did not reach the file's buffer";
	}
}

/*
 * The VMA flags in /proc/self/smaps: exactly the table's among io, pf, mm,
 * de and dd, as mmap() left them and still after every page faulted in.
 */
TEST_P(Semantics, VmFlagsInSmaps)
{
	const unsigned int expected = semantics().vm_flags;
	std::string cell;

	for (const auto &flag : kTableVmFlags)
		if (expected & flag.bit)
			cell += std::string(cell.empty() ? "" : " ") + flag.name;
	SCOPED_TRACE("table: VmFlags = " + cell);
	ASSERT_NO_FATAL_FAILURE(UsePages(3));

	auto mapping = Map(3);

	ASSERT_MAPPED(mapping);
	for (const char *when : { "after mmap()", "after touching every page" }) {
		SCOPED_TRACE(when);

		const std::set<std::string> flags = VmFlagsOf(mapping.data());

		ASSERT_FALSE(flags.empty()) << "no VmFlags for the mapping in /proc/self/smaps";
		for (const auto &flag : kTableVmFlags)
			EXPECT_EQ(flags.count(flag.name) != 0, (expected & flag.bit) != 0)
				<< "VmFlags " << flag.name;
		MarkPages(mapping, 3, page_size_, 1);
	}
}

/*
 * Every mapping is VM_DONTDUMP. MADV_DODUMP asks for the memory back in
 * core dumps; the core mm refuses it with EINVAL on VM_IO, VM_PFNMAP,
 * VM_MIXEDMAP and VM_DONTEXPAND VMAs, and the flag stays. Where it is
 * allowed, dd goes from VmFlags.
 */
TEST_P(Semantics, MadviseDodump)
{
	const int expected = semantics().dodump_errno;

	SCOPED_TRACE(Cell("MADV_DODUMP", expected, "allowed"));
	ASSERT_NO_FATAL_FAILURE(UsePages(3));

	auto mapping = Map(3);

	ASSERT_MAPPED(mapping);

	const int err = ErrnoOf(madvise(mapping.data(), Bytes(3), MADV_DODUMP));

	EXPECT_EQ(err, expected) << "madvise(MADV_DODUMP): " << ErrnoText(err);

	const std::set<std::string> flags = VmFlagsOf(mapping.data());

	ASSERT_FALSE(flags.empty()) << "no VmFlags for the mapping in /proc/self/smaps";
	EXPECT_EQ(flags.count("dd") != 0, err != 0) << "VmFlags dd after MADV_DODUMP";
}

/*
 * A start line for threads: all wait until the last one arrives, so their
 * first touches hit the same fresh pages at the same time.
 */
class StartLine {
public:
	explicit StartLine(int runners) : waiting_(runners) {}

	void Wait()
	{
		std::unique_lock<std::mutex> lock(mutex_);

		if (--waiting_ == 0)
			go_.notify_all();
		else
			go_.wait(lock, [this] { return waiting_ == 0; });
	}

private:
	std::mutex mutex_;
	std::condition_variable go_;
	int waiting_;
};

/*
 * 8 threads touch the same 64 pages of a new mapping at once, half of them
 * reading, half writing, so faults on one address race (and, for lazy,
 * allocations of one page). Every thread must read the right data, and
 * each address ends up with exactly one page-table entry, the file's own
 * page: written afterwards through the mapping, it shows in read().
 *
 * pages_inserted: where the driver inserts each page itself and learns from
 * -EBUSY that it lost the race, it equals the pages touched and faults may
 * exceed it ("exact counter: pages_inserted"). vmfpage hands its pages to
 * the core mm, which drops the loser's silently, and pfn maps its whole VMA
 * on every fault it gets: there only the lower bound holds ("none").
 */
TEST_P(Semantics, ConcurrentFaults)
{
	constexpr int kThreads = 8;
	constexpr uint64_t kPages = 64;
	const bool exact = semantics().pages_inserted_exact;
	const bool buffer = !strategy().per_mapping;

	SCOPED_TRACE(std::string("table: exact counter = ") +
		     (exact ? "pages_inserted" : "none") + ", faults = " +
		     FaultCountText(semantics().faults));
	if (info_.max_pages < kPages)
		GTEST_SKIP() << "max_pages " << info_.max_pages << " < " << kPages;
	ASSERT_NO_FATAL_FAILURE(UsePages(kPages));

	/* Even pages hold data; odd ones are left alone (holes for lazy). */
	if (buffer) {
		for (uint64_t page = 0; page < kPages; page += 2) {
			const uint8_t marker = PageMarker(page, 1);

			ASSERT_EQ(pwrite(fd_.get(), &marker, 1, Bytes(page)), 1)
				<< strerror(errno);
		}
	}
	auto expected_byte = [buffer](uint64_t page) -> uint8_t {
		return buffer && page % 2 == 0 ? PageMarker(page, 1) : 0;
	};

	const mmapdemo_stats before = Stats();
	auto mapping = Map(kPages);

	ASSERT_MAPPED(mapping);

	StartLine start(kThreads);
	std::atomic<uint64_t> wrong_reads{0};
	std::vector<std::thread> threads;

	for (int t = 0; t < kThreads; t++) {
		threads.emplace_back([&, t] {
			start.Wait();
			for (uint64_t page = 0; page < kPages; page++) {
				uint8_t *addr = mapping.data() + Bytes(page);

				/* Writers store at an offset of their own: a write fault. */
				if (t % 2)
					*static_cast<volatile uint8_t *>(addr + t) = t;
				if (Load(addr) != expected_byte(page))
					wrong_reads++;
			}
		});
	}
	for (std::thread &thread : threads)
		thread.join();
	EXPECT_EQ(wrong_reads.load(), 0U) << "threads read wrong data";

	const mmapdemo_stats delta = Stats() - before;

	EXPECT_EQ(delta.mmaps, 1U);
	if (exact)
		EXPECT_EQ(delta.pages_inserted, kPages)
			<< "pages inserted with " << delta.faults << " faults";
	else
		EXPECT_GE(delta.pages_inserted, kPages);
	switch (semantics().faults) {
	case MMAPDEMO_FAULTS_NONE:
		EXPECT_EQ(delta.faults, 0U) << "a mapping complete at mmap() faulted";
		break;
	case MMAPDEMO_FAULTS_PER_PAGE:
		EXPECT_GE(delta.faults, kPages) << "a page was mapped without a fault";
		break;
	case MMAPDEMO_FAULTS_PER_VMA:
		EXPECT_GE(delta.faults, 1U);
		EXPECT_EQ(delta.pages_inserted, delta.faults * kPages)
			<< "each fault maps the whole VMA";
		break;
	}

	/* What is allocated for good: racing allocations leave no extra page. */
	const uint64_t holes = buffer ? kPages / 2 : kPages;
	const mmapdemo_stats model = ExpectedForMmap(strategy(), kPages) +
		ExpectedForFirstTouch(strategy(), holes, false, kPages);

	EXPECT_EQ(NetAllocated(delta), static_cast<int64_t>(model.pages_allocated))
		<< "pages allocated minus freed: " << testing::PrintToString(delta);

	/* One entry per address, the right page: writes reach the memory. */
	MarkPages(mapping, kPages, page_size_, 2);
	for (uint64_t page = 0; page < kPages; page++) {
		uint8_t byte = Load(mapping.data() + Bytes(page));

		if (buffer) {
			ASSERT_EQ(pread(fd_.get(), &byte, 1, Bytes(page)), 1) << strerror(errno);
		}
		if (byte != PageMarker(page, 2)) {
			ADD_FAILURE() << "page " << page << " is not the memory the "
				      << (buffer ? "file's buffer" : "mapping") << " holds";
			break;
		}
	}
}

INSTANTIATE_TEST_SUITE_P(, Semantics, testing::ValuesIn(kStrategies), StrategyName);

/*
 * The table and the strategies the tests know are the same set: a strategy
 * missing from the table would go unchecked, a row without a strategy
 * would be a claim nobody tests.
 */
TEST(SemanticsTable, HasOneRowPerStrategy)
{
	std::set<std::string> rows;
	unsigned int known_flags = 0;

	for (const auto &flag : kTableVmFlags)
		known_flags |= flag.bit;
	for (const SemanticsRow &row : mmapdemo_semantics) {
		EXPECT_TRUE(rows.insert(row.name).second) << "two rows for " << row.name;
		EXPECT_NE(FindStrategy(std::string_view(row.name)), nullptr)
			<< "the table has a row for " << row.name
			<< ", which kStrategies does not know";
		EXPECT_EQ(row.vm_flags & ~known_flags, 0U)
			<< row.name << ": VmFlags this test does not know";
	}
	for (const Strategy &strategy : kStrategies)
		EXPECT_NE(FindSemantics(strategy), nullptr)
			<< "the table has no row for " << strategy.name;
}


/*
 * The bad-input table. Each row, on each strategy its "strategies" cell
 * names, is one test: BadInput.Answer/<strategy>_<input>.
 */
using BadInputRow = struct ::mmapdemo_bad_input;

struct BadCase {
	const Strategy *strategy;
	const BadInputRow *row;
};

const Strategy &StrategyOf(const BadCase &bad)
{
	return *bad.strategy;
}

void PrintTo(const BadCase &bad, std::ostream *os)
{
	*os << bad.strategy->name << " " << bad.row->name;
}

/* Whether @row applies to @strategy, as its "strategies" cell says. */
bool Applies(const BadInputRow &row, const Strategy &strategy)
{
	const SemanticsRow *semantics = FindSemantics(strategy);

	/* SemanticsTable.HasOneRowPerStrategy reports a missing row. */
	if (!semantics)
		return false;
	switch (row.scope) {
	case MMAPDEMO_BAD_SCOPE_ALL:
		return true;
	case MMAPDEMO_BAD_SCOPE_BUFFER:
		return !strategy.per_mapping;
	case MMAPDEMO_BAD_SCOPE_PER_MAPPING:
		return strategy.per_mapping;
	case MMAPDEMO_BAD_SCOPE_PRIVATE_REFUSED:
		return semantics->private_errno != 0;
	case MMAPDEMO_BAD_SCOPE_GROW_REFUSED:
		return semantics->grow_errno != 0;
	case MMAPDEMO_BAD_SCOPE_GROW_ALLOWED:
		return semantics->grow_errno == 0;
	case MMAPDEMO_BAD_SCOPE_GROW_ALLOWED_MM:
		return semantics->grow_errno == 0 && (semantics->vm_flags & MMAPDEMO_VMF_MM);
	}
	return false;
}

std::vector<BadCase> BadCases()
{
	std::vector<BadCase> cases;

	for (const Strategy &strategy : kStrategies)
		for (const BadInputRow &row : mmapdemo_bad_inputs)
			if (Applies(row, strategy))
				cases.push_back({ &strategy, &row });
	return cases;
}

std::string BadCaseName(const testing::TestParamInfo<BadCase> &info)
{
	std::string name = std::string(info.param.strategy->name) + "_" +
			   info.param.row->name;

	std::replace(name.begin(), name.end(), '-', '_');
	return name;
}

/* The table's answer, for messages. */
std::string AnswerText(const BadInputRow &row)
{
	if (row.answer_errno)
		return ErrnoText(row.answer_errno);
	if (row.answer_signal)
		return strsignal(row.answer_signal);
	return "success";
}

/* NULL, hidden from the compiler, which knows read() must not get it. */
void *NullPointer()
{
	void *volatile null = nullptr;

	return null;
}

/* What a bad request got: the errno of the call, the signal of an access. */
struct Answer {
	int err = 0;
	int sig = 0;
};

/*
 * A path to a device node through which PROT_EXEC can be asked of the
 * driver: the node itself, unless its mount is noexec (which refuses
 * PROT_EXEC with EPERM before the driver is asked); then a copy of it,
 * made with mknod() in a new directory on a mount that allows both
 * executing and device nodes. The copy goes when this goes.
 */
class ExecNode {
public:
	ExecNode() = default;
	ExecNode(const ExecNode &) = delete;
	ExecNode &operator=(const ExecNode &) = delete;
	~ExecNode()
	{
		if (!copy_.empty())
			unlink(copy_.c_str());
		if (!dir_.empty())
			rmdir(dir_.c_str());
	}

	/* Find or make the path; returns why there is none, if there is none. */
	std::optional<std::string> Make(const std::string &node)
	{
		struct statvfs fs;
		struct stat st;

		if (statvfs(node.c_str(), &fs) != 0)
			return "statvfs " + node + ": " + strerror(errno);
		if (!(fs.f_flag & ST_NOEXEC)) {
			path_ = node;
			return std::nullopt;
		}
		if (stat(node.c_str(), &st) != 0)
			return "stat " + node + ": " + strerror(errno);

		const char *tmpdir = std::getenv("TMPDIR");

		for (const char *base : { tmpdir ? tmpdir : "/tmp", "/tmp", "/run", "/var/tmp" }) {
			std::string dir = std::string(base) + "/mmapdemo-exec.XXXXXX";

			if (!mkdtemp(dir.data()))
				continue;
			if (statvfs(dir.c_str(), &fs) == 0 &&
			    !(fs.f_flag & (ST_NOEXEC | ST_NODEV))) {
				const std::string copy = dir + "/node";

				if (mknod(copy.c_str(), S_IFCHR | 0600, st.st_rdev) == 0) {
					dir_ = dir;
					copy_ = path_ = copy;
					return std::nullopt;
				}
			}
			rmdir(dir.c_str());
		}
		return node + " is on a noexec mount and no mount allows a copy of it";
	}

	const std::string &path() const { return path_; }

private:
	std::string path_, dir_, copy_;
};

class BadInput : public StrategyFixture<BadCase> {
protected:
	const BadInputRow &row() const { return *GetParam().row; }

	/* mmap() of @fd; the mapping goes again at once. */
	static Answer TryMmap(int fd, size_t length, uint64_t offset,
			      int flags = MAP_SHARED, int prot = PROT_READ | PROT_WRITE)
	{
		Answer got;

		got.err = Mapping::Create(fd, length, static_cast<off_t>(offset), flags,
					  prot).error();
		return got;
	}
};

/*
 * One row of the bad-input table on one strategy, on a file of 3 pages:
 * the answer is the table's, and a refused request changes nothing (no
 * mapping counted, the size and the data unchanged).
 */
TEST_P(BadInput, Answer)
{
	const BadInputRow &bad = row();
	const bool buffer = !strategy().per_mapping;
	const int rw = PROT_READ | PROT_WRITE;
	/* The pgoff the core mm rejects (1 page) and the largest it lets through. */
	const uint64_t pgoff_max = ~0UL / page_size_;
	const int fd = fd_.get();
	bool maps = false;	/* the row maps the file on purpose */
	Answer got;
	char byte = 0;

	SCOPED_TRACE(std::string("table: ") + bad.name + ": " + bad.what + " = " +
		     AnswerText(bad));
	ASSERT_NO_FATAL_FAILURE(UsePages(3));

	const uint64_t size = Bytes(3);
	const off_t end = static_cast<off_t>(size);

	if (buffer) {
		for (uint64_t page = 0; page < 3; page++) {
			const uint8_t marker = PageMarker(page, 1);

			ASSERT_EQ(pwrite(fd, &marker, 1, Bytes(page)), 1) << strerror(errno);
		}
	}
	const mmapdemo_stats before = Stats();

	switch (bad.id) {
	case MMAPDEMO_BAD_MMAP_OFFSET_AT_END:
		got = TryMmap(fd, page_size_, size);
		break;
	case MMAPDEMO_BAD_MMAP_OFFSET_PAST_END:
		got = TryMmap(fd, page_size_, size + Bytes(16));
		break;
	case MMAPDEMO_BAD_MMAP_LENGTH_PAST_END:
		got = TryMmap(fd, size + page_size_, 0);
		break;
	case MMAPDEMO_BAD_MMAP_LENGTH_BYTE_PAST_END:
		got = TryMmap(fd, size + 1, 0);
		break;
	case MMAPDEMO_BAD_MMAP_WINDOW_PAST_END:
		got = TryMmap(fd, size, page_size_);
		break;
	case MMAPDEMO_BAD_MMAP_HUGE_OFFSET:
	case MMAPDEMO_BAD_MMAP_LARGEST_PGOFF:
	case MMAPDEMO_BAD_MMAP_PGOFF_ULONG_MAX:
	case MMAPDEMO_BAD_MMAP_OFFSET_LENGTH_WRAP:
		if (sizeof(long) < 8 || sizeof(off_t) < 8)
			GTEST_SKIP() << "offsets beyond 32 bits";
		if (bad.id == MMAPDEMO_BAD_MMAP_HUGE_OFFSET)
			got = TryMmap(fd, page_size_, 0x7ffffffff000ULL & ~uint64_t{page_size_ - 1});
		else if (bad.id == MMAPDEMO_BAD_MMAP_LARGEST_PGOFF)
			got = TryMmap(fd, page_size_, (pgoff_max - 1) * page_size_);
		else if (bad.id == MMAPDEMO_BAD_MMAP_PGOFF_ULONG_MAX)
			got = TryMmap(fd, page_size_, pgoff_max * page_size_);
		else
			got = TryMmap(fd, Bytes(3), (pgoff_max - 1) * page_size_);
		break;
	case MMAPDEMO_BAD_MMAP_ZERO_LENGTH:
		got = TryMmap(fd, 0, 0);
		break;
	case MMAPDEMO_BAD_MMAP_UNALIGNED_OFFSET:
		got = TryMmap(fd, page_size_, page_size_ / 2);
		break;
	case MMAPDEMO_BAD_MMAP_PRIVATE:
		got = TryMmap(fd, size, 0, MAP_PRIVATE);
		break;
	case MMAPDEMO_BAD_MMAP_PRIVATE_READ_ONLY:
		got = TryMmap(fd, size, 0, MAP_PRIVATE, PROT_READ);
		break;
	case MMAPDEMO_BAD_MMAP_WRITE_READ_ONLY_FD: {
		UniqueFd read_only = OpenDevice(Path(), O_RDONLY);

		ASSERT_TRUE(read_only) << "open O_RDONLY: " << strerror(errno);
		got = TryMmap(read_only.get(), size, 0);
		break;
	}
	case MMAPDEMO_BAD_MMAP_EXEC:
	case MMAPDEMO_BAD_MPROTECT_EXEC: {
		/* Another file of the node, maybe through a copy of the node. */
		ExecNode node;

		if (const auto why = node.Make(Path()))
			GTEST_SKIP() << *why;

		UniqueFd exec_fd = OpenDevice(node.path());

		ASSERT_TRUE(exec_fd) << "open " << node.path() << ": " << strerror(errno);
		if (bad.id == MMAPDEMO_BAD_MMAP_EXEC) {
			auto mapping = Mapping::Create(exec_fd.get(), Bytes(1), 0,
							  MAP_SHARED, PROT_READ | PROT_EXEC);

			got.err = mapping.error();
			if (mapping) {
				EXPECT_EQ(Load(mapping.data()), 0) << "an executable mapping's data";
			}
			break;
		}

		auto mapping = Mapping::Create(exec_fd.get(), Bytes(1), 0);

		ASSERT_MAPPED(mapping);
		mapping.data()[0] = 0x5a;
		got.err = ErrnoOf(mprotect(mapping.data(), Bytes(1), PROT_READ | PROT_EXEC));
		EXPECT_EQ(Load(mapping.data()), 0x5a) << "the data after mprotect()";
		break;
	}
	case MMAPDEMO_BAD_MREMAP_GROW: {
		auto mapping = Map(1);

		maps = true;
		ASSERT_MAPPED(mapping);
		got.err = mapping.Remap(Bytes(5), MREMAP_MAYMOVE);
		if (got.err) {
			EXPECT_EQ(mapping.size(), Bytes(1)) << "a refused mremap() changed the mapping";
		}
		break;
	}
	case MMAPDEMO_BAD_MREMAP_GROW_IN_PLACE: {
		Reservation range(5, page_size_);

		maps = true;
		ASSERT_TRUE(range) << strerror(errno);

		auto mapping = Mapping::Create(fd, Bytes(1), 0, MAP_SHARED | MAP_FIXED, rw,
						  range.data());

		ASSERT_MAPPED(mapping);
		ASSERT_EQ(munmap(range.data() + Bytes(1), Bytes(4)), 0) << strerror(errno);
		got.err = mapping.Remap(Bytes(5), MREMAP_MAYMOVE);
		if (got.err) {
			EXPECT_EQ(mapping.data(), range.data()) << "a refused mremap() moved it";
		}
		ASSERT_EQ(mapping.Unmap(), 0);
		break;
	}
	case MMAPDEMO_BAD_MREMAP_GROW_PAST_END: {
		auto mapping = Map(1);

		maps = true;
		ASSERT_MAPPED(mapping);
		ASSERT_EQ(mapping.Remap(Bytes(5), MREMAP_MAYMOVE), 0) << "mremap() to 5 pages";
		got.sig = ProbeRead(mapping.data() + Bytes(3)).signal;
		break;
	}
	case MMAPDEMO_BAD_SET_SIZE_ZERO:
		got.err = SetSize(fd, 0);
		break;
	case MMAPDEMO_BAD_SET_SIZE_OVER_CAP:
		got.err = SetSize(fd, info_.max_pages + 1);
		break;
	case MMAPDEMO_BAD_SET_SIZE_U64_MAX:
		got.err = SetSize(fd, UINT64_MAX);
		break;
	case MMAPDEMO_BAD_SET_SIZE_FLAGS:
		got.err = SetSize(fd, 1, 1);
		EXPECT_EQ(SetSize(fd, 1, 1ULL << 63), got.err) << "the top flag bit";
		break;
	case MMAPDEMO_BAD_SET_SIZE_WHILE_MAPPED:
	case MMAPDEMO_BAD_SET_SIZE_AFTER_MUNMAP: {
		auto mapping = Map(1);

		maps = true;
		ASSERT_MAPPED(mapping);
		if (bad.id == MMAPDEMO_BAD_SET_SIZE_AFTER_MUNMAP) {
			ASSERT_EQ(mapping.Unmap(), 0);
		}
		got.err = SetSize(fd, 2);
		break;
	}
	case MMAPDEMO_BAD_IOCTL_UNKNOWN:
		got.err = ErrnoOf(ioctl(fd, _IO(MMAPDEMO_IOC_MAGIC, 0x0f)));
		break;
	case MMAPDEMO_BAD_IOCTL_WRONG_SIZE: {
		__u64 nr_pages = 1;

		got.err = ErrnoOf(ioctl(fd, _IOW(MMAPDEMO_IOC_MAGIC, 0x01, __u64), &nr_pages));
		break;
	}
	case MMAPDEMO_BAD_IOCTL_FOREIGN: {
		char termios[256] = {};

		got.err = ErrnoOf(ioctl(fd, TCGETS, termios));
		break;
	}
	case MMAPDEMO_BAD_INFO_NULL:
		got.err = ErrnoOf(ioctl(fd, MMAPDEMO_IOC_INFO, nullptr));
		break;
	case MMAPDEMO_BAD_INFO_READ_ONLY: {
		Mapping read_only = Mapping::Create(-1, page_size_, 0,
						    MAP_PRIVATE | MAP_ANONYMOUS, PROT_READ);

		ASSERT_MAPPED(read_only);
		got.err = ErrnoOf(ioctl(fd, MMAPDEMO_IOC_INFO, read_only.data()));
		break;
	}
	case MMAPDEMO_BAD_SET_SIZE_NULL:
		got.err = ErrnoOf(ioctl(fd, MMAPDEMO_IOC_SET_SIZE, nullptr));
		break;
	case MMAPDEMO_BAD_SET_SIZE_UNMAPPED: {
		Mapping gone = Mapping::Create(-1, page_size_, 0, MAP_PRIVATE | MAP_ANONYMOUS);

		ASSERT_MAPPED(gone);
		void *const addr = gone.data();

		ASSERT_EQ(gone.Unmap(), 0);
		got.err = ErrnoOf(ioctl(fd, MMAPDEMO_IOC_SET_SIZE, addr));
		break;
	}
	case MMAPDEMO_BAD_STATS_NULL:
		got.err = ErrnoOf(ioctl(fd, MMAPDEMO_IOC_STATS, nullptr));
		break;
	case MMAPDEMO_BAD_STATS_KERNEL_ADDRESS:
		got.err = ErrnoOf(ioctl(fd, MMAPDEMO_IOC_STATS,
					reinterpret_cast<void *>(uintptr_t{0} - page_size_)));
		break;
	case MMAPDEMO_BAD_READ_AT_END:
	case MMAPDEMO_BAD_READ_PAST_END: {
		ssize_t n;

		if (bad.id == MMAPDEMO_BAD_READ_AT_END) {
			ASSERT_EQ(lseek(fd, end, SEEK_SET), end) << strerror(errno);
			n = read(fd, &byte, 1);
		} else {
			n = pread(fd, &byte, 1, end + static_cast<off_t>(page_size_));
		}
		got.err = ErrnoOf(n);
		if (!got.err) {
			EXPECT_EQ(n, 0) << "end of file is a read() of 0 bytes";
		}
		break;
	}
	case MMAPDEMO_BAD_READ_NEGATIVE:
		got.err = ErrnoOf(pread(fd, &byte, 1, -1));
		break;
	case MMAPDEMO_BAD_READ_NULL:
		got.err = ErrnoOf(read(fd, NullPointer(), 1));
		break;
	case MMAPDEMO_BAD_WRITE_AT_END:
		ASSERT_EQ(lseek(fd, end, SEEK_SET), end) << strerror(errno);
		got.err = ErrnoOf(write(fd, "x", 1));
		break;
	case MMAPDEMO_BAD_WRITE_PAST_END:
		got.err = ErrnoOf(pwrite(fd, "x", 1, end + static_cast<off_t>(page_size_)));
		break;
	case MMAPDEMO_BAD_WRITE_NEGATIVE:
		got.err = ErrnoOf(pwrite(fd, "x", 1, -1));
		break;
	case MMAPDEMO_BAD_WRITE_NULL:
		got.err = ErrnoOf(write(fd, NullPointer(), 1));
		break;
	case MMAPDEMO_BAD_WRITE_READ_ONLY_FD: {
		UniqueFd read_only = OpenDevice(Path(), O_RDONLY);

		ASSERT_TRUE(read_only) << "open O_RDONLY: " << strerror(errno);
		got.err = ErrnoOf(write(read_only.get(), "x", 1));
		break;
	}
	case MMAPDEMO_BAD_READ_PER_MAPPING:
		got.err = ErrnoOf(read(fd, &byte, 1));
		EXPECT_EQ(ErrnoOf(pread(fd, &byte, 1, 0)), got.err) << "pread()";
		break;
	case MMAPDEMO_BAD_WRITE_PER_MAPPING:
		got.err = ErrnoOf(write(fd, "x", 1));
		EXPECT_EQ(ErrnoOf(pwrite(fd, "x", 1, 0)), got.err) << "pwrite()";
		break;
	case MMAPDEMO_BAD_LSEEK_PAST_END:
	case MMAPDEMO_BAD_LSEEK_CUR_PAST_END:
	case MMAPDEMO_BAD_LSEEK_END_PAST_END:
	case MMAPDEMO_BAD_LSEEK_NEGATIVE:
	case MMAPDEMO_BAD_LSEEK_BEFORE_START:
	case MMAPDEMO_BAD_LSEEK_BAD_WHENCE: {
		/* From the end for SEEK_CUR, else from inside the file. */
		const off_t pos = bad.id == MMAPDEMO_BAD_LSEEK_CUR_PAST_END ?
				  end : static_cast<off_t>(page_size_);

		ASSERT_EQ(lseek(fd, pos, SEEK_SET), pos) << strerror(errno);
		if (bad.id == MMAPDEMO_BAD_LSEEK_PAST_END)
			got.err = ErrnoOf(lseek(fd, end + 1, SEEK_SET));
		else if (bad.id == MMAPDEMO_BAD_LSEEK_CUR_PAST_END)
			got.err = ErrnoOf(lseek(fd, 1, SEEK_CUR));
		else if (bad.id == MMAPDEMO_BAD_LSEEK_END_PAST_END)
			got.err = ErrnoOf(lseek(fd, 1, SEEK_END));
		else if (bad.id == MMAPDEMO_BAD_LSEEK_NEGATIVE)
			got.err = ErrnoOf(lseek(fd, -1, SEEK_SET));
		else if (bad.id == MMAPDEMO_BAD_LSEEK_BEFORE_START)
			got.err = ErrnoOf(lseek(fd, -(end + 1), SEEK_END));
		else
			got.err = ErrnoOf(lseek(fd, 0, 42));
		EXPECT_EQ(lseek(fd, 0, SEEK_CUR), pos) << "the position moved";
		break;
	}
	default:
		FAIL() << "the table has a row this test does not know how to try: " << bad.name;
	}

	EXPECT_EQ(got.err, bad.answer_errno) << "got " << ErrnoText(got.err);
	EXPECT_EQ(got.sig, bad.answer_signal)
		<< "got " << (got.sig ? strsignal(got.sig) : "no signal");

	/* Nothing changed. */
	ASSERT_NO_FATAL_FAILURE(RefreshInfo());
	EXPECT_EQ(pages_, 3U) << "the size changed";
	if (!maps) {
		EXPECT_EQ(Stats().mmaps, before.mmaps) << "a mapping was counted";
		EXPECT_EQ(info_.flags & MMAPDEMO_INFO_SIZE_FIXED, 0U) << "the size got fixed";
	}
	if (buffer) {
		for (uint64_t page = 0; page < 3; page++) {
			uint8_t marker = 0;

			ASSERT_EQ(pread(fd, &marker, 1, Bytes(page)), 1) << strerror(errno);
			EXPECT_EQ(marker, PageMarker(page, 1)) << "page " << page << "'s data";
		}
	}
}

INSTANTIATE_TEST_SUITE_P(, BadInput, testing::ValuesIn(BadCases()), BadCaseName);

/* Every row is tried somewhere, and the generated ids are the rows' places. */
TEST(BadInputTable, EveryRowIsTried)
{
	for (size_t i = 0; i < std::size(mmapdemo_bad_inputs); i++) {
		const BadInputRow &row = mmapdemo_bad_inputs[i];

		SCOPED_TRACE(row.name);
		EXPECT_EQ(static_cast<size_t>(row.id), i);
		EXPECT_TRUE(std::any_of(std::begin(kStrategies), std::end(kStrategies),
					[&row](const Strategy &s) { return Applies(row, s); }))
			<< "a row no strategy is tried on";
		EXPECT_FALSE(row.answer_errno && row.answer_signal)
			<< "an answer is an errno or a signal, not both";
	}
}

} /* namespace */
} /* namespace mmapdemo */

int main(int argc, char **argv)
{
	return mmapdemo::RunTestProgram(argc, argv);
}
