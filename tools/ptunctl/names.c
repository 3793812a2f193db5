// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include <string.h>

#include "names.h"

const char *name_table_name(const struct name_table *table, unsigned int value)
{
	if (value < table->first || value > table->last)
		return NULL;
	return table->names[value];
}

int name_table_value(const struct name_table *table, const char *name,
		     unsigned int *value)
{
	unsigned int i;

	for (i = table->first; i <= table->last; i++) {
		if (table->names[i] && !strcmp(name, table->names[i])) {
			*value = i;
			return 0;
		}
	}
	return -1;
}
