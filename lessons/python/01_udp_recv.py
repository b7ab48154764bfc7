# The notes' UDP receiver, corrected and runnable:
#   python3 lessons/python/01_udp_recv.py 7788 gb2312
# recvfrom returns a pair (data, address), and data is bytes until you decode it.
import sys
from socket import *

port = int(sys.argv[1])
encoding = sys.argv[2] if len(sys.argv) > 2 else "utf-8"

udpSocket = socket(AF_INET, SOCK_DGRAM)
udpSocket.bind(("127.0.0.1", port))
udpSocket.settimeout(30)               # every blocking receive needs a timeout
print("listening on udp 127.0.0.1:%d" % port, flush=True)
data, address = udpSocket.recvfrom(1024)
print("recvfrom returned", (data, address))
print("decoded:", data.decode(encoding, errors="replace"))
udpSocket.close()
