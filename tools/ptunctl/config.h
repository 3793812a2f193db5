/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A configuration change as `set' arguments: device settings, then peers,
 * each with its own settings, in wg(8)'s syntax.
 */
#ifndef PTUNCTL_CONFIG_H
#define PTUNCTL_CONFIG_H

#include "device.h"

/*
 * argv[0] is the interface.  Everything is checked, and endpoint names are
 * resolved, before this returns.  dev holds keys afterwards, on failure
 * too: the caller wipes it.
 */
int config_parse_set_args(int argc, const char *argv[],
			  struct ptun_device *dev);

#endif /* PTUNCTL_CONFIG_H */
