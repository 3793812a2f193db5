// SPDX-License-Identifier: GPL-2.0
/*
 * The "ptun" generic netlink family: a device's configuration read from a
 * dump and written in as many requests as it takes; rtnetlink to find which
 * links are ptun devices.  netlink.c carries the messages.
 */
#include <errno.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/rtnetlink.h>
#include <sodium.h>

#include "ipc.h"
#include "netlink.h"
#include "terminal.h"

/* Requests other than a set's are small. */
#define IPC_REQUEST_SIZE	256

/*
 * A set request must hold the device's attributes, one peer's and one
 * allowed IP's, whatever their values (under 300 bytes), so that every
 * message makes progress.
 */
#define IPC_SET_MIN_SIZE	512

/* How often a dump that raced a change is asked for again. */
#define IPC_DUMP_ATTEMPTS	5

static char ipc_note[128];	/* our explanation, when not the kernel's */
static char ipc_why[512];

const char *ipc_strerror(void)
{
	return ipc_why;
}

static int ipc_fail(int err)
{
	const char *text = ipc_note[0] ? ipc_note : nl_extack();

	if (text[0])
		snprintf(ipc_why, sizeof(ipc_why), "%s (%s)", text,
			 strerror(err));
	else
		snprintf(ipc_why, sizeof(ipc_why), "%s", strerror(err));
	return -err;
}

/* A reply the kernel should never send; it is not worth more detail. */
static int ipc_bad_reply(void)
{
	snprintf(ipc_note, sizeof(ipc_note), "malformed netlink reply");
	errno = EBADMSG;
	return MNL_CB_ERROR;
}

/*
 * libmnl before 1.0.5 leaves attribute padding as it finds it: start from a
 * zeroed buffer so that no stale bytes go to the kernel.
 */
static struct nlmsghdr *ipc_request(char *buf, size_t size, uint16_t type,
				    uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, size);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	return nlh;
}

static struct nlmsghdr *ipc_genl_request(char *buf, size_t size,
					 uint16_t type, uint16_t flags,
					 uint8_t cmd, uint8_t version,
					 uint32_t seq)
{
	struct nlmsghdr *nlh = ipc_request(buf, size, type, flags, seq);
	struct genlmsghdr *genl;

	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

/* The id of the events group, from one CTRL_ATTR_MCAST_GROUPS entry. */
static void ipc_parse_mcast_group(const struct nlattr *nest, struct ipc *ipc)
{
	const struct nlattr *attr;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(attr, nest) {
		if (mnl_attr_get_type(attr) == CTRL_ATTR_MCAST_GRP_NAME &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
			name = mnl_attr_get_str(attr);
		else if (mnl_attr_get_type(attr) == CTRL_ATTR_MCAST_GRP_ID &&
			 mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			id = mnl_attr_get_u32(attr);
	}
	if (name && !strcmp(name, PTUN_MCGRP_EVENTS))
		ipc->events_group = id;
}

static int ipc_cb_family(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr, *group;
	struct ipc *ipc = data;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(attr)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
				return ipc_bad_reply();
			ipc->family = mnl_attr_get_u16(attr);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			mnl_attr_for_each_nested(group, attr)
				ipc_parse_mcast_group(group, ipc);
			break;
		}
	}
	return MNL_CB_OK;
}

int ipc_open(struct ipc *ipc)
{
	alignas(struct nlmsghdr) char buf[IPC_REQUEST_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	memset(ipc, 0, sizeof(*ipc));
	ipc_note[0] = '\0';
	ipc->nl = nl_open(NETLINK_GENERIC);
	if (!ipc->nl)
		return ipc_fail(errno);
	ipc->seq = (uint32_t)time(NULL);
	ipc->request_size = MNL_SOCKET_BUFFER_SIZE;

	nlh = ipc_genl_request(buf, sizeof(buf), GENL_ID_CTRL,
			       NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_GETFAMILY, 1,
			       ++ipc->seq);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, PTUN_FAMILY_NAME);
	ret = nl_transact(ipc->nl, nlh, ipc_cb_family, ipc);
	if (ret == -ENOENT)
		snprintf(ipc_note, sizeof(ipc_note),
			 "ptun module not loaded (no \"%s\" generic netlink family)",
			 PTUN_FAMILY_NAME);
	else if (!ret && !ipc->family)
		ret = -EPROTO;
	if (ret) {
		ipc_close(ipc);
		if (ret == -ENOENT)
			snprintf(ipc_why, sizeof(ipc_why), "%s", ipc_note);
		else
			ipc_fail(-ret);
	}
	return ret;
}

void ipc_close(struct ipc *ipc)
{
	if (ipc->nl)
		nl_close(ipc->nl);
	ipc->nl = NULL;
}

/* ---- reading: a dump of one device, peers spread over its messages ---- */

struct allowedip_reply {
	struct ptun_allowedip *ip;
	size_t addr_len;
};

static int ipc_parse_allowedip_attr(const struct nlattr *attr, void *data)
{
	struct allowedip_reply *reply = data;

	switch (mnl_attr_get_type(attr)) {
	case PTUN_A_ALLOWEDIP_FAMILY:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return ipc_bad_reply();
		reply->ip->family = mnl_attr_get_u16(attr);
		break;
	case PTUN_A_ALLOWEDIP_IPADDR:
		reply->addr_len = mnl_attr_get_payload_len(attr);
		if (reply->addr_len != sizeof(reply->ip->ip4) &&
		    reply->addr_len != sizeof(reply->ip->ip6))
			return ipc_bad_reply();
		memcpy(&reply->ip->ip6, mnl_attr_get_payload(attr),
		       reply->addr_len);
		break;
	case PTUN_A_ALLOWEDIP_CIDR_MASK:
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return ipc_bad_reply();
		reply->ip->cidr = mnl_attr_get_u8(attr);
		break;
	}
	return MNL_CB_OK;
}

static int ipc_parse_allowedip(const struct nlattr *nest,
			       struct ptun_peer *peer)
{
	struct allowedip_reply reply = { .ip = ptun_peer_add_allowedip(peer) };
	const struct ptun_allowedip *ip = reply.ip;

	if (!ip)
		return MNL_CB_ERROR;
	if (mnl_attr_parse_nested(nest, ipc_parse_allowedip_attr,
				  &reply) == MNL_CB_ERROR)
		return MNL_CB_ERROR;
	if ((ip->family == AF_INET && reply.addr_len == sizeof(ip->ip4) &&
	     ip->cidr <= 32) ||
	    (ip->family == AF_INET6 && reply.addr_len == sizeof(ip->ip6) &&
	     ip->cidr <= 128))
		return MNL_CB_OK;
	return ipc_bad_reply();
}

static int ipc_parse_endpoint(const struct nlattr *attr,
			      union ptun_endpoint *endpoint)
{
	size_t len = mnl_attr_get_payload_len(attr);
	union ptun_endpoint addr = { 0 };

	if (len > sizeof(addr))
		return ipc_bad_reply();
	memcpy(&addr, mnl_attr_get_payload(attr), len);
	if ((addr.addr.sa_family == AF_INET && len == sizeof(addr.addr4)) ||
	    (addr.addr.sa_family == AF_INET6 && len == sizeof(addr.addr6))) {
		*endpoint = addr;
		return MNL_CB_OK;
	}
	return ipc_bad_reply();
}

static int ipc_get_u64(const struct nlattr *attr, uint64_t *val)
{
	if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
		return ipc_bad_reply();
	*val = mnl_attr_get_u64(attr);
	return MNL_CB_OK;
}

/* A nest of u64 counters into @counters by type; types past @max are newer. */
static int ipc_parse_counters(const struct nlattr *nest, uint64_t *counters,
			      uint16_t max)
{
	const struct nlattr *attr;

	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return ipc_bad_reply();
	mnl_attr_for_each_nested(attr, nest) {
		uint16_t type = mnl_attr_get_type(attr);

		if (type > max || mnl_attr_get_payload_len(attr) != sizeof(uint64_t))
			continue;
		counters[type] = mnl_attr_get_u64(attr);
	}
	return MNL_CB_OK;
}

static int ipc_parse_peer_attr(const struct nlattr *attr, void *data)
{
	struct ptun_peer *peer = data;

	switch (mnl_attr_get_type(attr)) {
	case PTUN_A_PEER_PRESHARED_KEY:
		if (mnl_attr_validate2(attr, MNL_TYPE_BINARY, PTUN_KEY_LEN) < 0)
			return ipc_bad_reply();
		memcpy(peer->preshared_key, mnl_attr_get_payload(attr),
		       PTUN_KEY_LEN);
		/* All zero is how the kernel says there is none. */
		if (sodium_is_zero(peer->preshared_key, PTUN_KEY_LEN))
			peer->flags &= ~PTUN_PEER_HAS_PRESHARED_KEY;
		else
			peer->flags |= PTUN_PEER_HAS_PRESHARED_KEY;
		break;
	case PTUN_A_PEER_ENDPOINT:
		return ipc_parse_endpoint(attr, &peer->endpoint);
	case PTUN_A_PEER_PERSISTENT_KEEPALIVE_INTERVAL:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return ipc_bad_reply();
		peer->keepalive = mnl_attr_get_u16(attr);
		peer->flags |= PTUN_PEER_HAS_KEEPALIVE;
		break;
	case PTUN_A_PEER_LAST_HANDSHAKE_TIME:
		return ipc_get_u64(attr, &peer->last_handshake_ns);
	case PTUN_A_PEER_RX_BYTES:
		return ipc_get_u64(attr, &peer->rx_bytes);
	case PTUN_A_PEER_TX_BYTES:
		return ipc_get_u64(attr, &peer->tx_bytes);
	case PTUN_A_PEER_ALLOWEDIP:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return ipc_bad_reply();
		return ipc_parse_allowedip(attr, peer);
	case PTUN_A_PEER_DROPS:
		return ipc_parse_counters(attr, peer->drops, PTUN_A_DROPS_MAX);
	case PTUN_A_PEER_HANDSHAKES:
		return ipc_parse_counters(attr, peer->handshakes,
					  PTUN_A_HANDSHAKES_MAX);
	}
	return MNL_CB_OK;
}

/*
 * A peer with the public key of the one before it continues that peer,
 * from the previous message: its allowed IPs add to the ones read.
 */
static int ipc_parse_peer(const struct nlattr *nest, struct ptun_device *dev)
{
	const struct nlattr *attr, *key = NULL;
	struct ptun_peer *peer;

	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return ipc_bad_reply();
	mnl_attr_for_each_nested(attr, nest) {
		if (mnl_attr_get_type(attr) == PTUN_A_PEER_PUBLIC_KEY)
			key = attr;
	}
	if (!key || mnl_attr_validate2(key, MNL_TYPE_BINARY, PTUN_KEY_LEN) < 0)
		return ipc_bad_reply();

	peer = dev->nr_peers ? &dev->peers[dev->nr_peers - 1] : NULL;
	if (!peer || memcmp(peer->public_key, mnl_attr_get_payload(key),
			    PTUN_KEY_LEN)) {
		peer = ptun_device_add_peer(dev);
		if (!peer)
			return MNL_CB_ERROR;
		memcpy(peer->public_key, mnl_attr_get_payload(key),
		       PTUN_KEY_LEN);
	}
	return mnl_attr_parse_nested(nest, ipc_parse_peer_attr, peer);
}

static int ipc_get_key(const struct nlattr *attr, uint8_t *key,
		       uint32_t *flags, uint32_t flag)
{
	if (mnl_attr_validate2(attr, MNL_TYPE_BINARY, PTUN_KEY_LEN) < 0)
		return ipc_bad_reply();
	memcpy(key, mnl_attr_get_payload(attr), PTUN_KEY_LEN);
	*flags |= flag;
	return MNL_CB_OK;
}

static int ipc_parse_device_attr(const struct nlattr *attr, void *data)
{
	struct ptun_device *dev = data;

	switch (mnl_attr_get_type(attr)) {
	case PTUN_A_DEVICE_IFINDEX:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return ipc_bad_reply();
		dev->ifindex = mnl_attr_get_u32(attr);
		break;
	case PTUN_A_DEVICE_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 ||
		    mnl_attr_get_payload_len(attr) > IFNAMSIZ)
			return ipc_bad_reply();
		strcpy(dev->name, mnl_attr_get_str(attr));
		break;
	case PTUN_A_DEVICE_PRIVATE_KEY:
		return ipc_get_key(attr, dev->private_key, &dev->flags,
				   PTUN_DEVICE_HAS_PRIVATE_KEY);
	case PTUN_A_DEVICE_PUBLIC_KEY:
		return ipc_get_key(attr, dev->public_key, &dev->flags,
				   PTUN_DEVICE_HAS_PUBLIC_KEY);
	case PTUN_A_DEVICE_LISTEN_PORT:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return ipc_bad_reply();
		dev->listen_port = mnl_attr_get_u16(attr);
		dev->flags |= PTUN_DEVICE_HAS_LISTEN_PORT;
		break;
	case PTUN_A_DEVICE_FWMARK:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return ipc_bad_reply();
		dev->fwmark = mnl_attr_get_u32(attr);
		dev->flags |= PTUN_DEVICE_HAS_FWMARK;
		break;
	case PTUN_A_DEVICE_PEER:
		return ipc_parse_peer(attr, dev);
	case PTUN_A_DEVICE_DROPS:
		return ipc_parse_counters(attr, dev->drops, PTUN_A_DROPS_MAX);
	}
	return MNL_CB_OK;
}

/* Every message of the dump describes the same device: each adds to dev. */
static int ipc_cb_device(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr),
			      ipc_parse_device_attr, data);
}

static void ipc_reset_device(void *data)
{
	ptun_device_wipe(data);
}

/* A dump that raced a change is asked for again, from scratch. */
static int ipc_dump(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		    void *data, void (*reset)(void *data))
{
	int attempt, ret;

	for (attempt = 1;; attempt++) {
		ret = nl_transact(nl, nlh, cb, data);
		if (ret != -EINTR)
			return ret;
		reset(data);
		if (attempt == IPC_DUMP_ATTEMPTS)
			break;
		nlh->nlmsg_seq++;
	}
	snprintf(ipc_note, sizeof(ipc_note),
		 "the configuration kept changing while it was read");
	return ret;
}

int ipc_get_device(struct ipc *ipc, const char *ifname,
		   struct ptun_device *dev)
{
	alignas(struct nlmsghdr) char buf[IPC_REQUEST_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	memset(dev, 0, sizeof(*dev));
	ipc_note[0] = '\0';
	nlh = ipc_genl_request(buf, sizeof(buf), ipc->family,
			       NLM_F_REQUEST | NLM_F_DUMP, PTUN_CMD_GET_DEVICE,
			       PTUN_FAMILY_VERSION, ++ipc->seq);
	mnl_attr_put_strz(nlh, PTUN_A_DEVICE_IFNAME, ifname);
	ret = ipc_dump(ipc->nl, nlh, ipc_cb_device, dev, ipc_reset_device);
	ipc->seq = nlh->nlmsg_seq;
	if (!ret && !dev->ifindex)
		ret = -ENODEV;
	if (!ret)
		return 0;
	ptun_device_wipe(dev);
	return ipc_fail(-ret);
}

/* ---- writing: a configuration, split over requests as it needs ---- */

/* How far a set has come: the next peer, and the next of its allowed IPs. */
struct set_cursor {
	size_t peer;
	size_t allowedip;
	bool continued;		/* an earlier request carried part of the peer */
};

static void ipc_put_device_attrs(struct nlmsghdr *nlh,
				 const struct ptun_device *dev)
{
	if (dev->flags & PTUN_DEVICE_HAS_PRIVATE_KEY)
		mnl_attr_put(nlh, PTUN_A_DEVICE_PRIVATE_KEY, PTUN_KEY_LEN,
			     dev->private_key);
	if (dev->flags & PTUN_DEVICE_HAS_LISTEN_PORT)
		mnl_attr_put_u16(nlh, PTUN_A_DEVICE_LISTEN_PORT,
				 dev->listen_port);
	if (dev->flags & PTUN_DEVICE_HAS_FWMARK)
		mnl_attr_put_u32(nlh, PTUN_A_DEVICE_FWMARK, dev->fwmark);
	if (dev->flags & PTUN_DEVICE_REPLACE_PEERS)
		mnl_attr_put_u32(nlh, PTUN_A_DEVICE_FLAGS,
				 PTUN_DEVICE_F_REPLACE_PEERS);
}

/*
 * A peer's own attributes, the first time it is sent.  A continuation
 * names the peer and nothing else: sending REPLACE_ALLOWEDIPS again would
 * drop the allowed IPs the request before added, and UPDATE_ONLY keeps it
 * from bringing back a peer removed in between.  A removed peer is only
 * named: the kernel would drop the rest with it.
 */
static bool ipc_put_peer_head(struct nlmsghdr *nlh, size_t size,
			      const struct ptun_peer *peer, bool continued)
{
	const union ptun_endpoint *endpoint = &peer->endpoint;
	uint32_t flags = 0;

	if (!mnl_attr_put_check(nlh, size, PTUN_A_PEER_PUBLIC_KEY,
				PTUN_KEY_LEN, peer->public_key))
		return false;
	if (continued)
		flags = PTUN_PEER_F_UPDATE_ONLY;
	else if (peer->flags & PTUN_PEER_REMOVE)
		flags = PTUN_PEER_F_REMOVE_ME;
	else if (peer->flags & PTUN_PEER_REPLACE_ALLOWEDIPS)
		flags = PTUN_PEER_F_REPLACE_ALLOWEDIPS;
	if (flags && !mnl_attr_put_u32_check(nlh, size, PTUN_A_PEER_FLAGS,
					     flags))
		return false;
	if (continued || peer->flags & PTUN_PEER_REMOVE)
		return true;

	if (peer->flags & PTUN_PEER_HAS_PRESHARED_KEY &&
	    !mnl_attr_put_check(nlh, size, PTUN_A_PEER_PRESHARED_KEY,
				PTUN_KEY_LEN, peer->preshared_key))
		return false;
	if (endpoint->addr.sa_family == AF_INET &&
	    !mnl_attr_put_check(nlh, size, PTUN_A_PEER_ENDPOINT,
				sizeof(endpoint->addr4), &endpoint->addr4))
		return false;
	if (endpoint->addr.sa_family == AF_INET6 &&
	    !mnl_attr_put_check(nlh, size, PTUN_A_PEER_ENDPOINT,
				sizeof(endpoint->addr6), &endpoint->addr6))
		return false;
	return !(peer->flags & PTUN_PEER_HAS_KEEPALIVE) ||
	       mnl_attr_put_u16_check(nlh, size,
				      PTUN_A_PEER_PERSISTENT_KEEPALIVE_INTERVAL,
				      peer->keepalive);
}

static bool ipc_put_allowedip(struct nlmsghdr *nlh, size_t size,
			      const struct ptun_allowedip *ip)
{
	size_t len = ip->family == AF_INET ? sizeof(ip->ip4) : sizeof(ip->ip6);
	struct nlattr *nest;

	nest = mnl_attr_nest_start_check(nlh, size, PTUN_A_PEER_ALLOWEDIP);
	if (!nest)
		return false;
	if (!mnl_attr_put_u16_check(nlh, size, PTUN_A_ALLOWEDIP_FAMILY,
				    ip->family) ||
	    !mnl_attr_put_check(nlh, size, PTUN_A_ALLOWEDIP_IPADDR, len,
				&ip->ip6) ||
	    !mnl_attr_put_u8_check(nlh, size, PTUN_A_ALLOWEDIP_CIDR_MASK,
				   ip->cidr) ||
	    (ip->flags && !mnl_attr_put_u32_check(nlh, size,
						  PTUN_A_ALLOWEDIP_FLAGS,
						  ip->flags))) {
		mnl_attr_nest_cancel(nlh, nest);
		return false;
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

/*
 * Adds the peers from *cur on to nlh, as many as fit in size bytes, and
 * moves *cur past them.  A peer that does not fit whole is cut between two
 * allowed IPs, to go on in the next request.  True when all are in.
 */
static bool ipc_put_peers(struct nlmsghdr *nlh, size_t size,
			  const struct ptun_device *dev,
			  struct set_cursor *cur)
{
	const struct ptun_peer *peer;
	struct nlattr *nest;
	size_t nr;

	for (; cur->peer < dev->nr_peers; cur->peer++) {
		peer = &dev->peers[cur->peer];
		nr = peer->flags & PTUN_PEER_REMOVE ? 0 : peer->nr_allowedips;
		nest = mnl_attr_nest_start_check(nlh, size, PTUN_A_DEVICE_PEER);
		if (!nest)
			return false;
		if (!ipc_put_peer_head(nlh, size, peer, cur->continued)) {
			mnl_attr_nest_cancel(nlh, nest);
			return false;
		}
		for (; cur->allowedip < nr; cur->allowedip++) {
			if (!ipc_put_allowedip(nlh, size,
					       &peer->allowedips[cur->allowedip])) {
				mnl_attr_nest_end(nlh, nest);
				cur->continued = true;
				return false;
			}
		}
		mnl_attr_nest_end(nlh, nest);
		cur->allowedip = 0;
		cur->continued = false;
	}
	return true;
}

int ipc_set_device(struct ipc *ipc, const struct ptun_device *dev)
{
	struct set_cursor cur = { 0 }, before;
	size_t size = ipc->request_size;
	unsigned int sent = 0;
	struct nlmsghdr *nlh;
	bool done;
	char *buf;
	int ret;

	ipc_note[0] = '\0';
	if (size < IPC_SET_MIN_SIZE)
		return ipc_fail(EMSGSIZE);
	buf = malloc(size);
	if (!buf)
		return ipc_fail(errno);
	do {
		nlh = ipc_genl_request(buf, size, ipc->family,
				       NLM_F_REQUEST | NLM_F_ACK,
				       PTUN_CMD_SET_DEVICE, PTUN_FAMILY_VERSION,
				       ++ipc->seq);
		mnl_attr_put_strz(nlh, PTUN_A_DEVICE_IFNAME, dev->name);
		if (!sent)
			ipc_put_device_attrs(nlh, dev);
		before = cur;
		done = ipc_put_peers(nlh, size, dev, &cur);
		/* IPC_SET_MIN_SIZE rules this out; it must not loop. */
		if (sent && !done && before.peer == cur.peer &&
		    before.allowedip == cur.allowedip &&
		    before.continued == cur.continued) {
			ret = -EMSGSIZE;
			break;
		}
		ret = nl_transact(ipc->nl, nlh, NULL, NULL);
		sent++;
	} while (!ret && !done);
	sodium_memzero(buf, size);
	free(buf);
	if (!ret)
		return 0;
	ipc_fail(-ret);
	if (sent > 1) {
		size_t len = strlen(ipc_why);

		snprintf(ipc_why + len, sizeof(ipc_why) - len,
			 "; the change went in %u requests and the first %u were applied",
			 sent, sent - 1);
	}
	return ret;
}

/* ---- ptun devices among the links of this network namespace ---- */

struct link_list {
	struct ipc_link *links;
	size_t count;
};

static void ipc_reset_links(void *data)
{
	struct link_list *list = data;

	free(list->links);
	list->links = NULL;
	list->count = 0;
}

static const char *link_kind(const struct nlattr *linkinfo)
{
	const struct nlattr *attr;

	mnl_attr_for_each_nested(attr, linkinfo) {
		if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
		    !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
			return mnl_attr_get_str(attr);
	}
	return NULL;
}

static int ipc_cb_link(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	const char *name = NULL, *kind = NULL;
	struct link_list *list = data;
	const struct nlattr *attr;
	struct ipc_link *links;

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm))
		return MNL_CB_OK;

	mnl_attr_for_each(attr, nlh, sizeof(*ifm)) {
		switch (mnl_attr_get_type(attr)) {
		case IFLA_IFNAME:
			if (!mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) &&
			    mnl_attr_get_payload_len(attr) <= IFNAMSIZ)
				name = mnl_attr_get_str(attr);
			break;
		case IFLA_LINKINFO:
			if (!mnl_attr_validate(attr, MNL_TYPE_NESTED))
				kind = link_kind(attr);
			break;
		}
	}
	if (!name || !kind || strcmp(kind, PTUN_LINK_KIND))
		return MNL_CB_OK;

	links = reallocarray(list->links, list->count + 1, sizeof(*links));
	if (!links)
		return MNL_CB_ERROR;
	list->links = links;
	links[list->count].ifindex = (uint32_t)ifm->ifi_index;
	strcpy(links[list->count].name, name);
	list->count++;
	return MNL_CB_OK;
}

static int link_cmp(const void *a, const void *b)
{
	const struct ipc_link *first = a, *second = b;

	return (first->ifindex > second->ifindex) -
	       (first->ifindex < second->ifindex);
}

int ipc_list_devices(struct ipc_link **links, size_t *count)
{
	alignas(struct nlmsghdr) char buf[IPC_REQUEST_SIZE];
	struct link_list list = { 0 };
	struct mnl_socket *nl;
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;
	int ret;

	ipc_note[0] = '\0';
	nl = nl_open(NETLINK_ROUTE);
	if (!nl)
		return ipc_fail(errno);

	nlh = ipc_request(buf, sizeof(buf), RTM_GETLINK,
			  NLM_F_REQUEST | NLM_F_DUMP, (uint32_t)time(NULL));
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;

	ret = ipc_dump(nl, nlh, ipc_cb_link, &list, ipc_reset_links);
	nl_close(nl);
	if (ret) {
		ipc_reset_links(&list);
		return ipc_fail(-ret);
	}
	/* The kernel's dump order is not ifindex order on every version. */
	if (list.count)
		qsort(list.links, list.count, sizeof(*list.links), link_cmp);
	*links = list.links;
	*count = list.count;
	return 0;
}

/* ---- events ---- */

struct monitor_ctx {
	struct ipc_event event;
	int (*cb)(const struct ipc_event *event, void *data);
	void *data;
};

static int ipc_parse_event_peer_attr(const struct nlattr *attr, void *data)
{
	struct ipc_event *event = data;

	switch (mnl_attr_get_type(attr)) {
	case PTUN_A_PEER_PUBLIC_KEY:
		if (mnl_attr_validate2(attr, MNL_TYPE_BINARY, PTUN_KEY_LEN) < 0)
			return ipc_bad_reply();
		memcpy(event->public_key, mnl_attr_get_payload(attr), PTUN_KEY_LEN);
		break;
	case PTUN_A_PEER_ENDPOINT:
		return ipc_parse_endpoint(attr, &event->endpoint);
	}
	return MNL_CB_OK;
}

static int ipc_parse_event_attr(const struct nlattr *attr, void *data)
{
	struct ipc_event *event = data;

	switch (mnl_attr_get_type(attr)) {
	case PTUN_A_DEVICE_IFINDEX:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return ipc_bad_reply();
		event->ifindex = mnl_attr_get_u32(attr);
		break;
	case PTUN_A_DEVICE_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 ||
		    mnl_attr_get_payload_len(attr) > IFNAMSIZ)
			return ipc_bad_reply();
		strcpy(event->ifname, mnl_attr_get_str(attr));
		break;
	case PTUN_A_DEVICE_EVENT:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return ipc_bad_reply();
		event->event = mnl_attr_get_u32(attr);
		break;
	case PTUN_A_DEVICE_PEER:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return ipc_bad_reply();
		return mnl_attr_parse_nested(attr, ipc_parse_event_peer_attr, event);
	}
	return MNL_CB_OK;
}

static int ipc_cb_event(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct monitor_ctx *ctx = data;
	int ret;

	if (genl->cmd != PTUN_CMD_EVENT)
		return MNL_CB_OK;
	memset(&ctx->event, 0, sizeof(ctx->event));
	ret = mnl_attr_parse(nlh, sizeof(*genl), ipc_parse_event_attr, &ctx->event);
	if (ret <= MNL_CB_STOP)
		return ret;
	ret = ctx->cb(&ctx->event, ctx->data);
	if (ret) {
		errno = ret;
		return MNL_CB_STOP;
	}
	return MNL_CB_OK;
}

int ipc_monitor(struct ipc *ipc, unsigned int tick_seconds,
		int (*cb)(const struct ipc_event *event, void *data), void *data)
{
	struct timeval tick = { .tv_sec = tick_seconds };
	alignas(struct nlmsghdr) char buf[MNL_SOCKET_BUFFER_SIZE];
	struct monitor_ctx ctx = { .cb = cb, .data = data };
	int group = ipc->events_group;
	ssize_t len;
	int ret;

	ipc_note[0] = '\0';
	if (!group) {
		snprintf(ipc_note, sizeof(ipc_note),
			 "this ptun module sends no events (too old)");
		return ipc_fail(EOPNOTSUPP);
	}
	if (mnl_socket_setsockopt(ipc->nl, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return ipc_fail(errno);
	if (tick_seconds &&
	    setsockopt(mnl_socket_get_fd(ipc->nl), SOL_SOCKET, SO_RCVTIMEO,
		       &tick, sizeof(tick)) < 0)
		return ipc_fail(errno);
	for (;;) {
		len = mnl_socket_recvfrom(ipc->nl, buf, sizeof(buf));
		if (len < 0 && tick_seconds && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			ret = cb(NULL, data);
			if (ret)
				return ret;
			continue;
		}
		if (len < 0) {
			/* The socket overflowed: events were lost, not the stream. */
			if (errno == ENOBUFS) {
				ptun_warn("some events were lost");
				continue;
			}
			return ipc_fail(errno);
		}
		errno = 0;
		ret = mnl_cb_run(buf, len, 0, 0, ipc_cb_event, &ctx);
		if (ret == MNL_CB_STOP)
			return errno;
		if (ret < 0)
			return ipc_fail(errno);
	}
}
