// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmalloc: a vmalloc_user() buffer, mapped whole at mmap() time
 *
 * The buffer of videobuf2-vmalloc and the BPF ring buffer: one virtually
 * contiguous vmalloc area, easy to use from the kernel side, physically
 * scattered. vmalloc_user() zeroes it. Its pages are ordinary ones, kept
 * in buf->pages, so ->mmap_prepare maps them with the same batched action
 * as batch.c, without the VMA that remap_vmalloc_range() would need from
 * ->mmap. get_user_pages() users work on the mapping.
 *
 * Entries removed while the mapping stays (MADV_DONTNEED) are mapped again
 * by the ->fault handler, from the same pages, so the data is kept.
 */

#include <linux/mm.h>

#include "mmapdemo.h"

static const struct vm_operations_struct mmapdemo_vmalloc_vm_ops = {
	.mapped	= mmapdemo_vma_mapped_all,
	.fault	= mmapdemo_buffer_fault,
};

static int mmapdemo_vmalloc_mmap_prepare(struct vm_area_desc *desc)
{
	struct mmapdemo_file *mf = desc->file->private_data;

	/* The ->fault fallback inserts pages: VM_MIXEDMAP from the start. */
	vma_desc_set_flags(desc, VMA_MIXEDMAP_BIT);
	desc->vm_ops = &mmapdemo_vmalloc_vm_ops;
	/* mmapdemo_mmap_check() has made sure the range fits the buffer. */
	mmap_action_map_kernel_pages_full(desc, mf->buf->pages + desc->pgoff);
	return 0;
}

const struct mmapdemo_strategy mmapdemo_vmalloc_strategy = {
	.name		= "vmalloc",
	.id		= MMAPDEMO_STRATEGY_VMALLOC,
	.backing	= MMAPDEMO_BACKING_VMALLOC,
	.mmap_prepare	= mmapdemo_vmalloc_mmap_prepare,
};
