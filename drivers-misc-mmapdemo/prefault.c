// SPDX-License-Identifier: GPL-2.0-only
/*
 * prefault: mmap() allocates and maps all of a mapping's pages
 *
 * The pattern of lib/test_hmm.c. Like owned.c,
 * every mmap() gets pages of its own (struct mmapdemo_mapping), but here
 * mmap() allocates every page up front and inserts it at once, so user space
 * never takes a fault. The ->fault handler only matters if the entries go
 * away while the mapping stays, e.g. after MADV_DONTNEED: it maps the
 * mapping's page again.
 *
 * This strategy keeps the deprecated f_op->mmap, on purpose: it must
 * allocate per mapping and insert into the new VMA. ->mmap_prepare may not
 * allocate, mmap_action_map_kernel_pages() needs pages that exist before the
 * mapping does, and vm_ops->mapped is not handed the VMA to insert into.
 *
 * A failure part way frees what was allocated; the core mm zaps the entries
 * already inserted.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>

#include "mmapdemo.h"

static int mmapdemo_prefault_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mmapdemo_file *mf = file->private_data;
	unsigned long i, count = vma_pages(vma);
	struct mmapdemo_mapping *mapping;
	int err;

	mapping = mmapdemo_mapping_create(mf, vma->vm_pgoff, count);
	if (!mapping)
		return -ENOMEM;

	vm_flags_set(vma, VM_MIXEDMAP);
	for (i = 0; i < count; i++) {
		unsigned long addr = vma->vm_start + (i << PAGE_SHIFT);
		struct page *page;

		page = mmapdemo_slot_get_page(&mapping->pages[i], &mf->stats);
		if (!page) {
			err = -ENOMEM;
			goto err_put;
		}
		err = vm_insert_page(vma, addr, page);
		if (err)
			goto err_put;
		atomic64_inc(&mf->stats.pages_inserted);
		pr_debug("%s: inserted page %lu at %#lx pfn %#lx\n",
			 mf->strategy->name, i, addr, page_to_pfn(page));
	}
	pr_debug("%s: completed inserting %lu pages\n", mf->strategy->name,
		 count);

	vma->vm_private_data = mapping;
	vma->vm_ops = &mmapdemo_mapping_vm_ops;
	return 0;

err_put:
	mmapdemo_mapping_put(mapping);
	return err;
}

const struct mmapdemo_strategy mmapdemo_prefault_strategy = {
	.name		= "prefault",
	.id		= MMAPDEMO_STRATEGY_PREFAULT,
	.backing	= MMAPDEMO_BACKING_PER_MAPPING,
	.mmap		= mmapdemo_prefault_mmap,
};
