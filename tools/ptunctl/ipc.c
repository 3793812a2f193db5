// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink with libmnl: the "ptun" generic netlink family for a device's
 * configuration, rtnetlink to find which links are ptun devices.
 */
#include <errno.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sodium.h>

#include "ipc.h"

/* Requests are small; replies are read in pieces as large as a dump's. */
#define IPC_REQUEST_SIZE	4096
#define IPC_RECEIVE_SIZE	32768

static char ipc_extack[256];
static char ipc_why[512];

const char *ipc_strerror(void)
{
	return ipc_why;
}

static int ipc_fail(int err)
{
	if (ipc_extack[0])
		snprintf(ipc_why, sizeof(ipc_why), "%s (%s)", ipc_extack,
			 strerror(err));
	else
		snprintf(ipc_why, sizeof(ipc_why), "%s", strerror(err));
	return -err;
}

/* A reply the kernel should never send; it is not worth more detail. */
static int ipc_bad_reply(void)
{
	snprintf(ipc_extack, sizeof(ipc_extack), "malformed netlink reply");
	errno = EBADMSG;
	return MNL_CB_ERROR;
}

static int ipc_parse_extack(const struct nlattr *attr, void *data)
{
	(void)data;
	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
		snprintf(ipc_extack, sizeof(ipc_extack), "%s",
			 mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static int ipc_cb_error(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	unsigned int offset = sizeof(*err);

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*err))
		return ipc_bad_reply();
	if (err->error >= 0)
		return MNL_CB_STOP;

	/* The TLVs follow our request, echoed whole unless capped. */
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
		    err->msg.nlmsg_len >= sizeof(struct nlmsghdr))
			offset += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
		if (offset < mnl_nlmsg_get_payload_len(nlh))
			mnl_attr_parse(nlh, offset, ipc_parse_extack, NULL);
	}
	errno = -err->error;
	return MNL_CB_ERROR;
}

/* A dump that fails after it started ends with the error in NLMSG_DONE. */
static int ipc_cb_done(const struct nlmsghdr *nlh, void *data)
{
	int error;

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(error))
		return MNL_CB_STOP;
	memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
	if (error >= 0)
		return MNL_CB_STOP;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		mnl_attr_parse(nlh, sizeof(error), ipc_parse_extack, NULL);
	errno = -error;
	return MNL_CB_ERROR;
}

static mnl_cb_t ipc_ctl_cb[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = ipc_cb_error,
	[NLMSG_DONE] = ipc_cb_done,
};

static struct mnl_socket *ipc_socket(int bus)
{
	struct mnl_socket *nl;
	int one = 1;

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

/* One request; cb runs on each reply until the ack or the end of a dump. */
static int ipc_transact(struct mnl_socket *nl, const struct nlmsghdr *nlh,
			mnl_cb_t cb, void *data)
{
	alignas(struct nlmsghdr) char buf[IPC_RECEIVE_SIZE];
	uint32_t portid = mnl_socket_get_portid(nl);
	ssize_t len;
	int ret, err = 0;

	ipc_extack[0] = '\0';
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return ipc_fail(errno);
	do {
		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len < 0) {
			ret = MNL_CB_ERROR;
			break;
		}
		ret = mnl_cb_run2(buf, len, nlh->nlmsg_seq, portid, cb, data,
				  ipc_ctl_cb, NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);
	if (ret < 0)
		err = errno ?: EIO;
	/* Replies to a get carry the private key. */
	sodium_memzero(buf, sizeof(buf));
	return err ? ipc_fail(err) : 0;
}

/*
 * libmnl before 1.0.5 leaves attribute padding as it finds it: start from a
 * zeroed buffer so that no stale stack bytes go to the kernel.
 */
static struct nlmsghdr *ipc_request(char buf[static IPC_REQUEST_SIZE],
				    uint16_t type, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, IPC_REQUEST_SIZE);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	return nlh;
}

static struct nlmsghdr *ipc_genl_request(char buf[static IPC_REQUEST_SIZE],
					 uint16_t type, uint16_t flags,
					 uint8_t cmd, uint8_t version,
					 uint32_t seq)
{
	struct nlmsghdr *nlh = ipc_request(buf, type, flags, seq);
	struct genlmsghdr *genl;

	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

static int ipc_cb_family(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;
	uint16_t *family = data;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) != CTRL_ATTR_FAMILY_ID)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return ipc_bad_reply();
		*family = mnl_attr_get_u16(attr);
	}
	return MNL_CB_OK;
}

int ipc_open(struct ipc *ipc)
{
	alignas(struct nlmsghdr) char buf[IPC_REQUEST_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	memset(ipc, 0, sizeof(*ipc));
	ipc_extack[0] = '\0';
	ipc->nl = ipc_socket(NETLINK_GENERIC);
	if (!ipc->nl)
		return ipc_fail(errno);
	ipc->seq = (uint32_t)time(NULL);

	nlh = ipc_genl_request(buf, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK,
			       CTRL_CMD_GETFAMILY, 1, ++ipc->seq);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, PTUN_FAMILY_NAME);
	ret = ipc_transact(ipc->nl, nlh, ipc_cb_family, &ipc->family);
	if (ret == -ENOENT)
		snprintf(ipc_why, sizeof(ipc_why),
			 "ptun module not loaded (no \"%s\" generic netlink family)",
			 PTUN_FAMILY_NAME);
	else if (!ret && !ipc->family)
		ret = ipc_fail(EPROTO);
	if (ret)
		ipc_close(ipc);
	return ret;
}

void ipc_close(struct ipc *ipc)
{
	if (ipc->nl)
		mnl_socket_close(ipc->nl);
	ipc->nl = NULL;
}

static int ipc_parse_device_attr(const struct nlattr *attr, void *data)
{
	struct ptun_device *dev = data;

	switch (mnl_attr_get_type(attr)) {
	case PTUN_A_DEVICE_IFINDEX:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return ipc_bad_reply();
		dev->ifindex = mnl_attr_get_u32(attr);
		break;
	case PTUN_A_DEVICE_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 ||
		    mnl_attr_get_payload_len(attr) > IFNAMSIZ)
			return ipc_bad_reply();
		strcpy(dev->name, mnl_attr_get_str(attr));
		break;
	case PTUN_A_DEVICE_PRIVATE_KEY:
		if (mnl_attr_validate2(attr, MNL_TYPE_BINARY, PTUN_KEY_LEN) < 0)
			return ipc_bad_reply();
		memcpy(dev->private_key, mnl_attr_get_payload(attr),
		       PTUN_KEY_LEN);
		dev->flags |= PTUN_DEVICE_HAS_PRIVATE_KEY;
		break;
	case PTUN_A_DEVICE_PUBLIC_KEY:
		if (mnl_attr_validate2(attr, MNL_TYPE_BINARY, PTUN_KEY_LEN) < 0)
			return ipc_bad_reply();
		memcpy(dev->public_key, mnl_attr_get_payload(attr),
		       PTUN_KEY_LEN);
		dev->flags |= PTUN_DEVICE_HAS_PUBLIC_KEY;
		break;
	case PTUN_A_DEVICE_LISTEN_PORT:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			return ipc_bad_reply();
		dev->listen_port = mnl_attr_get_u16(attr);
		dev->flags |= PTUN_DEVICE_HAS_LISTEN_PORT;
		break;
	case PTUN_A_DEVICE_FWMARK:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return ipc_bad_reply();
		dev->fwmark = mnl_attr_get_u32(attr);
		dev->flags |= PTUN_DEVICE_HAS_FWMARK;
		break;
	}
	return MNL_CB_OK;
}

/*
 * Every message of the dump describes the same device, so each is merged
 * into dev: a large configuration (peers) spans several messages.
 */
static int ipc_cb_device(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr),
			      ipc_parse_device_attr, data);
}

int ipc_get_device(struct ipc *ipc, const char *ifname,
		   struct ptun_device *dev)
{
	alignas(struct nlmsghdr) char buf[IPC_REQUEST_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	memset(dev, 0, sizeof(*dev));
	nlh = ipc_genl_request(buf, ipc->family, NLM_F_REQUEST | NLM_F_DUMP,
			       PTUN_CMD_GET_DEVICE, PTUN_FAMILY_VERSION,
			       ++ipc->seq);
	mnl_attr_put_strz(nlh, PTUN_A_DEVICE_IFNAME, ifname);
	ret = ipc_transact(ipc->nl, nlh, ipc_cb_device, dev);
	if (!ret && !dev->ifindex)
		ret = ipc_fail(ENODEV);
	return ret;
}

int ipc_set_device(struct ipc *ipc, const struct ptun_device *dev)
{
	alignas(struct nlmsghdr) char buf[IPC_REQUEST_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	nlh = ipc_genl_request(buf, ipc->family, NLM_F_REQUEST | NLM_F_ACK,
			       PTUN_CMD_SET_DEVICE, PTUN_FAMILY_VERSION,
			       ++ipc->seq);
	mnl_attr_put_strz(nlh, PTUN_A_DEVICE_IFNAME, dev->name);
	if (dev->flags & PTUN_DEVICE_HAS_PRIVATE_KEY)
		mnl_attr_put(nlh, PTUN_A_DEVICE_PRIVATE_KEY, PTUN_KEY_LEN,
			     dev->private_key);
	if (dev->flags & PTUN_DEVICE_HAS_LISTEN_PORT)
		mnl_attr_put_u16(nlh, PTUN_A_DEVICE_LISTEN_PORT,
				 dev->listen_port);
	if (dev->flags & PTUN_DEVICE_HAS_FWMARK)
		mnl_attr_put_u32(nlh, PTUN_A_DEVICE_FWMARK, dev->fwmark);
	ret = ipc_transact(ipc->nl, nlh, NULL, NULL);
	sodium_memzero(buf, sizeof(buf));
	return ret;
}

struct link_list {
	struct ipc_link *links;
	size_t count;
};

static const char *link_kind(const struct nlattr *linkinfo)
{
	const struct nlattr *attr;

	mnl_attr_for_each_nested(attr, linkinfo) {
		if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
		    !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
			return mnl_attr_get_str(attr);
	}
	return NULL;
}

static int ipc_cb_link(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	const char *name = NULL, *kind = NULL;
	struct link_list *list = data;
	const struct nlattr *attr;
	struct ipc_link *links;

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm))
		return MNL_CB_OK;

	mnl_attr_for_each(attr, nlh, sizeof(*ifm)) {
		switch (mnl_attr_get_type(attr)) {
		case IFLA_IFNAME:
			if (!mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) &&
			    mnl_attr_get_payload_len(attr) <= IFNAMSIZ)
				name = mnl_attr_get_str(attr);
			break;
		case IFLA_LINKINFO:
			if (!mnl_attr_validate(attr, MNL_TYPE_NESTED))
				kind = link_kind(attr);
			break;
		}
	}
	if (!name || !kind || strcmp(kind, PTUN_LINK_KIND))
		return MNL_CB_OK;

	links = reallocarray(list->links, list->count + 1, sizeof(*links));
	if (!links)
		return MNL_CB_ERROR;
	list->links = links;
	links[list->count].ifindex = (uint32_t)ifm->ifi_index;
	strcpy(links[list->count].name, name);
	list->count++;
	return MNL_CB_OK;
}

static int link_cmp(const void *a, const void *b)
{
	const struct ipc_link *first = a, *second = b;

	return (first->ifindex > second->ifindex) -
	       (first->ifindex < second->ifindex);
}

int ipc_list_devices(struct ipc_link **links, size_t *count)
{
	alignas(struct nlmsghdr) char buf[IPC_REQUEST_SIZE];
	struct link_list list = { 0 };
	struct mnl_socket *nl;
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;
	int ret;

	ipc_extack[0] = '\0';
	nl = ipc_socket(NETLINK_ROUTE);
	if (!nl)
		return ipc_fail(errno);

	nlh = ipc_request(buf, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP,
			  (uint32_t)time(NULL));
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;

	ret = ipc_transact(nl, nlh, ipc_cb_link, &list);
	mnl_socket_close(nl);
	if (ret) {
		free(list.links);
		return ret;
	}
	/* The kernel's dump order is not ifindex order on every version. */
	if (list.count)
		qsort(list.links, list.count, sizeof(*list.links), link_cmp);
	*links = list.links;
	*count = list.count;
	return 0;
}
