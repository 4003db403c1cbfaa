/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The semantics table of Documentation/misc-devices/mmapdemo.rst, in C.
 *
 * Generated from that table (mmapdemo's scripts/gen-semantics.py): change
 * the table and regenerate, never this file alone. The KUnit tests and the
 * kselftest (tools/testing/selftests/mmapdemo) both include it, so the
 * documentation and the tests check the same claims. It is plain C that
 * C++ also accepts, and it only uses errno names.
 */

#ifndef _MMAPDEMO_SEMANTICS_H
#define _MMAPDEMO_SEMANTICS_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stdbool.h>
#endif

/* Faults taken when user space touches the pages of a new mapping. */
enum mmapdemo_fault_count {
	MMAPDEMO_FAULTS_NONE,		/* "0": mapped before the first touch */
	MMAPDEMO_FAULTS_PER_PAGE,	/* "1 per page" touched */
	MMAPDEMO_FAULTS_PER_VMA,	/* "1 per VMA", whatever is touched */
};

/* The /proc/<pid>/smaps VmFlags the table speaks of. */
#define MMAPDEMO_VMF_IO	0x01U	/* "io": VM_IO */
#define MMAPDEMO_VMF_PF	0x02U	/* "pf": VM_PFNMAP */
#define MMAPDEMO_VMF_MM	0x04U	/* "mm": VM_MIXEDMAP */
#define MMAPDEMO_VMF_DE	0x08U	/* "de": VM_DONTEXPAND */
#define MMAPDEMO_VMF_DD	0x10U	/* "dd": VM_DONTDUMP */

/*
 * One row. An errno field is 0 where the table gives the column's success
 * word, else the error the operation fails with.
 */
struct mmapdemo_semantics {
	const char *name;		/* the strategy, /dev/mmapdemo-<name> */
	enum mmapdemo_fault_count faults;
	int private_errno;		/* 0: MAP_PRIVATE maps copy-on-write */
	enum mmapdemo_fault_count fork_child_faults; /* child touching all */
	int grow_errno;			/* 0: grows, SIGBUS past the file's end */
	int move_errno;			/* mremap() to a new address */
	int split_errno;		/* munmap() of a middle page */
	int mprotect_errno;		/* PROT_READ mapping made writable */
	int dontneed_errno;		/* 0: data kept, each page re-faults */
	int gup_errno;			/* process_vm_readv(), vmsplice(), O_DIRECT */
	unsigned int vm_flags;		/* MMAPDEMO_VMF_* set, the others clear */
	int dodump_errno;		/* MADV_DODUMP; dd means no core dump */
	bool pages_inserted_exact;	/* equals pages touched, even in races */
};

static const struct mmapdemo_semantics mmapdemo_semantics[] = {
	{
		.name = "remap",
		.faults = MMAPDEMO_FAULTS_NONE,
		.private_errno = EINVAL,
		.fork_child_faults = MMAPDEMO_FAULTS_NONE,
		.grow_errno = EFAULT,
		.move_errno = 0,
		.split_errno = 0,
		.mprotect_errno = 0,
		.dontneed_errno = EINVAL,
		.gup_errno = EFAULT,
		.vm_flags = MMAPDEMO_VMF_IO | MMAPDEMO_VMF_PF | MMAPDEMO_VMF_DE | MMAPDEMO_VMF_DD,
		.dodump_errno = EINVAL,
		.pages_inserted_exact = true,
	},
	{
		.name = "insert",
		.faults = MMAPDEMO_FAULTS_PER_PAGE,
		.private_errno = EINVAL,
		.fork_child_faults = MMAPDEMO_FAULTS_NONE,
		.grow_errno = 0,
		.move_errno = 0,
		.split_errno = 0,
		.mprotect_errno = 0,
		.dontneed_errno = 0,
		.gup_errno = 0,
		.vm_flags = MMAPDEMO_VMF_MM | MMAPDEMO_VMF_DD,
		.dodump_errno = EINVAL,
		.pages_inserted_exact = true,
	},
	{
		.name = "lazy",
		.faults = MMAPDEMO_FAULTS_PER_PAGE,
		.private_errno = EINVAL,
		.fork_child_faults = MMAPDEMO_FAULTS_NONE,
		.grow_errno = 0,
		.move_errno = 0,
		.split_errno = 0,
		.mprotect_errno = 0,
		.dontneed_errno = 0,
		.gup_errno = 0,
		.vm_flags = MMAPDEMO_VMF_MM | MMAPDEMO_VMF_DD,
		.dodump_errno = EINVAL,
		.pages_inserted_exact = true,
	},
	{
		.name = "vmfpage",
		.faults = MMAPDEMO_FAULTS_PER_PAGE,
		.private_errno = 0,
		.fork_child_faults = MMAPDEMO_FAULTS_PER_PAGE,
		.grow_errno = 0,
		.move_errno = 0,
		.split_errno = 0,
		.mprotect_errno = 0,
		.dontneed_errno = 0,
		.gup_errno = 0,
		.vm_flags = MMAPDEMO_VMF_DD,
		.dodump_errno = 0,
		.pages_inserted_exact = false,
	},
	{
		.name = "owned",
		.faults = MMAPDEMO_FAULTS_PER_PAGE,
		.private_errno = EINVAL,
		.fork_child_faults = MMAPDEMO_FAULTS_NONE,
		.grow_errno = EFAULT,
		.move_errno = 0,
		.split_errno = 0,
		.mprotect_errno = 0,
		.dontneed_errno = 0,
		.gup_errno = 0,
		.vm_flags = MMAPDEMO_VMF_MM | MMAPDEMO_VMF_DE | MMAPDEMO_VMF_DD,
		.dodump_errno = EINVAL,
		.pages_inserted_exact = true,
	},
	{
		.name = "prefault",
		.faults = MMAPDEMO_FAULTS_NONE,
		.private_errno = EINVAL,
		.fork_child_faults = MMAPDEMO_FAULTS_NONE,
		.grow_errno = EFAULT,
		.move_errno = 0,
		.split_errno = 0,
		.mprotect_errno = 0,
		.dontneed_errno = 0,
		.gup_errno = 0,
		.vm_flags = MMAPDEMO_VMF_MM | MMAPDEMO_VMF_DE | MMAPDEMO_VMF_DD,
		.dodump_errno = EINVAL,
		.pages_inserted_exact = true,
	},
	{
		.name = "batch",
		.faults = MMAPDEMO_FAULTS_NONE,
		.private_errno = EINVAL,
		.fork_child_faults = MMAPDEMO_FAULTS_NONE,
		.grow_errno = EFAULT,
		.move_errno = 0,
		.split_errno = 0,
		.mprotect_errno = 0,
		.dontneed_errno = 0,
		.gup_errno = 0,
		.vm_flags = MMAPDEMO_VMF_MM | MMAPDEMO_VMF_DE | MMAPDEMO_VMF_DD,
		.dodump_errno = EINVAL,
		.pages_inserted_exact = true,
	},
	{
		.name = "pfn",
		.faults = MMAPDEMO_FAULTS_PER_VMA,
		.private_errno = EINVAL,
		.fork_child_faults = MMAPDEMO_FAULTS_NONE,
		.grow_errno = EFAULT,
		.move_errno = 0,
		.split_errno = 0,
		.mprotect_errno = 0,
		.dontneed_errno = EINVAL,
		.gup_errno = EFAULT,
		.vm_flags = MMAPDEMO_VMF_PF | MMAPDEMO_VMF_DE | MMAPDEMO_VMF_DD,
		.dodump_errno = EINVAL,
		.pages_inserted_exact = false,
	},
	{
		.name = "vmalloc",
		.faults = MMAPDEMO_FAULTS_NONE,
		.private_errno = EINVAL,
		.fork_child_faults = MMAPDEMO_FAULTS_NONE,
		.grow_errno = EFAULT,
		.move_errno = 0,
		.split_errno = 0,
		.mprotect_errno = 0,
		.dontneed_errno = 0,
		.gup_errno = 0,
		.vm_flags = MMAPDEMO_VMF_MM | MMAPDEMO_VMF_DE | MMAPDEMO_VMF_DD,
		.dodump_errno = EINVAL,
		.pages_inserted_exact = true,
	},
};

#endif /* _MMAPDEMO_SEMANTICS_H */
