// SPDX-License-Identifier: GPL-2.0
/*
 * Finding peers by public key and by the indices we hand out.
 */
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/slab.h>

#include "peer.h"
#include "peerlookup.h"

struct ptun_pubkey_hashtable *ptun_pubkey_hashtable_alloc(void)
{
	struct ptun_pubkey_hashtable *table = kvmalloc(sizeof(*table), GFP_KERNEL);

	if (!table)
		return NULL;
	get_random_bytes(&table->key, sizeof(table->key));
	hash_init(table->hashtable);
	mutex_init(&table->lock);
	return table;
}

void ptun_pubkey_hashtable_free(struct ptun_pubkey_hashtable *table)
{
	if (!table)
		return;
	WARN_ON(!hash_empty(table->hashtable));
	mutex_destroy(&table->lock);
	kvfree(table);
}

static u64 pubkey_hash(const struct ptun_pubkey_hashtable *table,
		       const u8 pubkey[PTUN_NOISE_PUBLIC_KEY_LEN])
{
	return siphash(pubkey, PTUN_NOISE_PUBLIC_KEY_LEN, &table->key);
}

void ptun_pubkey_hashtable_add(struct ptun_pubkey_hashtable *table,
			       struct ptun_peer *peer)
{
	mutex_lock(&table->lock);
	hash_add_rcu(table->hashtable, &peer->pubkey_hash,
		     pubkey_hash(table, peer->handshake.remote_static));
	mutex_unlock(&table->lock);
}

void ptun_pubkey_hashtable_remove(struct ptun_pubkey_hashtable *table,
				  struct ptun_peer *peer)
{
	mutex_lock(&table->lock);
	hash_del_rcu(&peer->pubkey_hash);
	mutex_unlock(&table->lock);
}

struct ptun_peer *
ptun_pubkey_hashtable_lookup(struct ptun_pubkey_hashtable *table,
			     const u8 pubkey[PTUN_NOISE_PUBLIC_KEY_LEN])
{
	struct ptun_peer *iter, *peer = NULL;

	rcu_read_lock_bh();
	hash_for_each_possible_rcu(table->hashtable, iter, pubkey_hash,
				   pubkey_hash(table, pubkey)) {
		/* Public keys are not secret: no need for constant time. */
		if (!memcmp(pubkey, iter->handshake.remote_static,
			    PTUN_NOISE_PUBLIC_KEY_LEN)) {
			peer = iter;
			break;
		}
	}
	peer = ptun_peer_get_maybe_zero(peer);
	rcu_read_unlock_bh();
	return peer;
}

struct ptun_index_hashtable *ptun_index_hashtable_alloc(void)
{
	struct ptun_index_hashtable *table = kvmalloc(sizeof(*table), GFP_KERNEL);

	if (!table)
		return NULL;
	hash_init(table->hashtable);
	spin_lock_init(&table->lock);
	return table;
}

void ptun_index_hashtable_free(struct ptun_index_hashtable *table)
{
	if (!table)
		return;
	WARN_ON(!hash_empty(table->hashtable));
	kvfree(table);
}

/* Caller holds table->lock. */
static bool index_in_use(struct ptun_index_hashtable *table, __le32 index)
{
	struct ptun_index_hashtable_entry *iter;

	hash_for_each_possible(table->hashtable, iter, index_hash,
			       (__force u32)index)
		if (iter->index == index)
			return true;
	return false;
}

/*
 * Random rather than sequential indices: they are all a remote sees of our
 * state, and should neither reveal how many sessions we hold nor let an
 * attacker guess the index of a session it is not part of.
 */
__le32 ptun_index_hashtable_insert(struct ptun_index_hashtable *table,
				   struct ptun_index_hashtable_entry *entry)
{
	__le32 index;

	spin_lock_bh(&table->lock);
	hash_del_rcu(&entry->index_hash);
	do {
		index = (__force __le32)get_random_u32();
	} while (index_in_use(table, index));
	entry->index = index;
	hash_add_rcu(table->hashtable, &entry->index_hash, (__force u32)index);
	spin_unlock_bh(&table->lock);
	return index;
}

bool ptun_index_hashtable_replace(struct ptun_index_hashtable *table,
				  struct ptun_index_hashtable_entry *old,
				  struct ptun_index_hashtable_entry *new)
{
	bool replaced = false;

	spin_lock_bh(&table->lock);
	if (!hlist_unhashed(&old->index_hash)) {
		new->index = old->index;
		hlist_replace_rcu(&old->index_hash, &new->index_hash);
		/*
		 * Mark @old unhashed but keep its next pointer: a reader that
		 * is standing on it still walks on to the rest of the bucket.
		 */
		WRITE_ONCE(old->index_hash.pprev, NULL);
		replaced = true;
	}
	spin_unlock_bh(&table->lock);
	return replaced;
}

void ptun_index_hashtable_remove(struct ptun_index_hashtable *table,
				 struct ptun_index_hashtable_entry *entry)
{
	spin_lock_bh(&table->lock);
	hash_del_rcu(&entry->index_hash);
	spin_unlock_bh(&table->lock);
}

struct ptun_index_hashtable_entry *
ptun_index_hashtable_lookup(struct ptun_index_hashtable *table,
			    const enum ptun_index_hashtable_type type_mask,
			    const __le32 index, struct ptun_peer **peer)
{
	struct ptun_index_hashtable_entry *iter, *entry = NULL;

	rcu_read_lock_bh();
	hash_for_each_possible_rcu(table->hashtable, iter, index_hash,
				   (__force u32)index) {
		if (iter->index == index && (iter->type & type_mask)) {
			entry = iter;
			break;
		}
	}
	if (entry) {
		*peer = ptun_peer_get_maybe_zero(entry->peer);
		if (!*peer)
			entry = NULL;
	}
	rcu_read_unlock_bh();
	return entry;
}
