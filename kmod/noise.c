// SPDX-License-Identifier: GPL-2.0
/*
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s, as WireGuard v1 uses it
 * (WireGuard whitepaper, section 5.4; Noise protocol framework, rev. 34).
 *
 * Notation of the paper: HASH is BLAKE2s-256, HMAC is HMAC-BLAKE2s, DH is
 * Curve25519, AEAD is ChaCha20Poly1305 with a 64-bit counter nonce, and
 * KDF_n(key, input) yields n values:
 *
 *	t0 = HMAC(key, input), t1 = HMAC(t0, 0x1), ti = HMAC(t0, t(i-1) || i)
 *
 * Every handshake message mixes its public values into the hash h (the
 * transcript, authenticated as AEAD additional data) and its Diffie-Hellman
 * results into the chaining key ck, from which the session keys come.
 */

#include <crypto/algapi.h>
#include <linux/log2.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "device.h"
#include "noise.h"
#include "peer.h"

static const char noise_construction[] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
static const char noise_identifier[] = "WireGuard v1 zx2c4 Jason@zx2c4.com";

/* HASH(construction) and HASH(that || identifier), the same for every handshake. */
static u8 handshake_init_chaining_key[PTUN_NOISE_HASH_LEN] __ro_after_init;
static u8 handshake_init_hash[PTUN_NOISE_HASH_LEN] __ro_after_init;
static atomic64_t keypair_counter = ATOMIC64_INIT(0);

void __init ptun_noise_init(void)
{
	struct blake2s_ctx state;

	ptun_compat_blake2s(handshake_init_chaining_key, (const u8 *)noise_construction,
			    NULL, PTUN_NOISE_HASH_LEN, sizeof(noise_construction) - 1, 0);
	blake2s_init(&state, PTUN_NOISE_HASH_LEN);
	blake2s_update(&state, handshake_init_chaining_key, PTUN_NOISE_HASH_LEN);
	blake2s_update(&state, (const u8 *)noise_identifier,
		       sizeof(noise_identifier) - 1);
	blake2s_final(&state, handshake_init_hash);
}

/* HMAC (RFC 2104) over BLAKE2s; our keys are always one hash long. */
static void hmac(u8 out[PTUN_NOISE_HASH_LEN], const u8 *in, size_t in_len,
		 const u8 key[PTUN_NOISE_HASH_LEN])
{
	u8 pad[BLAKE2S_BLOCK_SIZE] __aligned(__alignof__(u32));
	u8 inner[PTUN_NOISE_HASH_LEN] __aligned(__alignof__(u32));
	struct blake2s_ctx state;
	int i;

	memset(pad, 0, sizeof(pad));
	memcpy(pad, key, PTUN_NOISE_HASH_LEN);
	for (i = 0; i < BLAKE2S_BLOCK_SIZE; ++i)
		pad[i] ^= 0x36;
	blake2s_init(&state, PTUN_NOISE_HASH_LEN);
	blake2s_update(&state, pad, BLAKE2S_BLOCK_SIZE);
	blake2s_update(&state, in, in_len);
	blake2s_final(&state, inner);

	for (i = 0; i < BLAKE2S_BLOCK_SIZE; ++i)
		pad[i] ^= 0x36 ^ 0x5c;
	blake2s_init(&state, PTUN_NOISE_HASH_LEN);
	blake2s_update(&state, pad, BLAKE2S_BLOCK_SIZE);
	blake2s_update(&state, inner, PTUN_NOISE_HASH_LEN);
	blake2s_final(&state, out);

	memzero_explicit(pad, sizeof(pad));
	memzero_explicit(inner, sizeof(inner));
}

/*
 * KDF1, KDF2 or KDF3 of the paper, by which outputs are asked for (@second
 * and @third may be NULL).  @first may be @chaining_key itself: that is how
 * the chaining key moves on.
 */
static void kdf(u8 *first, u8 *second, u8 *third, const u8 *data,
		size_t data_len, const u8 chaining_key[PTUN_NOISE_HASH_LEN])
{
	u8 secret[PTUN_NOISE_HASH_LEN];
	u8 output[PTUN_NOISE_HASH_LEN + 1];

	hmac(secret, data, data_len, chaining_key);

	output[0] = 1;
	hmac(output, output, 1, secret);
	memcpy(first, output, PTUN_NOISE_HASH_LEN);

	if (second) {
		output[PTUN_NOISE_HASH_LEN] = 2;
		hmac(output, output, PTUN_NOISE_HASH_LEN + 1, secret);
		memcpy(second, output, PTUN_NOISE_HASH_LEN);
	}
	if (third) {
		output[PTUN_NOISE_HASH_LEN] = 3;
		hmac(output, output, PTUN_NOISE_HASH_LEN + 1, secret);
		memcpy(third, output, PTUN_NOISE_HASH_LEN);
	}

	memzero_explicit(secret, sizeof(secret));
	memzero_explicit(output, sizeof(output));
}

/* h = HASH(h || data) */
static void mix_hash(u8 hash[PTUN_NOISE_HASH_LEN], const u8 *data, size_t len)
{
	struct blake2s_ctx state;

	blake2s_init(&state, PTUN_NOISE_HASH_LEN);
	blake2s_update(&state, hash, PTUN_NOISE_HASH_LEN);
	blake2s_update(&state, data, len);
	blake2s_final(&state, hash);
}

/*
 * (ck, key) = KDF2(ck, DH(private, public)), or ck = KDF1(...) without
 * @key.  An all-zero DH result means a low-order point: refused, since it
 * would make the step contribute nothing secret.
 */
static bool __must_check mix_dh(u8 chaining_key[PTUN_NOISE_HASH_LEN], u8 *key,
				const u8 private[PTUN_NOISE_PUBLIC_KEY_LEN],
				const u8 public[PTUN_NOISE_PUBLIC_KEY_LEN])
{
	u8 dh[PTUN_NOISE_PUBLIC_KEY_LEN];

	if (unlikely(!curve25519(dh, private, public)))
		return false;
	kdf(chaining_key, key, NULL, dh, sizeof(dh), chaining_key);
	memzero_explicit(dh, sizeof(dh));
	return true;
}

/* (ck, t, key) = KDF3(ck, psk); h = HASH(h || t) */
static void mix_psk(u8 chaining_key[PTUN_NOISE_HASH_LEN], u8 hash[PTUN_NOISE_HASH_LEN],
		    u8 key[PTUN_NOISE_SYMMETRIC_KEY_LEN],
		    const u8 psk[PTUN_NOISE_SYMMETRIC_KEY_LEN])
{
	u8 tau[PTUN_NOISE_HASH_LEN];

	kdf(chaining_key, tau, key, psk, PTUN_NOISE_SYMMETRIC_KEY_LEN, chaining_key);
	mix_hash(hash, tau, sizeof(tau));
	memzero_explicit(tau, sizeof(tau));
}

/* An ephemeral public key goes into both: ck = KDF1(ck, e); h = HASH(h || e) */
static void mix_ephemeral(u8 chaining_key[PTUN_NOISE_HASH_LEN], u8 hash[PTUN_NOISE_HASH_LEN],
			  const u8 ephemeral[PTUN_NOISE_PUBLIC_KEY_LEN])
{
	kdf(chaining_key, NULL, NULL, ephemeral, PTUN_NOISE_PUBLIC_KEY_LEN,
	    chaining_key);
	mix_hash(hash, ephemeral, PTUN_NOISE_PUBLIC_KEY_LEN);
}

/* dst = AEAD(key, 0, src, h); h = HASH(h || dst).  Each key encrypts once. */
static void message_encrypt(u8 *dst, const u8 *src, size_t src_len,
			    const u8 key[PTUN_NOISE_SYMMETRIC_KEY_LEN],
			    u8 hash[PTUN_NOISE_HASH_LEN])
{
	chacha20poly1305_encrypt(dst, src, src_len, hash, PTUN_NOISE_HASH_LEN, 0, key);
	mix_hash(hash, dst, ptun_noise_encrypted_len(src_len));
}

static bool __must_check message_decrypt(u8 *dst, const u8 *src, size_t src_len,
					 const u8 key[PTUN_NOISE_SYMMETRIC_KEY_LEN],
					 u8 hash[PTUN_NOISE_HASH_LEN])
{
	if (!chacha20poly1305_decrypt(dst, src, src_len, hash, PTUN_NOISE_HASH_LEN,
				      0, key))
		return false;
	mix_hash(hash, src, src_len);
	return true;
}

/* Both sides start from the responder's static key: h = HASH(h0 || S_r). */
static void handshake_start(u8 chaining_key[PTUN_NOISE_HASH_LEN], u8 hash[PTUN_NOISE_HASH_LEN],
			    const u8 responder_static[PTUN_NOISE_PUBLIC_KEY_LEN])
{
	memcpy(chaining_key, handshake_init_chaining_key, PTUN_NOISE_HASH_LEN);
	memcpy(hash, handshake_init_hash, PTUN_NOISE_HASH_LEN);
	mix_hash(hash, responder_static, PTUN_NOISE_PUBLIC_KEY_LEN);
}

/*
 * TAI64N: big-endian seconds since 1970 TAI plus 2^62 (TAI was 10 s ahead
 * of UTC then), and nanoseconds.  Only its order matters to the responder,
 * which rejects an initiation not newer than the last; rounding the
 * nanoseconds down to one rate-limit period keeps the clock's fine timing
 * off the wire without letting two allowed initiations share a stamp.
 */
static void tai64n_now(u8 output[PTUN_NOISE_TIMESTAMP_LEN])
{
	struct timespec64 now;
	__be64 seconds;
	__be32 nanoseconds;

	ktime_get_real_ts64(&now);
	now.tv_nsec = ALIGN_DOWN(now.tv_nsec,
				 rounddown_pow_of_two(NSEC_PER_SEC /
						      PTUN_INITIATIONS_PER_SECOND));
	seconds = cpu_to_be64(0x400000000000000aULL + now.tv_sec);
	nanoseconds = cpu_to_be32(now.tv_nsec);
	memcpy(output, &seconds, sizeof(seconds));
	memcpy(output + sizeof(seconds), &nanoseconds, sizeof(nanoseconds));
}

void ptun_noise_static_identity_init(struct ptun_noise_static_identity *identity)
{
	memset(identity->static_public, 0, sizeof(identity->static_public));
	memset(identity->static_private, 0, sizeof(identity->static_private));
	identity->has_identity = false;
	init_rwsem(&identity->lock);
}

/* Caller holds identity->lock for writing. */
static void static_identity_wipe(struct ptun_noise_static_identity *identity)
{
	memzero_explicit(identity->static_private, sizeof(identity->static_private));
	memset(identity->static_public, 0, sizeof(identity->static_public));
	identity->has_identity = false;
}

void ptun_noise_clear_static_identity(struct ptun_noise_static_identity *identity)
{
	down_write(&identity->lock);
	static_identity_wipe(identity);
	up_write(&identity->lock);
}

/*
 * An all-zero private key is how userspace removes the identity; anything
 * else is clamped and its public key derived here, so userspace never has to
 * be trusted to send a matching pair.  Takes identity->lock: handshakes in
 * progress finish with the old key or start with the new one.
 */
void ptun_noise_set_static_identity(struct ptun_noise_static_identity *identity,
				    const u8 private_key[PTUN_NOISE_PUBLIC_KEY_LEN])
{
	down_write(&identity->lock);
	if (!memchr_inv(private_key, 0, PTUN_NOISE_PUBLIC_KEY_LEN)) {
		static_identity_wipe(identity);
		goto out;
	}

	memcpy(identity->static_private, private_key, PTUN_NOISE_PUBLIC_KEY_LEN);
	curve25519_clamp_secret(identity->static_private);
	identity->has_identity =
		curve25519_generate_public(identity->static_public,
					   identity->static_private);
	if (!identity->has_identity)
		static_identity_wipe(identity);
out:
	up_write(&identity->lock);
}

/* The encodings of Curve25519 points of small order, top bit masked. */
static const u8 ptun_low_order_points[][PTUN_NOISE_PUBLIC_KEY_LEN] = {
	{ 0 },
	{ 1 },
	{ 0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa,
	  0xf1, 0x9f, 0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd,
	  0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00 },
	{ 0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55,
	  0x9c, 0x83, 0xef, 0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86,
	  0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f, 0x11, 0x57 },
	/* p - 1, p and p + 1, with p = 2^255 - 19 */
	{ 0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f },
	{ 0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f },
	{ 0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f },
};

/*
 * A Diffie-Hellman with such a key gives the same result whatever our
 * private key: it would make the handshake's secrets public.  Cheap enough
 * to check for every peer, unlike a trial DH.
 */
bool ptun_noise_public_key_is_low_order(const u8 key[PTUN_NOISE_PUBLIC_KEY_LEN])
{
	u8 masked[PTUN_NOISE_PUBLIC_KEY_LEN];
	unsigned int i;

	memcpy(masked, key, PTUN_NOISE_PUBLIC_KEY_LEN);
	masked[PTUN_NOISE_PUBLIC_KEY_LEN - 1] &= 0x7f;
	for (i = 0; i < ARRAY_SIZE(ptun_low_order_points); i++)
		if (!memcmp(masked, ptun_low_order_points[i],
			    PTUN_NOISE_PUBLIC_KEY_LEN))
			return true;
	return false;
}

void ptun_noise_handshake_init(struct ptun_noise_handshake *handshake,
			       struct ptun_noise_static_identity *static_identity,
			       const u8 peer_public_key[PTUN_NOISE_PUBLIC_KEY_LEN],
			       const u8 peer_preshared_key[PTUN_NOISE_SYMMETRIC_KEY_LEN],
			       struct ptun_peer *peer)
{
	memset(handshake, 0, sizeof(*handshake));
	init_rwsem(&handshake->lock);
	handshake->entry.kind = PTUN_INDEXED_HANDSHAKE;
	handshake->entry.peer = peer;
	memcpy(handshake->remote_static, peer_public_key, PTUN_NOISE_PUBLIC_KEY_LEN);
	memcpy(handshake->preshared_key, peer_preshared_key,
	       PTUN_NOISE_SYMMETRIC_KEY_LEN);
	handshake->static_identity = static_identity;
	handshake->state = PTUN_HANDSHAKE_ZEROED;
}

static struct ptun_index_table *
handshake_index_table(const struct ptun_noise_handshake *handshake)
{
	return handshake->entry.peer->device->index_table;
}

/*
 * Forget the exchange in progress.  The latest timestamp and the time of the
 * last initiation stay: they are the replay and flood protection.  Caller
 * holds handshake->lock for writing.
 */
static void handshake_zero(struct ptun_noise_handshake *handshake)
{
	memzero_explicit(handshake->ephemeral_private, PTUN_NOISE_PUBLIC_KEY_LEN);
	memzero_explicit(handshake->remote_ephemeral, PTUN_NOISE_PUBLIC_KEY_LEN);
	memzero_explicit(handshake->hash, PTUN_NOISE_HASH_LEN);
	memzero_explicit(handshake->chaining_key, PTUN_NOISE_HASH_LEN);
	handshake->remote_index = 0;
	handshake->state = PTUN_HANDSHAKE_ZEROED;
}

/* Caller holds handshake->lock for writing. */
static void handshake_abandon(struct ptun_noise_handshake *handshake)
{
	ptun_index_table_drop(handshake_index_table(handshake), &handshake->entry);
	handshake_zero(handshake);
}

void ptun_noise_handshake_clear(struct ptun_noise_handshake *handshake)
{
	down_write(&handshake->lock);
	handshake_abandon(handshake);
	up_write(&handshake->lock);
}

void ptun_noise_handshake_set_preshared_key(struct ptun_noise_handshake *handshake,
					    const u8 key[PTUN_NOISE_SYMMETRIC_KEY_LEN])
{
	down_write(&handshake->lock);
	memcpy(handshake->preshared_key, key, PTUN_NOISE_SYMMETRIC_KEY_LEN);
	up_write(&handshake->lock);
}

/* After the identity changed: the next handshake computes it anew. */
void ptun_noise_handshake_invalidate_precomputed(struct ptun_noise_handshake *handshake)
{
	down_write(&handshake->lock);
	handshake->have_precomputed = false;
	memzero_explicit(handshake->precomputed_static_static, PTUN_NOISE_PUBLIC_KEY_LEN);
	up_write(&handshake->lock);
}

/*
 * DH(our static, their static), computed the first time a handshake needs
 * it.  False without an identity or with a low-order peer key; that zero
 * result is kept too, and fails every handshake alike.  Caller holds the
 * identity's lock and handshake->lock for writing.
 */
static bool handshake_static_static(struct ptun_noise_handshake *handshake)
{
	/* All zeros: 7.x kernels no longer export curve25519_null_point. */
	static const u8 null_point[PTUN_NOISE_PUBLIC_KEY_LEN];

	struct ptun_noise_static_identity *identity = handshake->static_identity;

	if (unlikely(!identity->has_identity))
		return false;
	if (!handshake->have_precomputed) {
		handshake->have_precomputed = true;
		return curve25519(handshake->precomputed_static_static,
				  identity->static_private, handshake->remote_static);
	}
	return crypto_memneq(handshake->precomputed_static_static,
			     null_point, PTUN_NOISE_PUBLIC_KEY_LEN);
}

/*
 * The initiation, from the initiator's ephemeral key and a timestamp (now,
 * if NULL): the selftest passes both to compare with known bytes.
 *
 *	e:    ck = KDF1(ck, E_i); h = HASH(h || E_i)
 *	es:   (ck, k) = KDF2(ck, DH(e_i, S_r)); static = AEAD(k, 0, S_i, h)
 *	ss:   (ck, k) = KDF2(ck, DH(s_i, S_r)); timestamp = AEAD(k, 0, TAI64N, h)
 *
 * with h mixing in each ciphertext.
 */
static bool handshake_create_initiation(struct ptun_message_handshake_initiation *dst,
					struct ptun_noise_handshake *handshake,
					const u8 ephemeral_private[PTUN_NOISE_PUBLIC_KEY_LEN],
					const u8 *timestamp)
{
	struct ptun_noise_static_identity *identity = handshake->static_identity;
	u8 stamp[PTUN_NOISE_TIMESTAMP_LEN];
	u8 key[PTUN_NOISE_SYMMETRIC_KEY_LEN];
	bool ret = false;

	down_read(&identity->lock);
	down_write(&handshake->lock);

	if (unlikely(!handshake_static_static(handshake)))
		goto out;

	/* From here on, a failure leaves no half-built state behind. */
	dst->header.type = cpu_to_le32(PTUN_MESSAGE_HANDSHAKE_INITIATION);
	handshake_start(handshake->chaining_key, handshake->hash,
			handshake->remote_static);

	memcpy(handshake->ephemeral_private, ephemeral_private, PTUN_NOISE_PUBLIC_KEY_LEN);
	if (unlikely(!curve25519_generate_public(dst->unencrypted_ephemeral,
						 handshake->ephemeral_private)))
		goto fail;
	mix_ephemeral(handshake->chaining_key, handshake->hash,
		      dst->unencrypted_ephemeral);

	if (unlikely(!mix_dh(handshake->chaining_key, key, handshake->ephemeral_private,
			     handshake->remote_static)))
		goto fail;
	message_encrypt(dst->encrypted_static, identity->static_public,
			PTUN_NOISE_PUBLIC_KEY_LEN, key, handshake->hash);

	kdf(handshake->chaining_key, key, NULL, handshake->precomputed_static_static,
	    PTUN_NOISE_PUBLIC_KEY_LEN, handshake->chaining_key);
	if (timestamp)
		memcpy(stamp, timestamp, sizeof(stamp));
	else
		tai64n_now(stamp);
	message_encrypt(dst->encrypted_timestamp, stamp, sizeof(stamp), key,
			handshake->hash);

	if (ptun_index_table_assign(handshake_index_table(handshake), &handshake->entry))
		goto fail;
	dst->sender_index = handshake->entry.index;
	handshake->state = PTUN_HANDSHAKE_CREATED_INITIATION;
	ret = true;
	goto out;

fail:
	handshake_abandon(handshake);
out:
	up_write(&handshake->lock);
	up_read(&identity->lock);
	memzero_explicit(key, sizeof(key));
	return ret;
}

bool ptun_noise_handshake_create_initiation(struct ptun_message_handshake_initiation *dst,
					    struct ptun_noise_handshake *handshake)
{
	u8 ephemeral[PTUN_NOISE_PUBLIC_KEY_LEN];
	bool ret;

	curve25519_generate_secret(ephemeral);
	ret = handshake_create_initiation(dst, handshake, ephemeral, NULL);
	memzero_explicit(ephemeral, sizeof(ephemeral));
	return ret;
}

/*
 * The responder's side of the same steps.  The initiator's static key comes
 * out of the message, and tells which peer this is; only then can the ss
 * step and the timestamp be checked, with that peer's handshake locked.
 */
struct ptun_peer *
ptun_noise_handshake_consume_initiation(struct ptun_message_handshake_initiation *src,
					struct ptun_device *device)
{
	struct ptun_noise_static_identity *identity = &device->static_identity;
	u8 chaining_key[PTUN_NOISE_HASH_LEN], hash[PTUN_NOISE_HASH_LEN];
	u8 remote_static[PTUN_NOISE_PUBLIC_KEY_LEN];
	u8 stamp[PTUN_NOISE_TIMESTAMP_LEN];
	u8 key[PTUN_NOISE_SYMMETRIC_KEY_LEN];
	struct ptun_noise_handshake *handshake;
	struct ptun_peer *peer = NULL;
	int reason;
	u64 now;

	down_read(&identity->lock);
	reason = PTUN_A_DROPS_HANDSHAKE_INVALID;
	if (unlikely(!identity->has_identity))
		goto out;

	handshake_start(chaining_key, hash, identity->static_public);
	mix_ephemeral(chaining_key, hash, src->unencrypted_ephemeral);

	if (unlikely(!mix_dh(chaining_key, key, identity->static_private,
			     src->unencrypted_ephemeral)))
		goto out;
	if (unlikely(!message_decrypt(remote_static, src->encrypted_static,
				      sizeof(src->encrypted_static), key, hash)))
		goto out;

	peer = ptun_peer_table_find(device->peer_table, remote_static);
	if (!peer) {
		reason = PTUN_A_DROPS_UNKNOWN_PEER;
		goto out;
	}
	handshake = &peer->handshake;

	down_write(&handshake->lock);
	if (unlikely(!handshake_static_static(handshake)))
		goto fail;
	kdf(chaining_key, key, NULL, handshake->precomputed_static_static,
	    PTUN_NOISE_PUBLIC_KEY_LEN, chaining_key);
	if (unlikely(!message_decrypt(stamp, src->encrypted_timestamp,
				      sizeof(src->encrypted_timestamp), key, hash)))
		goto fail;

	/* Big-endian, so bytewise order is time order. */
	reason = PTUN_A_DROPS_TIMESTAMP_STALE;
	if (memcmp(stamp, handshake->latest_timestamp, sizeof(stamp)) <= 0)
		goto fail;
	now = ktime_get_coarse_boottime_ns();
	reason = PTUN_A_DROPS_RATELIMITED;
	if ((s64)(handshake->last_initiation_consumption +
		  NSEC_PER_SEC / PTUN_INITIATIONS_PER_SECOND - now) > 0)
		goto fail;
	reason = 0;

	memcpy(handshake->remote_ephemeral, src->unencrypted_ephemeral,
	       PTUN_NOISE_PUBLIC_KEY_LEN);
	memcpy(handshake->latest_timestamp, stamp, sizeof(stamp));
	memcpy(handshake->hash, hash, PTUN_NOISE_HASH_LEN);
	memcpy(handshake->chaining_key, chaining_key, PTUN_NOISE_HASH_LEN);
	handshake->remote_index = src->sender_index;
	handshake->last_initiation_consumption = now;
	handshake->state = PTUN_HANDSHAKE_CONSUMED_INITIATION;
	up_write(&handshake->lock);
	goto out;

fail:
	up_write(&handshake->lock);
	ptun_count_drop(device, peer, reason);
	ptun_peer_put(peer);
	peer = NULL;
	reason = 0;
out:
	up_read(&identity->lock);
	if (reason)
		ptun_count_drop(device, NULL, reason);
	memzero_explicit(key, sizeof(key));
	memzero_explicit(hash, sizeof(hash));
	memzero_explicit(chaining_key, sizeof(chaining_key));
	return peer;
}

/*
 * The response, from the responder's ephemeral key:
 *
 *	e:    ck = KDF1(ck, E_r); h = HASH(h || E_r)
 *	ee:   ck = KDF1(ck, DH(e_r, E_i))
 *	se:   ck = KDF1(ck, DH(e_r, S_i))
 *	psk:  (ck, t, k) = KDF3(ck, psk); h = HASH(h || t)
 *	      empty = AEAD(k, 0, "", h)
 */
static bool handshake_create_response(struct ptun_message_handshake_response *dst,
				      struct ptun_noise_handshake *handshake,
				      const u8 ephemeral_private[PTUN_NOISE_PUBLIC_KEY_LEN])
{
	struct ptun_noise_static_identity *identity = handshake->static_identity;
	u8 key[PTUN_NOISE_SYMMETRIC_KEY_LEN];
	bool ret = false;

	down_read(&identity->lock);
	down_write(&handshake->lock);

	/* Another initiation of ours may have come first: leave it be. */
	if (handshake->state != PTUN_HANDSHAKE_CONSUMED_INITIATION ||
	    unlikely(!identity->has_identity))
		goto out;

	dst->header.type = cpu_to_le32(PTUN_MESSAGE_HANDSHAKE_RESPONSE);
	dst->receiver_index = handshake->remote_index;

	memcpy(handshake->ephemeral_private, ephemeral_private, PTUN_NOISE_PUBLIC_KEY_LEN);
	if (unlikely(!curve25519_generate_public(dst->unencrypted_ephemeral,
						 handshake->ephemeral_private)))
		goto fail;
	mix_ephemeral(handshake->chaining_key, handshake->hash,
		      dst->unencrypted_ephemeral);

	if (unlikely(!mix_dh(handshake->chaining_key, NULL, handshake->ephemeral_private,
			     handshake->remote_ephemeral) ||
		     !mix_dh(handshake->chaining_key, NULL, handshake->ephemeral_private,
			     handshake->remote_static)))
		goto fail;

	mix_psk(handshake->chaining_key, handshake->hash, key, handshake->preshared_key);
	message_encrypt(dst->encrypted_nothing, NULL, 0, key, handshake->hash);

	if (ptun_index_table_assign(handshake_index_table(handshake), &handshake->entry))
		goto fail;
	dst->sender_index = handshake->entry.index;
	handshake->state = PTUN_HANDSHAKE_CREATED_RESPONSE;
	ret = true;
	goto out;

fail:
	handshake_abandon(handshake);
out:
	up_write(&handshake->lock);
	up_read(&identity->lock);
	memzero_explicit(key, sizeof(key));
	return ret;
}

bool ptun_noise_handshake_create_response(struct ptun_message_handshake_response *dst,
					  struct ptun_noise_handshake *handshake)
{
	u8 ephemeral[PTUN_NOISE_PUBLIC_KEY_LEN];
	bool ret;

	curve25519_generate_secret(ephemeral);
	ret = handshake_create_response(dst, handshake, ephemeral);
	memzero_explicit(ephemeral, sizeof(ephemeral));
	return ret;
}

/*
 * The initiator's side of the response.  The DH work runs on a copy of the
 * state, without the handshake locked; the result is kept only if no other
 * initiation replaced ours meanwhile.
 */
struct ptun_peer *
ptun_noise_handshake_consume_response(struct ptun_message_handshake_response *src,
				      struct ptun_device *device)
{
	struct ptun_noise_static_identity *identity = &device->static_identity;
	u8 ephemeral_private[PTUN_NOISE_PUBLIC_KEY_LEN];
	u8 chaining_key[PTUN_NOISE_HASH_LEN], hash[PTUN_NOISE_HASH_LEN];
	u8 preshared_key[PTUN_NOISE_SYMMETRIC_KEY_LEN];
	u8 key[PTUN_NOISE_SYMMETRIC_KEY_LEN];
	struct ptun_indexed *entry;
	struct ptun_noise_handshake *handshake;
	enum ptun_noise_handshake_state state;
	struct ptun_peer *peer = NULL;
	int reason;

	down_read(&identity->lock);
	reason = PTUN_A_DROPS_HANDSHAKE_INVALID;
	if (unlikely(!identity->has_identity))
		goto out;

	entry = ptun_index_table_find(device->index_table, src->receiver_index,
				      PTUN_INDEXED_HANDSHAKE, &peer);
	reason = PTUN_A_DROPS_UNKNOWN_RECEIVER;
	if (unlikely(!entry))
		goto out;
	handshake = container_of(entry, struct ptun_noise_handshake, entry);

	down_read(&handshake->lock);
	state = handshake->state;
	memcpy(hash, handshake->hash, sizeof(hash));
	memcpy(chaining_key, handshake->chaining_key, sizeof(chaining_key));
	memcpy(ephemeral_private, handshake->ephemeral_private, sizeof(ephemeral_private));
	memcpy(preshared_key, handshake->preshared_key, sizeof(preshared_key));
	up_read(&handshake->lock);

	/* Our initiation was answered already. */
	reason = PTUN_A_DROPS_REPLAYED;
	if (state != PTUN_HANDSHAKE_CREATED_INITIATION)
		goto fail;

	reason = PTUN_A_DROPS_HANDSHAKE_INVALID;
	mix_ephemeral(chaining_key, hash, src->unencrypted_ephemeral);
	if (unlikely(!mix_dh(chaining_key, NULL, ephemeral_private,
			     src->unencrypted_ephemeral) ||
		     !mix_dh(chaining_key, NULL, identity->static_private,
			     src->unencrypted_ephemeral)))
		goto fail;
	mix_psk(chaining_key, hash, key, preshared_key);
	if (unlikely(!message_decrypt(NULL, src->encrypted_nothing,
				      sizeof(src->encrypted_nothing), key, hash)))
		goto fail;

	down_write(&handshake->lock);
	if (handshake->state != state ||
	    crypto_memneq(handshake->ephemeral_private, ephemeral_private,
			  PTUN_NOISE_PUBLIC_KEY_LEN)) {
		up_write(&handshake->lock);
		reason = PTUN_A_DROPS_REPLAYED;
		goto fail;
	}
	memcpy(handshake->remote_ephemeral, src->unencrypted_ephemeral,
	       PTUN_NOISE_PUBLIC_KEY_LEN);
	memcpy(handshake->hash, hash, sizeof(hash));
	memcpy(handshake->chaining_key, chaining_key, sizeof(chaining_key));
	handshake->remote_index = src->sender_index;
	handshake->state = PTUN_HANDSHAKE_CONSUMED_RESPONSE;
	up_write(&handshake->lock);
	reason = 0;
	goto out;

fail:
	ptun_count_drop(device, peer, reason);
	ptun_peer_put(peer);
	peer = NULL;
	reason = 0;
out:
	up_read(&identity->lock);
	if (reason)
		ptun_count_drop(device, NULL, reason);
	memzero_explicit(key, sizeof(key));
	memzero_explicit(hash, sizeof(hash));
	memzero_explicit(chaining_key, sizeof(chaining_key));
	memzero_explicit(ephemeral_private, sizeof(ephemeral_private));
	memzero_explicit(preshared_key, sizeof(preshared_key));
	return peer;
}

struct ptun_noise_keypair *ptun_noise_keypair_get(struct ptun_noise_keypair *keypair)
{
	RCU_LOCKDEP_WARN(!rcu_read_lock_bh_held(),
			 "taking a keypair reference without the RCU BH read lock");
	if (unlikely(!keypair || !kref_get_unless_zero(&keypair->refcount)))
		return NULL;
	return keypair;
}

static void keypair_free_rcu(struct rcu_head *rcu)
{
	kfree_sensitive(container_of(rcu, struct ptun_noise_keypair, rcu));
}

static void keypair_free_kref(struct kref *kref)
{
	struct ptun_noise_keypair *keypair =
		container_of(kref, struct ptun_noise_keypair, refcount);

	call_rcu(&keypair->rcu, keypair_free_rcu);
}

/*
 * A keypair is in the index table exactly while one of its peer's
 * slots holds it: whoever empties a slot passes @unreference_now, so that
 * no new data message finds it, while packets in flight keep their
 * references.
 */
void ptun_noise_keypair_put(struct ptun_noise_keypair *keypair, bool unreference_now)
{
	if (unlikely(!keypair))
		return;
	if (unreference_now)
		ptun_index_table_drop(keypair->entry.peer->device->index_table,
				      &keypair->entry);
	kref_put(&keypair->refcount, keypair_free_kref);
}

void ptun_noise_keypairs_init(struct ptun_noise_keypairs *keypairs)
{
	RCU_INIT_POINTER(keypairs->current_keypair, NULL);
	RCU_INIT_POINTER(keypairs->previous_keypair, NULL);
	RCU_INIT_POINTER(keypairs->next_keypair, NULL);
	spin_lock_init(&keypairs->keypair_update_lock);
}

/* A slot's keypair, for the holder of keypair_update_lock. */
static struct ptun_noise_keypair *keypairs_slot(struct ptun_noise_keypairs *keypairs,
						struct ptun_noise_keypair __rcu **slot)
{
	return rcu_dereference_protected(*slot,
					 lockdep_is_held(&keypairs->keypair_update_lock));
}

void ptun_noise_keypairs_clear(struct ptun_noise_keypairs *keypairs)
{
	struct ptun_noise_keypair *old;

	spin_lock_bh(&keypairs->keypair_update_lock);
	old = keypairs_slot(keypairs, &keypairs->next_keypair);
	RCU_INIT_POINTER(keypairs->next_keypair, NULL);
	ptun_noise_keypair_put(old, true);
	old = keypairs_slot(keypairs, &keypairs->previous_keypair);
	RCU_INIT_POINTER(keypairs->previous_keypair, NULL);
	ptun_noise_keypair_put(old, true);
	old = keypairs_slot(keypairs, &keypairs->current_keypair);
	RCU_INIT_POINTER(keypairs->current_keypair, NULL);
	ptun_noise_keypair_put(old, true);
	spin_unlock_bh(&keypairs->keypair_update_lock);
}

void ptun_noise_expire_current_peer_keypairs(struct ptun_peer *peer)
{
	struct ptun_noise_keypairs *keypairs = &peer->keypairs;
	struct ptun_noise_keypair *keypair;

	ptun_noise_handshake_clear(&peer->handshake);
	ptun_noise_reset_last_sent_handshake(&peer->last_sent_handshake);

	spin_lock_bh(&keypairs->keypair_update_lock);
	keypair = keypairs_slot(keypairs, &keypairs->next_keypair);
	if (keypair)
		WRITE_ONCE(keypair->sending.is_valid, false);
	keypair = keypairs_slot(keypairs, &keypairs->current_keypair);
	if (keypair)
		WRITE_ONCE(keypair->sending.is_valid, false);
	spin_unlock_bh(&keypairs->keypair_update_lock);
}

/*
 * Install a new session.  The initiator has key confirmation (the response
 * decrypted) and sends with it at once: it becomes current, the old current
 * previous, so that packets still in flight under it decrypt.  If an
 * unconfirmed next was waiting, that one is what the other side now sends
 * with: it becomes previous instead and the old current goes.
 *
 * The responder must wait for the initiator's first data message: the new
 * keypair waits in next (replacing any older unconfirmed one) and previous
 * goes, as confirmation will move current there.
 */
static void keypairs_add(struct ptun_noise_keypairs *keypairs,
			 struct ptun_noise_keypair *new_keypair)
{
	struct ptun_noise_keypair *previous, *next, *current_keypair;

	spin_lock_bh(&keypairs->keypair_update_lock);
	previous = keypairs_slot(keypairs, &keypairs->previous_keypair);
	next = keypairs_slot(keypairs, &keypairs->next_keypair);
	current_keypair = keypairs_slot(keypairs, &keypairs->current_keypair);
	if (new_keypair->i_am_the_initiator) {
		if (next) {
			RCU_INIT_POINTER(keypairs->next_keypair, NULL);
			rcu_assign_pointer(keypairs->previous_keypair, next);
			ptun_noise_keypair_put(current_keypair, true);
		} else {
			rcu_assign_pointer(keypairs->previous_keypair, current_keypair);
		}
		ptun_noise_keypair_put(previous, true);
		rcu_assign_pointer(keypairs->current_keypair, new_keypair);
	} else {
		rcu_assign_pointer(keypairs->next_keypair, new_keypair);
		ptun_noise_keypair_put(next, true);
		RCU_INIT_POINTER(keypairs->previous_keypair, NULL);
		ptun_noise_keypair_put(previous, true);
	}
	spin_unlock_bh(&keypairs->keypair_update_lock);
}

bool ptun_noise_received_with_keypair(struct ptun_noise_keypairs *keypairs,
				      struct ptun_noise_keypair *received_keypair)
{
	struct ptun_noise_keypair *old_previous;
	bool confirmed = false;

	/* The common case, without the lock: not the keypair awaiting confirmation. */
	if (likely(rcu_access_pointer(keypairs->next_keypair) != received_keypair))
		return false;

	spin_lock_bh(&keypairs->keypair_update_lock);
	if (keypairs_slot(keypairs, &keypairs->next_keypair) == received_keypair) {
		old_previous = keypairs_slot(keypairs, &keypairs->previous_keypair);
		rcu_assign_pointer(keypairs->previous_keypair,
				   keypairs_slot(keypairs, &keypairs->current_keypair));
		ptun_noise_keypair_put(old_previous, true);
		rcu_assign_pointer(keypairs->current_keypair, received_keypair);
		RCU_INIT_POINTER(keypairs->next_keypair, NULL);
		confirmed = true;
	}
	spin_unlock_bh(&keypairs->keypair_update_lock);
	return confirmed;
}

/*
 * The transport keys: (T_send_i, T_recv_i) = KDF2(ck, ""), the responder's
 * the other way round.  The keypair takes the handshake's place under the
 * same index, which the other side uses as key_idx from now on.
 */
bool ptun_noise_handshake_begin_session(struct ptun_noise_handshake *handshake,
					struct ptun_noise_keypairs *keypairs)
{
	struct ptun_noise_keypair *new_keypair;
	struct ptun_peer *peer = handshake->entry.peer;
	bool ret = false;
	u64 now;

	new_keypair = kzalloc(sizeof(*new_keypair), GFP_KERNEL);
	if (unlikely(!new_keypair))
		return false;
	kref_init(&new_keypair->refcount);
	ptun_replay_counter_init(&new_keypair->receiving_counter);
	atomic64_set(&new_keypair->sending_counter, 0);
	new_keypair->internal_id = atomic64_inc_return(&keypair_counter);
	new_keypair->entry.kind = PTUN_INDEXED_KEYPAIR;
	new_keypair->entry.peer = peer;

	down_write(&handshake->lock);
	if (handshake->state == PTUN_HANDSHAKE_CONSUMED_RESPONSE)
		new_keypair->i_am_the_initiator = true;
	else if (handshake->state != PTUN_HANDSHAKE_CREATED_RESPONSE)
		goto out;

	if (new_keypair->i_am_the_initiator)
		kdf(new_keypair->sending.key, new_keypair->receiving.key, NULL,
		    NULL, 0, handshake->chaining_key);
	else
		kdf(new_keypair->receiving.key, new_keypair->sending.key, NULL,
		    NULL, 0, handshake->chaining_key);
	now = ktime_get_coarse_boottime_ns();
	new_keypair->sending.birthdate = now;
	new_keypair->receiving.birthdate = now;
	new_keypair->sending.is_valid = true;
	new_keypair->receiving.is_valid = true;
	new_keypair->remote_index = handshake->remote_index;

	/*
	 * The RCU read section pairs with peer removal, which marks the peer
	 * dead, waits a grace period, then clears its keypairs: a keypair
	 * added here is either seen by that clearing or not added at all.
	 */
	rcu_read_lock_bh();
	if (likely(!READ_ONCE(peer->is_dead)) &&
	    ptun_index_table_hand_over(handshake_index_table(handshake),
				       &handshake->entry, &new_keypair->entry)) {
		keypairs_add(keypairs, new_keypair);
		new_keypair = NULL;
		ret = true;
	}
	rcu_read_unlock_bh();
	if (ret)
		handshake_zero(handshake);
	else
		handshake_abandon(handshake);

out:
	up_write(&handshake->lock);
	kfree_sensitive(new_keypair);
	return ret;
}

#ifdef DEBUG
#include "selftest/noise.c"
#endif
