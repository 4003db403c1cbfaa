// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo_stress - seeded random sequences on every strategy, for a
 * bounded time, checked against a model of what the memory must hold
 *
 * Several threads of this process and several fork()ed children each run
 * a worker: a random sequence of open, MMAPDEMO_IOC_SET_SIZE, mmap() at a
 * random offset (and length, and MAP_PRIVATE), touches that read or write,
 * read(), write(), madvise(MADV_DONTNEED), mremap() (grow, shrink, move),
 * munmap() (whole or part), mprotect(), fork() and close(), against files
 * of all nine /dev/mmapdemo-<strategy> nodes. Each worker keeps a model of
 * its files: the bytes of each buffer (shared by every mapping of a buffer
 * strategy, and by read() and write()), the pages of each mapping of a
 * per-mapping strategy, the copied pages of a private mapping. Every byte
 * read back, through a mapping or read(), is compared with the model, and
 * every answer with the documentation's tables (mmapdemo_semantics.h): an
 * mmap() outside the file gets ENXIO, MAP_PRIVATE and mremap() growth the
 * semantics table's answer, a grown mapping SIGBUS past the file's end.
 * Before a file is closed with no mapping left, the driver's counters must
 * balance: pages_allocated - pages_freed is what the buffer still holds
 * (0 for a per-mapping strategy) and mmaps is the model's count of the
 * mmap() calls that made a VMA of their own (not merged into a neighbour).
 *
 * The workers' own files are theirs alone, so each worker's choices, and
 * the answers it expects, follow from the seed and its number whatever
 * the others do; only the address space the threads share can change an
 * answer (whether a mapping has free room to grow in place), and with it
 * the rest of that thread's sequence. They also share one file per
 * strategy, opened before the children were forked and filled once,
 * which they map, read and drop concurrently: racing faults (and lazy
 * allocations) on the same pages, from threads of one mm and from other
 * processes.
 *
 * It prints its seed and the replay command first, then how many
 * operations ran in how many seconds. Options (or environment variables):
 *   --seed=N      MMAPDEMO_STRESS_SEED      default: from the clock
 *   --seconds=S   MMAPDEMO_STRESS_SECONDS   default: 20 (all workers at once)
 *   --threads=T   MMAPDEMO_STRESS_THREADS   default: 3
 *   --children=C  MMAPDEMO_STRESS_CHILDREN  default: 2
 *   --ops=N       MMAPDEMO_STRESS_OPS       stop each worker after N
 *                                           operations (default: no limit)
 * A failure names the worker and its operation number: --seed=S --ops=N
 * replays that worker's sequence up to it (a child's exactly; a thread's
 * as long as the shared address space leaves the same room to grow).
 * Other arguments are GoogleTest flags. Like the other programs it prints
 * KTAP and skips without devices.
 */

#include "mmapdemo_gtest.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csetjmp>
#include <csignal>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <random>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mmapdemo {
namespace {

/* The command line and environment, read by main(). */
struct StressOptions {
	uint64_t seed = 0;
	double seconds = 20;
	int threads = 3;
	int children = 2;
	uint64_t ops = 0;	/* 0: until the time is up */
};

StressOptions options;

constexpr uint64_t kMaxFilePages = 16;	/* sizes a worker gives its files */
constexpr size_t kMaxFiles = 4;		/* open files per worker */
constexpr size_t kMaxMappings = 8;	/* live mappings per worker */
constexpr uint64_t kSharedPages = 32;	/* the files every worker shares */

/* The operations, for the counts printed at the end. */
enum Op {
	kOpOpen,
	kOpClose,
	kOpSetSize,
	kOpMmap,
	kOpTouchRead,
	kOpTouchWrite,
	kOpRead,
	kOpWrite,
	kOpDontneed,
	kOpMremap,
	kOpMove,
	kOpMunmap,
	kOpMprotect,
	kOpProbe,
	kOpFork,
	kOpShared,
	kNumOps,
};

constexpr const char *kOpNames[kNumOps] = {
	"open", "close", "set-size", "mmap", "touch-read", "touch-write",
	"read", "write", "madvise", "mremap", "move", "munmap", "mprotect",
	"sigbus-probe", "fork", "shared",
};

/*
 * What a worker reports, in memory shared with the fork()ed children:
 * counts, and the first failure (a worker stops at it).
 */
struct WorkerReport {
	std::atomic<uint64_t> ops[kNumOps];
	std::atomic<int> failed;
	char message[1024];
};

/* A byte of the shared file of strategy @s: data on even pages, holes on odd. */
uint8_t SharedByte(size_t s, uint64_t page, size_t offset)
{
	static const size_t page_size = PageSize();

	if (page % 2)
		return 0;
	return static_cast<uint8_t>(PatternByte(page * page_size + offset) ^ (s * 31 + 7));
}

/* One file per strategy, opened and filled before the workers start. */
struct SharedFile {
	const Strategy *strategy;
	const SemanticsRow *semantics;
	int fd;
};

std::vector<SharedFile> shared_files;

/*
 * The threads of this process share its address space: what one maps can
 * take the addresses another's mremap() would grow into. mmap(), mremap()
 * and munmap() of the threads take turns, so that each worker can tell
 * what its own mremap() must answer (faults and touches still race).
 */
std::mutex address_space;

/*
 * A fork() child of one thread gets copies of every thread's mappings, and
 * per-mapping pages are freed when the last copy goes: another thread's
 * counter check waits until no fork() child is alive.
 */
std::shared_mutex forking;

/* SIGBUS probes: only the probing thread jumps back, others crash normally. */
thread_local sigjmp_buf probe_jump;
thread_local volatile sig_atomic_t probing;
struct sigaction previous_bus, previous_segv;

void ProbeHandler(int sig, siginfo_t *info, void *context)
{
	if (probing) {
		probing = 0;
		siglongjmp(probe_jump, sig);
	}
	/* Not a probe: let ktap_listener.hpp's handler report the crash. */
	const struct sigaction &previous = sig == SIGBUS ? previous_bus : previous_segv;

	if (previous.sa_flags & SA_SIGINFO)
		previous.sa_sigaction(sig, info, context);
	else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN)
		previous.sa_handler(sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The signal reading @addr raises, 0 if none. */
int ProbeSignal(const uint8_t *addr)
{
	int sig = sigsetjmp(probe_jump, 1);

	if (sig == 0) {
		probing = 1;
		(void)*static_cast<const volatile uint8_t *>(addr);
		probing = 0;
	}
	return sig;
}

/*
 * Whether the mapping at [@addr, @addr + @len) is a VMA of its own in
 * /proc/self/maps. The core mm merges a new mapping into an adjacent VMA of
 * the same file when their flags allow it (vmfpage's ordinary VMAs), and
 * then calls no vm_ops->mapped: the driver does not count that mmap().
 */
static bool OwnVma(const void *addr, size_t len)
{
	const auto start = reinterpret_cast<uintptr_t>(addr);
	const auto vmas = VmasOverlapping(addr, len);

	/* No maps to read: count it, and let the counter check tell. */
	if (vmas.empty())
		return true;
	return vmas.size() == 1 && vmas[0].start == start && vmas[0].end == start + len;
}

/* The model of one open file of a worker. */
struct FileModel {
	const Strategy *strategy;
	const SemanticsRow *semantics;
	int fd = -1;			/* -1 once closed */
	uint64_t pages = 0;
	bool size_fixed = false;	/* an mmap() passed the bounds check */
	std::vector<uint8_t> data;	/* buffer strategies: the buffer */
	std::vector<bool> allocated;	/* lazy: pages the buffer holds */
	uint64_t mmaps = 0;		/* mmap() calls that made a new VMA */
	int live_mappings = 0;		/* VMAs of this worker's model */
};

/* The model of one VMA. */
struct MapModel {
	std::shared_ptr<FileModel> file;
	uint8_t *addr;
	uint64_t pages;		/* length of the VMA */
	uint64_t pgoff;		/* file page of addr */
	int prot;
	bool is_private;	/* MAP_PRIVATE (copy-on-write) */
	/*
	 * Per-mapping strategies: the pages of the mmap() this VMA comes from
	 * (shared by the VMAs a split or move made of it). Private mappings:
	 * the copies written pages got, this VMA's alone (anonymous pages
	 * belong to addresses); copied[i] says which exist.
	 */
	std::shared_ptr<std::vector<uint8_t>> own;
	std::shared_ptr<std::vector<bool>> copied;
	uint64_t own_pgoff;	/* file page of (*own)[0] */
};

class Worker {
public:
	Worker(int number, WorkerReport *report)
		: number_(number), report_(report),
		  rng_(options.seed ^ (0x9e3779b97f4a7c15ULL * (number + 1))),
		  page_(PageSize())
	{
	}

	~Worker()
	{
		std::lock_guard<std::mutex> lock(address_space);

		for (const MapModel &m : maps_)
			munmap(m.addr, m.pages * page_);
		for (const auto &f : files_)
			if (f->fd >= 0)
				close(f->fd);
	}

	/* Run until the deadline or the operation limit, or the first failure. */
	void Run(std::chrono::steady_clock::time_point deadline)
	{
		while (!report_->failed.load() &&
		       (options.ops == 0 || op_number_ < options.ops) &&
		       std::chrono::steady_clock::now() < deadline) {
			op_number_++;
			Step();
		}
	}

private:
	uint64_t Random(uint64_t bound) /* 0 .. bound - 1 */
	{
		return std::uniform_int_distribution<uint64_t>(0, bound - 1)(rng_);
	}

	bool Chance(int percent) { return Random(100) < static_cast<uint64_t>(percent); }

	void Fail(const char *fmt, ...) __attribute__((format(printf, 2, 3)))
	{
		char text[768];
		va_list args;

		if (report_->failed.exchange(1))
			return;
		va_start(args, fmt);
		vsnprintf(text, sizeof(text), fmt, args);
		va_end(args);
		snprintf(report_->message, sizeof(report_->message),
			 "worker %d, operation %llu (%s): %s", number_,
			 static_cast<unsigned long long>(op_number_), kOpNames[op_], text);
	}

	void Count() { report_->ops[op_].fetch_add(1, std::memory_order_relaxed); }

	bool Buffer(const FileModel &f) const { return !f.strategy->per_mapping; }
	bool Lazy(const FileModel &f) const
	{
		return f.strategy->id == MMAPDEMO_STRATEGY_LAZY;
	}

	/* Pages of @m backed by the file (a grown mapping may reach past it). */
	uint64_t Accessible(const MapModel &m) const
	{
		if (m.pgoff >= m.file->pages)
			return 0;
		return std::min(m.pages, m.file->pages - m.pgoff);
	}

	/* What byte @offset of page @i of mapping @m must hold. */
	uint8_t Expected(const MapModel &m, uint64_t i, size_t offset) const
	{
		const uint64_t pgoff = m.pgoff + i;

		if (m.own && (!m.copied || (*m.copied)[pgoff - m.own_pgoff]))
			return (*m.own)[(pgoff - m.own_pgoff) * page_ + offset];
		return m.file->data[pgoff * page_ + offset];
	}

	/* A page of a lazy buffer was faulted in or written. */
	void MarkAllocated(FileModel &f, uint64_t pgoff)
	{
		if (Lazy(f) && pgoff < f.pages)
			f.allocated[pgoff] = true;
	}

	void Step()
	{
		const uint64_t roll = Random(100);

		if (roll < 6)
			Open();
		else if (roll < 9)
			Close();
		else if (roll < 13)
			SetSize();
		else if (roll < 26)
			Mmap();
		else if (roll < 42)
			TouchRead();
		else if (roll < 56)
			TouchWrite();
		else if (roll < 62)
			ReadFile();
		else if (roll < 68)
			WriteFile();
		else if (roll < 72)
			Dontneed();
		else if (roll < 77)
			Mremap();
		else if (roll < 80)
			Move();
		else if (roll < 86)
			Munmap();
		else if (roll < 89)
			Mprotect();
		else if (roll < 91)
			Probe();
		else if (roll < 93)
			Fork();
		else
			Shared();
	}

	FileModel *OpenFile()
	{
		std::vector<FileModel *> open;

		for (const auto &f : files_)
			if (f->fd >= 0)
				open.push_back(f.get());
		return open.empty() ? nullptr : open[Random(open.size())];
	}

	MapModel *AnyMapping()
	{
		return maps_.empty() ? nullptr : &maps_[Random(maps_.size())];
	}

	void Open()
	{
		op_ = kOpOpen;
		if (files_.size() >= kMaxFiles)
			return Close();

		const Strategy &s = kStrategies[Random(std::size(kStrategies))];
		auto f = std::make_shared<FileModel>();
		mmapdemo_info info{};

		f->strategy = &s;
		f->semantics = FindSemantics(s);
		f->fd = open(DevicePath(s).c_str(), O_RDWR | O_CLOEXEC);
		if (f->fd < 0)
			return Fail("open %s: %s", DevicePath(s).c_str(), strerror(errno));
		Count();
		if (const int err = QueryInfo(f->fd, &info))
			return Fail("%s: MMAPDEMO_IOC_INFO: %s", s.name, strerror(err));
		f->pages = info.nr_pages;
		if (Buffer(*f))
			f->data.assign(f->pages * page_, 0);
		f->allocated.assign(f->pages, false);
		files_.push_back(f);
	}

	/*
	 * close(); first, if no mapping of the file is left, the counters must
	 * balance.
	 */
	void Close()
	{
		op_ = kOpClose;

		FileModel *f = OpenFile();

		if (!f)
			return;
		if (f->live_mappings == 0) {
			std::shared_lock<std::shared_mutex> no_fork(forking);
			mmapdemo_stats stats{};

			if (const int err = QueryStats(f->fd, &stats))
				return Fail("%s: MMAPDEMO_IOC_STATS: %s", f->strategy->name,
					    strerror(err));

			const int64_t held = static_cast<int64_t>(stats.pages_allocated) -
					     static_cast<int64_t>(stats.pages_freed);
			int64_t expected = static_cast<int64_t>(f->pages);

			if (!Buffer(*f))
				expected = 0;
			else if (Lazy(*f))
				expected = std::count(f->allocated.begin(), f->allocated.end(), true);
			if (held != expected)
				return Fail("%s: no mapping left, pages_allocated %llu - pages_freed "
					    "%llu = %lld, expected %lld", f->strategy->name,
					    static_cast<unsigned long long>(stats.pages_allocated),
					    static_cast<unsigned long long>(stats.pages_freed),
					    static_cast<long long>(held), static_cast<long long>(expected));
			if (stats.mmaps != f->mmaps)
				return Fail("%s: mmaps %llu, expected %llu", f->strategy->name,
					    static_cast<unsigned long long>(stats.mmaps),
					    static_cast<unsigned long long>(f->mmaps));
		}
		if (close(f->fd) != 0)
			return Fail("close: %s", strerror(errno));
		Count();
		f->fd = -1;
		/* The model lives on while mappings of the file do. */
		files_.erase(std::remove_if(files_.begin(), files_.end(),
					    [](const auto &g) { return g->fd < 0; }),
			     files_.end());
	}

	void SetSize()
	{
		op_ = kOpSetSize;

		FileModel *f = OpenFile();

		if (!f)
			return;

		const uint64_t pages = 1 + Random(kMaxFilePages);
		const int err = mmapdemo::SetSize(f->fd, pages);
		const int expected = f->size_fixed ? EBUSY : 0;

		Count();
		if (err != expected)
			return Fail("%s: SET_SIZE %llu: %s, expected %s", f->strategy->name,
				    static_cast<unsigned long long>(pages), strerror(err),
				    strerror(expected));
		if (err)
			return;
		f->pages = pages;
		if (Buffer(*f))
			f->data.assign(pages * page_, 0);
		f->allocated.assign(pages, false);
	}

	void Mmap()
	{
		op_ = kOpMmap;

		FileModel *f = OpenFile();

		if (!f || maps_.size() >= kMaxMappings)
			return;

		const uint64_t pgoff = Random(f->pages + 2);
		const uint64_t pages = 1 + Random(f->pages + 1);
		const bool cow = f->semantics->private_errno == 0;
		const bool is_private = Chance(cow ? 30 : 5);
		const int prot = Chance(15) ? PROT_READ : PROT_READ | PROT_WRITE;
		std::lock_guard<std::mutex> lock(address_space);
		void *addr = mmap(nullptr, pages * page_, prot,
				  is_private ? MAP_PRIVATE : MAP_SHARED, f->fd,
				  static_cast<off_t>(pgoff * page_));
		const int err = addr == MAP_FAILED ? errno : 0;
		int expected = 0;

		Count();
		if (is_private && f->semantics->private_errno)
			expected = f->semantics->private_errno;
		else if (pgoff >= f->pages || pages > f->pages - pgoff)
			expected = ENXIO;
		if (err != expected)
			return Fail("%s: mmap %llu pages at page %llu of %llu%s: %s, expected %s",
				    f->strategy->name, static_cast<unsigned long long>(pages),
				    static_cast<unsigned long long>(pgoff),
				    static_cast<unsigned long long>(f->pages),
				    is_private ? " MAP_PRIVATE" : "",
				    err ? strerror(err) : "success",
				    expected ? strerror(expected) : "success");
		if (err)
			return;

		MapModel m{};

		m.file = files_[FileIndex(f)];
		m.addr = static_cast<uint8_t *>(addr);
		m.pages = pages;
		m.pgoff = pgoff;
		m.prot = prot;
		m.is_private = is_private;
		m.own_pgoff = pgoff;
		if (!Buffer(*f) || is_private)
			m.own = std::make_shared<std::vector<uint8_t>>(pages * page_, 0);
		if (is_private)
			m.copied = std::make_shared<std::vector<bool>>(pages, false);
		f->size_fixed = true;
		if (OwnVma(addr, pages * page_))
			f->mmaps++;
		f->live_mappings++;
		maps_.push_back(m);
	}

	size_t FileIndex(const FileModel *f) const
	{
		for (size_t i = 0; i < files_.size(); i++)
			if (files_[i].get() == f)
				return i;
		return 0;
	}

	/* Compare @len bytes at @offset of page @i of @m with the model. */
	bool Check(const MapModel &m, uint64_t i, size_t offset, size_t len, const char *how)
	{
		const uint8_t *p = m.addr + i * page_ + offset;

		MarkAllocated(*m.file, m.pgoff + i);
		for (size_t k = 0; k < len; k++) {
			const uint8_t got = static_cast<const volatile uint8_t *>(p)[k];
			const uint8_t want = Expected(m, i, offset + k);

			if (got != want) {
				Fail("%s: %s: mapping of %llu pages at file page %llu%s, page %llu "
				     "byte %zu: %#x, expected %#x", m.file->strategy->name, how,
				     static_cast<unsigned long long>(m.pages),
				     static_cast<unsigned long long>(m.pgoff),
				     m.is_private ? " (MAP_PRIVATE)" : "",
				     static_cast<unsigned long long>(i), offset + k, got, want);
				return false;
			}
		}
		return true;
	}

	/* A random page inside the file, and a random run of bytes in it. */
	bool PickRange(const MapModel &m, uint64_t *i, size_t *offset, size_t *len)
	{
		const uint64_t accessible = Accessible(m);

		if (!accessible)
			return false;
		*i = Random(accessible);
		if (Chance(10)) {
			*offset = 0;
			*len = page_;
		} else {
			*offset = Random(page_);
			*len = 1 + Random(std::min<size_t>(64, page_ - *offset));
		}
		return true;
	}

	void TouchRead()
	{
		op_ = kOpTouchRead;

		MapModel *m = AnyMapping();
		uint64_t i;
		size_t offset, len;

		if (!m || !PickRange(*m, &i, &offset, &len))
			return;
		Count();
		Check(*m, i, offset, len, "read through the mapping");
	}

	void TouchWrite()
	{
		op_ = kOpTouchWrite;

		MapModel *m = AnyMapping();
		uint64_t i;
		size_t offset, len;

		if (!m || !(m->prot & PROT_WRITE) || !PickRange(*m, &i, &offset, &len))
			return;
		Count();

		const uint64_t pgoff = m->pgoff + i;
		uint8_t *target;

		if (m->copied && !(*m->copied)[pgoff - m->own_pgoff]) {
			/* The first private write copies the whole page. */
			std::memcpy(m->own->data() + (pgoff - m->own_pgoff) * page_,
				    m->file->data.data() + pgoff * page_, page_);
			(*m->copied)[pgoff - m->own_pgoff] = true;
		}
		if (m->own)
			target = m->own->data() + (pgoff - m->own_pgoff) * page_;
		else
			target = m->file->data.data() + pgoff * page_;

		const uint8_t seed = static_cast<uint8_t>(Random(256));

		MarkAllocated(*m->file, pgoff);
		for (size_t k = 0; k < len; k++) {
			const uint8_t byte = static_cast<uint8_t>(seed + k * 13);

			static_cast<volatile uint8_t *>(m->addr + i * page_ + offset)[k] = byte;
			target[offset + k] = byte;
		}
		Check(*m, i, offset, len, "read back a write through the mapping");
	}

	void ReadFile()
	{
		op_ = kOpRead;

		FileModel *f = OpenFile();

		if (!f)
			return;

		const uint64_t size = f->pages * page_;
		const uint64_t offset = Random(size + page_);
		const size_t len = 1 + Random(2 * page_);
		std::vector<uint8_t> buf(len);
		const ssize_t n = pread(f->fd, buf.data(), len, static_cast<off_t>(offset));
		const int err = n < 0 ? errno : 0;

		Count();
		if (!Buffer(*f)) {
			if (err != EINVAL)
				Fail("%s: pread(): %s, expected EINVAL", f->strategy->name,
				     err ? strerror(err) : "success");
			return;
		}

		const size_t want = offset >= size ? 0 : std::min<uint64_t>(len, size - offset);

		if (err || static_cast<size_t>(n) != want)
			return Fail("%s: pread(%zu at %llu) of a %llu-byte file: %zd (%s), expected %zu",
				    f->strategy->name, len, static_cast<unsigned long long>(offset),
				    static_cast<unsigned long long>(size), n,
				    err ? strerror(err) : "no error", want);
		for (size_t k = 0; k < want; k++)
			if (buf[k] != f->data[offset + k])
				return Fail("%s: pread() byte %llu: %#x, expected %#x",
					    f->strategy->name,
					    static_cast<unsigned long long>(offset + k), buf[k],
					    f->data[offset + k]);
	}

	void WriteFile()
	{
		op_ = kOpWrite;

		FileModel *f = OpenFile();

		if (!f)
			return;

		const uint64_t size = f->pages * page_;
		const uint64_t offset = Random(size + page_);
		const size_t len = 1 + Random(2 * page_);
		std::vector<uint8_t> buf(len);
		const uint8_t seed = static_cast<uint8_t>(Random(256));

		for (size_t k = 0; k < len; k++)
			buf[k] = static_cast<uint8_t>(seed + k * 7);

		const ssize_t n = pwrite(f->fd, buf.data(), len, static_cast<off_t>(offset));
		const int err = n < 0 ? errno : 0;

		Count();
		if (!Buffer(*f)) {
			if (err != EINVAL)
				Fail("%s: pwrite(): %s, expected EINVAL", f->strategy->name,
				     err ? strerror(err) : "success");
			return;
		}
		if (offset >= size) {
			if (err != ENOSPC)
				Fail("%s: pwrite() at %llu of a %llu-byte file: %s, expected ENOSPC",
				     f->strategy->name, static_cast<unsigned long long>(offset),
				     static_cast<unsigned long long>(size),
				     err ? strerror(err) : "success");
			return;
		}

		const size_t want = std::min<uint64_t>(len, size - offset);

		if (err || static_cast<size_t>(n) != want)
			return Fail("%s: pwrite(%zu at %llu) of a %llu-byte file: %zd (%s), expected %zu",
				    f->strategy->name, len, static_cast<unsigned long long>(offset),
				    static_cast<unsigned long long>(size), n,
				    err ? strerror(err) : "no error", want);
		std::memcpy(f->data.data() + offset, buf.data(), want);
		for (uint64_t p = offset / page_; p <= (offset + want - 1) / page_; p++)
			MarkAllocated(*f, p);
	}

	void Dontneed()
	{
		op_ = kOpDontneed;

		MapModel *m = AnyMapping();

		if (!m)
			return;

		const uint64_t first = Random(m->pages);
		const uint64_t count = 1 + Random(m->pages - first);
		const int err = madvise(m->addr + first * page_, count * page_, MADV_DONTNEED)
				? errno : 0;
		const int expected = m->file->semantics->dontneed_errno;

		Count();
		if (err != expected)
			return Fail("%s: madvise(MADV_DONTNEED): %s, expected %s",
				    m->file->strategy->name, err ? strerror(err) : "success",
				    expected ? strerror(expected) : "success");
		/* Private copies are dropped: those pages show the file again. */
		if (!err && m->copied)
			for (uint64_t i = first; i < first + count; i++)
				(*m->copied)[m->pgoff + i - m->own_pgoff] = false;
	}

	/* Whether [@addr, @addr + @len) is mapped nowhere. */
	bool Unmapped(const uint8_t *addr, size_t len) const
	{
		unsigned char residency;

		for (size_t off = 0; off < len; off += page_)
			if (mincore(const_cast<uint8_t *>(addr + off), page_, &residency) == 0 ||
			    errno != ENOMEM)
				return false;
		return true;
	}

	/* Private copies exist only inside @m's own range. */
	void DropCopiesOutside(MapModel &m)
	{
		if (!m.copied)
			return;
		for (uint64_t i = 0; i < m.copied->size(); i++)
			if (m.own_pgoff + i < m.pgoff || m.own_pgoff + i >= m.pgoff + m.pages)
				(*m.copied)[i] = false;
	}

	/*
	 * mremap() to a new size, in place or moved. Growth: the semantics
	 * table's answer; but a VM_MIXEDMAP mapping (insert, lazy) with free
	 * addresses after it cannot grow at all on 7.3 (ENOMEM, see the
	 * documentation's "mremap grow").
	 */
	void Mremap()
	{
		op_ = kOpMremap;

		MapModel *m = AnyMapping();

		if (!m)
			return;

		const uint64_t pages = 1 + Random(m->pages + 2);
		std::lock_guard<std::mutex> lock(address_space);
		int expected = pages > m->pages ? m->file->semantics->grow_errno : 0;

		if (!expected && pages > m->pages &&
		    (m->file->semantics->vm_flags & MMAPDEMO_VMF_MM) &&
		    Unmapped(m->addr + m->pages * page_, (pages - m->pages) * page_))
			expected = ENOMEM;

		void *addr = mremap(m->addr, m->pages * page_, pages * page_, MREMAP_MAYMOVE);
		const int err = addr == MAP_FAILED ? errno : 0;

		Count();
		if (err != expected)
			return Fail("%s: mremap() from %llu to %llu pages: %s, expected %s",
				    m->file->strategy->name,
				    static_cast<unsigned long long>(m->pages),
				    static_cast<unsigned long long>(pages),
				    err ? strerror(err) : "success",
				    expected ? strerror(expected) : "success");
		if (err)
			return;
		m->addr = static_cast<uint8_t *>(addr);
		if (m->copied && m->copied->size() < m->pgoff + pages - m->own_pgoff) {
			/* Grown private pages start as the file's (past its end: SIGBUS). */
			m->copied->resize(m->pgoff + pages - m->own_pgoff, false);
			m->own->resize(m->copied->size() * page_, 0);
		}
		m->pages = pages;
		/* A shrink dropped the copies of the pages it unmapped. */
		DropCopiesOutside(*m);
	}

	/* mremap() to an address of our choosing, the same size. */
	void Move()
	{
		op_ = kOpMove;

		MapModel *m = AnyMapping();

		if (!m)
			return;

		std::lock_guard<std::mutex> lock(address_space);
		void *target = mmap(nullptr, m->pages * page_, PROT_NONE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (target == MAP_FAILED)
			return Fail("reserving %llu pages: %s",
				    static_cast<unsigned long long>(m->pages), strerror(errno));

		void *addr = mremap(m->addr, m->pages * page_, m->pages * page_,
				    MREMAP_MAYMOVE | MREMAP_FIXED, target);
		const int err = addr == MAP_FAILED ? errno : 0;

		Count();
		if (err) {
			munmap(target, m->pages * page_);
			return Fail("%s: mremap(MREMAP_FIXED): %s", m->file->strategy->name,
				    strerror(err));
		}
		m->addr = static_cast<uint8_t *>(addr);
	}

	/* munmap() of all of a mapping, its head, its tail or a middle page. */
	void Munmap()
	{
		op_ = kOpMunmap;
		if (maps_.empty())
			return;

		const size_t index = Random(maps_.size());
		MapModel m = maps_[index];
		const uint64_t kind = m.pages == 1 ? 0 : Random(4);
		uint64_t first = 0, count = m.pages;

		if (kind == 1) {
			count = 1 + Random(m.pages - 1);		/* head */
		} else if (kind == 2) {
			count = 1 + Random(m.pages - 1);		/* tail */
			first = m.pages - count;
		} else if (kind == 3 && m.pages >= 3) {
			first = 1 + Random(m.pages - 2);		/* a middle page */
			count = 1;
		}

		Count();
		{
			std::lock_guard<std::mutex> lock(address_space);

			if (munmap(m.addr + first * page_, count * page_) != 0)
				return Fail("%s: munmap(): %s", m.file->strategy->name,
					    strerror(errno));
		}
		maps_.erase(maps_.begin() + index);
		m.file->live_mappings--;
		for (const auto &[start, pages] :
		     { std::pair<uint64_t, uint64_t>{ 0, first },
		       std::pair<uint64_t, uint64_t>{ first + count, m.pages - first - count } }) {
			if (!pages)
				continue;

			MapModel rest = m;

			rest.addr = m.addr + start * page_;
			rest.pgoff = m.pgoff + start;
			rest.pages = pages;
			if (m.copied) {
				/* Each VMA of a split keeps its own private copies. */
				rest.own = std::make_shared<std::vector<uint8_t>>(*m.own);
				rest.copied = std::make_shared<std::vector<bool>>(*m.copied);
				DropCopiesOutside(rest);
			}
			rest.file->live_mappings++;
			maps_.push_back(rest);
		}
	}

	void Mprotect()
	{
		op_ = kOpMprotect;

		MapModel *m = AnyMapping();

		if (!m)
			return;

		const int prot = m->prot == PROT_READ ? PROT_READ | PROT_WRITE : PROT_READ;
		const int err = mprotect(m->addr, m->pages * page_, prot) ? errno : 0;
		const int expected = prot & PROT_WRITE ? m->file->semantics->mprotect_errno : 0;

		Count();
		if (err != expected)
			return Fail("%s: mprotect(): %s, expected %s", m->file->strategy->name,
				    err ? strerror(err) : "success",
				    expected ? strerror(expected) : "success");
		if (!err)
			m->prot = prot;
	}

	/* A page of a grown mapping past the file's end raises SIGBUS. */
	void Probe()
	{
		op_ = kOpProbe;

		MapModel *m = nullptr;

		for (MapModel &candidate : maps_)
			if (Accessible(candidate) < candidate.pages)
				m = &candidate;
		if (!m)
			return;

		const uint64_t accessible = Accessible(*m);
		const uint64_t i = accessible + Random(m->pages - accessible);
		const int sig = ProbeSignal(m->addr + i * page_);

		Count();
		if (sig != SIGBUS)
			Fail("%s: page %llu of a mapping grown past the file's end: %s, expected SIGBUS",
			     m->file->strategy->name, static_cast<unsigned long long>(i),
			     sig ? strsignal(sig) : "no signal");
	}

	/*
	 * fork(): the child checks a mapping against the model and writes a
	 * byte to a shared one, which the parent must then see. The child
	 * only reads memory and calls _exit(): other threads of the parent
	 * may hold locks of the C library.
	 */
	void Fork()
	{
		op_ = kOpFork;

		MapModel *m = AnyMapping();

		if (!m || !Accessible(*m))
			return;

		const uint64_t i = Random(Accessible(*m));
		const bool write = !m->is_private && (m->prot & PROT_WRITE);
		const uint8_t byte = static_cast<uint8_t>(Random(256));
		const size_t offset = Random(page_);
		uint8_t *const p = m->addr + i * page_;
		std::vector<uint8_t> expected(page_);

		for (size_t k = 0; k < page_; k++)
			expected[k] = Expected(*m, i, k);

		std::unique_lock<std::shared_mutex> alone(forking);
		const pid_t child = fork();

		if (child < 0)
			return Fail("fork: %s", strerror(errno));
		if (child == 0) {
			if (std::memcmp(p, expected.data(), page_) != 0)
				_exit(1);
			if (write)
				static_cast<volatile uint8_t *>(p)[offset] = byte;
			_exit(0);
		}

		int status;

		Count();
		if (waitpid(child, &status, 0) != child)
			return Fail("waitpid: %s", strerror(errno));
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			return Fail("%s: the fork() child %s (page %llu)", m->file->strategy->name,
				    WIFEXITED(status) ? "saw other data" : "died",
				    static_cast<unsigned long long>(i));
		MarkAllocated(*m->file, m->pgoff + i);
		if (write) {
			if (m->own)
				(*m->own)[(m->pgoff + i - m->own_pgoff) * page_ + offset] = byte;
			else
				m->file->data[(m->pgoff + i) * page_ + offset] = byte;
		}
		Check(*m, i, 0, page_, "after a fork() child's write");
	}

	static void UnmapLocked(void *addr, size_t len)
	{
		std::lock_guard<std::mutex> lock(address_space);

		munmap(addr, len);
	}

	/* Map a window of a file every worker shares, check it, drop it. */
	void Shared()
	{
		op_ = kOpShared;
		if (shared_files.empty())
			return;

		const size_t s = Random(shared_files.size());
		const SharedFile &shared = shared_files[s];
		const uint64_t pgoff = Random(kSharedPages);
		const uint64_t pages = 1 + Random(kSharedPages - pgoff);
		const bool buffer = !shared.strategy->per_mapping;
		const int prot = buffer ? PROT_READ : PROT_READ | PROT_WRITE;
		std::unique_lock<std::mutex> lock(address_space);
		void *addr = mmap(nullptr, pages * page_, prot, MAP_SHARED, shared.fd,
				  static_cast<off_t>(pgoff * page_));

		lock.unlock();

		Count();
		if (addr == MAP_FAILED)
			return Fail("%s: mmap of the shared file: %s", shared.strategy->name,
				    strerror(errno));

		uint8_t *const p = static_cast<uint8_t *>(addr);
		/* Per-mapping pages are this mapping's own: one marked byte each. */
		std::vector<bool> marked(pages, false);

		for (int round = 0; round < 2; round++) {
			for (uint64_t i = Random(2); i < pages; i += 1 + Random(3)) {
				const size_t offset = (i * 37) % (page_ - 8);

				for (size_t k = offset; k < offset + 8; k++) {
					const uint8_t got = static_cast<volatile uint8_t *>(p)[i * page_ + k];
					uint8_t want = buffer ? SharedByte(s, pgoff + i, k) : 0;

					if (!buffer && marked[i] && k == offset)
						want = 0xa5;
					if (got != want) {
						UnmapLocked(addr, pages * page_);
						return Fail("%s: shared file page %llu byte %zu: %#x, "
							    "expected %#x", shared.strategy->name,
							    static_cast<unsigned long long>(pgoff + i),
							    k, got, want);
					}
				}
				if (!buffer) {
					static_cast<volatile uint8_t *>(p)[i * page_ + offset] = 0xa5;
					marked[i] = true;
				}
			}
			/* Racing other workers' faults on the same pages. */
			if (shared.semantics->dontneed_errno == 0 && Chance(50) &&
			    madvise(addr, pages * page_, MADV_DONTNEED) != 0) {
				UnmapLocked(addr, pages * page_);
				return Fail("%s: madvise(MADV_DONTNEED) of the shared file: %s",
					    shared.strategy->name, strerror(errno));
			}
		}
		UnmapLocked(addr, pages * page_);
	}

	const int number_;
	WorkerReport *const report_;
	std::mt19937_64 rng_;
	const size_t page_;
	uint64_t op_number_ = 0;
	Op op_ = kOpOpen;
	std::vector<std::shared_ptr<FileModel>> files_;
	std::vector<MapModel> maps_;
};

/* Open and fill the file of each strategy that every worker shares. */
void OpenSharedFiles()
{
	const size_t page = PageSize();

	for (const SharedFile &f : shared_files)
		close(f.fd);
	shared_files.clear();
	for (size_t s = 0; s < std::size(kStrategies); s++) {
		const Strategy &strategy = kStrategies[s];
		UniqueFd fd = OpenDevice(DevicePath(strategy));
		mmapdemo_info info{};

		ASSERT_TRUE(fd) << DevicePath(strategy) << ": " << strerror(errno);
		ASSERT_EQ(QueryInfo(fd.get(), &info), 0);
		if (info.max_pages < kSharedPages)
			GTEST_SKIP() << "max_pages " << info.max_pages << " < " << kSharedPages;
		ASSERT_EQ(SetSize(fd.get(), kSharedPages), 0) << strategy.name;
		if (!strategy.per_mapping) {
			std::vector<uint8_t> page_bytes(page);

			for (uint64_t p = 0; p < kSharedPages; p += 2) {
				for (size_t k = 0; k < page; k++)
					page_bytes[k] = SharedByte(s, p, k);
				ASSERT_EQ(pwrite(fd.get(), page_bytes.data(), page,
						 static_cast<off_t>(p * page)),
					  static_cast<ssize_t>(page)) << strerror(errno);
			}
		}
		shared_files.push_back({ &strategy, FindSemantics(strategy), fd.release() });
	}
}

std::string ReplayCommand()
{
	char seconds[32];

	snprintf(seconds, sizeof(seconds), "%g", options.seconds);
	return "mmapdemo_stress --seed=" + std::to_string(options.seed) +
	       " --seconds=" + seconds +
	       " --threads=" + std::to_string(options.threads) +
	       " --children=" + std::to_string(options.children);
}

/*
 * The stress run: options.children fork()ed processes and options.threads
 * threads, each a Worker, all until the same deadline.
 */
TEST(Stress, RandomSequencesOnEveryStrategy)
{
	const int workers = options.threads + options.children;

	char line[160];

	snprintf(line, sizeof(line), "stress: seed %llu, %.1f s, %d threads, %d children",
		 static_cast<unsigned long long>(options.seed), options.seconds,
		 options.threads, options.children);
	ktap::PrintDiagnostic(line);
	ktap::PrintDiagnostic("stress: replay with " + ReplayCommand());
	ASSERT_GT(workers, 0) << "no worker";
	ASSERT_NO_FATAL_FAILURE(OpenSharedFiles());
	if (IsSkipped())
		return;

	/* Reports in memory the children share. */
	const size_t report_bytes = sizeof(WorkerReport) * workers;
	void *shared = mmap(nullptr, report_bytes, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(shared, MAP_FAILED) << strerror(errno);

	WorkerReport *reports = static_cast<WorkerReport *>(shared);

	for (int w = 0; w < workers; w++)
		new (&reports[w]) WorkerReport{};

	struct sigaction action {};

	action.sa_sigaction = ProbeHandler;
	action.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&action.sa_mask);
	sigaction(SIGBUS, &action, &previous_bus);
	sigaction(SIGSEGV, &action, &previous_segv);

	const auto start = std::chrono::steady_clock::now();
	const auto deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
		std::chrono::duration<double>(options.seconds));
	std::vector<pid_t> children;

	/* Children first, while this process has one thread. */
	for (int c = 0; c < options.children; c++) {
		const pid_t pid = fork();

		ASSERT_GE(pid, 0) << "fork: " << strerror(errno);
		if (pid == 0) {
			{
				Worker worker(options.threads + c, &reports[options.threads + c]);

				worker.Run(deadline);
			}
			_exit(0);
		}
		children.push_back(pid);
	}

	std::vector<std::thread> threads;

	for (int t = 0; t < options.threads; t++)
		threads.emplace_back([t, reports, deadline] {
			Worker worker(t, &reports[t]);

			worker.Run(deadline);
		});
	for (std::thread &thread : threads)
		thread.join();
	for (size_t c = 0; c < children.size(); c++) {
		int status;
		const int w = options.threads + static_cast<int>(c);

		ASSERT_EQ(waitpid(children[c], &status, 0), children[c]) << strerror(errno);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			ADD_FAILURE() << "worker " << w << " (a child) "
				      << (WIFSIGNALED(status) ? std::string("died of ") +
						strsignal(WTERMSIG(status)) :
						"exited with " + std::to_string(WEXITSTATUS(status)))
				      << "; replay: " << ReplayCommand();
	}

	const double seconds = std::chrono::duration<double>(
		std::chrono::steady_clock::now() - start).count();

	sigaction(SIGBUS, &previous_bus, nullptr);
	sigaction(SIGSEGV, &previous_segv, nullptr);

	uint64_t total = 0, per_op[kNumOps] = {};

	for (int w = 0; w < workers; w++) {
		uint64_t ops = 0;

		for (int op = 0; op < kNumOps; op++) {
			ops += reports[w].ops[op].load();
			per_op[op] += reports[w].ops[op].load();
		}
		total += ops;
		if (reports[w].failed.load())
			ADD_FAILURE() << reports[w].message << "\nreplay: " << ReplayCommand()
				      << " (add --ops=N to stop each worker after N operations)";
	}

	std::string breakdown;

	for (int op = 0; op < kNumOps; op++)
		breakdown += std::string(op ? ", " : "") + kOpNames[op] + " " +
			     std::to_string(per_op[op]);
	snprintf(line, sizeof(line), "stress: %llu operations in %.1f s by %d workers, seed %llu",
		 static_cast<unsigned long long>(total), seconds, workers,
		 static_cast<unsigned long long>(options.seed));
	ktap::PrintDiagnostic(line);
	ktap::PrintDiagnostic("stress: " + breakdown);
	EXPECT_GT(total, 0U) << "no operation ran";
	for (int w = 0; w < workers; w++)
		reports[w].~WorkerReport();
	munmap(shared, report_bytes);
	for (const SharedFile &f : shared_files)
		close(f.fd);
	shared_files.clear();
}

/*
 * MMAPDEMO_IOC_SET_SIZE racing mmap() on one file, from two threads: once
 * an mmap() has returned, every resize is EBUSY, and the mapping reaches
 * the file's current buffer (what is written through it, read() returns),
 * never one a resize replaced.
 */
TEST(Stress, SetSizeRacesMmap)
{
	const size_t page = PageSize();
	std::mt19937_64 rng(options.seed);

	for (const Strategy &strategy : kStrategies) {
		SCOPED_TRACE(strategy.name);
		for (int round = 0; round < 20; round++) {
			UniqueFd fd = OpenDevice(DevicePath(strategy));
			std::atomic<bool> mapped{false}, stop{false};
			std::atomic<int> resized_after_map{0};

			ASSERT_TRUE(fd) << strerror(errno);

			std::thread resizer([&fd, &mapped, &stop, &resized_after_map,
					     seed = rng()] {
				std::mt19937_64 local(seed);

				while (!stop.load()) {
					const bool was_mapped = mapped.load();

					if (SetSize(fd.get(), 1 + local() % 8) == 0 && was_mapped)
						resized_after_map++;
				}
			});

			/* Give the resizer a head start of a few resizes. */
			std::this_thread::sleep_for(std::chrono::microseconds(200 + rng() % 800));

			void *addr = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_SHARED,
					  fd.get(), 0);
			const int mmap_errno = errno;

			mapped.store(addr != MAP_FAILED);
			std::this_thread::sleep_for(std::chrono::milliseconds(1));
			stop.store(true);
			resizer.join();
			ASSERT_NE(addr, MAP_FAILED) << "mmap() of page 0: " << strerror(mmap_errno);

			mmapdemo_info info{};

			ASSERT_EQ(QueryInfo(fd.get(), &info), 0);
			EXPECT_NE(info.flags & MMAPDEMO_INFO_SIZE_FIXED, 0U);
			EXPECT_EQ(SetSize(fd.get(), 1), EBUSY);
			EXPECT_EQ(resized_after_map.load(), 0) << "a resize succeeded after mmap()";

			volatile uint8_t *const bytes = static_cast<uint8_t *>(addr);

			bytes[page - 1] = 0x3c;
			if (!strategy.per_mapping) {
				uint8_t byte = 0;

				EXPECT_EQ(pread(fd.get(), &byte, 1, static_cast<off_t>(page - 1)), 1);
				EXPECT_EQ(byte, 0x3c) << "the mapping is not the file's buffer";
			}
			munmap(addr, page);
			if (HasFailure())
				return;
		}
	}
}

/* A value of --name=VALUE or of the environment variable @env. */
std::optional<std::string> OptionValue(int argc, char **argv, const std::string &name,
				       const char *env)
{
	const std::string prefix = "--" + name + "=";

	for (int i = 1; i < argc; i++)
		if (std::string(argv[i]).rfind(prefix, 0) == 0)
			return std::string(argv[i] + prefix.size());
	if (const char *value = std::getenv(env))
		return std::string(value);
	return std::nullopt;
}

/* Parse the options left after GoogleTest took its own; false on error. */
bool ParseOptions(int argc, char **argv)
{
	static const char *const known[] = { "seed", "seconds", "threads", "children", "ops" };

	for (int i = 1; i < argc; i++) {
		const std::string arg = argv[i];
		bool ok = false;

		for (const char *name : known)
			ok |= arg.rfind(std::string("--") + name + "=", 0) == 0;
		if (!ok) {
			fprintf(stderr, "mmapdemo_stress: unknown argument %s\n"
				"usage: mmapdemo_stress [--seed=N] [--seconds=S] [--threads=T] "
				"[--children=C] [--ops=N] [GoogleTest flags]\n", argv[i]);
			return false;
		}
	}
	try {
		if (auto v = OptionValue(argc, argv, "seed", "MMAPDEMO_STRESS_SEED"))
			options.seed = std::stoull(*v, nullptr, 0);
		else
			options.seed = static_cast<uint64_t>(
				std::chrono::system_clock::now().time_since_epoch().count()) ^
				static_cast<uint64_t>(getpid());
		if (auto v = OptionValue(argc, argv, "seconds", "MMAPDEMO_STRESS_SECONDS"))
			options.seconds = std::stod(*v);
		if (auto v = OptionValue(argc, argv, "threads", "MMAPDEMO_STRESS_THREADS"))
			options.threads = std::stoi(*v);
		if (auto v = OptionValue(argc, argv, "children", "MMAPDEMO_STRESS_CHILDREN"))
			options.children = std::stoi(*v);
		if (auto v = OptionValue(argc, argv, "ops", "MMAPDEMO_STRESS_OPS"))
			options.ops = std::stoull(*v, nullptr, 0);
	} catch (const std::exception &e) {
		fprintf(stderr, "mmapdemo_stress: bad option value (%s)\n", e.what());
		return false;
	}
	if (options.seconds <= 0 || options.seconds > 3600 || options.threads < 0 ||
	    options.children < 0 || options.threads + options.children > 64) {
		fprintf(stderr, "mmapdemo_stress: seconds must be in (0, 3600], and 1 to 64 workers\n");
		return false;
	}
	return true;
}

} /* namespace */
} /* namespace mmapdemo */

int main(int argc, char **argv)
{
	testing::InitGoogleTest(&argc, argv);
	/* KSFT_FAIL: the runner reads 2 as an expected failure (XFAIL). */
	if (!mmapdemo::ParseOptions(argc, argv))
		return ktap::kExitFail;
	return mmapdemo::RunInitializedTestProgram();
}
