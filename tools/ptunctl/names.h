/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Words for numbers: an enum's or a uapi attribute set's values by the
 * names people and scripts see.
 */
#ifndef PTUNCTL_NAMES_H
#define PTUNCTL_NAMES_H

/* names[first] to names[last]; a value in between may have none (NULL). */
struct name_table {
	const char *const *names;
	unsigned int first, last;
};

/* The table of @array, an array indexed by value, named from @first_value. */
#define NAME_TABLE(array, first_value) {			\
	.names = (array),					\
	.first = (first_value),					\
	.last = sizeof(array) / sizeof((array)[0]) - 1,		\
}

/* @value's name, or NULL for a value the table does not name. */
const char *name_table_name(const struct name_table *table, unsigned int value);
/* The value @name stands for: 0, or -1 for a name not in the table. */
int name_table_value(const struct name_table *table, const char *name,
		     unsigned int *value);

#endif /* PTUNCTL_NAMES_H */
