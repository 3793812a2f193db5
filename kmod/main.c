// SPDX-License-Identifier: GPL-2.0
/*
 * ptun: a WireGuard v1 compatible VPN device.
 */
#include <linux/module.h>

#include "allowedips.h"
#include "cookie.h"
#include "device.h"
#include "netlink.h"
#include "noise.h"
#include "peer.h"
#include "peerlookup.h"
#include "ratelimiter.h"
#include "replay.h"

#ifdef DEBUG
/* Built with CONFIG_PTUN_DEBUG=y: the pure parts check themselves first. */
static int __init ptun_selftests(void)
{
	bool ok = ptun_allowedips_selftest() & ptun_replay_selftest() &
		  ptun_cookie_selftest() & ptun_noise_selftest() &
		  ptun_ratelimiter_selftest();

	if (!ok) {
		pr_err("self-tests failed, refusing to load\n");
		return -ENOTRECOVERABLE;
	}
	pr_info("all self-tests passed\n");
	return 0;
}
#else
static inline int ptun_selftests(void)
{
	return 0;
}
#endif

static int __init ptun_mod_init(void)
{
	int ret;

	ptun_noise_init();
	ptun_peerlookup_init();
	ret = ptun_allowedips_slab_init();
	if (ret)
		return ret;
	ret = ptun_selftests();
	if (ret)
		goto err_allowedips;
	ret = ptun_peer_init();
	if (ret)
		goto err_allowedips;
	ret = ptun_device_init();
	if (ret)
		goto err_peer;
	ret = ptun_genl_init();
	if (ret)
		goto err_device;

	pr_info("loaded\n");
	return 0;

err_device:
	ptun_device_uninit();
err_peer:
	ptun_peer_uninit();
err_allowedips:
	ptun_allowedips_slab_uninit();
	return ret;
}

static void __exit ptun_mod_exit(void)
{
	ptun_genl_uninit();
	ptun_device_uninit();
	ptun_peer_uninit();
	ptun_allowedips_slab_uninit();
}

module_init(ptun_mod_init);
module_exit(ptun_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ptun: WireGuard v1 compatible VPN device");
MODULE_AUTHOR("The ptun developers");
