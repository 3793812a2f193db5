// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include <sodium.h>

#include "curve25519.h"

/* RFC 7748 section 5: a multiple of the cofactor, top bit clear, bit 254 set */
void curve25519_clamp_secret(uint8_t secret[static PTUN_KEY_LEN])
{
	secret[0] &= 248;
	secret[31] &= 127;
	secret[31] |= 64;
}

int curve25519_generate_public(uint8_t pub[static PTUN_KEY_LEN],
			       const uint8_t secret[static PTUN_KEY_LEN])
{
	uint8_t clamped[PTUN_KEY_LEN];
	int ret;

	memcpy(clamped, secret, sizeof(clamped));
	curve25519_clamp_secret(clamped);
	ret = crypto_scalarmult_curve25519_base(pub, clamped);
	sodium_memzero(clamped, sizeof(clamped));
	return ret;
}
