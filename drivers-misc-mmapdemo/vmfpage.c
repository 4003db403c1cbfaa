// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmfpage: the fault handler returns the page, the core mm maps it
 *
 * The LDD3 "nopage" style. The ->fault handler
 * maps nothing itself: it takes a reference on the buffer's page and returns
 * it in vmf->page. The core mm then locks the page and maps it the way it
 * maps page-cache pages, with the reference handed over to the page-table
 * entry (finish_fault()), or dropped if the fault fails or a racing fault
 * mapped the address first. N pages touched cost N faults.
 *
 * The VMA is a normal one: neither VM_PFNMAP (vm_normal_page() would then
 * ignore the page's reference count where there is no pte_special) nor
 * VM_MIXEDMAP (nothing is inserted by the driver).
 *
 * The page must come from the page allocator: get_page() on a kmalloc()
 * buffer of more than two pages takes no reference, and the unmap would
 * then drop one the page never had.
 *
 * It is the one strategy that accepts MAP_PRIVATE, because it is the one
 * where the core mm already knows how: a read maps the buffer's page
 * read-only, the first write copies it into an anonymous page of the
 * process (do_cow_fault(), wp_page_copy()), exactly as for a private file
 * mapping, and the buffer never sees the write. Strategies that insert
 * pages themselves would put the driver's page, not a copy, in a
 * copy-on-write mapping, and PFN maps cannot be copied at all.
 *
 * Like insert.c, mappings may grow and fault with SIGBUS past the buffer.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>

#include "mmapdemo.h"

static vm_fault_t mmapdemo_vmfpage_fault(struct vm_fault *vmf)
{
	struct mmapdemo_file *mf = vmf->vma->vm_private_data;
	struct mmapdemo_buffer *buf = mf->buf;
	struct page *page;

	atomic64_inc(&mf->stats.faults);
	if (vmf->pgoff >= buf->nr_pages)
		return VM_FAULT_SIGBUS;

	page = buf->pages[vmf->pgoff];
	get_page(page);
	vmf->page = page;
	atomic64_inc(&mf->stats.pages_inserted);
	pr_debug("%s: fault vm_start %#lx address %#lx offset %#lx pgoff %#lx pfn %#lx\n",
		 mf->strategy->name, vmf->vma->vm_start, vmf->address,
		 vmf->address - vmf->vma->vm_start, vmf->pgoff,
		 page_to_pfn(page));
	return 0;
}

static const struct vm_operations_struct mmapdemo_vmfpage_vm_ops = {
	.mapped	= mmapdemo_vma_mapped,
	.fault	= mmapdemo_vmfpage_fault,
};

static int mmapdemo_vmfpage_mmap_prepare(struct vm_area_desc *desc)
{
	desc->vm_ops = &mmapdemo_vmfpage_vm_ops;
	return 0;
}

const struct mmapdemo_strategy mmapdemo_vmfpage_strategy = {
	.name		= "vmfpage",
	.id		= MMAPDEMO_STRATEGY_VMFPAGE,
	.backing	= MMAPDEMO_BACKING_PAGES,
	.growable	= true,
	.private_cow	= true,
	.mmap_prepare	= mmapdemo_vmfpage_mmap_prepare,
};
