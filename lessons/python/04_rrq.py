# One TFTP download (RFC 1350) with nothing but the notes' socket calls (lesson 4,
# lessons/04-tftp.md). Lock-step, octet mode, 512-byte blocks, no options.
# Usage: python3 lessons/python/04_rrq.py HOST PORT FILENAME   (prints the file's size)
import struct
import sys
from socket import *

host, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
udpSocket = socket(AF_INET, SOCK_DGRAM)  # no bind: the OS picks our port on the first sendto
udpSocket.settimeout(5)                  # a client waiting for an answer gives up some day
request = struct.pack('!H', 1) + name.encode() + b'\0' + b'octet' + b'\0'   # RRQ
udpSocket.sendto(request, (host, port))
print('RRQ for %s sent to port %d from port %d (picked by the OS)'
      % (name, port, udpSocket.getsockname()[1]))

received = b''
expected = 1
while True:
    try:
        data, server = udpSocket.recvfrom(4 + 512)   # the header and at most 512 bytes
    except timeout:
        sys.exit('no answer within 5 s: is a TFTP server listening on port %d?' % port)
    opcode, number = struct.unpack('!HH', data[:4])
    if opcode == 5:                                  # ERROR: code, then the message
        sys.exit('error %d: %s' % (number, data[4:-1].decode()))
    if number == expected:                           # a repeated block is ACKed, not kept
        received += data[4:]
        expected += 1
    udpSocket.sendto(struct.pack('!HH', 4, number), server)   # ACK, to the server's TID
    if len(data) - 4 < 512:                          # a short block ends the file
        break

if server[1] != port:
    print('DATA came from port %d: a new socket (its transfer ID), not %d' % (server[1], port))
blocks = expected - 1
print('received %d bytes in %d block%s' % (len(received), blocks, '' if blocks == 1 else 's'))
