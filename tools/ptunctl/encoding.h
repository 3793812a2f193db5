/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Base64 encoding of 32-byte keys, the textual form wg(8) uses.
 */
#ifndef PTUNCTL_ENCODING_H
#define PTUNCTL_ENCODING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/ptun.h>

/* Characters of an encoded key: 43 data characters and one '='. */
#define KEY_BASE64_LEN	44

void key_to_base64(char base64[static KEY_BASE64_LEN + 1],
		   const uint8_t key[static PTUN_KEY_LEN]);
bool key_from_base64(uint8_t key[static PTUN_KEY_LEN], const char *base64,
		     size_t len);

#endif /* PTUNCTL_ENCODING_H */
