#!/usr/bin/env python3
"""TCP connection rate for bench/network.sh: a server that accepts and closes, and a client that opens and closes
connections for a fixed time, several processes wide. Prints connections per second. Only addresses the bench made."""
import os
import socket
import sys
import time


def serve(port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("0.0.0.0", port))
    listener.listen(4096)
    while True:
        connection, _ = listener.accept()
        connection.close()


def client(host, port, seconds, workers):
    read, write = os.pipe()
    for _ in range(workers):
        if os.fork() == 0:
            count, deadline = 0, time.monotonic() + seconds
            while time.monotonic() < deadline:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                # RST on close: no TIME_WAIT pile-up on the client's ports, as load generators do.
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                s.settimeout(2)
                s.connect((host, port))
                s.close()
                count += 1
            os.write(write, f"{count}\n".encode())
            os._exit(0)
    total = 0
    for _ in range(workers):
        os.wait()
    os.close(write)
    with os.fdopen(read) as results:
        total = sum(int(line) for line in results if line.strip())
    print(f"{total / seconds:.0f}")


if __name__ == "__main__":
    if sys.argv[1] == "server":
        serve(int(sys.argv[2]))
    else:
        client(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]))
