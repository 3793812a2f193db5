/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Talking to the kernel: the ptun generic netlink family for device
 * configuration, rtnetlink for finding ptun devices.
 *
 * Functions return 0 or a negative errno; ipc_strerror() then explains the
 * failure in a few words, with the kernel's extack message when it gave one.
 */
#ifndef PTUNCTL_IPC_H
#define PTUNCTL_IPC_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "device.h"

struct mnl_socket;

struct ipc {
	struct mnl_socket *nl;
	uint32_t seq;
	uint16_t family;	/* resolved id of the "ptun" genl family */
	uint32_t events_group;	/* its events multicast group; 0 if none */
	/*
	 * Largest request: a larger configuration is split over several.
	 * ipc_open() sets MNL_SOCKET_BUFFER_SIZE; the tests set less.
	 */
	size_t request_size;
};

int ipc_open(struct ipc *ipc);
void ipc_close(struct ipc *ipc);
/* The whole configuration, peers merged; on failure dev is left empty. */
int ipc_get_device(struct ipc *ipc, const char *ifname,
		   struct ptun_device *dev);
/* In as many requests as it takes; stops at the first one refused. */
int ipc_set_device(struct ipc *ipc, const struct ptun_device *dev);

struct ipc_link {
	uint32_t ifindex;
	char name[IFNAMSIZ];
};

/* All ptun devices of this network namespace by ifindex; free() *links. */
int ipc_list_devices(struct ipc_link **links, size_t *count);

/* One PTUN_CMD_EVENT notification. */
struct ipc_event {
	uint32_t ifindex;
	char ifname[IFNAMSIZ];
	uint32_t event;			/* enum ptun_event */
	uint8_t public_key[PTUN_KEY_LEN];
	union ptun_endpoint endpoint;	/* AF_UNSPEC: none */
};

/*
 * Join the events group and call cb for each event until it returns
 * non-zero (that value is returned) or reading fails; with tick_seconds,
 * also with a NULL event after that long without one.  Needs CAP_NET_ADMIN.
 */
int ipc_monitor(struct ipc *ipc, unsigned int tick_seconds,
		int (*cb)(const struct ipc_event *event, void *data), void *data);

const char *ipc_strerror(void);

#endif /* PTUNCTL_IPC_H */
