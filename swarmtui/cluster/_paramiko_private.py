"""The paramiko internals swarmtui relies on, in one place (docker-py's ssh:// transport uses paramiko)."""

from __future__ import annotations


def add_channel_read1() -> None:
    """Give paramiko's ChannelFile a read1() (once; kept if a paramiko release brings its own).

    Why private: it is built on ChannelFile's buffer internals (_rbuffer, _read, _pos, _realpos);
    paramiko's file has only read(n), which waits for all n bytes."""
    import paramiko.channel

    def read1(self, size=-1):
        """What is there now (at most `size`), blocking only when nothing is: the log stream reads
        with read1, and paramiko's file (under http.client over ssh://) has only read(n), which
        waits for all n bytes, so a quiet service's lines never arrived."""
        if self._rbuffer:
            n = len(self._rbuffer) if size is None or size < 0 else size
            result, self._rbuffer = self._rbuffer[:n], self._rbuffer[n:]
        else:
            try:
                result = self._read(size if size and size > 0 else self._DEFAULT_BUFSIZE) or b""
            except EOFError:
                result = b""
            self._realpos += len(result)
        self._pos += len(result)
        return bytes(result)

    if not hasattr(paramiko.channel.ChannelFile, "read1"):
        paramiko.channel.ChannelFile.read1 = read1
