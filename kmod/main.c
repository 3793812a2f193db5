// SPDX-License-Identifier: GPL-2.0
/*
 * ptun: a WireGuard v1 compatible VPN device.
 */
#include <linux/module.h>

#include "device.h"
#include "netlink.h"

static int __init ptun_mod_init(void)
{
	int ret;

	ret = ptun_device_init();
	if (ret)
		return ret;

	ret = ptun_genl_init();
	if (ret) {
		ptun_device_uninit();
		return ret;
	}

	pr_info("ptun loaded\n");
	return 0;
}

static void __exit ptun_mod_exit(void)
{
	ptun_genl_uninit();
	ptun_device_uninit();
}

module_init(ptun_mod_init);
module_exit(ptun_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ptun: WireGuard v1 compatible VPN device");
MODULE_AUTHOR("The ptun developers");
