/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mmapdemo: one misc device per way of mapping driver memory into user space
 *
 * Each /dev/mmapdemo-<strategy> node maps memory with one strategy. Every
 * open file has its own geometry (a size in pages) and its own statistics;
 * see Documentation/misc-devices/mmapdemo.rst for the contract.
 *
 * All structures are made of naturally aligned __u32/__u64 fields with no
 * implicit padding, so they have the same layout for 32-bit and 64-bit user
 * space. Fields marked "must be zero" are checked and make room for flags.
 */

#ifndef _UAPI_LINUX_MMAPDEMO_H
#define _UAPI_LINUX_MMAPDEMO_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * enum mmapdemo_strategy_id - how a device node maps memory
 * @MMAPDEMO_STRATEGY_REMAP: buffer remapped by PFN when mmap() is called
 * @MMAPDEMO_STRATEGY_INSERT: fault handler inserts the buffer's page
 * @MMAPDEMO_STRATEGY_LAZY: buffer page allocated on its first fault
 * @MMAPDEMO_STRATEGY_VMFPAGE: fault handler returns the page in vmf->page
 * @MMAPDEMO_STRATEGY_OWNED: each mapping allocates its own pages on fault
 * @MMAPDEMO_STRATEGY_PREFAULT: mmap() allocates and maps each mapping's pages
 * @MMAPDEMO_STRATEGY_BATCH: mmap() maps the whole buffer in one batched call
 * @MMAPDEMO_STRATEGY_PFN: the first fault maps the whole mapping by PFN
 * @MMAPDEMO_STRATEGY_VMALLOC: vmalloc buffer mapped when mmap() is called
 *
 * The values are stable: new strategies get new numbers.
 */
enum mmapdemo_strategy_id {
	MMAPDEMO_STRATEGY_REMAP = 0,
	MMAPDEMO_STRATEGY_INSERT = 1,
	MMAPDEMO_STRATEGY_LAZY = 2,
	MMAPDEMO_STRATEGY_VMFPAGE = 3,
	MMAPDEMO_STRATEGY_OWNED = 4,
	MMAPDEMO_STRATEGY_PREFAULT = 5,
	MMAPDEMO_STRATEGY_BATCH = 6,
	MMAPDEMO_STRATEGY_PFN = 7,
	MMAPDEMO_STRATEGY_VMALLOC = 8,
};

/* The pages belong to each mapping: read() and write() fail with EINVAL. */
#define MMAPDEMO_INFO_PER_MAPPING	(1U << 0)
/* The size is fixed: the file has been mmap()ed. */
#define MMAPDEMO_INFO_SIZE_FIXED	(1U << 1)

/**
 * struct mmapdemo_info - what MMAPDEMO_IOC_INFO reports
 * @strategy: enum mmapdemo_strategy_id of the device node
 * @flags: MMAPDEMO_INFO_* bits
 * @page_size: size of a page in bytes; mmap() offsets are multiples of it
 * @nr_pages: size of the file in pages: mappings must fit in it
 * @max_pages: largest size MMAPDEMO_IOC_SET_SIZE accepts
 */
struct mmapdemo_info {
	__u32 strategy;
	__u32 flags;
	__u64 page_size;
	__u64 nr_pages;
	__u64 max_pages;
};

/**
 * struct mmapdemo_set_size - argument of MMAPDEMO_IOC_SET_SIZE
 * @nr_pages: new size in pages, from 1 to &mmapdemo_info.max_pages
 * @flags: must be zero
 */
struct mmapdemo_set_size {
	__u64 nr_pages;
	__u64 flags;
};

/**
 * struct mmapdemo_stats - per-file counters reported by MMAPDEMO_IOC_STATS
 * @mmaps: mappings established by mmap() as a VMA of their own; one merged
 *	into an adjacent VMA of the same file gets no vm_ops->mapped call and
 *	is not counted
 * @faults: calls of the driver's fault handler
 * @pages_inserted: pages the driver mapped into a page table, or handed to
 *	the core mm to map; a fault racing another on the same address may
 *	call the handler without mapping a page
 * @pages_allocated: pages the driver allocated
 * @pages_freed: pages the driver freed or gave up
 *
 * Counters only grow. They count events on this open file and on every
 * mapping created from it, whichever process the mapping belongs to.
 */
struct mmapdemo_stats {
	__u64 mmaps;
	__u64 faults;
	__u64 pages_inserted;
	__u64 pages_allocated;
	__u64 pages_freed;
};

#define MMAPDEMO_IOC_MAGIC	'Y'

/* Report the device's strategy and the file's geometry. */
#define MMAPDEMO_IOC_INFO	_IOR(MMAPDEMO_IOC_MAGIC, 0x00, struct mmapdemo_info)
/*
 * Resize the file's buffer to @nr_pages zeroed pages. EINVAL for a size of
 * zero, over the cap, or non-zero flags; EBUSY once the file was mmap()ed.
 */
#define MMAPDEMO_IOC_SET_SIZE	_IOW(MMAPDEMO_IOC_MAGIC, 0x01, struct mmapdemo_set_size)
/* Read the file's counters. */
#define MMAPDEMO_IOC_STATS	_IOR(MMAPDEMO_IOC_MAGIC, 0x02, struct mmapdemo_stats)

#endif /* _UAPI_LINUX_MMAPDEMO_H */
