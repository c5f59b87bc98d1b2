/*
 * Multiboot (v1) entry: QEMU's -kernel and SYSLINUX's mboot.c32 both load a 32-bit ELF and
 * jump here in 32-bit protected mode with paging off. We identity-map the first 4 GiB with
 * 2 MiB pages (virtio's legacy interface hands the device physical addresses, so virtual ==
 * physical keeps the driver simple), enter long mode and call kmain(magic, info).
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* page-align modules, give us the memory map */

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

	.section .text.boot, "ax"
	.code32
	.global _start
_start:
	cli
	movl %eax, mb_magic
	movl %ebx, mb_info
	/* the loaders zero .bss too, but nothing in the spec says they must */
	cld
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $stack_top, %esp

	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages */
	movl $pdpt, %eax
	orl $3, %eax
	movl %eax, pml4
	movl $0, %ecx
1:	movl %ecx, %eax
	shll $12, %eax
	addl $pd, %eax
	orl $3, %eax
	movl %eax, pdpt(,%ecx,8)
	incl %ecx
	cmpl $4, %ecx
	jne 1b
	movl $0, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax /* present, writable, 2 MiB */
	movl %eax, pd(,%ecx,8)
	incl %ecx
	cmpl $2048, %ecx
	jne 2b

	movl %cr4, %eax
	orl $(1 << 5), %eax /* PAE */
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $0xC0000080, %ecx /* EFER */
	rdmsr
	orl $(1 << 8), %eax /* LME */
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax /* PG | PE */
	movl %eax, %cr0
	lgdt gdt_ptr
	ljmp $0x08, $long_mode

	.code64
long_mode:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movq $stack_top, %rsp
	movl mb_magic, %edi
	movl mb_info, %esi
	call kmain
3:	cli
	hlt
	jmp 3b

/*
 * Interrupt stubs: vectors 0..47. Each pushes a dummy error code where the CPU pushes none,
 * then its vector; the common part saves the caller-saved registers (the C handler saves
 * the rest) and keeps the stack 16-byte aligned for the call.
 */
	.macro stub n
	.align 16
isr\n:
	.if (\n == 8 || (\n >= 10 && \n <= 14) || \n == 17 || \n == 21 || \n == 29 || \n == 30)
	.else
	pushq $0
	.endif
	pushq $\n
	jmp isr_common
	.endm

	.altmacro
	.set i, 0
	.rept 48
	stub %i
	.set i, i + 1
	.endr

isr_common:
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	movq %rsp, %rdi
	call isr_dispatch
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rax
	addq $16, %rsp
	iretq

	.macro addr n
	.quad isr\n
	.endm
	.section .rodata
	.align 8
	.global isr_table
isr_table:
	.set i, 0
	.rept 48
	addr %i
	.set i, i + 1
	.endr

	.align 8
gdt:
	.quad 0
	.quad 0x00AF9A000000FFFF /* 0x08: 64-bit code */
	.quad 0x00CF92000000FFFF /* 0x10: data */
gdt_ptr:
	.word gdt_ptr - gdt - 1
	.quad gdt

	.data
	.align 4
mb_magic: .long 0
mb_info: .long 0

	.bss
	.align 4096
pml4: .skip 4096
pdpt: .skip 4096
pd: .skip 4 * 4096
	.align 16
	.skip 65536
stack_top:

	.section .note.GNU-stack, "", @progbits
