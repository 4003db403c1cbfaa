// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo_demo - the seed demo's user program, for every mmapdemo node
 *
 * For each node named on the command line (a strategy name such as
 * "remap", or a path such as /dev/mmapdemo-remap), or for every strategy
 * when there are no arguments: open the node, map its nr_pages pages,
 * write "facebook" at the start of each page and read the first four bytes
 * of each page back as a big-endian word, printing what the seed demo
 * printed:
 *
 *	addr: 0x7f1c2a3b0000
 *
 *	Write/Read test ...
 *	0x66616365
 *	0x66616365
 *	0x66616365
 *
 * followed by one machine-readable line with the driver's fault count:
 *
 *	mmapdemo-demo: strategy=remap pages=3 faults=0 expected_faults=0 data=ok
 *
 * The expected count comes from the counter model of mmapdemo_common.hpp:
 * 0 where mmap() maps everything (remap, prefault, batch, vmalloc), one per
 * page where each first touch faults (insert, lazy, vmfpage, owned), and 1
 * for pfn, whose first fault maps the whole mapping.
 *
 * "mmapdemo_demo --list" prints the strategy names, one a line.
 *
 * Exit status: 0 if every node returned the right bytes and fault count,
 * 1 otherwise, 2 for a usage error.
 */

#include "mmapdemo_common.hpp"

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

using mmapdemo::Mapping;
using mmapdemo::Strategy;
using mmapdemo::UniqueFd;

namespace {

constexpr char kSeedText[] = "facebook";
constexpr size_t kSeedTextLen = sizeof(kSeedText) - 1;
constexpr uint32_t kSeedWord = 0x66616365;	/* "face" */

uint32_t BigEndianWordAt(const uint8_t *p)
{
	return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 |
	       uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

/* Accept "remap" as well as "/dev/mmapdemo-remap". */
std::string NodePath(const std::string &arg)
{
	if (arg.find('/') != std::string::npos)
		return arg;

	const Strategy *strategy = mmapdemo::FindStrategy(arg);

	return strategy ? mmapdemo::DevicePath(*strategy) : std::string();
}

/* Run the demo on one node; true if it behaved. */
bool RunDemo(const std::string &path)
{
	UniqueFd fd = mmapdemo::OpenDevice(path);
	mmapdemo_info info{};
	mmapdemo_stats stats{};
	int err;

	if (!fd) {
		std::fprintf(stderr, "mmapdemo-demo: open %s: %s\n", path.c_str(),
			     std::strerror(errno));
		return false;
	}
	err = mmapdemo::QueryInfo(fd.get(), &info);
	if (err) {
		std::fprintf(stderr, "mmapdemo-demo: %s: MMAPDEMO_IOC_INFO: %s\n",
			     path.c_str(), std::strerror(err));
		return false;
	}

	const Strategy *strategy = mmapdemo::FindStrategy(info.strategy);

	if (!strategy) {
		std::fprintf(stderr, "mmapdemo-demo: %s: unknown strategy %u\n",
			     path.c_str(), info.strategy);
		return false;
	}

	const uint64_t pages = info.nr_pages;
	const size_t page_size = info.page_size;
	auto mapping = Mapping::Create(fd.get(), pages * page_size, 0);

	if (!mapping) {
		std::fprintf(stderr, "mmapdemo-demo: %s: mmap %" PRIu64 " pages: %s\n",
			     path.c_str(), pages, std::strerror(mapping.error()));
		return false;
	}

	std::printf("addr: 0x%" PRIxPTR "\n\n", reinterpret_cast<uintptr_t>(mapping.data()));
	std::printf("Write/Read test ...\n");
	for (uint64_t page = 0; page < pages; page++)
		std::memcpy(mapping.data() + page * page_size, kSeedText, kSeedTextLen);

	/* Reload from the mapping instead of reusing what was just stored. */
	asm volatile("" ::: "memory");

	bool data_ok = true;

	for (uint64_t page = 0; page < pages; page++) {
		const uint8_t *start = mapping.data() + page * page_size;
		const uint32_t word = BigEndianWordAt(start);

		std::printf("0x%08" PRIx32 "\n", word);
		if (word != kSeedWord ||
		    std::memcmp(start, kSeedText, kSeedTextLen) != 0)
			data_ok = false;
	}

	err = mmapdemo::QueryStats(fd.get(), &stats);
	if (err) {
		std::fprintf(stderr, "mmapdemo-demo: %s: MMAPDEMO_IOC_STATS: %s\n",
			     path.c_str(), std::strerror(err));
		return false;
	}

	/* One write and one read per page: faults only where pages fault in. */
	const uint64_t expected_faults =
		mmapdemo::ExpectedForFirstTouch(*strategy, pages, false).faults;

	std::printf("mmapdemo-demo: strategy=%s pages=%" PRIu64 " faults=%llu"
		    " expected_faults=%" PRIu64 " data=%s\n",
		    strategy->name, pages,
		    static_cast<unsigned long long>(stats.faults),
		    expected_faults, data_ok ? "ok" : "bad");
	return data_ok && stats.faults == expected_faults;
}

} /* namespace */

int main(int argc, char **argv)
{
	std::vector<std::string> paths;

	if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
		for (const Strategy &strategy : mmapdemo::kStrategies)
			std::printf("%s\n", strategy.name);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		const std::string path = NodePath(argv[i]);

		if (path.empty() || argv[i][0] == '-') {
			std::fprintf(stderr,
				     "usage: %s [STRATEGY | /dev/mmapdemo-STRATEGY]...\n"
				     "       %s --list\n"
				     "strategies:", argv[0], argv[0]);
			for (const Strategy &strategy : mmapdemo::kStrategies)
				std::fprintf(stderr, " %s", strategy.name);
			std::fprintf(stderr, "\n");
			return 2;
		}
		paths.push_back(path);
	}
	if (paths.empty()) {
		for (const Strategy &strategy : mmapdemo::kStrategies)
			paths.push_back(mmapdemo::DevicePath(strategy));
	}

	bool all_ok = true;

	for (const std::string &path : paths) {
		if (!RunDemo(path))
			all_ok = false;
		std::fflush(stdout);
	}
	return all_ok ? 0 : 1;
}
