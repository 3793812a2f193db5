// SPDX-License-Identifier: GPL-2.0
/*
 * The trie against a flat list that finds the longest match the obvious
 * way, plus hand-written cases and a check of the trie's own invariants.
 * Run at module load in DEBUG builds; included by allowedips.c.
 */

#include <linux/inet.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/string.h>

enum {
	ST_PEERS = 8,
	ST_PREFIXES = 2000,	/* random ones, per family */
	ST_LOOKUPS = 3000,	/* per family, per round */
	ST_REMOVALS = 1000,
};

union st_addr {
	u8 b[16];
	struct in_addr in4;
	struct in6_addr in6;
};

/* The reference: every prefix in a flat array, per family. */
struct st_prefix {
	union st_addr addr;
	u8 cidr;
	struct ptun_peer *peer;
};

struct st_ref {
	struct st_prefix *v;
	unsigned int len, cap;
};

struct st_ctx {
	struct ptun_allowedips table;
	struct mutex lock;	/* the table's writers' lock */
	struct ptun_peer *peers[ST_PEERS];
	struct st_ref ref[2];	/* IPv4, IPv6 */
	struct sk_buff *skb;
	struct rnd_state rnd;
	bool ok;
};

static struct st_ref *st_ref_of(struct st_ctx *ctx, unsigned int bits)
{
	return &ctx->ref[bits == 128];
}

static u32 st_rand(struct st_ctx *ctx, u32 below)
{
	return prandom_u32_state(&ctx->rnd) % below;
}

static int st_peer_index(struct st_ctx *ctx, struct ptun_peer *peer)
{
	int i;

	for (i = 0; i < ST_PEERS; i++)
		if (ctx->peers[i] == peer)
			return i;
	return -1;
}

/* Zero the bits of @addr from @cidr on, a byte at a time. */
static void st_mask(union st_addr *addr, unsigned int cidr)
{
	unsigned int i;

	for (i = 0; i < sizeof(addr->b); i++) {
		if (cidr >= 8 * (i + 1))
			continue;
		addr->b[i] &= cidr > 8 * i ? 0xff00 >> (cidr - 8 * i) : 0;
	}
}

static bool st_in_prefix(const union st_addr *addr,
			 const struct st_prefix *prefix)
{
	unsigned int full = prefix->cidr / 8, rest = prefix->cidr % 8;

	if (memcmp(addr->b, prefix->addr.b, full))
		return false;
	return !rest ||
	       !((addr->b[full] ^ prefix->addr.b[full]) & (0xff00 >> rest));
}

static struct st_prefix *st_ref_find(struct st_ref *ref,
				     const union st_addr *addr, u8 cidr)
{
	unsigned int i;

	for (i = 0; i < ref->len; i++)
		if (ref->v[i].cidr == cidr && st_in_prefix(addr, &ref->v[i]))
			return &ref->v[i];
	return NULL;
}

static void st_ref_insert(struct st_ref *ref, const union st_addr *addr,
			  u8 cidr, struct ptun_peer *peer)
{
	struct st_prefix *prefix = st_ref_find(ref, addr, cidr);

	if (!prefix) {
		if (WARN_ON(ref->len == ref->cap))
			return;
		prefix = &ref->v[ref->len++];
		prefix->addr = *addr;
		prefix->cidr = cidr;
	}
	prefix->peer = peer;
}

static void st_ref_delete(struct st_ref *ref, struct st_prefix *prefix)
{
	*prefix = ref->v[--ref->len];
}

static struct ptun_peer *st_ref_lookup(struct st_ref *ref,
				       const union st_addr *addr)
{
	struct st_prefix *best = NULL;
	unsigned int i;

	for (i = 0; i < ref->len; i++)
		if ((!best || ref->v[i].cidr > best->cidr) &&
		    st_in_prefix(addr, &ref->v[i]))
			best = &ref->v[i];
	return best ? best->peer : NULL;
}

static void st_fail(struct st_ctx *ctx, int line, const char *what)
{
	pr_err("allowedips self-test, line %d: %s\n", line, what);
	ctx->ok = false;
}

static int st_insert(struct st_ctx *ctx, unsigned int bits,
		     const union st_addr *addr, u8 cidr, struct ptun_peer *peer)
{
	int ret;

	mutex_lock(&ctx->lock);
	if (bits == 32)
		ret = ptun_allowedips_insert_v4(&ctx->table, &addr->in4, cidr,
						peer, &ctx->lock);
	else
		ret = ptun_allowedips_insert_v6(&ctx->table, &addr->in6, cidr,
						peer, &ctx->lock);
	mutex_unlock(&ctx->lock);
	return ret;
}

static int st_remove(struct st_ctx *ctx, unsigned int bits,
		     const union st_addr *addr, u8 cidr, struct ptun_peer *peer)
{
	int ret;

	mutex_lock(&ctx->lock);
	if (bits == 32)
		ret = ptun_allowedips_remove_v4(&ctx->table, &addr->in4, cidr,
						peer, &ctx->lock);
	else
		ret = ptun_allowedips_remove_v6(&ctx->table, &addr->in6, cidr,
						peer, &ctx->lock);
	mutex_unlock(&ctx->lock);
	return ret;
}

static void st_remove_by_peer(struct st_ctx *ctx, struct ptun_peer *peer)
{
	mutex_lock(&ctx->lock);
	ptun_allowedips_remove_by_peer(&ctx->table, peer, &ctx->lock);
	mutex_unlock(&ctx->lock);
}

/*
 * Route @dst (and @src, the other way) through the public skb lookups.  The
 * other address of the header is set to the complement, so that reading the
 * wrong field shows.  The peer's reference is dropped before returning.
 */
static struct ptun_peer *st_lookup(struct st_ctx *ctx, unsigned int bits,
				   const union st_addr *addr, bool dst)
{
	struct sk_buff *skb = ctx->skb;
	union st_addr other;
	struct ptun_peer *peer;
	unsigned int i;

	for (i = 0; i < sizeof(other.b); i++)
		other.b[i] = ~addr->b[i];
	if (bits == 32) {
		struct iphdr *iph = ip_hdr(skb);

		skb->protocol = htons(ETH_P_IP);
		iph->daddr = dst ? addr->in4.s_addr : other.in4.s_addr;
		iph->saddr = dst ? other.in4.s_addr : addr->in4.s_addr;
	} else {
		struct ipv6hdr *ip6h = ipv6_hdr(skb);

		skb->protocol = htons(ETH_P_IPV6);
		ip6h->daddr = dst ? addr->in6 : other.in6;
		ip6h->saddr = dst ? other.in6 : addr->in6;
	}
	if (dst)
		peer = ptun_allowedips_lookup_dst(&ctx->table, skb);
	else
		peer = ptun_allowedips_lookup_src(&ctx->table, skb);
	/* Test peers hold a reference of their own: this never frees. */
	if (peer)
		refcount_dec(&peer->refcount.refcount);
	return peer;
}

static void st_report_lookup(struct st_ctx *ctx, unsigned int bits,
			     const union st_addr *addr, bool dst,
			     struct ptun_peer *got, struct ptun_peer *want)
{
	if (bits == 32)
		pr_err("allowedips self-test: %s %pI4 gave peer %d, not %d\n",
		       dst ? "dst" : "src", addr->b, st_peer_index(ctx, got),
		       st_peer_index(ctx, want));
	else
		pr_err("allowedips self-test: %s %pI6c gave peer %d, not %d\n",
		       dst ? "dst" : "src", addr->b, st_peer_index(ctx, got),
		       st_peer_index(ctx, want));
	ctx->ok = false;
}

static void st_random_addr(struct st_ctx *ctx, union st_addr *addr,
			   unsigned int bits)
{
	memset(addr, 0, sizeof(*addr));
	prandom_bytes_state(&ctx->rnd, addr->b, bits / 8);
}

/* Half of all random prefixes sit next to another, so that they nest. */
static void st_random_prefix(struct st_ctx *ctx, unsigned int bits,
			     union st_addr *addr, u8 *cidr)
{
	struct st_ref *ref = st_ref_of(ctx, bits);
	unsigned int flip;

	if (ref->len && st_rand(ctx, 2)) {
		*addr = ref->v[st_rand(ctx, ref->len)].addr;
		flip = st_rand(ctx, bits);
		addr->b[flip / 8] ^= 0x80 >> (flip % 8);
	} else {
		st_random_addr(ctx, addr, bits);
	}
	*cidr = st_rand(ctx, bits + 1);
	st_mask(addr, *cidr);
}

/* Half of all lookups land inside a known prefix, the rest anywhere. */
static void st_random_dest(struct st_ctx *ctx, unsigned int bits,
			   union st_addr *addr)
{
	struct st_ref *ref = st_ref_of(ctx, bits);
	const struct st_prefix *prefix;
	union st_addr host, mask;
	unsigned int i;

	st_random_addr(ctx, addr, bits);
	if (!ref->len || !st_rand(ctx, 2))
		return;
	prefix = &ref->v[st_rand(ctx, ref->len)];
	memset(&mask, 0xff, sizeof(mask));
	st_mask(&mask, prefix->cidr);
	host = *addr;
	for (i = 0; i < sizeof(addr->b); i++)
		addr->b[i] = (prefix->addr.b[i] & mask.b[i]) |
			     (host.b[i] & ~mask.b[i]);
}

static void st_check_lookups(struct st_ctx *ctx, unsigned int bits)
{
	struct st_ref *ref = st_ref_of(ctx, bits);
	struct ptun_peer *want, *got;
	union st_addr addr;
	unsigned int i;
	bool dst;

	for (i = 0; i < ST_LOOKUPS && ctx->ok; i++) {
		st_random_dest(ctx, bits, &addr);
		want = st_ref_lookup(ref, &addr);
		dst = i % 2;
		got = st_lookup(ctx, bits, &addr, dst);
		if (got != want)
			st_report_lookup(ctx, bits, &addr, dst, got, want);
		if (i % 64 == 0)
			cond_resched();
	}
}

/*
 * Every node must be a well-formed part of its parent, every fork must
 * fork, and the nodes with a peer must be exactly those on peers' lists.
 */
static unsigned int st_check_trie(struct st_ctx *ctx, unsigned int bits)
{
	struct ptun_allowedips_node *stack[PTUN_ALLOWEDIPS_MAX_DEPTH];
	struct ptun_allowedips_node *node, *child;
	unsigned int len = 0, mapped = 0, side;
	u64 key[2];

	node = deref_locked(*root_of(&ctx->table, bits), &ctx->lock);
	if (node)
		stack[len++] = node;
	while (len && ctx->ok) {
		node = stack[--len];
		key[0] = node->key[0];
		key[1] = node->key[1];
		key_mask(key, node->cidr);
		if (node->bits != bits || node->cidr > bits ||
		    key[0] != node->key[0] || key[1] != node->key[1])
			st_fail(ctx, __LINE__, "malformed node");
		if (rcu_access_pointer(node->peer))
			mapped++;
		else if (!rcu_access_pointer(node->child[0]) ||
			 !rcu_access_pointer(node->child[1]))
			st_fail(ctx, __LINE__, "fork with fewer than two branches");
		for (side = 0; side < 2; side++) {
			child = deref_locked(node->child[side], &ctx->lock);
			if (!child)
				continue;
			if (child->cidr <= node->cidr ||
			    common_bits(child->key, node->key) < node->cidr ||
			    bit_at(child->key, node->cidr) != side)
				st_fail(ctx, __LINE__, "child outside its parent");
			else if (len == ARRAY_SIZE(stack))
				st_fail(ctx, __LINE__, "trie too deep");
			else
				stack[len++] = child;
		}
	}
	return mapped;
}

/*
 * A dump in pieces: the walk must hand out a peer's nodes in list order,
 * each once, however often it stops and resumes.
 */
struct st_walk {
	struct st_ctx *ctx;
	struct list_head *head;
	struct list_head *cursor;	/* the node the walk must give next */
	unsigned int budget;		/* calls until @fn fails */
};

static int st_walk_fn(void *arg, int family, const u8 ip[16], u8 cidr)
{
	struct st_walk *w = arg;
	struct ptun_allowedips_node *node;
	union st_addr want;
	u8 want_cidr;

	if (!w->budget--)
		return -EMSGSIZE;
	w->cursor = w->cursor->next;
	if (w->cursor == w->head) {
		st_fail(w->ctx, __LINE__, "walk went past the list");
		return -EINVAL;
	}
	node = list_entry(w->cursor, struct ptun_allowedips_node, peer_list);
	memset(&want, 0, sizeof(want));
	if (ptun_allowedips_read_node(node, want.b, &want_cidr) != family ||
	    want_cidr != cidr || memcmp(want.b, ip, family == AF_INET ? 4 : 16))
		st_fail(w->ctx, __LINE__, "walk out of order");
	return 0;
}

static void st_check_walk(struct st_ctx *ctx, struct ptun_peer *peer)
{
	struct st_walk w = {
		.ctx = ctx,
		.head = &peer->allowedips_list,
		.cursor = &peer->allowedips_list,
	};
	unsigned long next = 0, calls = 0, len;
	int ret;

	len = list_count_nodes(&peer->allowedips_list);
	do {
		w.budget = 1 + st_rand(ctx, 3);
		ret = ptun_allowedips_walk_by_peer(peer, &next, st_walk_fn, &w);
	} while (ret == -EMSGSIZE && ++calls <= 4 * len + 4);
	if (ret || next || w.cursor->next != w.head)
		st_fail(ctx, __LINE__, "walk incomplete");
}

/* What a dump would read back must be what the reference holds. */
static void st_check_dump(struct st_ctx *ctx)
{
	struct ptun_allowedips_node *node;
	struct st_prefix *prefix;
	unsigned int listed = 0, mapped;
	union st_addr addr;
	int i, family;
	u8 cidr;

	mutex_lock(&ctx->lock);
	for (i = 0; i < ST_PEERS; i++) {
		list_for_each_entry(node, &ctx->peers[i]->allowedips_list,
				    peer_list) {
			memset(&addr, 0, sizeof(addr));
			family = ptun_allowedips_read_node(node, addr.b, &cidr);
			prefix = st_ref_find(st_ref_of(ctx, family == AF_INET ?
							     32 : 128),
					     &addr, cidr);
			if (!prefix || prefix->peer != ctx->peers[i] ||
			    rcu_access_pointer(node->peer) != ctx->peers[i])
				st_fail(ctx, __LINE__, "dump disagrees");
			listed++;
		}
		st_check_walk(ctx, ctx->peers[i]);
	}
	mapped = st_check_trie(ctx, 32) + st_check_trie(ctx, 128);
	mutex_unlock(&ctx->lock);
	if (listed != mapped || listed != ctx->ref[0].len + ctx->ref[1].len)
		st_fail(ctx, __LINE__, "node count disagrees");
}

static void st_random_insert(struct st_ctx *ctx, unsigned int bits,
			     unsigned int count)
{
	struct ptun_peer *peer;
	union st_addr addr;
	unsigned int i;
	u8 cidr;

	for (i = 0; i < count && ctx->ok; i++) {
		st_random_prefix(ctx, bits, &addr, &cidr);
		peer = ctx->peers[st_rand(ctx, ST_PEERS)];
		if (st_insert(ctx, bits, &addr, cidr, peer))
			st_fail(ctx, __LINE__, "insert failed");
		st_ref_insert(st_ref_of(ctx, bits), &addr, cidr, peer);
	}
}

/* Remove known prefixes, by their owner or not, and some unknown ones. */
static void st_random_remove(struct st_ctx *ctx, unsigned int bits)
{
	struct st_ref *ref = st_ref_of(ctx, bits);
	struct st_prefix *prefix, tried;
	bool owner, changed;
	unsigned int i;
	u64 seq;

	for (i = 0; i < ST_REMOVALS && ref->len && ctx->ok; i++) {
		if (st_rand(ctx, 4)) {
			tried = ref->v[st_rand(ctx, ref->len)];
		} else {
			st_random_prefix(ctx, bits, &tried.addr, &tried.cidr);
			tried.peer = ctx->peers[0];
		}
		if (st_rand(ctx, 2))
			tried.peer = ctx->peers[st_rand(ctx, ST_PEERS)];
		prefix = st_ref_find(ref, &tried.addr, tried.cidr);
		owner = prefix && prefix->peer == tried.peer;

		seq = ctx->table.seq;
		if (st_remove(ctx, bits, &tried.addr, tried.cidr, tried.peer))
			st_fail(ctx, __LINE__, "remove failed");
		changed = ctx->table.seq != seq;
		if (changed != owner)
			st_fail(ctx, __LINE__, "seq does not follow removals");
		if (owner)
			st_ref_delete(ref, prefix);
	}
}

static void st_check_all(struct st_ctx *ctx)
{
	st_check_lookups(ctx, 32);
	st_check_lookups(ctx, 128);
	st_check_dump(ctx);
}

static void st_random_test(struct st_ctx *ctx)
{
	struct st_prefix *prefix;
	unsigned int i, bits;

	for (bits = 32; bits <= 128; bits += 96)
		st_random_insert(ctx, bits, ST_PREFIXES);
	st_check_all(ctx);

	st_random_remove(ctx, 32);
	st_random_remove(ctx, 128);
	st_check_all(ctx);

	for (i = 0; i < 2; i++) {
		st_remove_by_peer(ctx, ctx->peers[i]);
		if (!list_empty(&ctx->peers[i]->allowedips_list))
			st_fail(ctx, __LINE__, "remove_by_peer left nodes");
		for (bits = 32; bits <= 128; bits += 96) {
			struct st_ref *ref = st_ref_of(ctx, bits);

			for (prefix = ref->v; prefix < ref->v + ref->len;) {
				if (prefix->peer == ctx->peers[i])
					st_ref_delete(ref, prefix);
				else
					prefix++;
			}
		}
	}
	st_check_all(ctx);

	for (bits = 32; bits <= 128; bits += 96)
		st_random_insert(ctx, bits, ST_PREFIXES / 2);
	st_check_all(ctx);
}

static bool st_parse(const char *str, union st_addr *addr, unsigned int *bits,
		     u8 *cidr)
{
	const char *slash = strchr(str, '/');
	int len = slash ? slash - str : -1;

	memset(addr, 0, sizeof(*addr));
	*bits = strchr(str, ':') ? 128 : 32;
	if (*bits == 32 ? !in4_pton(str, len, addr->b, -1, NULL) :
			  !in6_pton(str, len, addr->b, -1, NULL))
		return false;
	if (!slash) {
		*cidr = *bits;
		return true;
	}
	return !kstrtou8(slash + 1, 10, cidr);
}

static int st_op(struct st_ctx *ctx, const char *prefix,
		 struct ptun_peer *peer, bool insert, int line)
{
	union st_addr addr;
	unsigned int bits;
	u8 cidr;
	int ret;

	if (!st_parse(prefix, &addr, &bits, &cidr)) {
		st_fail(ctx, line, "bad prefix in test");
		return -EINVAL;
	}
	if (insert)
		ret = st_insert(ctx, bits, &addr, cidr, peer);
	else
		ret = st_remove(ctx, bits, &addr, cidr, peer);
	if (ret && ret != -EINVAL)
		st_fail(ctx, line, insert ? "insert failed" : "remove failed");
	return ret;
}

static void st_expect(struct st_ctx *ctx, const char *ip,
		      struct ptun_peer *want, int line)
{
	union st_addr addr;
	unsigned int bits;
	struct ptun_peer *got;
	int dst;
	u8 cidr;

	if (!st_parse(ip, &addr, &bits, &cidr)) {
		st_fail(ctx, line, "bad address in test");
		return;
	}
	for (dst = 0; dst < 2; dst++) {
		got = st_lookup(ctx, bits, &addr, dst);
		if (got != want) {
			pr_err("allowedips self-test, line %d: %s\n", line, ip);
			st_report_lookup(ctx, bits, &addr, dst, got, want);
		}
	}
}

#define ADD(prefix, peer) st_op(ctx, prefix, peer, true, __LINE__)
#define DEL(prefix, peer) st_op(ctx, prefix, peer, false, __LINE__)
#define EXPECT(ip, peer) st_expect(ctx, ip, peer, __LINE__)
#define CHECK(cond)						\
	do {							\
		if (!(cond))					\
			st_fail(ctx, __LINE__, #cond);		\
	} while (0)

static void st_list_has(struct st_ctx *ctx, struct ptun_peer *peer,
			const char *want, bool present, int line)
{
	struct ptun_allowedips_node *node;
	union st_addr addr, got;
	unsigned int bits;
	bool found = false;
	u8 cidr, got_cidr;

	st_parse(want, &addr, &bits, &cidr);
	list_for_each_entry(node, &peer->allowedips_list, peer_list) {
		memset(&got, 0, sizeof(got));
		ptun_allowedips_read_node(node, got.b, &got_cidr);
		if (got_cidr == cidr && !memcmp(&got, &addr, sizeof(addr)))
			found = true;
	}
	if (found != present)
		st_fail(ctx, line, want);
}

#define LISTED(peer, prefix) st_list_has(ctx, peer, prefix, true, __LINE__)
#define UNLISTED(peer, prefix) st_list_has(ctx, peer, prefix, false, __LINE__)

static void st_simple_test(struct st_ctx *ctx)
{
	struct ptun_peer *a = ctx->peers[0], *b = ctx->peers[1];
	struct ptun_peer *c = ctx->peers[2], *d = ctx->peers[3];
	u64 seq;

	EXPECT("1.2.3.4", NULL);
	EXPECT("::1", NULL);

	seq = ctx->table.seq;
	ADD("0.0.0.0/0", a);
	CHECK(ctx->table.seq != seq);
	EXPECT("1.2.3.4", a);
	EXPECT("255.255.255.255", a);
	EXPECT("::", NULL);

	/* Nested, longest last and longest first. */
	ADD("10.0.0.0/8", b);
	ADD("10.1.0.0/16", c);
	ADD("10.1.2.3/32", d);
	ADD("10.2.3.4/32", d);
	ADD("10.2.3.0/24", c);
	ADD("10.2.0.0/16", b);
	EXPECT("10.1.2.3", d);
	EXPECT("10.1.2.4", c);
	EXPECT("10.3.0.0", b);
	EXPECT("11.0.0.0", a);
	EXPECT("10.2.3.4", d);
	EXPECT("10.2.3.5", c);
	EXPECT("10.2.4.5", b);

	/* Siblings under a fork, then the fork collapsing. */
	ADD("192.168.1.0/24", b);
	ADD("192.168.2.0/24", c);
	EXPECT("192.168.1.7", b);
	EXPECT("192.168.2.7", c);
	EXPECT("192.168.3.7", a);
	DEL("192.168.1.0/24", b);
	EXPECT("192.168.1.7", a);
	EXPECT("192.168.2.7", c);

	/* Host bits are ignored. */
	ADD("172.16.5.5/16", d);
	EXPECT("172.16.200.1", d);
	LISTED(d, "172.16.0.0/16");
	DEL("172.16.0.0/16", d);
	EXPECT("172.16.200.1", a);

	/* Re-inserting moves ownership; only the owner removes. */
	seq = ctx->table.seq;
	ADD("10.0.0.0/8", c);
	CHECK(ctx->table.seq != seq);
	EXPECT("10.3.0.0", c);
	LISTED(c, "10.0.0.0/8");
	UNLISTED(b, "10.0.0.0/8");
	seq = ctx->table.seq;
	ADD("10.0.0.0/8", c);
	CHECK(ctx->table.seq == seq);
	CHECK(DEL("10.0.0.0/8", b) == 0);
	CHECK(ctx->table.seq == seq);
	EXPECT("10.3.0.0", c);
	CHECK(DEL("10.0.0.0/8", c) == 0);
	CHECK(ctx->table.seq != seq);
	EXPECT("10.3.0.0", a);
	EXPECT("10.1.2.4", c);

	/* A node that loses its peer but still parts two prefixes stays. */
	ADD("10.1.128.0/17", b);
	DEL("10.1.0.0/16", c);
	EXPECT("10.1.2.3", d);
	EXPECT("10.1.2.4", a);
	EXPECT("10.1.200.1", b);
	DEL("10.1.128.0/17", b);
	EXPECT("10.1.200.1", a);
	EXPECT("10.1.2.3", d);

	/* IPv6, /128 and /0. */
	ADD("2001:db8::1/128", a);
	ADD("2001:db8::/32", b);
	ADD("2001:db8:1::/48", c);
	EXPECT("2001:db8::1", a);
	EXPECT("2001:db8::2", b);
	EXPECT("2001:db8:1::1", c);
	EXPECT("2002::", NULL);
	ADD("::/0", d);
	EXPECT("2002::", d);
	EXPECT("2.0.0.0", a);
	LISTED(c, "2001:db8:1::/48");
	DEL("::/0", d);
	EXPECT("2002::", NULL);
	EXPECT("2001:db8:1::1", c);

	/* Out of range. */
	CHECK(ADD("10.0.0.0/33", a) == -EINVAL);
	CHECK(ADD("::/129", a) == -EINVAL);
	CHECK(DEL("10.0.0.0/33", a) == -EINVAL);

	/* Everything of one peer, in both families. */
	seq = ctx->table.seq;
	st_remove_by_peer(ctx, a);
	CHECK(ctx->table.seq != seq);
	CHECK(list_empty(&a->allowedips_list));
	EXPECT("1.2.3.4", NULL);
	EXPECT("2001:db8::1", b);
	EXPECT("10.1.2.3", d);
	seq = ctx->table.seq;
	st_remove_by_peer(ctx, a);
	CHECK(ctx->table.seq == seq);
}

struct st_collect {
	struct st_prefix got[8];
	unsigned int len;
};

static int st_collect_fn(void *arg, int family, const u8 ip[16], u8 cidr)
{
	struct st_collect *c = arg;

	if (c->len == ARRAY_SIZE(c->got))
		return -ENOSPC;
	memset(&c->got[c->len], 0, sizeof(c->got[0]));
	memcpy(c->got[c->len].addr.b, ip, family == AF_INET ? 4 : 16);
	c->got[c->len++].cidr = cidr;
	return 0;
}

static void st_expect_order(struct st_ctx *ctx, struct ptun_peer *peer,
			    const char *const *want, unsigned int len)
{
	struct st_collect c = { .len = 0 };
	unsigned long next = 0;
	union st_addr addr;
	unsigned int i, bits;
	u8 cidr;

	if (ptun_allowedips_walk_by_peer(peer, &next, st_collect_fn, &c) ||
	    c.len != len) {
		st_fail(ctx, __LINE__, "walk length");
		return;
	}
	for (i = 0; i < len; i++) {
		st_parse(want[i], &addr, &bits, &cidr);
		if (c.got[i].cidr != cidr || memcmp(&c.got[i].addr, &addr,
						    sizeof(addr)))
			st_fail(ctx, __LINE__, want[i]);
	}
}

/* A walk gives a peer's prefixes in the order they became the peer's. */
static void st_order_test(struct st_ctx *ctx)
{
	static const char *const order[] = {
		"10.0.0.0/8", "2001:db8::/32", "192.168.0.0/16", "10.1.0.0/16",
	};
	struct ptun_peer *a = ctx->peers[0], *b = ctx->peers[1];

	st_op(ctx, "10.0.0.0/8", a, true, __LINE__);
	st_op(ctx, "2001:db8::/32", a, true, __LINE__);
	st_op(ctx, "10.1.0.0/16", b, true, __LINE__);
	st_op(ctx, "192.168.0.0/16", a, true, __LINE__);
	st_op(ctx, "10.1.0.0/16", a, true, __LINE__);
	st_op(ctx, "10.0.0.0/8", a, true, __LINE__);
	st_expect_order(ctx, a, order, ARRAY_SIZE(order));
	st_expect_order(ctx, b, NULL, 0);
}

/*
 * The deepest trie there is: ::/0, ::/1, ... ::/128 in a chain, each with a
 * /128 hanging off its other side.  Freeing it needs the whole stack.
 */
static void st_deep_test(struct st_ctx *ctx)
{
	struct ptun_peer *chain = ctx->peers[4], *leaf = ctx->peers[5];
	union st_addr addr;
	unsigned int i;

	for (i = 0; i <= 128; i++) {
		memset(&addr, 0, sizeof(addr));
		if (st_insert(ctx, 128, &addr, i, chain))
			st_fail(ctx, __LINE__, "insert failed");
		if (i == 128)
			break;
		addr.b[i / 8] = 0x80 >> (i % 8);
		if (st_insert(ctx, 128, &addr, 128, leaf))
			st_fail(ctx, __LINE__, "insert failed");
	}
	for (i = 0; i < 128; i++) {
		memset(&addr, 0, sizeof(addr));
		addr.b[i / 8] = 0x80 >> (i % 8);
		if (st_lookup(ctx, 128, &addr, true) != leaf)
			st_fail(ctx, __LINE__, "deep leaf lost");
		addr.b[15] |= 1;
		if (i < 127 && st_lookup(ctx, 128, &addr, true) != chain)
			st_fail(ctx, __LINE__, "deep chain lost");
	}
	memset(&addr, 0, sizeof(addr));
	if (st_lookup(ctx, 128, &addr, true) != chain)
		st_fail(ctx, __LINE__, "deep chain end lost");
	mutex_lock(&ctx->lock);
	if (st_check_trie(ctx, 128) != 2 * 128 + 1)
		st_fail(ctx, __LINE__, "deep trie malformed");
	mutex_unlock(&ctx->lock);
}

/* A peer whose last reference is gone is not handed out. */
static void st_dying_test(struct st_ctx *ctx)
{
	struct ptun_peer *dying = ctx->peers[6];

	ADD("10.9.0.0/16", ctx->peers[7]);
	ADD("10.9.9.0/24", dying);
	refcount_set(&dying->refcount.refcount, 0);
	EXPECT("10.9.9.9", NULL);
	EXPECT("10.9.8.9", ctx->peers[7]);
	st_remove_by_peer(ctx, dying);
	EXPECT("10.9.9.9", ctx->peers[7]);
	refcount_set(&dying->refcount.refcount, 1);
}

#undef ADD
#undef DEL
#undef EXPECT
#undef CHECK
#undef LISTED
#undef UNLISTED

static void st_free_all(struct st_ctx *ctx)
{
	unsigned int i;

	mutex_lock(&ctx->lock);
	ptun_allowedips_free(&ctx->table, &ctx->lock);
	mutex_unlock(&ctx->lock);
	for (i = 0; i < ST_PEERS; i++)
		if (!list_empty(&ctx->peers[i]->allowedips_list))
			st_fail(ctx, __LINE__, "free left nodes on a peer");
	if (rcu_access_pointer(ctx->table.root4) ||
	    rcu_access_pointer(ctx->table.root6))
		st_fail(ctx, __LINE__, "free left a root");
	ctx->ref[0].len = 0;
	ctx->ref[1].len = 0;
}

static bool st_setup(struct st_ctx *ctx)
{
	unsigned int i;

	mutex_init(&ctx->lock);
	ptun_allowedips_init(&ctx->table);
	for (i = 0; i < ST_PEERS; i++) {
		ctx->peers[i] = kzalloc(sizeof(*ctx->peers[i]), GFP_KERNEL);
		if (!ctx->peers[i])
			return false;
		kref_init(&ctx->peers[i]->refcount);
		INIT_LIST_HEAD(&ctx->peers[i]->allowedips_list);
	}
	for (i = 0; i < ARRAY_SIZE(ctx->ref); i++) {
		ctx->ref[i].cap = 2 * ST_PREFIXES;
		ctx->ref[i].v = kvcalloc(ctx->ref[i].cap, sizeof(*ctx->ref[i].v),
					 GFP_KERNEL);
		if (!ctx->ref[i].v)
			return false;
	}
	ctx->skb = alloc_skb(sizeof(struct ipv6hdr), GFP_KERNEL);
	if (!ctx->skb)
		return false;
	skb_put_zero(ctx->skb, sizeof(struct ipv6hdr));
	skb_reset_network_header(ctx->skb);
	return true;
}

static void st_teardown(struct st_ctx *ctx)
{
	unsigned int i;

	kfree_skb(ctx->skb);
	for (i = 0; i < ARRAY_SIZE(ctx->ref); i++)
		kvfree(ctx->ref[i].v);
	for (i = 0; i < ST_PEERS; i++)
		kfree(ctx->peers[i]);
	mutex_destroy(&ctx->lock);
}

static bool st_run(struct st_ctx *ctx)
{
	int nodes_before = atomic_read(&live_nodes);
	u64 seed = get_random_u64();

	ctx->ok = true;
	prandom_seed_state(&ctx->rnd, seed);
	st_simple_test(ctx);
	st_free_all(ctx);
	st_order_test(ctx);
	st_free_all(ctx);
	st_deep_test(ctx);
	st_free_all(ctx);
	st_dying_test(ctx);
	st_free_all(ctx);
	st_random_test(ctx);
	st_free_all(ctx);
	st_check_lookups(ctx, 32);
	st_check_lookups(ctx, 128);
	rcu_barrier();
	if (atomic_read(&live_nodes) != nodes_before)
		st_fail(ctx, __LINE__, "nodes leaked");
	if (!ctx->ok)
		pr_err("allowedips self-test: random seed was %llu\n", seed);
	return ctx->ok;
}

bool ptun_allowedips_selftest(void)
{
	struct st_ctx *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	bool ok = ctx && st_setup(ctx) && st_run(ctx);

	if (ctx)
		st_teardown(ctx);
	kfree(ctx);
	if (ok)
		pr_info("allowedips self-tests: pass\n");
	else
		pr_info("allowedips self-tests: FAIL\n");
	return ok;
}
