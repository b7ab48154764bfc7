# The notes' TCP client, corrected (lesson 3, lessons/03-tcp-echo.md).
# Usage: python3 lessons/python/03_notes_client.py HOST PORT
import sys
from socket import *                      # the notes wrote "impo"

host, port = sys.argv[1], int(sys.argv[2])
clientSocket = socket(AF_INET, SOCK_STREAM)  # the notes named it tcpSocket, then used clientSocket
clientSocket.connect((host, port))         # the notes connected to 8989, the server listens on 8899
clientSocket.send('hahaha'.encode('gb2312'))  # a dot, not a comma: 'hahaha'.encode(...)
clientSocket.shutdown(SHUT_WR)             # "that was all": an echo server can now finish
recvData = clientSocket.recv(1024)
print("recvData:%s" % recvData)
clientSocket.close()
