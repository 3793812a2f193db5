/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cryptokey routing: a longest-prefix-match trie per address family mapping
 * addresses to the peer allowed to use them.
 */
#ifndef _PTUN_ALLOWEDIPS_H
#define _PTUN_ALLOWEDIPS_H

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/mutex.h>
#include <linux/skbuff.h>

struct ptun_peer;
struct ptun_allowedips_node;

/*
 * Readers walk the tries under rcu_read_lock_bh(); writers hold the mutex
 * they pass in (the device's update_lock).  @seq changes with every write so
 * that a netlink dump can tell it raced a change.  @spare holds the
 * @nr_spare nodes that ptun_allowedips_reserve() set aside, never part of a
 * trie, used only under the mutex.
 */
struct ptun_allowedips {
	struct ptun_allowedips_node __rcu *root4;
	struct ptun_allowedips_node __rcu *root6;
	u64 seq;
	struct list_head spare;
	unsigned long nr_spare;
};

void ptun_allowedips_init(struct ptun_allowedips *table);
void ptun_allowedips_free(struct ptun_allowedips *table, struct mutex *lock);

/*
 * Set aside the memory for @inserts inserts, so that a change of several
 * prefixes can be made whole or not at all: until ptun_allowedips_unreserve(),
 * that many inserts cannot fail with -ENOMEM.  Returns 0 or -ENOMEM; what
 * was set aside before a failure stays until unreserve.
 */
int ptun_allowedips_reserve(struct ptun_allowedips *table,
			    unsigned long inserts, struct mutex *lock);
void ptun_allowedips_unreserve(struct ptun_allowedips *table, struct mutex *lock);

/*
 * Map ip/cidr to @peer, taking it from any other peer that had it.  @ip's
 * host bits are ignored.  Returns 0, -ENOMEM (the table is then unchanged;
 * never while a reserve covers the insert) or -EINVAL for a @cidr longer
 * than the address.
 */
int ptun_allowedips_insert_v4(struct ptun_allowedips *table,
			      const struct in_addr *ip, u8 cidr,
			      struct ptun_peer *peer, struct mutex *lock);
int ptun_allowedips_insert_v6(struct ptun_allowedips *table,
			      const struct in6_addr *ip, u8 cidr,
			      struct ptun_peer *peer, struct mutex *lock);

/*
 * Unmap ip/cidr if, and only if, it belongs to @peer.  Returns 0, or -EINVAL
 * for a @cidr longer than the address.
 */
int ptun_allowedips_remove_v4(struct ptun_allowedips *table,
			      const struct in_addr *ip, u8 cidr,
			      struct ptun_peer *peer, struct mutex *lock);
int ptun_allowedips_remove_v6(struct ptun_allowedips *table,
			      const struct in6_addr *ip, u8 cidr,
			      struct ptun_peer *peer, struct mutex *lock);

/* Unmap everything that belongs to @peer. */
void ptun_allowedips_remove_by_peer(struct ptun_allowedips *table,
				    struct ptun_peer *peer, struct mutex *lock);

/*
 * For dumps: the address (4 or 16 bytes into @ip) and prefix length of a
 * node on a peer's allowedips_list.  Returns AF_INET or AF_INET6.
 */
int ptun_allowedips_read_node(struct ptun_allowedips_node *node, u8 ip[16],
			      u8 *cidr);

typedef int (*ptun_allowedips_walk_fn)(void *ctx, int family, const u8 ip[16],
				       u8 cidr);
/*
 * For dumps: call @fn on @peer's allowed IPs in the order they were added,
 * from number *@next on, under the writers' mutex.  When @fn fails, *@next
 * is the number of the IP it failed on and its error is returned; else
 * *@next is 0 and so is the return value.
 */
int ptun_allowedips_walk_by_peer(struct ptun_peer *peer, unsigned long *next,
				 ptun_allowedips_walk_fn fn, void *ctx);

/*
 * The peer whose allowed IPs hold the packet's destination (to send it) or
 * source (to accept it), with a reference the caller must put; NULL if none,
 * or if the most specific match belongs to a peer on its way out.
 * The skb's network header must be a valid IPv4 or IPv6 header matching
 * skb->protocol.
 */
struct ptun_peer *ptun_allowedips_lookup_dst(struct ptun_allowedips *table,
					     struct sk_buff *skb);
struct ptun_peer *ptun_allowedips_lookup_src(struct ptun_allowedips *table,
					     struct sk_buff *skb);

int ptun_allowedips_slab_init(void);
void ptun_allowedips_slab_uninit(void);

#ifdef DEBUG
bool ptun_allowedips_selftest(void);
#endif

#endif /* _PTUN_ALLOWEDIPS_H */
