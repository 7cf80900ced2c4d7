"""The replay engine's HTTP server: Engine API routes on a unix socket, answered from a Fleet.

    .venv/bin/python -m bench.replay.server --socket /tmp/replay.sock [--nodes 500 --services 200 --tasks 10000]
                                            [--log-rate 0]

Routes (with or without the /v1.NN prefix, as docker-py and the docker CLI send them):
  GET|HEAD /_ping, GET /version, /info, /swarm, /networks, /nodes, /nodes/{id}, /services?status=true,
  /services/{id}, /tasks?filters=..., /tasks/{id}, /events (streamed, `since`/`until`), and
  /services/{id}/logs (multiplexed frames, details + timestamps, follow; `--log-rate` lines/s per
  replica, 0 = as fast as the reader takes them).
Control (not Engine API): POST /_replay/scenario/{name}?arg=value runs a scenario on its own thread
and answers at once; GET /_replay/stats says how many requests each route had.
List responses are serialised once per fleet version, so the engine's own CPU stays small.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import socketserver
import struct
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.replay.fleet import SCENARIOS, Fleet

VERSION_PREFIX = re.compile(r"^/v\d+\.\d+")
LOG_LINE = "GET /item/{i} 200 \x1b[32mok\x1b[0m scraped 12 links from replica {slot}\n"


def _filters(query: dict) -> dict[str, list[str]]:
    raw = query.get("filters", [""])[0]
    if not raw:
        return {}
    parsed = json.loads(raw)
    return {k: (list(v) if isinstance(v, (list, dict)) else [v]) for k, v in parsed.items()}


def _truthy(query: dict, name: str) -> bool:
    return query.get(name, ["0"])[0].lower() in ("1", "true", "yes")


class Engine:
    """The fleet plus response caches and counters (shared by the handler threads)."""

    def __init__(self, fleet: Fleet, log_rate: float = 0.0) -> None:
        self.fleet = fleet
        self.log_rate = log_rate
        self.stats: Counter = Counter()
        self._cache: dict = {}

    def cached(self, key, build) -> bytes:
        with self.fleet.lock:
            full = (key, self.fleet.version)
            hit = self._cache.get(full)
            if hit is None:
                if len(self._cache) > 256:
                    self._cache.clear()
                hit = self._cache[full] = json.dumps(build()).encode()
            return hit

    # ---- list routes --------------------------------------------------------------------------
    def tasks(self, filters: dict) -> list:
        f = self.fleet
        out = f.task_list
        if "service" in filters:
            ids = {s["ID"] for ref in filters["service"] if (s := f.service(ref))}
            out = [t for t in out if t["ServiceID"] in ids]
        if "node" in filters:
            ids = {n["ID"] for ref in filters["node"] if (n := f.node(ref))}
            out = [t for t in out if t["NodeID"] in ids]
        if "desired-state" in filters:
            states = set(filters["desired-state"])
            out = [t for t in out if t["DesiredState"] in states]
        if "id" in filters:
            out = [t for t in out if any(t["ID"].startswith(i) for i in filters["id"])]
        return out

    def services(self, filters: dict, status: bool) -> list:
        out = self.fleet.service_list
        if "id" in filters:
            out = [s for s in out if any(s["ID"].startswith(i) for i in filters["id"])]
        if "name" in filters:
            out = [s for s in out if any(s["Spec"]["Name"].startswith(n) for n in filters["name"])]
        if "label" in filters:
            def has(s, want):
                k, _, v = want.partition("=")
                labels = s["Spec"].get("Labels") or {}
                return k in labels and (not v or labels[k] == v)
            out = [s for s in out if all(has(s, w) for w in filters["label"])]
        if not status:
            out = [{k: v for k, v in s.items() if k != "ServiceStatus"} for s in out]
        return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    engine: Engine  # set on the class by serve()

    def log_message(self, *args) -> None:  # quiet
        pass

    def address_string(self) -> str:
        return "unix"

    # ---- plumbing -----------------------------------------------------------------------------
    def _send(self, body: bytes, status: int = 200, ctype: str = "application/json", headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Api-Version", "1.41")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str) -> None:
        self._send(json.dumps({"message": message}).encode(), status)

    def _start_chunked(self, ctype: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Api-Version", "1.41")
        self.end_headers()
        self.wfile.flush()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _end_chunked(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        if url.path.startswith("/_replay/scenario/"):
            name = url.path.rsplit("/", 1)[1]
            scenario = SCENARIOS.get(name)
            if scenario is None:
                return self._error(404, f"no scenario {name}")
            kwargs = {k: (float(v[0]) if re.fullmatch(r"[\d.]+", v[0]) and k not in ("ref",) else v[0]) for k, v in query.items()}
            for k in ("replicas", "wave", "parallelism", "events"):
                if k in kwargs:
                    kwargs[k] = int(kwargs[k])
            result: dict = {}
            done = threading.Event()

            def run() -> None:
                result.update(scenario(self.engine.fleet, **kwargs))
                done.set()

            threading.Thread(target=run, daemon=True).start()
            wait = _truthy(query, "wait")
            if wait:
                done.wait(120)
            return self._send(json.dumps(result).encode())
        self._error(404, f"no route POST {url.path}")

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        path = VERSION_PREFIX.sub("", url.path).rstrip("/") or "/"
        query = parse_qs(url.query)
        engine, fleet = self.engine, self.engine.fleet
        route = re.sub(r"/[a-z0-9]{25}(?=/|$)", "/{id}", path)
        engine.stats[f"{self.command} {route}"] += 1
        cap = fleet.capture
        if path == "/_ping":
            return self._send(b"OK", ctype="text/plain; charset=utf-8",
                              headers={"Docker-Experimental": "false", "Ostype": "linux", "Swarm": "active/manager",
                                       "Cache-Control": "no-cache, no-store, must-revalidate"})
        if path == "/_replay/stats":
            return self._send(json.dumps(dict(engine.stats)).encode())
        if path in ("/version", "/info", "/swarm", "/networks"):
            return self._send(engine.cached(path, lambda: cap[path[1:]]))
        if path == "/nodes":
            return self._send(engine.cached("nodes", lambda: fleet.node_list))
        if path == "/services":
            filters, status = _filters(query), _truthy(query, "status")
            return self._send(engine.cached(("services", json.dumps(filters, sort_keys=True), status),
                                            lambda: engine.services(filters, status)))
        if path == "/tasks":
            filters = _filters(query)
            return self._send(engine.cached(("tasks", json.dumps(filters, sort_keys=True)), lambda: engine.tasks(filters)))
        if path == "/events":
            return self._events(query)
        if path.startswith("/networks/"):
            ident = path.rsplit("/", 1)[1]
            found = next((n for n in cap["networks"] + cap["network_inspect"] if ident in (n.get("Id"), n.get("ID"), n.get("Name"))), None)
            return self._send(json.dumps(found).encode()) if found else self._error(404, f"network {ident} not found")
        match = re.fullmatch(r"/(nodes|services|tasks)/([^/]+)(/logs)?", path)
        if match:
            kind, ref, logs = match.groups()
            with fleet.lock:
                obj = {"nodes": fleet.node, "services": fleet.service, "tasks": fleet.task}[kind](ref)
                body = json.dumps(obj).encode() if obj else b""
            if obj is None:
                return self._error(404, f"{kind[:-1]} {ref} not found")
            if logs:
                return self._logs(obj, query)
            return self._send(body)
        self._error(404, f"page not found: {path}")

    # ---- streams ------------------------------------------------------------------------------
    def _events(self, query: dict) -> None:
        fleet = self.engine.fleet
        since = float(query.get("since", ["0"])[0] or 0)
        until = query.get("until", [""])[0]
        inbox: queue.Queue = queue.Queue()
        with fleet.lock:
            past = [e for e in fleet.events if e["timeNano"] >= since * 1e9] if since else []
            if not until:
                fleet.listeners.append(inbox.put)
        self._start_chunked("application/json")
        try:
            for event in past:
                self._chunk(json.dumps(event).encode() + b"\n")
            if until:
                return self._end_chunked()
            while True:
                try:
                    event = inbox.get(timeout=1.0)
                except queue.Empty:
                    continue  # nothing yet: the stream stays open, as the engine's does
                batch = [event]
                while not inbox.empty():
                    batch.append(inbox.get_nowait())
                self._chunk(b"".join(json.dumps(e).encode() + b"\n" for e in batch))
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            with fleet.lock:
                if inbox.put in fleet.listeners:
                    fleet.listeners.remove(inbox.put)

    def _logs(self, svc: dict, query: dict) -> None:
        """Frames for the service's running tasks: `tail` old lines each, then (follow) new ones."""
        fleet, rate = self.engine.fleet, self.engine.log_rate
        with fleet.lock:
            tasks = [(t["ID"], t["NodeID"], t.get("Slot") or 0) for t in fleet.running_of(svc)]
        details, stamps = _truthy(query, "details"), _truthy(query, "timestamps")
        tail = query.get("tail", ["all"])[0]
        tail = 20 if tail == "all" else int(tail)
        prefix = [((f"com.docker.swarm.node.id={node},com.docker.swarm.service.id={svc['ID']},com.docker.swarm.task.id={tid} ")
                   if details else "", slot) for tid, node, slot in tasks]
        counter = [0]

        def block(lines_each: int) -> bytes:
            parts = []
            ns = time.time_ns()
            base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ns // 1_000_000_000))
            frac = ns % 1_000_000_000
            for _ in range(lines_each):
                for head, slot in prefix:
                    i = counter[0]
                    counter[0] += 1
                    stamp = f"{base}.{(frac + i % 1000):09d}Z " if stamps else ""
                    payload = (stamp + head + LOG_LINE.format(i=i, slot=slot)).encode()
                    parts.append(struct.pack(">BxxxL", 1, len(payload)) + payload)
            return b"".join(parts)

        self._start_chunked("application/vnd.docker.multiplexed-stream")
        try:
            if tail and tasks:
                self._chunk(block(tail))
            if not _truthy(query, "follow"):
                return self._end_chunked()
            per_block = 20  # lines per replica per write
            started, sent = time.monotonic(), 0
            while True:
                if not tasks:
                    time.sleep(1.0)
                    continue
                self._chunk(block(per_block))
                sent += per_block
                if rate:
                    ahead = sent / rate - (time.monotonic() - started)
                    if ahead > 0:
                        time.sleep(ahead)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def serve(socket_path: str, fleet: Fleet, log_rate: float = 0.0) -> Server:
    if os.path.exists(socket_path):
        os.unlink(socket_path)
    engine = Engine(fleet, log_rate)
    handler = type("BoundHandler", (Handler,), {"engine": engine})
    server = Server(socket_path, handler)
    return server


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--socket", required=True)
    ap.add_argument("--nodes", type=int, default=500)
    ap.add_argument("--services", type=int, default=200)
    ap.add_argument("--tasks", type=int, default=10_000)
    ap.add_argument("--big-service", type=int, default=200)
    ap.add_argument("--log-rate", type=float, default=0.0, help="lines/s per replica (0: as fast as read)")
    args = ap.parse_args()
    fleet = Fleet(nodes=args.nodes, services=args.services, tasks=args.tasks, big_service=args.big_service)
    server = serve(args.socket, fleet, args.log_rate)
    print(f"replay: {len(fleet.node_list)} nodes, {len(fleet.service_list)} services, {len(fleet.task_list)} tasks "
          f"on unix://{args.socket}", flush=True)
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        os.unlink(args.socket)


if __name__ == "__main__":
    main()
