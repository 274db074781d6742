/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Stand-in for vmlinux.h on a build machine without /sys/kernel/btf/vmlinux (x86_64 and the
 * other 64-bit targets). The programs read kernel structs only through local CO-RE flavours
 * (bpf/core.bpf.h), relocated against the running kernel's BTF at load time, so all they need
 * here are the base types and the UAPI constants libbpf's headers and our maps use.
 * `make fallback-check` builds bpf/ against this file.
 */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__

typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __s8 s8;
typedef __u8 u8;
typedef __s16 s16;
typedef __u16 u16;
typedef __s32 s32;
typedef __u32 u32;
typedef __s64 s64;
typedef __u64 u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef _Bool bool;
enum {
	false = 0,
	true = 1,
};
typedef int pid_t;
typedef unsigned int uid_t;
typedef unsigned int gfp_t;

/* arch/x86/include/asm/ptrace.h: what bpf_tracing.h's PT_REGS_* read in the uprobes of
 * bpf/diag/alloc.bpf.c (uprobe context; the layout is UAPI-stable on x86_64). */
#if defined(__TARGET_ARCH_x86)
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di;
	unsigned long orig_ax, ip, cs, flags, sp, ss;
};
#endif

/* include/uapi/linux/bpf.h */
enum bpf_map_type {
	BPF_MAP_TYPE_UNSPEC = 0,
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_HASH = 5,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_STACK_TRACE = 7,
	BPF_MAP_TYPE_LRU_HASH = 9,
	BPF_MAP_TYPE_RINGBUF = 27,
};

enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
	BPF_EXIST = 2,
	BPF_F_LOCK = 4,
};

/* The sight's watch (bpf/sight.bpf.c): a map value's timer, opaque to programs. */
struct bpf_timer {
	__u64 __opaque[2];
};

/* Map creation flags and bpf_get_stackid() flags (bpf/diag/alloc.bpf.c). */
enum {
	BPF_F_NO_PREALLOC = 1,
};

enum {
	BPF_F_USER_STACK = 256,
};

#endif /* __VMLINUX_H__ */
