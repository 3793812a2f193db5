// SPDX-License-Identifier: GPL-2.0
/*
 * The "ptun" generic netlink family: reading and changing a device's
 * configuration.  uapi/ptun.yaml describes the messages.
 */
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "compat.h"
#include "device.h"
#include "netlink.h"

static struct genl_family ptun_genl_family;

static const struct nla_policy ptun_get_device_policy[PTUN_A_DEVICE_IFNAME + 1] = {
	[PTUN_A_DEVICE_IFINDEX]		= { .type = NLA_U32 },
	[PTUN_A_DEVICE_IFNAME]		= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
};

static const struct nla_policy ptun_set_device_policy[PTUN_A_DEVICE_MAX + 1] = {
	[PTUN_A_DEVICE_IFINDEX]		= { .type = NLA_U32 },
	[PTUN_A_DEVICE_IFNAME]		= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[PTUN_A_DEVICE_PRIVATE_KEY]	= NLA_POLICY_EXACT_LEN(PTUN_KEY_LEN),
	[PTUN_A_DEVICE_PUBLIC_KEY]	= {
		.type = NLA_REJECT,
		.reject_message = "the public key is derived and cannot be set",
	},
	[PTUN_A_DEVICE_LISTEN_PORT]	= { .type = NLA_U16 },
	[PTUN_A_DEVICE_FWMARK]		= { .type = NLA_U32 },
};

static struct net_device *ptun_nl_dev_by_attrs(struct net *net,
					       struct nlattr **attrs,
					       struct netlink_ext_ack *extack)
{
	struct nlattr *ifindex = attrs[PTUN_A_DEVICE_IFINDEX];
	struct nlattr *ifname = attrs[PTUN_A_DEVICE_IFNAME];
	struct net_device *dev, *named;

	if (!ifindex && !ifname) {
		NL_SET_ERR_MSG(extack, "the device must be given by ifindex or ifname");
		return ERR_PTR(-EINVAL);
	}

	if (!ifindex) {
		dev = dev_get_by_name(net, nla_data(ifname));
		if (!dev)
			NL_SET_ERR_MSG_ATTR(extack, ifname, "no device of that name");
		return dev ?: ERR_PTR(-ENODEV);
	}

	dev = dev_get_by_index(net, nla_get_u32(ifindex));
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, ifindex, "no device with that ifindex");
		return ERR_PTR(-ENODEV);
	}
	if (!ifname)
		return dev;

	named = dev_get_by_name(net, nla_data(ifname));
	if (named != dev) {
		NL_SET_ERR_MSG_ATTR(extack, ifname, "ifname and ifindex name different devices");
		dev_put(named);
		dev_put(dev);
		return ERR_PTR(-EINVAL);
	}
	dev_put(named);
	return dev;
}

/*
 * The ptun device a request addresses, with a reference on its net_device
 * that the caller drops with dev_put(ptun->dev).
 */
static struct ptun_device *ptun_nl_lookup(struct net *net, struct nlattr **attrs,
					  struct netlink_ext_ack *extack)
{
	struct net_device *dev = ptun_nl_dev_by_attrs(net, attrs, extack);
	struct ptun_device *ptun;

	if (IS_ERR(dev))
		return ERR_CAST(dev);

	ptun = ptun_device_from_netdev(dev);
	if (!ptun) {
		NL_SET_ERR_MSG(extack, "the device is not a ptun device");
		dev_put(dev);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return ptun;
}

static int ptun_nl_put_identity(struct sk_buff *skb,
				const struct ptun_static_identity *identity)
{
	if (!identity->has_identity)
		return 0;
	if (nla_put(skb, PTUN_A_DEVICE_PRIVATE_KEY, PTUN_KEY_LEN,
		    identity->private_key) ||
	    nla_put(skb, PTUN_A_DEVICE_PUBLIC_KEY, PTUN_KEY_LEN,
		    identity->public_key))
		return -EMSGSIZE;
	return 0;
}

static int ptun_nl_fill_device(struct sk_buff *skb, struct ptun_device *ptun)
{
	struct net_device *dev = ptun->dev;
	int ret;

	mutex_lock(&ptun->update_lock);
	ret = -EMSGSIZE;
	if (nla_put_u32(skb, PTUN_A_DEVICE_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, PTUN_A_DEVICE_IFNAME, dev->name) ||
	    nla_put_u16(skb, PTUN_A_DEVICE_LISTEN_PORT, ptun->incoming_port) ||
	    nla_put_u32(skb, PTUN_A_DEVICE_FWMARK, ptun->fwmark))
		goto out;
	ret = ptun_nl_put_identity(skb, &ptun->static_identity);
out:
	mutex_unlock(&ptun->update_lock);
	return ret;
}

/*
 * A GET dump resolves its device in its first call and keeps a reference
 * until done; cb->args[0] holds the device, cb->args[1] is set once the
 * device message went out.  The lookup is not done in a start callback
 * because 6.1 has no extack there: errors of a dump call reach userspace
 * with their message, in the NLMSG_DONE.
 */
static int ptun_nl_get_device_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb)
{
	struct ptun_device *ptun = (struct ptun_device *)cb->args[0];
	void *hdr;
	int ret;

	if (!ptun) {
		ptun = ptun_nl_lookup(sock_net(cb->skb->sk),
				      ptun_compat_dump_attrs(cb), cb->extack);
		if (IS_ERR(ptun))
			return PTR_ERR(ptun);
		cb->args[0] = (long)ptun;
	}
	if (cb->args[1])
		return 0;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &ptun_genl_family, NLM_F_MULTI, PTUN_CMD_GET_DEVICE);
	if (!hdr)
		return -EMSGSIZE;

	ret = ptun_nl_fill_device(skb, ptun);
	if (ret) {
		genlmsg_cancel(skb, hdr);
		return ret;
	}
	genlmsg_end(skb, hdr);
	cb->args[1] = 1;
	return skb->len;
}

static int ptun_nl_get_device_done(struct netlink_callback *cb)
{
	struct ptun_device *ptun = (struct ptun_device *)cb->args[0];

	if (ptun)
		dev_put(ptun->dev);
	return 0;
}

/*
 * The policy has validated every attribute before we get here, so nothing
 * below can fail half-way: a request is applied whole or not at all.
 */
static int ptun_nl_set_device_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct ptun_device *ptun;

	ptun = ptun_nl_lookup(genl_info_net(info), attrs, info->extack);
	if (IS_ERR(ptun))
		return PTR_ERR(ptun);

	mutex_lock(&ptun->update_lock);
	if (attrs[PTUN_A_DEVICE_LISTEN_PORT])
		ptun->incoming_port = nla_get_u16(attrs[PTUN_A_DEVICE_LISTEN_PORT]);
	if (attrs[PTUN_A_DEVICE_FWMARK])
		ptun->fwmark = nla_get_u32(attrs[PTUN_A_DEVICE_FWMARK]);
	if (attrs[PTUN_A_DEVICE_PRIVATE_KEY])
		ptun_noise_set_static_identity(&ptun->static_identity,
					       nla_data(attrs[PTUN_A_DEVICE_PRIVATE_KEY]));
	mutex_unlock(&ptun->update_lock);

	dev_put(ptun->dev);
	return 0;
}

static const struct genl_ops ptun_genl_ops[] = {
	{
		.cmd = PTUN_CMD_GET_DEVICE,
		.dumpit = ptun_nl_get_device_dumpit,
		.done = ptun_nl_get_device_done,
		.policy = ptun_get_device_policy,
		.maxattr = ARRAY_SIZE(ptun_get_device_policy) - 1,
		/* the reply carries the private key */
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = PTUN_CMD_SET_DEVICE,
		.doit = ptun_nl_set_device_doit,
		.policy = ptun_set_device_policy,
		.maxattr = ARRAY_SIZE(ptun_set_device_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family ptun_genl_family __ro_after_init = {
	.name = PTUN_FAMILY_NAME,
	.version = PTUN_FAMILY_VERSION,
	.module = THIS_MODULE,
	.ops = ptun_genl_ops,
	.n_ops = ARRAY_SIZE(ptun_genl_ops),
	.resv_start_op = PTUN_CMD_SET_DEVICE + 1,
	.netnsok = true,
};

int __init ptun_genl_init(void)
{
	return genl_register_family(&ptun_genl_family);
}

void ptun_genl_uninit(void)
{
	genl_unregister_family(&ptun_genl_family);
}

MODULE_ALIAS_GENL_FAMILY(PTUN_FAMILY_NAME);
