/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Peer addresses as text: endpoints (host:port) and allowed IPs (CIDR), read
 * from the command line and written as wg(8) writes them.
 */
#ifndef PTUNCTL_ADDRESS_H
#define PTUNCTL_ADDRESS_H

#include <arpa/inet.h>
#include <net/if.h>
#include <stdbool.h>

#include "device.h"

/* "[" address "%" scope "]:" port */
#define ENDPOINT_TEXT_SIZE	(INET6_ADDRSTRLEN + IF_NAMESIZE + 16)

/*
 * a.b.c.d:port, [v6]:port, [v6%scope]:port or hostname:port; a name is
 * resolved now, retrying while the resolver says to try again.
 */
int address_parse_endpoint(const char *arg, union ptun_endpoint *endpoint);

/*
 * One address with an optional /prefix-length (default: the whole address).
 * Host bits are cleared, with a warning, since the kernel refuses them.
 */
int address_parse_allowedip(const char *arg, struct ptun_allowedip *ip);

/* Orders allowed IPs by family, prefix length, then address; 0 if equal. */
int address_allowedip_cmp(const struct ptun_allowedip *a,
			  const struct ptun_allowedip *b);
/* Same address family, address and port. */
bool address_endpoint_equal(const union ptun_endpoint *a,
			    const union ptun_endpoint *b);

void address_endpoint_text(char buf[static ENDPOINT_TEXT_SIZE],
			   const union ptun_endpoint *endpoint);
/* The address alone, without the prefix length. */
void address_ip_text(char buf[static INET6_ADDRSTRLEN],
		     const struct ptun_allowedip *ip);

#endif /* PTUNCTL_ADDRESS_H */
