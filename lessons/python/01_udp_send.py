# The notes' UDP sender, corrected and runnable:
#   python3 lessons/python/01_udp_send.py 127.0.0.1 7788 你好 gb2312
# The notes call it udpSocker and send b'HHH'; the idea is the same.
import sys
from socket import *

host, port = sys.argv[1], int(sys.argv[2])
text = sys.argv[3] if len(sys.argv) > 3 else "你好"
encoding = sys.argv[4] if len(sys.argv) > 4 else "utf-8"

udpSocket = socket(AF_INET, SOCK_DGRAM)
data = text.encode(encoding)          # text -> bytes: a socket only sends bytes
udpSocket.sendto(data, (host, port))  # the address goes with every datagram
print("sent %d bytes to %s:%d from %s:%d" % ((len(data), host, port) + udpSocket.getsockname()))
udpSocket.close()
