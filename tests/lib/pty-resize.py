#!/usr/bin/env python3
"""pty-resize.py ROWS COLS NEWROWS NEWCOLS INPUT COMMAND...

Run COMMAND on a pseudo-terminal of ROWS x COLS, as a terminal emulator would: wait for a shell's prompt
("# ") in its output, change the terminal's size to NEWROWS x NEWCOLS (the kernel tells the command with
SIGWINCH), then type INPUT (backslash escapes allowed). Prints everything the command wrote and exits with
its status; 124 when no prompt came within 60 s."""
import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    rows, cols, new_rows, new_cols = map(int, sys.argv[1:5])
    typed = sys.argv[5].encode().decode("unicode_escape").encode()
    pid, master = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[6], sys.argv[6:])
    set_size(master, rows, cols)
    out = b""
    resized = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the command and everything on its terminal have ended
                break
            if not data:
                break
            out += data
        if not resized and b"# " in out:
            set_size(master, new_rows, new_cols)
            time.sleep(0.3)  # the size travels to the container before the command that reads it
            os.write(master, typed)
            resized = True
    sys.stdout.write(out.decode(errors="replace"))
    if not resized:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        sys.exit(124)
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status))


main()
