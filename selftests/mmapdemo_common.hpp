// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo_common.hpp - what mmapdemo_test and mmapdemo_demo share
 *
 * The strategy table (one line per /dev/mmapdemo-<name> node, with the
 * counter behaviour the driver promises for it), the arithmetic that turns
 * that table into expected MMAPDEMO_IOC_STATS values, and small RAII
 * wrappers for file descriptors and mappings.
 *
 * What each strategy does beyond map-and-touch (fork, mremap, madvise,
 * get_user_pages, ...) is not here: it is the documentation's semantics
 * table, which mmapdemo_gtest.hpp includes for the test programs.
 */

#ifndef MMAPDEMO_COMMON_H
#define MMAPDEMO_COMMON_H

#include <linux/mmapdemo.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace mmapdemo {

/* When the driver does something to a page, as seen from user space. */
enum class Moment {
	kOpen,		/* open() (and MMAPDEMO_IOC_SET_SIZE) */
	kMmap,		/* mmap() */
	kFirstTouch,	/* the first access to the page, in the fault handler */
	/*
	 * The first access to any page of a VMA: that one fault maps every
	 * page of the VMA (pfn), so a mapping costs one fault however many
	 * of its pages are touched. Only meaningful for @inserted.
	 */
	kFirstTouchInVma,
};

/*
 * One mapping strategy: a device node and the counters it promises.
 *
 * @allocated: when the backing pages are allocated
 * @inserted:  when they are mapped; kFirstTouch means one fault per page,
 *	kFirstTouchInVma one fault per mapping
 * @per_mapping: every mmap() gets its own pages (MMAPDEMO_INFO_PER_MAPPING)
 *	instead of sharing the file's buffer
 */
struct Strategy {
	const char *name;
	uint32_t id;		/* MMAPDEMO_STRATEGY_*, as MMAPDEMO_IOC_INFO reports it */
	Moment allocated;
	Moment inserted;
	bool per_mapping;
};

/* Adding a strategy to the driver means adding one line here. */
inline constexpr Strategy kStrategies[] = {
	{ "remap",    MMAPDEMO_STRATEGY_REMAP,    Moment::kOpen,       Moment::kMmap,            false },
	{ "insert",   MMAPDEMO_STRATEGY_INSERT,   Moment::kOpen,       Moment::kFirstTouch,      false },
	{ "lazy",     MMAPDEMO_STRATEGY_LAZY,     Moment::kFirstTouch, Moment::kFirstTouch,      false },
	{ "vmfpage",  MMAPDEMO_STRATEGY_VMFPAGE,  Moment::kOpen,       Moment::kFirstTouch,      false },
	{ "owned",    MMAPDEMO_STRATEGY_OWNED,    Moment::kFirstTouch, Moment::kFirstTouch,      true  },
	{ "prefault", MMAPDEMO_STRATEGY_PREFAULT, Moment::kMmap,       Moment::kMmap,            true  },
	{ "batch",    MMAPDEMO_STRATEGY_BATCH,    Moment::kOpen,       Moment::kMmap,            false },
	{ "pfn",      MMAPDEMO_STRATEGY_PFN,      Moment::kOpen,       Moment::kFirstTouchInVma, false },
	{ "vmalloc",  MMAPDEMO_STRATEGY_VMALLOC,  Moment::kOpen,       Moment::kMmap,            false },
};

inline const Strategy *FindStrategy(std::string_view name)
{
	for (const Strategy &strategy : kStrategies)
		if (name == strategy.name)
			return &strategy;
	return nullptr;
}

inline const Strategy *FindStrategy(uint32_t id)
{
	for (const Strategy &strategy : kStrategies)
		if (id == strategy.id)
			return &strategy;
	return nullptr;
}

inline std::string DevicePath(const Strategy &strategy)
{
	return std::string("/dev/mmapdemo-") + strategy.name;
}

/*
 * Expected changes of the counters, per step. Tests compare deltas (stats
 * after a step minus stats before it), so each step is checked on its own.
 */

/* A freshly opened file (or one just resized) of @pages pages. */
inline mmapdemo_stats ExpectedAtOpen(const Strategy &strategy, uint64_t pages)
{
	mmapdemo_stats stats{};

	if (strategy.allocated == Moment::kOpen)
		stats.pages_allocated = pages;
	return stats;
}

/* A successful mmap() of @pages pages. */
inline mmapdemo_stats ExpectedForMmap(const Strategy &strategy, uint64_t pages)
{
	mmapdemo_stats stats{};

	stats.mmaps = 1;
	if (strategy.inserted == Moment::kMmap)
		stats.pages_inserted = pages;
	if (strategy.allocated == Moment::kMmap)
		stats.pages_allocated = pages;
	return stats;
}

/*
 * The first access to each of @touched pages of a new mapping (one VMA) of
 * @mapped pages.
 * @pages_exist: the file's buffer already holds these pages because an
 *	earlier mapping (or read()/write()) of the file touched them; only
 *	matters for buffer strategies that allocate on first touch (lazy)
 *
 * A strategy that maps on first touch in the VMA (pfn) takes one fault and
 * inserts all @mapped pages, whatever @touched is (if not zero).
 */
inline mmapdemo_stats ExpectedForFirstTouch(const Strategy &strategy,
					    uint64_t touched, bool pages_exist,
					    uint64_t mapped)
{
	mmapdemo_stats stats{};

	if (strategy.inserted == Moment::kFirstTouch) {
		stats.faults = touched;
		stats.pages_inserted = touched;
	}
	if (strategy.inserted == Moment::kFirstTouchInVma && touched) {
		stats.faults = 1;
		stats.pages_inserted = mapped;
	}
	if (strategy.allocated == Moment::kFirstTouch &&
	    (strategy.per_mapping || !pages_exist))
		stats.pages_allocated = touched;
	return stats;
}

/* The first access to every one of the @pages pages of a new mapping. */
inline mmapdemo_stats ExpectedForFirstTouch(const Strategy &strategy,
					    uint64_t pages, bool pages_exist)
{
	return ExpectedForFirstTouch(strategy, pages, pages_exist, pages);
}

/*
 * munmap() of a mapping whose @pages pages were all touched. Per-mapping
 * pages die with the mapping; a buffer lives as long as the file does.
 */
inline mmapdemo_stats ExpectedForMunmap(const Strategy &strategy, uint64_t pages)
{
	mmapdemo_stats stats{};

	if (strategy.per_mapping)
		stats.pages_freed = pages;
	return stats;
}

/* ioctl wrappers: 0 on success, else the errno value. */

inline int QueryInfo(int fd, mmapdemo_info *info)
{
	return ioctl(fd, MMAPDEMO_IOC_INFO, info) == 0 ? 0 : errno;
}

inline int QueryStats(int fd, mmapdemo_stats *stats)
{
	return ioctl(fd, MMAPDEMO_IOC_STATS, stats) == 0 ? 0 : errno;
}

inline int SetSize(int fd, uint64_t nr_pages, uint64_t flags = 0)
{
	mmapdemo_set_size request{};

	request.nr_pages = nr_pages;
	request.flags = flags;
	return ioctl(fd, MMAPDEMO_IOC_SET_SIZE, &request) == 0 ? 0 : errno;
}

/* The address range of one VMA, as /proc/self/maps lists it. */
struct VmaRange {
	uintptr_t start;
	uintptr_t end;
};

/*
 * The VMAs of this process that overlap [@addr, @addr + @len), from
 * /proc/self/maps in address order; empty if it cannot be read. A new
 * mapping the core mm merged into an adjacent VMA of the same file is
 * part of a larger range.
 */
inline std::vector<VmaRange> VmasOverlapping(const void *addr, size_t len)
{
	const auto first = reinterpret_cast<uintptr_t>(addr);
	std::vector<VmaRange> vmas;
	FILE *maps = fopen("/proc/self/maps", "re");
	unsigned long vm_start, vm_end;
	char line[512];

	if (!maps)
		return vmas;
	while (fgets(line, sizeof(line), maps))
		if (sscanf(line, "%lx-%lx", &vm_start, &vm_end) == 2 &&
		    vm_start < first + len && vm_end > first)
			vmas.push_back({ vm_start, vm_end });
	fclose(maps);
	return vmas;
}

/* An owned file descriptor, closed when it goes out of scope. */
class UniqueFd {
public:
	UniqueFd() = default;
	explicit UniqueFd(int fd) : fd_(fd) {}
	UniqueFd(UniqueFd &&other) noexcept : fd_(other.release()) {}
	UniqueFd &operator=(UniqueFd &&other) noexcept
	{
		reset(other.release());
		return *this;
	}
	UniqueFd(const UniqueFd &) = delete;
	UniqueFd &operator=(const UniqueFd &) = delete;
	~UniqueFd() { reset(); }

	int get() const { return fd_; }
	explicit operator bool() const { return fd_ >= 0; }

	int release() { return std::exchange(fd_, -1); }

	void reset(int fd = -1)
	{
		if (fd_ >= 0)
			close(fd_);
		fd_ = fd;
	}

private:
	int fd_ = -1;
};

/*
 * open(@path), for reading and writing unless @access says otherwise (e.g.
 * O_RDONLY); check the result with operator bool.
 */
inline UniqueFd OpenDevice(const std::string &path, int access = O_RDWR)
{
	return UniqueFd(open(path.c_str(), access | O_CLOEXEC));
}

/*
 * An owned mapping, unmapped when it goes out of scope. A failed mmap()
 * gives an empty Mapping that remembers the errno value. @at is mmap()'s
 * address hint (MAP_FIXED in @flags: the address).
 */
class Mapping {
public:
	static Mapping Create(int fd, size_t length, off_t offset,
			      int flags = MAP_SHARED,
			      int prot = PROT_READ | PROT_WRITE,
			      void *at = nullptr)
	{
		void *addr = mmap(at, length, prot, flags, fd, offset);

		if (addr == MAP_FAILED)
			return Mapping(errno);
		return Mapping(static_cast<uint8_t *>(addr), length);
	}

	Mapping() = default;
	Mapping(Mapping &&other) noexcept
		: data_(std::exchange(other.data_, nullptr)),
		  size_(std::exchange(other.size_, 0)),
		  error_(other.error_)
	{
	}
	Mapping &operator=(Mapping &&other) noexcept
	{
		Unmap();
		data_ = std::exchange(other.data_, nullptr);
		size_ = std::exchange(other.size_, 0);
		error_ = other.error_;
		return *this;
	}
	Mapping(const Mapping &) = delete;
	Mapping &operator=(const Mapping &) = delete;
	~Mapping() { Unmap(); }

	explicit operator bool() const { return data_ != nullptr; }
	/* The errno value of the failed mmap(), 0 if it succeeded. */
	int error() const { return error_; }
	uint8_t *data() const { return data_; }
	size_t size() const { return size_; }

	/*
	 * mremap() to @new_size bytes, with @flags (MREMAP_FIXED: to
	 * @new_addr). The Mapping follows the mapping wherever it moved, so it
	 * still unmaps the right range. Returns 0 or the errno value; on
	 * failure nothing changed.
	 */
	int Remap(size_t new_size, int flags, void *new_addr = nullptr)
	{
		void *addr = mremap(data_, size_, new_size, flags, new_addr);

		if (addr == MAP_FAILED)
			return errno;
		data_ = static_cast<uint8_t *>(addr);
		size_ = new_size;
		return 0;
	}

	/* munmap() now; returns 0 or the errno value. */
	int Unmap()
	{
		if (!data_)
			return 0;

		const int ret = munmap(data_, size_);

		data_ = nullptr;
		size_ = 0;
		return ret == 0 ? 0 : errno;
	}

private:
	explicit Mapping(int error) : error_(error) {}
	Mapping(uint8_t *data, size_t size) : data_(data), size_(size) {}

	uint8_t *data_ = nullptr;
	size_t size_ = 0;
	int error_ = 0;
};

} /* namespace mmapdemo */

#endif /* MMAPDEMO_COMMON_H */
