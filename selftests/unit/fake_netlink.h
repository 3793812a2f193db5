/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A stand-in for tools/ptunctl/netlink.c: a kernel that answers from a
 * script and keeps every request, so that ipc.c's messages can be read
 * back and its handling of replies tried on hand-made ones.
 */
#ifndef SELFTESTS_UNIT_FAKE_NETLINK_H
#define SELFTESTS_UNIT_FAKE_NETLINK_H

#include <stddef.h>

#include <libmnl/libmnl.h>

/* The id the fake gives the "ptun" family. */
#define FAKE_FAMILY	0x42

#define FAKE_MAX_REQUESTS	256

/* The answer to one request other than CTRL_CMD_GETFAMILY. */
struct fake_reply {
	const char *buf;	/* netlink messages, run through the callback */
	size_t len;
	int error;		/* then this, a negative errno, or 0 */
	const char *extack;	/* with this message */
};

struct fake_netlink {
	/* answers in turn; past the end, every request is acked */
	const struct fake_reply *replies;
	size_t nr_replies;
	/* copies of the requests, but for CTRL_CMD_GETFAMILY */
	struct nlmsghdr *requests[FAKE_MAX_REQUESTS];
	size_t nr_requests;
	/* sockets open now */
	int open_sockets;
};

extern struct fake_netlink fake_netlink;

/* Forgets the requests and the script. */
void fake_netlink_reset(void);

#endif /* SELFTESTS_UNIT_FAKE_NETLINK_H */
