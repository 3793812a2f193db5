// SPDX-License-Identifier: GPL-2.0
/*
 * Endpoints and allowed IPs: the syntax of wg(8)'s `set', checked here in
 * full, so that what reaches the kernel is always well formed.
 */
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "address.h"
#include "parse.h"
#include "terminal.h"

/* As wg(8): 15 retries by default, "infinity" for no limit (-1). */
static int resolution_retries(int *retries)
{
	const char *var = getenv("PTUN_ENDPOINT_RESOLUTION_RETRIES");
	uint32_t val;

	if (!var) {
		*retries = 15;
		return 0;
	}
	if (!strcmp(var, "infinity")) {
		*retries = -1;
		return 0;
	}
	if (parse_number(var, 10, INT_MAX, &val) < 0) {
		ptun_err("PTUN_ENDPOINT_RESOLUTION_RETRIES `%s' is neither infinity nor a number",
			 var);
		return -1;
	}
	*retries = (int)val;
	return 0;
}

static int resolve(const char *host, int family, int flags,
		   struct addrinfo **res)
{
	const struct addrinfo hints = {
		.ai_family = family,
		.ai_socktype = SOCK_DGRAM,
		.ai_protocol = IPPROTO_UDP,
		.ai_flags = flags,
	};

	return getaddrinfo(host, NULL, &hints, res);
}

static const char *resolve_strerror(int ret)
{
	return ret == EAI_SYSTEM ? strerror(errno) : gai_strerror(ret);
}

/*
 * At boot the resolver may not work yet: a temporary failure is retried,
 * waiting a little longer each time, as wg(8) does.
 */
static int resolve_name(const char *arg, const char *host,
			struct addrinfo **res)
{
	unsigned int delay_ms = 1000;
	struct timespec delay;
	int retries, ret;

	if (resolution_retries(&retries) < 0)
		return -1;
	for (;;) {
		ret = resolve(host, AF_UNSPEC, AI_ADDRCONFIG, res);
		if (ret != EAI_AGAIN || !retries)
			break;
		if (retries > 0)
			retries--;
		ptun_warn("endpoint `%s': %s; trying again in %u.%02u seconds",
			  arg, resolve_strerror(ret), delay_ms / 1000,
			  delay_ms % 1000 / 10);
		delay.tv_sec = delay_ms / 1000;
		delay.tv_nsec = delay_ms % 1000 * 1000000L;
		while (nanosleep(&delay, &delay) && errno == EINTR)
			;
		delay_ms = delay_ms * 6 / 5 < 20000 ? delay_ms * 6 / 5 : 20000;
	}
	if (ret) {
		ptun_err("endpoint `%s': %s", arg, resolve_strerror(ret));
		return -1;
	}
	return 0;
}

/*
 * Splits arg into host and port.  Unlike wg(8), an IPv6 address must be in
 * brackets: in "2001:db8::1:80" the port is a guess.  *bracketed says
 * whether the host was.
 */
static int split_endpoint(const char *arg, char *host, size_t size,
			  uint16_t *port, bool *bracketed)
{
	const char *end, *colon;
	uint32_t val;
	size_t len;

	*bracketed = arg[0] == '[';
	if (*bracketed) {
		end = strchr(arg, ']');
		if (!end) {
			ptun_err("endpoint `%s' has no closing bracket", arg);
			return -1;
		}
		colon = end + 1;
		arg++;
		if (*colon != ':')
			colon = NULL;
	} else {
		colon = end = strrchr(arg, ':');
		if (colon && memchr(arg, ':', colon - arg)) {
			ptun_err("endpoint `%s': write an IPv6 address in brackets, as [address]:port",
				 arg);
			return -1;
		}
	}
	if (!colon || !colon[1]) {
		ptun_err("endpoint `%s' has no :port", arg - *bracketed);
		return -1;
	}
	len = end - arg;
	if (!len || len >= size) {
		ptun_err("endpoint `%s' has no usable host", arg - *bracketed);
		return -1;
	}
	if (parse_number(colon + 1, 10, UINT16_MAX, &val) < 0 || !val) {
		ptun_err("endpoint `%s': port `%s' is not a number 1-65535",
			 arg - *bracketed, colon + 1);
		return -1;
	}
	memcpy(host, arg, len);
	host[len] = '\0';
	*port = (uint16_t)val;
	return 0;
}

int address_parse_endpoint(const char *arg, union ptun_endpoint *endpoint)
{
	char host[NI_MAXHOST];
	struct addrinfo *res;
	bool bracketed;
	uint16_t port;
	int ret;

	if (split_endpoint(arg, host, sizeof(host), &port, &bracketed) < 0)
		return -1;
	/* Literals need no resolver, and do not depend on AI_ADDRCONFIG. */
	ret = resolve(host, bracketed ? AF_INET6 : AF_UNSPEC, AI_NUMERICHOST,
		      &res);
	if (ret && bracketed) {
		ptun_err("endpoint `%s': `%s' is not an IPv6 address: %s", arg,
			 host, resolve_strerror(ret));
		return -1;
	}
	if (ret == EAI_NONAME)
		ret = resolve_name(arg, host, &res);
	else if (ret)
		ptun_err("endpoint `%s': %s", arg, resolve_strerror(ret));
	if (ret)
		return -1;

	ret = -1;
	memset(endpoint, 0, sizeof(*endpoint));
	if (res->ai_family == AF_INET &&
	    res->ai_addrlen == sizeof(endpoint->addr4)) {
		memcpy(&endpoint->addr4, res->ai_addr, res->ai_addrlen);
		endpoint->addr4.sin_port = htons(port);
		ret = 0;
	} else if (res->ai_family == AF_INET6 &&
		   res->ai_addrlen == sizeof(endpoint->addr6)) {
		memcpy(&endpoint->addr6, res->ai_addr, res->ai_addrlen);
		endpoint->addr6.sin6_port = htons(port);
		ret = 0;
	} else {
		ptun_err("endpoint `%s': neither an IPv4 nor an IPv6 address found",
			 arg);
	}
	freeaddrinfo(res);
	return ret;
}

/* Clears the bits past the prefix; says whether any was set. */
static bool clear_host_bits(struct ptun_allowedip *ip)
{
	unsigned int len = ip->family == AF_INET ? 4 : 16, i, keep;
	uint8_t *bytes = (uint8_t *)&ip->ip6, mask;
	bool changed = false;

	for (i = 0; i < len; i++) {
		keep = ip->cidr > i * 8 ? ip->cidr - i * 8 : 0;
		mask = keep >= 8 ? 0xff : (uint8_t)(0xff00 >> keep);
		changed |= bytes[i] & ~mask;
		bytes[i] &= mask;
	}
	return changed;
}

int address_parse_allowedip(const char *arg, struct ptun_allowedip *ip)
{
	const char *slash = strchr(arg, '/');
	size_t len = slash ? (size_t)(slash - arg) : strlen(arg);
	char addr[INET6_ADDRSTRLEN];
	uint32_t max, cidr;

	memset(ip, 0, sizeof(*ip));
	ip->family = memchr(arg, ':', len) ? AF_INET6 : AF_INET;
	if (len >= sizeof(addr))
		goto bad;
	memcpy(addr, arg, len);
	addr[len] = '\0';
	if (inet_pton(ip->family, addr, &ip->ip6) != 1)
		goto bad;

	max = cidr = ip->family == AF_INET ? 32 : 128;
	if (slash && parse_number(slash + 1, 10, max, &cidr) < 0) {
		ptun_err("allowed IP `%s': the prefix length is not 0-%u", arg,
			 max);
		return -1;
	}
	ip->cidr = (uint8_t)cidr;
	if (clear_host_bits(ip)) {
		address_ip_text(addr, ip);
		ptun_warn("allowed IP `%s' has host bits set; using %s/%u", arg,
			  addr, ip->cidr);
	}
	return 0;
bad:
	ptun_err("allowed IP `%s' is not an IPv4 or IPv6 address with an optional /prefix length",
		 arg);
	return -1;
}

int address_allowedip_cmp(const struct ptun_allowedip *a,
			  const struct ptun_allowedip *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->cidr != b->cidr)
		return a->cidr < b->cidr ? -1 : 1;
	return memcmp(&a->ip6, &b->ip6, a->family == AF_INET ? 4 : 16);
}

bool address_endpoint_equal(const union ptun_endpoint *a,
			    const union ptun_endpoint *b)
{
	if (a->addr.sa_family != b->addr.sa_family)
		return false;
	switch (a->addr.sa_family) {
	case AF_INET:
		return a->addr4.sin_port == b->addr4.sin_port &&
		       a->addr4.sin_addr.s_addr == b->addr4.sin_addr.s_addr;
	case AF_INET6:
		return a->addr6.sin6_port == b->addr6.sin6_port &&
		       a->addr6.sin6_scope_id == b->addr6.sin6_scope_id &&
		       !memcmp(&a->addr6.sin6_addr, &b->addr6.sin6_addr,
			       sizeof(a->addr6.sin6_addr));
	}
	return true;
}

/* As wg(8): numeric, with the interface name of a link-local scope. */
void address_endpoint_text(char buf[static ENDPOINT_TEXT_SIZE],
			   const union ptun_endpoint *endpoint)
{
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 1], port[sizeof("65535")];
	socklen_t len = endpoint->addr.sa_family == AF_INET6 ?
			sizeof(endpoint->addr6) : sizeof(endpoint->addr4);
	int ret;

	ret = getnameinfo(&endpoint->addr, len, host, sizeof(host), port,
			  sizeof(port), NI_DGRAM | NI_NUMERICHOST | NI_NUMERICSERV);
	if (ret)
		snprintf(buf, ENDPOINT_TEXT_SIZE, "%s", gai_strerror(ret));
	else if (endpoint->addr.sa_family == AF_INET6 && strchr(host, ':'))
		snprintf(buf, ENDPOINT_TEXT_SIZE, "[%s]:%s", host, port);
	else
		snprintf(buf, ENDPOINT_TEXT_SIZE, "%s:%s", host, port);
}

void address_ip_text(char buf[static INET6_ADDRSTRLEN],
		     const struct ptun_allowedip *ip)
{
	if (!inet_ntop(ip->family, &ip->ip6, buf, INET6_ADDRSTRLEN))
		buf[0] = '\0';
}
