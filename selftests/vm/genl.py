#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send hand-made ptun netlink requests, including ones ptunctl refuses to
build, so the scenarios can check the kernel's own validation.

    genl.py set|get [--ifindex N] [--ifname S] [--attr NAME=VALUE ...]
                    [--raw TYPE=HEX ...] [--peer SPEC ...] [--out FILE]

NAME is an attribute of the device set in uapi/linux/ptun.h (private-key,
public-key, listen-port, fwmark); VALUE is hex for keys, a number otherwise.
SPEC is a PTUN_A_DEVICE_PEER nest as NAME=VALUE items separated by ";":
public-key=B64, flags=N, allowedip=CIDR (repeatable), allowedip-remove=CIDR,
raw=TYPE:HEX.
With --out, the request is written to FILE instead of sent (for
selftests/faults/fail-nth to send).  Otherwise prints "ok" and, for get, one "name: value" line per attribute and per peer
a "peer: KEY" line; on error prints "error: ERRNO: EXTACK" and exits 1.
"""
import base64
import ipaddress
import argparse
import errno
import os
import re
import socket
import struct
import sys

NETLINK_GENERIC = 16
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
NETLINK_CAP_ACK, NETLINK_EXT_ACK, SOL_NETLINK = 10, 11, 270
NLMSGERR_ATTR_MSG = 1
NLM_F_ACK_TLVS = 0x200


def uapi_names():
    """The command and device attribute numbers, read from the uapi header."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "../../uapi/linux/ptun.h")) as f:
        text = f.read()
    numbers = {}
    for body in re.findall(r"enum\s*{([^}]*)}", text):
        body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
        for i, name in enumerate(n.strip() for n in body.split(",")):
            if name and "=" not in name:
                numbers[name] = i
    return numbers


UAPI = uapi_names()


def attr(kind, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * (-length % 4)


def iter_attrs(data):
    """(type without the flag bits, payload) of each attribute, in order."""
    while len(data) >= 4:
        length, kind = struct.unpack_from("=HH", data)
        if length < 4:
            break
        yield kind & 0x3FFF, data[4:length]
        data = data[(length + 3) & ~3:]


def parse_attrs(data, peers=False):
    """Attributes by type; with peers, the repeated peer nests as a list."""
    attrs = {}
    for kind, value in iter_attrs(data):
        attrs[kind] = value
        if peers and kind == UAPI["PTUN_A_DEVICE_PEER"]:
            attrs.setdefault("peers", []).append(parse_attrs(value))
    return attrs


def parse_error(kind, mflags, msg):
    """The errno (positive; 0 for an ack) and extack message of an
    NLMSG_ERROR or NLMSG_DONE payload, as sent to a NETLINK_CAP_ACK socket."""
    (err,) = struct.unpack_from("=i", msg) if len(msg) >= 4 else (0,)
    extack = ""
    if err and mflags & NLM_F_ACK_TLVS:
        tlvs = parse_attrs(msg[4 + 16:] if kind == NLMSG_ERROR else msg[4:])
        extack = tlvs.get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0").decode(errors="replace")
    return -err, extack


class Genl:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        # errors echo only the request's header, so the TLVs follow it
        self.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sock.bind((0, 0))
        self.seq = 0

    def message(self, family, cmd, flags, payload):
        self.seq += 1
        body = struct.pack("=BBH", cmd, 1, 0) + payload
        return struct.pack("=IHHII", 16 + len(body), family, flags, self.seq, 0) + body

    def request(self, family, cmd, flags, payload, raw=False):
        """The replies' attributes parsed (or with raw, each reply's
        attributes unparsed, after its flags: (nlmsg_flags, bytes)); an
        error raises OSError."""
        self.sock.send(self.message(family, cmd, flags, payload))
        replies = []
        while True:
            data = self.sock.recv(1 << 20)
            while data:
                length, kind, mflags, _, _ = struct.unpack_from("=IHHII", data)
                msg, data = data[16:length], data[(length + 3) & ~3:]
                if kind in (NLMSG_DONE, NLMSG_ERROR):
                    # An error, or a dump's end with its status; either may
                    # carry the extack message after the (capped) request.
                    err, extack = parse_error(kind, mflags, msg)
                    if err == 0:
                        return replies
                    raise OSError(err, extack)
                replies.append((mflags, msg[4:]) if raw else
                               parse_attrs(msg[4:], peers=family != GENL_ID_CTRL))
                if not mflags & 0x2:  # NLM_F_MULTI
                    return replies

    def family(self, name):
        reply = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_REQUEST,
                             attr(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"))
        return struct.unpack("=H", reply[0][CTRL_ATTR_FAMILY_ID])[0]


FORMATS = {"private-key": "key", "public-key": "key", "listen-port": "=H",
           "fwmark": "=I", "ifindex": "=I", "ifname": "str", "flags": "=I"}


def encode(name, value):
    kind = UAPI["PTUN_A_DEVICE_" + name.upper().replace("-", "_")]
    fmt = FORMATS[name]
    if fmt == "key":
        return attr(kind, bytes.fromhex(value))
    if fmt == "str":
        return attr(kind, value.encode() + b"\0")
    return attr(kind, struct.pack(fmt, int(value, 0)))


def decode(kind, value):
    for name, fmt in FORMATS.items():
        if UAPI["PTUN_A_DEVICE_" + name.upper().replace("-", "_")] == kind:
            if fmt == "key":
                return name, value.hex()
            if fmt == "str":
                return name, value.rstrip(b"\0").decode()
            return name, str(struct.unpack(fmt, value)[0])
    return str(kind), value.hex()


def peer_nest(spec):
    payload = b""
    for item in spec.split(";"):
        name, value = item.split("=", 1)
        if name == "public-key":
            payload += attr(UAPI["PTUN_A_PEER_PUBLIC_KEY"], base64.b64decode(value))
        elif name == "flags":
            payload += attr(UAPI["PTUN_A_PEER_FLAGS"], struct.pack("=I", int(value, 0)))
        elif name in ("allowedip", "allowedip-remove"):
            net = ipaddress.ip_network(value, strict=False)
            body = attr(UAPI["PTUN_A_ALLOWEDIP_FAMILY"],
                        struct.pack("=H", socket.AF_INET if net.version == 4 else socket.AF_INET6))
            body += attr(UAPI["PTUN_A_ALLOWEDIP_IPADDR"], ipaddress.ip_interface(value).ip.packed)
            body += attr(UAPI["PTUN_A_ALLOWEDIP_CIDR_MASK"], bytes([net.prefixlen]))
            if name == "allowedip-remove":
                body += attr(UAPI["PTUN_A_ALLOWEDIP_FLAGS"], struct.pack("=I", 1))
            payload += attr(UAPI["PTUN_A_PEER_ALLOWEDIP"] | 0x8000, body)
        elif name == "raw":
            kind, data = value.split(":", 1)
            payload += attr(int(kind, 0), bytes.fromhex(data))
    return attr(UAPI["PTUN_A_DEVICE_PEER"] | 0x8000, payload)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["set", "get"])
    ap.add_argument("--ifindex")
    ap.add_argument("--ifname")
    ap.add_argument("--attr", action="append", default=[])
    ap.add_argument("--raw", action="append", default=[])
    ap.add_argument("--peer", action="append", default=[])
    ap.add_argument("--out")
    args = ap.parse_args()

    payload = b""
    if args.ifindex is not None:
        payload += encode("ifindex", args.ifindex)
    if args.ifname is not None:
        payload += encode("ifname", args.ifname)
    for item in args.attr:
        name, value = item.split("=", 1)
        payload += encode(name, value)
    for item in args.raw:
        kind, value = item.split("=", 1)
        payload += attr(int(kind, 0), bytes.fromhex(value))
    for spec in args.peer:
        payload += peer_nest(spec)

    nl = Genl()
    try:
        family = nl.family("ptun")
        if args.out:
            cmd, flags = ((UAPI["PTUN_CMD_SET_DEVICE"], NLM_F_REQUEST | NLM_F_ACK)
                          if args.cmd == "set" else
                          (UAPI["PTUN_CMD_GET_DEVICE"], NLM_F_REQUEST | NLM_F_DUMP))
            with open(args.out, "wb") as f:
                f.write(nl.message(family, cmd, flags, payload))
        elif args.cmd == "set":
            nl.request(family, UAPI["PTUN_CMD_SET_DEVICE"], NLM_F_REQUEST | NLM_F_ACK, payload)
            print("ok")
        else:
            replies = nl.request(family, UAPI["PTUN_CMD_GET_DEVICE"], NLM_F_REQUEST | NLM_F_DUMP, payload)
            print("ok")
            for reply in replies:
                for kind, value in sorted((k, v) for k, v in reply.items() if k != "peers"):
                    if kind == UAPI["PTUN_A_DEVICE_PEER"]:
                        continue
                    print("%s: %s" % decode(kind, value))
                for peer in reply.get("peers", []):
                    print("peer: " + base64.b64encode(peer[UAPI["PTUN_A_PEER_PUBLIC_KEY"]]).decode())
    except OSError as e:
        name = "EOPNOTSUPP" if e.errno == errno.EOPNOTSUPP else errno.errorcode.get(e.errno, e.errno)
        print("error: %s: %s" % (name, e.strerror or ""))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
