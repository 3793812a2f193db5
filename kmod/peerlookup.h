/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finding peers: by public key (configuration, handshake initiations) and by
 * the 32-bit index we handed out for a handshake or a keypair (handshake
 * responses, cookie replies, transport data).
 */
#ifndef _PTUN_PEERLOOKUP_H
#define _PTUN_PEERLOOKUP_H

#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>

#include "messages.h"

struct ptun_peer;

/*
 * Writers hold @lock; readers use RCU.  Keys are hashed with a random
 * siphash key so that a remote cannot aim for one bucket.
 */
struct ptun_pubkey_hashtable {
	DECLARE_HASHTABLE(hashtable, 11);
	siphash_key_t key;
	struct mutex lock;	/* protects hashtable */
};

struct ptun_pubkey_hashtable *ptun_pubkey_hashtable_alloc(void);
void ptun_pubkey_hashtable_free(struct ptun_pubkey_hashtable *table);
void ptun_pubkey_hashtable_add(struct ptun_pubkey_hashtable *table,
			       struct ptun_peer *peer);
void ptun_pubkey_hashtable_remove(struct ptun_pubkey_hashtable *table,
				  struct ptun_peer *peer);
/* The peer with that public key, with a reference; NULL if none. */
struct ptun_peer *
ptun_pubkey_hashtable_lookup(struct ptun_pubkey_hashtable *table,
			     const u8 pubkey[PTUN_NOISE_PUBLIC_KEY_LEN]);

enum ptun_index_hashtable_type {
	PTUN_INDEX_HANDSHAKE = 1U << 0,
	PTUN_INDEX_KEYPAIR = 1U << 1,
};

/* Embedded in a handshake or a keypair; @index is ours, chosen at random. */
struct ptun_index_hashtable_entry {
	struct ptun_peer *peer;
	struct hlist_node index_hash;
	enum ptun_index_hashtable_type type;
	__le32 index;
};

struct ptun_index_hashtable {
	DECLARE_HASHTABLE(hashtable, 13);
	spinlock_t lock;	/* protects hashtable against writers */
};

struct ptun_index_hashtable *ptun_index_hashtable_alloc(void);
void ptun_index_hashtable_free(struct ptun_index_hashtable *table);
/* Give @entry a fresh random index unique in @table; returns it. */
__le32 ptun_index_hashtable_insert(struct ptun_index_hashtable *table,
				   struct ptun_index_hashtable_entry *entry);
/* Put @new in @old's place, with @old's index; false if @old was not in. */
bool ptun_index_hashtable_replace(struct ptun_index_hashtable *table,
				  struct ptun_index_hashtable_entry *old,
				  struct ptun_index_hashtable_entry *new);
void ptun_index_hashtable_remove(struct ptun_index_hashtable *table,
				 struct ptun_index_hashtable_entry *entry);
/*
 * The entry of one of the @type_mask types with that index, and its peer
 * (with a reference, in *@peer); NULL if none or the peer is dying.
 */
struct ptun_index_hashtable_entry *
ptun_index_hashtable_lookup(struct ptun_index_hashtable *table,
			    const enum ptun_index_hashtable_type type_mask,
			    const __le32 index, struct ptun_peer **peer);

#endif /* _PTUN_PEERLOOKUP_H */
