// SPDX-License-Identifier: GPL-2.0
/*
 * A peer's protocol clock.
 *
 * The whitepaper's timer rules, each as one row of ptun_rules[]: the
 * events that arm it (if it is not armed already: the earliest such event
 * counts), the events that arm it afresh (the latest counts), the events
 * that disarm it, its delay and what it does when due:
 *
 *   rule           arms        afresh           disarms         delay
 *   retransmit     -           initiation sent  handshake done  REKEY_TIMEOUT + jitter
 *   keepalive      data came   -                anything sent,  KEEPALIVE_TIMEOUT
 *                                               gave up
 *   new handshake  data sent   -                anything came   KEEPALIVE_TIMEOUT +
 *                                                               REKEY_TIMEOUT + jitter
 *   zero keys      gave up     session derived  -               3 * REJECT_AFTER_TIME
 *   persistent     -           anything sent    -               the user's interval
 *                              or came
 *
 * retransmit: no response to our initiation: send it again, up to
 *	MAX_TIMER_HANDSHAKES times, then give up on it and on what waited
 *	for it.
 * keepalive: the peer sent us data and we had nothing to answer: an empty
 *	message tells it the session is alive.
 * new handshake: we sent data and heard nothing back: the session may be
 *	dead on the peer's side; start another.
 * zero keys: no new session for a long time: wipe the keys.
 * persistent: keep NAT mappings open, as the user asked.
 *
 * The timer runs only while the device is up and the peer alive, and
 * ptun_timers_stop() runs once one of them is no longer so.
 */
#include <linux/jiffies.h>
#include <linux/random.h>

#include "compat.h"
#include "device.h"
#include "netlink.h"
#include "peer.h"
#include "queueing.h"
#include "socket.h"
#include "timers.h"

struct ptun_rule {
	unsigned int arms, afresh, disarms;
	/* The delay, plus up to a third of a second at random if @jitter. */
	unsigned int seconds;
	bool jitter;
	/*
	 * The delay is the user's interval instead (none: not armed), and
	 * every packet arms the rule afresh: an armed one moved later takes
	 * no lock.
	 */
	bool user_interval;
	void (*due)(struct ptun_peer *peer);
};

static inline struct ptun_peer *ptun_timers_peer(struct ptun_timers *timers)
{
	return container_of(timers, struct ptun_peer, timers);
}

/* In jiffies; 0: do not arm. */
static unsigned long ptun_rule_delay(const struct ptun_peer *peer,
				     const struct ptun_rule *rule)
{
	if (rule->user_interval)
		return READ_ONCE(peer->persistent_keepalive_interval) * HZ;
	return rule->seconds * HZ + (rule->jitter ?
		get_random_u32_below(PTUN_REKEY_TIMEOUT_JITTER_MAX_JIFFIES) : 0);
}

static void ptun_give_up(struct ptun_peer *peer)
{
	net_dbg_ratelimited("%s: peer %llu (%pISpfsc) never answered %u initiations: giving up\n",
			    peer->device->dev->name, peer->internal_id,
			    &peer->endpoint.addr, PTUN_MAX_TIMER_HANDSHAKES + 2);
	ptun_count_handshake(peer, PTUN_A_HANDSHAKES_GAVE_UP);
	ptun_nl_notify_peer(peer, PTUN_EVENT_HANDSHAKE_GAVE_UP);
	/* Nothing will carry these now; do not let them wait forever. */
	ptun_packet_purge_staged_packets(peer);
	ptun_timers_event(peer, PTUN_EV_GAVE_UP);
}

static void ptun_retransmit_due(struct ptun_peer *peer)
{
	unsigned int retries = READ_ONCE(peer->timers.retries);

	if (retries > PTUN_MAX_TIMER_HANDSHAKES) {
		ptun_give_up(peer);
		return;
	}
	WRITE_ONCE(peer->timers.retries, retries + 1);
	ptun_count_handshake(peer, PTUN_A_HANDSHAKES_TIMEOUTS);
	net_dbg_ratelimited("%s: peer %llu (%pISpfsc) did not answer within %d s: initiation %u\n",
			    peer->device->dev->name, peer->internal_id,
			    &peer->endpoint.addr, PTUN_REKEY_TIMEOUT, retries + 2);
	/* The source address may be what is wrong: let routing pick again. */
	ptun_socket_clear_peer_endpoint_src(peer);
	ptun_packet_send_queued_handshake_initiation(peer, true);
}

static void ptun_keepalive_due(struct ptun_peer *peer)
{
	ptun_packet_send_keepalive(peer);
}

static void ptun_new_handshake_due(struct ptun_peer *peer)
{
	net_dbg_ratelimited("%s: peer %llu (%pISpfsc) sent nothing for %d s after our data: new handshake\n",
			    peer->device->dev->name, peer->internal_id,
			    &peer->endpoint.addr,
			    PTUN_KEEPALIVE_TIMEOUT + PTUN_REKEY_TIMEOUT);
	ptun_socket_clear_peer_endpoint_src(peer);
	ptun_packet_send_queued_handshake_initiation(peer, false);
}

/*
 * Wiping takes locks that sleep: a work item does it.  It holds no
 * reference: only this timer queues it, and ptun_timers_stop() stops the
 * timer, then flushes the work, before a peer can be freed.
 */
static void ptun_zero_keys_due(struct ptun_peer *peer)
{
	queue_work(peer->device->handshake_send_wq, &peer->timers.zero_keys_work);
}

static void ptun_zero_keys_worker(struct work_struct *work)
{
	struct ptun_peer *peer = container_of(work, struct ptun_peer,
					      timers.zero_keys_work);

	net_dbg_ratelimited("%s: peer %llu (%pISpfsc) had no new session for %d s: keys wiped\n",
			    peer->device->dev->name, peer->internal_id,
			    &peer->endpoint.addr, 3 * PTUN_REJECT_AFTER_TIME);
	ptun_noise_handshake_clear(&peer->handshake);
	ptun_noise_keypairs_clear(&peer->keypairs);
	ptun_nl_notify_peer(peer, PTUN_EVENT_SESSION_EXPIRED);
}

static void ptun_persistent_due(struct ptun_peer *peer)
{
	if (READ_ONCE(peer->persistent_keepalive_interval))
		ptun_packet_send_keepalive(peer);
}

static const struct ptun_rule ptun_rules[PTUN_RULES] = {
	[PTUN_RULE_RETRANSMIT] = {
		.afresh = PTUN_EV_SENT_INITIATION,
		.disarms = PTUN_EV_HANDSHAKE_DONE,
		.seconds = PTUN_REKEY_TIMEOUT,
		.jitter = true,
		.due = ptun_retransmit_due,
	},
	[PTUN_RULE_KEEPALIVE] = {
		.arms = PTUN_EV_GOT_DATA,
		.disarms = PTUN_EV_SENT_AUTH | PTUN_EV_GAVE_UP,
		.seconds = PTUN_KEEPALIVE_TIMEOUT,
		.due = ptun_keepalive_due,
	},
	[PTUN_RULE_NEW_HANDSHAKE] = {
		.arms = PTUN_EV_SENT_DATA,
		.disarms = PTUN_EV_GOT_AUTH,
		.seconds = PTUN_KEEPALIVE_TIMEOUT + PTUN_REKEY_TIMEOUT,
		.jitter = true,
		.due = ptun_new_handshake_due,
	},
	[PTUN_RULE_ZERO_KEYS] = {
		.arms = PTUN_EV_GAVE_UP,
		.afresh = PTUN_EV_SESSION_DERIVED,
		.seconds = 3 * PTUN_REJECT_AFTER_TIME,
		.due = ptun_zero_keys_due,
	},
	[PTUN_RULE_PERSISTENT] = {
		.afresh = PTUN_EV_SENT_AUTH | PTUN_EV_GOT_AUTH,
		.user_interval = true,
		.due = ptun_persistent_due,
	},
};

/*
 * Whether the timer may be set.  Called with bottom halves off, which
 * holds off the RCU grace period that device close and peer removal wait
 * for before they stop the timer.
 */
static bool ptun_timers_may_run(const struct ptun_peer *peer)
{
	return netif_running(peer->device->dev) && !READ_ONCE(peer->is_dead);
}

static void ptun_rule_arm(struct ptun_peer *peer, enum ptun_timer_rule r)
{
	unsigned long delay = ptun_rule_delay(peer, &ptun_rules[r]), due;
	struct ptun_timers *timers = &peer->timers;

	if (!delay)
		return;
	due = jiffies + delay;
	if (ptun_rules[r].user_interval && test_bit(r, &timers->armed) &&
	    !time_before(due, READ_ONCE(timers->due[r]))) {
		if (READ_ONCE(timers->due[r]) != due)
			WRITE_ONCE(timers->due[r], due);
		return;
	}
	spin_lock_bh(&timers->lock);
	if (ptun_timers_may_run(peer)) {
		WRITE_ONCE(timers->due[r], due);
		set_bit(r, &timers->armed);
		timer_reduce(&timers->timer, due);
	}
	spin_unlock_bh(&timers->lock);
}

void ptun_timers_event(struct ptun_peer *peer, unsigned int events)
{
	struct ptun_timers *timers = &peer->timers;
	const struct ptun_rule *rule;
	enum ptun_timer_rule r;

	if (events & PTUN_EV_HANDSHAKE_DONE)
		WRITE_ONCE(timers->retries, 0);
	for (r = 0; r < PTUN_RULES; r++) {
		rule = &ptun_rules[r];
		if ((events & rule->disarms) && test_bit(r, &timers->armed))
			clear_bit(r, &timers->armed);
	}
	for (r = 0; r < PTUN_RULES; r++) {
		rule = &ptun_rules[r];
		if ((events & rule->afresh) ||
		    ((events & rule->arms) && !test_bit(r, &timers->armed)))
			ptun_rule_arm(peer, r);
	}
}

/*
 * Take the rules that are due off the armed set, and set the timer for
 * the earliest of the rest.
 */
static unsigned long ptun_timers_take_due(struct ptun_timers *timers)
{
	unsigned long now = jiffies, fired = 0, next = 0, due;
	struct ptun_peer *peer = ptun_timers_peer(timers);
	bool more = false;
	unsigned int r;

	spin_lock_bh(&timers->lock);
	for_each_set_bit(r, &timers->armed, PTUN_RULES) {
		due = READ_ONCE(timers->due[r]);
		if (!time_before(now, due)) {
			clear_bit(r, &timers->armed);
			fired |= BIT(r);
		} else if (!more || time_before(due, next)) {
			next = due;
			more = true;
		}
	}
	if (more && ptun_timers_may_run(peer))
		mod_timer(&timers->timer, next);
	spin_unlock_bh(&timers->lock);
	return fired;
}

static void ptun_timers_expired(struct timer_list *timer)
{
	struct ptun_timers *timers = container_of(timer, struct ptun_timers, timer);
	struct ptun_peer *peer = ptun_timers_peer(timers);
	unsigned long fired = ptun_timers_take_due(timers);
	unsigned int r;

	/* Outside the lock: what a rule does reports events of its own. */
	for_each_set_bit(r, &fired, PTUN_RULES)
		ptun_rules[r].due(peer);
}

void ptun_timers_init(struct ptun_peer *peer)
{
	struct ptun_timers *timers = &peer->timers;

	timer_setup(&timers->timer, ptun_timers_expired, 0);
	spin_lock_init(&timers->lock);
	timers->armed = 0;
	timers->retries = 0;
	INIT_WORK(&timers->zero_keys_work, ptun_zero_keys_worker);
}

/*
 * The device went down or the peer is dead (checked by every path that
 * sets the timer), so nothing arms a rule again; disarm all of them and
 * wait for a callback and a wipe in flight.
 */
void ptun_timers_stop(struct ptun_peer *peer)
{
	struct ptun_timers *timers = &peer->timers;

	spin_lock_bh(&timers->lock);
	WRITE_ONCE(timers->armed, 0);
	spin_unlock_bh(&timers->lock);
	timer_delete_sync(&timers->timer);
	flush_work(&timers->zero_keys_work);
}
