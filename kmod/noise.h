/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s, as WireGuard v1 uses it: the
 * handshake state of a peer and the keypairs it yields.
 */
#ifndef _PTUN_NOISE_H
#define _PTUN_NOISE_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/rcupdate.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "messages.h"
#include "peerlookup.h"
#include "replay.h"

struct ptun_device;
struct ptun_peer;

struct ptun_noise_symmetric_key {
	u8 key[PTUN_NOISE_SYMMETRIC_KEY_LEN];
	u64 birthdate;		/* ktime_get_coarse_boottime_ns() */
	bool is_valid;
};

/*
 * One session's keys.  Refcounted; freed after an RCU grace period, its key
 * material wiped.  @entry puts it in the device's index table under our
 * index, which the peer puts in its data messages' key_idx.
 */
struct ptun_noise_keypair {
	struct ptun_indexed entry;
	struct ptun_noise_symmetric_key sending;
	atomic64_t sending_counter;
	struct ptun_noise_symmetric_key receiving;
	struct ptun_replay_counter receiving_counter;
	__le32 remote_index;
	bool i_am_the_initiator;
	struct kref refcount;
	struct rcu_head rcu;
	u64 internal_id;
};

/*
 * A peer's sessions.  @next_keypair is a session we responded to and that
 * becomes current once the initiator's first data message confirms it.
 * Readers use RCU; writers hold @keypair_update_lock.
 */
struct ptun_noise_keypairs {
	struct ptun_noise_keypair __rcu *current_keypair;
	struct ptun_noise_keypair __rcu *previous_keypair;
	struct ptun_noise_keypair __rcu *next_keypair;
	spinlock_t keypair_update_lock;	/* serialises rotations */
};

/*
 * The device's long-term key pair.  Written with the device's update_lock
 * and @lock (write) held; the handshake reads it under @lock (read).  The
 * private key is stored clamped, so reading it back gives what wg(8) shows.
 */
struct ptun_noise_static_identity {
	u8 static_public[PTUN_NOISE_PUBLIC_KEY_LEN];
	u8 static_private[PTUN_NOISE_PUBLIC_KEY_LEN];
	struct rw_semaphore lock;
	bool has_identity;
};

enum ptun_noise_handshake_state {
	PTUN_HANDSHAKE_ZEROED,
	PTUN_HANDSHAKE_CREATED_INITIATION,
	PTUN_HANDSHAKE_CONSUMED_INITIATION,
	PTUN_HANDSHAKE_CREATED_RESPONSE,
	PTUN_HANDSHAKE_CONSUMED_RESPONSE,
};

/*
 * The handshake in progress with one peer; everything under @lock.
 * @precomputed_static_static is DH(our static, their static), computed at
 * the first handshake rather than when the peer is added, so adding many
 * peers is cheap; @have_precomputed says whether it is current.
 */
struct ptun_noise_handshake {
	struct ptun_indexed entry;

	enum ptun_noise_handshake_state state;
	u64 last_initiation_consumption;

	struct ptun_noise_static_identity *static_identity;

	u8 ephemeral_private[PTUN_NOISE_PUBLIC_KEY_LEN];
	u8 remote_static[PTUN_NOISE_PUBLIC_KEY_LEN];
	u8 remote_ephemeral[PTUN_NOISE_PUBLIC_KEY_LEN];
	u8 precomputed_static_static[PTUN_NOISE_PUBLIC_KEY_LEN];
	bool have_precomputed;

	u8 preshared_key[PTUN_NOISE_SYMMETRIC_KEY_LEN];

	u8 hash[PTUN_NOISE_HASH_LEN];
	u8 chaining_key[PTUN_NOISE_HASH_LEN];

	u8 latest_timestamp[PTUN_NOISE_TIMESTAMP_LEN];
	__le32 remote_index;

	struct rw_semaphore lock;
};

void ptun_noise_init(void);

void ptun_noise_handshake_init(struct ptun_noise_handshake *handshake,
			       struct ptun_noise_static_identity *static_identity,
			       const u8 peer_public_key[PTUN_NOISE_PUBLIC_KEY_LEN],
			       const u8 peer_preshared_key[PTUN_NOISE_SYMMETRIC_KEY_LEN],
			       struct ptun_peer *peer);
/* Forget the handshake in progress (not the keys configured). */
void ptun_noise_handshake_clear(struct ptun_noise_handshake *handshake);
void ptun_noise_handshake_set_preshared_key(struct ptun_noise_handshake *handshake,
					    const u8 key[PTUN_NOISE_SYMMETRIC_KEY_LEN]);

/* Make the next handshake attempt allowed right away. */
static inline void ptun_noise_reset_last_sent_handshake(atomic64_t *handshake_ns)
{
	atomic64_set(handshake_ns, ktime_get_coarse_boottime_ns() -
			(u64)(PTUN_REKEY_TIMEOUT + 1) * NSEC_PER_SEC);
}

struct ptun_noise_keypair *ptun_noise_keypair_get(struct ptun_noise_keypair *keypair);
void ptun_noise_keypair_put(struct ptun_noise_keypair *keypair, bool unreference_now);
void ptun_noise_keypairs_init(struct ptun_noise_keypairs *keypairs);
void ptun_noise_keypairs_clear(struct ptun_noise_keypairs *keypairs);
/*
 * Called for every authenticated data message: promotes next to current
 * when the initiator's first message confirms it.  True if it did.
 */
bool ptun_noise_received_with_keypair(struct ptun_noise_keypairs *keypairs,
				      struct ptun_noise_keypair *received_keypair);
/* Stop sending with the current keypair (forcing a new handshake). */
void ptun_noise_expire_current_peer_keypairs(struct ptun_peer *peer);

void ptun_noise_static_identity_init(struct ptun_noise_static_identity *identity);
/*
 * Set the private key (all zero clears the identity) and derive the public
 * key.  Caller holds the device's update_lock; every peer's precomputed
 * static-static DH is invalidated by the caller via
 * ptun_noise_handshake_invalidate_precomputed().
 */
void ptun_noise_set_static_identity(struct ptun_noise_static_identity *identity,
				    const u8 private_key[PTUN_NOISE_PUBLIC_KEY_LEN]);
void ptun_noise_clear_static_identity(struct ptun_noise_static_identity *identity);
/* True for a public key no handshake can succeed with (a point of small order). */
bool ptun_noise_public_key_is_low_order(const u8 key[PTUN_NOISE_PUBLIC_KEY_LEN]);
void ptun_noise_handshake_invalidate_precomputed(struct ptun_noise_handshake *handshake);

bool ptun_noise_handshake_create_initiation(struct ptun_message_handshake_initiation *dst,
					    struct ptun_noise_handshake *handshake);
/* The peer that sent a valid initiation, with a reference; NULL otherwise. */
struct ptun_peer *
ptun_noise_handshake_consume_initiation(struct ptun_message_handshake_initiation *src,
					struct ptun_device *device);
bool ptun_noise_handshake_create_response(struct ptun_message_handshake_response *dst,
					  struct ptun_noise_handshake *handshake);
/* The peer that sent a valid response, with a reference; NULL otherwise. */
struct ptun_peer *
ptun_noise_handshake_consume_response(struct ptun_message_handshake_response *src,
				      struct ptun_device *device);
/* Derive the session's keys and install them as next or current keypair. */
bool ptun_noise_handshake_begin_session(struct ptun_noise_handshake *handshake,
					struct ptun_noise_keypairs *keypairs);

#ifdef DEBUG
bool ptun_noise_selftest(void);
#endif

#endif /* _PTUN_NOISE_H */
