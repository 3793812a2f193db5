// SPDX-License-Identifier: GPL-2.0
/*
 * Base64 for keys, in constant time: which characters a key contains must
 * not show in timing or memory access, so there are no lookup tables and no
 * branches on key material, only arithmetic masks.
 */
#include <string.h>

#include <sodium.h>

#include "encoding.h"

/*
 * All ones when lo <= x <= hi, else zero.  With every value below 2^31, x - lo
 * or hi - x wraps into the top bit exactly when x is out of range.
 */
static inline uint32_t ct_in_range(uint32_t x, uint32_t lo, uint32_t hi)
{
	return (((x - lo) | (hi - x)) >> 31) - 1;
}

static inline char base64_char(uint32_t v)
{
	return (char)((ct_in_range(v, 0, 25) & ('A' + v)) |
		      (ct_in_range(v, 26, 51) & ('a' + v - 26)) |
		      (ct_in_range(v, 52, 61) & ('0' + v - 52)) |
		      (ct_in_range(v, 62, 62) & '+') |
		      (ct_in_range(v, 63, 63) & '/'));
}

/* The 6-bit value of c; a c outside the alphabet sets all bits of *invalid. */
static inline uint32_t base64_value(uint32_t c, uint32_t *invalid)
{
	uint32_t upper = ct_in_range(c, 'A', 'Z');
	uint32_t lower = ct_in_range(c, 'a', 'z');
	uint32_t digit = ct_in_range(c, '0', '9');
	uint32_t plus = ct_in_range(c, '+', '+');
	uint32_t slash = ct_in_range(c, '/', '/');

	*invalid |= ~(upper | lower | digit | plus | slash);
	return (upper & (c - 'A')) | (lower & (c - 'a' + 26)) |
	       (digit & (c - '0' + 52)) | (plus & 62) | (slash & 63);
}

void key_to_base64(char base64[static KEY_BASE64_LEN + 1],
		   const uint8_t key[static PTUN_KEY_LEN])
{
	unsigned int bits = 0, out = 0, i;
	uint32_t acc = 0;

	for (i = 0; i < PTUN_KEY_LEN; i++) {
		acc = acc << 8 | key[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			base64[out++] = base64_char((acc >> bits) & 63);
		}
	}
	/* 256 bits leave 4 over: they fill the last character from the top. */
	base64[out++] = base64_char((acc << (6 - bits)) & 63);
	base64[out++] = '=';
	base64[out] = '\0';
}

/*
 * Accepts exactly the encoding key_to_base64() produces: 44 characters, the
 * last one '=', and the 2 bits left over after 256 bits of key all zero, so
 * every key has one text form.
 */
bool key_from_base64(uint8_t key[static PTUN_KEY_LEN], const char *base64,
		     size_t len)
{
	const unsigned char *in = (const unsigned char *)base64;
	unsigned int bits = 0, out = 0, i;
	uint32_t acc = 0, invalid = 0;

	if (len != KEY_BASE64_LEN || in[KEY_BASE64_LEN - 1] != '=')
		return false;

	for (i = 0; i < KEY_BASE64_LEN - 1; i++) {
		acc = acc << 6 | base64_value(in[i], &invalid);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			key[out++] = (uint8_t)(acc >> bits);
		}
	}
	invalid |= acc & ((1U << bits) - 1);

	if (invalid) {
		sodium_memzero(key, PTUN_KEY_LEN);
		return false;
	}
	return true;
}
