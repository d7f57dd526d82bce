// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: a seccomp record as the kernel's audit netlink socket delivers it to the daemon. */
#include <stdint.h>

#include "seccomp-audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seccomp_record rec;

	(void)seccomp_record_parse((const char *)data, size, &rec);
	return 0;
}
