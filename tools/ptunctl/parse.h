/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command line values: interface names, ports, marks, key files and the
 * arguments of `set'.  Errors are reported on stderr; nothing here talks to
 * the kernel.
 */
#ifndef PTUNCTL_PARSE_H
#define PTUNCTL_PARSE_H

#include <net/if.h>
#include <stdint.h>

#include "device.h"

int parse_ifname(const char *arg, char name[static IFNAMSIZ]);
int parse_port(const char *arg, uint16_t *port);
int parse_fwmark(const char *arg, uint32_t *fwmark);
int parse_private_key_file(const char *path,
			   uint8_t key[static PTUN_KEY_LEN]);
int parse_set_args(int argc, const char *argv[], struct ptun_device *dev);

#endif /* PTUNCTL_PARSE_H */
