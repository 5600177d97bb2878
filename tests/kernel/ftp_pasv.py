#!/usr/bin/env python3
"""A minimal FTP exchange for the expectation tests: N control connections to 127.0.0.1:21, each
answered "227 Entering Passive Mode" for its own data port, so that the kernel's FTP helper (an
nft "ct helper" on port 21) creates one expectation per connection. Prints "pasv done" once all
are announced, keeps the connections open until a line (or the end) on stdin, then quits them."""
import socket, sys, threading
n = int(sys.argv[1])
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 21)); srv.listen(128)
def session(c, i):
    c.sendall(b"220 ready\r\n")
    f = c.makefile("rb")
    for line in f:
        if line.startswith(b"PASV"):
            p = 40000 + i
            c.sendall(b"227 Entering Passive Mode (127,0,0,1,%d,%d)\r\n" % (p >> 8, p & 255))
        elif line.startswith(b"QUIT"):
            c.sendall(b"221 bye\r\n"); break
    c.close()
def serve():
    for i in range(n):
        c, _ = srv.accept()
        threading.Thread(target=session, args=(c, i), daemon=True).start()
threading.Thread(target=serve, daemon=True).start()
clients = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", 21))
    f = s.makefile("rb")
    f.readline()
    s.sendall(b"PASV\r\n"); f.readline()
    clients.append((s, f))
print("pasv done", flush=True)
sys.stdin.readline()
for s, f in clients:
    s.sendall(b"QUIT\r\n"); f.readline(); s.close()
