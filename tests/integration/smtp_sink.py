#!/usr/bin/python3
"""A real SMTP server for the tests of samlad-admin remind.

smtp_sink.py PORT DIR: listens on 127.0.0.1:PORT (aiosmtpd's Controller)
until SIGTERM. Every message received is written twice into DIR, under the
next number N: N.eml, the raw message, and N.txt, what a mail reader makes
of it with Python's own parser:

    MAIL FROM: <envelope sender>
    RCPT TO: <each envelope recipient, comma-separated>
    From: ..., To: ..., Subject: ... (decoded from RFC 2047)
    Content-Type: ...
    <blank line>
    <the text, decoded by its charset and transfer encoding, CRLF as LF>

A file "ready" appears in DIR once the server listens.
"""
import email
import email.policy
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.n = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.n += 1
            n = self.n
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        text = (f"MAIL FROM: {envelope.mail_from}\n"
                f"RCPT TO: {', '.join(envelope.rcpt_tos)}\n"
                f"From: {msg['From']}\nTo: {msg['To']}\nSubject: {msg['Subject']}\n"
                f"Content-Type: {msg['Content-Type']}\n\n"
                f"{msg.get_content().replace(chr(13) + chr(10), chr(10))}")
        with open(os.path.join(self.folder, f"{n}.eml"), "wb") as f:
            f.write(raw)
        tmp = os.path.join(self.folder, f".{n}.txt")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.rename(tmp, os.path.join(self.folder, f"{n}.txt"))
        return "250 OK"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port,
                            decode_data=False)
    controller.start()
    open(os.path.join(folder, "ready"), "w").close()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    done.wait()
    controller.stop()


if __name__ == "__main__":
    main()
