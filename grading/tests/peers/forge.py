#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""forge.py: a stranger floods a tunnel server with forged clients.

    forge.py SERVER PORT SECONDS

For SECONDS, sends datagrams in the handout's wire format whose inner
packets claim tunnel addresses: IPv4 10.1.3.1 to 10.1.3.254 (the real
client's among them) and IPv6 link-local fe80::1 to fe80::ffff, all
pinging 10.1.1.2 (or ff02::1).  A server that took every claimed source as
a client would fill its table with them, or hand a real client's replies
to the stranger.  Prints how many it sent.  Standard library only.
"""
import socket
import struct
import sys
import time


def cksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4_ping(src):
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x6666, 1) + b"forged"
    icmp = icmp[:2] + struct.pack("!H", cksum(icmp)) + icmp[4:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0,
                      socket.inet_aton(src), socket.inet_aton("10.1.1.2"))
    hdr = hdr[:10] + struct.pack("!H", cksum(hdr)) + hdr[12:]
    return hdr + icmp


def ipv6_ping(src):
    body = struct.pack("!BBHHH", 128, 0, 0, 0x6666, 1) + b"forged"
    return struct.pack("!IHBB16s16s", 6 << 28, len(body), 58, 64,
                       socket.inet_pton(socket.AF_INET6, src),
                       socket.inet_pton(socket.AF_INET6, "ff02::1")) + body


def main():
    server, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    end = time.monotonic() + seconds
    sent = 0
    n = 0
    while time.monotonic() < end:
        n += 1
        packets = (ipv4_ping("10.1.3.%d" % (n % 254 + 1)),
                   ipv6_ping("fe80::%x" % (n % 0xFFFF + 1)))
        for p in packets:
            try:
                sock.sendto(p, (server, port))
                sent += 1
            except OSError:
                pass
        if n % 200 == 0:
            time.sleep(0.001)
    print("sent %d forged datagrams" % sent)


if __name__ == "__main__":
    main()
