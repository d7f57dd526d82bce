/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A static i386 program: its system calls reach the kernel through the 32-bit ABI. It calls
 * getpid, prints "i386 ok" and exits 0; under a filter that refuses other ABIs it is killed at
 * the first call. Built with the assembler and linker alone (no 32-bit C library needed). */
	.section .text
	.globl _start
_start:
	movl $20, %eax		/* getpid */
	int $0x80
	movl $4, %eax		/* write(1, msg, len) */
	movl $1, %ebx
	movl $msg, %ecx
	movl $len, %edx
	int $0x80
	movl $1, %eax		/* exit(0) */
	xorl %ebx, %ebx
	int $0x80

	.section .rodata
msg:	.ascii "i386 ok\n"
	.set len, . - msg
	.section .note.GNU-stack, "", @progbits
