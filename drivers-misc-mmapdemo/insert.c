// SPDX-License-Identifier: GPL-2.0-only
/*
 * insert: the fault handler inserts the buffer's page
 *
 * Seed module mmap-test2. mmap() maps nothing; the first access to each page
 * faults, and the ->fault handler maps that one page of the file's buffer
 * with vm_insert_page(). N pages touched cost N faults, and pages never
 * touched are never mapped.
 *
 * vm_insert_page() maps a real page with its reference counted, so the
 * mapping behaves like normal memory for get_user_pages() (O_DIRECT works).
 * It must find VM_MIXEDMAP already set: from a fault handler it cannot set
 * the flag (that needs the mmap_lock for writing) and BUG()s instead, so
 * ->mmap_prepare sets it.
 *
 * Fixed from the seed: the buffer was one kzalloc() of three pages. Since 7.3
 * such memory is a frozen large-kmalloc allocation and vm_insert_page()
 * refuses it (-EINVAL); the seed ignored the error and returned
 * VM_FAULT_NOPAGE, so the access faulted again forever. Here the pages come
 * from the page allocator, errors become SIGBUS or OOM, and the faulting
 * offset is checked against the buffer (mmapdemo_buffer_fault()).
 *
 * Mappings may grow: nothing is mapped before a fault, so the mremap()ed
 * tail costs nothing, and a fault there past the end of the buffer gets
 * SIGBUS. This is why every fault handler must check vmf->pgoff, even
 * though mmap() checked the range: the seed's handlers indexed their
 * buffer with it unchecked.
 */

#include <linux/mm.h>

#include "mmapdemo.h"

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
