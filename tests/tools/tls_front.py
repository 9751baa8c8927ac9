#!/usr/bin/python3
"""For the TLS tests: a TLS terminator in front of an HTTP server (DynamoDB Local), and an HTTP CONNECT proxy.

  tls_front.py --upstream 127.0.0.1:8000 --cert server.pem --key server.key --port-file FILE [--max-seconds N]
      terminates TLS on a free loopback port with the given certificate and relays the bytes to the upstream.
  tls_front.py --connect-proxy --port-file FILE --log FILE [--max-seconds N]
      an HTTP proxy that answers CONNECT host:port by tunnelling to it, and appends "host:port" to the log for
      each tunnel (the test reads who went through it).

Listens on 127.0.0.1 only; exits after --max-seconds (default 600) or when its parent process is gone.
"""
import argparse
import os
import socket
import ssl
import sys
import threading
import time


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def splice(a, b):
    threading.Thread(target=pump, args=(a, b), daemon=True).start()
    threading.Thread(target=pump, args=(b, a), daemon=True).start()


def terminate(conn, context, upstream):
    try:
        conn.settimeout(30)
        tls = context.wrap_socket(conn, server_side=True)
        tls.settimeout(None)
    except (OSError, ssl.SSLError):
        conn.close()  # the client refused our certificate, or spoke something else
        return
    host, _, port = upstream.rpartition(":")
    try:
        up = socket.create_connection((host, int(port)), timeout=30)
        up.settimeout(None)
    except OSError:
        tls.close()
        return
    splice(tls, up)


def connect_proxy(conn, log):
    conn.settimeout(30)
    head = b""
    try:
        while b"\r\n\r\n" not in head:
            data = conn.recv(4096)
            if not data:
                conn.close()
                return
            head += data
        line = head.split(b"\r\n", 1)[0].decode()
        method, target, _ = line.split(" ", 2)
        if method != "CONNECT":
            conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            conn.close()
            return
        host, _, port = target.rpartition(":")
        up = socket.create_connection((host.strip("[]"), int(port)), timeout=30)
        up.settimeout(None)
        with open(log, "a") as f:
            f.write(target + "\n")
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        conn.settimeout(None)
    except (OSError, ValueError):
        conn.close()
        return
    splice(conn, up)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--upstream")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--connect-proxy", action="store_true")
    p.add_argument("--log")
    p.add_argument("--port-file", required=True)
    p.add_argument("--max-seconds", type=int, default=600)
    a = p.parse_args()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.5)
    context = None
    if not a.connect_proxy:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(a.cert, a.key)
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % listener.getsockname()[1])
    os.replace(a.port_file + ".tmp", a.port_file)
    parent = os.getppid()
    deadline = time.monotonic() + a.max_seconds
    while time.monotonic() < deadline and os.getppid() == parent:
        try:
            conn, _ = listener.accept()
        except socket.timeout:
            continue
        if a.connect_proxy:
            target, args = connect_proxy, (conn, a.log)
        else:
            target, args = terminate, (conn, context, a.upstream)
        threading.Thread(target=target, args=args, daemon=True).start()
    sys.exit(0)


if __name__ == "__main__":
    main()
