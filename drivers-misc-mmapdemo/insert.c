// SPDX-License-Identifier: GPL-2.0-only
/*
 * insert: the fault handler inserts the buffer's page
 *
 * mmap() maps nothing; the first access to each page faults, and the
 * ->fault handler maps that one page of the file's buffer with
 * vm_insert_page(). N pages touched cost N faults, and pages never touched
 * are never mapped.
 *
 * vm_insert_page() maps a real page with its reference counted, so the
 * mapping behaves like normal memory for get_user_pages() (O_DIRECT works).
 * It must find VM_MIXEDMAP already set: from a fault handler it cannot set
 * the flag (that needs the mmap_lock for writing) and BUG()s instead, so
 * ->mmap_prepare sets it.
 *
 * The pages come from the page allocator: vm_insert_page() refuses a
 * kmalloc() buffer of more than two pages.
 *
 * Mappings may grow: nothing is mapped before a fault, so the mremap()ed
 * tail costs nothing, and a fault there past the end of the buffer gets
 * SIGBUS. This is why every fault handler must check vmf->pgoff, even
 * though mmap() checked the range.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <kunit/visibility.h>

#include "mmapdemo.h"

/**
 * mmapdemo_insert_page() - map one page at the faulting address
 * @mf: the file the mapping belongs to, for its counters
 * @vmf: the fault
 * @page: the page to map
 *
 * vm_insert_page() takes a reference of its own for the page-table entry.
 * Its errors become fault codes here, because returning VM_FAULT_NOPAGE
 * without a PTE in place would fault again at once, forever.
 *
 * Context: Fault handler of a VM_MIXEDMAP mapping, mmap_lock held.
 * Return: VM_FAULT_NOPAGE when the page is mapped (also when a concurrent
 * fault mapped it first), VM_FAULT_OOM or VM_FAULT_SIGBUS on failure.
 */
vm_fault_t mmapdemo_insert_page(struct mmapdemo_file *mf, struct vm_fault *vmf,
				struct page *page)
{
	int err = vm_insert_page(vmf->vma, vmf->address, page);

	switch (err) {
	case 0:
		atomic64_inc(&mf->stats.pages_inserted);
		pr_debug("%s: fault vm_start %#lx address %#lx offset %#lx pgoff %#lx pfn %#lx\n",
			 mf->strategy->name, vmf->vma->vm_start, vmf->address,
			 vmf->address - vmf->vma->vm_start, vmf->pgoff,
			 page_to_pfn(page));
		return VM_FAULT_NOPAGE;
	case -EBUSY:
		/* Another thread faulted on the same address and won. */
		return VM_FAULT_NOPAGE;
	case -ENOMEM:
		return VM_FAULT_OOM;
	default:
		return VM_FAULT_SIGBUS;
	}
}
EXPORT_SYMBOL_IF_KUNIT(mmapdemo_insert_page);

/**
 * mmapdemo_buffer_fault() - vm_ops->fault mapping a page of the file's buffer
 * @vmf: the fault
 *
 * The insert-on-fault handler. Strategies that map the whole buffer at
 * mmap() time use it too, for when entries are gone while the mapping stays
 * (MADV_DONTNEED). The offset is checked against the buffer because
 * a VMA without VM_DONTEXPAND may have been grown past it by mremap().
 *
 * Context: Fault handler of a VM_MIXEDMAP mapping of a buffer strategy.
 * Return: as mmapdemo_insert_page(), or VM_FAULT_SIGBUS past the buffer.
 */
vm_fault_t mmapdemo_buffer_fault(struct vm_fault *vmf)
{
	struct mmapdemo_file *mf = vmf->vma->vm_private_data;
	struct mmapdemo_buffer *buf = mf->buf;

	atomic64_inc(&mf->stats.faults);
	if (vmf->pgoff >= buf->nr_pages)
		return VM_FAULT_SIGBUS;
	return mmapdemo_insert_page(mf, vmf, buf->pages[vmf->pgoff]);
}

static const struct vm_operations_struct mmapdemo_insert_vm_ops = {
	.mapped	= mmapdemo_vma_mapped,
	.fault	= mmapdemo_buffer_fault,
};

static int mmapdemo_insert_mmap_prepare(struct vm_area_desc *desc)
{
	vma_desc_set_flags(desc, VMA_MIXEDMAP_BIT);
	desc->vm_ops = &mmapdemo_insert_vm_ops;
	return 0;
}

const struct mmapdemo_strategy mmapdemo_insert_strategy = {
	.name		= "insert",
	.id		= MMAPDEMO_STRATEGY_INSERT,
	.backing	= MMAPDEMO_BACKING_PAGES,
	.growable	= true,
	.mmap_prepare	= mmapdemo_insert_mmap_prepare,
};
