// SPDX-License-Identifier: GPL-2.0
/*
 * JSON for scripts: always valid, whatever bytes a name holds, and laid out
 * the same way every time so that diffs of two outputs stay readable.
 */
#include <inttypes.h>

#include "json.h"

void json_begin(struct json *json, FILE *out)
{
	*json = (struct json){ .out = out };
}

void json_end(struct json *json)
{
	fputc('\n', json->out);
}

static void indent(struct json *json)
{
	unsigned int i;

	fputc('\n', json->out);
	for (i = 0; i < json->depth; i++)
		fputs("  ", json->out);
}

/* Before a value: nothing after a key, else a comma if need be and a line. */
static void before_value(struct json *json)
{
	if (json->after_key) {
		json->after_key = false;
		return;
	}
	if (!json->depth)
		return;
	if (json->has_items[json->depth])
		fputc(',', json->out);
	json->has_items[json->depth] = true;
	indent(json);
}

static void open_container(struct json *json, char c)
{
	before_value(json);
	fputc(c, json->out);
	/* Nesting deeper than JSON_MAX_DEPTH is a bug of the caller. */
	if (json->depth + 1 < JSON_MAX_DEPTH)
		json->depth++;
	json->has_items[json->depth] = false;
}

static void close_container(struct json *json, char c)
{
	bool had_items = json->has_items[json->depth];

	if (json->depth)
		json->depth--;
	if (had_items)
		indent(json);
	fputc(c, json->out);
}

void json_object_begin(struct json *json)
{
	open_container(json, '{');
}

void json_object_end(struct json *json)
{
	close_container(json, '}');
}

void json_array_begin(struct json *json)
{
	open_container(json, '[');
}

void json_array_end(struct json *json)
{
	close_container(json, ']');
}

static void put_string(struct json *json, const char *s)
{
	const unsigned char *c = (const unsigned char *)s;

	fputc('"', json->out);
	for (; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(json->out, "\\%c", *c);
		else if (*c == '\n')
			fputs("\\n", json->out);
		else if (*c == '\t')
			fputs("\\t", json->out);
		/* Control bytes, and bytes that may not be UTF-8, as code points. */
		else if (*c < 0x20 || *c >= 0x7f)
			fprintf(json->out, "\\u%04x", *c);
		else
			fputc(*c, json->out);
	}
	fputc('"', json->out);
}

void json_key(struct json *json, const char *key)
{
	before_value(json);
	put_string(json, key);
	fputs(": ", json->out);
	json->after_key = true;
}

void json_string(struct json *json, const char *value)
{
	before_value(json);
	put_string(json, value);
}

void json_u64(struct json *json, uint64_t value)
{
	before_value(json);
	fprintf(json->out, "%" PRIu64, value);
}

void json_bool(struct json *json, bool value)
{
	before_value(json);
	fputs(value ? "true" : "false", json->out);
}

void json_null(struct json *json)
{
	before_value(json);
	fputs("null", json->out);
}

void json_kv_string(struct json *json, const char *key, const char *value)
{
	json_key(json, key);
	json_string(json, value);
}

void json_kv_u64(struct json *json, const char *key, uint64_t value)
{
	json_key(json, key);
	json_u64(json, value);
}

void json_kv_bool(struct json *json, const char *key, bool value)
{
	json_key(json, key);
	json_bool(json, value);
}

void json_kv_null(struct json *json, const char *key)
{
	json_key(json, key);
	json_null(json);
}
