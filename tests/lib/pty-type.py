#!/usr/bin/env python3
"""pty-type.py INPUT COMMAND...

Run COMMAND on a pseudo-terminal and type INPUT (backslash escapes allowed) once the command has put the
terminal in raw mode and gone quiet, as a person at a terminal types after a program took it and printed its
prompt: typed earlier, the line discipline would still be canonical and take ctrl-q (XON) and ctrl-s for
itself. Cursor position queries are answered, as a terminal emulator answers them. Prints everything the
command wrote and exits with its status; 124 when the terminal never went raw within 60 s."""
import os
import pty
import select
import sys
import termios
import time


def main():
    typed = sys.argv[1].encode().decode("unicode_escape").encode("latin-1")
    pid, master = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[2], sys.argv[2:])
    out = b""
    sent = False
    last_output = time.monotonic()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        # raw, and the program quiet for a moment (a shell has printed its prompt): a person types now
        quiet = time.monotonic() - last_output > 0.3
        if not sent and quiet and not termios.tcgetattr(master)[3] & termios.ICANON:
            os.write(master, typed)
            sent = True
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the command and everything on its terminal have ended
                break
            if not data:
                break
            out += data
            last_output = time.monotonic()
            # a terminal answers a cursor position query (busybox's shell asks), or the asker takes
            # what is typed next for the answer
            for _ in range(data.count(b"\x1b[6n")):
                os.write(master, b"\x1b[1;1R")
    sys.stdout.write(out.decode(errors="replace"))
    if not sent or time.monotonic() >= deadline:
        os.kill(pid, 9)  # never went raw, or never ended: the caller's test fails on 124
        os.waitpid(pid, 0)
        sys.exit(124)
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status))


main()
