/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two ways a packet finds its peer: the peer table, by public key
 * (configuration, handshake initiations), and the index table, by the
 * 32-bit index we chose for one of our handshakes or keypairs (handshake
 * responses, cookie replies, data messages).
 *
 * Both are rhashtables: they grow and shrink with the number of peers (and
 * a device may have 100,000 and more), lookups take no lock, and a chain
 * that grows long makes rhashtable rehash with a new seed.  The seed is
 * folded into a module-wide random hsiphash key, so that nobody outside can
 * aim at one chain.
 */
#ifndef _PTUN_PEERLOOKUP_H
#define _PTUN_PEERLOOKUP_H

#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>

#include "messages.h"

struct ptun_peer;

/*
 * Public key -> peer: the peer's handshake.remote_static is the key and its
 * pubkey_node the link.  Lookups run under RCU and return a reference;
 * changes come from configuration (the device's update_lock) and need no
 * lock of ours: rhashtable's bucket locks serialise them, and a key is
 * in the table at most once.  A peer leaves the table before it is marked
 * dead and is freed only after an RCU grace period.
 */
struct ptun_peer_table {
	struct rhashtable ht;
};

void ptun_peerlookup_init(void);

struct ptun_peer_table *ptun_peer_table_create(void);
/* The table must be empty. */
void ptun_peer_table_destroy(struct ptun_peer_table *table);
/* -EEXIST if a peer has that key already, -ENOMEM. */
int ptun_peer_table_add(struct ptun_peer_table *table, struct ptun_peer *peer);
void ptun_peer_table_remove(struct ptun_peer_table *table, struct ptun_peer *peer);
/* The live peer with that public key, with a reference; NULL if none. */
struct ptun_peer *ptun_peer_table_find(struct ptun_peer_table *table,
				       const u8 key[PTUN_NOISE_PUBLIC_KEY_LEN]);

enum ptun_indexed_kind {
	PTUN_INDEXED_HANDSHAKE = 1U << 0,
	PTUN_INDEXED_KEYPAIR = 1U << 1,
};

/*
 * What the index table holds, embedded in a handshake or a keypair.  @peer
 * and @kind are set before the entry is first published and never change;
 * @index changes only under the table's writer_lock, while the entry is out
 * of the table.  The embedding object must outlive an RCU grace period after
 * it leaves the table.
 */
struct ptun_indexed {
	struct rhash_head node;
	__le32 index;
	enum ptun_indexed_kind kind;
	struct ptun_peer *peer;
};

/*
 * Receiver index -> handshake or keypair.  Lookups run under RCU; every
 * change holds @writer_lock (a BH spinlock, taken from the handshake
 * workers and from keypair release), which makes "give an entry a new
 * index" and "let a keypair take over its handshake's index" atomic for
 * the other writers.
 */
struct ptun_index_table {
	struct rhashtable ht;
	spinlock_t writer_lock;	/* serialises all changes, see above */
};

struct ptun_index_table *ptun_index_table_create(void);
/* The table must be empty. */
void ptun_index_table_destroy(struct ptun_index_table *table);
/*
 * Publish @entry under a fresh random index no other entry has, leaving the
 * one it had; 0 or -ENOMEM (or -EBUSY while the table is too busy to grow).
 */
int ptun_index_table_assign(struct ptun_index_table *table, struct ptun_indexed *entry);
/* @to takes over @from's index and place; false if @from was not in. */
bool ptun_index_table_hand_over(struct ptun_index_table *table,
				struct ptun_indexed *from, struct ptun_indexed *to);
/* Take @entry out, if it is in. */
void ptun_index_table_drop(struct ptun_index_table *table, struct ptun_indexed *entry);
/*
 * The entry of one of the @kinds with that index and its live peer (a
 * reference, in *@peer); NULL if none.
 */
struct ptun_indexed *ptun_index_table_find(struct ptun_index_table *table,
					   __le32 index, unsigned int kinds,
					   struct ptun_peer **peer);

#endif /* _PTUN_PEERLOOKUP_H */
