// SPDX-License-Identifier: GPL-2.0-only
/*
 * pfn: the first fault maps the whole VMA by PFN
 *
 * The pattern of udmabuf and of many drivers that map memory without
 * struct page semantics (device memory, carve-outs). The VMA is VM_PFNMAP:
 * its entries are raw PFNs with no page references or rmap. mmap() maps
 * nothing; the first fault in a VMA maps every page of that VMA with
 * vmf_insert_pfn(), so a mapping costs one fault however many pages are
 * touched. A VMA split by munmap() or mprotect() before its first fault
 * takes one fault per part.
 *
 * As with remap.c, get_user_pages() refuses the range (O_DIRECT,
 * process_vm_readv() and vmsplice() fail with EFAULT), MADV_DONTNEED is
 * refused with EINVAL, mremap() cannot grow the mapping, and the buffer
 * stays alive because every VMA pins the file. Unlike remap.c the buffer
 * need not be physically contiguous: each page gets its own PFN.
 *
 * Only the faulting address must be mapped for the fault to succeed; the
 * rest of the VMA is best effort, and a page left out faults on its own
 * later. Two threads faulting at once both fill the VMA; the second finds
 * the entries there and leaves them, so the data is right, but both calls
 * count their pages in pages_inserted.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>

#include "mmapdemo.h"

static vm_fault_t mmapdemo_pfn_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mmapdemo_file *mf = vma->vm_private_data;
	struct mmapdemo_buffer *buf = mf->buf;
	unsigned long count = vma_pages(vma);
	unsigned long i, addr, inserted = 1;
	vm_fault_t ret;

	atomic64_inc(&mf->stats.faults);
	/* VM_PFNMAP VMAs cannot grow, but the check costs nothing. */
	if (mmapdemo_check_range(buf->nr_pages, vma->vm_pgoff, count))
		return VM_FAULT_SIGBUS;

	ret = vmf_insert_pfn(vma, vmf->address, page_to_pfn(buf->pages[vmf->pgoff]));
	if (ret & VM_FAULT_ERROR)
		return ret;

	for (i = 0, addr = vma->vm_start; i < count; i++, addr += PAGE_SIZE) {
		if (addr == vmf->address)
			continue;
		ret = vmf_insert_pfn(vma, addr,
				     page_to_pfn(buf->pages[vma->vm_pgoff + i]));
		if (!(ret & VM_FAULT_ERROR))
			inserted++;
		cond_resched();
	}
	atomic64_add(inserted, &mf->stats.pages_inserted);
	pr_debug("%s: fault vm_start %#lx address %#lx mapped %lu pages\n",
		 mf->strategy->name, vma->vm_start, vmf->address, inserted);
	return VM_FAULT_NOPAGE;
}

static const struct vm_operations_struct mmapdemo_pfn_vm_ops = {
	.mapped	= mmapdemo_vma_mapped,
	.fault	= mmapdemo_pfn_fault,
};

static int mmapdemo_pfn_mmap_prepare(struct vm_area_desc *desc)
{
	/*
	 * vmf_insert_pfn() needs VM_PFNMAP set before the first fault, and
	 * refuses copy-on-write mappings, which the core already did.
	 */
	vma_desc_set_flags(desc, VMA_PFNMAP_BIT);
	desc->vm_ops = &mmapdemo_pfn_vm_ops;
	return 0;
}

const struct mmapdemo_strategy mmapdemo_pfn_strategy = {
	.name		= "pfn",
	.id		= MMAPDEMO_STRATEGY_PFN,
	.backing	= MMAPDEMO_BACKING_PAGES,
	.mmap_prepare	= mmapdemo_pfn_mmap_prepare,
};
