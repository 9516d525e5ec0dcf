/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* qsort for arrays that may be empty, and so NULL, which qsort itself may not be given. */
#ifndef SN_SORT_H
#define SN_SORT_H

#include <stdlib.h>

static inline void sn_qsort(void *base, size_t n, size_t size,
			    int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

#endif /* SN_SORT_H */
