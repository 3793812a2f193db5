// SPDX-License-Identifier: GPL-2.0
/*
 * getaddrinfo() for the harnesses: literals only, every name unknown.  A
 * fuzzer must not wait on DNS, nor send queries for the names it invents.
 * These definitions take the place of libc's in the harness binaries.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

int getaddrinfo(const char *node, const char *service,
		const struct addrinfo *hints, struct addrinfo **res)
{
	struct addrinfo *ai;
	struct sockaddr_in6 *sin6;
	struct sockaddr_in *sin;
	int family = hints ? hints->ai_family : AF_UNSPEC;

	(void)service;
	ai = calloc(1, sizeof(*ai) + sizeof(struct sockaddr_in6));
	if (!ai)
		return EAI_MEMORY;
	sin6 = (struct sockaddr_in6 *)(ai + 1);
	sin = (struct sockaddr_in *)(ai + 1);
	if (family != AF_INET6 && inet_pton(AF_INET, node, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		ai->ai_addrlen = sizeof(*sin);
	} else if (family != AF_INET &&
		   inet_pton(AF_INET6, node, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		ai->ai_addrlen = sizeof(*sin6);
	} else {
		free(ai);
		return EAI_NONAME;
	}
	ai->ai_family = ((struct sockaddr *)(ai + 1))->sa_family;
	ai->ai_socktype = SOCK_DGRAM;
	ai->ai_protocol = IPPROTO_UDP;
	ai->ai_addr = (struct sockaddr *)(ai + 1);
	*res = ai;
	return 0;
}

void freeaddrinfo(struct addrinfo *res)
{
	free(res);
}
