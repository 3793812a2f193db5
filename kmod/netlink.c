// SPDX-License-Identifier: GPL-2.0
/*
 * The "ptun" generic netlink family: reading and changing a device's
 * configuration and its peers.  uapi/ptun.yaml describes the messages.
 */
#include <crypto/algapi.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "compat.h"
#include "device.h"
#include "netlink.h"
#include "peer.h"
#include "queueing.h"
#include "socket.h"

static struct genl_family ptun_genl_family;

enum {
	PTUN_NL_MCGRP_EVENTS,
};

/* Events name peers and their addresses: only for administrators. */
static const struct genl_multicast_group ptun_genl_mcgrps[] = {
	[PTUN_NL_MCGRP_EVENTS] = {
		.name = PTUN_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

#define PTUN_DEVICE_F_ALL	PTUN_DEVICE_F_REPLACE_PEERS
#define PTUN_PEER_F_ALL		(PTUN_PEER_F_REMOVE_ME | PTUN_PEER_F_REPLACE_ALLOWEDIPS | \
				 PTUN_PEER_F_UPDATE_ONLY)
#define PTUN_ALLOWEDIP_F_ALL	PTUN_ALLOWEDIP_F_REMOVE_ME

/* Reported by the kernel, refused in a request with @msg as the reason. */
#define PTUN_NLA_READ_ONLY(msg)	{ .type = NLA_REJECT, .reject_message = (msg) }

static const struct nla_policy ptun_allowedip_policy[PTUN_A_ALLOWEDIP_MAX + 1] = {
	[PTUN_A_ALLOWEDIP_FAMILY]	= { .type = NLA_U16 },
	[PTUN_A_ALLOWEDIP_IPADDR]	= NLA_POLICY_MIN_LEN(sizeof(struct in_addr)),
	[PTUN_A_ALLOWEDIP_CIDR_MASK]	= { .type = NLA_U8 },
	[PTUN_A_ALLOWEDIP_FLAGS]	= NLA_POLICY_MASK(NLA_U32, PTUN_ALLOWEDIP_F_ALL),
};

static const struct nla_policy ptun_peer_policy[PTUN_A_PEER_MAX + 1] = {
	[PTUN_A_PEER_PUBLIC_KEY]	= NLA_POLICY_EXACT_LEN(PTUN_KEY_LEN),
	[PTUN_A_PEER_PRESHARED_KEY]	= NLA_POLICY_EXACT_LEN(PTUN_KEY_LEN),
	[PTUN_A_PEER_FLAGS]		= NLA_POLICY_MASK(NLA_U32, PTUN_PEER_F_ALL),
	[PTUN_A_PEER_ENDPOINT]		= NLA_POLICY_MIN_LEN(sizeof(struct sockaddr)),
	[PTUN_A_PEER_PERSISTENT_KEEPALIVE_INTERVAL] = { .type = NLA_U16 },
	[PTUN_A_PEER_LAST_HANDSHAKE_TIME] = PTUN_NLA_READ_ONLY("the handshake time is read-only"),
	[PTUN_A_PEER_RX_BYTES]		= PTUN_NLA_READ_ONLY("transfer counters are read-only"),
	[PTUN_A_PEER_TX_BYTES]		= PTUN_NLA_READ_ONLY("transfer counters are read-only"),
	[PTUN_A_PEER_ALLOWEDIP]		= NLA_POLICY_NESTED(ptun_allowedip_policy),
	[PTUN_A_PEER_DROPS]		= PTUN_NLA_READ_ONLY("drop counters are read-only"),
	[PTUN_A_PEER_HANDSHAKES]	= PTUN_NLA_READ_ONLY("handshake counters are read-only"),
};

static const struct nla_policy ptun_get_device_policy[PTUN_A_DEVICE_IFNAME + 1] = {
	[PTUN_A_DEVICE_IFINDEX]		= { .type = NLA_U32 },
	[PTUN_A_DEVICE_IFNAME]		= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
};

static const struct nla_policy ptun_set_device_policy[PTUN_A_DEVICE_MAX + 1] = {
	[PTUN_A_DEVICE_IFINDEX]		= { .type = NLA_U32 },
	[PTUN_A_DEVICE_IFNAME]		= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[PTUN_A_DEVICE_PRIVATE_KEY]	= NLA_POLICY_EXACT_LEN(PTUN_KEY_LEN),
	[PTUN_A_DEVICE_PUBLIC_KEY]	=
		PTUN_NLA_READ_ONLY("the public key is derived and cannot be set"),
	[PTUN_A_DEVICE_LISTEN_PORT]	= { .type = NLA_U16 },
	[PTUN_A_DEVICE_FWMARK]		= { .type = NLA_U32 },
	[PTUN_A_DEVICE_FLAGS]		= NLA_POLICY_MASK(NLA_U32, PTUN_DEVICE_F_ALL),
	[PTUN_A_DEVICE_PEER]		= NLA_POLICY_NESTED(ptun_peer_policy),
	[PTUN_A_DEVICE_DROPS]		= PTUN_NLA_READ_ONLY("drop counters are read-only"),
	[PTUN_A_DEVICE_EVENT]		= PTUN_NLA_READ_ONLY("events are sent by the kernel"),
};

static struct net_device *ptun_nl_dev_by_attrs(struct net *net,
					       struct nlattr **attrs,
					       struct netlink_ext_ack *extack)
{
	struct nlattr *ifindex = attrs[PTUN_A_DEVICE_IFINDEX];
	struct nlattr *ifname = attrs[PTUN_A_DEVICE_IFNAME];
	struct net_device *dev, *named;

	if (!ifindex && !ifname) {
		NL_SET_ERR_MSG(extack, "the device must be given by ifindex or ifname");
		return ERR_PTR(-EINVAL);
	}

	if (!ifindex) {
		dev = dev_get_by_name(net, nla_data(ifname));
		if (!dev)
			NL_SET_ERR_MSG_ATTR(extack, ifname, "no device of that name");
		return dev ?: ERR_PTR(-ENODEV);
	}

	dev = dev_get_by_index(net, nla_get_u32(ifindex));
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, ifindex, "no device with that ifindex");
		return ERR_PTR(-ENODEV);
	}
	if (!ifname)
		return dev;

	named = dev_get_by_name(net, nla_data(ifname));
	if (named != dev) {
		NL_SET_ERR_MSG_ATTR(extack, ifname, "ifname and ifindex name different devices");
		dev_put(named);
		dev_put(dev);
		return ERR_PTR(-EINVAL);
	}
	dev_put(named);
	return dev;
}

/*
 * The ptun device a request addresses, with a reference on its net_device
 * that the caller drops with dev_put(ptun->dev).
 */
static struct ptun_device *ptun_nl_lookup(struct net *net, struct nlattr **attrs,
					  struct netlink_ext_ack *extack)
{
	struct net_device *dev = ptun_nl_dev_by_attrs(net, attrs, extack);
	struct ptun_device *ptun;

	if (IS_ERR(dev))
		return ERR_CAST(dev);

	ptun = ptun_device_from_netdev(dev);
	if (!ptun) {
		NL_SET_ERR_MSG(extack, "the device is not a ptun device");
		dev_put(dev);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return ptun;
}

/* GET */

static int ptun_nl_put_device(struct sk_buff *skb, struct ptun_device *ptun)
{
	struct ptun_noise_static_identity *identity = &ptun->static_identity;
	struct net_device *dev = ptun->dev;
	int ret = -EMSGSIZE;

	if (nla_put_u32(skb, PTUN_A_DEVICE_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, PTUN_A_DEVICE_IFNAME, dev->name) ||
	    nla_put_u16(skb, PTUN_A_DEVICE_LISTEN_PORT, ptun->incoming_port) ||
	    nla_put_u32(skb, PTUN_A_DEVICE_FWMARK, ptun->fwmark) ||
	    ptun_counters_put_device(skb, PTUN_A_DEVICE_DROPS, ptun))
		return ret;

	down_read(&identity->lock);
	if (!identity->has_identity ||
	    (!nla_put(skb, PTUN_A_DEVICE_PRIVATE_KEY, PTUN_KEY_LEN,
		      identity->static_private) &&
	     !nla_put(skb, PTUN_A_DEVICE_PUBLIC_KEY, PTUN_KEY_LEN,
		      identity->static_public)))
		ret = 0;
	up_read(&identity->lock);
	return ret;
}

static int ptun_nl_put_endpoint(struct sk_buff *skb, struct ptun_peer *peer)
{
	int ret = 0;

	read_lock_bh(&peer->endpoint_lock);
	if (peer->endpoint.addr.sa_family == AF_INET)
		ret = nla_put(skb, PTUN_A_PEER_ENDPOINT, sizeof(peer->endpoint.addr4),
			      &peer->endpoint.addr4);
	else if (peer->endpoint.addr.sa_family == AF_INET6)
		ret = nla_put(skb, PTUN_A_PEER_ENDPOINT, sizeof(peer->endpoint.addr6),
			      &peer->endpoint.addr6);
	read_unlock_bh(&peer->endpoint_lock);
	return ret;
}

/* What a peer's first appearance in a dump says besides its allowed IPs. */
static int ptun_nl_put_peer_details(struct sk_buff *skb, struct ptun_peer *peer)
{
	struct ptun_noise_handshake *handshake = &peer->handshake;
	u64 last_handshake = timespec64_to_ns(&peer->walltime_last_handshake);
	int ret;

	down_read(&handshake->lock);
	ret = nla_put(skb, PTUN_A_PEER_PRESHARED_KEY, PTUN_KEY_LEN,
		      handshake->preshared_key);
	up_read(&handshake->lock);
	if (ret ||
	    nla_put_u64_64bit(skb, PTUN_A_PEER_LAST_HANDSHAKE_TIME, last_handshake,
			      PTUN_A_PEER_PAD) ||
	    nla_put_u16(skb, PTUN_A_PEER_PERSISTENT_KEEPALIVE_INTERVAL,
			peer->persistent_keepalive_interval) ||
	    nla_put_u64_64bit(skb, PTUN_A_PEER_RX_BYTES, READ_ONCE(peer->rx_bytes),
			      PTUN_A_PEER_PAD) ||
	    nla_put_u64_64bit(skb, PTUN_A_PEER_TX_BYTES, READ_ONCE(peer->tx_bytes),
			      PTUN_A_PEER_PAD) ||
	    ptun_counters_put_peer(skb, PTUN_A_PEER_DROPS, PTUN_A_PEER_HANDSHAKES,
				   peer))
		return -EMSGSIZE;
	return ptun_nl_put_endpoint(skb, peer);
}

static int ptun_nl_put_allowedip(void *ctx, int family, const u8 ip[16], u8 cidr)
{
	struct sk_buff *skb = ctx;
	struct nlattr *nest;

	nest = nla_nest_start(skb, PTUN_A_PEER_ALLOWEDIP);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u16(skb, PTUN_A_ALLOWEDIP_FAMILY, family) ||
	    nla_put(skb, PTUN_A_ALLOWEDIP_IPADDR,
		    family == AF_INET6 ? sizeof(struct in6_addr) : sizeof(struct in_addr),
		    ip) ||
	    nla_put_u8(skb, PTUN_A_ALLOWEDIP_CIDR_MASK, cidr)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * Put as much of @peer as fits.  *@next is 0 for a peer not started yet, or
 * one more than the number of the allowed IP to resume at; a continuation
 * repeats only the public key.  Returns 0 when all of the peer went in, or
 * -EMSGSIZE with *@next saying where to go on.
 */
static int ptun_nl_put_peer(struct sk_buff *skb, struct ptun_peer *peer,
			    unsigned long *next)
{
	unsigned long from = *next ? *next - 1 : 0;
	struct nlattr *nest;
	int ret;

	nest = nla_nest_start(skb, PTUN_A_DEVICE_PEER);
	if (!nest)
		return -EMSGSIZE;

	down_read(&peer->handshake.lock);
	ret = nla_put(skb, PTUN_A_PEER_PUBLIC_KEY, PTUN_KEY_LEN,
		      peer->handshake.remote_static);
	up_read(&peer->handshake.lock);
	if (ret || (!*next && ptun_nl_put_peer_details(skb, peer))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}

	ret = ptun_allowedips_walk_by_peer(peer, &from, ptun_nl_put_allowedip, skb);
	nla_nest_end(skb, nest);
	*next = ret ? from + 1 : 0;
	return ret;
}

/*
 * A GET dump resolves its device in its first call and keeps a reference
 * until done.  It is not done in a start callback because 6.1 has no extack
 * there; errors of a dump call reach userspace with their message, in the
 * NLMSG_DONE.  The cursor between calls:
 */
struct ptun_nl_dump_ctx {
	struct ptun_device *ptun;
	struct ptun_peer *next_peer;	/* referenced; NULL: from the start */
	unsigned long next_allowedip;
	bool started, done;
};

static_assert(sizeof(struct ptun_nl_dump_ctx) <= sizeof_field(struct netlink_callback, ctx));

static struct ptun_nl_dump_ctx *ptun_nl_dump_ctx(struct netlink_callback *cb)
{
	return (struct ptun_nl_dump_ctx *)cb->ctx;
}

/* Fill @skb with the device and as many peers as fit; under update_lock. */
static int ptun_nl_dump_peers(struct sk_buff *skb, struct ptun_nl_dump_ctx *ctx)
{
	struct ptun_device *ptun = ctx->ptun;
	struct ptun_peer *peer = ctx->next_peer;
	int ret = 0;

	if (peer) {
		/* Removed since the last call: the dump was flagged as raced. */
		if (peer->is_dead)
			goto finished;
	} else if (ctx->started) {
		goto finished;
	} else {
		peer = list_first_entry(&ptun->peer_list, struct ptun_peer, peer_list);
	}
	ctx->started = true;

	list_for_each_entry_from(peer, &ptun->peer_list, peer_list) {
		ret = ptun_nl_put_peer(skb, peer, &ctx->next_allowedip);
		if (ret)
			break;
	}
	if (ret) {
		/* Resume at this peer next time. */
		if (ctx->next_peer != peer) {
			ptun_peer_put(ctx->next_peer);
			ctx->next_peer = ptun_peer_get(peer);
		}
		return 0;
	}

finished:
	ptun_peer_put(ctx->next_peer);
	ctx->next_peer = NULL;
	ctx->done = true;
	return 0;
}

static int ptun_nl_get_device_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb)
{
	struct ptun_nl_dump_ctx *ctx = ptun_nl_dump_ctx(cb);
	struct ptun_device *ptun = ctx->ptun;
	void *hdr;
	int ret;

	if (!ptun) {
		ptun = ptun_nl_lookup(sock_net(cb->skb->sk),
				      ptun_compat_dump_attrs(cb), cb->extack);
		if (IS_ERR(ptun))
			return PTR_ERR(ptun);
		ctx->ptun = ptun;
	}
	if (ctx->done)
		return 0;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &ptun_genl_family, NLM_F_MULTI, PTUN_CMD_GET_DEVICE);
	if (!hdr)
		return -EMSGSIZE;

	mutex_lock(&ptun->update_lock);
	/* A change between two parts of the dump marks it NLM_F_DUMP_INTR. */
	cb->seq = ptun->update_gen;
	genl_dump_check_consistent(cb, hdr);
	ret = ptun_nl_put_device(skb, ptun);
	if (!ret)
		ret = ptun_nl_dump_peers(skb, ctx);
	mutex_unlock(&ptun->update_lock);

	if (ret) {
		genlmsg_cancel(skb, hdr);
		return ret;
	}
	genlmsg_end(skb, hdr);
	return skb->len;
}

static int ptun_nl_get_device_done(struct netlink_callback *cb)
{
	struct ptun_nl_dump_ctx *ctx = ptun_nl_dump_ctx(cb);

	ptun_peer_put(ctx->next_peer);
	if (ctx->ptun)
		dev_put(ctx->ptun->dev);
	return 0;
}

/* EVENTS */

/*
 * From any context: the packet paths announce handshakes and roaming.  The
 * peer's public key never changes after creation, so it is read unlocked.
 */
void ptun_nl_notify_peer(struct ptun_peer *peer, u32 event)
{
	struct net_device *dev = peer->device->dev;
	struct net *net = dev_net(dev);
	struct nlattr *nest;
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&ptun_genl_family, net, PTUN_NL_MCGRP_EVENTS) ||
	    dev->reg_state != NETREG_REGISTERED)
		return;
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &ptun_genl_family, 0, PTUN_CMD_EVENT);
	if (!hdr)
		goto err;
	if (nla_put_u32(skb, PTUN_A_DEVICE_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, PTUN_A_DEVICE_IFNAME, dev->name) ||
	    nla_put_u32(skb, PTUN_A_DEVICE_EVENT, event))
		goto err;
	nest = nla_nest_start(skb, PTUN_A_DEVICE_PEER);
	if (!nest ||
	    nla_put(skb, PTUN_A_PEER_PUBLIC_KEY, PTUN_KEY_LEN,
		    peer->handshake.remote_static) ||
	    ptun_nl_put_endpoint(skb, peer))
		goto err;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&ptun_genl_family, net, skb, 0,
				PTUN_NL_MCGRP_EVENTS, GFP_ATOMIC);
	return;

err:
	nlmsg_free(skb);
}

/* SET: checking the whole request first */

struct ptun_nl_allowedip {
	int family;
	union {
		struct in_addr ip4;
		struct in6_addr ip6;
	};
	u8 cidr;
	bool remove;
};

static bool ptun_nl_host_bits_set(const u8 *ip, unsigned int len, u8 cidr)
{
	unsigned int i;

	for (i = 0; i < len; i++) {
		unsigned int bits = cidr > i * 8 ? min(8U, cidr - i * 8U) : 0;
		u8 host = bits == 8 ? 0 : 0xff >> bits;

		if (ip[i] & host)
			return true;
	}
	return false;
}

static int ptun_nl_parse_allowedip(const struct nlattr *nest,
				   struct ptun_nl_allowedip *aip,
				   struct netlink_ext_ack *extack)
{
	struct nlattr *attrs[PTUN_A_ALLOWEDIP_MAX + 1];
	unsigned int len, max_cidr;
	int ret;

	ret = nla_parse_nested(attrs, PTUN_A_ALLOWEDIP_MAX, nest,
			       ptun_allowedip_policy, extack);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, nest, attrs, PTUN_A_ALLOWEDIP_FAMILY) ||
	    NL_REQ_ATTR_CHECK(extack, nest, attrs, PTUN_A_ALLOWEDIP_IPADDR) ||
	    NL_REQ_ATTR_CHECK(extack, nest, attrs, PTUN_A_ALLOWEDIP_CIDR_MASK)) {
		NL_SET_ERR_MSG(extack, "an allowed IP needs family, address and prefix length");
		return -EINVAL;
	}

	memset(aip, 0, sizeof(*aip));
	aip->family = nla_get_u16(attrs[PTUN_A_ALLOWEDIP_FAMILY]);
	aip->cidr = nla_get_u8(attrs[PTUN_A_ALLOWEDIP_CIDR_MASK]);
	aip->remove = attrs[PTUN_A_ALLOWEDIP_FLAGS] &&
		      nla_get_u32(attrs[PTUN_A_ALLOWEDIP_FLAGS]) & PTUN_ALLOWEDIP_F_REMOVE_ME;
	if (aip->family == AF_INET) {
		len = sizeof(aip->ip4);
		max_cidr = 32;
	} else if (aip->family == AF_INET6) {
		len = sizeof(aip->ip6);
		max_cidr = 128;
	} else {
		NL_SET_ERR_MSG_ATTR(extack, attrs[PTUN_A_ALLOWEDIP_FAMILY],
				    "an allowed IP's family must be AF_INET or AF_INET6");
		return -EAFNOSUPPORT;
	}
	if (nla_len(attrs[PTUN_A_ALLOWEDIP_IPADDR]) != len) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[PTUN_A_ALLOWEDIP_IPADDR],
				    "an allowed IP's address length does not match its family");
		return -EINVAL;
	}
	if (aip->cidr > max_cidr) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[PTUN_A_ALLOWEDIP_CIDR_MASK],
				    "prefix length too long for the family");
		return -EINVAL;
	}
	memcpy(&aip->ip6, nla_data(attrs[PTUN_A_ALLOWEDIP_IPADDR]), len);
	if (ptun_nl_host_bits_set((u8 *)&aip->ip6, len, aip->cidr)) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[PTUN_A_ALLOWEDIP_IPADDR],
				    "an allowed IP has bits set past its prefix length");
		return -EINVAL;
	}
	return 0;
}

static int ptun_nl_parse_endpoint(const struct nlattr *attr,
				  struct ptun_endpoint *endpoint,
				  struct netlink_ext_ack *extack)
{
	const struct sockaddr *addr = nla_data(attr);
	unsigned int len = nla_len(attr);

	memset(endpoint, 0, sizeof(*endpoint));
	if (addr->sa_family == AF_INET && len == sizeof(endpoint->addr4)) {
		endpoint->addr4 = *(const struct sockaddr_in *)addr;
		if (endpoint->addr4.sin_port)
			return 0;
	} else if (addr->sa_family == AF_INET6 && len == sizeof(endpoint->addr6)) {
		endpoint->addr6 = *(const struct sockaddr_in6 *)addr;
		if (endpoint->addr6.sin6_port)
			return 0;
	} else {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "an endpoint must be a struct sockaddr_in or sockaddr_in6");
		return -EINVAL;
	}
	NL_SET_ERR_MSG_ATTR(extack, attr, "an endpoint needs a port");
	return -EINVAL;
}

/*
 * Parse one PTUN_A_DEVICE_PEER nest and check what the policy cannot;
 * *@inserts grows by the number of allowed IPs it adds.
 */
static int ptun_nl_parse_peer(const struct nlattr *nest,
			      struct nlattr *attrs[PTUN_A_PEER_MAX + 1],
			      unsigned long *inserts,
			      struct netlink_ext_ack *extack)
{
	struct ptun_nl_allowedip aip;
	struct ptun_endpoint endpoint;
	const struct nlattr *attr;
	int ret, rem;

	ret = nla_parse_nested(attrs, PTUN_A_PEER_MAX, nest, ptun_peer_policy, extack);
	if (ret)
		return ret;
	if (NL_REQ_ATTR_CHECK(extack, nest, attrs, PTUN_A_PEER_PUBLIC_KEY)) {
		NL_SET_ERR_MSG(extack, "a peer needs its public key");
		return -EINVAL;
	}
	if (ptun_noise_public_key_is_low_order(nla_data(attrs[PTUN_A_PEER_PUBLIC_KEY]))) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[PTUN_A_PEER_PUBLIC_KEY],
				    "a peer's public key is a low-order point, which no real key is");
		return -EINVAL;
	}
	if (attrs[PTUN_A_PEER_ENDPOINT]) {
		ret = ptun_nl_parse_endpoint(attrs[PTUN_A_PEER_ENDPOINT], &endpoint, extack);
		if (ret)
			return ret;
	}
	nla_for_each_nested(attr, nest, rem) {
		if (nla_type(attr) != PTUN_A_PEER_ALLOWEDIP)
			continue;
		ret = ptun_nl_parse_allowedip(attr, &aip, extack);
		if (ret)
			return ret;
		*inserts += !aip.remove;
	}
	return 0;
}

/* The first attribute of a request; peers come as repeated attributes. */
static struct nlattr *ptun_nl_attrs(struct genl_info *info, int *len)
{
	*len = nlmsg_attrlen(info->nlhdr, GENL_HDRLEN);
	return nlmsg_attrdata(info->nlhdr, GENL_HDRLEN);
}

/*
 * Everything that could make the request fail part-way, checked before any
 * change: each peer's contents and the peer limit.  The memory for every
 * allowed IP it adds is set aside too, so that no peer is left with some
 * of them: what can still fail for lack of memory is a new peer itself,
 * and then the peers before it stand, whole, and none after it.
 */
static int ptun_nl_check_set(struct ptun_device *ptun, struct genl_info *info)
{
	unsigned long inserts = 0;
	struct nlattr *attrs[PTUN_A_PEER_MAX + 1];
	bool replace = info->attrs[PTUN_A_DEVICE_FLAGS] &&
		       nla_get_u32(info->attrs[PTUN_A_DEVICE_FLAGS]) &
		       PTUN_DEVICE_F_REPLACE_PEERS;
	unsigned int new_peers = 0;
	struct nlattr *attr, *head;
	int ret, len, rem;

	head = ptun_nl_attrs(info, &len);
	nla_for_each_attr(attr, head, len, rem) {
		struct ptun_peer *peer;
		u32 flags;

		if (nla_type(attr) != PTUN_A_DEVICE_PEER)
			continue;

		ret = ptun_nl_parse_peer(attr, attrs, &inserts, info->extack);
		if (ret)
			return ret;
		flags = attrs[PTUN_A_PEER_FLAGS] ? nla_get_u32(attrs[PTUN_A_PEER_FLAGS]) : 0;
		if (flags & (PTUN_PEER_F_REMOVE_ME | PTUN_PEER_F_UPDATE_ONLY))
			continue;
		peer = ptun_peer_table_find(ptun->peer_table,
					    nla_data(attrs[PTUN_A_PEER_PUBLIC_KEY]));
		if (!peer || replace)
			++new_peers;
		ptun_peer_put(peer);
	}
	if ((replace ? 0 : ptun->num_peers) + new_peers > PTUN_MAX_PEERS_PER_DEVICE) {
		NL_SET_ERR_MSG(info->extack, "too many peers for one device");
		return -ENOSPC;
	}
	ret = ptun_allowedips_reserve(&ptun->peer_allowedips, inserts, &ptun->update_lock);
	if (ret)
		NL_SET_ERR_MSG(info->extack, "no memory for the allowed IPs");
	return ret;
}

/* SET: applying it */

static int ptun_nl_set_allowedips(struct ptun_device *ptun, struct ptun_peer *peer,
				  const struct nlattr *nest)
{
	struct ptun_nl_allowedip aip;
	const struct nlattr *attr;
	int ret = 0, rem;

	nla_for_each_nested(attr, nest, rem) {
		if (nla_type(attr) != PTUN_A_PEER_ALLOWEDIP)
			continue;
		/* Checked already: cannot fail now. */
		ptun_nl_parse_allowedip(attr, &aip, NULL);
		if (aip.family == AF_INET && aip.remove)
			ret = ptun_allowedips_remove_v4(&ptun->peer_allowedips, &aip.ip4,
							aip.cidr, peer, &ptun->update_lock);
		else if (aip.family == AF_INET)
			ret = ptun_allowedips_insert_v4(&ptun->peer_allowedips, &aip.ip4,
							aip.cidr, peer, &ptun->update_lock);
		else if (aip.remove)
			ret = ptun_allowedips_remove_v6(&ptun->peer_allowedips, &aip.ip6,
							aip.cidr, peer, &ptun->update_lock);
		else
			ret = ptun_allowedips_insert_v6(&ptun->peer_allowedips, &aip.ip6,
							aip.cidr, peer, &ptun->update_lock);
		if (ret)
			return ret;
	}
	return 0;
}

static void ptun_nl_set_keepalive(struct ptun_peer *peer, u16 interval)
{
	bool start = !peer->persistent_keepalive_interval && interval &&
		     netif_running(peer->device->dev);

	WRITE_ONCE(peer->persistent_keepalive_interval, interval);
	if (start)
		ptun_packet_send_keepalive(peer);
}

/*
 * The peer the nest names, created if need be; NULL when there is nothing
 * to do (removing or updating an unknown peer, or our own key).
 */
static struct ptun_peer *ptun_nl_peer_for_set(struct ptun_device *ptun,
					      struct nlattr **attrs, u32 flags)
{
	static const u8 zero_psk[PTUN_KEY_LEN];
	const u8 *public_key = nla_data(attrs[PTUN_A_PEER_PUBLIC_KEY]);
	struct ptun_noise_static_identity *identity = &ptun->static_identity;
	struct ptun_peer *peer;
	bool own_key;

	peer = ptun_peer_table_find(ptun->peer_table, public_key);
	if (peer || flags & (PTUN_PEER_F_REMOVE_ME | PTUN_PEER_F_UPDATE_ONLY))
		return peer;

	/* One config can list every member of a mesh, this host included. */
	down_read(&identity->lock);
	own_key = identity->has_identity &&
		  !memcmp(public_key, identity->static_public, PTUN_KEY_LEN);
	up_read(&identity->lock);
	if (own_key)
		return NULL;

	peer = ptun_peer_create(ptun, public_key,
				attrs[PTUN_A_PEER_PRESHARED_KEY] ?
				nla_data(attrs[PTUN_A_PEER_PRESHARED_KEY]) : zero_psk);
	return IS_ERR(peer) ? peer : ptun_peer_get(peer);
}

static int ptun_nl_set_peer(struct ptun_device *ptun, const struct nlattr *nest,
			    struct list_head *dead)
{
	struct nlattr *attrs[PTUN_A_PEER_MAX + 1], *attr;
	struct ptun_endpoint endpoint;
	struct ptun_peer *peer;
	u32 flags;
	int ret = 0;

	/* Checked already: cannot fail now. */
	nla_parse_nested(attrs, PTUN_A_PEER_MAX, nest, ptun_peer_policy, NULL);
	flags = attrs[PTUN_A_PEER_FLAGS] ? nla_get_u32(attrs[PTUN_A_PEER_FLAGS]) : 0;

	peer = ptun_nl_peer_for_set(ptun, attrs, flags);
	if (IS_ERR_OR_NULL(peer))
		return PTR_ERR_OR_ZERO(peer);

	if (flags & PTUN_PEER_F_REMOVE_ME) {
		ptun_peer_remove(peer, dead);
		goto out;
	}
	if (attrs[PTUN_A_PEER_PRESHARED_KEY])
		ptun_noise_handshake_set_preshared_key(&peer->handshake,
						       nla_data(attrs[PTUN_A_PEER_PRESHARED_KEY]));
	if (attrs[PTUN_A_PEER_ENDPOINT]) {
		ptun_nl_parse_endpoint(attrs[PTUN_A_PEER_ENDPOINT], &endpoint, NULL);
		ptun_socket_set_peer_endpoint(peer, &endpoint);
	}
	if (flags & PTUN_PEER_F_REPLACE_ALLOWEDIPS)
		ptun_allowedips_remove_by_peer(&ptun->peer_allowedips, peer,
					       &ptun->update_lock);
	ret = ptun_nl_set_allowedips(ptun, peer, nest);
	if (ret)
		goto out;
	attr = attrs[PTUN_A_PEER_PERSISTENT_KEEPALIVE_INTERVAL];
	if (attr)
		ptun_nl_set_keepalive(peer, nla_get_u16(attr));
	/* Packets may have waited for an endpoint. */
	if (netif_running(ptun->dev))
		ptun_packet_send_staged_packets(peer);
out:
	ptun_peer_put(peer);
	return ret;
}

static void ptun_nl_set_private_key(struct ptun_device *ptun, const u8 *key,
				    struct list_head *dead)
{
	struct ptun_noise_static_identity *identity = &ptun->static_identity;
	struct ptun_peer *peer, *temp;
	u8 public_key[PTUN_KEY_LEN];
	bool has_identity;

	down_read(&identity->lock);
	if (identity->has_identity &&
	    !crypto_memneq(identity->static_private, key, PTUN_KEY_LEN)) {
		up_read(&identity->lock);
		return;
	}
	up_read(&identity->lock);

	ptun_noise_set_static_identity(identity, key);
	down_read(&identity->lock);
	has_identity = identity->has_identity;
	memcpy(public_key, identity->static_public, PTUN_KEY_LEN);
	up_read(&identity->lock);

	/* A peer with our new public key would be ourselves: drop it. */
	peer = has_identity ? ptun_peer_table_find(ptun->peer_table, public_key) : NULL;
	if (peer) {
		ptun_peer_put(peer);
		ptun_peer_remove(peer, dead);
	}
	list_for_each_entry_safe(peer, temp, &ptun->peer_list, peer_list) {
		ptun_noise_handshake_invalidate_precomputed(&peer->handshake);
		/* Sessions made with the old key must not outlive it. */
		ptun_noise_expire_current_peer_keypairs(peer);
	}
	ptun_cookie_gate_set_key(&ptun->cookie_gate, has_identity ? public_key : NULL);
}

static int ptun_nl_set_port(struct ptun_device *ptun, u16 port,
			    struct netlink_ext_ack *extack)
{
	int ret;

	if (port == ptun->incoming_port)
		return 0;
	if (!netif_running(ptun->dev)) {
		ptun->incoming_port = port;
		return 0;
	}
	ret = ptun_socket_init(ptun, port);
	if (ret)
		NL_SET_ERR_MSG(extack, "cannot listen on that port");
	return ret;
}

static void ptun_nl_set_fwmark(struct ptun_device *ptun, u32 fwmark)
{
	struct ptun_peer *peer;

	WRITE_ONCE(ptun->fwmark, fwmark);
	/* Cached routes were looked up with the old mark. */
	list_for_each_entry(peer, &ptun->peer_list, peer_list)
		ptun_socket_clear_peer_endpoint_src(peer);
}

/* Peers removed go to @dead, for the caller to release once unlocked. */
static int ptun_nl_set_device(struct ptun_device *ptun, struct genl_info *info,
			      struct list_head *dead)
{
	struct nlattr **attrs = info->attrs;
	struct nlattr *attr, *head;
	int ret, len, rem;

	ret = ptun_nl_check_set(ptun, info);
	if (ret)
		return ret;

	/* The one change that can fail for reasons outside the request: first. */
	if (attrs[PTUN_A_DEVICE_LISTEN_PORT]) {
		ret = ptun_nl_set_port(ptun, nla_get_u16(attrs[PTUN_A_DEVICE_LISTEN_PORT]),
				       info->extack);
		if (ret)
			return ret;
	}
	if (attrs[PTUN_A_DEVICE_FWMARK])
		ptun_nl_set_fwmark(ptun, nla_get_u32(attrs[PTUN_A_DEVICE_FWMARK]));
	if (attrs[PTUN_A_DEVICE_FLAGS] &&
	    nla_get_u32(attrs[PTUN_A_DEVICE_FLAGS]) & PTUN_DEVICE_F_REPLACE_PEERS)
		ptun_peer_remove_all(ptun, dead);
	if (attrs[PTUN_A_DEVICE_PRIVATE_KEY])
		ptun_nl_set_private_key(ptun, nla_data(attrs[PTUN_A_DEVICE_PRIVATE_KEY]),
					dead);

	head = ptun_nl_attrs(info, &len);
	nla_for_each_attr(attr, head, len, rem) {
		if (nla_type(attr) != PTUN_A_DEVICE_PEER)
			continue;
		ret = ptun_nl_set_peer(ptun, attr, dead);
		if (ret) {
			NL_SET_ERR_MSG_ATTR(info->extack, attr, "could not set this peer");
			return ret;
		}
	}
	return 0;
}

static int ptun_nl_set_device_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ptun_device *ptun;
	LIST_HEAD(dead);
	int ret;

	ptun = ptun_nl_lookup(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(ptun))
		return PTR_ERR(ptun);

	rtnl_lock();
	mutex_lock(&ptun->update_lock);
	ret = ptun_nl_set_device(ptun, info, &dead);
	ptun_allowedips_unreserve(&ptun->peer_allowedips, &ptun->update_lock);
	++ptun->update_gen;
	mutex_unlock(&ptun->update_lock);
	rtnl_unlock();
	/* Our reference keeps the device, and its workqueues, alive. */
	ptun_peers_release(ptun, &dead);

	dev_put(ptun->dev);
	return ret;
}

static const struct genl_ops ptun_genl_ops[] = {
	{
		.cmd = PTUN_CMD_GET_DEVICE,
		.dumpit = ptun_nl_get_device_dumpit,
		.done = ptun_nl_get_device_done,
		.policy = ptun_get_device_policy,
		.maxattr = ARRAY_SIZE(ptun_get_device_policy) - 1,
		/* the reply carries the private key */
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = PTUN_CMD_SET_DEVICE,
		.doit = ptun_nl_set_device_doit,
		.policy = ptun_set_device_policy,
		.maxattr = ARRAY_SIZE(ptun_set_device_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family ptun_genl_family __ro_after_init = {
	.name = PTUN_FAMILY_NAME,
	.version = PTUN_FAMILY_VERSION,
	.module = THIS_MODULE,
	.ops = ptun_genl_ops,
	.n_ops = ARRAY_SIZE(ptun_genl_ops),
	.mcgrps = ptun_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ptun_genl_mcgrps),
	.resv_start_op = PTUN_CMD_SET_DEVICE + 1,
	.netnsok = true,
};

int __init ptun_genl_init(void)
{
	return genl_register_family(&ptun_genl_family);
}

void ptun_genl_uninit(void)
{
	genl_unregister_family(&ptun_genl_family);
}

MODULE_ALIAS_GENL_FAMILY(PTUN_FAMILY_NAME);
