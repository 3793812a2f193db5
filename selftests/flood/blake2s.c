// SPDX-License-Identifier: GPL-2.0
/*
 * BLAKE2s as RFC 7693 specifies it, written for clarity over speed.
 */
#include <string.h>

#include "blake2s.h"

static const uint32_t blake2s_iv[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static const uint8_t blake2s_sigma[10][16] = {
	{ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 },
	{ 14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3 },
	{ 11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4 },
	{ 7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8 },
	{ 9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13 },
	{ 2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9 },
	{ 12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11 },
	{ 13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10 },
	{ 6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5 },
	{ 10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0 },
};

static uint32_t ror32(uint32_t x, unsigned int n)
{
	return x >> n | x << (32 - n);
}

static uint32_t load_le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The mixing function G on v[a], v[b], v[c], v[d] with words x and y. */
static void blake2s_g(uint32_t v[16], int a, int b, int c, int d,
		      uint32_t x, uint32_t y)
{
	v[a] = v[a] + v[b] + x;
	v[d] = ror32(v[d] ^ v[a], 16);
	v[c] = v[c] + v[d];
	v[b] = ror32(v[b] ^ v[c], 12);
	v[a] = v[a] + v[b] + y;
	v[d] = ror32(v[d] ^ v[a], 8);
	v[c] = v[c] + v[d];
	v[b] = ror32(v[b] ^ v[c], 7);
}

static void blake2s_compress(struct blake2s_state *s, const uint8_t *block,
			     int last)
{
	uint32_t v[16], m[16];
	int i;

	for (i = 0; i < 16; i++)
		m[i] = load_le32(block + 4 * i);
	for (i = 0; i < 8; i++) {
		v[i] = s->h[i];
		v[i + 8] = blake2s_iv[i];
	}
	v[12] ^= s->t[0];
	v[13] ^= s->t[1];
	if (last)
		v[14] = ~v[14];
	for (i = 0; i < 10; i++) {
		const uint8_t *sg = blake2s_sigma[i];

		blake2s_g(v, 0, 4, 8, 12, m[sg[0]], m[sg[1]]);
		blake2s_g(v, 1, 5, 9, 13, m[sg[2]], m[sg[3]]);
		blake2s_g(v, 2, 6, 10, 14, m[sg[4]], m[sg[5]]);
		blake2s_g(v, 3, 7, 11, 15, m[sg[6]], m[sg[7]]);
		blake2s_g(v, 0, 5, 10, 15, m[sg[8]], m[sg[9]]);
		blake2s_g(v, 1, 6, 11, 12, m[sg[10]], m[sg[11]]);
		blake2s_g(v, 2, 7, 8, 13, m[sg[12]], m[sg[13]]);
		blake2s_g(v, 3, 4, 9, 14, m[sg[14]], m[sg[15]]);
	}
	for (i = 0; i < 8; i++)
		s->h[i] ^= v[i] ^ v[i + 8];
}

static void blake2s_count(struct blake2s_state *s, uint32_t n)
{
	s->t[0] += n;
	if (s->t[0] < n)
		s->t[1]++;
}

void blake2s_init(struct blake2s_state *s, size_t out_len,
		  const void *key, size_t key_len)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->h, blake2s_iv, sizeof(s->h));
	/* Parameter block: digest length, key length, fanout 1, depth 1. */
	s->h[0] ^= 0x01010000 ^ (uint32_t)key_len << 8 ^ (uint32_t)out_len;
	s->out_len = out_len;
	if (key_len) {
		/* The key is the first block, zero-padded. */
		memcpy(s->buf, key, key_len);
		s->buf_len = BLAKE2S_BLOCK_LEN;
	}
}

void blake2s_update(struct blake2s_state *s, const void *in, size_t len)
{
	const uint8_t *p = in;

	while (len) {
		size_t n;

		/* The last block is compressed by final(): keep one back. */
		if (s->buf_len == BLAKE2S_BLOCK_LEN) {
			blake2s_count(s, BLAKE2S_BLOCK_LEN);
			blake2s_compress(s, s->buf, 0);
			s->buf_len = 0;
		}
		n = BLAKE2S_BLOCK_LEN - s->buf_len;
		if (n > len)
			n = len;
		memcpy(s->buf + s->buf_len, p, n);
		s->buf_len += n;
		p += n;
		len -= n;
	}
}

void blake2s_final(struct blake2s_state *s, uint8_t *out)
{
	uint8_t full[BLAKE2S_MAX_OUT_LEN];
	int i;

	blake2s_count(s, s->buf_len);
	memset(s->buf + s->buf_len, 0, BLAKE2S_BLOCK_LEN - s->buf_len);
	blake2s_compress(s, s->buf, 1);
	for (i = 0; i < 8; i++) {
		full[4 * i] = s->h[i];
		full[4 * i + 1] = s->h[i] >> 8;
		full[4 * i + 2] = s->h[i] >> 16;
		full[4 * i + 3] = s->h[i] >> 24;
	}
	memcpy(out, full, s->out_len);
	memset(s, 0, sizeof(*s));
}

void blake2s(uint8_t *out, size_t out_len, const void *in, size_t len,
	     const void *key, size_t key_len)
{
	struct blake2s_state s;

	blake2s_init(&s, out_len, key, key_len);
	blake2s_update(&s, in, len);
	blake2s_final(&s, out);
}

int blake2s_selftest(void)
{
	/* RFC 7693, appendix B: BLAKE2s-256("abc"). */
	static const uint8_t abc[32] = {
		0x50, 0x8c, 0x5e, 0x8c, 0x32, 0x7c, 0x14, 0xe2,
		0xe1, 0xa7, 0x2b, 0xa3, 0x4e, 0xeb, 0x45, 0x2f,
		0x37, 0x45, 0x8b, 0x20, 0x9e, 0xd6, 0x3a, 0x29,
		0x4d, 0x99, 0x9b, 0x4c, 0x86, 0x67, 0x59, 0x82,
	};
	/*
	 * The reference implementation's keyed test vector: key 00..1f,
	 * message 00..3f (64 bytes, one whole block after the key's).
	 */
	static const uint8_t keyed64[32] = {
		0x89, 0x75, 0xb0, 0x57, 0x7f, 0xd3, 0x55, 0x66,
		0xd7, 0x50, 0xb3, 0x62, 0xb0, 0x89, 0x7a, 0x26,
		0xc3, 0x99, 0x13, 0x6d, 0xf0, 0x7b, 0xab, 0xab,
		0xbd, 0xe6, 0x20, 0x3f, 0xf2, 0x95, 0x4e, 0xd4,
	};
	/* MAC1's shape: the same key, message 00..73, 16 bytes out. */
	static const uint8_t mac1_shape[16] = {
		0x07, 0x2e, 0x94, 0xff, 0xbf, 0xc6, 0x84, 0xbd,
		0x8a, 0xb2, 0xa1, 0xb9, 0xda, 0xde, 0x2f, 0xd5,
	};
	uint8_t key[32], msg[116], out[32];
	int i;

	for (i = 0; i < 116; i++)
		msg[i] = i;
	memcpy(key, msg, sizeof(key));
	blake2s(out, 32, "abc", 3, NULL, 0);
	if (memcmp(out, abc, 32))
		return -1;
	blake2s(out, 32, msg, 64, key, 32);
	if (memcmp(out, keyed64, 32))
		return -1;
	blake2s(out, 16, msg, 116, key, 32);
	return memcmp(out, mac1_shape, 16) ? -1 : 0;
}
