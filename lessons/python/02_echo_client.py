"""Lesson 2: the notes' UDP client, talking to `udp-bind echo`.

usage: python3 lessons/python/02_echo_client.py HOST PORT MESSAGE [ENCODING]

Like the notes, this socket never calls bind(): the OS picks its port at sendto().
Unlike the notes, it waits at most 2 seconds for the reply (settimeout), because a UDP
datagram that gets lost, or a server that is not running, produces no error at all.
"""
import sys
from socket import AF_INET, SOCK_DGRAM, socket

host, port, message = sys.argv[1], int(sys.argv[2]), sys.argv[3]
encoding = sys.argv[4] if len(sys.argv) > 4 else 'utf-8'

udpSocket = socket(AF_INET, SOCK_DGRAM)
udpSocket.settimeout(2)
udpSocket.sendto(message.encode(encoding), (host, port))
print('sent from %s:%s' % udpSocket.getsockname())
data, server = udpSocket.recvfrom(1024)
print('reply from %s:%s: %s' % (server[0], server[1], data.decode(encoding)))
udpSocket.close()
