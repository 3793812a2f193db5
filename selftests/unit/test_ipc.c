// SPDX-License-Identifier: GPL-2.0
/*
 * ipc.c against a scripted kernel (fake_netlink.c): the SET_DEVICE requests
 * it writes, split over messages, read back attribute by attribute; and the
 * GET_DEVICE dumps it reads, with peers continued across messages, races
 * (NLM_F_DUMP_INTR) and malformed replies.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/rtnetlink.h>

#include "fake_netlink.h"
#include "ipc.h"
#include "tap.h"

/* ---- the configuration a set sends ---- */

static void fill_key(uint8_t key[PTUN_KEY_LEN], unsigned int seed)
{
	memset(key, (int)seed, PTUN_KEY_LEN);
}

static void add_ips(struct ptun_peer *peer, int family, unsigned int count,
		    uint32_t every_other_flag)
{
	struct ptun_allowedip *ip;
	unsigned int i;

	for (i = 0; i < count; i++) {
		ip = ptun_peer_add_allowedip(peer);
		if (!ip)
			abort();
		ip->family = (uint16_t)family;
		if (family == AF_INET) {
			ip->ip4.s_addr = htonl(0x0a000000 | i << 8);
			ip->cidr = 24;
		} else {
			ip->ip6.s6_addr[0] = 0x20;
			ip->ip6.s6_addr[1] = 0x01;
			ip->ip6.s6_addr[4] = (uint8_t)(i >> 8);
			ip->ip6.s6_addr[5] = (uint8_t)i;
			ip->cidr = 48;
		}
		ip->flags = i % 2 ? every_other_flag : 0;
	}
}

static struct ptun_peer *add_peer(struct ptun_device *dev, unsigned int seed,
				  uint32_t flags)
{
	struct ptun_peer *peer = ptun_device_add_peer(dev);

	if (!peer)
		abort();
	fill_key(peer->public_key, seed);
	peer->flags = flags;
	return peer;
}

/*
 * Every kind of peer: replaced allowed IPs, a removal (whose allowed IPs
 * must not be sent), every setting with IPv6 changes, a bare peer, a
 * cleared list, and an IPv4 endpoint.
 */
static void big_config(struct ptun_device *dev)
{
	struct ptun_peer *peer;

	memset(dev, 0, sizeof(*dev));
	strcpy(dev->name, "pt0");
	dev->flags = PTUN_DEVICE_HAS_PRIVATE_KEY | PTUN_DEVICE_HAS_LISTEN_PORT |
		     PTUN_DEVICE_HAS_FWMARK | PTUN_DEVICE_REPLACE_PEERS;
	fill_key(dev->private_key, 0xaa);
	dev->listen_port = 51820;
	dev->fwmark = 7;

	peer = add_peer(dev, 1, PTUN_PEER_REPLACE_ALLOWEDIPS);
	add_ips(peer, AF_INET, 100, 0);
	peer = add_peer(dev, 2, PTUN_PEER_REMOVE | PTUN_PEER_HAS_KEEPALIVE);
	add_ips(peer, AF_INET, 20, 0);
	peer = add_peer(dev, 3, PTUN_PEER_HAS_PRESHARED_KEY |
			PTUN_PEER_HAS_KEEPALIVE);
	fill_key(peer->preshared_key, 0x55);
	peer->keepalive = 25;
	peer->endpoint.addr6.sin6_family = AF_INET6;
	peer->endpoint.addr6.sin6_port = htons(51820);
	inet_pton(AF_INET6, "2001:db8::2", &peer->endpoint.addr6.sin6_addr);
	add_ips(peer, AF_INET6, 40, PTUN_ALLOWEDIP_F_REMOVE_ME);
	add_peer(dev, 4, 0);
	add_peer(dev, 5, PTUN_PEER_REPLACE_ALLOWEDIPS);
	peer = add_peer(dev, 6, PTUN_PEER_REPLACE_ALLOWEDIPS);
	peer->endpoint.addr4.sin_family = AF_INET;
	peer->endpoint.addr4.sin_port = htons(1);
	peer->endpoint.addr4.sin_addr.s_addr = htonl(0xc0000201);
	add_ips(peer, AF_INET, 30, 0);
}

/* ---- reading the requests back ---- */

struct seen_peer {
	const uint8_t *key;
	uint32_t flags;
	bool has_flags, psk, endpoint, keepalive, unknown;
	const struct nlattr *first_ip;
	size_t nr_ips;
};

static bool same_ip(const struct nlattr *nest, const struct ptun_allowedip *ip)
{
	size_t len = ip->family == AF_INET ? 4 : 16;
	const struct nlattr *attr;
	unsigned int found = 0;
	uint32_t flags = 0;

	mnl_attr_for_each_nested(attr, nest) {
		switch (mnl_attr_get_type(attr)) {
		case PTUN_A_ALLOWEDIP_FAMILY:
			found += mnl_attr_get_u16(attr) == ip->family;
			break;
		case PTUN_A_ALLOWEDIP_IPADDR:
			found += mnl_attr_get_payload_len(attr) == len &&
				 !memcmp(mnl_attr_get_payload(attr), &ip->ip6, len);
			break;
		case PTUN_A_ALLOWEDIP_CIDR_MASK:
			found += mnl_attr_get_u8(attr) == ip->cidr;
			break;
		case PTUN_A_ALLOWEDIP_FLAGS:
			flags = mnl_attr_get_u32(attr);
			break;
		default:
			return false;
		}
	}
	return found == 3 && flags == ip->flags;
}

static void read_peer(const struct nlattr *nest, struct seen_peer *peer)
{
	const struct nlattr *attr;

	memset(peer, 0, sizeof(*peer));
	mnl_attr_for_each_nested(attr, nest) {
		switch (mnl_attr_get_type(attr)) {
		case PTUN_A_PEER_PUBLIC_KEY:
			peer->key = mnl_attr_get_payload(attr);
			break;
		case PTUN_A_PEER_FLAGS:
			peer->has_flags = true;
			peer->flags = mnl_attr_get_u32(attr);
			break;
		case PTUN_A_PEER_PRESHARED_KEY:
			peer->psk = true;
			break;
		case PTUN_A_PEER_ENDPOINT:
			peer->endpoint = true;
			break;
		case PTUN_A_PEER_PERSISTENT_KEEPALIVE_INTERVAL:
			peer->keepalive = true;
			break;
		case PTUN_A_PEER_ALLOWEDIP:
			if (!peer->nr_ips++)
				peer->first_ip = attr;
			break;
		default:
			peer->unknown = true;
		}
	}
}

static bool has_attr(const struct nlmsghdr *nlh, uint16_t type)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) == type)
			return true;
	}
	return false;
}

/* Where a set stands while its requests are read back. */
struct replay {
	const struct ptun_device *dev;
	size_t peer, ip;
	bool in_peer;		/* the peer's head was sent */
	char why[256];
};

static size_t ips_to_send(const struct ptun_peer *peer)
{
	return peer->flags & PTUN_PEER_REMOVE ? 0 : peer->nr_allowedips;
}

static bool fail(struct replay *r, const char *why)
{
	snprintf(r->why, sizeof(r->why), "peer %zu, ip %zu: %s", r->peer,
		 r->ip, why);
	return false;
}

static bool replay_head(struct replay *r, const struct seen_peer *seen)
{
	const struct ptun_peer *peer = &r->dev->peers[r->peer];
	uint32_t want = 0;

	if (peer->flags & PTUN_PEER_REMOVE)
		want = PTUN_PEER_F_REMOVE_ME;
	else if (peer->flags & PTUN_PEER_REPLACE_ALLOWEDIPS)
		want = PTUN_PEER_F_REPLACE_ALLOWEDIPS;
	if (seen->has_flags != !!want || seen->flags != want)
		return fail(r, "first part: wrong flags");
	if (want == PTUN_PEER_F_REMOVE_ME)
		return seen->psk || seen->endpoint || seen->keepalive ?
		       fail(r, "a removed peer carries settings") : true;
	if (seen->psk != !!(peer->flags & PTUN_PEER_HAS_PRESHARED_KEY) ||
	    seen->keepalive != !!(peer->flags & PTUN_PEER_HAS_KEEPALIVE) ||
	    seen->endpoint != (peer->endpoint.addr.sa_family != AF_UNSPEC))
		return fail(r, "first part: settings differ");
	return true;
}

/*
 * The peers of one request, against the configuration: each peer's head
 * once, then its allowed IPs in order, each once; a continuation only at
 * the start of a request, naming the peer with UPDATE_ONLY and nothing else.
 */
static bool replay_message(struct replay *r, const struct nlmsghdr *nlh)
{
	const struct nlattr *attr, *ip;
	const struct ptun_peer *peer;
	struct seen_peer seen;
	size_t nest = 0, i;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) != PTUN_A_DEVICE_PEER)
			continue;
		read_peer(attr, &seen);
		if (!seen.key || seen.unknown)
			return fail(r, "no key, or an unknown attribute");
		if (r->in_peer && r->ip < ips_to_send(&r->dev->peers[r->peer])) {
			if (nest)
				return fail(r, "continued in the middle of a request");
			if (seen.flags != PTUN_PEER_F_UPDATE_ONLY ||
			    seen.psk || seen.endpoint || seen.keepalive)
				return fail(r, "continuation: not UPDATE_ONLY alone");
			if (!seen.nr_ips)
				return fail(r, "continuation without allowed IPs");
		} else {
			if (r->in_peer)
				r->peer++;
			r->ip = 0;
			r->in_peer = true;
			if (r->peer >= r->dev->nr_peers)
				return fail(r, "more peers than configured");
			if (!replay_head(r, &seen))
				return false;
		}
		peer = &r->dev->peers[r->peer];
		if (memcmp(seen.key, peer->public_key, PTUN_KEY_LEN))
			return fail(r, "not the expected peer");
		for (i = 0, ip = seen.first_ip; i < seen.nr_ips;
		     ip = mnl_attr_next(ip)) {
			if (mnl_attr_get_type(ip) != PTUN_A_PEER_ALLOWEDIP)
				continue;
			if (r->ip >= ips_to_send(peer) ||
			    !same_ip(ip, &peer->allowedips[r->ip]))
				return fail(r, "allowed IP out of order or not sent");
			r->ip++;
			i++;
		}
		nest++;
	}
	return true;
}

/* The device's attributes: those it sets in the first request, none later. */
static bool device_attrs_ok(const struct nlmsghdr *nlh,
			    const struct ptun_device *dev, bool first)
{
	static const struct {
		uint16_t type;
		uint32_t flag;
	} attrs[] = {
		{ PTUN_A_DEVICE_PRIVATE_KEY, PTUN_DEVICE_HAS_PRIVATE_KEY },
		{ PTUN_A_DEVICE_LISTEN_PORT, PTUN_DEVICE_HAS_LISTEN_PORT },
		{ PTUN_A_DEVICE_FWMARK, PTUN_DEVICE_HAS_FWMARK },
		{ PTUN_A_DEVICE_FLAGS, PTUN_DEVICE_REPLACE_PEERS },
	};
	size_t i;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		if (has_attr(nlh, attrs[i].type) !=
		    (first && dev->flags & attrs[i].flag))
			return false;
	}
	return true;
}

/* Checks every request of a set of dev, made with requests of size bytes. */
static void check_set_requests(const struct ptun_device *dev, size_t size,
			       const char *what)
{
	struct replay r = { .dev = dev };
	const struct nlmsghdr *nlh;
	const struct genlmsghdr *genl;
	bool ok = fake_netlink.nr_requests > 0;
	size_t m;

	for (m = 0; ok && m < fake_netlink.nr_requests; m++) {
		nlh = fake_netlink.requests[m];
		genl = mnl_nlmsg_get_payload(nlh);
		if (nlh->nlmsg_len > size || nlh->nlmsg_type != FAKE_FAMILY ||
		    nlh->nlmsg_flags != (NLM_F_REQUEST | NLM_F_ACK) ||
		    genl->cmd != PTUN_CMD_SET_DEVICE ||
		    !has_attr(nlh, PTUN_A_DEVICE_IFNAME)) {
			ok = fail(&r, "bad header or size");
			break;
		}
		if (!device_attrs_ok(nlh, dev, !m)) {
			ok = fail(&r, "device attributes not in the first request alone");
			break;
		}
		ok = replay_message(&r, nlh);
	}
	if (ok && (r.peer + 1 != dev->nr_peers ||
		   r.ip != ips_to_send(&dev->peers[r.peer])))
		ok = fail(&r, "the set ended early");
	if (!tap_ok(ok, "%s (%zu requests)", what, fake_netlink.nr_requests))
		tap_diag("request %zu: %s", m, r.why);
}

static int open_fake(struct ipc *ipc, size_t size)
{
	fake_netlink_reset();
	if (ipc_open(ipc) < 0 || ipc->family != FAKE_FAMILY) {
		tap_diag("ipc_open: %s", ipc_strerror());
		return -1;
	}
	if (size)
		ipc->request_size = size;
	return 0;
}

static void test_set_one_request(void)
{
	struct ptun_device dev;
	struct ptun_peer *peer;
	struct ipc ipc;

	memset(&dev, 0, sizeof(dev));
	strcpy(dev.name, "pt0");
	dev.flags = PTUN_DEVICE_HAS_FWMARK;
	dev.fwmark = 1;
	if (open_fake(&ipc, 0) < 0)
		abort();
	tap_ok(!ipc_set_device(&ipc, &dev) && fake_netlink.nr_requests == 1 &&
	       !has_attr(fake_netlink.requests[0], PTUN_A_DEVICE_PEER) &&
	       !has_attr(fake_netlink.requests[0], PTUN_A_DEVICE_FLAGS),
	       "device settings alone: one request, no peers, no flags");

	peer = add_peer(&dev, 9, PTUN_PEER_REPLACE_ALLOWEDIPS);
	add_ips(peer, AF_INET, 3, 0);
	fake_netlink_reset();
	tap_ok(!ipc_set_device(&ipc, &dev) && fake_netlink.nr_requests == 1,
	       "a small configuration fits one request of the default size");
	check_set_requests(&dev, ipc.request_size,
			   "that request holds the peer, its flags and IPs");
	ipc_close(&ipc);
	ptun_device_wipe(&dev);
}

static void test_set_split(void)
{
	struct ptun_device dev;
	struct ipc ipc;
	size_t size, total = 0, worst = 0;
	char what[96];
	bool ok = true;

	big_config(&dev);
	if (open_fake(&ipc, 0) < 0)
		abort();
	tap_ok(!ipc_set_device(&ipc, &dev),
	       "a large set succeeds at the default size");
	check_set_requests(&dev, ipc.request_size,
			   "large set, default size: every IP once, in order");

	for (size = 512; size <= 2048; size += 61) {
		fake_netlink_reset();
		ipc.request_size = size;
		if (ipc_set_device(&ipc, &dev) < 0) {
			ok = false;
			tap_diag("size %zu: %s", size, ipc_strerror());
		}
		snprintf(what, sizeof(what),
			 "large set in requests of %zu bytes: split correctly",
			 size);
		check_set_requests(&dev, size, what);
		total += fake_netlink.nr_requests;
		if (fake_netlink.nr_requests > worst)
			worst = fake_netlink.nr_requests;
	}
	tap_ok(ok && worst > 5,
	       "small requests split the set (up to %zu requests, %zu in all)",
	       worst, total);

	fake_netlink_reset();
	ipc.request_size = 511;
	tap_ok(ipc_set_device(&ipc, &dev) == -EMSGSIZE &&
	       !fake_netlink.nr_requests,
	       "a request size too small to make progress: refused, nothing sent");
	ipc_close(&ipc);
	ptun_device_wipe(&dev);
}

static void test_set_refused(void)
{
	static const struct fake_reply replies[] = {
		{ 0 }, { 0 },
		{ .error = -EINVAL, .extack = "allowed IP has host bits set" },
	};
	struct ptun_device dev;
	struct ipc ipc;
	int ret;

	big_config(&dev);
	if (open_fake(&ipc, 512) < 0)
		abort();
	fake_netlink.replies = replies;
	fake_netlink.nr_replies = 3;
	ret = ipc_set_device(&ipc, &dev);
	tap_ok(ret == -EINVAL && fake_netlink.nr_requests == 3,
	       "the third request refused: the set stops there");
	if (!tap_ok(strstr(ipc_strerror(), "allowed IP has host bits set (Invalid argument)") &&
		    strstr(ipc_strerror(), "first 2 were applied"),
		    "the error gives the kernel's extack and what was applied"))
		tap_diag("%s", ipc_strerror());

	fake_netlink_reset();
	fake_netlink.replies = replies + 2;
	fake_netlink.nr_replies = 1;
	ret = ipc_set_device(&ipc, &dev);
	if (!tap_ok(ret == -EINVAL && fake_netlink.nr_requests == 1 &&
		    !strcmp(ipc_strerror(), "allowed IP has host bits set (Invalid argument)"),
		    "the first request refused: the kernel's words alone"))
		tap_diag("%s", ipc_strerror());
	ipc_close(&ipc);
	tap_ok(!fake_netlink.open_sockets, "the socket is closed");
	fake_netlink_reset();
	ptun_device_wipe(&dev);
}

/* ---- dumps, as the kernel would send them ---- */

struct dump {
	alignas(struct nlmsghdr) char buf[16384];
	size_t len;
	struct nlmsghdr *nlh;
};

static const uint8_t pub[PTUN_KEY_LEN] = { 1, 2, 3 };

/* A new message of the dump, after the one before. */
static void dump_next(struct dump *d, uint16_t type, uint16_t flags)
{
	if (d->nlh)
		d->len += MNL_ALIGN(d->nlh->nlmsg_len);
	d->nlh = mnl_nlmsg_put_header(d->buf + d->len);
	d->nlh->nlmsg_type = type;
	d->nlh->nlmsg_flags = NLM_F_MULTI | flags;
}

/* A new message of a device's dump, with the device's attributes. */
static void dump_message(struct dump *d, uint16_t flags)
{
	struct genlmsghdr *genl;

	dump_next(d, FAKE_FAMILY, flags);
	genl = mnl_nlmsg_put_extra_header(d->nlh, sizeof(*genl));
	genl->cmd = PTUN_CMD_GET_DEVICE;
	genl->version = PTUN_FAMILY_VERSION;
	mnl_attr_put_u32(d->nlh, PTUN_A_DEVICE_IFINDEX, 5);
	mnl_attr_put_strz(d->nlh, PTUN_A_DEVICE_IFNAME, "pt0");
	mnl_attr_put(d->nlh, PTUN_A_DEVICE_PUBLIC_KEY, PTUN_KEY_LEN, pub);
	mnl_attr_put_u16(d->nlh, PTUN_A_DEVICE_LISTEN_PORT, 51820);
}

static size_t dump_end(struct dump *d)
{
	return d->len + MNL_ALIGN(d->nlh->nlmsg_len);
}

static struct nlattr *dump_peer(struct dump *d, unsigned int seed)
{
	uint8_t key[PTUN_KEY_LEN];
	struct nlattr *nest;

	fill_key(key, seed);
	nest = mnl_attr_nest_start(d->nlh, PTUN_A_DEVICE_PEER);
	mnl_attr_put(d->nlh, PTUN_A_PEER_PUBLIC_KEY, PTUN_KEY_LEN, key);
	return nest;
}

/* IPv4 10.seed.i.0/24 for i in [from, to). */
static void dump_ips(struct dump *d, unsigned int seed, unsigned int from,
		     unsigned int to)
{
	struct nlattr *nest;
	uint32_t addr;

	for (; from < to; from++) {
		addr = htonl(0x0a000000 | seed << 16 | from << 8);
		nest = mnl_attr_nest_start(d->nlh, PTUN_A_PEER_ALLOWEDIP);
		mnl_attr_put_u16(d->nlh, PTUN_A_ALLOWEDIP_FAMILY, AF_INET);
		mnl_attr_put(d->nlh, PTUN_A_ALLOWEDIP_IPADDR, 4, &addr);
		mnl_attr_put_u8(d->nlh, PTUN_A_ALLOWEDIP_CIDR_MASK, 24);
		mnl_attr_nest_end(d->nlh, nest);
	}
}

static bool peer_has_ips(const struct ptun_peer *peer, unsigned int seed,
			 unsigned int count)
{
	unsigned int i;

	if (peer->nr_allowedips != count)
		return false;
	for (i = 0; i < count; i++) {
		if (peer->allowedips[i].family != AF_INET ||
		    peer->allowedips[i].cidr != 24 ||
		    peer->allowedips[i].ip4.s_addr !=
		    htonl(0x0a000000 | seed << 16 | i << 8))
			return false;
	}
	return true;
}

/*
 * Three messages: peer 1 whole and peer 2 begun; peer 2 continued; peer 3.
 * interrupt flags the second message NLM_F_DUMP_INTR.
 */
static size_t split_dump(struct dump *d, uint16_t interrupt)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_port = htons(4242) };
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(51820) };
	uint8_t psk[PTUN_KEY_LEN];
	struct nlattr *nest;

	memset(d, 0, sizeof(*d));
	sin.sin_addr.s_addr = htonl(0xc0000201);
	inet_pton(AF_INET6, "2001:db8::1", &sin6.sin6_addr);
	fill_key(psk, 0x77);

	dump_message(d, 0);
	nest = dump_peer(d, 1);
	mnl_attr_put(d->nlh, PTUN_A_PEER_PRESHARED_KEY, PTUN_KEY_LEN, psk);
	mnl_attr_put(d->nlh, PTUN_A_PEER_ENDPOINT, sizeof(sin), &sin);
	mnl_attr_put_u16(d->nlh, PTUN_A_PEER_PERSISTENT_KEEPALIVE_INTERVAL, 25);
	mnl_attr_put_u64(d->nlh, PTUN_A_PEER_LAST_HANDSHAKE_TIME,
			 1700000000123456789ULL);
	mnl_attr_put_u64(d->nlh, PTUN_A_PEER_RX_BYTES, 1ULL << 40);
	mnl_attr_put_u64(d->nlh, PTUN_A_PEER_TX_BYTES, 12345);
	dump_ips(d, 1, 0, 3);
	mnl_attr_nest_end(d->nlh, nest);
	nest = dump_peer(d, 2);
	memset(psk, 0, sizeof(psk));
	mnl_attr_put(d->nlh, PTUN_A_PEER_PRESHARED_KEY, PTUN_KEY_LEN, psk);
	mnl_attr_put(d->nlh, PTUN_A_PEER_ENDPOINT, sizeof(sin6), &sin6);
	dump_ips(d, 2, 0, 40);
	mnl_attr_nest_end(d->nlh, nest);

	dump_message(d, interrupt);
	nest = dump_peer(d, 2);
	dump_ips(d, 2, 40, 90);
	mnl_attr_nest_end(d->nlh, nest);

	dump_message(d, 0);
	nest = dump_peer(d, 3);
	mnl_attr_nest_end(d->nlh, nest);
	return dump_end(d);
}

static void test_get_merges(void)
{
	struct fake_reply reply = { 0 };
	const struct ptun_peer *p;
	struct ptun_device dev;
	static struct dump d;
	uint8_t key[PTUN_KEY_LEN];
	struct ipc ipc;
	int ret;

	reply.buf = d.buf;
	reply.len = split_dump(&d, 0);
	if (open_fake(&ipc, 0) < 0)
		abort();
	fake_netlink.replies = &reply;
	fake_netlink.nr_replies = 1;
	ret = ipc_get_device(&ipc, "pt0", &dev);
	if (!tap_ok(!ret && dev.nr_peers == 3 && dev.ifindex == 5 &&
		    !strcmp(dev.name, "pt0") && dev.listen_port == 51820 &&
		    dev.flags == (PTUN_DEVICE_HAS_PUBLIC_KEY |
				  PTUN_DEVICE_HAS_LISTEN_PORT),
		    "a dump of three messages gives one device with three peers"))
		tap_diag("ret %d (%s), %zu peers", ret, ipc_strerror(),
			 dev.nr_peers);
	if (dev.nr_peers != 3) {
		ptun_device_wipe(&dev);
		ipc_close(&ipc);
		return;
	}
	p = &dev.peers[0];
	fill_key(key, 1);
	tap_ok(!memcmp(p->public_key, key, PTUN_KEY_LEN) &&
	       p->flags == (PTUN_PEER_HAS_PRESHARED_KEY | PTUN_PEER_HAS_KEEPALIVE) &&
	       p->preshared_key[0] == 0x77 && p->keepalive == 25 &&
	       p->endpoint.addr4.sin_family == AF_INET &&
	       p->endpoint.addr4.sin_port == htons(51820) &&
	       p->endpoint.addr4.sin_addr.s_addr == htonl(0xc0000201) &&
	       p->last_handshake_ns == 1700000000123456789ULL &&
	       p->rx_bytes == 1ULL << 40 && p->tx_bytes == 12345 &&
	       peer_has_ips(p, 1, 3),
	       "every attribute of a peer is read");
	p = &dev.peers[1];
	tap_ok(!(p->flags & PTUN_PEER_HAS_PRESHARED_KEY) &&
	       p->endpoint.addr6.sin6_family == AF_INET6 &&
	       p->endpoint.addr6.sin6_port == htons(4242),
	       "an all-zero preshared key is none; an IPv6 endpoint is read");
	tap_ok(peer_has_ips(p, 2, 90),
	       "a peer continued in the next message: one peer, 40+50 IPs in order");
	fill_key(key, 3);
	tap_ok(!memcmp(dev.peers[2].public_key, key, PTUN_KEY_LEN) &&
	       !dev.peers[2].nr_allowedips && !dev.peers[2].last_handshake_ns,
	       "the peer after the continuation is a peer of its own");
	ptun_device_wipe(&dev);
	tap_ok(fake_netlink.nr_requests == 1 &&
	       has_attr(fake_netlink.requests[0], PTUN_A_DEVICE_IFNAME) &&
	       fake_netlink.requests[0]->nlmsg_flags ==
	       (NLM_F_REQUEST | NLM_F_DUMP),
	       "one dump request, naming the device");
	ipc_close(&ipc);
}

static void test_get_interrupted(void)
{
	static struct dump raced, clean;
	struct fake_reply replies[5] = { { 0 } };
	struct ptun_device dev;
	struct ipc ipc;
	size_t i;
	int ret;

	/* Four races, then a clean dump. */
	for (i = 0; i < 4; i++) {
		replies[i].buf = raced.buf;
		replies[i].len = split_dump(&raced, NLM_F_DUMP_INTR);
	}
	replies[4].buf = clean.buf;
	replies[4].len = split_dump(&clean, 0);

	if (open_fake(&ipc, 0) < 0)
		abort();
	fake_netlink.replies = replies + 3;
	fake_netlink.nr_replies = 2;
	ret = ipc_get_device(&ipc, "pt0", &dev);
	tap_ok(!ret && fake_netlink.nr_requests == 2 && dev.nr_peers == 3 &&
	       dev.peers[1].nr_allowedips == 90,
	       "a dump flagged NLM_F_DUMP_INTR is read again, whole");
	ptun_device_wipe(&dev);

	fake_netlink_reset();
	fake_netlink.replies = replies;
	fake_netlink.nr_replies = 5;
	ret = ipc_get_device(&ipc, "pt0", &dev);
	tap_ok(!ret && fake_netlink.nr_requests == 5 && dev.nr_peers == 3 &&
	       fake_netlink.requests[4]->nlmsg_seq ==
	       fake_netlink.requests[0]->nlmsg_seq + 4,
	       "four races in a row: the fifth dump, a new sequence number each");
	ptun_device_wipe(&dev);

	fake_netlink_reset();
	replies[4] = replies[0];
	fake_netlink.replies = replies;
	fake_netlink.nr_replies = 5;
	ret = ipc_get_device(&ipc, "pt0", &dev);
	if (!tap_ok(ret == -EINTR && fake_netlink.nr_requests == 5 &&
		    !dev.nr_peers && !dev.peers &&
		    !strcmp(ipc_strerror(), "the configuration kept changing while it was read (Interrupted system call)"),
		    "five races: give up with one clear line, device left empty"))
		tap_diag("ret %d, %zu requests: %s", ret,
			 fake_netlink.nr_requests, ipc_strerror());
	ipc_close(&ipc);
	fake_netlink_reset();
}

/* One message of one peer, with an allowed IP given as raw attributes. */
static size_t one_ip_dump(struct dump *d, uint16_t family, size_t addr_len,
			  uint8_t cidr)
{
	static const uint8_t addr[16];
	struct nlattr *nest, *ip;

	memset(d, 0, sizeof(*d));
	dump_message(d, 0);
	nest = dump_peer(d, 1);
	ip = mnl_attr_nest_start(d->nlh, PTUN_A_PEER_ALLOWEDIP);
	mnl_attr_put_u16(d->nlh, PTUN_A_ALLOWEDIP_FAMILY, family);
	mnl_attr_put(d->nlh, PTUN_A_ALLOWEDIP_IPADDR, addr_len, addr);
	mnl_attr_put_u8(d->nlh, PTUN_A_ALLOWEDIP_CIDR_MASK, cidr);
	mnl_attr_nest_end(d->nlh, ip);
	mnl_attr_nest_end(d->nlh, nest);
	return dump_end(d);
}

static void test_get_malformed(void)
{
	static const struct {
		const char *what;
		uint16_t family;
		size_t len;
		uint8_t cidr;
		int ret;
	} cases[] = {
		{ "IPv4 /32", AF_INET, 4, 32, 0 },
		{ "IPv6 /128", AF_INET6, 16, 128, 0 },
		{ "IPv4 /33", AF_INET, 4, 33, -EBADMSG },
		{ "IPv6 /129", AF_INET6, 16, 129, -EBADMSG },
		{ "IPv4 family, 16 bytes", AF_INET, 16, 8, -EBADMSG },
		{ "IPv6 family, 4 bytes", AF_INET6, 4, 8, -EBADMSG },
		{ "family 0", 0, 4, 8, -EBADMSG },
		{ "5 address bytes", AF_INET, 5, 8, -EBADMSG },
	};
	struct fake_reply reply = { 0 };
	struct ptun_device dev;
	static struct dump d;
	struct nlattr *nest;
	struct ipc ipc;
	size_t i;
	int ret;

	if (open_fake(&ipc, 0) < 0)
		abort();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake_netlink_reset();
		reply.buf = d.buf;
		reply.len = one_ip_dump(&d, cases[i].family, cases[i].len,
					cases[i].cidr);
		fake_netlink.replies = &reply;
		fake_netlink.nr_replies = 1;
		ret = ipc_get_device(&ipc, "pt0", &dev);
		if (!tap_ok(ret == cases[i].ret &&
			    (ret || dev.nr_peers == 1) &&
			    (!ret || (!dev.nr_peers &&
				      strstr(ipc_strerror(), "malformed netlink reply"))),
			    "allowed IP in a reply, %s: %s", cases[i].what,
			    cases[i].ret ? "refused as malformed" : "read"))
			tap_diag("ret %d: %s", ret, ipc_strerror());
		ptun_device_wipe(&dev);
	}

	fake_netlink_reset();
	memset(&d, 0, sizeof(d));
	dump_message(&d, 0);
	mnl_attr_nest_end(d.nlh, mnl_attr_nest_start(d.nlh, PTUN_A_DEVICE_PEER));
	reply.len = dump_end(&d);
	fake_netlink.replies = &reply;
	fake_netlink.nr_replies = 1;
	tap_ok(ipc_get_device(&ipc, "pt0", &dev) == -EBADMSG,
	       "a peer without a public key is malformed");

	fake_netlink_reset();
	memset(&d, 0, sizeof(d));
	dump_message(&d, 0);
	nest = dump_peer(&d, 1);
	mnl_attr_put(d.nlh, PTUN_A_PEER_ENDPOINT, 3, "abc");
	mnl_attr_nest_end(d.nlh, nest);
	reply.len = dump_end(&d);
	fake_netlink.replies = &reply;
	fake_netlink.nr_replies = 1;
	ret = ipc_get_device(&ipc, "pt0", &dev);
	tap_ok(ret == -EBADMSG && !dev.nr_peers,
	       "an endpoint of 3 bytes is malformed; nothing is kept");

	fake_netlink_reset();
	reply = (struct fake_reply){ .error = -EPERM,
				     .extack = "no permission for this device" };
	fake_netlink.replies = &reply;
	fake_netlink.nr_replies = 1;
	ret = ipc_get_device(&ipc, "pt0", &dev);
	tap_ok(ret == -EPERM &&
	       !strcmp(ipc_strerror(), "no permission for this device (Operation not permitted)"),
	       "a refused dump: the kernel's extack and the errno");

	fake_netlink_reset();
	reply = (struct fake_reply){ 0 };
	fake_netlink.replies = &reply;
	fake_netlink.nr_replies = 1;
	tap_ok(ipc_get_device(&ipc, "pt0", &dev) == -ENODEV,
	       "an empty dump: no such device");
	ipc_close(&ipc);
	fake_netlink_reset();
}

/* ---- the list of ptun devices ---- */

static void link_message(struct dump *d, int ifindex, const char *name,
			 const char *kind, uint16_t flags)
{
	struct ifinfomsg *ifm;
	struct nlattr *nest;

	dump_next(d, RTM_NEWLINK, flags);
	ifm = mnl_nlmsg_put_extra_header(d->nlh, sizeof(*ifm));
	ifm->ifi_index = ifindex;
	mnl_attr_put_strz(d->nlh, IFLA_IFNAME, name);
	nest = mnl_attr_nest_start(d->nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(d->nlh, IFLA_INFO_KIND, kind);
	mnl_attr_nest_end(d->nlh, nest);
}

static void test_list(void)
{
	static struct dump raced, clean;
	struct fake_reply replies[2] = { { 0 } };
	struct ipc_link *links = NULL;
	size_t count = 0;
	int ret;

	link_message(&raced, 9, "pt9", "ptun", NLM_F_DUMP_INTR);
	replies[0].buf = raced.buf;
	replies[0].len = dump_end(&raced);
	link_message(&clean, 9, "pt9", "ptun", 0);
	link_message(&clean, 1, "lo", "", 0);
	link_message(&clean, 3, "wg0", "wireguard", 0);
	link_message(&clean, 4, "pt4", "ptun", 0);
	replies[1].buf = clean.buf;
	replies[1].len = dump_end(&clean);

	fake_netlink_reset();
	fake_netlink.replies = replies;
	fake_netlink.nr_replies = 2;
	ret = ipc_list_devices(&links, &count);
	tap_ok(!ret && count == 2 && links[0].ifindex == 4 &&
	       !strcmp(links[0].name, "pt4") && !strcmp(links[1].name, "pt9") &&
	       fake_netlink.nr_requests == 2 && !fake_netlink.open_sockets,
	       "ptun links only, by ifindex, the raced dump asked again");
	free(links);
	fake_netlink_reset();
}

int main(void)
{
	test_set_one_request();
	test_set_split();
	test_set_refused();
	test_get_merges();
	test_get_interrupted();
	test_get_malformed();
	test_list();
	return tap_exit_status();
}
