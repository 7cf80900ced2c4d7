"""A password-protected redis-server started as a plain process (the lab's and the tests')."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from swarmtui.lab.system import LabError, read_pid, stop_pid, wait_for_port


@dataclass(frozen=True)
class RedisServer:
    host: str
    port: int
    password: str
    workdir: Path

    @property
    def url(self) -> str:
        return f"redis://default:{quote(self.password, safe='')}@{self.host}:{self.port}/0"

    @property
    def pidfile(self) -> Path:
        return self.workdir / "redis.pid"

    def start(self) -> "RedisServer":
        self.workdir.mkdir(parents=True, exist_ok=True)
        conf = self.workdir / "redis.conf"
        # The password goes in a 0600 file, never on a command line others can read in ps.
        conf.touch(mode=0o600)
        conf.write_text(
            f"bind {self.host}\nport {self.port}\nrequirepass {self.password}\n"
            f"dir {self.workdir}\npidfile {self.pidfile}\nlogfile {self.workdir / 'redis.log'}\n"
            "daemonize yes\nsave \"\"\nappendonly no\nprotected-mode no\n"
        )
        proc = subprocess.run(["redis-server", str(conf)], capture_output=True, text=True)
        if proc.returncode != 0:
            raise LabError(f"redis-server did not start: {proc.stderr.strip() or proc.stdout.strip()}")
        wait_for_port(self.host, self.port)
        return self

    def stop(self) -> None:
        pid = read_pid(self.pidfile)
        if pid:
            stop_pid(pid, timeout=10)
