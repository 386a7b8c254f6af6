#!/usr/bin/env python3
"""The API against its own OpenAPI document, with schemathesis (PyPI): a live `ade demo` (a temporary database with
five tokens and thousands of devices), a write API token made with `ade api-token create` on the demo's database,
and a bounded number of examples per operation. Any 5xx, any answer that breaks the document's schema or status
codes, fails the run.

    scripts/api-fuzz.py --ade .build/debug/ade [--max-examples N]
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time


def start_demo(ade):
    demo = subprocess.Popen(
        [ade, "demo", "--listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "LANG": "en_US.UTF-8"},
    )
    console = database = None
    deadline = time.time() + 180
    for line in demo.stdout:
        if match := re.search(r"Console:\s+(\S+)", line):
            console = match.group(1)
        if match := re.search(r"Database:\s+(\S+)", line):
            database = match.group(1)
        if "Stop with Ctrl-C" in line or time.time() > deadline:
            break
    if not console or not database:
        demo.kill()
        sys.exit("api-fuzz: ade demo did not start")
    return demo, console, database


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ade", required=True)
    parser.add_argument("--max-examples", type=int, default=25)
    arguments = parser.parse_args()
    demo, console, database = start_demo(arguments.ade)
    try:
        token = subprocess.run(
            [arguments.ade, "api-token", "create", "schemathesis", "--scope", "write", "--database", database],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        command = [
            "st", "run", f"{console}/api/openapi.yaml",
            "--url", console,
            "--header", f"Authorization: Bearer {token}",
            "--checks", "not_a_server_error,status_code_conformance,response_schema_conformance,"
            "content_type_conformance",
            "--phases", "examples,coverage,fuzzing",
            "--max-examples", str(arguments.max_examples),
            "--workers", "2",
            "--request-timeout", "30",
            "--suppress-health-check", "all",
            "--seed", "17",
        ]
        print("api-fuzz:", " ".join(part if "Bearer" not in part else "Authorization: Bearer …" for part in command))
        # schemathesis keeps a cache in its working folder: a temporary one, not the repository.
        result = subprocess.run(command, cwd=tempfile.mkdtemp(prefix="ade-api-fuzz-"))
        return result.returncode
    finally:
        demo.send_signal(signal.SIGINT)
        try:
            demo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            demo.kill()


if __name__ == "__main__":
    sys.exit(main())
