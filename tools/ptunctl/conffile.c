// SPDX-License-Identifier: GPL-2.0
/*
 * wg(8)'s configuration files, read as wg reads them (sections and keys in
 * any case, `#' comments, whitespace ignored anywhere, repeated keys: the
 * last wins, AllowedIPs add up), and then checked harder: every refusal
 * names the file and line, and a file that configures the same peer or
 * the same allowed IP twice is refused rather than half applied.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "address.h"
#include "conffile.h"
#include "encoding.h"
#include "parse.h"
#include "terminal.h"

/* A file larger than this is a mistake (/dev/zero), not a configuration. */
#define CONFFILE_MAX_SIZE	(64U << 20)

enum section {
	SECTION_NONE,
	SECTION_INTERFACE,
	SECTION_PEER,
};

/* Where a peer's lines are, for messages that name both of two lines. */
struct peer_lines {
	unsigned int section;	/* its [Peer] */
	unsigned int key;	/* its PublicKey, 0 before one */
};

/* An allowed IP, the peer it is under and its line. */
struct ip_line {
	struct ptun_allowedip ip;
	size_t peer;
	unsigned int line;
};

struct parser {
	const char *name;
	unsigned int line;
	char where[512];	/* "name:line", the messages' context */
	enum section section;
	enum conffile_mode mode;
	struct ptun_device *dev;
	struct peer_lines *peers;	/* one per dev->peers */
	struct ip_line *ips;
	size_t nr_ips, max_ips;
	char wg_quick[256];		/* "Address (line 3), DNS (line 4)" */
};

struct conf_key {
	const char *name;
	enum section section;
	/*
	 * NULL for wg-quick(8)'s own settings, which wg(8) refuses too:
	 * they are collected, so that one message names them all.
	 */
	int (*parse)(struct parser *p, const char *value);
};

static struct ptun_peer *current_peer(struct parser *p)
{
	return &p->dev->peers[p->dev->nr_peers - 1];
}

static int no_memory(void)
{
	ptun_err("%s", strerror(ENOMEM));
	return -1;
}

static int read_private_key(struct parser *p, const char *value)
{
	if (!key_from_base64(p->dev->private_key, value, strlen(value))) {
		ptun_err("PrivateKey is not a base64 key of 44 characters");
		return -1;
	}
	p->dev->flags |= PTUN_DEVICE_HAS_PRIVATE_KEY;
	return 0;
}

static int read_listen_port(struct parser *p, const char *value)
{
	p->dev->flags |= PTUN_DEVICE_HAS_LISTEN_PORT;
	return parse_port(value, &p->dev->listen_port);
}

static int read_fwmark(struct parser *p, const char *value)
{
	p->dev->flags |= PTUN_DEVICE_HAS_FWMARK;
	return parse_fwmark(value, &p->dev->fwmark);
}

static int read_public_key(struct parser *p, const char *value)
{
	if (!key_from_base64(current_peer(p)->public_key, value,
			     strlen(value))) {
		ptun_err("PublicKey `%s' is not a base64 key of 44 characters",
			 value);
		return -1;
	}
	p->peers[p->dev->nr_peers - 1].key = p->line;
	return 0;
}

static int read_preshared_key(struct parser *p, const char *value)
{
	struct ptun_peer *peer = current_peer(p);

	if (!key_from_base64(peer->preshared_key, value, strlen(value))) {
		ptun_err("PresharedKey is not a base64 key of 44 characters");
		return -1;
	}
	peer->flags |= PTUN_PEER_HAS_PRESHARED_KEY;
	return 0;
}

static int read_endpoint(struct parser *p, const char *value)
{
	return address_parse_endpoint(value, &current_peer(p)->endpoint);
}

static int read_keepalive(struct parser *p, const char *value)
{
	struct ptun_peer *peer = current_peer(p);

	peer->flags |= PTUN_PEER_HAS_KEEPALIVE;
	return parse_keepalive(value, &peer->keepalive);
}

static struct ip_line *add_ip_line(struct parser *p)
{
	struct ip_line *bigger;
	size_t want;

	if (p->nr_ips == p->max_ips) {
		want = p->max_ips ? p->max_ips * 2 : 16;
		bigger = reallocarray(p->ips, want, sizeof(*bigger));
		if (!bigger)
			return NULL;
		p->ips = bigger;
		p->max_ips = want;
	}
	return &p->ips[p->nr_ips++];
}

/*
 * A comma-separated list; an empty value, as in wg(8), leaves the peer
 * without allowed IPs.  Several AllowedIPs lines add up.
 */
static int read_allowedips(struct parser *p, const char *value)
{
	struct ptun_peer *peer = current_peer(p);
	char *list = strdup(value), *rest = list, *item;
	struct ptun_allowedip *ip;
	struct ip_line *entry;
	int ret = -1;

	if (!list)
		return no_memory();
	peer->flags |= PTUN_PEER_REPLACE_ALLOWEDIPS;
	if (!*list)
		rest = NULL;
	while ((item = strsep(&rest, ","))) {
		if (!*item) {
			ptun_err("AllowedIPs `%s' has an empty item", value);
			goto out;
		}
		ip = ptun_peer_add_allowedip(peer);
		entry = ip ? add_ip_line(p) : NULL;
		if (!entry) {
			no_memory();
			goto out;
		}
		if (address_parse_allowedip(item, ip) < 0)
			goto out;
		entry->ip = *ip;
		entry->peer = p->dev->nr_peers - 1;
		entry->line = p->line;
	}
	ret = 0;
out:
	free(list);
	return ret;
}

static const struct conf_key conf_keys[] = {
	{ "PrivateKey", SECTION_INTERFACE, read_private_key },
	{ "ListenPort", SECTION_INTERFACE, read_listen_port },
	{ "FwMark", SECTION_INTERFACE, read_fwmark },
	{ "PublicKey", SECTION_PEER, read_public_key },
	{ "PresharedKey", SECTION_PEER, read_preshared_key },
	{ "AllowedIPs", SECTION_PEER, read_allowedips },
	{ "Endpoint", SECTION_PEER, read_endpoint },
	{ "PersistentKeepalive", SECTION_PEER, read_keepalive },
	{ "Address", SECTION_INTERFACE, NULL },
	{ "DNS", SECTION_INTERFACE, NULL },
	{ "MTU", SECTION_INTERFACE, NULL },
	{ "Table", SECTION_INTERFACE, NULL },
	{ "PreUp", SECTION_INTERFACE, NULL },
	{ "PostUp", SECTION_INTERFACE, NULL },
	{ "PreDown", SECTION_INTERFACE, NULL },
	{ "PostDown", SECTION_INTERFACE, NULL },
	{ "SaveConfig", SECTION_INTERFACE, NULL },
};

#define NR_CONF_KEYS	(sizeof(conf_keys) / sizeof(conf_keys[0]))

static const char *section_name(enum section section)
{
	return section == SECTION_PEER ? "[Peer]" : "[Interface]";
}

static int end_peer(struct parser *p)
{
	const struct peer_lines *lines;

	if (p->section != SECTION_PEER)
		return 0;
	lines = &p->peers[p->dev->nr_peers - 1];
	if (!lines->key) {
		snprintf(p->where, sizeof(p->where), "%s:%u", p->name,
			 lines->section);
		ptun_err("[Peer] has no PublicKey");
		return -1;
	}
	return 0;
}

static int start_peer(struct parser *p)
{
	struct peer_lines *bigger;
	struct ptun_peer *peer;

	bigger = reallocarray(p->peers, p->dev->nr_peers + 1, sizeof(*bigger));
	if (!bigger)
		return no_memory();
	p->peers = bigger;
	peer = ptun_device_add_peer(p->dev);
	if (!peer)
		return no_memory();
	if (p->mode == CONFFILE_SET)
		peer->flags |= PTUN_PEER_REPLACE_ALLOWEDIPS;
	bigger[p->dev->nr_peers - 1] = (struct peer_lines){ p->line, 0 };
	return 0;
}

static int read_section(struct parser *p, const char *line)
{
	if (end_peer(p) < 0)
		return -1;
	if (!strcasecmp(line, "[Interface]")) {
		p->section = SECTION_INTERFACE;
		return 0;
	}
	if (!strcasecmp(line, "[Peer]")) {
		p->section = SECTION_PEER;
		return start_peer(p);
	}
	ptun_err("unknown section `%s' (not [Interface] or [Peer])", line);
	return -1;
}

static int read_setting(struct parser *p, char *line)
{
	char *value = strchr(line, '=');
	const struct conf_key *key = NULL;
	size_t i, len;

	if (!value || value == line) {
		ptun_err("`%s' is not a section or a `Key = value' line", line);
		return -1;
	}
	*value++ = '\0';
	for (i = 0; i < NR_CONF_KEYS; i++) {
		if (!strcasecmp(line, conf_keys[i].name)) {
			key = &conf_keys[i];
			break;
		}
	}
	if (!key) {
		ptun_err("unknown key `%s'", line);
		return -1;
	}
	if (!key->parse && p->section == SECTION_INTERFACE) {
		len = strlen(p->wg_quick);
		snprintf(p->wg_quick + len, sizeof(p->wg_quick) - len,
			 "%s%s (line %u)", len ? ", " : "", key->name, p->line);
		return 0;
	}
	if (p->section == SECTION_NONE) {
		ptun_err("%s is outside any section; put it under %s",
			 key->name, section_name(key->section));
		return -1;
	}
	if (key->section != p->section) {
		ptun_err("%s is not a setting of %s but of %s", key->name,
			 section_name(p->section), section_name(key->section));
		return -1;
	}
	return key->parse(p, value);
}

/* As wg(8): a comment runs from `#' to the end; whitespace is dropped. */
static int read_line(struct parser *p, char *line)
{
	char *in, *out;

	line[strcspn(line, "#")] = '\0';
	for (in = out = line; *in; in++) {
		if (!strchr(" \t\r\v\f", *in))
			*out++ = *in;
	}
	*out = '\0';
	if (!*line)
		return 0;
	if (line[0] == '[')
		return read_section(p, line);
	return read_setting(p, line);
}

static int cmp_peer_keys(const void *a, const void *b)
{
	const struct ptun_peer *const *x = a, *const *y = b;
	int ret = memcmp((*x)->public_key, (*y)->public_key, PTUN_KEY_LEN);

	return ret ? ret : (*x > *y) - (*x < *y);
}

/* The same peer twice would be configured twice, the second undoing the first. */
static int check_peers_once(struct parser *p)
{
	const struct ptun_device *dev = p->dev;
	const struct ptun_peer **order;
	char key[KEY_BASE64_LEN + 1];
	size_t i, first, second;
	int ret = 0;

	if (dev->nr_peers < 2)
		return 0;
	order = calloc(dev->nr_peers, sizeof(*order));
	if (!order)
		return no_memory();
	for (i = 0; i < dev->nr_peers; i++)
		order[i] = &dev->peers[i];
	qsort(order, dev->nr_peers, sizeof(*order), cmp_peer_keys);
	for (i = 1; i < dev->nr_peers; i++) {
		if (memcmp(order[i - 1]->public_key, order[i]->public_key,
			   PTUN_KEY_LEN))
			continue;
		first = order[i - 1] - dev->peers;
		second = order[i] - dev->peers;
		key_to_base64(key, order[i]->public_key);
		snprintf(p->where, sizeof(p->where), "%s:%u", p->name,
			 p->peers[second].key);
		ptun_err("peer %s is already in this file, at line %u", key,
			 p->peers[first].key);
		ret = -1;
		break;
	}
	free(order);
	return ret;
}

static int cmp_ip_lines(const void *a, const void *b)
{
	const struct ip_line *x = a, *y = b;
	int ret = address_allowedip_cmp(&x->ip, &y->ip);

	if (ret)
		return ret;
	return (x->line > y->line) - (x->line < y->line);
}

/*
 * An allowed IP goes to one peer only: the kernel would quietly move it to
 * whichever peer came last.  Twice under the same peer is harmless.
 */
static int check_ips_once(struct parser *p)
{
	char ip[INET6_ADDRSTRLEN], key[KEY_BASE64_LEN + 1];
	const struct ip_line *a, *b;
	size_t i, j;

	if (!p->nr_ips)
		return 0;
	qsort(p->ips, p->nr_ips, sizeof(*p->ips), cmp_ip_lines);
	for (i = 0; i < p->nr_ips; i = j) {
		a = &p->ips[i];
		for (j = i + 1; j < p->nr_ips; j++) {
			b = &p->ips[j];
			if (address_allowedip_cmp(&a->ip, &b->ip))
				break;
			if (a->peer == b->peer)
				continue;
			address_ip_text(ip, &b->ip);
			key_to_base64(key, p->dev->peers[a->peer].public_key);
			snprintf(p->where, sizeof(p->where), "%s:%u", p->name,
				 b->line);
			ptun_err("allowed IP %s/%u is already under peer %s, at line %u",
				 ip, b->ip.cidr, key, a->line);
			return -1;
		}
	}
	return 0;
}

static int parse_lines(struct parser *p, const char *text, size_t len)
{
	const char *end = text + len, *next;
	char *line;
	int ret;

	while (text < end) {
		p->line++;
		snprintf(p->where, sizeof(p->where), "%s:%u", p->name, p->line);
		next = memchr(text, '\n', end - text);
		if (!next)
			next = end;
		if (memchr(text, '\0', next - text)) {
			ptun_err("the line holds a NUL byte; this is not a text file");
			return -1;
		}
		line = strndup(text, next - text);
		if (!line)
			return no_memory();
		ret = read_line(p, line);
		sodium_memzero(line, next - text);
		free(line);
		if (ret < 0)
			return -1;
		text = next + 1;
	}
	return end_peer(p);
}

int conffile_parse(const char *name, const char *text, size_t len,
		   enum conffile_mode mode, struct ptun_device *dev)
{
	struct parser p = {
		.name = name,
		.mode = mode,
		.dev = dev,
	};
	int ret = -1;

	dev->flags = 0;
	if (mode == CONFFILE_SET)
		dev->flags = PTUN_DEVICE_REPLACE_PEERS |
			     PTUN_DEVICE_HAS_PRIVATE_KEY |
			     PTUN_DEVICE_HAS_LISTEN_PORT |
			     PTUN_DEVICE_HAS_FWMARK;
	ptun_msg_context(p.where);
	if (parse_lines(&p, text, len) < 0)
		goto out;
	ptun_msg_context(NULL);
	if (p.wg_quick[0]) {
		ptun_err("%s: wg-quick(8) settings, not for " PROG_NAME ": %s; `ptun-quick strip' writes the file without them",
			 name, p.wg_quick);
		goto out;
	}
	ptun_msg_context(p.where);
	if (check_peers_once(&p) < 0 || check_ips_once(&p) < 0)
		goto out;
	ret = 0;
out:
	ptun_msg_context(NULL);
	free(p.peers);
	if (p.ips)
		sodium_memzero(p.ips, p.max_ips * sizeof(*p.ips));
	free(p.ips);
	return ret;
}

/* Read whole, with read(2), into a buffer that is wiped afterwards. */
static char *read_all(int fd, const char *path, size_t *len)
{
	size_t size = 0, max = 0;
	char *buf = NULL, *bigger;
	ssize_t n;

	for (;;) {
		if (size == max) {
			max = max ? max * 2 : 4096;
			if (max > CONFFILE_MAX_SIZE) {
				ptun_err("%s: larger than %u MiB; not a configuration file",
					 path, CONFFILE_MAX_SIZE >> 20);
				goto fail;
			}
			bigger = malloc(max);
			if (!bigger) {
				ptun_err("%s: %s", path, strerror(errno));
				goto fail;
			}
			if (size)
				memcpy(bigger, buf, size);
			if (buf)
				sodium_memzero(buf, size);
			free(buf);
			buf = bigger;
		}
		n = read(fd, buf + size, max - size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ptun_err("%s: %s", path, strerror(errno));
			goto fail;
		}
		if (!n)
			break;
		size += n;
	}
	*len = size;
	return buf;
fail:
	if (buf)
		sodium_memzero(buf, size);
	free(buf);
	return NULL;
}

static bool holds_keys(const struct ptun_device *dev)
{
	size_t i;

	if (dev->flags & PTUN_DEVICE_HAS_PRIVATE_KEY &&
	    !sodium_is_zero(dev->private_key, PTUN_KEY_LEN))
		return true;
	for (i = 0; i < dev->nr_peers; i++) {
		if (dev->peers[i].flags & PTUN_PEER_HAS_PRESHARED_KEY)
			return true;
	}
	return false;
}

int conffile_read(const char *path, enum conffile_mode mode,
		  struct ptun_device *dev)
{
	struct stat st;
	size_t len = 0;
	char *text;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ptun_err("%s: %s", path, strerror(errno));
		return -1;
	}
	text = read_all(fd, path, &len);
	if (!text) {
		close(fd);
		return -1;
	}
	ret = conffile_parse(path, text, len, mode, dev);
	if (!ret && holds_keys(dev) && !fstat(fd, &st) && S_ISREG(st.st_mode) &&
	    st.st_mode & (S_IRGRP | S_IROTH))
		ptun_warn("%s holds keys and is readable by group or others; consider chmod 600",
			  path);
	close(fd);
	sodium_memzero(text, len);
	free(text);
	return ret;
}

void conffile_print(const struct ptun_device *dev)
{
	char key[KEY_BASE64_LEN + 1], text[ENDPOINT_TEXT_SIZE];
	const struct ptun_peer *peer;
	size_t i, j;

	/* Byte for byte as wg(8), blank lines included. */
	printf("[Interface]\n");
	if (dev->listen_port)
		printf("ListenPort = %u\n", dev->listen_port);
	if (dev->fwmark)
		printf("FwMark = 0x%x\n", dev->fwmark);
	if (dev->flags & PTUN_DEVICE_HAS_PRIVATE_KEY &&
	    !sodium_is_zero(dev->private_key, PTUN_KEY_LEN)) {
		key_to_base64(key, dev->private_key);
		printf("PrivateKey = %s\n", key);
	}
	printf("\n");
	for (i = 0; i < dev->nr_peers; i++) {
		peer = &dev->peers[i];
		key_to_base64(key, peer->public_key);
		printf("%s[Peer]\nPublicKey = %s\n", i ? "\n" : "", key);
		if (peer->flags & PTUN_PEER_HAS_PRESHARED_KEY) {
			key_to_base64(key, peer->preshared_key);
			printf("PresharedKey = %s\n", key);
		}
		for (j = 0; j < peer->nr_allowedips; j++) {
			address_ip_text(text, &peer->allowedips[j]);
			printf("%s%s/%u", j ? ", " : "AllowedIPs = ", text,
			       peer->allowedips[j].cidr);
		}
		if (peer->nr_allowedips)
			printf("\n");
		if (peer->endpoint.addr.sa_family == AF_INET ||
		    peer->endpoint.addr.sa_family == AF_INET6) {
			address_endpoint_text(text, &peer->endpoint);
			printf("Endpoint = %s\n", text);
		}
		if (peer->keepalive)
			printf("PersistentKeepalive = %u\n", peer->keepalive);
	}
	sodium_memzero(key, sizeof(key));
}
