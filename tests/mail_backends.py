"""A stand-in for a mail server that fails now and then: the e-mail backend the retry tests
configure (MAILERS). It refuses the first messages it is told to, then delivers to Django's
test outbox like the locmem backend."""

from smtplib import SMTPServerDisconnected

from django.core.mail.backends import locmem


class FlakyBackend(locmem.EmailBackend):
    # {recipient address: how many more messages to it are refused}; "*" counts for anyone.
    refusals = {}
    attempts = []

    def send_messages(self, messages):
        for message in messages:
            FlakyBackend.attempts.append(message.to[0])
            for key in (message.to[0], "*"):
                if FlakyBackend.refusals.get(key, 0) > 0:
                    FlakyBackend.refusals[key] -= 1
                    # What smtplib raises when the server drops the line mid-conversation;
                    # its text names the address, as real SMTP replies may.
                    raise SMTPServerDisconnected(f"Connection closed sending to {message.to[0]}")
        return super().send_messages(messages)
