// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmapdemo - the sound ways to map driver memory into user space, side by side
 *
 * Copyright (C) 2026 The mmapdemo authors
 *
 * Every strategy is a misc device, /dev/mmapdemo-<name>, and a file of its
 * own in this directory, which explains what it shows and when to use it:
 *
 *   remap.c    - the buffer remapped by PFN when mmap() is called: 0 faults
 *   insert.c   - the fault handler inserts the buffer's page: 1 fault a page
 *   lazy.c     - a buffer page is allocated on its first fault, then kept
 *   vmfpage.c  - the fault handler returns the page, the core mm maps it
 *   owned.c    - each mapping allocates its own pages on fault
 *   prefault.c - mmap() allocates and maps all of a mapping's pages: 0 faults
 *   batch.c    - mmap() maps the whole buffer in one batched call: 0 faults
 *   pfn.c      - the first fault maps the whole VMA by PFN: 1 fault a mapping
 *   vmalloc.c  - a vmalloc_user() buffer mapped whole at mmap() time
 *
 * This file has what every node shares: the open files and their buffers,
 * the bounds checks, read(), write(), lseek() and the ioctls of
 * include/uapi/linux/mmapdemo.h. The contract every node keeps, and what
 * each strategy does on fork(), mremap(), madvise() and get_user_pages(),
 * is in Documentation/misc-devices/mmapdemo.rst; the tests check it. Fault
 * paths print nothing unless dynamic debug asks (dyndbg=+p).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include "mmapdemo.h"

static unsigned long nr_pages = 3;
module_param(nr_pages, ulong, 0444);
MODULE_PARM_DESC(nr_pages, "Size in pages of a newly opened file (default: 3)");

static unsigned long max_pages = 65536;
module_param(max_pages, ulong, 0444);
MODULE_PARM_DESC(max_pages, "Largest size in pages MMAPDEMO_IOC_SET_SIZE accepts (default: 65536)");

/*
 * Root only by default: every open file is a claim on up to max_pages pages
 * of kernel memory, also when opened read-only (resizing and mapping need no
 * write access), so no bit for others is accepted either.
 */
static umode_t dev_mode = 0600;
module_param(dev_mode, ushort, 0444);
MODULE_PARM_DESC(dev_mode, "Mode of the /dev/mmapdemo-* nodes, owner and group bits only (default: 0600)");

static const struct mmapdemo_strategy *const mmapdemo_strategies[] = {
	&mmapdemo_remap_strategy,
	&mmapdemo_insert_strategy,
	&mmapdemo_lazy_strategy,
	&mmapdemo_vmfpage_strategy,
	&mmapdemo_owned_strategy,
	&mmapdemo_prefault_strategy,
	&mmapdemo_batch_strategy,
	&mmapdemo_pfn_strategy,
	&mmapdemo_vmalloc_strategy,
};

/**
 * struct mmapdemo_device - one misc device, one strategy
 * @misc: the misc device; misc_open() leaves a pointer to it in
 *	file->private_data for mmapdemo_open()
 * @strategy: what the node demonstrates
 * @name: storage for @misc.name, "mmapdemo-<strategy>"
 */
struct mmapdemo_device {
	struct miscdevice misc;
	const struct mmapdemo_strategy *strategy;
	char name[32];
};

static struct mmapdemo_device mmapdemo_devices[ARRAY_SIZE(mmapdemo_strategies)];

/**
 * mmapdemo_check_range() - check that a range of pages fits in a file
 * @nr_pages: size of the file in pages
 * @pgoff: first page of the range
 * @count: number of pages in the range
 *
 * Everything is compared in pages and by subtraction, so no sum can wrap
 * whatever offset user space passes.
 *
 * Context: Any context.
 * Return: 0 if pages [@pgoff, @pgoff + @count) lie inside the file, -ENXIO
 * if they do not.
 */
int mmapdemo_check_range(unsigned long nr_pages, pgoff_t pgoff,
			 unsigned long count)
{
	if (pgoff >= nr_pages || count > nr_pages - pgoff)
		return -ENXIO;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mmapdemo_check_range);

/**
 * mmapdemo_max_pages() - largest size a file of a strategy may have
 * @strategy: the strategy
 *
 * A contiguous buffer is a single allocation from the buddy allocator, so
 * it cannot be larger than its largest block.
 *
 * Context: Any context.
 * Return: the cap in pages.
 */
unsigned long mmapdemo_max_pages(const struct mmapdemo_strategy *strategy)
{
	if (strategy->backing == MMAPDEMO_BACKING_CONTIG)
		return min(max_pages, MAX_ORDER_NR_PAGES);
	return max_pages;
}
EXPORT_SYMBOL_IF_KUNIT(mmapdemo_max_pages);

/* Zeroed, and charged to the memory cgroup of the task that asked for it. */
#define MMAPDEMO_GFP	(GFP_KERNEL_ACCOUNT | __GFP_ZERO)

/**
 * mmapdemo_alloc_page() - a zeroed page for a buffer or a mapping
 *
 * The one place the driver's single pages come from, so that a KUnit test
 * can stand in for it (KUNIT_STATIC_STUB_REDIRECT) and make the races and
 * failures of its callers happen on purpose.
 *
 * Context: Process context, may sleep.
 * Return: the page, or NULL when memory is short.
 */
struct page *mmapdemo_alloc_page(void)
{
	KUNIT_STATIC_STUB_REDIRECT(mmapdemo_alloc_page);
	return alloc_page(MMAPDEMO_GFP);
}
EXPORT_SYMBOL_IF_KUNIT(mmapdemo_alloc_page);

/**
 * mmapdemo_slot_get_page() - the page in a slot, allocated on first use
 * @slot: an entry of a page array; NULL until a page is allocated for it
 * @stats: counters to charge the allocation to
 *
 * Lock-free: two faults (or a fault and a write()) may find the slot empty
 * at the same time. Both allocate, one cmpxchg() wins, and the loser frees
 * its page and uses the winner's, so every caller gets the same page and
 * none leaks. The fully ordered cmpxchg() publishes the zeroed contents
 * before the pointer; the acquire load pairs with it.
 *
 * Context: Process context, may sleep.
 * Return: the page, or NULL if no page could be allocated.
 */
struct page *mmapdemo_slot_get_page(struct page **slot,
				    struct mmapdemo_counters *stats)
{
	/* Pairs with the cmpxchg() below: see the zeroes, not stale data. */
	struct page *page = smp_load_acquire(slot);
	struct page *winner;

	if (page)
		return page;

	page = mmapdemo_alloc_page();
	if (!page)
		return NULL;
	atomic64_inc(&stats->pages_allocated);

	winner = cmpxchg(slot, NULL, page);
	if (winner) {
		__free_page(page);
		atomic64_inc(&stats->pages_freed);
		return winner;
	}
	return page;
}
EXPORT_SYMBOL_IF_KUNIT(mmapdemo_slot_get_page);

/* Drop the buffer's reference on each page it holds. */
static void mmapdemo_buffer_free_pages(struct mmapdemo_buffer *buf)
{
	unsigned long i, freed = 0;

	switch (buf->backing) {
	case MMAPDEMO_BACKING_CONTIG:
		free_pages_exact(buf->vaddr, buf->nr_pages << PAGE_SHIFT);
		freed = buf->nr_pages;
		break;

	case MMAPDEMO_BACKING_VMALLOC:
		/* The area owns the pages; buf->pages only borrowed them. */
		vfree(buf->vaddr);
		freed = buf->nr_pages;
		break;

	default:
		for (i = 0; i < buf->nr_pages; i++) {
			if (!buf->pages[i])
				continue;
			/*
			 * put_page(), not __free_page(): a page still mapped
			 * somewhere would only lose the buffer's reference.
			 */
			put_page(buf->pages[i]);
			freed++;
			cond_resched();
		}
		break;
	}
	atomic64_add(freed, &buf->stats->pages_freed);
}

/**
 * mmapdemo_buffer_alloc() - allocate the memory of a file
 * @backing: how to allocate it
 * @nr_pages: size in pages, at least 1; at most MAX_ORDER_NR_PAGES for
 *	%MMAPDEMO_BACKING_CONTIG
 * @stats: counters to charge allocations and frees to; must outlive the
 *	buffer
 *
 * Every page is zeroed. A lazy buffer starts with holes only; a
 * per-mapping buffer is just a size.
 *
 * Context: Process context, may sleep.
 * Return: the buffer with one reference, or NULL if memory ran out or the
 * size is out of range.
 */
struct mmapdemo_buffer *mmapdemo_buffer_alloc(enum mmapdemo_backing backing,
					      unsigned long nr_pages,
					      struct mmapdemo_counters *stats)
{
	struct mmapdemo_buffer *buf;
	unsigned long i;

	if (!nr_pages ||
	    (backing == MMAPDEMO_BACKING_CONTIG && nr_pages > MAX_ORDER_NR_PAGES))
		return NULL;

	buf = kzalloc_obj(*buf, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return NULL;
	kref_init(&buf->ref);
	buf->backing = backing;
	buf->nr_pages = nr_pages;
	buf->stats = stats;
	if (backing == MMAPDEMO_BACKING_PER_MAPPING)
		return buf;

	buf->pages = kvzalloc_objs(*buf->pages, nr_pages, GFP_KERNEL_ACCOUNT);
	if (!buf->pages)
		goto err_free_buf;

	switch (backing) {
	case MMAPDEMO_BACKING_CONTIG:
		/*
		 * alloc_pages_exact() splits the block and frees its tail, so
		 * each page has a reference count of its own and no slack page
		 * past @nr_pages stays allocated.
		 */
		buf->vaddr = alloc_pages_exact(nr_pages << PAGE_SHIFT,
					       MMAPDEMO_GFP | __GFP_NOWARN);
		if (!buf->vaddr)
			goto err_free_array;
		for (i = 0; i < nr_pages; i++)
			buf->pages[i] = virt_to_page(buf->vaddr + (i << PAGE_SHIFT));
		atomic64_add(nr_pages, &stats->pages_allocated);
		break;

	case MMAPDEMO_BACKING_VMALLOC:
		/*
		 * Zeroed, and marked VM_USERMAP as memory meant for user
		 * space. array_size() saturates, so a huge max_pages makes
		 * the allocation fail instead of wrapping.
		 */
		buf->vaddr = vmalloc_user(array_size(nr_pages, PAGE_SIZE));
		if (!buf->vaddr)
			goto err_free_array;
		for (i = 0; i < nr_pages; i++)
			buf->pages[i] = vmalloc_to_page(buf->vaddr + (i << PAGE_SHIFT));
		atomic64_add(nr_pages, &stats->pages_allocated);
		break;

	case MMAPDEMO_BACKING_PAGES:
		for (i = 0; i < nr_pages; i++) {
			buf->pages[i] = mmapdemo_alloc_page();
			if (!buf->pages[i])
				goto err_free_pages;
			atomic64_inc(&stats->pages_allocated);
			cond_resched();
		}
		break;
	default:
		break;
	}
	return buf;

err_free_pages:
	mmapdemo_buffer_free_pages(buf);
err_free_array:
	kvfree(buf->pages);
err_free_buf:
	kfree(buf);
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(mmapdemo_buffer_alloc);

static void mmapdemo_buffer_release(struct kref *ref)
{
	struct mmapdemo_buffer *buf = container_of(ref, struct mmapdemo_buffer, ref);

	if (buf->pages) {
		mmapdemo_buffer_free_pages(buf);
		kvfree(buf->pages);
	}
	kfree(buf);
}

/**
 * mmapdemo_buffer_put() - drop a reference on a buffer
 * @buf: the buffer
 *
 * The last reference frees the buffer's pages; pages still mapped stay
 * alive until their page-table entries go.
 *
 * Context: Process context, may sleep.
 */
void mmapdemo_buffer_put(struct mmapdemo_buffer *buf)
{
	kref_put(&buf->ref, mmapdemo_buffer_release);
}
EXPORT_SYMBOL_IF_KUNIT(mmapdemo_buffer_put);

/**
 * mmapdemo_vma_mapped() - vm_ops->mapped of the buffer strategies
 * @start: start of the new mapping
 * @end: end of the new mapping
 * @pgoff: file offset of @start in pages
 * @file: the file mapped
 * @vm_private_data: the VMA's private data, unchanged
 *
 * Called once the mapping exists and can no longer fail, so the mmap is
 * counted here rather than in ->mmap_prepare.
 *
 * Context: Process context, mmap_lock held for writing.
 * Return: 0.
 */
int mmapdemo_vma_mapped(unsigned long start, unsigned long end, pgoff_t pgoff,
			const struct file *file, void **vm_private_data)
{
	struct mmapdemo_file *mf = file->private_data;

	atomic64_inc(&mf->stats.mmaps);
	return 0;
}

/**
 * mmapdemo_vma_mapped_all() - vm_ops->mapped when mmap() mapped every page
 * @start: start of the new mapping
 * @end: end of the new mapping
 * @pgoff: file offset of @start in pages
 * @file: the file mapped
 * @vm_private_data: the VMA's private data, unchanged
 *
 * For strategies whose mmap action filled in every page-table entry: the
 * action has succeeded by the time ->mapped runs, so its pages are counted
 * as inserted here, with the mmap.
 *
 * Context: Process context, mmap_lock held for writing.
 * Return: 0.
 */
int mmapdemo_vma_mapped_all(unsigned long start, unsigned long end,
			    pgoff_t pgoff, const struct file *file,
			    void **vm_private_data)
{
	struct mmapdemo_file *mf = file->private_data;

	atomic64_add((end - start) >> PAGE_SHIFT, &mf->stats.pages_inserted);
	return mmapdemo_vma_mapped(start, end, pgoff, file, vm_private_data);
}

/*
 * The checks every strategy shares, made before its own hook: MAP_SHARED
 * only, unless the strategy accepts private copy-on-write mappings; and a
 * range inside the file. From the first mmap() that passes
 * them the size is fixed, even if the mmap() fails later on: the strategy
 * hooks hand the current buffer to the core mm, and nothing may free it
 * under them. Documentation/filesystems/mmap_prepare.rst asks
 * ->mmap_prepare for no side effects, because the mmap may still fail;
 * this one is kept on purpose and harmless: after a failed mmap() a resize
 * gets EBUSY, as after a successful one.
 */
static int mmapdemo_mmap_check(struct mmapdemo_file *mf, bool shared,
			       unsigned long start, pgoff_t pgoff,
			       unsigned long count)
{
	int ret;

	if (!shared && !mf->strategy->private_cow)
		return -EINVAL;

	spin_lock(&mf->lock);
	ret = mmapdemo_check_range(mf->buf->nr_pages, pgoff, count);
	if (!ret)
		mf->size_fixed = true;
	spin_unlock(&mf->lock);

	if (!ret)
		pr_debug("%s: mmap vm_start %#lx len %#lx pgoff %#lx\n",
			 mf->strategy->name, start, count << PAGE_SHIFT, pgoff);
	return ret;
}

static int mmapdemo_mmap_prepare(struct vm_area_desc *desc)
{
	struct mmapdemo_file *mf = desc->file->private_data;
	int ret;

	ret = mmapdemo_mmap_check(mf, vma_desc_test(desc, VMA_MAYSHARE_BIT),
				  desc->start, desc->pgoff, vma_desc_pages(desc));
	if (ret)
		return ret;

	/*
	 * The driver's memory has no place in core dumps. Nothing may grow the
	 * mapping past the range checked above, unless the strategy's fault
	 * handler is the only way pages get mapped and answers SIGBUS there.
	 */
	vma_desc_set_flags(desc, VMA_DONTDUMP_BIT);
	if (!mf->strategy->growable)
		vma_desc_set_flags(desc, VMA_DONTEXPAND_BIT);
	desc->private_data = mf;
	return mf->strategy->mmap_prepare(desc);
}

/*
 * f_op->mmap is deprecated since 7.3 in favour of ->mmap_prepare; it is kept
 * only for strategies that must work on the VMA itself, and their files say
 * why.
 */
static int mmapdemo_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mmapdemo_file *mf = file->private_data;
	int ret;

	ret = mmapdemo_mmap_check(mf, vma->vm_flags & VM_MAYSHARE,
				  vma->vm_start, vma->vm_pgoff, vma_pages(vma));
	if (ret)
		return ret;

	/* No ->mmap strategy is growable: they all map pages up front. */
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_private_data = mf;
	ret = mf->strategy->mmap(file, vma);
	if (!ret)
		atomic64_inc(&mf->stats.mmaps);
	return ret;
}

/* Take a reference on the file's current buffer: a resize may replace it. */
static struct mmapdemo_buffer *mmapdemo_file_buffer(struct mmapdemo_file *mf)
{
	struct mmapdemo_buffer *buf;

	spin_lock(&mf->lock);
	buf = mf->buf;
	kref_get(&buf->ref);
	spin_unlock(&mf->lock);
	return buf;
}

/*
 * Copy between user space and the buffer, page by page. No lock is held
 * while copying: the user buffer may itself be a mapping of this file, and
 * faulting it in takes the mmap_lock, which mmap() holds when it takes
 * mf->lock. A fault part way ends the copy with what was done; unlike
 * copy_from_user(), copy_page_from_iter() zeroes nothing it could not copy,
 * so a failed write() leaves the rest of the file's data alone.
 */
static ssize_t mmapdemo_buffer_rw(struct mmapdemo_buffer *buf, struct kiocb *iocb,
				  struct iov_iter *iter)
{
	bool write = iov_iter_rw(iter) == WRITE;
	loff_t size = (loff_t)buf->nr_pages << PAGE_SHIFT;
	loff_t pos = iocb->ki_pos;
	size_t count = iov_iter_count(iter);
	size_t done = 0;
	ssize_t err = 0;

	if (!buf->pages)
		return -EINVAL;
	if (pos < 0)
		return -EINVAL;
	if (pos >= size)
		return write ? -ENOSPC : 0;
	count = min_t(loff_t, count, size - pos);

	while (done < count) {
		size_t offset = offset_in_page(pos);
		size_t chunk = min_t(size_t, PAGE_SIZE - offset, count - done);
		struct page **slot = &buf->pages[pos >> PAGE_SHIFT];
		struct page *page;
		size_t copied;

		if (write)
			page = mmapdemo_slot_get_page(slot, buf->stats);
		else	/* Pairs with the cmpxchg() of mmapdemo_slot_get_page(). */
			page = smp_load_acquire(slot);

		if (!page && write) {
			err = -ENOMEM;
			break;
		}
		if (!page) {
			/* A hole of a lazy buffer reads as zeroes. */
			copied = iov_iter_zero(chunk, iter);
		} else if (write) {
			copied = copy_page_from_iter(page, offset, chunk, iter);
			/* User mappings of the page must see what was written. */
			flush_dcache_page(page);
		} else {
			copied = copy_page_to_iter(page, offset, chunk, iter);
		}
		done += copied;
		pos += copied;
		if (copied < chunk) {
			err = -EFAULT;
			break;
		}
	}

	if (!done)
		return err;
	iocb->ki_pos = pos;
	return done;
}

static ssize_t mmapdemo_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct mmapdemo_buffer *buf = mmapdemo_file_buffer(iocb->ki_filp->private_data);
	ssize_t ret = mmapdemo_buffer_rw(buf, iocb, to);

	mmapdemo_buffer_put(buf);
	return ret;
}

static ssize_t mmapdemo_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct mmapdemo_buffer *buf = mmapdemo_file_buffer(iocb->ki_filp->private_data);
	ssize_t ret = mmapdemo_buffer_rw(buf, iocb, from);

	mmapdemo_buffer_put(buf);
	return ret;
}

static loff_t mmapdemo_llseek(struct file *file, loff_t offset, int whence)
{
	struct mmapdemo_buffer *buf = mmapdemo_file_buffer(file->private_data);
	loff_t size = (loff_t)buf->nr_pages << PAGE_SHIFT;

	mmapdemo_buffer_put(buf);
	return fixed_size_llseek(file, offset, whence, size);
}

/**
 * mmapdemo_stats_read() - snapshot of a file's counters
 * @mf: the file
 * @out: where to store them
 *
 * Context: Any context.
 */
void mmapdemo_stats_read(struct mmapdemo_file *mf, struct mmapdemo_stats *out)
{
	out->mmaps = atomic64_read(&mf->stats.mmaps);
	out->faults = atomic64_read(&mf->stats.faults);
	out->pages_inserted = atomic64_read(&mf->stats.pages_inserted);
	out->pages_allocated = atomic64_read(&mf->stats.pages_allocated);
	out->pages_freed = atomic64_read(&mf->stats.pages_freed);
}
EXPORT_SYMBOL_IF_KUNIT(mmapdemo_stats_read);

static int mmapdemo_ioctl_info(struct mmapdemo_file *mf, void __user *uarg)
{
	struct mmapdemo_info info = {
		.strategy = mf->strategy->id,
		.page_size = PAGE_SIZE,
		.max_pages = mmapdemo_max_pages(mf->strategy),
	};

	spin_lock(&mf->lock);
	info.nr_pages = mf->buf->nr_pages;
	if (mf->size_fixed)
		info.flags |= MMAPDEMO_INFO_SIZE_FIXED;
	spin_unlock(&mf->lock);
	if (mf->strategy->backing == MMAPDEMO_BACKING_PER_MAPPING)
		info.flags |= MMAPDEMO_INFO_PER_MAPPING;

	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

static int mmapdemo_ioctl_set_size(struct mmapdemo_file *mf, void __user *uarg)
{
	struct mmapdemo_set_size args;
	struct mmapdemo_buffer *old, *new;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.flags || !args.nr_pages ||
	    args.nr_pages > mmapdemo_max_pages(mf->strategy))
		return -EINVAL;
	/* Unlocked early answer, so a mapped file allocates nothing. */
	if (READ_ONCE(mf->size_fixed))
		return -EBUSY;

	new = mmapdemo_buffer_alloc(mf->strategy->backing, args.nr_pages,
				    &mf->stats);
	if (!new)
		return -ENOMEM;

	spin_lock(&mf->lock);
	if (mf->size_fixed) {
		spin_unlock(&mf->lock);
		mmapdemo_buffer_put(new);
		return -EBUSY;
	}
	old = mf->buf;
	mf->buf = new;
	spin_unlock(&mf->lock);

	mmapdemo_buffer_put(old);
	return 0;
}

static int mmapdemo_ioctl_stats(struct mmapdemo_file *mf, void __user *uarg)
{
	struct mmapdemo_stats stats;

	mmapdemo_stats_read(mf, &stats);
	return copy_to_user(uarg, &stats, sizeof(stats)) ? -EFAULT : 0;
}

static long mmapdemo_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct mmapdemo_file *mf = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MMAPDEMO_IOC_INFO:
		return mmapdemo_ioctl_info(mf, uarg);
	case MMAPDEMO_IOC_SET_SIZE:
		return mmapdemo_ioctl_set_size(mf, uarg);
	case MMAPDEMO_IOC_STATS:
		return mmapdemo_ioctl_stats(mf, uarg);
	default:
		return -ENOTTY;
	}
}

/**
 * mmapdemo_file_create() - state of a newly opened file
 * @strategy: the device's strategy
 * @nr_pages: initial size in pages, from 1 to mmapdemo_max_pages()
 *
 * Also used by the KUnit tests, which wrap the state in an anonymous-inode
 * file with mmapdemo_file_fops() instead of opening a device node.
 *
 * Context: Process context, may sleep.
 * Return: the state, or NULL if memory ran out.
 */
struct mmapdemo_file *mmapdemo_file_create(const struct mmapdemo_strategy *strategy,
					   unsigned long nr_pages)
{
	struct mmapdemo_file *mf;

	mf = kzalloc_obj(*mf, GFP_KERNEL_ACCOUNT);
	if (!mf)
		return NULL;
	mf->strategy = strategy;
	spin_lock_init(&mf->lock);
	mf->buf = mmapdemo_buffer_alloc(strategy->backing, nr_pages, &mf->stats);
	if (!mf->buf) {
		kfree(mf);
		return NULL;
	}
	return mf;
}
EXPORT_SYMBOL_IF_KUNIT(mmapdemo_file_create);

/**
 * mmapdemo_file_destroy() - free the state of a file
 * @mf: the state
 *
 * Context: Process context, may sleep. No mapping of the file may remain,
 * which ->release() guarantees since every VMA holds a file reference.
 */
void mmapdemo_file_destroy(struct mmapdemo_file *mf)
{
	mmapdemo_buffer_put(mf->buf);
	kfree(mf);
}
EXPORT_SYMBOL_IF_KUNIT(mmapdemo_file_destroy);

static int mmapdemo_open(struct inode *inode, struct file *file)
{
	struct mmapdemo_device *dev = container_of(file->private_data,
						   struct mmapdemo_device, misc);
	struct mmapdemo_file *mf;

	mf = mmapdemo_file_create(dev->strategy, nr_pages);
	if (!mf)
		return -ENOMEM;
	file->private_data = mf;
	return 0;
}

static int mmapdemo_release(struct inode *inode, struct file *file)
{
	mmapdemo_file_destroy(file->private_data);
	return 0;
}

static const struct file_operations mmapdemo_prepare_fops = {
	.owner		= THIS_MODULE,
	.open		= mmapdemo_open,
	.release	= mmapdemo_release,
	.read_iter	= mmapdemo_read_iter,
	.write_iter	= mmapdemo_write_iter,
	.llseek		= mmapdemo_llseek,
	.unlocked_ioctl	= mmapdemo_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap_prepare	= mmapdemo_mmap_prepare,
};

static const struct file_operations mmapdemo_mmap_fops = {
	.owner		= THIS_MODULE,
	.open		= mmapdemo_open,
	.release	= mmapdemo_release,
	.read_iter	= mmapdemo_read_iter,
	.write_iter	= mmapdemo_write_iter,
	.llseek		= mmapdemo_llseek,
	.unlocked_ioctl	= mmapdemo_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= mmapdemo_mmap,
};

/**
 * mmapdemo_file_fops() - file operations of a strategy's files
 * @strategy: the strategy
 *
 * A file may have ->mmap_prepare or ->mmap, never both.
 *
 * Context: Any context.
 * Return: the file operations.
 */
const struct file_operations *mmapdemo_file_fops(const struct mmapdemo_strategy *strategy)
{
	return strategy->mmap ? &mmapdemo_mmap_fops : &mmapdemo_prepare_fops;
}
EXPORT_SYMBOL_IF_KUNIT(mmapdemo_file_fops);

/**
 * mmapdemo_strategy_find() - look a strategy up by its user-space number
 * @id: an enum mmapdemo_strategy_id value
 *
 * Context: Any context.
 * Return: the strategy, or NULL if this build has none with that number.
 */
const struct mmapdemo_strategy *mmapdemo_strategy_find(u32 id)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mmapdemo_strategies); i++)
		if (mmapdemo_strategies[i]->id == id)
			return mmapdemo_strategies[i];
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(mmapdemo_strategy_find);

static void mmapdemo_unregister(size_t count)
{
	while (count--)
		misc_deregister(&mmapdemo_devices[count].misc);
}

static int __init mmapdemo_init(void)
{
	size_t i;
	int ret;

	/* A file's size in bytes must fit in loff_t. */
	if (!max_pages || max_pages > (MAX_LFS_FILESIZE >> PAGE_SHIFT)) {
		pr_err("max_pages=%lu is out of range: 1 to %llu\n", max_pages,
		       (unsigned long long)(MAX_LFS_FILESIZE >> PAGE_SHIFT));
		return -EINVAL;
	}

	/* 0 would let the misc core pick the mode. */
	if (!dev_mode || (dev_mode & ~0770)) {
		pr_err("dev_mode=%#o: only owner and group permission bits, e.g. 0660\n",
		       dev_mode);
		return -EINVAL;
	}

	for (i = 0; i < ARRAY_SIZE(mmapdemo_strategies); i++) {
		const struct mmapdemo_strategy *strategy = mmapdemo_strategies[i];
		struct mmapdemo_device *dev = &mmapdemo_devices[i];

		if (!nr_pages || nr_pages > mmapdemo_max_pages(strategy)) {
			pr_err("nr_pages=%lu is out of range: 1 to %lu for %s\n",
			       nr_pages, mmapdemo_max_pages(strategy),
			       strategy->name);
			ret = -EINVAL;
			goto err_unregister;
		}

		dev->strategy = strategy;
		snprintf(dev->name, sizeof(dev->name), "mmapdemo-%s",
			 strategy->name);
		dev->misc.minor = MISC_DYNAMIC_MINOR;
		dev->misc.name = dev->name;
		dev->misc.fops = mmapdemo_file_fops(strategy);
		/*
		 * Root only unless dev_mode says otherwise: the nodes hand out
		 * kernel memory and count on their users to be trusted with
		 * its cost.
		 */
		dev->misc.mode = dev_mode;
		ret = misc_register(&dev->misc);
		if (ret) {
			pr_err("cannot register %s: %d\n", dev->name, ret);
			goto err_unregister;
		}
	}
	return 0;

err_unregister:
	mmapdemo_unregister(i);
	return ret;
}

static void __exit mmapdemo_exit(void)
{
	mmapdemo_unregister(ARRAY_SIZE(mmapdemo_strategies));
}

module_init(mmapdemo_init);
module_exit(mmapdemo_exit);

MODULE_DESCRIPTION("Demonstration of the ways to map driver memory into user space");
MODULE_LICENSE("GPL");
