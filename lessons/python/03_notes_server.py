# The notes' TCP server, corrected (lesson 3, lessons/03-tcp-echo.md).
# Usage: python3 lessons/python/03_notes_server.py [PORT]   (default 8899, as in the notes)
import sys
from socket import *

port = int(sys.argv[1]) if len(sys.argv) > 1 else 8899
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind(("", port))   # every interface, like the notes
serverSocket.listen(5)          # 5 = length of the queue of finished handshakes, not a client limit
print("listening on tcp 0.0.0.0:%d" % port, flush=True)
clientSocket, clientInfo = serverSocket.accept()  # a NEW socket for this client, and its address
recvData = clientSocket.recv(1024)                # at most 1024 bytes: maybe not the whole message
print("%s:%s" % (str(clientInfo), recvData), flush=True)
clientSocket.close()
serverSocket.close()
