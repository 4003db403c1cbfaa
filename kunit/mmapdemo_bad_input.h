/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bad-input table of Documentation/misc-devices/mmapdemo.rst, in C.
 *
 * Generated from that table (mmapdemo's scripts/gen-semantics.py): change
 * the table and regenerate, never this file alone. The kselftest
 * (tools/testing/selftests/mmapdemo) includes it and tries every row on
 * every strategy the row applies to. It is plain C that C++ also accepts,
 * and it only uses errno and signal names.
 */

#ifndef _MMAPDEMO_BAD_INPUT_H
#define _MMAPDEMO_BAD_INPUT_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/signal.h>
#else
#include <errno.h>
#include <signal.h>
#endif

/* The strategies a row applies to (the "strategies" column). */
enum mmapdemo_bad_scope {
	MMAPDEMO_BAD_SCOPE_ALL,			/* "all" */
	MMAPDEMO_BAD_SCOPE_BUFFER,		/* "buffer": the file has a buffer */
	MMAPDEMO_BAD_SCOPE_PER_MAPPING,		/* "per-mapping": owned, prefault */
	MMAPDEMO_BAD_SCOPE_PRIVATE_REFUSED,	/* semantics: MAP_PRIVATE refused */
	MMAPDEMO_BAD_SCOPE_GROW_REFUSED,	/* semantics: mremap grow refused */
	MMAPDEMO_BAD_SCOPE_GROW_ALLOWED,	/* semantics: mremap grow allowed */
	MMAPDEMO_BAD_SCOPE_GROW_ALLOWED_MM,	/* the same, and VmFlags mm */
};

/* One name per row (the "input" column), in the table's order. */
enum mmapdemo_bad_input_id {
	MMAPDEMO_BAD_MMAP_OFFSET_AT_END,
	MMAPDEMO_BAD_MMAP_OFFSET_PAST_END,
	MMAPDEMO_BAD_MMAP_LENGTH_PAST_END,
	MMAPDEMO_BAD_MMAP_LENGTH_BYTE_PAST_END,
	MMAPDEMO_BAD_MMAP_WINDOW_PAST_END,
	MMAPDEMO_BAD_MMAP_HUGE_OFFSET,
	MMAPDEMO_BAD_MMAP_LARGEST_PGOFF,
	MMAPDEMO_BAD_MMAP_PGOFF_ULONG_MAX,
	MMAPDEMO_BAD_MMAP_OFFSET_LENGTH_WRAP,
	MMAPDEMO_BAD_MMAP_ZERO_LENGTH,
	MMAPDEMO_BAD_MMAP_UNALIGNED_OFFSET,
	MMAPDEMO_BAD_MMAP_PRIVATE,
	MMAPDEMO_BAD_MMAP_PRIVATE_READ_ONLY,
	MMAPDEMO_BAD_MMAP_WRITE_READ_ONLY_FD,
	MMAPDEMO_BAD_MMAP_EXEC,
	MMAPDEMO_BAD_MPROTECT_EXEC,
	MMAPDEMO_BAD_MREMAP_GROW,
	MMAPDEMO_BAD_MREMAP_GROW_IN_PLACE,
	MMAPDEMO_BAD_MREMAP_GROW_PAST_END,
	MMAPDEMO_BAD_SET_SIZE_ZERO,
	MMAPDEMO_BAD_SET_SIZE_OVER_CAP,
	MMAPDEMO_BAD_SET_SIZE_U64_MAX,
	MMAPDEMO_BAD_SET_SIZE_FLAGS,
	MMAPDEMO_BAD_SET_SIZE_WHILE_MAPPED,
	MMAPDEMO_BAD_SET_SIZE_AFTER_MUNMAP,
	MMAPDEMO_BAD_IOCTL_UNKNOWN,
	MMAPDEMO_BAD_IOCTL_WRONG_SIZE,
	MMAPDEMO_BAD_IOCTL_FOREIGN,
	MMAPDEMO_BAD_INFO_NULL,
	MMAPDEMO_BAD_INFO_READ_ONLY,
	MMAPDEMO_BAD_SET_SIZE_NULL,
	MMAPDEMO_BAD_SET_SIZE_UNMAPPED,
	MMAPDEMO_BAD_STATS_NULL,
	MMAPDEMO_BAD_STATS_KERNEL_ADDRESS,
	MMAPDEMO_BAD_READ_AT_END,
	MMAPDEMO_BAD_READ_PAST_END,
	MMAPDEMO_BAD_READ_NEGATIVE,
	MMAPDEMO_BAD_READ_NULL,
	MMAPDEMO_BAD_WRITE_AT_END,
	MMAPDEMO_BAD_WRITE_PAST_END,
	MMAPDEMO_BAD_WRITE_NEGATIVE,
	MMAPDEMO_BAD_WRITE_NULL,
	MMAPDEMO_BAD_WRITE_READ_ONLY_FD,
	MMAPDEMO_BAD_READ_PER_MAPPING,
	MMAPDEMO_BAD_WRITE_PER_MAPPING,
	MMAPDEMO_BAD_LSEEK_PAST_END,
	MMAPDEMO_BAD_LSEEK_CUR_PAST_END,
	MMAPDEMO_BAD_LSEEK_END_PAST_END,
	MMAPDEMO_BAD_LSEEK_NEGATIVE,
	MMAPDEMO_BAD_LSEEK_BEFORE_START,
	MMAPDEMO_BAD_LSEEK_BAD_WHENCE,
};

/*
 * One row. With neither an errno nor a signal the call succeeds: the
 * table's "allowed", or "end of file" (read() returns 0).
 */
struct mmapdemo_bad_input {
	enum mmapdemo_bad_input_id id;
	const char *name;		/* the "input" column */
	const char *what;		/* the "what is done" column */
	enum mmapdemo_bad_scope scope;
	int answer_errno;		/* the call fails with it; 0 if it does not */
	int answer_signal;		/* the access raises it; 0 if none */
};

static const struct mmapdemo_bad_input mmapdemo_bad_inputs[] = {
	{
		.id = MMAPDEMO_BAD_MMAP_OFFSET_AT_END,
		.name = "mmap-offset-at-end",
		.what = "mmap() of 1 page at the file's size",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = ENXIO,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_MMAP_OFFSET_PAST_END,
		.name = "mmap-offset-past-end",
		.what = "mmap() of 1 page 16 pages past the end",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = ENXIO,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_MMAP_LENGTH_PAST_END,
		.name = "mmap-length-past-end",
		.what = "mmap() of the file's size plus 1 page",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = ENXIO,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_MMAP_LENGTH_BYTE_PAST_END,
		.name = "mmap-length-byte-past-end",
		.what = "mmap() of the file's size plus 1 byte",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = ENXIO,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_MMAP_WINDOW_PAST_END,
		.name = "mmap-window-past-end",
		.what = "mmap() of the file's size at offset 1 page",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = ENXIO,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_MMAP_HUGE_OFFSET,
		.name = "mmap-huge-offset",
		.what = "mmap() of 1 page at offset 0x7ffffffff000",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = ENXIO,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_MMAP_LARGEST_PGOFF,
		.name = "mmap-largest-pgoff",
		.what = "mmap() of 1 page at pgoff (ULONG_MAX >> PAGE_SHIFT) - 1",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = ENXIO,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_MMAP_PGOFF_ULONG_MAX,
		.name = "mmap-pgoff-ulong-max",
		.what = "mmap() of 1 page at pgoff ULONG_MAX >> PAGE_SHIFT",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EOVERFLOW,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_MMAP_OFFSET_LENGTH_WRAP,
		.name = "mmap-offset-length-wrap",
		.what = "mmap() of 3 pages at pgoff (ULONG_MAX >> PAGE_SHIFT) - 1",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EOVERFLOW,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_MMAP_ZERO_LENGTH,
		.name = "mmap-zero-length",
		.what = "mmap() of 0 bytes",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EINVAL,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_MMAP_UNALIGNED_OFFSET,
		.name = "mmap-unaligned-offset",
		.what = "mmap() of 1 page at offset half a page",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EINVAL,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_MMAP_PRIVATE,
		.name = "mmap-private",
		.what = "mmap() with MAP_PRIVATE, read-write",
		.scope = MMAPDEMO_BAD_SCOPE_PRIVATE_REFUSED,
		.answer_errno = EINVAL,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_MMAP_PRIVATE_READ_ONLY,
		.name = "mmap-private-read-only",
		.what = "mmap() with MAP_PRIVATE, PROT_READ only",
		.scope = MMAPDEMO_BAD_SCOPE_PRIVATE_REFUSED,
		.answer_errno = EINVAL,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_MMAP_WRITE_READ_ONLY_FD,
		.name = "mmap-write-read-only-fd",
		.what = "shared writable mmap() of a file opened O_RDONLY",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EACCES,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_MMAP_EXEC,
		.name = "mmap-exec",
		.what = "mmap() with PROT_READ | PROT_EXEC",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = 0,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_MPROTECT_EXEC,
		.name = "mprotect-exec",
		.what = "mprotect() adding PROT_EXEC to a mapping",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = 0,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_MREMAP_GROW,
		.name = "mremap-grow",
		.what = "mremap() of a 1-page mapping to 5 pages",
		.scope = MMAPDEMO_BAD_SCOPE_GROW_REFUSED,
		.answer_errno = EFAULT,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_MREMAP_GROW_IN_PLACE,
		.name = "mremap-grow-in-place",
		.what = "mremap() of a 1-page mapping to 5 with the 4 pages after it free",
		.scope = MMAPDEMO_BAD_SCOPE_GROW_ALLOWED_MM,
		.answer_errno = ENOMEM,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_MREMAP_GROW_PAST_END,
		.name = "mremap-grow-past-end",
		.what = "read page 4 of a 1-page mapping grown to 5 pages",
		.scope = MMAPDEMO_BAD_SCOPE_GROW_ALLOWED,
		.answer_errno = 0,
		.answer_signal = SIGBUS,
	},
	{
		.id = MMAPDEMO_BAD_SET_SIZE_ZERO,
		.name = "set-size-zero",
		.what = "MMAPDEMO_IOC_SET_SIZE to 0 pages",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EINVAL,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_SET_SIZE_OVER_CAP,
		.name = "set-size-over-cap",
		.what = "MMAPDEMO_IOC_SET_SIZE to max_pages + 1 pages",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EINVAL,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_SET_SIZE_U64_MAX,
		.name = "set-size-u64-max",
		.what = "MMAPDEMO_IOC_SET_SIZE to 2^64 - 1 pages",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EINVAL,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_SET_SIZE_FLAGS,
		.name = "set-size-flags",
		.what = "MMAPDEMO_IOC_SET_SIZE with an unknown flag",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EINVAL,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_SET_SIZE_WHILE_MAPPED,
		.name = "set-size-while-mapped",
		.what = "MMAPDEMO_IOC_SET_SIZE while the file is mapped",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EBUSY,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_SET_SIZE_AFTER_MUNMAP,
		.name = "set-size-after-munmap",
		.what = "MMAPDEMO_IOC_SET_SIZE after the last munmap()",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EBUSY,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_IOCTL_UNKNOWN,
		.name = "ioctl-unknown",
		.what = "ioctl() number 0x0f of the driver's type 'Y'",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = ENOTTY,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_IOCTL_WRONG_SIZE,
		.name = "ioctl-wrong-size",
		.what = "ioctl() of SET_SIZE's number with an 8-byte argument",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = ENOTTY,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_IOCTL_FOREIGN,
		.name = "ioctl-foreign",
		.what = "ioctl(TCGETS), a terminal's request",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = ENOTTY,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_INFO_NULL,
		.name = "info-null",
		.what = "MMAPDEMO_IOC_INFO into NULL",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EFAULT,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_INFO_READ_ONLY,
		.name = "info-read-only",
		.what = "MMAPDEMO_IOC_INFO into a read-only page",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EFAULT,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_SET_SIZE_NULL,
		.name = "set-size-null",
		.what = "MMAPDEMO_IOC_SET_SIZE from NULL",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EFAULT,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_SET_SIZE_UNMAPPED,
		.name = "set-size-unmapped",
		.what = "MMAPDEMO_IOC_SET_SIZE from an unmapped page",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EFAULT,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_STATS_NULL,
		.name = "stats-null",
		.what = "MMAPDEMO_IOC_STATS into NULL",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EFAULT,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_STATS_KERNEL_ADDRESS,
		.name = "stats-kernel-address",
		.what = "MMAPDEMO_IOC_STATS into the last page of the address space",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EFAULT,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_READ_AT_END,
		.name = "read-at-end",
		.what = "read() at the end of the file",
		.scope = MMAPDEMO_BAD_SCOPE_BUFFER,
		.answer_errno = 0,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_READ_PAST_END,
		.name = "read-past-end",
		.what = "pread() 1 page past the end",
		.scope = MMAPDEMO_BAD_SCOPE_BUFFER,
		.answer_errno = 0,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_READ_NEGATIVE,
		.name = "read-negative",
		.what = "pread() at offset -1",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EINVAL,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_READ_NULL,
		.name = "read-null",
		.what = "read() into NULL",
		.scope = MMAPDEMO_BAD_SCOPE_BUFFER,
		.answer_errno = EFAULT,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_WRITE_AT_END,
		.name = "write-at-end",
		.what = "write() at the end of the file",
		.scope = MMAPDEMO_BAD_SCOPE_BUFFER,
		.answer_errno = ENOSPC,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_WRITE_PAST_END,
		.name = "write-past-end",
		.what = "pwrite() 1 page past the end",
		.scope = MMAPDEMO_BAD_SCOPE_BUFFER,
		.answer_errno = ENOSPC,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_WRITE_NEGATIVE,
		.name = "write-negative",
		.what = "pwrite() at offset -1",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EINVAL,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_WRITE_NULL,
		.name = "write-null",
		.what = "write() from NULL",
		.scope = MMAPDEMO_BAD_SCOPE_BUFFER,
		.answer_errno = EFAULT,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_WRITE_READ_ONLY_FD,
		.name = "write-read-only-fd",
		.what = "write() to a file opened O_RDONLY",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EBADF,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_READ_PER_MAPPING,
		.name = "read-per-mapping",
		.what = "read() and pread() at offset 0",
		.scope = MMAPDEMO_BAD_SCOPE_PER_MAPPING,
		.answer_errno = EINVAL,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_WRITE_PER_MAPPING,
		.name = "write-per-mapping",
		.what = "write() and pwrite() at offset 0",
		.scope = MMAPDEMO_BAD_SCOPE_PER_MAPPING,
		.answer_errno = EINVAL,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_LSEEK_PAST_END,
		.name = "lseek-past-end",
		.what = "lseek() to the file's size + 1 (SEEK_SET)",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EINVAL,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_LSEEK_CUR_PAST_END,
		.name = "lseek-cur-past-end",
		.what = "lseek() by 1 from the end (SEEK_CUR)",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EINVAL,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_LSEEK_END_PAST_END,
		.name = "lseek-end-past-end",
		.what = "lseek() to 1 (SEEK_END)",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EINVAL,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_LSEEK_NEGATIVE,
		.name = "lseek-negative",
		.what = "lseek() to -1 (SEEK_SET)",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EINVAL,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_LSEEK_BEFORE_START,
		.name = "lseek-before-start",
		.what = "lseek() to -(size + 1) (SEEK_END)",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EINVAL,
		.answer_signal = 0,
	},
	{
		.id = MMAPDEMO_BAD_LSEEK_BAD_WHENCE,
		.name = "lseek-bad-whence",
		.what = "lseek() with whence 42",
		.scope = MMAPDEMO_BAD_SCOPE_ALL,
		.answer_errno = EINVAL,
		.answer_signal = 0,
	},
};

#endif /* _MMAPDEMO_BAD_INPUT_H */
