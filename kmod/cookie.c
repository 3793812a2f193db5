// SPDX-License-Identifier: GPL-2.0
/*
 * MAC1, MAC2 and cookie replies (WireGuard whitepaper, section 5.4.4 and
 * 5.4.7).
 *
 * MAC1 = MAC(HASH("mac1----" || receiver's public key), message up to mac1)
 * proves the sender knows whom it talks to, so we can drop junk before any
 * Curve25519.  Under load we also want MAC2 = MAC(cookie, message up to
 * mac2), where the cookie is a MAC of the sender's address under a secret
 * of ours that changes every two minutes: a sender proves it can receive
 * at the address it claims before we spend work on it.
 */
#include <crypto/algapi.h>
#include <linux/ipv6.h>
#include <linux/random.h>

#include "cookie.h"
#include "device.h"
#include "peer.h"
#include "timers.h"

static const u8 mac1_key_label[8] __nonstring = "mac1----";
static const u8 cookie_key_label[8] __nonstring = "cookie--";

void ptun_cookie_checker_init(struct ptun_cookie_checker *checker,
			      struct ptun_device *device)
{
	init_rwsem(&checker->secret_lock);
	checker->secret_birthdate = ktime_get_coarse_boottime_ns();
	get_random_bytes(checker->secret, sizeof(checker->secret));
	checker->device = device;
}

/* HASH(label || public key): the keys of MAC1 and of the cookie AEAD. */
static void cookie_precompute_key(u8 key[PTUN_NOISE_SYMMETRIC_KEY_LEN],
				  const u8 label[8],
				  const u8 public_key[PTUN_NOISE_PUBLIC_KEY_LEN])
{
	struct blake2s_state state;

	blake2s_init(&state, PTUN_NOISE_SYMMETRIC_KEY_LEN);
	blake2s_update(&state, label, 8);
	blake2s_update(&state, public_key, PTUN_NOISE_PUBLIC_KEY_LEN);
	blake2s_final(&state, key);
}

void ptun_cookie_checker_precompute_device_keys(struct ptun_cookie_checker *checker)
{
	struct ptun_noise_static_identity *identity = &checker->device->static_identity;

	down_read(&identity->lock);
	if (likely(identity->has_identity)) {
		cookie_precompute_key(checker->cookie_encryption_key,
				      cookie_key_label, identity->static_public);
		cookie_precompute_key(checker->message_mac1_key,
				      mac1_key_label, identity->static_public);
	} else {
		memzero_explicit(checker->cookie_encryption_key,
				 sizeof(checker->cookie_encryption_key));
		memzero_explicit(checker->message_mac1_key,
				 sizeof(checker->message_mac1_key));
	}
	up_read(&identity->lock);
}

void ptun_cookie_checker_precompute_peer_keys(struct ptun_peer *peer)
{
	const u8 *public_key = peer->handshake.remote_static;

	cookie_precompute_key(peer->latest_cookie.cookie_decryption_key,
			      cookie_key_label, public_key);
	cookie_precompute_key(peer->latest_cookie.message_mac1_key,
			      mac1_key_label, public_key);
}

void ptun_cookie_init(struct ptun_cookie *cookie)
{
	memset(cookie, 0, sizeof(*cookie));
	init_rwsem(&cookie->lock);
}

/* Both MACs sit at the end of a handshake message; each covers what precedes it. */
static void cookie_compute_mac1(u8 mac1[PTUN_COOKIE_LEN], const void *message,
				size_t len, const u8 key[PTUN_NOISE_SYMMETRIC_KEY_LEN])
{
	len -= sizeof(struct ptun_message_macs);
	blake2s(mac1, message, key, PTUN_COOKIE_LEN, len,
		PTUN_NOISE_SYMMETRIC_KEY_LEN);
}

static void cookie_compute_mac2(u8 mac2[PTUN_COOKIE_LEN], const void *message,
				size_t len, const u8 cookie[PTUN_COOKIE_LEN])
{
	len -= sizeof_field(struct ptun_message_macs, mac2);
	blake2s(mac2, message, cookie, PTUN_COOKIE_LEN, len, PTUN_COOKIE_LEN);
}

/* The cookie of the address and port @skb came from: MAC(secret, addr || port). */
static void cookie_make(u8 cookie[PTUN_COOKIE_LEN], struct sk_buff *skb,
			struct ptun_cookie_checker *checker)
{
	struct blake2s_state state;

	if (ptun_birthdate_has_expired(checker->secret_birthdate,
				       PTUN_COOKIE_SECRET_MAX_AGE)) {
		down_write(&checker->secret_lock);
		/* Another CPU may have rotated it while we waited. */
		if (ptun_birthdate_has_expired(checker->secret_birthdate,
					       PTUN_COOKIE_SECRET_MAX_AGE)) {
			get_random_bytes(checker->secret, sizeof(checker->secret));
			checker->secret_birthdate = ktime_get_coarse_boottime_ns();
		}
		up_write(&checker->secret_lock);
	}

	down_read(&checker->secret_lock);
	blake2s_init_key(&state, PTUN_COOKIE_LEN, checker->secret,
			 sizeof(checker->secret));
	if (skb->protocol == htons(ETH_P_IP))
		blake2s_update(&state, (u8 *)&ip_hdr(skb)->saddr,
			       sizeof(struct in_addr));
	else
		blake2s_update(&state, (u8 *)&ipv6_hdr(skb)->saddr,
			       sizeof(struct in6_addr));
	blake2s_update(&state, (u8 *)&udp_hdr(skb)->source, sizeof(__be16));
	blake2s_final(&state, cookie);
	up_read(&checker->secret_lock);
}

enum ptun_cookie_mac_state
ptun_cookie_validate_packet(struct ptun_cookie_checker *checker,
			    struct sk_buff *skb, bool check_cookie)
{
	struct ptun_message_macs *macs = (struct ptun_message_macs *)
		(skb->data + skb->len - sizeof(*macs));
	enum ptun_cookie_mac_state ret;
	u8 computed_mac[PTUN_COOKIE_LEN];
	u8 cookie[PTUN_COOKIE_LEN];

	ret = PTUN_INVALID_MAC;
	cookie_compute_mac1(computed_mac, skb->data, skb->len,
			    checker->message_mac1_key);
	if (crypto_memneq(computed_mac, macs->mac1, PTUN_COOKIE_LEN))
		goto out;

	ret = PTUN_VALID_MAC_BUT_NO_COOKIE;
	if (!check_cookie)
		goto out;

	cookie_make(cookie, skb, checker);
	cookie_compute_mac2(computed_mac, skb->data, skb->len, cookie);
	memzero_explicit(cookie, sizeof(cookie));
	if (crypto_memneq(computed_mac, macs->mac2, PTUN_COOKIE_LEN))
		goto out;

	ret = PTUN_VALID_MAC_WITH_COOKIE;
out:
	return ret;
}

/*
 * A cookie is good for PTUN_COOKIE_SECRET_MAX_AGE from when the responder
 * made it; we stop using it a little earlier, for the time the reply took.
 */
void ptun_cookie_add_mac_to_packet(void *message, size_t len,
				   struct ptun_peer *peer)
{
	struct ptun_message_macs *macs = (struct ptun_message_macs *)
		((u8 *)message + len - sizeof(*macs));
	struct ptun_cookie *cookie = &peer->latest_cookie;

	down_write(&cookie->lock);
	cookie_compute_mac1(macs->mac1, message, len, cookie->message_mac1_key);
	/* A cookie reply to this message will be bound to this MAC1. */
	memcpy(cookie->last_mac1_sent, macs->mac1, PTUN_COOKIE_LEN);
	cookie->have_sent_mac1 = true;

	if (cookie->is_valid &&
	    !ptun_birthdate_has_expired(cookie->birthdate,
					PTUN_COOKIE_SECRET_MAX_AGE -
					PTUN_COOKIE_SECRET_LATENCY))
		cookie_compute_mac2(macs->mac2, message, len, cookie->cookie);
	else
		memset(macs->mac2, 0, PTUN_COOKIE_LEN);
	up_write(&cookie->lock);
}

void ptun_cookie_message_create(struct ptun_message_handshake_cookie *dst,
				struct sk_buff *skb, __le32 index,
				struct ptun_cookie_checker *checker)
{
	struct ptun_message_macs *macs = (struct ptun_message_macs *)
		(skb->data + skb->len - sizeof(*macs));
	u8 cookie[PTUN_COOKIE_LEN];

	dst->header.type = cpu_to_le32(PTUN_MESSAGE_HANDSHAKE_COOKIE);
	dst->receiver_index = index;
	get_random_bytes(dst->nonce, PTUN_COOKIE_NONCE_LEN);

	cookie_make(cookie, skb, checker);
	/* Bound to the message it answers, so it cannot be replayed to others. */
	xchacha20poly1305_encrypt(dst->encrypted_cookie, cookie, PTUN_COOKIE_LEN,
				  macs->mac1, PTUN_COOKIE_LEN, dst->nonce,
				  checker->cookie_encryption_key);
	memzero_explicit(cookie, sizeof(cookie));
}

void ptun_cookie_message_consume(struct ptun_message_handshake_cookie *src,
				 struct ptun_device *device)
{
	struct ptun_index_hashtable_entry *entry;
	struct ptun_peer *peer = NULL;
	u8 cookie[PTUN_COOKIE_LEN];
	struct ptun_cookie *latest;
	bool ok;

	entry = ptun_index_hashtable_lookup(device->index_hashtable,
					    PTUN_INDEX_HANDSHAKE | PTUN_INDEX_KEYPAIR,
					    src->receiver_index, &peer);
	if (unlikely(!entry)) {
		ptun_count_drop(device, NULL, PTUN_A_DROPS_UNKNOWN_RECEIVER);
		return;
	}
	latest = &peer->latest_cookie;

	down_read(&latest->lock);
	if (unlikely(!latest->have_sent_mac1)) {
		up_read(&latest->lock);
		ptun_count_drop(device, peer, PTUN_A_DROPS_REPLAYED);
		goto out;
	}
	ok = xchacha20poly1305_decrypt(cookie, src->encrypted_cookie,
				       sizeof(src->encrypted_cookie),
				       latest->last_mac1_sent, PTUN_COOKIE_LEN,
				       src->nonce, latest->cookie_decryption_key);
	up_read(&latest->lock);

	if (ok) {
		down_write(&latest->lock);
		memcpy(latest->cookie, cookie, PTUN_COOKIE_LEN);
		latest->birthdate = ktime_get_coarse_boottime_ns();
		latest->is_valid = true;
		/* One cookie per handshake we sent: a second reply is junk. */
		latest->have_sent_mac1 = false;
		up_write(&latest->lock);
		ptun_count_handshake(peer, PTUN_A_HANDSHAKES_COOKIES_RECEIVED);
	} else {
		net_dbg_ratelimited("%s: could not decrypt a cookie reply\n",
				    netdev_name(device->dev));
		ptun_count_drop(device, peer, PTUN_A_DROPS_HANDSHAKE_INVALID);
	}
	memzero_explicit(cookie, sizeof(cookie));
out:
	ptun_peer_put(peer);
}
