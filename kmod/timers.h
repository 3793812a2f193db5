/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A peer's protocol clock: the whitepaper's timer rules (section 6.2-6.5)
 * as one state machine.  The packet and handshake paths report what
 * happened (ptun_timers_event()); the rules, their delays and what each
 * does when due are the table in timers.c.
 */
#ifndef _PTUN_TIMERS_H
#define _PTUN_TIMERS_H

#include <linux/ktime.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/workqueue.h>

struct ptun_peer;

/* What the paths report; a message may be several events at once. */
enum ptun_timer_event {
	PTUN_EV_SENT_AUTH	= 1 << 0,	/* any authenticated message left */
	PTUN_EV_SENT_DATA	= 1 << 1,	/* a transport message with payload */
	PTUN_EV_SENT_INITIATION	= 1 << 2,
	PTUN_EV_GOT_AUTH	= 1 << 3,	/* any authenticated message came */
	PTUN_EV_GOT_DATA	= 1 << 4,	/* a transport message with payload */
	PTUN_EV_HANDSHAKE_DONE	= 1 << 5,	/* a session confirmed both ways */
	PTUN_EV_SESSION_DERIVED	= 1 << 6,	/* new keys, confirmed or not */
	PTUN_EV_GAVE_UP		= 1 << 7,	/* retransmissions exhausted */
};

/* The rules, the bits of ptun_timers.armed. */
enum ptun_timer_rule {
	PTUN_RULE_RETRANSMIT,
	PTUN_RULE_KEEPALIVE,
	PTUN_RULE_NEW_HANDSHAKE,
	PTUN_RULE_ZERO_KEYS,
	PTUN_RULE_PERSISTENT,
	PTUN_RULES
};

/*
 * One timer serves every rule: it is set no later than the earliest @due
 * of the armed rules, and when it fires it runs the rules that are due and
 * sets itself for the next.
 *
 * Locking: @lock serialises arming a rule whose @due may come before the
 * timer's expiry, and the callback's scan that sets the timer again, so
 * that neither sets it later than a rule needs.  Disarming (clear_bit) and
 * moving an armed rule's @due later (WRITE_ONCE) take no lock: the timer
 * then fires early, finds nothing due and sets itself again.  @retries is
 * written by the callback and by a path starting a fresh handshake.
 */
struct ptun_timers {
	struct timer_list timer;
	spinlock_t lock;	/* arming, and the timer's expiry */
	unsigned long armed;
	unsigned long due[PTUN_RULES];	/* jiffies */
	unsigned int retries;
	struct work_struct zero_keys_work;
};

void ptun_timers_init(struct ptun_peer *peer);
void ptun_timers_stop(struct ptun_peer *peer);
void ptun_timers_event(struct ptun_peer *peer, unsigned int events);

/* A handshake that is not a retransmission counts its tries afresh. */
static inline void ptun_timers_fresh_handshake(struct ptun_timers *timers)
{
	WRITE_ONCE(timers->retries, 0);
}

/* True once @birthdate_ns (boottime) is more than @expiration_s old. */
static inline bool ptun_birthdate_has_expired(u64 birthdate_ns, u64 expiration_s)
{
	return (s64)(birthdate_ns + expiration_s * NSEC_PER_SEC) <=
	       (s64)ktime_get_coarse_boottime_ns();
}

#endif /* _PTUN_TIMERS_H */
