/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Curve25519 private key handling on top of libsodium.
 */
#ifndef PTUNCTL_CURVE25519_H
#define PTUNCTL_CURVE25519_H

#include <stdint.h>

#include <linux/ptun.h>

void curve25519_clamp_secret(uint8_t secret[static PTUN_KEY_LEN]);
int curve25519_generate_public(uint8_t pub[static PTUN_KEY_LEN],
			       const uint8_t secret[static PTUN_KEY_LEN]);

#endif /* PTUNCTL_CURVE25519_H */
