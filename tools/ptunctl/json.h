/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON emitter: values, arrays and objects written as they come,
 * indented two spaces a level, with commas and escapes taken care of.
 * Callers nest begin/end pairs; inside an object each value follows a key.
 */
#ifndef PTUNCTL_JSON_H
#define PTUNCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	16

struct json {
	FILE *out;
	unsigned int depth;
	bool has_items[JSON_MAX_DEPTH];	/* a comma goes before the next */
	bool after_key;			/* the next value ends a key: value */
};

void json_begin(struct json *json, FILE *out);
/* Ends the document with a newline. */
void json_end(struct json *json);

void json_object_begin(struct json *json);
void json_object_end(struct json *json);
void json_array_begin(struct json *json);
void json_array_end(struct json *json);

void json_key(struct json *json, const char *key);
void json_string(struct json *json, const char *value);
void json_u64(struct json *json, uint64_t value);
void json_bool(struct json *json, bool value);
void json_null(struct json *json);

/* Shorthands for a key and its value. */
void json_kv_string(struct json *json, const char *key, const char *value);
void json_kv_u64(struct json *json, const char *key, uint64_t value);
void json_kv_bool(struct json *json, const char *key, bool value);
void json_kv_null(struct json *json, const char *key);

#endif /* PTUNCTL_JSON_H */
