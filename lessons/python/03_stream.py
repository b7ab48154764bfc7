# TCP is a byte stream: send() boundaries are not kept (lesson 3, lessons/03-tcp-echo.md).
# Both ends live in this one script, on a free loopback port.
import time
from socket import *

listener = socket(AF_INET, SOCK_STREAM)
listener.bind(("127.0.0.1", 0))
listener.listen(5)
client = socket(AF_INET, SOCK_STREAM)
client.connect(listener.getsockname())
server_side, address = listener.accept()

client.send(b"hello")
client.send(b"world")
time.sleep(0.2)                       # let both arrive before the server looks
print("two send() calls, one recv(1024):", server_side.recv(1024))

client.send(b"x" * 3000)
time.sleep(0.2)
first = server_side.recv(1024)
print("one send() of 3000 bytes, first recv(1024):", len(first), "bytes")
total = len(first)
while total < 3000:                   # keep calling recv until the whole message is here
    total += len(server_side.recv(1024))
print("after more recv calls:", total, "bytes")
