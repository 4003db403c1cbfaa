// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmalloc: a vmalloc_user() buffer mapped by remap_vmalloc_range()
 *
 * The pattern of videobuf2-vmalloc, the BPF ring buffer and rdmavt: the
 * buffer is one virtually contiguous vmalloc area, easy to use from the
 * kernel side, and physically scattered. vmalloc_user() zeroes it and marks
 * it VM_USERMAP; remap_vmalloc_range() refuses areas without that mark,
 * checks the offset and length against the area, and inserts every page at
 * mmap() time with vm_insert_page(), so user space takes no fault. The
 * pages are normal ones, so get_user_pages() users work on the mapping.
 *
 * This strategy keeps the deprecated f_op->mmap: 7.3 has no mmap action for
 * a vmalloc area, and remap_vmalloc_range() needs the VMA. The prepare-time
 * equivalent would be mmap_action_map_kernel_pages() over the area's pages,
 * which is what batch.c does with a page array.
 *
 * Entries removed while the mapping stays (MADV_DONTNEED) are mapped again
 * by the ->fault handler, from the same pages, so the data is kept.
 */

#include <linux/mm.h>
#include <linux/vmalloc.h>

#include "mmapdemo.h"

static const struct vm_operations_struct mmapdemo_vmalloc_vm_ops = {
	.fault	= mmapdemo_buffer_fault,
};

static int mmapdemo_vmalloc_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mmapdemo_file *mf = file->private_data;
	int err;

	/* Set by vm_insert_page() anyway; ->fault relies on it. */
	vm_flags_set(vma, VM_MIXEDMAP);
	/* On failure the core mm unmaps whatever was inserted. */
	err = remap_vmalloc_range(vma, mf->buf->vaddr, vma->vm_pgoff);
	if (err)
		return err;
	atomic64_add(vma_pages(vma), &mf->stats.pages_inserted);
	vma->vm_ops = &mmapdemo_vmalloc_vm_ops;
	return 0;
}

const struct mmapdemo_strategy mmapdemo_vmalloc_strategy = {
	.name		= "vmalloc",
	.id		= MMAPDEMO_STRATEGY_VMALLOC,
	.backing	= MMAPDEMO_BACKING_VMALLOC,
	.mmap		= mmapdemo_vmalloc_mmap,
};
