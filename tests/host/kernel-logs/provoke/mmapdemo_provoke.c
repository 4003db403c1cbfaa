// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo_provoke - a deliberately broken module that makes the debug
 * kernel print each kind of report scripts/kernel-log-check.sh must find.
 * Test-only: tests/host/kernel-logs/make-samples.sh loads it in a
 * throwaway debug guest to record the sample logs of this folder.  Its
 * name starts with "mmapdemo" so that its kmemleak report counts as one
 * that mentions mmapdemo.
 *
 *   insmod mmapdemo_provoke.ko bug=warn|kasan|ubsan|kfence|lockdep|sleep|leak
 */
#include <linux/delay.h>
#include <linux/kfence.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

static char *bug = "";
module_param(bug, charp, 0444);
MODULE_PARM_DESC(bug, "the report to provoke: warn, kasan, ubsan, kfence, lockdep, sleep or leak");

static DEFINE_MUTEX(provoke_a);
static DEFINE_MUTEX(provoke_b);
static DEFINE_SPINLOCK(provoke_lock);
static int provoke_array[4];
static int provoke_index = 4;

/* WARN(): panics with panic_on_warn=1. */
static noinline void provoke_warn(void)
{
	WARN(1, "mmapdemo_provoke: a deliberate WARN\n");
}

/* KASAN: slab-use-after-free read. */
static noinline void provoke_kasan(void)
{
	char *p = kmalloc(128, GFP_KERNEL);

	if (!p)
		return;
	kfree(p);
	OPTIMIZER_HIDE_VAR(p);
	pr_info("mmapdemo_provoke: read after free: %d\n", READ_ONCE(p[72]));
}

/* UBSAN: array-index-out-of-bounds (index 4 of int[4]). */
static noinline void provoke_ubsan(void)
{
	int i = READ_ONCE(provoke_index);

	provoke_array[i] = 1;
}

/* KFENCE: out-of-bounds read into the guard page of a sampled object. */
static noinline void provoke_kfence(void)
{
	const size_t size = 32;
	int tries;
	char *p;

	for (tries = 0; tries < 2000; tries++) {
		p = kmalloc(size, GFP_KERNEL);
		if (!p)
			return;
		if (is_kfence_address(p))
			break;
		kfree(p);
		p = NULL;
		msleep(5);
	}
	if (!p) {
		pr_err("mmapdemo_provoke: no KFENCE allocation\n");
		return;
	}
	/* The object touches one of the two guard pages around it. */
	if (PAGE_ALIGNED((unsigned long)p + size))
		pr_info("mmapdemo_provoke: %d\n", READ_ONCE(p[size]));
	else
		pr_info("mmapdemo_provoke: %d\n", READ_ONCE(p[-1]));
	kfree(p);
}

/* lockdep: a, then b; later b, then a (no deadlock, a possible one). */
static noinline void provoke_lockdep(void)
{
	mutex_lock(&provoke_a);
	mutex_lock(&provoke_b);
	mutex_unlock(&provoke_b);
	mutex_unlock(&provoke_a);

	mutex_lock(&provoke_b);
	mutex_lock(&provoke_a);
	mutex_unlock(&provoke_a);
	mutex_unlock(&provoke_b);
}

/* DEBUG_ATOMIC_SLEEP: might_sleep() under a spinlock (it does not sleep). */
static noinline void provoke_sleep(void)
{
	spin_lock(&provoke_lock);
	might_sleep();
	spin_unlock(&provoke_lock);
}

/*
 * kmemleak: the only pointers to the objects are dropped.  Several, as a
 * stale copy of one pointer (in a register, on a stack) hides that one.
 */
static noinline void provoke_leak(void)
{
	int i;

	for (i = 0; i < 8; i++) {
		size_t size = i < 4 ? 256 : 8192;
		char *p = kmalloc(size, GFP_KERNEL);

		OPTIMIZER_HIDE_VAR(p);
		if (p)
			memset(p, 0x5a, size);
		OPTIMIZER_HIDE_VAR(p);
	}
}

static int __init provoke_init(void)
{
	pr_info("mmapdemo_provoke: provoking '%s'\n", bug);
	if (!strcmp(bug, "warn"))
		provoke_warn();
	else if (!strcmp(bug, "kasan"))
		provoke_kasan();
	else if (!strcmp(bug, "ubsan"))
		provoke_ubsan();
	else if (!strcmp(bug, "kfence"))
		provoke_kfence();
	else if (!strcmp(bug, "lockdep"))
		provoke_lockdep();
	else if (!strcmp(bug, "sleep"))
		provoke_sleep();
	else if (!strcmp(bug, "leak"))
		provoke_leak();
	else
		return -EINVAL;
	return 0;
}

static void __exit provoke_exit(void)
{
}

module_init(provoke_init);
module_exit(provoke_exit);
MODULE_DESCRIPTION("Provokes debug-kernel reports to test scripts/kernel-log-check.sh");
MODULE_LICENSE("GPL");
