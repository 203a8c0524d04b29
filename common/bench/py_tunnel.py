#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A tunnel end written the way the handout's Python solution is: scapy,
os.read/os.write on the TUN device, select() on it and a UDP socket.

It exists to prove that the kit's wire format is the handout's, byte for
byte: the kit's client must work with this server, and this client with the
kit's server.  Not a reference solution, and not code to copy.

    py_tunnel.py server            on server (10.1.3.2/24, UDP 9090)
    py_tunnel.py client [SERVER]   on useru (10.1.3.1/24, route to lab1)
"""
import fcntl
import logging
import os
import select
import socket
import struct
import subprocess
import sys

from scapy.all import IP

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
PORT = 9090


def open_tun(address):
    tun = os.open("/dev/net/tun", os.O_RDWR)
    ifr = struct.pack("16sH", b"tun%d", IFF_TUN | IFF_NO_PI)
    name = fcntl.ioctl(tun, TUNSETIFF, ifr)[:16].strip(b"\x00").decode()
    subprocess.run(["ip", "addr", "add", address, "dev", name], check=True)
    subprocess.run(["ip", "link", "set", "dev", name, "up"], check=True)
    logging.info("Interface name: %s", name)
    return tun, name


def main():
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(levelname)s: %(message)s")
    role = sys.argv[1]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if role == "server":
        tun, _ = open_tun("10.1.3.2/24")
        sock.bind(("0.0.0.0", PORT))
        peer = None
        logging.info("listening on 0.0.0.0:%d", PORT)
    else:
        tun, name = open_tun("10.1.3.1/24")
        subprocess.run(["ip", "route", "add", "10.1.1.0/24", "dev", name],
                       check=True)
        # "server" as the lab's hosts file names it from here (its lan0
        # address: common/topology), as the handout's client would.
        peer = (socket.gethostbyname(sys.argv[2] if len(sys.argv) > 2
                                     else "server"), PORT)
        logging.info("tunnelling to %s:%d", *peer)

    while True:
        ready, _, _ = select.select([sock, tun], [], [])
        for fd in ready:
            if fd is sock:
                data, sender = sock.recvfrom(2048)
                if role == "server":
                    peer = sender
                logging.info("From socket <==: %s", IP(data).summary())
                os.write(tun, data)
            else:
                packet = os.read(tun, 2048)
                if peer is None:
                    continue
                logging.info("From tun ==>: %s", IP(packet).summary())
                sock.sendto(packet, peer)


if __name__ == "__main__":
    main()
