/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * ptun generic netlink interface.
 *
 * Kept in step with uapi/ptun.yaml: names follow the kernel's YAML netlink
 * code generator (PTUN_A_<SET>_<ATTR>, PTUN_CMD_<OP>), and
 * selftests/unit/check-uapi checks the two against each other.
 *
 * Device attributes address a ptun device by PTUN_A_DEVICE_IFINDEX or
 * PTUN_A_DEVICE_IFNAME.  PTUN_CMD_GET_DEVICE is a dump (one message per
 * device, more once peers exist); PTUN_CMD_SET_DEVICE changes only the
 * attributes it carries.  Both need CAP_NET_ADMIN in the user namespace that
 * owns the device's network namespace.
 */
#ifndef _UAPI_LINUX_PTUN_H
#define _UAPI_LINUX_PTUN_H

#define PTUN_FAMILY_NAME	"ptun"
#define PTUN_FAMILY_VERSION	1

/* The rtnetlink link kind: ip link add dev pt0 type ptun */
#define PTUN_LINK_KIND		"ptun"

#define PTUN_KEY_LEN		32

enum {
	PTUN_A_DEVICE_UNSPEC,
	/* u32, ifindex of the device (request and reply) */
	PTUN_A_DEVICE_IFINDEX,
	/* string, name of the device (request and reply) */
	PTUN_A_DEVICE_IFNAME,
	/* binary, PTUN_KEY_LEN bytes: the Curve25519 private key; all zero clears it */
	PTUN_A_DEVICE_PRIVATE_KEY,
	/* binary, PTUN_KEY_LEN bytes: derived from the private key; read-only */
	PTUN_A_DEVICE_PUBLIC_KEY,
	/* u16, UDP port to listen on; 0 picks one */
	PTUN_A_DEVICE_LISTEN_PORT,
	/* u32, mark for outgoing encapsulated packets; 0 is none */
	PTUN_A_DEVICE_FWMARK,

	__PTUN_A_DEVICE_MAX,
	PTUN_A_DEVICE_MAX = (__PTUN_A_DEVICE_MAX - 1)
};

enum {
	PTUN_CMD_UNSPEC,
	PTUN_CMD_GET_DEVICE,
	PTUN_CMD_SET_DEVICE,

	__PTUN_CMD_MAX,
	PTUN_CMD_MAX = (__PTUN_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_PTUN_H */
