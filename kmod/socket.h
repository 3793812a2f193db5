/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device's UDP sockets: opening them in the netns the device was born
 * in, sending to peers through a cached route, and learning where peers are.
 */
#ifndef _PTUN_SOCKET_H
#define _PTUN_SOCKET_H

#include <linux/skbuff.h>

struct ptun_device;
struct ptun_endpoint;
struct ptun_peer;

/* Open sockets on @port (0: any free port) and install them. */
int ptun_socket_init(struct ptun_device *ptun, u16 port);
/* Install @new4/@new6 (either may be NULL) and close the old sockets. */
void ptun_socket_reinit(struct ptun_device *ptun, struct sock *new4,
			struct sock *new6);

int ptun_socket_send_skb_to_peer(struct ptun_peer *peer, struct sk_buff *skb,
				 u8 ds);
int ptun_socket_send_buffer_to_peer(struct ptun_peer *peer, void *buffer,
				    size_t len, u8 ds);
int ptun_socket_send_buffer_as_reply_to_skb(struct ptun_device *ptun,
					    struct sk_buff *in_skb,
					    void *buffer, size_t len);

/* Where an incoming packet came from and which of our addresses it hit. */
int ptun_socket_endpoint_from_skb(struct ptun_endpoint *endpoint,
				  const struct sk_buff *skb);
/* Roaming: point @peer at @endpoint if it moved. */
void ptun_socket_set_peer_endpoint(struct ptun_peer *peer,
				   const struct ptun_endpoint *endpoint);
void ptun_socket_set_peer_endpoint_from_skb(struct ptun_peer *peer,
					    const struct sk_buff *skb);
/* Forget the source address so that the next send routes afresh. */
void ptun_socket_clear_peer_endpoint_src(struct ptun_peer *peer);

#endif /* _PTUN_SOCKET_H */
