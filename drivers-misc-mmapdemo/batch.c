// SPDX-License-Identifier: GPL-2.0-only
/*
 * batch: mmap() maps the whole buffer in one batched call
 *
 * Where insert.c maps one page per fault, this strategy hands the core mm
 * the buffer's page array when mmap() is called and lets it map every page
 * at once: user space never takes a fault, like remap.c, but the entries
 * are normal, reference-counted pages, like insert.c, so get_user_pages()
 * users (O_DIRECT, process_vm_readv(), vmsplice()) work on the mapping.
 *
 * On 7.3 ->mmap_prepare describes the work with
 * mmap_action_map_kernel_pages_full(); the core mm runs it on the finished
 * VMA, batching the page-table updates under one lock per page table, and
 * tears the VMA down if it fails. Older kernels call vm_insert_pages() or
 * vm_map_pages() from ->mmap.
 *
 * Two traps. The action maps pages from the start of the array it is given
 * and ignores desc->pgoff, so the driver passes the array from the mapped
 * offset on, after the core's bounds check. And entries removed while the
 * mapping stays (MADV_DONTNEED) are mapped again by the ->fault handler,
 * one page a fault, so the data is still there and the re-faults are
 * counted.
 */

#include <linux/mm.h>

#include "mmapdemo.h"

static const struct vm_operations_struct mmapdemo_batch_vm_ops = {
	.mapped	= mmapdemo_vma_mapped_all,
	.fault	= mmapdemo_buffer_fault,
};

static int mmapdemo_batch_mmap_prepare(struct vm_area_desc *desc)
{
	struct mmapdemo_file *mf = desc->file->private_data;

	/* The ->fault fallback inserts pages: VM_MIXEDMAP from the start. */
	vma_desc_set_flags(desc, VMA_MIXEDMAP_BIT);
	desc->vm_ops = &mmapdemo_batch_vm_ops;
	/* mmapdemo_mmap_check() has made sure the range fits the buffer. */
	mmap_action_map_kernel_pages_full(desc, mf->buf->pages + desc->pgoff);
	return 0;
}

const struct mmapdemo_strategy mmapdemo_batch_strategy = {
	.name		= "batch",
	.id		= MMAPDEMO_STRATEGY_BATCH,
	.backing	= MMAPDEMO_BACKING_PAGES,
	.mmap_prepare	= mmapdemo_batch_mmap_prepare,
};
