// SPDX-License-Identifier: GPL-2.0
/*
 * The fake kernel behind fake_netlink.h.  Like netlink.c, it fails a dump
 * flagged NLM_F_DUMP_INTR with -EINTR; the messages before the flagged one
 * have been through the callback, as if read earlier.
 */
#include <errno.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>

#include "fake_netlink.h"
#include "netlink.h"

struct fake_netlink fake_netlink;
static char extack[256];
/* Only its address is used: callers never look inside a socket. */
static char fake_socket;

void fake_netlink_reset(void)
{
	size_t i;

	for (i = 0; i < fake_netlink.nr_requests; i++)
		free(fake_netlink.requests[i]);
	fake_netlink.nr_requests = 0;
	fake_netlink.replies = NULL;
	fake_netlink.nr_replies = 0;
}

struct mnl_socket *nl_open(int bus)
{
	(void)bus;
	fake_netlink.open_sockets++;
	return (struct mnl_socket *)&fake_socket;
}

void nl_close(struct mnl_socket *nl)
{
	(void)nl;
	fake_netlink.open_sockets--;
}

const char *nl_extack(void)
{
	return extack;
}

static int answer_family(const struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	alignas(struct nlmsghdr) char buf[256] = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_seq = req->nlmsg_seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_NEWFAMILY;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "ptun");
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAKE_FAMILY);
	return cb(nlh, data) == MNL_CB_ERROR ? -errno : 0;
}

int nl_transact(struct mnl_socket *nl, const struct nlmsghdr *req,
		mnl_cb_t cb, void *data)
{
	const struct fake_reply *reply = NULL;
	const struct nlmsghdr *nlh;
	struct nlmsghdr *copy;
	int left;

	extack[0] = '\0';
	if (nl != (struct mnl_socket *)&fake_socket || !fake_netlink.open_sockets)
		return -EBADF;
	if (req->nlmsg_type == GENL_ID_CTRL)
		return answer_family(req, cb, data);

	if (fake_netlink.nr_requests == FAKE_MAX_REQUESTS)
		abort();
	copy = malloc(req->nlmsg_len);
	if (!copy)
		abort();
	memcpy(copy, req, req->nlmsg_len);
	if (fake_netlink.nr_requests < fake_netlink.nr_replies)
		reply = &fake_netlink.replies[fake_netlink.nr_requests];
	fake_netlink.requests[fake_netlink.nr_requests++] = copy;
	if (!reply)
		return 0;

	nlh = (const struct nlmsghdr *)reply->buf;
	left = (int)reply->len;
	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		/* What came in an earlier read was already handled. */
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			return -EINTR;
		errno = 0;
		if (cb(nlh, data) == MNL_CB_ERROR)
			return -(errno ?: EIO);
	}
	if (reply->extack)
		snprintf(extack, sizeof(extack), "%s", reply->extack);
	return reply->error;
}
