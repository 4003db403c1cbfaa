// SPDX-License-Identifier: GPL-2.0-only
/*
 * lazy: a buffer page is allocated on its first fault, then kept
 *
 * The file's buffer starts as an array of holes. The
 * first fault on a page allocates it (zeroed), stores it in the buffer and
 * inserts it; later faults on the same page, from this mapping or any other
 * mapping of the file, insert the page already there. Memory is spent only
 * on pages that are touched, and it stays with the file: a second mapping
 * finds the data of the first.
 *
 * Two threads faulting on the same hole both allocate a page;
 * mmapdemo_slot_get_page() publishes one with cmpxchg() and the loser frees
 * its own, so every fault sees the same, zeroed page.
 *
 * Like insert.c, mappings may grow and fault with SIGBUS past the buffer.
 */

#include <linux/mm.h>

#include "mmapdemo.h"

static vm_fault_t mmapdemo_lazy_fault(struct vm_fault *vmf)
{
	struct mmapdemo_file *mf = vmf->vma->vm_private_data;
	struct mmapdemo_buffer *buf = mf->buf;
	struct page *page;

	atomic64_inc(&mf->stats.faults);
	if (vmf->pgoff >= buf->nr_pages)
		return VM_FAULT_SIGBUS;
	page = mmapdemo_slot_get_page(&buf->pages[vmf->pgoff], &mf->stats);
	if (!page)
		return VM_FAULT_OOM;
	return mmapdemo_insert_page(mf, vmf, page);
}

static const struct vm_operations_struct mmapdemo_lazy_vm_ops = {
	.mapped	= mmapdemo_vma_mapped,
	.fault	= mmapdemo_lazy_fault,
};

static int mmapdemo_lazy_mmap_prepare(struct vm_area_desc *desc)
{
	/* vm_insert_page() from ->fault needs VM_MIXEDMAP set up front. */
	vma_desc_set_flags(desc, VMA_MIXEDMAP_BIT);
	desc->vm_ops = &mmapdemo_lazy_vm_ops;
	return 0;
}

const struct mmapdemo_strategy mmapdemo_lazy_strategy = {
	.name		= "lazy",
	.id		= MMAPDEMO_STRATEGY_LAZY,
	.backing	= MMAPDEMO_BACKING_LAZY,
	.growable	= true,
	.mmap_prepare	= mmapdemo_lazy_mmap_prepare,
};
