// SPDX-License-Identifier: GPL-2.0
/*
 * The arguments of `set', read as wg(8) reads them: device settings first,
 * then any number of `peer <key>', each followed by that peer's settings.
 * A repeated setting overrides the earlier one, except allowed-ips, which
 * add up.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "config.h"
#include "parse.h"
#include "terminal.h"

enum keyword_scope {
	SCOPE_DEVICE,	/* before the first peer */
	SCOPE_PEER,	/* after a peer, for the latest one */
	SCOPE_ANY,
};

struct keyword {
	const char *name;
	enum keyword_scope scope;
	bool takes_value;
	/* peer is the latest peer, NULL before the first */
	int (*parse)(struct ptun_device *dev, struct ptun_peer *peer,
		     const char *value);
};

static int no_memory(const char *what, const char *value)
{
	ptun_err("%s `%s': %s", what, value, strerror(errno));
	return -1;
}

static int set_listen_port(struct ptun_device *dev, struct ptun_peer *peer,
			   const char *value)
{
	(void)peer;
	dev->flags |= PTUN_DEVICE_HAS_LISTEN_PORT;
	return parse_port(value, &dev->listen_port);
}

static int set_fwmark(struct ptun_device *dev, struct ptun_peer *peer,
		      const char *value)
{
	(void)peer;
	dev->flags |= PTUN_DEVICE_HAS_FWMARK;
	return parse_fwmark(value, &dev->fwmark);
}

static int set_private_key(struct ptun_device *dev, struct ptun_peer *peer,
			   const char *value)
{
	(void)peer;
	dev->flags |= PTUN_DEVICE_HAS_PRIVATE_KEY;
	return parse_key_file("private-key", value, dev->private_key);
}

/* As wg(8), a key named twice makes two entries, applied in turn. */
static int add_peer(struct ptun_device *dev, struct ptun_peer *peer,
		    const char *value)
{
	peer = ptun_device_add_peer(dev);
	if (!peer)
		return no_memory("peer", value);
	return parse_public_key(value, peer->public_key);
}

static int set_remove(struct ptun_device *dev, struct ptun_peer *peer,
		      const char *value)
{
	(void)dev;
	(void)value;
	peer->flags |= PTUN_PEER_REMOVE;
	return 0;
}

static int set_preshared_key(struct ptun_device *dev, struct ptun_peer *peer,
			     const char *value)
{
	(void)dev;
	peer->flags |= PTUN_PEER_HAS_PRESHARED_KEY;
	return parse_key_file("preshared-key", value, peer->preshared_key);
}

static int set_endpoint(struct ptun_device *dev, struct ptun_peer *peer,
			const char *value)
{
	(void)dev;
	return address_parse_endpoint(value, &peer->endpoint);
}

static int set_keepalive(struct ptun_device *dev, struct ptun_peer *peer,
			 const char *value)
{
	(void)dev;
	peer->flags |= PTUN_PEER_HAS_KEEPALIVE;
	return parse_keepalive(value, &peer->keepalive);
}

/* As wg(8), spaces are dropped anywhere: "10.0.0.1/32, 10.0.0.2/32". */
static char *without_spaces(const char *value)
{
	char *out = malloc(strlen(value) + 1), *p = out;

	if (!out)
		return NULL;
	for (; *value; value++) {
		if (!isspace((unsigned char)*value))
			*p++ = *value;
	}
	*p = '\0';
	return out;
}

/*
 * wg(8)'s rule: a list without + or - replaces the peer's allowed IPs (an
 * empty one clears them); one item with + (add) or - (remove) makes the
 * whole list a change to them instead.  The last allowed-ips decides,
 * while the items of every allowed-ips are sent, in order.
 */
static int set_allowedips(struct ptun_device *dev, struct ptun_peer *peer,
			  const char *value)
{
	char *list = without_spaces(value), *rest = list, *item;
	struct ptun_allowedip *ip;
	bool incremental = false;
	uint32_t flags;
	int ret = -1;

	(void)dev;
	if (!list)
		return no_memory("allowed-ips", value);
	if (!*list)
		rest = NULL;	/* "" is an empty list, not one empty item */
	while ((item = strsep(&rest, ","))) {
		flags = 0;
		if (*item == '+' || *item == '-') {
			incremental = true;
			if (*item++ == '-')
				flags = PTUN_ALLOWEDIP_F_REMOVE_ME;
		}
		if (!*item) {
			ptun_err("allowed-ips `%s' has an empty item", value);
			goto out;
		}
		ip = ptun_peer_add_allowedip(peer);
		if (!ip) {
			no_memory("allowed-ips", value);
			goto out;
		}
		if (address_parse_allowedip(item, ip) < 0)
			goto out;
		ip->flags = flags;
	}
	if (incremental)
		peer->flags &= ~PTUN_PEER_REPLACE_ALLOWEDIPS;
	else
		peer->flags |= PTUN_PEER_REPLACE_ALLOWEDIPS;
	ret = 0;
out:
	free(list);
	return ret;
}

static const struct keyword keywords[] = {
	{ "listen-port", SCOPE_DEVICE, true, set_listen_port },
	{ "fwmark", SCOPE_DEVICE, true, set_fwmark },
	{ "private-key", SCOPE_DEVICE, true, set_private_key },
	{ "peer", SCOPE_ANY, true, add_peer },
	{ "remove", SCOPE_PEER, false, set_remove },
	{ "preshared-key", SCOPE_PEER, true, set_preshared_key },
	{ "endpoint", SCOPE_PEER, true, set_endpoint },
	{ "persistent-keepalive", SCOPE_PEER, true, set_keepalive },
	{ "allowed-ips", SCOPE_PEER, true, set_allowedips },
};

static const struct keyword *find_keyword(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		if (!strcmp(name, keywords[i].name))
			return &keywords[i];
	}
	ptun_err("unknown argument `%s' (see `" PROG_NAME " help set')", name);
	return NULL;
}

int config_parse_set_args(int argc, const char *argv[],
			  struct ptun_device *dev)
{
	const struct keyword *keyword;
	struct ptun_peer *peer;
	int i;

	memset(dev, 0, sizeof(*dev));
	if (parse_ifname(argv[0], dev->name) < 0)
		return -1;

	for (i = 1; i < argc; i += keyword->takes_value ? 2 : 1) {
		keyword = find_keyword(argv[i]);
		if (!keyword)
			return -1;
		peer = dev->nr_peers ? &dev->peers[dev->nr_peers - 1] : NULL;
		if (keyword->scope == SCOPE_DEVICE && peer) {
			ptun_err("`%s' is a setting of the interface: give it before the first peer",
				 keyword->name);
			return -1;
		}
		if (keyword->scope == SCOPE_PEER && !peer) {
			ptun_err("`%s' is a setting of a peer: give it after `peer <public key>'",
				 keyword->name);
			return -1;
		}
		if (keyword->takes_value && i + 1 >= argc) {
			ptun_err("`%s' needs a value", keyword->name);
			return -1;
		}
		if (keyword->parse(dev, peer,
				   keyword->takes_value ? argv[i + 1] : NULL) < 0)
			return -1;
	}
	return 0;
}
