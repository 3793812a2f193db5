// SPDX-License-Identifier: GPL-2.0
/*
 * Cryptokey routing: a path-compressed binary trie per address family.
 *
 * Every node holds a whole prefix.  Its children hold longer prefixes inside
 * it, one on each side of the first bit past its length.  A node without a
 * peer exists only where two prefixes part ways, so it always has two
 * children and goes away as soon as it would have fewer.  Prefix lengths grow
 * strictly down any path, so no path is longer than 129 nodes.
 *
 * Addresses are two host-order 64-bit words, most significant bit first; an
 * IPv4 address fills the top half of the first.  Both families thus share
 * one set of bit operations, and comparing a prefix costs two XORs.
 */

#include <linux/bitops.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "allowedips.h"
#include "peer.h"

/*
 * One prefix.  @key, @cidr and @bits never change once the node is
 * published; @peer and @child are written under the table's mutex and read
 * under RCU.  @peer_list puts the node on its peer's allowedips_list (it
 * points to itself while there is no peer) and is used only under the mutex,
 * so once the node is out of both trie and list, its storage serves as the
 * rcu_head that frees it.  That keeps a node at 64 bytes.
 */
struct ptun_allowedips_node {
	struct ptun_peer __rcu *peer;
	struct ptun_allowedips_node __rcu *child[2];
	u64 key[2];
	union {
		struct list_head peer_list;
		struct rcu_head rcu;
	};
	u8 cidr;
	u8 bits;	/* 32 or 128: the address family */
};

static_assert(sizeof(struct ptun_allowedips_node) <= 64);

/* Nodes on one path: the prefix lengths 0 to 128, each at most once. */
#define PTUN_ALLOWEDIPS_MAX_DEPTH 129

#define deref_locked(p, lock) \
	rcu_dereference_protected(p, lockdep_is_held(lock))

static struct kmem_cache *node_cache;

#ifdef DEBUG
/* Nodes not yet freed: the cache may be merged, so it can't tell of leaks. */
static atomic_t live_nodes = ATOMIC_INIT(0);

static void live_nodes_add(int n)
{
	atomic_add(n, &live_nodes);
}
#else
static void live_nodes_add(int n)
{
}
#endif

static void key_from_v4(u64 key[2], __be32 addr)
{
	key[0] = (u64)be32_to_cpu(addr) << 32;
	key[1] = 0;
}

static void key_from_v6(u64 key[2], const struct in6_addr *addr)
{
	key[0] = (u64)be32_to_cpu(addr->s6_addr32[0]) << 32 |
		 be32_to_cpu(addr->s6_addr32[1]);
	key[1] = (u64)be32_to_cpu(addr->s6_addr32[2]) << 32 |
		 be32_to_cpu(addr->s6_addr32[3]);
}

/* A mask of the top @n bits of a word, 0 <= n <= 64. */
static u64 top_bits(unsigned int n)
{
	return n ? ~0ULL << (64 - n) : 0;
}

static void key_mask(u64 key[2], unsigned int cidr)
{
	key[0] &= top_bits(min(cidr, 64U));
	key[1] &= top_bits(cidr > 64 ? cidr - 64 : 0);
}

/* How many leading bits @a and @b share. */
static unsigned int common_bits(const u64 a[2], const u64 b[2])
{
	u64 diff = a[0] ^ b[0];

	if (diff)
		return 64 - fls64(diff);
	diff = a[1] ^ b[1];
	return diff ? 128 - fls64(diff) : 128;
}

/* Bit @i of @key, counting from the most significant; i < 128. */
static unsigned int bit_at(const u64 key[2], unsigned int i)
{
	return (key[i / 64] >> (63 - i % 64)) & 1;
}

static struct ptun_allowedips_node __rcu **
root_of(struct ptun_allowedips *table, unsigned int bits)
{
	return bits == 32 ? &table->root4 : &table->root6;
}

static struct ptun_allowedips_node *node_alloc(void)
{
	struct ptun_allowedips_node *node = kmem_cache_zalloc(node_cache, GFP_KERNEL);

	if (node)
		live_nodes_add(1);
	return node;
}

/* A node for a prefix: from the table's reserve first, if it has one. */
static struct ptun_allowedips_node *node_new(struct ptun_allowedips *table,
					     unsigned int bits,
					     const u64 key[2], unsigned int cidr)
{
	struct ptun_allowedips_node *node;

	node = list_first_entry_or_null(&table->spare, struct ptun_allowedips_node,
					peer_list);
	if (node) {
		list_del(&node->peer_list);
		--table->nr_spare;
		memset(node, 0, sizeof(*node));
	} else {
		node = node_alloc();
		if (!node)
			return NULL;
	}
	node->key[0] = key[0];
	node->key[1] = key[1];
	key_mask(node->key, cidr);
	node->cidr = cidr;
	node->bits = bits;
	INIT_LIST_HEAD(&node->peer_list);
	return node;
}

static void node_free_now(struct ptun_allowedips_node *node)
{
	kmem_cache_free(node_cache, node);
	live_nodes_add(-1);
}

static void node_free_rcu(struct rcu_head *rcu)
{
	node_free_now(container_of(rcu, struct ptun_allowedips_node, rcu));
}

/* @node must be off its peer's list: its rcu_head shares that storage. */
static void node_free(struct ptun_allowedips_node *node)
{
	call_rcu(&node->rcu, node_free_rcu);
}

static void node_set_peer(struct ptun_allowedips_node *node,
			  struct ptun_peer *peer)
{
	list_move_tail(&node->peer_list, &peer->allowedips_list);
	rcu_assign_pointer(node->peer, peer);
}

void ptun_allowedips_init(struct ptun_allowedips *table)
{
	RCU_INIT_POINTER(table->root4, NULL);
	RCU_INIT_POINTER(table->root6, NULL);
	/* Never 0, so that a dump's first message records a generation. */
	table->seq = 1;
	INIT_LIST_HEAD(&table->spare);
	table->nr_spare = 0;
}

/*
 * An insert takes at most two nodes: the prefix's own, and a fork where it
 * parts ways with a prefix already in the trie.
 */
#define PTUN_ALLOWEDIPS_NODES_PER_INSERT 2

int ptun_allowedips_reserve(struct ptun_allowedips *table, unsigned long inserts,
			    struct mutex *lock)
{
	unsigned long want = inserts * PTUN_ALLOWEDIPS_NODES_PER_INSERT;
	struct ptun_allowedips_node *node;

	lockdep_assert_held(lock);
	while (table->nr_spare < want) {
		node = node_alloc();
		if (!node)
			return -ENOMEM;
		list_add(&node->peer_list, &table->spare);
		++table->nr_spare;
	}
	return 0;
}

void ptun_allowedips_unreserve(struct ptun_allowedips *table, struct mutex *lock)
{
	struct ptun_allowedips_node *node, *next;

	lockdep_assert_held(lock);
	/* Never published: no reader can hold one. */
	list_for_each_entry_safe(node, next, &table->spare, peer_list)
		node_free_now(node);
	INIT_LIST_HEAD(&table->spare);
	table->nr_spare = 0;
}

/*
 * Unhook a whole trie and free it.  Children pending on the right wait on an
 * explicit stack; the left ones are followed at once, so the stack holds at
 * most one node per depth below the root.
 */
static void trie_free(struct ptun_allowedips_node __rcu **root,
		      struct mutex *lock)
{
	struct ptun_allowedips_node *stack[PTUN_ALLOWEDIPS_MAX_DEPTH - 1];
	struct ptun_allowedips_node *node, *left, *right;
	unsigned int len = 0;

	node = deref_locked(*root, lock);
	RCU_INIT_POINTER(*root, NULL);
	for (;;) {
		if (!node) {
			if (!len)
				break;
			node = stack[--len];
		}
		left = deref_locked(node->child[0], lock);
		right = deref_locked(node->child[1], lock);
		if (right && !WARN_ON_ONCE(len == ARRAY_SIZE(stack)))
			stack[len++] = right;
		list_del(&node->peer_list);
		node_free(node);
		node = left;
	}
}

void ptun_allowedips_free(struct ptun_allowedips *table, struct mutex *lock)
{
	trie_free(&table->root4, lock);
	trie_free(&table->root6, lock);
	ptun_allowedips_unreserve(table, lock);
	++table->seq;
}

static int insert_prefix(struct ptun_allowedips *table, unsigned int bits,
			 const u64 key[2], unsigned int cidr,
			 struct ptun_peer *peer, struct mutex *lock)
{
	struct ptun_allowedips_node __rcu **slot = root_of(table, bits);
	struct ptun_allowedips_node *node, *leaf, *fork;
	unsigned int common = 0;

	if (WARN_ON(!peer) || cidr > bits)
		return -EINVAL;

	/* Find where the prefix belongs: at or just above @node, in @slot. */
	while ((node = deref_locked(*slot, lock))) {
		common = min3(common_bits(node->key, key), cidr,
			      (unsigned int)node->cidr);
		if (common < node->cidr)
			break;
		if (node->cidr == cidr) {
			if (rcu_access_pointer(node->peer) != peer) {
				node_set_peer(node, peer);
				++table->seq;
			}
			return 0;
		}
		slot = &node->child[bit_at(key, node->cidr)];
	}

	/* Allocate everything before touching the trie, which then can't fail. */
	leaf = node_new(table, bits, key, cidr);
	if (!leaf)
		return -ENOMEM;
	fork = NULL;
	if (node && common < cidr) {
		fork = node_new(table, bits, key, common);
		if (!fork) {
			node_free_now(leaf);
			return -ENOMEM;
		}
	}
	node_set_peer(leaf, peer);

	if (fork) {
		/* @node and the new prefix part ways at bit @common. */
		RCU_INIT_POINTER(fork->child[bit_at(key, common)], leaf);
		RCU_INIT_POINTER(fork->child[bit_at(node->key, common)], node);
		rcu_assign_pointer(*slot, fork);
	} else {
		/* The new prefix contains @node, if there is one. */
		if (node)
			RCU_INIT_POINTER(leaf->child[bit_at(node->key, cidr)],
					 node);
		rcu_assign_pointer(*slot, leaf);
	}
	++table->seq;
	return 0;
}

/* Where a node hangs in the trie, and where its parent does (NULL: root). */
struct trie_link {
	struct ptun_allowedips_node __rcu **self, **parent;
};

static struct ptun_allowedips_node *
find_exact(struct ptun_allowedips_node __rcu **root, const u64 key[2],
	   unsigned int cidr, struct trie_link *at, struct mutex *lock)
{
	struct ptun_allowedips_node *node;

	at->self = root;
	at->parent = NULL;
	while ((node = deref_locked(*at->self, lock))) {
		if (node->cidr > cidr || common_bits(node->key, key) < node->cidr)
			return NULL;
		if (node->cidr == cidr)
			return node;
		at->parent = at->self;
		at->self = &node->child[bit_at(key, node->cidr)];
	}
	return NULL;
}

/*
 * Take @node's peer away, then drop the node unless it still parts two
 * prefixes, and its parent too if that was a fork left with one branch.
 */
static void node_unmap(struct ptun_allowedips_node *node,
		       const struct trie_link *at, struct mutex *lock)
{
	struct ptun_allowedips_node *child0, *child1, *parent, *rest;

	RCU_INIT_POINTER(node->peer, NULL);
	list_del_init(&node->peer_list);

	child0 = deref_locked(node->child[0], lock);
	child1 = deref_locked(node->child[1], lock);
	if (child0 && child1)
		return;
	rcu_assign_pointer(*at->self, child0 ?: child1);
	node_free(node);
	if (child0 || child1 || !at->parent)
		return;

	parent = deref_locked(*at->parent, lock);
	if (rcu_access_pointer(parent->peer))
		return;
	rest = deref_locked(parent->child[0], lock) ?:
	       deref_locked(parent->child[1], lock);
	rcu_assign_pointer(*at->parent, rest);
	node_free(parent);
}

static int remove_prefix(struct ptun_allowedips *table, unsigned int bits,
			 u64 key[2], unsigned int cidr, struct ptun_peer *peer,
			 struct mutex *lock)
{
	struct ptun_allowedips_node *node;
	struct trie_link at;

	if (cidr > bits)
		return -EINVAL;
	key_mask(key, cidr);
	node = find_exact(root_of(table, bits), key, cidr, &at, lock);
	if (!node || !peer || rcu_access_pointer(node->peer) != peer)
		return 0;
	node_unmap(node, &at, lock);
	++table->seq;
	return 0;
}

int ptun_allowedips_insert_v4(struct ptun_allowedips *table,
			      const struct in_addr *ip, u8 cidr,
			      struct ptun_peer *peer, struct mutex *lock)
{
	u64 key[2];

	key_from_v4(key, ip->s_addr);
	return insert_prefix(table, 32, key, cidr, peer, lock);
}

int ptun_allowedips_insert_v6(struct ptun_allowedips *table,
			      const struct in6_addr *ip, u8 cidr,
			      struct ptun_peer *peer, struct mutex *lock)
{
	u64 key[2];

	key_from_v6(key, ip);
	return insert_prefix(table, 128, key, cidr, peer, lock);
}

int ptun_allowedips_remove_v4(struct ptun_allowedips *table,
			      const struct in_addr *ip, u8 cidr,
			      struct ptun_peer *peer, struct mutex *lock)
{
	u64 key[2];

	key_from_v4(key, ip->s_addr);
	return remove_prefix(table, 32, key, cidr, peer, lock);
}

int ptun_allowedips_remove_v6(struct ptun_allowedips *table,
			      const struct in6_addr *ip, u8 cidr,
			      struct ptun_peer *peer, struct mutex *lock)
{
	u64 key[2];

	key_from_v6(key, ip);
	return remove_prefix(table, 128, key, cidr, peer, lock);
}

void ptun_allowedips_remove_by_peer(struct ptun_allowedips *table,
				    struct ptun_peer *peer, struct mutex *lock)
{
	struct ptun_allowedips_node *node, *next;
	struct trie_link at;

	if (list_empty(&peer->allowedips_list))
		return;
	/*
	 * node_unmap() frees at most @node and a fork above it; forks have
	 * no peer, so @next, on this peer's list, survives.
	 */
	list_for_each_entry_safe(node, next, &peer->allowedips_list, peer_list) {
		if (WARN_ON(find_exact(root_of(table, node->bits), node->key,
				       node->cidr, &at, lock) != node))
			continue;
		node_unmap(node, &at, lock);
	}
	++table->seq;
}

int ptun_allowedips_read_node(struct ptun_allowedips_node *node, u8 ip[16],
			      u8 *cidr)
{
	__be32 words[4];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(words); i++)
		words[i] = cpu_to_be32(node->key[i / 2] >> (i % 2 ? 0 : 32));
	memcpy(ip, words, node->bits / 8);
	*cidr = node->cidr;
	return node->bits == 32 ? AF_INET : AF_INET6;
}

int ptun_allowedips_walk_by_peer(struct ptun_peer *peer, unsigned long *next,
				 ptun_allowedips_walk_fn fn, void *ctx)
{
	struct ptun_allowedips_node *node;
	unsigned long i = 0;
	u8 ip[16], cidr;
	int family, ret;

	list_for_each_entry(node, &peer->allowedips_list, peer_list) {
		if (i++ < *next)
			continue;
		family = ptun_allowedips_read_node(node, ip, &cidr);
		ret = fn(ctx, family, ip, cidr);
		if (ret) {
			*next = i - 1;
			return ret;
		}
	}
	*next = 0;
	return 0;
}

/* The most specific match for @key, with a reference. */
static struct ptun_peer *
lookup_key(struct ptun_allowedips_node __rcu *const *root, const u64 key[2])
{
	struct ptun_allowedips_node *node;
	struct ptun_peer *best = NULL, *peer;

	rcu_read_lock_bh();
	node = rcu_dereference_bh(*root);
	while (node && common_bits(node->key, key) >= node->cidr) {
		peer = rcu_dereference_bh(node->peer);
		if (peer)
			best = peer;
		if (node->cidr == node->bits)
			break;
		node = rcu_dereference_bh(node->child[bit_at(key, node->cidr)]);
	}
	/*
	 * A dying peer still in the trie is about to leave it: drop the
	 * packet rather than hand it to a less specific route.
	 */
	best = ptun_peer_get_maybe_zero(best);
	rcu_read_unlock_bh();
	return best;
}

static struct ptun_peer *lookup_skb(struct ptun_allowedips *table,
				    struct sk_buff *skb, bool dst)
{
	u64 key[2];

	if (skb->protocol == htons(ETH_P_IP)) {
		const struct iphdr *iph = ip_hdr(skb);

		key_from_v4(key, dst ? iph->daddr : iph->saddr);
		return lookup_key(&table->root4, key);
	}
	if (skb->protocol == htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		key_from_v6(key, dst ? &ip6h->daddr : &ip6h->saddr);
		return lookup_key(&table->root6, key);
	}
	return NULL;
}

struct ptun_peer *ptun_allowedips_lookup_dst(struct ptun_allowedips *table,
					     struct sk_buff *skb)
{
	return lookup_skb(table, skb, true);
}

struct ptun_peer *ptun_allowedips_lookup_src(struct ptun_allowedips *table,
					     struct sk_buff *skb)
{
	return lookup_skb(table, skb, false);
}

int ptun_allowedips_slab_init(void)
{
	node_cache = KMEM_CACHE(ptun_allowedips_node, 0);
	return node_cache ? 0 : -ENOMEM;
}

void ptun_allowedips_slab_uninit(void)
{
	/* Nodes still waiting for their grace period belong to the cache. */
	rcu_barrier();
	kmem_cache_destroy(node_cache);
}

#ifdef DEBUG
#include "selftest/allowedips.c"
#endif
