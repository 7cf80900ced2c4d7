"""A replay engine for benchmarks: the Engine API routes swarmtui reads, at 500 nodes / 10,000 tasks.

capture.py records real payloads on a lab (capture/*.json), fleet.py scales them into a fleet and
plays scenarios on it, server.py answers HTTP on a unix socket, check.py proves that what it serves
decodes to the same models as the capture through swarmtui's own assemble/convert code.
A benchmark harness, not a test double: correctness is proven on the real lab.
"""
