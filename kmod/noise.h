/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Noise_IKpsk2 state.  So far: the device's static identity.
 */
#ifndef _PTUN_NOISE_H
#define _PTUN_NOISE_H

#include <linux/types.h>
#include <linux/ptun.h>

/*
 * The device's long-term Curve25519 key pair.  Written only with the owning
 * device's update_lock held; read under the same lock.  The private key is
 * stored clamped, so reading it back gives what wg(8) would show.
 */
struct ptun_static_identity {
	u8 private_key[PTUN_KEY_LEN];
	u8 public_key[PTUN_KEY_LEN];
	bool has_identity;
};

void ptun_noise_set_static_identity(struct ptun_static_identity *identity,
				    const u8 private_key[PTUN_KEY_LEN]);
void ptun_noise_clear_static_identity(struct ptun_static_identity *identity);

#endif /* _PTUN_NOISE_H */
