/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The protocol's timers, named by the event that arms or disarms them, so
 * that the packet paths read as "event happened" and the state machine
 * lives here.
 */
#ifndef _PTUN_TIMERS_H
#define _PTUN_TIMERS_H

#include <linux/ktime.h>

struct ptun_peer;

void ptun_timers_init(struct ptun_peer *peer);
void ptun_timers_stop(struct ptun_peer *peer);
void ptun_timers_data_sent(struct ptun_peer *peer);
void ptun_timers_data_received(struct ptun_peer *peer);
void ptun_timers_any_authenticated_packet_sent(struct ptun_peer *peer);
void ptun_timers_any_authenticated_packet_received(struct ptun_peer *peer);
void ptun_timers_handshake_initiated(struct ptun_peer *peer);
void ptun_timers_handshake_complete(struct ptun_peer *peer);
void ptun_timers_session_derived(struct ptun_peer *peer);
void ptun_timers_any_authenticated_packet_traversal(struct ptun_peer *peer);

/* True once @birthdate_ns (boottime) is more than @expiration_s old. */
static inline bool ptun_birthdate_has_expired(u64 birthdate_ns, u64 expiration_s)
{
	return (s64)(birthdate_ns + expiration_s * NSEC_PER_SEC) <=
	       (s64)ktime_get_coarse_boottime_ns();
}

#endif /* _PTUN_TIMERS_H */
