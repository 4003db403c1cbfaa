// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for mmapdemo
 *
 * Copyright (C) 2026 The mmapdemo authors
 *
 * Two suites:
 *
 * - mmapdemo_bookkeeping calls the driver's helpers directly: the bounds
 *   check against hostile offsets, buffer allocation (zeroed, reference
 *   counted, freed), lazy allocation, and the size ioctl with its counters.
 * - mmapdemo_mapping maps files of every strategy for real. The test thread
 *   gets an mm of its own (kunit_attach_mm()), the driver's file state is
 *   wrapped in an anonymous-inode file with the driver's file operations,
 *   and kunit_vm_mmap() maps it. copy_to_user() and copy_from_user() on the
 *   mapping then fault exactly as a user access would, so the fault counts,
 *   the data and the freeing of per-mapping pages can be asserted.
 *
 * What each strategy must do comes from mmapdemo_semantics.h, the table of
 * Documentation/misc-devices/mmapdemo.rst in C: the columns the kernel side
 * can see (faults, MAP_PRIVATE, the VMA's flags) are checked here, the
 * rest by the kselftest.
 *
 * Run with:
 *	tools/testing/kunit/kunit.py run --kunitconfig=drivers/misc/mmapdemo
 */

#include <kunit/resource.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/unaligned.h>

#include "../mmapdemo.h"
#include "mmapdemo_semantics.h"

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

/* The seed demos' scenario: "facebook" at the start of each of 3 pages. */
#define SEED_PAGES	3
#define SEED_TEXT	"facebook"
#define SEED_WORD	0x66616365	/* "face" read as a big-endian word */

/* ---- bounds ---------------------------------------------------------- */

struct range_case {
	const char *desc;
	unsigned long nr_pages;
	pgoff_t pgoff;
	unsigned long count;
	int expected;
};

#define HUGE_PGOFF	(ULONG_MAX >> PAGE_SHIFT)

static const struct range_case range_cases[] = {
	{ "whole file", 3, 0, 3, 0 },
	{ "last page", 3, 2, 1, 0 },
	{ "one page past the end", 3, 0, 4, -ENXIO },
	{ "offset at the end", 3, 3, 1, -ENXIO },
	{ "tail past the end", 3, 2, 2, -ENXIO },
	{ "offset near ULONG_MAX >> PAGE_SHIFT", 3, HUGE_PGOFF, 1, -ENXIO },
	{ "offset and length near the top", 3, HUGE_PGOFF - 1, 2, -ENXIO },
	/* A naive pgoff + count <= nr_pages would wrap to 0 and accept these. */
	{ "length wrapping the sum to zero", 3, 1, ULONG_MAX, -ENXIO },
	{ "offset wrapping the sum to zero", 3, ULONG_MAX, 1, -ENXIO },
	{ "largest file, last page", ULONG_MAX, ULONG_MAX - 1, 1, 0 },
	{ "largest file, past the end", ULONG_MAX, ULONG_MAX - 1, 2, -ENXIO },
	{ "empty file", 0, 0, 1, -ENXIO },
};

KUNIT_ARRAY_PARAM_DESC(range, range_cases, desc);

static void mmapdemo_check_range_test(struct kunit *test)
{
	const struct range_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, mmapdemo_check_range(c->nr_pages, c->pgoff, c->count),
			c->expected);
}

/* ---- buffers --------------------------------------------------------- */

struct backing_case {
	const char *desc;
	enum mmapdemo_backing backing;
	bool allocates_up_front;
};

static const struct backing_case backing_cases[] = {
	{ "pages", MMAPDEMO_BACKING_PAGES, true },
	{ "contig", MMAPDEMO_BACKING_CONTIG, true },
	{ "lazy", MMAPDEMO_BACKING_LAZY, false },
	{ "vmalloc", MMAPDEMO_BACKING_VMALLOC, true },
};

KUNIT_ARRAY_PARAM_DESC(backing, backing_cases, desc);

static bool page_is_zero(struct page *page)
{
	void *kaddr = kmap_local_page(page);
	bool zero = !memchr_inv(kaddr, 0, PAGE_SIZE);

	kunmap_local(kaddr);
	return zero;
}

/*
 * A buffer's pages are zeroed, are ordinary reference-counted pages (never
 * slab or large-kmalloc memory, which 7.3 refuses to map), and the buffer's
 * last reference gives each of them back.
 */
static void mmapdemo_buffer_alloc_test(struct kunit *test)
{
	const struct backing_case *c = test->param_value;
	const unsigned long count = 5;
	struct mmapdemo_counters stats = {};
	struct mmapdemo_buffer *buf;
	struct page *pinned[5];
	unsigned long i;

	buf = mmapdemo_buffer_alloc(c->backing, count, &stats);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, buf->pages);
	KUNIT_EXPECT_EQ(test, buf->nr_pages, count);

	if (!c->allocates_up_front) {
		for (i = 0; i < count; i++)
			KUNIT_EXPECT_NULL(test, buf->pages[i]);
		KUNIT_EXPECT_EQ(test, atomic64_read(&stats.pages_allocated), 0);
		for (i = 0; i < count; i++)
			KUNIT_ASSERT_NOT_NULL(test, mmapdemo_slot_get_page(&buf->pages[i],
									   &stats));
	}
	KUNIT_EXPECT_EQ(test, atomic64_read(&stats.pages_allocated), count);

	for (i = 0; i < count; i++) {
		struct page *page = buf->pages[i];

		KUNIT_EXPECT_TRUE(test, page_is_zero(page));
		KUNIT_EXPECT_EQ(test, page_ref_count(page), 1);
		KUNIT_EXPECT_FALSE(test, page_has_type(page));
		KUNIT_EXPECT_FALSE(test, PageCompound(page));
		if (c->backing == MMAPDEMO_BACKING_CONTIG && i)
			KUNIT_EXPECT_EQ(test, page_to_pfn(page),
					page_to_pfn(buf->pages[i - 1]) + 1);
		/* Hold each page, to see the buffer let go of it. */
		get_page(page);
		pinned[i] = page;
	}

	mmapdemo_buffer_put(buf);
	KUNIT_EXPECT_EQ(test, atomic64_read(&stats.pages_freed), count);
	for (i = 0; i < count; i++) {
		KUNIT_EXPECT_EQ(test, page_ref_count(pinned[i]), 1);
		put_page(pinned[i]);
	}
}

static void mmapdemo_buffer_sizes_test(struct kunit *test)
{
	struct mmapdemo_counters stats = {};
	struct mmapdemo_buffer *buf;

	KUNIT_EXPECT_NULL(test, mmapdemo_buffer_alloc(MMAPDEMO_BACKING_PAGES, 0,
						      &stats));
	/* Larger than the buddy allocator's largest block: refused, quietly. */
	KUNIT_EXPECT_NULL(test, mmapdemo_buffer_alloc(MMAPDEMO_BACKING_CONTIG,
						      MAX_ORDER_NR_PAGES + 1,
						      &stats));
	KUNIT_EXPECT_EQ(test, atomic64_read(&stats.pages_allocated), 0);

	/* A per-mapping buffer is only a size. */
	buf = mmapdemo_buffer_alloc(MMAPDEMO_BACKING_PER_MAPPING, 1000, &stats);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_NULL(test, buf->pages);
	KUNIT_EXPECT_EQ(test, buf->nr_pages, 1000);
	mmapdemo_buffer_put(buf);
	KUNIT_EXPECT_EQ(test, atomic64_read(&stats.pages_allocated), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&stats.pages_freed), 0);
}

/* Lazy allocation happens once per slot, however often it is asked for. */
static void mmapdemo_lazy_idempotent_test(struct kunit *test)
{
	struct mmapdemo_counters stats = {};
	struct page *slot = NULL;
	struct page *first, *again;

	first = mmapdemo_slot_get_page(&slot, &stats);
	KUNIT_ASSERT_NOT_NULL(test, first);
	KUNIT_EXPECT_PTR_EQ(test, slot, first);
	again = mmapdemo_slot_get_page(&slot, &stats);
	KUNIT_EXPECT_PTR_EQ(test, again, first);
	KUNIT_EXPECT_EQ(test, atomic64_read(&stats.pages_allocated), 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&stats.pages_freed), 0);
	KUNIT_EXPECT_TRUE(test, page_is_zero(first));
	put_page(first);
}

/* What mmapdemo_slot_race_test() lets the rival fault do. */
struct mmapdemo_race {
	struct page **slot;
	struct page *rival;
};

/*
 * Stands in for mmapdemo_alloc_page(): before its page is returned, a
 * rival fills the slot, as a fault on another CPU can between the slot's
 * load and its cmpxchg().
 */
static struct page *mmapdemo_alloc_page_after_rival(void)
{
	struct mmapdemo_race *race = kunit_get_current_test()->priv;

	race->rival = alloc_page(GFP_KERNEL | __GFP_ZERO);
	WRITE_ONCE(*race->slot, race->rival);
	return alloc_page(GFP_KERNEL | __GFP_ZERO);
}

/* The loser of the race gives its page back and uses the winner's. */
static void mmapdemo_slot_race_test(struct kunit *test)
{
	struct mmapdemo_counters stats = {};
	struct page *slot = NULL, *got;
	struct mmapdemo_race race = { .slot = &slot };

	test->priv = &race;
	kunit_activate_static_stub(test, mmapdemo_alloc_page,
				   mmapdemo_alloc_page_after_rival);
	got = mmapdemo_slot_get_page(&slot, &stats);
	kunit_deactivate_static_stub(test, mmapdemo_alloc_page);

	KUNIT_EXPECT_NOT_NULL(test, race.rival);
	KUNIT_EXPECT_PTR_EQ(test, got, race.rival);
	KUNIT_EXPECT_PTR_EQ(test, slot, race.rival);
	KUNIT_EXPECT_EQ(test, atomic64_read(&stats.pages_allocated), 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&stats.pages_freed), 1);
	if (slot)
		put_page(slot);
	if (race.rival && race.rival != slot)
		put_page(race.rival);
}

static void mmapdemo_max_pages_test(struct kunit *test)
{
	const struct mmapdemo_strategy *remap, *insert;

	remap = mmapdemo_strategy_find(MMAPDEMO_STRATEGY_REMAP);
	insert = mmapdemo_strategy_find(MMAPDEMO_STRATEGY_INSERT);
	KUNIT_ASSERT_NOT_NULL(test, remap);
	KUNIT_ASSERT_NOT_NULL(test, insert);
	KUNIT_EXPECT_LE(test, mmapdemo_max_pages(remap), MAX_ORDER_NR_PAGES);
	KUNIT_EXPECT_GE(test, mmapdemo_max_pages(insert), mmapdemo_max_pages(remap));
	KUNIT_EXPECT_NULL(test, mmapdemo_strategy_find(U32_MAX));
}

/* ---- files and mappings ---------------------------------------------- */

KUNIT_DEFINE_ACTION_WRAPPER(mmapdemo_kunit_fput, fput, struct file *);

/*
 * A file of @id, as open() on /dev/mmapdemo-<name> would make it, without a
 * device node: the test may run before any file system is mounted. The
 * caller owns the one reference.
 */
static struct file *mmapdemo_kunit_file(struct kunit *test,
					enum mmapdemo_strategy_id id,
					unsigned long nr_pages,
					struct mmapdemo_file **mfp)
{
	const struct mmapdemo_strategy *strategy = mmapdemo_strategy_find(id);
	struct mmapdemo_file *mf;
	struct file *file;

	KUNIT_ASSERT_NOT_NULL(test, strategy);
	mf = mmapdemo_file_create(strategy, nr_pages);
	KUNIT_ASSERT_NOT_NULL(test, mf);

	file = anon_inode_getfile("[mmapdemo-kunit]", mmapdemo_file_fops(strategy),
				  mf, O_RDWR);
	if (IS_ERR(file))
		mmapdemo_file_destroy(mf);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	*mfp = mf;
	return file;
}

/* The same, closed when the test ends. */
static struct file *mmapdemo_kunit_open(struct kunit *test,
					enum mmapdemo_strategy_id id,
					unsigned long nr_pages,
					struct mmapdemo_file **mfp)
{
	struct file *file = mmapdemo_kunit_file(test, id, nr_pages, mfp);

	/* The file's release frees @mf; mappings hold the file until unmapped. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, mmapdemo_kunit_fput,
							file), 0);
	return file;
}

/* vm_mmap() errors come back as addresses; the mapping must be a real one. */
static unsigned long mmapdemo_kunit_map(struct kunit *test, struct file *file,
					unsigned long nr_pages, pgoff_t pgoff)
{
	unsigned long addr;

	addr = kunit_vm_mmap(test, file, 0, nr_pages << PAGE_SHIFT,
			     PROT_READ | PROT_WRITE, MAP_SHARED, pgoff << PAGE_SHIFT);
	KUNIT_ASSERT_NE_MSG(test, addr, 0, "mmap failed");
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(addr), "mmap failed: %ld",
			       (long)addr);
	KUNIT_ASSERT_LT(test, addr, (unsigned long)TASK_SIZE);
	return addr;
}

/* The errno of an mmap() expected to fail, 0 if it succeeded. */
static long mmapdemo_kunit_map_error(struct kunit *test, struct file *file,
				     unsigned long len, unsigned long offset,
				     unsigned long flags)
{
	unsigned long addr;

	addr = kunit_vm_mmap(test, file, 0, len, PROT_READ | PROT_WRITE, flags,
			     offset);
	return IS_ERR_VALUE(addr) ? (long)addr : 0;
}

static struct mmapdemo_stats mmapdemo_kunit_stats(struct mmapdemo_file *mf)
{
	struct mmapdemo_stats stats;

	mmapdemo_stats_read(mf, &stats);
	return stats;
}

static void __user *user_page(unsigned long addr, unsigned long index)
{
	return (void __user *)(addr + (index << PAGE_SHIFT));
}

/* True if the user page reads as zeroes, faulting it in if need be. */
static bool user_page_is_zero(struct kunit *test, unsigned long addr,
			      unsigned long index)
{
	u8 *copy = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, copy);
	KUNIT_ASSERT_EQ(test, copy_from_user(copy, user_page(addr, index),
					     PAGE_SIZE), 0);
	return !memchr_inv(copy, 0, PAGE_SIZE);
}

static void user_write_seed(struct kunit *test, unsigned long addr,
			    unsigned long index)
{
	KUNIT_ASSERT_EQ(test, copy_to_user(user_page(addr, index), SEED_TEXT,
					   strlen(SEED_TEXT)), 0);
}

static u32 user_read_word(struct kunit *test, unsigned long addr,
			  unsigned long index)
{
	u8 word[4];

	KUNIT_ASSERT_EQ(test, copy_from_user(word, user_page(addr, index),
					     sizeof(word)), 0);
	return get_unaligned_be32(word);
}

/*
 * Where each strategy's memory comes from, from the driver's contract; what
 * it does with mappings is the row of mmapdemo_semantics[] of that name.
 */
struct strategy_case {
	const char *desc;
	enum mmapdemo_strategy_id id;
	bool allocates_at_open;		/* the whole buffer, when opened */
	bool per_mapping;		/* pages belong to each mapping */
};

static const struct strategy_case strategy_cases[] = {
	{ "remap", MMAPDEMO_STRATEGY_REMAP, true, false },
	{ "insert", MMAPDEMO_STRATEGY_INSERT, true, false },
	{ "lazy", MMAPDEMO_STRATEGY_LAZY, false, false },
	{ "vmfpage", MMAPDEMO_STRATEGY_VMFPAGE, true, false },
	{ "owned", MMAPDEMO_STRATEGY_OWNED, false, true },
	{ "prefault", MMAPDEMO_STRATEGY_PREFAULT, false, true },
	{ "batch", MMAPDEMO_STRATEGY_BATCH, true, false },
	{ "pfn", MMAPDEMO_STRATEGY_PFN, true, false },
	{ "vmalloc", MMAPDEMO_STRATEGY_VMALLOC, true, false },
};

KUNIT_ARRAY_PARAM_DESC(strategy, strategy_cases, desc);

/* The documented semantics of a strategy; the test stops if there are none. */
static const struct mmapdemo_semantics *semantics_of(struct kunit *test,
						     const struct strategy_case *c)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mmapdemo_semantics); i++)
		if (!strcmp(mmapdemo_semantics[i].name, c->desc))
			return &mmapdemo_semantics[i];
	KUNIT_FAIL_AND_ABORT(test, "%s has no row in the semantics table", c->desc);
	return NULL;
}

static bool maps_at_mmap(struct kunit *test, const struct strategy_case *c)
{
	return semantics_of(test, c)->faults == MMAPDEMO_FAULTS_NONE;
}

/* Faults taken when @pages pages of one new mapping are touched. */
static unsigned long expected_faults(struct kunit *test,
				     const struct strategy_case *c,
				     unsigned long pages)
{
	switch (semantics_of(test, c)->faults) {
	case MMAPDEMO_FAULTS_PER_PAGE:
		return pages;
	case MMAPDEMO_FAULTS_PER_VMA:
		return pages ? 1 : 0;
	default:
		return 0;
	}
}

/*
 * The seed scenario, with every counter checked at each step: map 3 pages,
 * find them zeroed, write "facebook" at the start of each, read back
 * 0x66616365, unmap.
 */
static void mmapdemo_seed_scenario_test(struct kunit *test)
{
	const struct strategy_case *c = test->param_value;
	const unsigned long n = SEED_PAGES;
	struct mmapdemo_stats stats;
	struct mmapdemo_file *mf;
	struct file *file;
	unsigned long addr, i;

	file = mmapdemo_kunit_open(test, c->id, n, &mf);
	stats = mmapdemo_kunit_stats(mf);
	KUNIT_EXPECT_EQ(test, stats.pages_allocated, c->allocates_at_open ? n : 0);

	addr = mmapdemo_kunit_map(test, file, n, 0);
	stats = mmapdemo_kunit_stats(mf);
	KUNIT_EXPECT_EQ(test, stats.mmaps, 1);
	KUNIT_EXPECT_EQ(test, stats.faults, 0);
	KUNIT_EXPECT_EQ(test, stats.pages_inserted, maps_at_mmap(test, c) ? n : 0);

	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_TRUE_MSG(test, user_page_is_zero(test, addr, i),
				      "page %lu not zeroed", i);
		user_write_seed(test, addr, i);
	}
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, user_read_word(test, addr, i), SEED_WORD);

	stats = mmapdemo_kunit_stats(mf);
	KUNIT_EXPECT_EQ(test, stats.faults, expected_faults(test, c, n));
	KUNIT_EXPECT_EQ(test, stats.pages_inserted, n);
	KUNIT_EXPECT_EQ(test, stats.pages_allocated, n);
	KUNIT_EXPECT_EQ(test, stats.pages_freed, 0);

	/* The driver's own view of a buffer holds what user space wrote. */
	if (!c->per_mapping) {
		for (i = 0; i < n; i++) {
			void *kaddr = kmap_local_page(mf->buf->pages[i]);

			KUNIT_EXPECT_MEMEQ(test, kaddr, SEED_TEXT, strlen(SEED_TEXT));
			kunmap_local(kaddr);
		}
	}

	KUNIT_ASSERT_EQ(test, vm_munmap(addr, n << PAGE_SHIFT), 0);
	stats = mmapdemo_kunit_stats(mf);
	/* Pages owned by the mapping go with it; a buffer stays with its file. */
	KUNIT_EXPECT_EQ(test, stats.pages_freed, c->per_mapping ? n : 0);
	KUNIT_EXPECT_EQ(test, stats.faults, expected_faults(test, c, n));
}

/* Touching pages that are already mapped costs no fault. */
static void mmapdemo_retouch_test(struct kunit *test)
{
	const struct strategy_case *c = test->param_value;
	struct mmapdemo_stats before, after;
	struct mmapdemo_file *mf;
	struct file *file;
	unsigned long addr, i;

	file = mmapdemo_kunit_open(test, c->id, SEED_PAGES, &mf);
	addr = mmapdemo_kunit_map(test, file, SEED_PAGES, 0);
	for (i = 0; i < SEED_PAGES; i++)
		user_write_seed(test, addr, i);

	before = mmapdemo_kunit_stats(mf);
	for (i = 0; i < SEED_PAGES; i++) {
		user_write_seed(test, addr, i);
		KUNIT_EXPECT_EQ(test, user_read_word(test, addr, i), SEED_WORD);
	}
	after = mmapdemo_kunit_stats(mf);
	KUNIT_EXPECT_EQ(test, after.faults, before.faults);
	KUNIT_EXPECT_EQ(test, after.pages_inserted, before.pages_inserted);
}

/* A mapping at an offset sees the file's memory at that offset. */
static void mmapdemo_offset_test(struct kunit *test)
{
	const struct strategy_case *c = test->param_value;
	struct mmapdemo_stats stats;
	struct mmapdemo_file *mf;
	struct file *file;
	unsigned long addr;

	file = mmapdemo_kunit_open(test, c->id, SEED_PAGES, &mf);
	addr = mmapdemo_kunit_map(test, file, 1, SEED_PAGES - 1);
	KUNIT_EXPECT_TRUE(test, user_page_is_zero(test, addr, 0));
	user_write_seed(test, addr, 0);
	KUNIT_EXPECT_EQ(test, user_read_word(test, addr, 0), SEED_WORD);

	stats = mmapdemo_kunit_stats(mf);
	KUNIT_EXPECT_EQ(test, stats.faults, expected_faults(test, c, 1));
	KUNIT_EXPECT_EQ(test, stats.pages_inserted, 1);

	if (!c->per_mapping) {
		struct page *page = mf->buf->pages[SEED_PAGES - 1];
		void *kaddr;

		KUNIT_ASSERT_NOT_NULL(test, page);
		kaddr = kmap_local_page(page);
		KUNIT_EXPECT_MEMEQ(test, kaddr, SEED_TEXT, strlen(SEED_TEXT));
		kunmap_local(kaddr);
		/* Only the page mapped was touched: page 0 is still zero. */
		if (mf->buf->pages[0])
			KUNIT_EXPECT_TRUE(test, page_is_zero(mf->buf->pages[0]));
	}
}

/*
 * Two mmap()s of one file share its buffer, or get pages of their own for
 * the per-mapping strategies. A lazy buffer allocates only once.
 */
static void mmapdemo_two_mappings_test(struct kunit *test)
{
	const struct strategy_case *c = test->param_value;
	const unsigned long n = SEED_PAGES;
	struct mmapdemo_stats before, after;
	unsigned long first, second, i;
	struct mmapdemo_file *mf;
	struct file *file;

	file = mmapdemo_kunit_open(test, c->id, n, &mf);
	first = mmapdemo_kunit_map(test, file, n, 0);
	second = mmapdemo_kunit_map(test, file, n, 0);
	KUNIT_EXPECT_NE(test, first, second);

	for (i = 0; i < n; i++)
		user_write_seed(test, first, i);

	before = mmapdemo_kunit_stats(mf);
	for (i = 0; i < n; i++) {
		if (c->per_mapping)
			KUNIT_EXPECT_TRUE(test, user_page_is_zero(test, second, i));
		else
			KUNIT_EXPECT_EQ(test, user_read_word(test, second, i),
					SEED_WORD);
	}
	after = mmapdemo_kunit_stats(mf);

	KUNIT_EXPECT_EQ(test, after.mmaps, 2);
	KUNIT_EXPECT_EQ(test, after.faults - before.faults, expected_faults(test, c, n));
	/* Only per-mapping strategies allocate for the second mapping. */
	KUNIT_EXPECT_EQ(test, after.pages_allocated, c->per_mapping ? 2 * n : n);
}

/* Out-of-range mappings are refused, and nothing is counted. */
static void mmapdemo_bad_mmap_test(struct kunit *test)
{
	const struct strategy_case *c = test->param_value;
	const unsigned long n = SEED_PAGES;
	struct mmapdemo_stats stats;
	struct mmapdemo_file *mf;
	struct file *file;

	file = mmapdemo_kunit_open(test, c->id, n, &mf);

	KUNIT_EXPECT_EQ(test, mmapdemo_kunit_map_error(test, file, (n + 1) << PAGE_SHIFT,
						       0, MAP_SHARED), -ENXIO);
	KUNIT_EXPECT_EQ(test, mmapdemo_kunit_map_error(test, file, PAGE_SIZE,
						       n << PAGE_SHIFT, MAP_SHARED),
			-ENXIO);
	KUNIT_EXPECT_EQ(test, mmapdemo_kunit_map_error(test, file, 2 << PAGE_SHIFT,
						       (n - 1) << PAGE_SHIFT,
						       MAP_SHARED), -ENXIO);
	/* Far past the end, but the core mm has no objection: the driver's. */
	KUNIT_EXPECT_EQ(test, mmapdemo_kunit_map_error(test, file, PAGE_SIZE,
						       (ULONG_MAX >> 1) & PAGE_MASK,
						       MAP_SHARED), -ENXIO);
	if (semantics_of(test, c)->private_errno)
		KUNIT_EXPECT_EQ(test, mmapdemo_kunit_map_error(test, file,
							       n << PAGE_SHIFT, 0,
							       MAP_PRIVATE),
				-semantics_of(test, c)->private_errno);

	stats = mmapdemo_kunit_stats(mf);
	KUNIT_EXPECT_EQ(test, stats.mmaps, 0);
	KUNIT_EXPECT_EQ(test, stats.faults, 0);
	KUNIT_EXPECT_EQ(test, stats.pages_inserted, 0);
}

/*
 * The size can change until the first mmap(): a new size gives new zeroed
 * pages and frees the old ones; once mapped, EBUSY.
 */
static void mmapdemo_set_size_test(struct kunit *test)
{
	const struct strategy_case *c = test->param_value;
	struct mmapdemo_set_size args = { .nr_pages = 5 };
	struct mmapdemo_stats stats;
	struct mmapdemo_set_size __user *uargs;
	struct mmapdemo_file *mf;
	struct file *file;
	unsigned long ubuf;

	file = mmapdemo_kunit_open(test, c->id, SEED_PAGES, &mf);
	ubuf = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(ubuf) || !ubuf);
	uargs = (struct mmapdemo_set_size __user *)ubuf;

	KUNIT_ASSERT_EQ(test, copy_to_user(uargs, &args, sizeof(args)), 0);
	KUNIT_EXPECT_EQ(test, file->f_op->unlocked_ioctl(file, MMAPDEMO_IOC_SET_SIZE,
							 ubuf), 0);
	KUNIT_EXPECT_EQ(test, mf->buf->nr_pages, 5);
	stats = mmapdemo_kunit_stats(mf);
	KUNIT_EXPECT_EQ(test, stats.pages_allocated, c->allocates_at_open ? 3 + 5 : 0);
	KUNIT_EXPECT_EQ(test, stats.pages_freed, c->allocates_at_open ? 3 : 0);

	args.flags = 1;
	KUNIT_ASSERT_EQ(test, copy_to_user(uargs, &args, sizeof(args)), 0);
	KUNIT_EXPECT_EQ(test, file->f_op->unlocked_ioctl(file, MMAPDEMO_IOC_SET_SIZE,
							 ubuf), -EINVAL);
	args.flags = 0;
	args.nr_pages = 0;
	KUNIT_ASSERT_EQ(test, copy_to_user(uargs, &args, sizeof(args)), 0);
	KUNIT_EXPECT_EQ(test, file->f_op->unlocked_ioctl(file, MMAPDEMO_IOC_SET_SIZE,
							 ubuf), -EINVAL);
	KUNIT_EXPECT_EQ(test, file->f_op->unlocked_ioctl(file, MMAPDEMO_IOC_SET_SIZE,
							 0), -EFAULT);

	mmapdemo_kunit_map(test, file, 5, 0);
	args.nr_pages = 2;
	KUNIT_ASSERT_EQ(test, copy_to_user(uargs, &args, sizeof(args)), 0);
	KUNIT_EXPECT_EQ(test, file->f_op->unlocked_ioctl(file, MMAPDEMO_IOC_SET_SIZE,
							 ubuf), -EBUSY);
	KUNIT_EXPECT_EQ(test, mf->buf->nr_pages, 5);
	KUNIT_EXPECT_EQ(test, file->f_op->unlocked_ioctl(file, _IO('Y', 0x7f), 0),
			-ENOTTY);
}

/* A mapping keeps its memory alive, and faults, after its file is closed. */
static void mmapdemo_close_while_mapped_test(struct kunit *test)
{
	const struct strategy_case *c = test->param_value;
	const unsigned long n = SEED_PAGES;
	struct mmapdemo_file *mf;
	struct file *file;
	unsigned long addr, i;

	file = mmapdemo_kunit_file(test, c->id, n, &mf);
	addr = kunit_vm_mmap(test, file, 0, n << PAGE_SHIFT,
			     PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	/* Drop the only reference not held by the mapping, as close() would. */
	fput(file);
	KUNIT_ASSERT_FALSE(test, IS_ERR_VALUE(addr) || !addr);

	for (i = 0; i < n; i++)
		user_write_seed(test, addr, i);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, user_read_word(test, addr, i), SEED_WORD);
	/* The last unmap ends the file and frees everything, without a trace. */
	KUNIT_EXPECT_EQ(test, vm_munmap(addr, n << PAGE_SHIFT), 0);
}

/* VM_* flags of the mapping at @addr, as /proc/<pid>/smaps would show. */
static unsigned int mapping_vm_flags(struct kunit *test, unsigned long addr)
{
	static const struct {
		vm_flags_t flag;
		unsigned int shown;
	} known[] = {
		{ VM_IO, MMAPDEMO_VMF_IO },
		{ VM_PFNMAP, MMAPDEMO_VMF_PF },
		{ VM_MIXEDMAP, MMAPDEMO_VMF_MM },
		{ VM_DONTEXPAND, MMAPDEMO_VMF_DE },
		{ VM_DONTDUMP, MMAPDEMO_VMF_DD },
	};
	struct vm_area_struct *vma;
	unsigned int shown = 0;
	vm_flags_t flags;
	size_t i;

	mmap_read_lock(current->mm);
	vma = vma_lookup(current->mm, addr);
	flags = vma ? vma->vm_flags : 0;
	mmap_read_unlock(current->mm);
	KUNIT_ASSERT_NOT_NULL(test, vma);

	for (i = 0; i < ARRAY_SIZE(known); i++)
		if (flags & known[i].flag)
			shown |= known[i].shown;
	return shown;
}

/* The VMA has the documented flags, before and after the pages are touched. */
static void mmapdemo_vm_flags_test(struct kunit *test)
{
	const struct strategy_case *c = test->param_value;
	const unsigned int expected = semantics_of(test, c)->vm_flags;
	struct mmapdemo_file *mf;
	struct file *file;
	unsigned long addr, i;

	file = mmapdemo_kunit_open(test, c->id, SEED_PAGES, &mf);
	addr = mmapdemo_kunit_map(test, file, SEED_PAGES, 0);
	KUNIT_EXPECT_EQ(test, mapping_vm_flags(test, addr), expected);
	for (i = 0; i < SEED_PAGES; i++)
		user_write_seed(test, addr, i);
	KUNIT_EXPECT_EQ(test, mapping_vm_flags(test, addr), expected);
}

/*
 * MAP_PRIVATE is refused with the documented errno, or maps the file
 * copy-on-write: reads see the buffer, writes stay in the process.
 */
static void mmapdemo_private_test(struct kunit *test)
{
	const struct strategy_case *c = test->param_value;
	const struct mmapdemo_semantics *sem = semantics_of(test, c);
	const unsigned long n = SEED_PAGES;
	struct mmapdemo_file *mf;
	struct file *file;
	unsigned long shared, private, addr, i;
	void *kaddr;

	file = mmapdemo_kunit_open(test, c->id, n, &mf);
	if (sem->private_errno) {
		KUNIT_EXPECT_EQ(test, mmapdemo_kunit_map_error(test, file,
							       n << PAGE_SHIFT, 0,
							       MAP_PRIVATE),
				-sem->private_errno);
		KUNIT_EXPECT_EQ(test, mmapdemo_kunit_stats(mf).mmaps, 0);
		return;
	}

	shared = mmapdemo_kunit_map(test, file, n, 0);
	for (i = 0; i < n; i++)
		user_write_seed(test, shared, i);

	addr = kunit_vm_mmap(test, file, 0, n << PAGE_SHIFT,
			     PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR_VALUE(addr) || !addr,
			       "MAP_PRIVATE failed: %ld", (long)addr);
	private = addr;
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, user_read_word(test, private, i), SEED_WORD);
		KUNIT_ASSERT_EQ(test, clear_user(user_page(private, i), PAGE_SIZE), 0);
		KUNIT_EXPECT_TRUE(test, user_page_is_zero(test, private, i));
	}

	/* The private writes reached neither the buffer nor the shared mapping. */
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, user_read_word(test, shared, i), SEED_WORD);
		kaddr = kmap_local_page(mf->buf->pages[i]);
		KUNIT_EXPECT_MEMEQ(test, kaddr, SEED_TEXT, strlen(SEED_TEXT));
		kunmap_local(kaddr);
	}
}

/*
 * A fault that finds its page already mapped, because a fault on another
 * CPU mapped it first: VM_FAULT_NOPAGE (the access is retried and
 * succeeds), not SIGBUS, and the page is counted once.
 */
static void mmapdemo_insert_raced_test(struct kunit *test)
{
	struct mmapdemo_file *mf;
	struct file *file = mmapdemo_kunit_open(test, MMAPDEMO_STRATEGY_INSERT, 1, &mf);
	unsigned long addr = mmapdemo_kunit_map(test, file, 1, 0);
	struct vm_area_struct *vma;
	vm_fault_t first = 0, again = 0;

	mmap_read_lock(current->mm);
	vma = vma_lookup(current->mm, addr);
	if (vma) {
		struct vm_fault vmf = { .vma = vma, .address = addr, .pgoff = 0 };

		first = mmapdemo_insert_page(mf, &vmf, mf->buf->pages[0]);
		again = mmapdemo_insert_page(mf, &vmf, mf->buf->pages[0]);
	}
	mmap_read_unlock(current->mm);

	KUNIT_ASSERT_NOT_NULL(test, vma);
	KUNIT_EXPECT_TRUE(test, first == VM_FAULT_NOPAGE);
	KUNIT_EXPECT_TRUE(test, again == VM_FAULT_NOPAGE);
	KUNIT_EXPECT_EQ(test, mmapdemo_kunit_stats(mf).pages_inserted, 1);
}

/* The VMA's ->fault as the core mm would call it at @addr for @pgoff. */
static vm_fault_t mmapdemo_kunit_fault(struct vm_area_struct *vma,
				       unsigned long addr, pgoff_t pgoff)
{
	struct vm_fault vmf = { .vma = vma, .address = addr, .pgoff = pgoff };

	return vma->vm_ops->fault(&vmf);
}

/*
 * A per-mapping strategy's fault handler indexes the pages of one mmap(),
 * not the file's: an offset of the file outside that mapping must get
 * SIGBUS, not a page past the end of the mapping's array. User space
 * cannot make such a fault (the VMA cannot grow), so the handler is called
 * directly, with the offsets next to a one-page mapping at page 1.
 */
static void mmapdemo_fault_outside_mapping_test(struct kunit *test)
{
	static const enum mmapdemo_strategy_id ids[] = {
		MMAPDEMO_STRATEGY_OWNED, MMAPDEMO_STRATEGY_PREFAULT,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		const char *name = mmapdemo_strategy_find(ids[i])->name;
		struct mmapdemo_file *mf;
		struct file *file = mmapdemo_kunit_open(test, ids[i], 3, &mf);
		unsigned long addr = mmapdemo_kunit_map(test, file, 1, 1);
		vm_fault_t before = 0, inside = 0, after = 0;
		struct vm_area_struct *vma;

		mmap_read_lock(current->mm);
		vma = vma_lookup(current->mm, addr);
		if (vma) {
			before = mmapdemo_kunit_fault(vma, addr, 0);
			inside = mmapdemo_kunit_fault(vma, addr, 1);
			after = mmapdemo_kunit_fault(vma, addr, 2);
		}
		mmap_read_unlock(current->mm);

		KUNIT_ASSERT_NOT_NULL(test, vma);
		KUNIT_EXPECT_TRUE_MSG(test, before == VM_FAULT_SIGBUS,
				      "%s: offset 0 gave %#x", name, (__force unsigned int)before);
		KUNIT_EXPECT_TRUE_MSG(test, inside == VM_FAULT_NOPAGE,
				      "%s: offset 1 gave %#x", name, (__force unsigned int)inside);
		KUNIT_EXPECT_TRUE_MSG(test, after == VM_FAULT_SIGBUS,
				      "%s: offset 2 gave %#x", name, (__force unsigned int)after);
	}
}

static int mmapdemo_mapping_init(struct kunit *test)
{
	if (!IS_ENABLED(CONFIG_MMU))
		kunit_skip(test, "mappings need an MMU");
	if (kunit_attach_mm()) {
		kunit_err(test, "cannot give the test thread an mm");
		return -ENOMEM;
	}
	return 0;
}

static struct kunit_case mmapdemo_bookkeeping_cases[] = {
	KUNIT_CASE_PARAM(mmapdemo_check_range_test, range_gen_params),
	KUNIT_CASE_PARAM(mmapdemo_buffer_alloc_test, backing_gen_params),
	KUNIT_CASE(mmapdemo_buffer_sizes_test),
	KUNIT_CASE(mmapdemo_lazy_idempotent_test),
	KUNIT_CASE(mmapdemo_slot_race_test),
	KUNIT_CASE(mmapdemo_max_pages_test),
	{}
};

static struct kunit_suite mmapdemo_bookkeeping_suite = {
	.name = "mmapdemo_bookkeeping",
	.test_cases = mmapdemo_bookkeeping_cases,
};

static struct kunit_case mmapdemo_mapping_cases[] = {
	KUNIT_CASE_PARAM(mmapdemo_seed_scenario_test, strategy_gen_params),
	KUNIT_CASE_PARAM(mmapdemo_retouch_test, strategy_gen_params),
	KUNIT_CASE_PARAM(mmapdemo_offset_test, strategy_gen_params),
	KUNIT_CASE_PARAM(mmapdemo_two_mappings_test, strategy_gen_params),
	KUNIT_CASE_PARAM(mmapdemo_bad_mmap_test, strategy_gen_params),
	KUNIT_CASE_PARAM(mmapdemo_set_size_test, strategy_gen_params),
	KUNIT_CASE_PARAM(mmapdemo_vm_flags_test, strategy_gen_params),
	KUNIT_CASE_PARAM(mmapdemo_private_test, strategy_gen_params),
	KUNIT_CASE_PARAM(mmapdemo_close_while_mapped_test, strategy_gen_params),
	KUNIT_CASE(mmapdemo_insert_raced_test),
	KUNIT_CASE(mmapdemo_fault_outside_mapping_test),
	{}
};

static struct kunit_suite mmapdemo_mapping_suite = {
	.name = "mmapdemo_mapping",
	.init = mmapdemo_mapping_init,
	.test_cases = mmapdemo_mapping_cases,
};

kunit_test_suites(&mmapdemo_bookkeeping_suite, &mmapdemo_mapping_suite);

MODULE_DESCRIPTION("KUnit tests for the mmapdemo driver");
MODULE_LICENSE("GPL");
