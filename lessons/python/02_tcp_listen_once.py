"""Lesson 2: a TCP server on a port number that UDP may be using at the same time.

usage: python3 lessons/python/02_tcp_listen_once.py PORT

The notes' TCP server, shortened: bind(('', PORT)), listen(5), accept one client, print
what it sent, close. It gives up after 10 seconds without a client.
"""
import sys
from socket import AF_INET, SOCK_STREAM, socket

port = int(sys.argv[1])
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind(('', port))
serverSocket.listen(5)
print('listening on tcp %s:%s' % serverSocket.getsockname(), flush=True)
serverSocket.settimeout(10)
clientSocket, clientInfo = serverSocket.accept()
clientSocket.settimeout(10)
recvData = clientSocket.recv(1024)
print('tcp from %s:%s: %s' % (clientInfo[0], clientInfo[1], recvData.decode('utf-8').strip()))
clientSocket.close()
serverSocket.close()
