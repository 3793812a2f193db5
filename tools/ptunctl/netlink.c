// SPDX-License-Identifier: GPL-2.0
/*
 * Requests and their replies over a libmnl socket, with the kernel's extack
 * messages kept for the error text.
 */
#include <errno.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <linux/netlink.h>
#include <sodium.h>

#include "netlink.h"

/* Replies are read in pieces as large as a dump's. */
#define NL_RECEIVE_SIZE	32768

static char nl_extack_msg[256];

const char *nl_extack(void)
{
	return nl_extack_msg;
}

static int nl_parse_extack(const struct nlattr *attr, void *data)
{
	(void)data;
	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
		snprintf(nl_extack_msg, sizeof(nl_extack_msg), "%s",
			 mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static int nl_cb_error(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	unsigned int offset = sizeof(*err);

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (err->error >= 0)
		return MNL_CB_STOP;

	/* The TLVs follow our request, echoed whole unless capped. */
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
		    err->msg.nlmsg_len >= sizeof(struct nlmsghdr))
			offset += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
		if (offset < mnl_nlmsg_get_payload_len(nlh))
			mnl_attr_parse(nlh, offset, nl_parse_extack, NULL);
	}
	errno = -err->error;
	return MNL_CB_ERROR;
}

/* A dump that fails after it started ends with the error in NLMSG_DONE. */
static int nl_cb_done(const struct nlmsghdr *nlh, void *data)
{
	int error;

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(error))
		return MNL_CB_STOP;
	memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
	if (error >= 0)
		return MNL_CB_STOP;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		mnl_attr_parse(nlh, sizeof(error), nl_parse_extack, NULL);
	errno = -error;
	return MNL_CB_ERROR;
}

static mnl_cb_t nl_ctl_cb[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = nl_cb_error,
	[NLMSG_DONE] = nl_cb_done,
};

struct mnl_socket *nl_open(int bus)
{
	struct mnl_socket *nl;
	int one = 1;

	nl_extack_msg[0] = '\0';
	nl = mnl_socket_open(bus);
	if (!nl)
		return NULL;
	/*
	 * Extack text makes errors readable; capped acks keep the kernel
	 * from echoing a request, which may carry a private key, back to us.
	 * Kernels without them still work, so failures are ignored.
	 */
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

void nl_close(struct mnl_socket *nl)
{
	mnl_socket_close(nl);
}

/*
 * libmnl stops at the first message flagged NLM_F_DUMP_INTR, which would
 * leave the rest of the dump in the socket for the next request to trip on:
 * this finds the flag, and the end of the reply, first.
 */
static void nl_scan(const char *buf, ssize_t len, bool *interrupted,
		    bool *end)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int left = (int)len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			*interrupted = true;
		if (nlh->nlmsg_type == NLMSG_DONE ||
		    nlh->nlmsg_type == NLMSG_ERROR)
			*end = true;
	}
}

int nl_transact(struct mnl_socket *nl, const struct nlmsghdr *req,
		mnl_cb_t cb, void *data)
{
	alignas(struct nlmsghdr) char buf[NL_RECEIVE_SIZE];
	uint32_t portid = mnl_socket_get_portid(nl);
	bool interrupted = false, end = false;
	ssize_t len;
	int ret, err = 0;

	nl_extack_msg[0] = '\0';
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
		return -errno;
	do {
		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len < 0) {
			ret = MNL_CB_ERROR;
			break;
		}
		nl_scan(buf, len, &interrupted, &end);
		if (interrupted)
			ret = end ? MNL_CB_STOP : MNL_CB_OK;
		else
			ret = mnl_cb_run2(buf, len, req->nlmsg_seq, portid, cb,
					  data, nl_ctl_cb, NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);
	if (interrupted)
		err = EINTR;
	else if (ret < 0)
		err = errno ?: EIO;
	/* Replies to a get carry the private key. */
	sodium_memzero(buf, sizeof(buf));
	return -err;
}
