/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BLAKE2s (RFC 7693), plain and keyed: what WireGuard's MAC1 needs.
 * libsodium has BLAKE2b only.
 */
#ifndef FLOOD_BLAKE2S_H
#define FLOOD_BLAKE2S_H

#include <stddef.h>
#include <stdint.h>

#define BLAKE2S_BLOCK_LEN 64
#define BLAKE2S_MAX_OUT_LEN 32
#define BLAKE2S_MAX_KEY_LEN 32

struct blake2s_state {
	uint32_t h[8];
	uint32_t t[2];
	uint8_t buf[BLAKE2S_BLOCK_LEN];
	size_t buf_len;
	size_t out_len;
};

/* @key may be NULL with @key_len 0. */
void blake2s_init(struct blake2s_state *s, size_t out_len,
		  const void *key, size_t key_len);
void blake2s_update(struct blake2s_state *s, const void *in, size_t len);
void blake2s_final(struct blake2s_state *s, uint8_t *out);
void blake2s(uint8_t *out, size_t out_len, const void *in, size_t len,
	     const void *key, size_t key_len);
/* 0 if the RFC's and a keyed known answer come out right. */
int blake2s_selftest(void);

#endif
