// SPDX-License-Identifier: GPL-2.0
/*
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s, as WireGuard v1 uses it.
 */
#include <crypto/curve25519.h>
#include <linux/string.h>

#include "noise.h"

void ptun_noise_clear_static_identity(struct ptun_static_identity *identity)
{
	memzero_explicit(identity, sizeof(*identity));
}

/*
 * An all-zero private key is how userspace removes the identity; anything
 * else is clamped and its public key derived here, so userspace never has to
 * be trusted to send a matching pair.
 */
void ptun_noise_set_static_identity(struct ptun_static_identity *identity,
				    const u8 private_key[PTUN_KEY_LEN])
{
	if (!memchr_inv(private_key, 0, PTUN_KEY_LEN)) {
		ptun_noise_clear_static_identity(identity);
		return;
	}

	memcpy(identity->private_key, private_key, PTUN_KEY_LEN);
	curve25519_clamp_secret(identity->private_key);
	identity->has_identity =
		curve25519_generate_public(identity->public_key,
					   identity->private_key);
	if (!identity->has_identity)
		ptun_noise_clear_static_identity(identity);
}
