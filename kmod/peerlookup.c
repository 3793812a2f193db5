// SPDX-License-Identifier: GPL-2.0
/*
 * The peer table and the index table: see peerlookup.h for their rules.
 */
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/siphash.h>
#include <linux/slab.h>

#include "peer.h"
#include "peerlookup.h"

/* Set once at module load, before any table exists; read-only after. */
static hsiphash_key_t lookup_key __read_mostly;

/*
 * rhashtable's @seed is per table and changes when a table is rehashed; our
 * secret key keeps the hash unpredictable from outside whatever the seed.
 */
static u32 lookup_hash(const void *data, u32 len, u32 seed)
{
	hsiphash_key_t key = lookup_key;

	key.key[0] ^= seed;
	return hsiphash(data, len, &key);
}

/*
 * Not get_random_once(): its static key is flipped from a work item just
 * after the first table is made, patching the code the next table's
 * creation runs (a device makes two), which QEMU's TCG has been seen to
 * trip over (an int3 Oops on 7.3).  Nothing needs the key before load.
 */
void ptun_peerlookup_init(void)
{
	get_random_bytes(&lookup_key, sizeof(lookup_key));
}

static const struct rhashtable_params peer_table_params = {
	.key_len = PTUN_NOISE_PUBLIC_KEY_LEN,
	.key_offset = offsetof(struct ptun_peer, handshake.remote_static),
	.head_offset = offsetof(struct ptun_peer, pubkey_node),
	.hashfn = lookup_hash,
	.automatic_shrinking = true,
};

struct ptun_peer_table *ptun_peer_table_create(void)
{
	struct ptun_peer_table *table = kzalloc(sizeof(*table), GFP_KERNEL);

	if (!table)
		return NULL;
	if (rhashtable_init(&table->ht, &peer_table_params)) {
		kfree(table);
		return NULL;
	}
	return table;
}

void ptun_peer_table_destroy(struct ptun_peer_table *table)
{
	if (!table)
		return;
	WARN_ON(atomic_read(&table->ht.nelems));
	rhashtable_destroy(&table->ht);
	kfree(table);
}

int ptun_peer_table_add(struct ptun_peer_table *table, struct ptun_peer *peer)
{
	return rhashtable_lookup_insert_fast(&table->ht, &peer->pubkey_node,
					     peer_table_params);
}

void ptun_peer_table_remove(struct ptun_peer_table *table, struct ptun_peer *peer)
{
	rhashtable_remove_fast(&table->ht, &peer->pubkey_node, peer_table_params);
}

struct ptun_peer *ptun_peer_table_find(struct ptun_peer_table *table,
				       const u8 key[PTUN_NOISE_PUBLIC_KEY_LEN])
{
	struct ptun_peer *peer;

	/* _bh: taking the reference wants it; the table's own RCU is inside. */
	rcu_read_lock_bh();
	peer = rhashtable_lookup_fast(&table->ht, key, peer_table_params);
	peer = ptun_peer_get_maybe_zero(peer);
	rcu_read_unlock_bh();
	return peer;
}

static const struct rhashtable_params index_table_params = {
	.key_len = sizeof(__le32),
	.key_offset = offsetof(struct ptun_indexed, index),
	.head_offset = offsetof(struct ptun_indexed, node),
	.hashfn = lookup_hash,
	.automatic_shrinking = true,
};

struct ptun_index_table *ptun_index_table_create(void)
{
	struct ptun_index_table *table = kzalloc(sizeof(*table), GFP_KERNEL);

	if (!table)
		return NULL;
	if (rhashtable_init(&table->ht, &index_table_params)) {
		kfree(table);
		return NULL;
	}
	spin_lock_init(&table->writer_lock);
	return table;
}

void ptun_index_table_destroy(struct ptun_index_table *table)
{
	if (!table)
		return;
	WARN_ON(atomic_read(&table->ht.nelems));
	rhashtable_destroy(&table->ht);
	kfree(table);
}

/*
 * Indices are random, not counted: they are all a remote sees of our state,
 * and should tell it neither how many sessions we hold nor the index of a
 * session it is not part of.  A clash with an index in use is rare even with
 * 100,000 peers' entries (about one try in 10,000): draw again.
 */
int ptun_index_table_assign(struct ptun_index_table *table, struct ptun_indexed *entry)
{
	int ret;

	spin_lock_bh(&table->writer_lock);
	rhashtable_remove_fast(&table->ht, &entry->node, index_table_params);
	do {
		entry->index = (__force __le32)get_random_u32();
		ret = rhashtable_lookup_insert_fast(&table->ht, &entry->node,
						    index_table_params);
	} while (ret == -EEXIST);
	spin_unlock_bh(&table->writer_lock);
	return ret;
}

bool ptun_index_table_hand_over(struct ptun_index_table *table,
				struct ptun_indexed *from, struct ptun_indexed *to)
{
	int ret;

	spin_lock_bh(&table->writer_lock);
	to->index = from->index;
	ret = rhashtable_replace_fast(&table->ht, &from->node, &to->node,
				      index_table_params);
	spin_unlock_bh(&table->writer_lock);
	return !ret;
}

void ptun_index_table_drop(struct ptun_index_table *table, struct ptun_indexed *entry)
{
	spin_lock_bh(&table->writer_lock);
	rhashtable_remove_fast(&table->ht, &entry->node, index_table_params);
	spin_unlock_bh(&table->writer_lock);
}

struct ptun_indexed *ptun_index_table_find(struct ptun_index_table *table,
					   __le32 index, unsigned int kinds,
					   struct ptun_peer **peer)
{
	struct ptun_indexed *entry;

	rcu_read_lock_bh();
	entry = rhashtable_lookup_fast(&table->ht, &index, index_table_params);
	if (entry && !(entry->kind & kinds))
		entry = NULL;
	*peer = entry ? ptun_peer_get_maybe_zero(entry->peer) : NULL;
	if (!*peer)
		entry = NULL;
	rcu_read_unlock_bh();
	return entry;
}
