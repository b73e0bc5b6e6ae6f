#!/usr/bin/env python3
"""Benchmark of the wall display: idle CPU and memory over a minute, and the time from the
hub's event to the frame that shows it.

    cargo build --release -p antre-hub -p antre-display
    python3 display/bench.py [--idle-secs 60] [--calls 50] [--target release]

Runs a real hub on loopback with the sample hall, a real antre-display window (under Xvfb
when no DISPLAY is set; `apt install xvfb`), muted, with `--measure`, which prints one line
per call when the frame showing it has been rendered. Prints the figures; nothing is
asserted (goals are read, not tested).
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(ROOT, "config", "mpp-among-warga.toml")
TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def memory_kib(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    return out


class Admin:
    """A protocol client acting as the hall's admin device."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.file = self.sock.makefile("rw")
        self.n = 0
        self.send({"type": "hello", "protocol": 1, "device": "admin",
                   "token": "SAMPLE-admin-change-me-now", "since": 0})
        assert self.reply()["type"] == "welcome"

    def send(self, obj):
        self.file.write(json.dumps(obj) + "\n")
        self.file.flush()

    def reply(self):
        while True:
            msg = json.loads(self.file.readline())
            if msg["type"] != "event":
                return msg

    def request(self, **fields):
        self.n += 1
        self.send(dict(fields, id=f"bench-{self.n}"))
        msg = self.reply()
        if msg["type"] != "ok":
            raise SystemExit(f"hub refused {fields}: {msg}")
        return msg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idle-secs", type=int, default=60)
    ap.add_argument("--calls", type=int, default=50)
    ap.add_argument("--target", default="release")
    args = ap.parse_args()
    bins = os.path.join(ROOT, "target", args.target)
    tmp = tempfile.mkdtemp(prefix="antre-display-bench-")
    procs = []
    try:
        env = dict(os.environ, ANTRE_LOG="warn")
        if not env.get("DISPLAY"):
            display = ":%d" % (90 + os.getpid() % 9)
            procs.append(subprocess.Popen(["Xvfb", display, "-screen", "0", "1920x1080x24"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            env["DISPLAY"] = display
            time.sleep(1)
        port = free_port()
        hub = subprocess.Popen([os.path.join(bins, "antre-hub"), "serve", "--config", CONFIG,
                                "--db", os.path.join(tmp, "bench.db"), "--listen",
                                f"127.0.0.1:{port}", "--http", "off", "--ignore-hours"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        procs.append(hub)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                break
            except OSError:
                time.sleep(0.05)
        disp = subprocess.Popen([os.path.join(bins, "antre-display"), "--hub", f"127.0.0.1:{port}",
                                 "--device", "display-1", "--token", "SAMPLE-display-1-change-me",
                                 "--windowed", "--mute", "--measure"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
        procs.append(disp)
        frames = []
        how = set()
        seen = threading.Condition()

        def read_frames():
            for line in disp.stdout:
                if line.startswith("frame "):
                    parts = dict(p.split("=") for p in line.split()[2:])
                    how.add(parts.get("measured_at", "frame"))
                    with seen:
                        frames.append((int(parts["arrival_to_frame_us"]),
                                       int(parts["commit_to_frame_us"])))
                        seen.notify_all()

        threading.Thread(target=read_frames, daemon=True).start()
        admin = Admin(port)
        admin.request(type="open_counter", counter="1", officer="Bench")
        time.sleep(5)  # the window is up and has settled

        c0, t0 = cpu_seconds(disp.pid), time.monotonic()
        time.sleep(args.idle_secs)
        c1, t1 = cpu_seconds(disp.pid), time.monotonic()
        mem = memory_kib(disp.pid)

        for i in range(args.calls):
            admin.request(type="issue_ticket", service="dukcapil-ktp", priority=None)
            with seen:
                before = len(frames)
                admin.request(type="call_next", counter="1")
                seen.wait_for(lambda: len(frames) > before, timeout=10)
            time.sleep(0.3)
        mem_after = memory_kib(disp.pid)

        print(f"antre-display ({args.target}), {os.cpu_count()} cores, Xvfb 1920x1080 software renderer")
        print(f"idle {t1 - t0:.0f} s: CPU {100 * (c1 - c0) / (t1 - t0):.2f} % of one core, "
              f"RSS {mem['VmRSS'] / 1024:.1f} MiB (peak {mem['VmHWM'] / 1024:.1f} MiB)")
        if frames:
            arr = sorted(f[0] / 1000 for f in frames)
            com = sorted(f[1] / 1000 for f in frames)
            q = lambda xs, p: xs[min(len(xs) - 1, int(p * len(xs)))]
            print(f"measured at: {', '.join(sorted(how))} (turn: the event-loop turn that draws the frame)")
            print(f"{len(frames)} calls: event arrival -> frame p50 {q(arr, .5):.1f} ms, "
                  f"p95 {q(arr, .95):.1f} ms, max {arr[-1]:.1f} ms")
            print(f"hub commit -> frame p50 {q(com, .5):.1f} ms, p95 {q(com, .95):.1f} ms, "
                  f"max {com[-1]:.1f} ms (commit times have 1 ms resolution)")
        else:
            print("no frame was measured")
        print(f"RSS after the calls {mem_after['VmRSS'] / 1024:.1f} MiB")
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
