// SPDX-License-Identifier: GPL-2.0
/*
 * fail-nth: make the Nth allocation of one ptun configuration call fail.
 *
 *   fail-nth N send FILE      the generic netlink request held in FILE
 *                             (selftests/vm/genl.py --out FILE)
 *   fail-nth N newlink NAME   RTM_NEWLINK: a ptun device called NAME
 *   fail-nth N dellink NAME   RTM_DELLINK of NAME
 *   fail-nth N load FILE      finit_module() of the module in FILE
 *
 * Everything is opened, read and built before the task is armed through
 * /proc/thread-self/fail-nth, so that the Nth failure point the task meets
 * is one of the call's own; a netlink call is followed to its end (the ack,
 * or a dump's last part, whose later parts the kernel builds while we
 * receive).  Prints one line:
 *
 *   hit|miss STATUS REPLIES
 *
 * hit: the Nth failure point was reached and failed; miss: the call met
 * fewer than N.  STATUS is 0 or the error's name (ENOMEM); REPLIES counts
 * the netlink messages before the ack or the dump's end.  Exits 0, or 2
 * when it could not make the call at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#define REQUEST_MAX (1 << 20)
#define REPLY_BUFFER (1 << 16)

static unsigned char request[REQUEST_MAX];
static unsigned char reply[REPLY_BUFFER];

struct outcome {
	int status;		/* 0 or a negative errno */
	unsigned int replies;
};

static void die(const char *what)
{
	fprintf(stderr, "fail-nth: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void usage(void)
{
	fputs("usage: fail-nth N send FILE | newlink NAME | dellink NAME | load FILE\n",
	      stderr);
	exit(2);
}

/* The request in @path, whole; returns its length. */
static size_t read_request(const char *path)
{
	size_t len = 0;
	ssize_t got;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		die(path);
	while ((got = read(fd, request + len, sizeof(request) - len)) > 0)
		len += got;
	if (got < 0)
		die(path);
	close(fd);
	if (len < sizeof(struct nlmsghdr) || len == sizeof(request)) {
		fprintf(stderr, "fail-nth: %s: not one netlink request\n", path);
		exit(2);
	}
	return len;
}

static size_t link_request(int type, const char *name)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(request);
	struct ifinfomsg *ifm;
	struct nlattr *info;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (type == RTM_NEWLINK)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (type == RTM_NEWLINK) {
		info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "ptun");
		mnl_attr_nest_end(nlh, info);
	}
	return nlh->nlmsg_len;
}

/*
 * Walk the messages in @len bytes of @reply; true once the exchange has
 * ended (an ack or error, a dump's end, or a single reply).
 */
static bool take_replies(size_t len, struct outcome *out)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)reply;
	int left = len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
			const int *err = mnl_nlmsg_get_payload(nlh);

			out->status = nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(int)) ?
				      *err : -EBADMSG;
			return true;
		}
		out->replies++;
		if (!(nlh->nlmsg_flags & NLM_F_MULTI))
			return true;
	}
	return false;
}

/* Send @len bytes of @request on @nl and follow the exchange to its end. */
static void netlink_call(struct mnl_socket *nl, size_t len, struct outcome *out)
{
	ssize_t got;

	if (mnl_socket_sendto(nl, request, len) < 0) {
		out->status = -errno;
		return;
	}
	do {
		got = mnl_socket_recvfrom(nl, reply, sizeof(reply));
		if (got < 0) {
			out->status = -errno;
			return;
		}
	} while (!take_replies(got, out));
}

static struct mnl_socket *open_netlink(int bus)
{
	struct timeval timeout = { .tv_sec = 30 };
	struct mnl_socket *nl = mnl_socket_open(bus);
	int one = 1;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink socket");
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO,
		       &timeout, sizeof(timeout)) < 0 ||
	    mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one)) < 0)
		die("netlink socket options");
	return nl;
}

static void arm(int fd, unsigned long n)
{
	char text[32];
	int len = snprintf(text, sizeof(text), "%lu", n);

	if (pwrite(fd, text, len, 0) != len)
		die("/proc/thread-self/fail-nth");
}

/* After the call: was the Nth point reached?  Disarms either way. */
static bool disarm(int fd)
{
	char text[32] = "";

	if (pread(fd, text, sizeof(text) - 1, 0) < 0)
		die("/proc/thread-self/fail-nth");
	arm(fd, 0);
	return strtoul(text, NULL, 10) == 0;
}

static const char *status_name(int status)
{
	const char *name;

	if (!status)
		return "0";
	name = strerrorname_np(-status);
	return name ? name : "EUNKNOWN";
}

int main(int argc, char **argv)
{
	struct outcome out = { 0 };
	struct mnl_socket *nl = NULL;
	unsigned long n;
	size_t len = 0;
	char *end;
	int ctl, mod = -1;
	bool hit;

	if (argc != 4)
		usage();
	n = strtoul(argv[1], &end, 10);
	if (*end || !n)
		usage();
	if (!strcmp(argv[2], "send")) {
		len = read_request(argv[3]);
		nl = open_netlink(NETLINK_GENERIC);
	} else if (!strcmp(argv[2], "newlink") || !strcmp(argv[2], "dellink")) {
		len = link_request(argv[2][0] == 'n' ? RTM_NEWLINK : RTM_DELLINK, argv[3]);
		nl = open_netlink(NETLINK_ROUTE);
	} else if (!strcmp(argv[2], "load")) {
		mod = open(argv[3], O_RDONLY | O_CLOEXEC);
		if (mod < 0)
			die(argv[3]);
	} else {
		usage();
	}
	ctl = open("/proc/thread-self/fail-nth", O_RDWR);
	if (ctl < 0)
		die("/proc/thread-self/fail-nth");

	arm(ctl, n);
	if (nl)
		netlink_call(nl, len, &out);
	else if (syscall(SYS_finit_module, mod, "", 0))
		out.status = -errno;
	hit = disarm(ctl);

	printf("%s %s %u\n", hit ? "hit" : "miss", status_name(out.status), out.replies);
	return 0;
}
