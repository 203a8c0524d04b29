#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Throw bad datagrams at a tunnel endpoint, for the hardening tests.

    badpackets.py [--bind ADDR:PORT] [--flood N] HOST PORT
        one datagram of each kind of malformed packet, 300 of random bytes,
        then a flood of N random ones (default 20000)
    badpackets.py --forge [--bind ADDR:PORT] HOST PORT
        well-formed ICMP echo requests with forged inner sources: 8.8.8.8
        and 10.1.1.3 to userv (must be dropped), and 10.1.3.99 to userv
        (inside the tunnel's network: the control, which gets through)

Only the standard library: it runs wherever python3 does.
"""
import argparse
import os
import random
import socket
import struct


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def echo_request(ident=0x77, seq=1, data=b"vpnlab" * 8):
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + data
    return icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]


def ipv4(src, dst, payload, proto=1, options=b""):
    ihl = 5 + len(options) // 4
    header = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(payload),
                         1, 0, 64, proto, 0, socket.inet_aton(src),
                         socket.inet_aton(dst)) + options
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def malformed():
    good = ipv4("10.1.3.1", "10.1.1.2", echo_request())
    bad_sum = bytearray(good)
    bad_sum[10] ^= 0xFF
    return {
        "empty": b"",
        "one byte": b"\x45",
        "truncated header": good[:12],
        "shorter than its length field": good[:-10],
        "longer than its length field": good + b"\0" * 10,
        "version 5": b"\x55" + good[1:],
        "header length 16": b"\x44" + good[1:],
        "bad header checksum": bytes(bad_sum),
        "IPv4 options (well-formed)": ipv4("10.1.3.1", "10.1.1.2", echo_request(),
                                           options=b"\x01\x01\x01\x00"),
        "65507 bytes": b"\x45" + os.urandom(65506),
        "IPv6 shorter than 40 bytes": b"\x60" + os.urandom(20),
    }


def forged():
    return {
        "from 8.8.8.8": ipv4("8.8.8.8", "10.1.1.2", echo_request(seq=1)),
        "from 10.1.1.3": ipv4("10.1.1.3", "10.1.1.2", echo_request(seq=2)),
        "control, from 10.1.3.99": ipv4("10.1.3.99", "10.1.1.2", echo_request(seq=3)),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--bind")
    parser.add_argument("--flood", type=int, default=20000)
    parser.add_argument("--forge", action="store_true")
    args = parser.parse_args()

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if args.bind:
        addr, port = args.bind.rsplit(":", 1)
        sock.bind((addr, int(port)))
    target = (args.host, args.port)
    rng = random.Random(20261124)

    for name, data in (forged() if args.forge else malformed()).items():
        sock.sendto(data, target)
        print("sent %s (%d bytes)" % (name, len(data)), flush=True)
    if args.forge:
        return
    for _ in range(300):
        sock.sendto(rng.randbytes(rng.randrange(1, 1600)), target)
    sent = 0
    for _ in range(args.flood):
        try:
            sock.sendto(rng.randbytes(rng.randrange(1, 200)), target)
            sent += 1
        except OSError:  # the socket buffer is full: the flood is on
            pass
    print("sent 300 random datagrams and a flood of %d" % sent, flush=True)


if __name__ == "__main__":
    main()
