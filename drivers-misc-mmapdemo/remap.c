// SPDX-License-Identifier: GPL-2.0-only
/*
 * remap: the whole range remapped by PFN when mmap() is called
 *
 * The oldest strategy, LDD3's "simple" driver. The buffer is physically
 * contiguous, so one PFN range describes it, and every
 * page-table entry of the mapping is filled in by mmap() itself: user space
 * never takes a fault.
 *
 * With ->mmap_prepare the driver only describes the remap:
 * mmap_action_remap_full() asks the core mm to run remap_pfn_range() on the
 * finished VMA and to tear the VMA down again if that fails, so the driver
 * has no error path to get wrong. Older kernels call remap_pfn_range() from
 * ->mmap.
 *
 * The VMA becomes VM_IO | VM_PFNMAP: its entries are raw PFNs, without page
 * references or rmap, so get_user_pages() refuses the range (O_DIRECT and
 * process_vm_readv() on it fail with EFAULT) and nothing but the driver keeps
 * the memory alive. That is safe here because the buffer is freed only
 * after the last mapping, whose VMA pins the file.
 *
 * The offset is checked in pages against the buffer (mmapdemo_check_range())
 * before it is added to the buffer's first PFN: unchecked, it would let any
 * opener map any physical page after the buffer.
 */

#include <linux/mm.h>

#include "mmapdemo.h"

/*
 * No ->fault: every entry exists from mmap() on, and MADV_DONTNEED, which
 * could remove them, is refused (EINVAL) on VM_PFNMAP mappings.
 */
static const struct vm_operations_struct mmapdemo_remap_vm_ops = {
	.mapped = mmapdemo_vma_mapped_all,
};

static int mmapdemo_remap_mmap_prepare(struct vm_area_desc *desc)
{
	struct mmapdemo_file *mf = desc->file->private_data;
	unsigned long pfn = page_to_pfn(mf->buf->pages[0]) + desc->pgoff;

	desc->vm_ops = &mmapdemo_remap_vm_ops;
	mmap_action_remap_full(desc, pfn);
	return 0;
}

const struct mmapdemo_strategy mmapdemo_remap_strategy = {
	.name		= "remap",
	.id		= MMAPDEMO_STRATEGY_REMAP,
	.backing	= MMAPDEMO_BACKING_CONTIG,
	.mmap_prepare	= mmapdemo_remap_mmap_prepare,
};
