// SPDX-License-Identifier: GPL-2.0
/*
 * The ptun network device: an ARP-less, point-to-point L3 interface created
 * with "ip link add dev pt0 type ptun".
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/module.h>
#include <net/addrconf.h>
#include <net/icmp.h>
#include <net/rtnetlink.h>

#include "compat.h"
#include "device.h"
#include "messages.h"

static const struct device_type ptun_device_type = {
	.name = KBUILD_MODNAME,
};

/*
 * Tell the sender its destination cannot be reached through us.  Until a
 * peer's allowed IPs cover a destination, that is every packet.
 */
static void ptun_xmit_unreachable(struct sk_buff *skb)
{
	switch (skb->protocol) {
	case htons(ETH_P_IP):
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
		break;
	case htons(ETH_P_IPV6):
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH, 0);
		break;
	}
}

static netdev_tx_t ptun_xmit(struct sk_buff *skb, struct net_device *dev)
{
	ptun_xmit_unreachable(skb);
	DEV_STATS_INC(dev, tx_errors);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops ptun_netdev_ops = {
	.ndo_start_xmit = ptun_xmit,
};

static void ptun_destruct(struct net_device *dev)
{
	struct ptun_device *ptun = netdev_priv(dev);

	ptun_noise_clear_static_identity(&ptun->static_identity);
	mutex_destroy(&ptun->update_lock);
}

static void ptun_setup(struct net_device *dev)
{
	struct ptun_device *ptun = netdev_priv(dev);

	dev->netdev_ops = &ptun_netdev_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	/* the route is still needed to answer with ICMP */
	netif_keep_dst(dev);
	ptun_compat_set_lltx(dev);
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->needed_headroom = LL_MAX_HEADER + PTUN_MAX_OUTER_HEADER_LEN;
	dev->needed_tailroom = PTUN_DATA_PADDING_MULTIPLE - 1 +
			       PTUN_DATA_AUTHTAG_LEN;
	dev->mtu = PTUN_DEFAULT_MTU;
	dev->min_mtu = IPV4_MIN_MTU;
	dev->max_mtu = PTUN_MAX_MTU;
	dev->needs_free_netdev = true;
	dev->priv_destructor = ptun_destruct;
	SET_NETDEV_DEVTYPE(dev, &ptun_device_type);

	memset(ptun, 0, sizeof(*ptun));
	ptun->dev = dev;
	mutex_init(&ptun->update_lock);
}

static int ptun_newlink(struct net *src_net, struct net_device *dev,
			struct nlattr *tb[], struct nlattr *data[],
			struct netlink_ext_ack *extack)
{
	struct inet6_dev *idev;
	int ret;

	ret = register_netdevice(dev);
	if (ret)
		return ret;

	/*
	 * No IPv6 link-local address: the tunnel has no link layer to derive
	 * one from, and an address the user did not configure would be sent
	 * to peers.  "ip link set addrgenmode" can still ask for one.
	 */
	idev = __in6_dev_get(dev);
	if (idev)
		WRITE_ONCE(idev->cnf.addr_gen_mode, IN6_ADDR_GEN_MODE_NONE);
	return 0;
}

static struct rtnl_link_ops ptun_link_ops __read_mostly = {
	.kind = PTUN_LINK_KIND,
	.priv_size = sizeof(struct ptun_device),
	.setup = ptun_setup,
	.newlink = ptun_newlink,
};

/* NULL unless dev is a ptun device; the caller holds a reference on dev. */
struct ptun_device *ptun_device_from_netdev(struct net_device *dev)
{
	if (dev->rtnl_link_ops != &ptun_link_ops)
		return NULL;
	return netdev_priv(dev);
}

int __init ptun_device_init(void)
{
	return rtnl_link_register(&ptun_link_ops);
}

void ptun_device_uninit(void)
{
	rtnl_link_unregister(&ptun_link_ops);
}

MODULE_ALIAS_RTNL_LINK(PTUN_LINK_KIND);
