/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mmapdemo internals shared by the core and the strategy files.
 *
 * Lifetime in one sentence: a VMA holds a reference on its vm_file, so the
 * per-file state below, and the buffer it owns, cannot go away while any
 * mapping created from the file still exists; nothing else needs to pin it.
 */

#ifndef _MMAPDEMO_H
#define _MMAPDEMO_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/mm_types.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <uapi/linux/mmapdemo.h>

struct file;
struct file_operations;
struct page;
struct vm_fault;

/* Per-file counters reported by MMAPDEMO_IOC_STATS. */
struct mmapdemo_counters {
	atomic64_t mmaps;
	atomic64_t faults;
	atomic64_t pages_inserted;
	atomic64_t pages_allocated;
	atomic64_t pages_freed;
};

/**
 * enum mmapdemo_backing - who owns the pages and when they are allocated
 * @MMAPDEMO_BACKING_PAGES: the file's buffer, zeroed pages allocated one by
 *	one when the buffer is created
 * @MMAPDEMO_BACKING_CONTIG: the file's buffer, one physically contiguous
 *	zeroed range, so that a single PFN range describes it
 * @MMAPDEMO_BACKING_LAZY: the file's buffer, each page allocated (zeroed) the
 *	first time a fault or a write() needs it
 * @MMAPDEMO_BACKING_PER_MAPPING: no buffer, only a size: mappings own pages
 * @MMAPDEMO_BACKING_VMALLOC: the file's buffer, a zeroed vmalloc_user() area
 */
enum mmapdemo_backing {
	MMAPDEMO_BACKING_PAGES,
	MMAPDEMO_BACKING_CONTIG,
	MMAPDEMO_BACKING_LAZY,
	MMAPDEMO_BACKING_PER_MAPPING,
	MMAPDEMO_BACKING_VMALLOC,
};

/**
 * struct mmapdemo_buffer - the memory of one open file
 * @ref: one reference held by the file, one by each read() or write() in
 *	progress (a resize may replace the buffer under them)
 * @backing: how @pages are allocated
 * @nr_pages: size in pages; mmap() offsets and lengths must fit in it
 * @stats: the owning file's counters, for allocations and frees
 * @vaddr: kernel address of the whole buffer where it has one, else NULL
 * @pages: @nr_pages entries; NULL entries are holes of a lazy buffer; the
 *	array itself is NULL for %MMAPDEMO_BACKING_PER_MAPPING
 *	(%MMAPDEMO_BACKING_VMALLOC: the area owns them, the array borrows them)
 *
 * Once the file has been mmap()ed the buffer is never replaced, and entries
 * of @pages only go from NULL to a page, so fault handlers read them without
 * a lock.
 */
struct mmapdemo_buffer {
	struct kref ref;
	enum mmapdemo_backing backing;
	unsigned long nr_pages;
	struct mmapdemo_counters *stats;
	void *vaddr;
	struct page **pages;
};

/**
 * struct mmapdemo_strategy - one way of mapping memory, one device node
 * @name: suffix of the device node, /dev/mmapdemo-@name
 * @id: value reported to user space
 * @backing: how the file's memory is allocated
 * @growable: mappings lack VM_DONTEXPAND, so mremap() may grow them; the
 *	fault handler answers SIGBUS for the pages past the file
 * @private_cow: MAP_PRIVATE is accepted: the core mm copies a page on the
 *	first write, and the copy never reaches the file
 * @mmap_prepare: set for strategies that can describe the mapping up front
 *	(7.3's f_op->mmap_prepare); called after the common checks
 * @mmap: set for strategies that need the VMA itself (f_op->mmap); called
 *	after the common checks
 *
 * Exactly one of @mmap_prepare and @mmap is set.
 */
struct mmapdemo_strategy {
	const char *name;
	enum mmapdemo_strategy_id id;
	enum mmapdemo_backing backing;
	bool growable;
	bool private_cow;
	int (*mmap_prepare)(struct vm_area_desc *desc);
	int (*mmap)(struct file *file, struct vm_area_struct *vma);
};

/**
 * struct mmapdemo_file - state of one open file (file->private_data)
 * @strategy: the device's strategy
 * @lock: serialises MMAPDEMO_IOC_SET_SIZE against mmap() and readers of @buf
 * @buf: the file's memory; replaced only while @size_fixed is false
 * @size_fixed: set by the first mmap() that passes the bounds check
 * @stats: counters for this file and every mapping created from it
 */
struct mmapdemo_file {
	const struct mmapdemo_strategy *strategy;
	spinlock_t lock;	/* protects buf and size_fixed */
	struct mmapdemo_buffer *buf;
	bool size_fixed;
	struct mmapdemo_counters stats;
};

/**
 * struct mmapdemo_mapping - pages owned by one mapping (see owned.c)
 * @refs: one per VMA using it; a split, mremap() or fork() adds VMAs
 * @mf: the file the mapping was created from; its VMAs pin it
 * @first_pgoff: file offset in pages of @pages[0]
 * @nr_pages: length of the mapping when it was created
 * @pages: the mapping's pages, NULL until allocated
 */
struct mmapdemo_mapping {
	refcount_t refs;
	struct mmapdemo_file *mf;
	pgoff_t first_pgoff;
	unsigned long nr_pages;
	struct page *pages[] __counted_by(nr_pages);
};

extern const struct mmapdemo_strategy mmapdemo_remap_strategy;
extern const struct mmapdemo_strategy mmapdemo_insert_strategy;
extern const struct mmapdemo_strategy mmapdemo_lazy_strategy;
extern const struct mmapdemo_strategy mmapdemo_vmfpage_strategy;
extern const struct mmapdemo_strategy mmapdemo_owned_strategy;
extern const struct mmapdemo_strategy mmapdemo_prefault_strategy;
extern const struct mmapdemo_strategy mmapdemo_batch_strategy;
extern const struct mmapdemo_strategy mmapdemo_pfn_strategy;
extern const struct mmapdemo_strategy mmapdemo_vmalloc_strategy;

/* core.c */
int mmapdemo_check_range(unsigned long nr_pages, pgoff_t pgoff,
			 unsigned long count);
struct mmapdemo_buffer *mmapdemo_buffer_alloc(enum mmapdemo_backing backing,
					      unsigned long nr_pages,
					      struct mmapdemo_counters *stats);
void mmapdemo_buffer_put(struct mmapdemo_buffer *buf);
struct page *mmapdemo_alloc_page(void);
struct page *mmapdemo_slot_get_page(struct page **slot,
				    struct mmapdemo_counters *stats);
unsigned long mmapdemo_max_pages(const struct mmapdemo_strategy *strategy);
const struct mmapdemo_strategy *mmapdemo_strategy_find(u32 id);
struct mmapdemo_file *mmapdemo_file_create(const struct mmapdemo_strategy *strategy,
					   unsigned long nr_pages);
void mmapdemo_file_destroy(struct mmapdemo_file *mf);
const struct file_operations *mmapdemo_file_fops(const struct mmapdemo_strategy *strategy);
void mmapdemo_stats_read(struct mmapdemo_file *mf, struct mmapdemo_stats *out);
int mmapdemo_vma_mapped(unsigned long start, unsigned long end, pgoff_t pgoff,
			const struct file *file, void **vm_private_data);
int mmapdemo_vma_mapped_all(unsigned long start, unsigned long end,
			    pgoff_t pgoff, const struct file *file,
			    void **vm_private_data);

/* insert.c: inserting a page on fault, shared with other strategies */
vm_fault_t mmapdemo_insert_page(struct mmapdemo_file *mf, struct vm_fault *vmf,
				struct page *page);
vm_fault_t mmapdemo_buffer_fault(struct vm_fault *vmf);

/* owned.c: pages owned by a mapping */
struct mmapdemo_mapping *mmapdemo_mapping_create(struct mmapdemo_file *mf,
						 pgoff_t first_pgoff,
						 unsigned long nr_pages);
void mmapdemo_mapping_put(struct mmapdemo_mapping *mapping);
extern const struct vm_operations_struct mmapdemo_mapping_vm_ops;

#endif /* _MMAPDEMO_H */
