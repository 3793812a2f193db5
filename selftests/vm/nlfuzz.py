#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A netlink fuzzer for the ptun family, driven by uapi/ptun.yaml.

    nlfuzz.py --ifname DEV [--seed N] [--count N] [--events|--no-events]
    nlfuzz.py --ifname DEV --dry-run [--seed N] [--count N]
    nlfuzz.py --replay HEX

It reads the spec's attribute sets (ids, types u8/u16/u32/u64/string/
binary with their checks, nests, multi-attr, flags enums) and operations,
builds valid set-device requests for DEV from it and mutates them: attribute
lengths off by one, zero and huge; truncated attributes and messages;
NLA_F_NESTED toggled; unknown, zero and repeated attribute ids; read-only
attributes; empty and deep nests; thousands of peers or allowed IPs (nests
past 64 KiB); flag bits out of range; integers of the wrong width; address
families that do not match lengths; keys and names of the wrong length; the
wrong device, family id, command or version; dump/do confusion (GET as a do
with or without a device, SET with NLM_F_DUMP, GET with SET's attributes).

For each request: the device's configuration is read with a GET dump before
and after it, the request is sent and its errno and extended ack recorded.
The oracles, any of which fails the run:
  - the errno is in EXPECTED (below), and "no reply" only for a request
    whose nlmsg_len was made to lie (the kernel drops those silently);
  - a refused request (errno != 0) changed nothing: the configuration after
    equals the one before (keys, port, fwmark, flags, and per peer its
    preshared key, endpoint, keepalive and allowed IPs; not the u64
    counters and timestamps or the drop and handshake counter nests);
  - the kernel log (/dev/kmsg, when readable) shows no line that
    selftests/vm/dmesg-bad calls bad after the request.
The VM rig checks kmemleak and the kernel log after the scenario too.

Every few requests (a seeded choice) an event is interleaved instead: the
device is deleted and recreated (and restored to the configuration it had
at the start), deleted while requests are sent to it, or moved out of a
network namespace that it was born in and that is then deleted while
requests are sent to it.

--seed (default: random) is always printed; the same seed and count make
the same requests.  A failure prints one line "FAIL seed=S index=I ..." and
one "replay: nlfuzz.py --replay HEX" line: HEX is the whole message as it
was sent, and --replay sends exactly it again and prints the errno, the
extack and whether the device's configuration changed (the message names
the family id and ifindex of the run's boot: replay it in the same guest,
or rerun the seed on a device configured alike).  --dry-run only prints
each request's mutations and hex, without a socket (the requests of a run
with --no-events: events draw from the same generator).  Exit status: 0 when every oracle held, 1 on a failure,
2 on a setup error.
"""
import argparse
import ctypes
import errno
import os
import random
import re
import socket
import struct
import subprocess
import sys
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import genl  # noqa: E402  (the socket, family lookup and attribute parsing)

SPEC = os.path.join(HERE, "../../uapi/ptun.yaml")
NLA_F_NESTED, NLA_F_NET_BYTEORDER = 0x8000, 0x4000
NLM_F_DUMP_INTR = 0x10

# What the kernel may answer: the policy's and nlmsg/genetlink's own
# checks say EINVAL (malformed, unknown or read-only attributes, strict
# validation) and ERANGE (lengths and string sizes out of range); genetlink
# ENOENT for an unknown family id and EOPNOTSUPP for an unknown command or a
# do/dump it lacks; ptun ENODEV (no such device), EOPNOTSUPP (not a ptun
# device), EAFNOSUPPORT (an allowed IP's family), ENOSPC (the peer limit),
# EADDRINUSE (a listen port taken, on a device that is up), ENONET (a new
# port on a device whose birth netns is gone: no netns to open it in);
# sendmsg itself
# EMSGSIZE for a message over the socket's send buffer.  Not expected, so
# reported: EPERM (the fuzzer runs as root), ENOMEM (nothing here should
# run the guest out of memory), ENOBUFS, E2BIG and anything else.
EXPECTED = {0, errno.EINVAL, errno.ERANGE, errno.ENOENT, errno.EOPNOTSUPP,
            errno.ENODEV, errno.EAFNOSUPPORT, errno.ENOSPC, errno.EADDRINUSE,
            errno.ENONET, errno.EMSGSIZE}
NOREPLY = "noreply"


def errname(e):
    if e is None:
        return NOREPLY
    if e == errno.EOPNOTSUPP:  # not its alias ENOTSUP
        return "EOPNOTSUPP"
    return "0" if e == 0 else errno.errorcode.get(e, str(e))


# The spec


class Attr:
    def __init__(self, aset, a, ident, consts, flagdefs):
        self.set, self.name, self.id, self.type = aset, a["name"], ident, a["type"]
        self.nested = a.get("nested-attributes")
        self.multi = a.get("multi-attr", False)
        checks = a.get("checks", {})

        def const(v):
            return consts[v] if isinstance(v, str) else v
        self.exact_len = const(checks["exact-len"]) if "exact-len" in checks else None
        self.max_len = const(checks["max-len"]) if "max-len" in checks else None
        self.flag_mask = None
        if a.get("enum-as-flags") and a.get("enum") in flagdefs:
            self.flag_mask = (1 << flagdefs[a["enum"]]) - 1
        doc = a.get("doc", "")
        self.readonly = bool(re.search(r"get only|read-only|events only", doc, re.I))

    def __repr__(self):
        return "%s.%s" % (self.set, self.name)


class Spec:
    def __init__(self, path=SPEC):
        with open(path) as f:
            y = yaml.safe_load(f)
        consts, flagdefs = {}, {}
        for d in y.get("definitions", []):
            if d["type"] == "const":
                consts[d["name"]] = d["value"]
            elif d["type"] == "flags":
                flagdefs[d["name"]] = len(d["entries"])
        self.sets = {}
        for s in y["attribute-sets"]:
            attrs, ident = {}, 1
            for a in s["attributes"]:
                ident = a.get("value", ident)
                attrs[a["name"]] = Attr(s["name"], a, ident, consts, flagdefs)
                ident += 1
            self.sets[s["name"]] = attrs
        self.ops, ident = {}, 1
        for op in y["operations"]["list"]:
            ident = op.get("value", ident)
            kinds = {k: op[k].get("request", {}).get("attributes", [])
                     for k in ("do", "dump") if k in op and op[k]}
            self.ops[op["name"]] = (ident, kinds)
            ident += 1
        self.family_name = y["name"]
        self.check_uapi()

    def check_uapi(self):
        """The numbers must be those of uapi/linux/ptun.h, which genl.py reads."""
        for sname, attrs in self.sets.items():
            for a in attrs.values():
                key = "PTUN_A_%s_%s" % (sname, a.name)
                key = key.upper().replace("-", "_")
                if key in genl.UAPI and genl.UAPI[key] != a.id:
                    sys.exit("nlfuzz: %s is %d in the spec, %d in the header"
                             % (key, a.id, genl.UAPI[key]))

    def by_id(self, sname):
        return {a.id: a for a in self.sets[sname].values()}

    def writable(self, sname, op=None):
        """The attributes a request may carry: the operation's request list
        at the top, the attributes not documented as read-only in nests."""
        if op:
            names = self.ops[op][1]["do"]
            return [self.sets[sname][n] for n in names]
        return [a for a in self.sets[sname].values()
                if a.type != "pad" and not a.readonly]

    def readonly(self, sname, op=None):
        ok = {a.name for a in self.writable(sname, op)}
        return [a for a in self.sets[sname].values()
                if a.name not in ok and a.type != "pad"]

    def max_id(self, sname):
        return max(a.id for a in self.sets[sname].values())


# Requests as trees, so that mutations can act on any attribute


class Node:
    def __init__(self, attr_id, value=None, children=None, label=""):
        self.id, self.value, self.children, self.label = attr_id, value, children, label
        self.nested = children is not None
        self.flags = NLA_F_NESTED if self.nested else 0
        self.len_delta, self.len_fixed = 0, None

    def encode(self):
        body = self.value if self.children is None else b"".join(c.encode() for c in self.children)
        length = 4 + len(body)
        hdr = length + self.len_delta if self.len_fixed is None else self.len_fixed
        return (struct.pack("=HH", hdr & 0xFFFF, (self.id | self.flags) & 0xFFFF)
                + body + b"\0" * (-length % 4))

    def walk(self, parent=None):
        yield self, parent
        for c in self.children or []:
            yield from c.walk(self)


class Request:
    def __init__(self, family, cmd, flags, attrs):
        self.family, self.cmd, self.flags, self.attrs = family, cmd, flags, attrs
        self.version, self.genl_len, self.trailing = 1, 4, b""
        self.cut, self.len_delta = None, 0
        self.mutations = []
        self.noreply_ok = False  # nlmsg_len lies: no answer is right too
        self.changes = True      # a SET: the kernel may change the device

    def encode(self, seq=1):
        body = struct.pack("=BBH", self.cmd, self.version, 0)[:self.genl_len]
        body += b"".join(a.encode() for a in self.attrs) + self.trailing
        if self.cut is not None:
            body = body[:self.cut]
        return struct.pack("=IHHII", 16 + len(body) + self.len_delta, self.family,
                           self.flags, seq, 0) + body

    def nodes(self):
        for a in self.attrs:
            yield from a.walk()


def sockaddr(family, addr, port):
    if family == socket.AF_INET:
        return struct.pack("=H", family) + struct.pack(">H", port) + addr + b"\0" * 8
    return struct.pack("=H", family) + struct.pack(">HI", port, 0) + addr + struct.pack("=I", 0)


def masked(addr, cidr):
    n = int.from_bytes(addr, "big")
    bits = len(addr) * 8
    n &= ((1 << bits) - 1) ^ ((1 << (bits - cidr)) - 1)
    return n.to_bytes(len(addr), "big")


class Builder:
    """Valid requests from the spec, and mutations of them."""

    def __init__(self, spec, rng, family, ifindex, ifname, keys):
        self.spec, self.rng, self.family = spec, rng, family
        self.ifindex, self.ifname = ifindex, ifname
        self.keys = keys  # peers' public keys to name, some of them existing
        self.set_cmd = spec.ops["set-device"][0]
        self.get_cmd = spec.ops["get-device"][0]
        self.dev = spec.sets["device"]
        self.peer = spec.sets["peer"]
        self.aip = spec.sets["allowedip"]

    def u(self, attr, value):
        fmt = {"u8": "=B", "u16": "=H", "u32": "=I", "u64": "=Q"}[attr.type]
        return Node(attr.id, struct.pack(fmt, value), label=repr(attr))

    def scalar(self, attr):
        r = self.rng
        if attr.flag_mask is not None:
            return r.randrange(attr.flag_mask + 1)
        bits = {"u8": 8, "u16": 16, "u32": 32, "u64": 64}[attr.type]
        return r.choice([0, 1, (1 << bits) - 1, r.randrange(1 << bits)])

    def allowedip(self, family=None, count_hint=None):
        r = self.rng
        family = family or r.choice([socket.AF_INET, socket.AF_INET6])
        if family == socket.AF_INET:
            cidr = r.choice([32, 24, 16, 8, 0, r.randrange(33)])
            addr = bytes([10, r.randrange(4), r.randrange(256), r.randrange(256)])
        else:
            cidr = r.choice([128, 64, 48, 0, r.randrange(129)])
            addr = bytes([0xfd, 0, r.randrange(4)]) + r.randbytes(13)
        kids = [self.u(self.aip["family"], family),
                Node(self.aip["ipaddr"].id, masked(addr, cidr), label="allowedip.ipaddr"),
                self.u(self.aip["cidr-mask"], cidr)]
        if r.random() < 0.15:
            kids.append(self.u(self.aip["flags"], self.scalar(self.aip["flags"])))
        r.shuffle(kids)
        return Node(self.peer["allowedip"].id, children=kids, label="peer.allowedip")

    def endpoint(self):
        r = self.rng
        port = r.randrange(1, 65536)
        if r.random() < 0.5:
            return sockaddr(socket.AF_INET, bytes([192, 0, 2, r.randrange(1, 255)]), port)
        return sockaddr(socket.AF_INET6, bytes.fromhex("20010db8") + r.randbytes(12), port)

    def peer_nest(self, key=None, n_aips=None):
        """A valid peer: its public key first, then what the spec lets a
        request set, each maybe."""
        r = self.rng
        kids = [Node(self.peer["public-key"].id, key or r.choice(self.keys),
                     label="peer.public-key")]
        for a in self.spec.writable("peer"):
            if a.name == "public-key" or r.random() < 0.6:
                continue
            if a.name == "allowedip":
                n = r.choice([0, 1, 2, 4]) if n_aips is None else n_aips
                kids += [self.allowedip() for _ in range(n)]
            elif a.name == "endpoint":
                kids.append(Node(a.id, self.endpoint(), label=repr(a)))
            elif a.name == "flags":
                # remove-me and update-only rarely: the peers should grow too
                v = self.scalar(a) if r.random() < 0.3 else 2 * r.randrange(2)
                kids.append(self.u(a, v))
            elif a.exact_len:
                kids.append(Node(a.id, r.choice([bytes(a.exact_len), r.randbytes(a.exact_len)]),
                                 label=repr(a)))
            elif a.type in ("u8", "u16", "u32", "u64"):
                v = r.choice([0, 25, r.randrange(1, 65536)]) if a.name.startswith("persistent") \
                    else self.scalar(a)
                kids.append(self.u(a, v))
        return Node(self.dev["peer"].id, children=kids, label="device.peer")

    def device_attr(self, a):
        r = self.rng
        if a.name == "ifindex":
            return self.u(a, self.ifindex)
        if a.name == "ifname":
            return Node(a.id, self.ifname.encode() + b"\0", label=repr(a))
        if a.name == "private-key":
            return Node(a.id, bytes(32) if r.random() < 0.1 else r.randbytes(a.exact_len),
                        label=repr(a))
        if a.name == "listen-port":
            return self.u(a, r.choice([0, 51820, 51821, r.randrange(1024, 65536)]))
        if a.name == "flags":
            return self.u(a, self.scalar(a) if r.random() < 0.3 else 0)
        if a.name == "peer":
            return self.peer_nest()
        if a.type in ("u8", "u16", "u32", "u64"):
            return self.u(a, self.scalar(a))
        return Node(a.id, r.randbytes(a.exact_len or 4), label=repr(a))

    def valid_set(self):
        r = self.rng
        attrs = [self.device_attr(self.dev["ifindex"])]
        for a in self.spec.writable("device", "set-device"):
            if a.name == "ifindex":
                continue
            if a.multi:
                attrs += [self.device_attr(a) for _ in range(r.choice([0, 1, 1, 2, 3]))]
            elif r.random() < 0.3:
                attrs.append(self.device_attr(a))
        return Request(self.family, self.set_cmd, genl.NLM_F_REQUEST | genl.NLM_F_ACK, attrs)

    def get(self, attrs=None, flags=genl.NLM_F_REQUEST | genl.NLM_F_DUMP):
        if attrs is None:
            attrs = [self.device_attr(self.dev["ifindex"])]
        req = Request(self.family, self.get_cmd, flags, attrs)
        req.changes = False
        return req

    # Mutations: each changes req in place and returns its name.

    def pick(self, req, want=None):
        if not req.attrs:  # a mutation emptied it: something to act on
            req.attrs.append(self.device_attr(self.dev["ifindex"]))
        nodes = [(n, p) for n, p in req.nodes() if want is None or want(n)]
        return self.rng.choice(nodes) if nodes else (None, None)

    def children_of(self, req, parent):
        return req.attrs if parent is None else parent.children

    def m_len_off_by_one(self, req):
        n, _ = self.pick(req)
        n.len_delta = self.rng.choice([-1, 1])
        return "len_off_by_one"

    def m_len_zero(self, req):
        self.pick(req)[0].len_fixed = self.rng.choice([0, 1, 3, 4])
        return "len_zero"

    def m_len_huge(self, req):
        self.pick(req)[0].len_fixed = self.rng.choice([0xFFFF, 0x8000, 0x1000])
        return "len_huge"

    def m_truncate(self, req):
        full = len(req.encode()) - 16
        req.cut = self.rng.randrange(4, full) if full > 5 else 4
        return "truncated"

    def m_nested_toggle(self, req):
        self.pick(req)[0].flags ^= NLA_F_NESTED
        return "nested_toggled"

    def m_byteorder(self, req):
        self.pick(req)[0].flags ^= NLA_F_NET_BYTEORDER
        return "byteorder_bit"

    def _sets_of(self, req):
        """(node list, attribute set name) where an attribute may go."""
        where = [(req.attrs, "device")]
        for n, _ in req.nodes():
            if n.children is not None and n.label == "device.peer":
                where.append((n.children, "peer"))
            elif n.children is not None and n.label == "peer.allowedip":
                where.append((n.children, "allowedip"))
        return self.rng.choice(where)

    def m_unknown_id(self, req):
        kids, sname = self._sets_of(req)
        top = self.spec.max_id(sname)
        kind = self.rng.choice([top + 1, top + 2, 0x3FFF, self.rng.randrange(top + 1, 0x4000)])
        kids.insert(self.rng.randrange(len(kids) + 1), Node(kind, self.rng.randbytes(self.rng.choice([0, 1, 4, 8]))))
        return "unknown_id"

    def m_zero_id(self, req):
        kids, _ = self._sets_of(req)
        kids.insert(self.rng.randrange(len(kids) + 1), Node(0, self.rng.randbytes(self.rng.choice([0, 4]))))
        return "zero_id"

    def m_repeated(self, req):
        n, parent = self.pick(req)
        kids = self.children_of(req, parent)
        twin = Node(n.id, n.value, [c for c in n.children] if n.children is not None else None, n.label)
        if twin.value is not None and self.rng.random() < 0.5:
            twin.value = self.rng.randbytes(len(twin.value))
        kids.insert(self.rng.randrange(len(kids) + 1), twin)
        return "repeated_id"

    def m_readonly(self, req):
        kids, sname = self._sets_of(req)
        ro = self.spec.readonly(sname, "set-device" if sname == "device" else None)
        if not ro:
            return self.m_unknown_id(req)
        a = self.rng.choice(ro)
        if a.type == "nest":
            node = Node(a.id, children=[])
        else:
            size = {"u8": 1, "u16": 2, "u32": 4, "u64": 8}.get(a.type, a.exact_len or 8)
            node = Node(a.id, self.rng.randbytes(size))
        kids.append(node)
        return "read_only"

    def m_empty_nest(self, req):
        kids, sname = self._sets_of(req)
        if sname == "allowedip" or self.rng.random() < 0.5:
            req.attrs.append(Node(self.dev["peer"].id, children=[], label="device.peer"))
        else:
            kids.append(Node(self.peer["allowedip"].id, children=[], label="peer.allowedip"))
        return "empty_nest"

    def m_deep_nest(self, req):
        kind = self.rng.choice([self.dev["peer"].id, self.peer["allowedip"].id, 1])
        node = Node(kind, children=[])
        for _ in range(self.rng.choice([2, 5, 16, 64, 100])):
            node = Node(kind, children=[node])
        kids, _ = self._sets_of(req)
        kids.append(node)
        return "deep_nest"

    def m_many_peers(self, req):
        n = self.rng.choice([500, 1000, 2000, 4000])
        flags = self.rng.choice([None, 0, 4])  # 4: update-only, parsed, never made
        for _ in range(n):
            kids = [Node(self.peer["public-key"].id, self.rng.randbytes(32))]
            if flags is not None:
                kids.append(self.u(self.peer["flags"], flags))
            req.attrs.append(Node(self.dev["peer"].id, children=kids, label="device.peer"))
        return "many_peers"

    def m_many_allowedips(self, req):
        # 28 bytes an IPv4 one, 40 an IPv6 one: past 2340 and 1638 the
        # peer's nest is longer than its 16-bit length can say.
        fam = self.rng.choice([socket.AF_INET, socket.AF_INET6])
        n = self.rng.choice([300, 1500, 2000, 2400])
        req.attrs.append(self.peer_nest(n_aips=0))
        req.attrs[-1].children += [self.allowedip(fam) for _ in range(n)]
        return "many_allowedips"

    def m_flags_out_of_range(self, req):
        kids, sname = self._sets_of(req)
        a = self.spec.sets[sname].get("flags")
        if a is None or a.flag_mask is None:
            return self.m_unknown_id(req)
        kids.append(self.u(a, self.rng.choice([a.flag_mask + 1, 1 << 31, 0xFFFFFFFF,
                                               self.rng.randrange(a.flag_mask + 1, 1 << 32)])))
        return "flags_out_of_range"

    def m_int_width(self, req):
        n, _ = self.pick(req, lambda n: n.value is not None and len(n.value) in (1, 2, 4, 8))
        if n is None:
            return self.m_len_off_by_one(req)
        n.value = self.rng.randbytes(self.rng.choice([0, 1, 2, 3, 4, 5, 8]))
        return "int_width"

    def m_binary_len(self, req):
        n, _ = self.pick(req, lambda n: n.value is not None and len(n.value) >= 16)
        if n is None:
            req.attrs.append(Node(self.dev["private-key"].id, b""))
            n = req.attrs[-1]
        n.value = self.rng.randbytes(self.rng.choice([0, 1, 4, 15, 16, 27, 28, 31, 33, 64, 1000]))
        return "binary_len"

    def m_family_mismatch(self, req):
        r = self.rng
        if r.random() < 0.5:
            fam = r.choice([socket.AF_INET, socket.AF_INET6, 0, 1, 17, 0xFFFF])
            addr = r.randbytes(r.choice([0, 3, 4, 5, 16, 17, 32]))
            kids = [self.u(self.aip["family"], fam), Node(self.aip["ipaddr"].id, addr),
                    self.u(self.aip["cidr-mask"], r.choice([0, 32, 33, 128, 129, 255]))]
            r.shuffle(kids)
            if r.random() < 0.2:  # one or more missing
                del kids[r.randrange(len(kids)):]
            nest = Node(self.peer["allowedip"].id, children=kids)
            req.attrs.append(self.peer_nest(n_aips=0))
            req.attrs[-1].children.append(nest)
        else:
            fam = r.choice([socket.AF_INET, socket.AF_INET6, 0, 1])
            size = r.choice([2, 16, 28, 15, 27, 32])
            ep = (struct.pack("=H", fam) + r.randbytes(size))[:size] if size >= 2 else b""
            kids = [Node(self.peer["public-key"].id, r.choice(self.keys)),
                    Node(self.peer["endpoint"].id, ep)]
            req.attrs.append(Node(self.dev["peer"].id, children=kids))
        return "family_mismatch"

    def m_string(self, req):
        r = self.rng
        name = r.choice([b"", b"\0", self.ifname.encode(), b"x" * 15 + b"\0", b"y" * 16 + b"\0",
                         b"z" * 40, b"lo\0", b"nonexistent0\0"])
        req.attrs.append(Node(self.dev["ifname"].id, name))
        return "ifname"

    def m_wrong_device(self, req):
        r = self.rng
        idx = [n for n in req.attrs if n.id == self.dev["ifindex"].id]
        choice = r.randrange(3)
        if choice == 0 and idx:
            idx[0].value = struct.pack("=I", r.choice([0, 1, 0x7FFFFFFF, 0xFFFFFFFF, self.ifindex + 1000]))
        elif choice == 1:
            req.attrs = [n for n in req.attrs if n.id != self.dev["ifindex"].id]
        else:
            req.attrs.insert(0, Node(self.dev["ifname"].id, r.choice([b"lo\0", b"nlfz-none\0"])))
        return "wrong_device"

    def m_header(self, req):
        r = self.rng
        what = r.randrange(6)
        if what == 0:
            req.family = r.choice([0, 1, 2, 0x10, 0xFFFF, req.family + 1])
        elif what == 1:
            req.cmd = r.choice([0, 3, 4, 0x7F, 0xFF])
        elif what == 2:
            req.version = r.choice([0, 2, 0xFF])
        elif what == 3:
            req.genl_len = r.choice([0, 1, 2, 3])
        elif what == 4:
            req.trailing = r.randbytes(r.choice([1, 2, 3, 5]))
        else:
            req.flags = r.choice([0, genl.NLM_F_ACK, genl.NLM_F_REQUEST, 0xFFFF & ~genl.NLM_F_DUMP])
            # without NLM_F_ACK only an error answers; without
            # NLM_F_REQUEST the kernel ignores it (and acks if asked)
            req.noreply_ok = not req.flags & genl.NLM_F_ACK
        return "header"

    def m_nlmsg_len(self, req):
        req.len_delta = self.rng.choice([-16, -4, 1, 4, 1000])
        req.noreply_ok = True
        return "nlmsg_len"

    def m_dump_do(self, req):
        r = self.rng
        what = r.randrange(4)
        if what == 0:    # SET as a dump
            req.flags |= genl.NLM_F_DUMP
        elif what == 1:  # GET as a do, with or without its device
            req.cmd, req.flags, req.changes = self.get_cmd, genl.NLM_F_REQUEST | genl.NLM_F_ACK, False
            if r.random() < 0.5:
                req.attrs = []
        elif what == 2:  # GET dump with SET's attributes
            req.cmd, req.flags, req.changes = self.get_cmd, genl.NLM_F_REQUEST | genl.NLM_F_DUMP, False
        else:            # a GET dump of no device, of lo, of this one
            req.cmd, req.flags, req.changes = self.get_cmd, genl.NLM_F_REQUEST | genl.NLM_F_DUMP, False
            req.attrs = r.choice([[], [Node(self.dev["ifname"].id, b"lo\0")],
                                  [self.device_attr(self.dev["ifindex"])]])
        return "dump_do"

    MUTATIONS = ["m_len_off_by_one", "m_len_zero", "m_len_huge", "m_truncate",
                 "m_nested_toggle", "m_byteorder", "m_unknown_id", "m_zero_id",
                 "m_repeated", "m_readonly", "m_empty_nest", "m_deep_nest",
                 "m_many_peers", "m_many_allowedips", "m_flags_out_of_range",
                 "m_int_width", "m_binary_len", "m_family_mismatch", "m_string",
                 "m_wrong_device", "m_header", "m_nlmsg_len", "m_dump_do"]
    # the big ones cost seconds under TCG: rarer
    WEIGHTS = {"m_many_peers": 0.15, "m_many_allowedips": 0.2}

    def request(self):
        """A valid SET, then (four times in five) one to three mutations."""
        req = self.valid_set()
        if self.rng.random() < 0.2:
            return req
        names = self.MUTATIONS
        weights = [self.WEIGHTS.get(n, 1.0) for n in names]
        for _ in range(self.rng.choice([1, 1, 1, 2, 3])):
            name = self.rng.choices(names, weights)[0]
            req.mutations.append(getattr(self, name)(req))
        return req


# Talking to the kernel


def exchange(nl, raw):
    """Send one message as it is; (errno or None for no answer, extack,
    number of data messages).  The kernel handles a request to genetlink
    within sendmsg, so its answers are queued when send returns; a dump's
    next part is made as the last one is read."""
    sock = nl.sock
    while True:  # nothing stale
        try:
            sock.recv(1 << 20, socket.MSG_DONTWAIT)
        except BlockingIOError:
            break
    try:
        sock.send(raw)
    except OSError as e:
        return e.errno, "sendmsg: " + os.strerror(e.errno), 0
    result, extack, data = None, "", 0
    while True:
        try:
            buf = sock.recv(1 << 20, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return result, extack, data
        while len(buf) >= 16:
            length, kind, mflags, _, _ = struct.unpack_from("=IHHII", buf)
            msg, buf = buf[16:length], buf[max(16, (length + 3) & ~3):]
            if kind in (genl.NLMSG_ERROR, genl.NLMSG_DONE):
                if result is None:
                    result, extack = genl.parse_error(kind, mflags, msg)
            else:
                data += 1


class Device:
    """The device under test: its configuration through GET dumps."""

    def __init__(self, nl, spec, family, ifname):
        self.nl, self.spec, self.family, self.ifname = nl, spec, family, ifname
        self.dev_ids = spec.by_id("device")
        self.peer_ids = spec.by_id("peer")
        self.aip_ids = spec.by_id("allowedip")
        self.ifindex = socket.if_nametoindex(ifname)

    def ignored(self, a):
        # counters and timestamps are u64; drops and handshakes are nests
        # of them
        return a is None or a.type in ("u64", "pad") or (a.type == "nest" and not a.multi)

    def config(self, must=True):
        """Everything a SET can change, comparable; None if the dump was
        interrupted by a change, or unless must, if the device is gone."""
        try:
            replies = self.nl.request(self.family, self.spec.ops["get-device"][0],
                                      genl.NLM_F_REQUEST | genl.NLM_F_DUMP,
                                      genl.attr(self.spec.sets["device"]["ifindex"].id,
                                                struct.pack("=I", self.ifindex)), raw=True)
        except OSError:
            if must:
                raise
            return None
        dev, peers = {}, {}
        for mflags, data in replies:
            if mflags & NLM_F_DUMP_INTR:
                return None
            for kind, value in genl.iter_attrs(data):
                a = self.dev_ids.get(kind)
                if self.ignored(a):
                    continue
                if a.name != "peer":
                    dev[a.name] = value.hex()
                    continue
                fields, aips = {}, []
                for pk, pv in genl.iter_attrs(value):
                    pa = self.peer_ids.get(pk)
                    if self.ignored(pa):
                        continue
                    if pa.name == "allowedip":
                        aips.append(tuple(sorted((self.aip_ids[k].name, v.hex())
                                                 for k, v in genl.iter_attrs(pv))))
                    else:
                        fields[pa.name] = pv.hex()
                peer = peers.setdefault(fields["public-key"], {"allowedips": []})
                peer.update(fields)
                peer["allowedips"] += aips
        for p in peers.values():
            p["allowedips"].sort()
        dev["peers"] = peers
        return dev

    def restore_request(self, conf):
        """A SET that puts back conf (replacing every peer)."""
        d, p, a = self.spec.sets["device"], self.spec.sets["peer"], self.spec.sets["allowedip"]
        payload = genl.attr(d["ifindex"].id, struct.pack("=I", self.ifindex))
        for name in ("private-key", "listen-port", "fwmark"):
            if name in conf:
                payload += genl.attr(d[name].id, bytes.fromhex(conf[name]))
        payload += genl.attr(d["flags"].id, struct.pack("=I", 1))  # replace-peers
        for peer in conf["peers"].values():
            body = b""
            for name in ("public-key", "preshared-key", "endpoint",
                         "persistent-keepalive-interval"):
                if name in peer:
                    body += genl.attr(p[name].id, bytes.fromhex(peer[name]))
            for aip in peer["allowedips"]:
                body += genl.attr(p["allowedip"].id | NLA_F_NESTED,
                                  b"".join(genl.attr(a[k].id, bytes.fromhex(v)) for k, v in aip))
            payload += genl.attr(d["peer"].id | NLA_F_NESTED, body)
        return payload

    def restore(self, conf):
        self.nl.request(self.family, self.spec.ops["set-device"][0],
                        genl.NLM_F_REQUEST | genl.NLM_F_ACK, self.restore_request(conf))


def diff(a, b):
    out = []
    for k in sorted(set(a) | set(b)):
        if k == "peers":
            continue
        if a.get(k) != b.get(k):
            out.append("%s: %s -> %s" % (k, a.get(k), b.get(k)))
    pa, pb = a.get("peers", {}), b.get("peers", {})
    for k in sorted(set(pa) | set(pb)):
        if pa.get(k) != pb.get(k):
            out.append("peer %s...: %s -> %s" % (k[:16], "present" if k in pa else "absent",
                                                 "changed" if k in pb and k in pa else
                                                 "present" if k in pb else "absent"))
    return "; ".join(out[:5]) + (" (and %d more)" % (len(out) - 5) if len(out) > 5 else "")


class KernelLog:
    """New kernel log lines that selftests/vm/dmesg-bad calls bad."""

    def __init__(self):
        self.fd = None
        try:
            with open(os.path.join(HERE, "dmesg-bad")) as f:
                self.bad = re.compile("|".join("(?:%s)" % l.strip() for l in f if l.strip()))
            self.fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
            os.lseek(self.fd, 0, os.SEEK_END)
        except OSError:
            self.fd = None

    def bad_lines(self):
        found = []
        while self.fd is not None:
            try:
                rec = os.read(self.fd, 8192).decode(errors="replace")
            except BlockingIOError:
                break
            except OSError as e:
                if e.errno == errno.EPIPE:  # overwritten: go on from there
                    continue
                break
            line = rec.split(";", 1)[-1].split("\n")[0]
            if self.bad.search(line):
                found.append(line)
        return found


def ip(*args, check=True):
    return subprocess.run(["ip"] + list(args), check=check, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)


class Fuzzer:
    def __init__(self, args):
        self.args, self.seed = args, args.seed
        self.rng = random.Random(args.seed)
        self.spec = Spec()
        self.nl = genl.Genl()
        try:
            self.nl.sock.setsockopt(socket.SOL_SOCKET, 32, 8 << 20)  # SO_SNDBUFFORCE
        except OSError:
            pass
        self.family = self.nl.family(self.spec.family_name)
        self.dev = Device(self.nl, self.spec, self.family, args.ifname)
        with open("/sys/class/net/%s/flags" % args.ifname) as f:
            self.was_up = bool(int(f.read(), 0) & 1)  # IFF_UP
        self.start = self.dev.config()
        keys = [bytes.fromhex(k) for k in self.start["peers"]]
        keys += [self.rng.randbytes(32) for _ in range(8)]
        self.builder = Builder(self.spec, self.rng, self.family, self.dev.ifindex, args.ifname, keys)
        self.klog = KernelLog()
        self.errnos, self.mutations, self.events = {}, {}, {}
        self.sent = self.accepted = self.refused = self.noreply = 0
        self.failures = 0
        self.index = 0

    def fail(self, raw, req, result, why):
        self.failures += 1
        print("FAIL seed=%d index=%d mutations=%s errno=%s: %s"
              % (self.seed, self.index, ",".join(req.mutations) or "none", errname(result), why))
        print("replay: %s --replay %s" % (os.path.relpath(__file__), raw.hex()))
        sys.stdout.flush()

    def count(self, table, key):
        table[key] = table.get(key, 0) + 1

    def send(self, req, before, compare=True, read_after=True):
        """One request with its oracles; returns the configuration after."""
        raw = req.encode(seq=self.index + 1)
        result, extack, _ = exchange(self.nl, raw)
        self.sent += 1
        self.count(self.errnos, errname(result))
        for m in req.mutations:
            self.count(self.mutations, m)
        if result is None:
            self.noreply += 1
        elif result == 0:
            self.accepted += 1
        else:
            self.refused += 1
        if self.args.verbose:
            print("%d %s %s %s" % (self.index, ",".join(req.mutations) or "valid",
                                   errname(result), extack))
        if result is None and not req.noreply_ok:
            self.fail(raw, req, result, "no answer")
        elif result is not None and result not in EXPECTED:
            self.fail(raw, req, result, "errno outside the expected set (extack: %s)" % extack)
        bad = self.klog.bad_lines()
        if bad:
            self.fail(raw, req, result, "kernel log: " + bad[0])
        after = self.dev.config(must=compare) if read_after else None
        # no answer (no ack asked for) says nothing of what was done
        if compare and before is not None and after is not None and result is not None \
                and (result != 0 or not req.changes) and after != before:
            self.fail(raw, req, result, "%s (extack: %s) but changed: %s"
                      % ("refused" if result else "a GET", extack, diff(before, after)))
        return after

    # Events

    def recreate(self):
        ip("link", "del", self.args.ifname, check=False)
        ip("link", "add", self.args.ifname, "type", "ptun")
        self.dev.ifindex = self.builder.ifindex = socket.if_nametoindex(self.args.ifname)
        self.dev.restore(self.start)
        if self.was_up:
            ip("link", "set", self.args.ifname, "up")
        # a SET of a whole configuration must give it back
        now = self.dev.config()
        if now is not None and dict(now, ifindex=None) != dict(self.start, ifindex=None):
            self.failures += 1
            print("FAIL seed=%d index=%d: the device recreated does not hold its configuration"
                  " again: %s" % (self.seed, self.index, diff(self.start, now)))

    def ev_recreate(self):
        self.recreate()

    def ev_delete_race(self):
        """Requests to the device as it is deleted: done or ENODEV."""
        proc = subprocess.Popen(["ip", "link", "del", self.args.ifname])
        for _ in range(self.rng.choice([3, 10, 30])):
            self.index += 1
            self.send(self.builder.request(), None, compare=False)
            if proc.poll() is not None:
                break
        proc.wait()
        self.recreate()

    def ev_birth_netns(self):
        """A device born in a netns, moved here, requests sent to it as its
        birth netns is deleted (which closes its sockets)."""
        ns, name = "nlfz%d" % self.rng.randrange(1 << 20), "nlfz%d" % self.rng.randrange(1000)
        try:
            ip("netns", "add", ns)
            ip("-n", ns, "link", "add", name, "type", "ptun")
            ip("-n", ns, "link", "set", name, "netns", str(os.getpid()))
            ip("link", "set", name, "up")
        except subprocess.CalledProcessError:
            ip("netns", "del", ns, check=False)
            return
        b = Builder(self.spec, self.rng, self.family, socket.if_nametoindex(name), name,
                    self.builder.keys)
        proc = subprocess.Popen(["ip", "netns", "del", ns])
        for _ in range(self.rng.choice([5, 20])):
            self.index += 1
            self.send(b.request(), None, compare=False, read_after=False)
        proc.wait()
        ip("link", "del", name, check=False)

    EVENTS = ["ev_recreate", "ev_delete_race", "ev_birth_netns"]

    def run(self):
        t0 = time.monotonic()
        before = self.start
        next_event = self.rng.randrange(5, 25)
        while self.index < self.args.count:
            self.index += 1
            if self.args.events and self.index >= next_event:
                ev = self.rng.choice(self.EVENTS)
                self.count(self.events, ev[3:])
                getattr(self, ev)()
                next_event = self.index + self.rng.randrange(5, 25)
                before = self.dev.config()
                continue
            req = self.builder.request()
            after = self.send(req, before)
            # thousands of peers make every later GET dear: start over
            if after is not None and len(after["peers"]) > 50:
                self.dev.restore(self.start)
                after = self.dev.config()
            before = after
        self.summary(time.monotonic() - t0)
        return 1 if self.failures else 0

    def summary(self, secs):
        print("# nlfuzz: seed %d, %d requests in %.1f s: %d accepted, %d refused, %d unanswered, %d failures"
              % (self.seed, self.sent, secs, self.accepted, self.refused, self.noreply, self.failures))
        print("# nlfuzz errnos: " + " ".join("%s=%d" % kv for kv in sorted(self.errnos.items())))
        print("# nlfuzz mutations: " + " ".join("%s=%d" % kv for kv in sorted(self.mutations.items())))
        print("# nlfuzz events: " + (" ".join("%s=%d" % kv for kv in sorted(self.events.items()))
                                     or "none"))


def dry_run(args):
    spec = Spec()
    rng = random.Random(args.seed)
    keys = [rng.randbytes(32) for _ in range(8)]
    b = Builder(spec, rng, 0x42, 7, args.ifname or "pt0", keys)
    for i in range(1, args.count + 1):
        req = b.request()
        raw = req.encode(seq=i)
        print("%d %s %d %s" % (i, ",".join(req.mutations) or "valid", len(raw),
                               raw.hex() if len(raw) <= args.hex_max else raw[:args.hex_max].hex() + "..."))
    return 0


def replay(args):
    raw = bytes.fromhex(args.replay)
    nl = genl.Genl()
    try:
        nl.sock.setsockopt(socket.SOL_SOCKET, 32, 8 << 20)
    except OSError:
        pass
    dev = None
    if args.ifname:
        spec = Spec()
        dev = Device(nl, spec, nl.family(spec.family_name), args.ifname)
    before = dev.config() if dev else None
    result, extack, data = exchange(nl, raw)
    print("errno: %s%s%s" % (errname(result), ": " + extack if extack else "",
                             " (%d data messages)" % data if data else ""))
    if dev:
        after = dev.config()
        print("configuration: " + (diff(before, after) or "unchanged"))
    return 0


def main():
    ap = argparse.ArgumentParser(description="ptun netlink fuzzer (see the module's docstring)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--ifname")
    ap.add_argument("--events", dest="events", action="store_true", default=True)
    ap.add_argument("--no-events", dest="events", action="store_false")
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--hex-max", type=int, default=256, help="dry run: bytes of hex shown")
    ap.add_argument("--replay", metavar="HEX")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.replay:
        return replay(args)
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 32)
    print("# nlfuzz seed %d" % args.seed)
    sys.stdout.flush()
    if args.dry_run:
        return dry_run(args)
    if not args.ifname:
        ap.error("--ifname is needed")
    return Fuzzer(args).run()


if __name__ == "__main__":
    sys.exit(main())
