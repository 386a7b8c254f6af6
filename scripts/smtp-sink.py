#!/usr/bin/env python3
"""An SMTP server on loopback for ade's tests: STARTTLS required (or TLS from the first byte with --implicit-tls),
AUTH PLAIN/LOGIN with one user, every message saved as a file.

    scripts/smtp-sink.py --cert CERT.pem --key KEY.pem --user U --password P --maildir DIR --port-file FILE

Listens on 127.0.0.1 on a free port, writes the port to --port-file once it accepts connections, and saves each
message it accepts as DIR/<n>.eml (the envelope in DIR/<n>.json). Stops on SIGTERM.
"""
import argparse
import json
import logging
import os
import signal
import socket
import ssl
import threading
import time
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, maildir, implicit_tls):
        self.maildir = maildir
        self.implicit_tls = implicit_tls
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            number = self.count
        with open(os.path.join(self.maildir, f"{number}.eml"), "wb") as message:
            message.write(envelope.original_content or envelope.content)
        with open(os.path.join(self.maildir, f"{number}.json"), "w") as meta:
            json.dump(
                {
                    "mail_from": envelope.mail_from,
                    "rcpt_tos": envelope.rcpt_tos,
                    "tls": self.implicit_tls or session.ssl is not None,
                    "authenticated": session.authenticated,
                },
                meta,
            )
        return "250 Message accepted for delivery"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--implicit-tls", action="store_true", help="TLS from the first byte (port 465 style)")
    arguments = parser.parse_args()
    # Sessions a test breaks on purpose (an untrusted certificate, a wrong password) are not errors here, and with
    # --implicit-tls every session is encrypted although aiosmtpd's auth_require_tls is off.
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")

    def authenticate(server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and auth_data.login.decode() == arguments.user \
                and auth_data.password.decode() == arguments.password:
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(arguments.cert, arguments.key)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # With TLS from the first byte every session is encrypted; aiosmtpd's auth_require_tls only knows STARTTLS.
    security = (
        {"ssl_context": context, "auth_require_tls": False}
        if arguments.implicit_tls
        else {"tls_context": context, "require_starttls": True, "auth_require_tls": True}
    )
    controller = Controller(
        Sink(arguments.maildir, arguments.implicit_tls),
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_required=True,
        server_hostname="localhost",
        **security,
    )
    controller.start()
    with open(arguments.port_file + ".tmp", "w") as file:
        file.write(str(port))
    os.replace(arguments.port_file + ".tmp", arguments.port_file)
    # Every message is on disk once accepted: stop at once. (A parent may have blocked the signals it passed down.)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, lambda *_: os._exit(0))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
