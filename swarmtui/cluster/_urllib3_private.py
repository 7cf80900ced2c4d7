"""The urllib3 / http.client internals swarmtui relies on, in one place."""

from __future__ import annotations

import socket


def shutdown_stream(response) -> None:
    """Shut down the socket under a streaming `requests` response, from any thread.

    Why private: closing the response does not wake a thread blocked reading it (close waits for the
    read); shutting the socket down does. urllib3's HTTPResponse keeps the http.client response in
    `_fp`, whose `fp.raw` is the socket's SocketIO (docker-py's unix-socket adapter), and SocketIO
    keeps the socket in `_sock`. Missing attributes mean the response is already closed: nothing to do."""
    try:
        sock = response.raw._fp.fp.raw
        sock = getattr(sock, "_sock", sock)
        sock.shutdown(socket.SHUT_RDWR)
    except (AttributeError, OSError):
        pass
