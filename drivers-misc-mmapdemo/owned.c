// SPDX-License-Identifier: GPL-2.0-only
/*
 * owned: each mapping allocates its own pages on fault
 *
 * The file has no buffer, only a size. Every mmap()
 * creates a struct mmapdemo_mapping that owns the pages of that mapping; the
 * first fault on a page allocates it (zeroed) and inserts it. Two mmap()s of
 * the same file therefore see different memory, while the VMAs that derive
 * from one mmap() (a split by munmap() or mprotect(), a move by mremap(), a
 * fork()) share its pages through ->open. The pages are freed when the last
 * of those VMAs is closed.
 *
 * On 7.3 per-mapping state is allocated in vm_ops->mapped, not in
 * ->mmap_prepare: the prepare hook runs before the mapping exists and must
 * stay free of side effects, while ->mapped runs once it is established
 * and can still fail it cleanly.
 *
 * The mapping keeps one reference per page until it is gone, and the
 * page-table entries hold their own: a page freed while the mapping may
 * still fault it in again would be inserted after it was freed.
 */

#include <linux/mm.h>
#include <linux/slab.h>

#include "mmapdemo.h"

/**
 * mmapdemo_mapping_create() - pages of a new mapping, none allocated yet
 * @mf: the file mapped
 * @first_pgoff: file offset of the mapping in pages
 * @nr_pages: length of the mapping in pages
 *
 * Context: Process context, may sleep.
 * Return: the mapping with one reference, or NULL if memory ran out.
 */
struct mmapdemo_mapping *mmapdemo_mapping_create(struct mmapdemo_file *mf,
						 pgoff_t first_pgoff,
						 unsigned long nr_pages)
{
	struct mmapdemo_mapping *mapping;

	mapping = kvzalloc_flex(*mapping, pages, nr_pages, GFP_KERNEL_ACCOUNT);
	if (!mapping)
		return NULL;
	refcount_set(&mapping->refs, 1);
	mapping->mf = mf;
	mapping->first_pgoff = first_pgoff;
	mapping->nr_pages = nr_pages;
	return mapping;
}

/**
 * mmapdemo_mapping_put() - drop a reference on a mapping's pages
 * @mapping: the mapping
 *
 * The last reference drops the mapping's reference on each of its pages.
 * By then no VMA maps them any more, so the pages are freed.
 *
 * Context: Process context, may sleep.
 */
void mmapdemo_mapping_put(struct mmapdemo_mapping *mapping)
{
	unsigned long i, freed = 0;

	if (!refcount_dec_and_test(&mapping->refs))
		return;

	for (i = 0; i < mapping->nr_pages; i++) {
		if (!mapping->pages[i])
			continue;
		put_page(mapping->pages[i]);
		freed++;
		cond_resched();
	}
	atomic64_add(freed, &mapping->mf->stats.pages_freed);
	kvfree(mapping);
}

static vm_fault_t mmapdemo_mapping_fault(struct vm_fault *vmf)
{
	struct mmapdemo_mapping *mapping = vmf->vma->vm_private_data;
	struct mmapdemo_file *mf = mapping->mf;
	pgoff_t index = vmf->pgoff - mapping->first_pgoff;
	struct page *page;

	atomic64_inc(&mf->stats.faults);
	if (vmf->pgoff < mapping->first_pgoff || index >= mapping->nr_pages)
		return VM_FAULT_SIGBUS;
	page = mmapdemo_slot_get_page(&mapping->pages[index], &mf->stats);
	if (!page)
		return VM_FAULT_OOM;
	return mmapdemo_insert_page(mf, vmf, page);
}

/* A split, mremap() or fork() made one more VMA share the mapping. */
static void mmapdemo_mapping_open(struct vm_area_struct *vma)
{
	struct mmapdemo_mapping *mapping = vma->vm_private_data;

	refcount_inc(&mapping->refs);
}

static void mmapdemo_mapping_close(struct vm_area_struct *vma)
{
	struct mmapdemo_mapping *mapping = vma->vm_private_data;

	/* NULL when ->mapped failed and the new VMA is being torn down. */
	if (mapping)
		mmapdemo_mapping_put(mapping);
}

/* vm_ops of a mapping set up in ->mmap, where ->mapped is not allowed. */
const struct vm_operations_struct mmapdemo_mapping_vm_ops = {
	.open	= mmapdemo_mapping_open,
	.close	= mmapdemo_mapping_close,
	.fault	= mmapdemo_mapping_fault,
};

static int mmapdemo_owned_mapped(unsigned long start, unsigned long end,
				 pgoff_t pgoff, const struct file *file,
				 void **vm_private_data)
{
	struct mmapdemo_mapping *mapping;

	mapping = mmapdemo_mapping_create(file->private_data, pgoff,
					  (end - start) >> PAGE_SHIFT);
	if (!mapping)
		return -ENOMEM;
	*vm_private_data = mapping;
	return mmapdemo_vma_mapped(start, end, pgoff, file, vm_private_data);
}

static const struct vm_operations_struct mmapdemo_owned_vm_ops = {
	.mapped	= mmapdemo_owned_mapped,
	.open	= mmapdemo_mapping_open,
	.close	= mmapdemo_mapping_close,
	.fault	= mmapdemo_mapping_fault,
};

static int mmapdemo_owned_mmap_prepare(struct vm_area_desc *desc)
{
	/* vm_insert_page() from ->fault needs VM_MIXEDMAP set up front. */
	vma_desc_set_flags(desc, VMA_MIXEDMAP_BIT);
	desc->vm_ops = &mmapdemo_owned_vm_ops;
	/* Set by ->mapped; until then the VMA owns nothing. */
	desc->private_data = NULL;
	return 0;
}

const struct mmapdemo_strategy mmapdemo_owned_strategy = {
	.name		= "owned",
	.id		= MMAPDEMO_STRATEGY_OWNED,
	.backing	= MMAPDEMO_BACKING_PER_MAPPING,
	.mmap_prepare	= mmapdemo_owned_mmap_prepare,
};
