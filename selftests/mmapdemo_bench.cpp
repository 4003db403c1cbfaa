// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo_bench - what each mmapdemo strategy costs per page, and how it
 * scales, measured against anonymous and memfd memory in the same boot
 *
 * Built beside the selftests, not run by them: a benchmark has no verdict.
 * It needs Google Benchmark (Debian: libbenchmark-dev) and root.
 *
 * For every strategy of kStrategies (mmapdemo_common.hpp) and for three
 * anchors,
 *
 *	anon		anonymous MAP_PRIVATE memory, faulted in by the first touch
 *	anon-populate	the same with MAP_POPULATE: mmap() faults every page in
 *	memfd		a memfd mapped MAP_SHARED, faulted in by the first touch
 *
 * and for every size from 3 pages to --max-pages (powers of 4 from 16,
 * plus 3), one iteration is one cycle on a fresh file:
 *
 *	open the node and MMAPDEMO_IOC_SET_SIZE (memfd: memfd_create()
 *	and ftruncate(); anon: nothing)
 *	mmap(), read and write (MAP_SHARED; anon: MAP_PRIVATE)
 *	first touch: one write to each page
 *	second touch: the same writes, the pages now mapped
 *	munmap()
 *	close()
 *
 * Each phase is timed with the monotonic clock and is a counter in
 * nanoseconds per page; the iteration time given to Google Benchmark
 * (UseManualTime) is the sum of mmap, both touches and munmap:
 *
 *	mmap_ns, touch1_ns, touch2_ns, munmap_ns
 *	map_touch_ns	mmap_ns + touch1_ns: what a usable page costs
 *	open_ns, close_ns  the file around it: a buffer strategy allocates
 *			and zeroes its pages at open (SET_SIZE), and frees
 *			them at close; the anchors and the per-mapping
 *			strategies do both at fault and munmap time
 *	faults		the driver's fault-handler calls per page
 *			(MMAPDEMO_IOC_STATS; not reported for the anchors)
 *	minflt		the process's minor page faults per page, for all
 *	pages		the size
 *
 * Each benchmark is named <strategy>/<pages>, runs a warm-up, then its
 * repetitions; only the aggregates are reported (mean, median, stddev, cv,
 * and min and max for the spread), for the times and for every counter.
 * The repetitions of all benchmarks run in random order
 * (--benchmark_enable_random_interleaving=true, set here), so that a
 * change of the host's load during the run reaches every strategy and
 * the anchors they are compared with alike.
 *
 * Before the first benchmark, the program maps, touches and unmaps most of
 * the free memory once (--no-warm-memory: not): in a virtual machine the
 * first use of a guest page also costs a fault in the host, which would
 * otherwise fall on whichever strategy first needs more memory.
 *
 * A size is left out for a strategy when the driver's cap
 * (MMAPDEMO_INFO's max_pages; "modprobe mmapdemo max_pages=262144" raises
 * it, contiguous buffers stay at the largest buddy block) or the free
 * memory (MemAvailable / 2) does not allow it; what was left out is said
 * on stderr and in the JSON context ("skipped").
 *
 * Options, besides Google Benchmark's own --benchmark_* options (e.g.
 * --benchmark_out=FILE --benchmark_out_format=json,
 * --benchmark_context=key=value):
 *
 *	--quick		3 repetitions, short minimum and warm-up times
 *			(the default: 10 repetitions, 0.2 s, warm-up 0.1 s)
 *	--max-pages=N	largest size in pages (default 262144, 1 GiB at 4 KiB)
 *	--only=A,B	only these strategies and anchors
 *	--no-warm-memory  skip the touch of the free memory at start
 *	--list		print the strategy and anchor names, one a line
 *
 * Exit status: 0, 1 when a cycle failed, 2 for a usage error, 4 (KSFT_SKIP)
 * when no mmapdemo node can be opened.
 */

#include "mmapdemo_common.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>

using mmapdemo::Strategy;
using mmapdemo::UniqueFd;

namespace {

constexpr int kSkipExit = 4;	/* KSFT_SKIP */

/* A cycle failed: the run's results are incomplete. */
bool failed;

void Fail(benchmark::State &state, const std::string &message)
{
	failed = true;
	state.SkipWithError(message.c_str());
}

/* What one benchmark maps: a driver node or an anchor. */
enum class Kind { kDriver, kAnon, kAnonPopulate, kMemfd };

struct Subject {
	std::string name;
	Kind type;
	const Strategy *strategy;	/* kDriver only */
	uint64_t max_pages;		/* the driver's cap, or the memory's */
};

struct CommandLine {
	bool quick = false;
	uint64_t max_pages = 262144;
	std::vector<std::string> only;
	bool list = false;
	bool warm_memory = true;
};

inline size_t PageSize()
{
	return static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

/* Nanoseconds of the monotonic clock. */
inline uint64_t NowNs()
{
	return std::chrono::duration_cast<std::chrono::nanoseconds>(
		std::chrono::steady_clock::now().time_since_epoch()).count();
}

inline uint64_t MinorFaults()
{
	struct rusage usage {};

	getrusage(RUSAGE_SELF, &usage);
	return usage.ru_minflt;
}

/* One write per page; @value changes between passes so that none is idle. */
inline void TouchPages(uint8_t *data, uint64_t pages, size_t page_size,
		       uint8_t value)
{
	volatile uint8_t *bytes = data;

	for (uint64_t page = 0; page < pages; page++)
		bytes[page * page_size] = value;
}

/* The time of each phase of one cycle, summed over the iterations. */
struct PhaseTotals {
	uint64_t open_ns = 0;
	uint64_t close_ns = 0;
	uint64_t mmap_ns = 0;
	uint64_t touch1_ns = 0;
	uint64_t touch2_ns = 0;
	uint64_t munmap_ns = 0;
	uint64_t faults = 0;
	uint64_t minflt = 0;
};

/*
 * The untimed part of a cycle: a fresh file of @pages pages to map, or an
 * error message. Anonymous anchors need none.
 */
std::string OpenSubject(const Subject &subject, uint64_t pages,
			size_t page_size, UniqueFd *fd)
{
	switch (subject.type) {
	case Kind::kDriver: {
		const std::string path = mmapdemo::DevicePath(*subject.strategy);

		*fd = mmapdemo::OpenDevice(path);
		if (!*fd)
			return "open " + path + ": " + strerror(errno);

		mmapdemo_info info{};
		int err = mmapdemo::QueryInfo(fd->get(), &info);

		if (!err && info.nr_pages != pages)
			err = mmapdemo::SetSize(fd->get(), pages);
		if (err)
			return "MMAPDEMO_IOC_SET_SIZE " + std::to_string(pages) +
			       " on " + path + ": " + strerror(err);
		return "";
	}
	case Kind::kMemfd:
		fd->reset(memfd_create("mmapdemo_bench", MFD_CLOEXEC));
		if (!*fd)
			return std::string("memfd_create: ") + strerror(errno);
		if (ftruncate(fd->get(), static_cast<off_t>(pages * page_size)))
			return std::string("ftruncate: ") + strerror(errno);
		return "";
	default:
		return "";
	}
}

void RunCycles(benchmark::State &state, const Subject &subject, uint64_t pages)
{
	const size_t page_size = PageSize();
	const size_t length = pages * page_size;
	PhaseTotals total;
	uint8_t value = 0;

	for (auto _ : state) {
		UniqueFd fd;
		const uint64_t opening = NowNs();
		const std::string error = OpenSubject(subject, pages, page_size, &fd);
		const uint64_t opened = NowNs();

		if (!error.empty()) {
			Fail(state, error);
			break;
		}

		int flags = MAP_SHARED;

		if (subject.type == Kind::kAnon || subject.type == Kind::kAnonPopulate)
			flags = MAP_PRIVATE | MAP_ANONYMOUS;
		if (subject.type == Kind::kAnonPopulate)
			flags |= MAP_POPULATE;

		mmapdemo_stats before{}, after{};

		if (subject.type == Kind::kDriver)
			mmapdemo::QueryStats(fd.get(), &before);

		const uint64_t minflt_before = MinorFaults();
		const uint64_t t0 = NowNs();
		void *addr = mmap(nullptr, length, PROT_READ | PROT_WRITE, flags,
				  fd.get(), 0);
		const uint64_t t1 = NowNs();

		if (addr == MAP_FAILED) {
			Fail(state, std::string("mmap: ") + strerror(errno));
			break;
		}
		uint8_t *data = static_cast<uint8_t *>(addr);

		TouchPages(data, pages, page_size, ++value);
		const uint64_t t2 = NowNs();
		TouchPages(data, pages, page_size, ++value);
		const uint64_t t3 = NowNs();
		const uint64_t minflt_after = MinorFaults();

		if (subject.type == Kind::kDriver)
			mmapdemo::QueryStats(fd.get(), &after);

		const uint64_t t4 = NowNs();
		const int unmapped = munmap(addr, length);
		const uint64_t t5 = NowNs();

		if (unmapped) {
			Fail(state, std::string("munmap: ") + strerror(errno));
			break;
		}
		fd.reset();
		const uint64_t closed = NowNs();

		total.open_ns += opened - opening;
		total.close_ns += closed - t5;
		total.mmap_ns += t1 - t0;
		total.touch1_ns += t2 - t1;
		total.touch2_ns += t3 - t2;
		total.munmap_ns += t5 - t4;
		total.faults += after.faults - before.faults;
		total.minflt += minflt_after - minflt_before;
		state.SetIterationTime((t3 - t0 + t5 - t4) * 1e-9);
	}

	/* Per iteration (kAvgIterations), then per page. */
	const double per_page = 1.0 / static_cast<double>(pages);
	auto counter = [&](uint64_t sum) {
		return benchmark::Counter(static_cast<double>(sum) * per_page,
					  benchmark::Counter::kAvgIterations);
	};

	state.counters["mmap_ns"] = counter(total.mmap_ns);
	state.counters["touch1_ns"] = counter(total.touch1_ns);
	state.counters["touch2_ns"] = counter(total.touch2_ns);
	state.counters["munmap_ns"] = counter(total.munmap_ns);
	state.counters["map_touch_ns"] = counter(total.mmap_ns + total.touch1_ns);
	state.counters["open_ns"] = counter(total.open_ns);
	state.counters["close_ns"] = counter(total.close_ns);
	state.counters["minflt"] = counter(total.minflt);
	if (subject.type == Kind::kDriver)
		state.counters["faults"] = counter(total.faults);
	state.counters["pages"] = static_cast<double>(pages);
}

/* 3, then the powers of 4 from 16 up to @max. */
std::vector<uint64_t> Sizes(uint64_t max)
{
	std::vector<uint64_t> sizes;

	if (max >= 3)
		sizes.push_back(3);
	for (uint64_t pages = 16; pages <= max; pages *= 4)
		sizes.push_back(pages);
	return sizes;
}

/* MemAvailable in pages, or 0 if /proc/meminfo does not say. */
uint64_t AvailablePages(size_t page_size)
{
	std::ifstream meminfo("/proc/meminfo");
	std::string key;
	uint64_t kib;
	std::string unit;

	while (meminfo >> key >> kib) {
		std::getline(meminfo, unit);
		if (key == "MemAvailable:")
			return kib * 1024 / page_size;
	}
	return 0;
}

bool Wanted(const CommandLine &options, const std::string &name)
{
	return options.only.empty() ||
	       std::find(options.only.begin(), options.only.end(), name) !=
	       options.only.end();
}

std::vector<std::string> SplitCommas(const std::string &list)
{
	std::vector<std::string> items;
	std::stringstream stream(list);
	std::string item;

	while (std::getline(stream, item, ','))
		if (!item.empty())
			items.push_back(item);
	return items;
}

const char *const kAnchorNames[] = { "anon", "anon-populate", "memfd" };

void Usage(FILE *out)
{
	fprintf(out,
		"usage: mmapdemo_bench [--quick] [--max-pages=N] [--only=A,B] [--list]\n"
		"       [--no-warm-memory]\n"
		"       [--benchmark_* options of Google Benchmark]\n");
}

/* Our own options; Google Benchmark has taken its own out of argv. */
bool ParseOptions(int argc, char **argv, CommandLine *options)
{
	for (int i = 1; i < argc; i++) {
		const std::string arg = argv[i];

		if (arg == "--quick") {
			options->quick = true;
		} else if (arg.rfind("--max-pages=", 0) == 0) {
			char *end;
			const char *number = argv[i] + strlen("--max-pages=");

			options->max_pages = strtoull(number, &end, 0);
			if (*end || options->max_pages < 3) {
				fprintf(stderr, "mmapdemo_bench: bad %s (3 or more pages)\n",
					argv[i]);
				return false;
			}
		} else if (arg.rfind("--only=", 0) == 0) {
			options->only = SplitCommas(arg.substr(strlen("--only=")));
		} else if (arg == "--list") {
			options->list = true;
		} else if (arg == "--no-warm-memory") {
			options->warm_memory = false;
		} else if (arg == "-h" || arg == "--help") {
			Usage(stdout);
			exit(0);
		} else {
			fprintf(stderr, "mmapdemo_bench: unknown option %s\n", argv[i]);
			Usage(stderr);
			return false;
		}
	}
	return true;
}

double Min(const std::vector<double> &values)
{
	return values.empty() ? 0 : *std::min_element(values.begin(), values.end());
}

double Max(const std::vector<double> &values)
{
	return values.empty() ? 0 : *std::max_element(values.begin(), values.end());
}

/*
 * Touch @pages pages of anonymous memory once and give them back: the
 * host backs them from now on. Returns how many were touched.
 */
uint64_t WarmMemory(uint64_t pages, size_t page_size)
{
	void *addr = mmap(nullptr, pages * page_size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (addr == MAP_FAILED)
		return 0;
	munmap(addr, pages * page_size);
	return pages;
}

std::string KernelRelease()
{
	struct utsname name {};

	return uname(&name) == 0 ? name.release : "unknown";
}

std::string ReadLine(const char *path)
{
	std::ifstream file(path);
	std::string line;

	std::getline(file, line);
	return line;
}

} /* namespace */

int main(int argc, char **argv)
{
	/*
	 * The repetitions of all benchmarks in random order: a change of the
	 * host's load during the run (under TCG, any other job on the host)
	 * then spreads over every strategy and anchor, instead of falling on
	 * whichever ran at that time and skewing their ratios. Inserted
	 * first, so that the same option given on the command line wins.
	 */
	static char interleave[] = "--benchmark_enable_random_interleaving=true";
	std::vector<char *> args(argv, argv + argc);

	args.insert(args.begin() + 1, interleave);
	args.push_back(nullptr);
	int nargs = static_cast<int>(args.size()) - 1;

	benchmark::Initialize(&nargs, args.data());

	CommandLine options;

	if (!ParseOptions(nargs, args.data(), &options))
		return 2;

	if (options.list) {
		for (const Strategy &strategy : mmapdemo::kStrategies)
			printf("%s\n", strategy.name);
		for (const char *name : kAnchorNames)
			printf("%s\n", name);
		return 0;
	}

	const size_t page_size = PageSize();
	/* Room for the mapped pages, their page tables and everything else. */
	const uint64_t memory_pages = AvailablePages(page_size) / 2;
	std::vector<Subject> subjects;
	std::string skipped;
	bool any_node = false;
	bool wanted_nodes = false;

	for (const Strategy &strategy : mmapdemo::kStrategies) {
		if (!Wanted(options, strategy.name))
			continue;
		wanted_nodes = true;

		const std::string path = mmapdemo::DevicePath(strategy);
		UniqueFd fd = mmapdemo::OpenDevice(path);
		mmapdemo_info info{};

		if (!fd || mmapdemo::QueryInfo(fd.get(), &info)) {
			fprintf(stderr, "mmapdemo_bench: skipping %s: %s: %s\n",
				strategy.name, path.c_str(), strerror(errno));
			skipped += std::string(skipped.empty() ? "" : "; ") +
				   strategy.name + ": cannot open " + path;
			continue;
		}
		any_node = true;
		subjects.push_back({ strategy.name, Kind::kDriver, &strategy,
				     info.max_pages });
	}
	if (wanted_nodes && !any_node) {
		printf("mmapdemo_bench: no /dev/mmapdemo-* node can be opened: "
		       "load the module (modprobe mmapdemo) and run as root\n");
		return kSkipExit;
	}
	const Kind anchor_kinds[] = { Kind::kAnon, Kind::kAnonPopulate, Kind::kMemfd };

	for (size_t i = 0; i < std::size(kAnchorNames); i++)
		if (Wanted(options, kAnchorNames[i]))
			subjects.push_back({ kAnchorNames[i], anchor_kinds[i], nullptr,
					     options.max_pages });

	for (const std::string &name : options.only) {
		const bool known = mmapdemo::FindStrategy(name) ||
			std::find(std::begin(kAnchorNames), std::end(kAnchorNames),
				  name) != std::end(kAnchorNames);

		if (!known) {
			fprintf(stderr, "mmapdemo_bench: unknown name in --only: %s "
				"(see --list)\n", name.c_str());
			return 2;
		}
	}

	const int repetitions = options.quick ? 3 : 10;
	const double min_time = options.quick ? 0.02 : 0.2;
	const double warm_up = options.quick ? 0.01 : 0.1;

	for (uint64_t pages : Sizes(options.max_pages)) {
		for (const Subject &subject : subjects) {
			std::string why;

			if (pages > subject.max_pages)
				why = "over the driver's cap of " +
				      std::to_string(subject.max_pages) + " pages";
			else if (memory_pages && pages > memory_pages)
				why = "over half of MemAvailable (" +
				      std::to_string(memory_pages) + " pages)";
			if (!why.empty()) {
				fprintf(stderr, "mmapdemo_bench: skipping %s/%" PRIu64 ": %s\n",
					subject.name.c_str(), pages, why.c_str());
				skipped += (skipped.empty() ? "" : "; ") + subject.name +
					   "/" + std::to_string(pages) + ": " + why;
				continue;
			}

			const std::string name = subject.name + "/" + std::to_string(pages);

			benchmark::RegisterBenchmark(name.c_str(),
				[subject, pages](benchmark::State &state) {
					RunCycles(state, subject, pages);
				})
				->UseManualTime()
				->Unit(benchmark::kMicrosecond)
				->Repetitions(repetitions)
				->MinTime(min_time)
				->MinWarmUpTime(warm_up)
				->ReportAggregatesOnly(true)
				->ComputeStatistics("min", Min)
				->ComputeStatistics("max", Max);
		}
	}

	/* Most of the free memory, at most what the largest size can use. */
	uint64_t warmed = 0;

	if (options.warm_memory) {
		const uint64_t want = std::min(AvailablePages(page_size) / 4 * 3,
					       options.max_pages * 4);

		warmed = WarmMemory(want, page_size);
		fprintf(stderr, "mmapdemo_bench: touched %" PRIu64
			" pages of free memory once before the benchmarks\n", warmed);
	}

	benchmark::AddCustomContext("kernel_release", KernelRelease());
	benchmark::AddCustomContext("warmed_pages", std::to_string(warmed));
	benchmark::AddCustomContext("page_size", std::to_string(page_size));
	benchmark::AddCustomContext("mode", options.quick ? "quick" : "full");
	benchmark::AddCustomContext("repetitions", std::to_string(repetitions));
	benchmark::AddCustomContext("thp_enabled",
		ReadLine("/sys/kernel/mm/transparent_hugepage/enabled"));
	benchmark::AddCustomContext("skipped", skipped.empty() ? "none" : skipped);

	const size_t runs = benchmark::RunSpecifiedBenchmarks();

	benchmark::Shutdown();
	if (!runs) {
		fprintf(stderr, "mmapdemo_bench: no benchmark matched\n");
		return 1;
	}
	return failed ? 1 : 0;
}
