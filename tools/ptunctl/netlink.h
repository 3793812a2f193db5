/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Netlink transport on libmnl: a socket, and requests that wait for their
 * ack or for the end of their dump.  Functions return 0 or a negative
 * errno; the unit tests put a fake kernel in place of this file.
 */
#ifndef PTUNCTL_NETLINK_H
#define PTUNCTL_NETLINK_H

#include <libmnl/libmnl.h>

/* NETLINK_ROUTE or NETLINK_GENERIC, bound; NULL with errno on failure. */
struct mnl_socket *nl_open(int bus);
void nl_close(struct mnl_socket *nl);

/*
 * Sends req and runs cb on each reply, until the ack or the end of a dump.
 * A dump that raced a change (NLM_F_DUMP_INTR) is read to its end and
 * fails with -EINTR, for the caller to ask again.
 */
int nl_transact(struct mnl_socket *nl, const struct nlmsghdr *req,
		mnl_cb_t cb, void *data);

/* The kernel's extack message about the last failure, or "". */
const char *nl_extack(void);

#endif /* PTUNCTL_NETLINK_H */
