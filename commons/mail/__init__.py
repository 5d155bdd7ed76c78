"""Mail to people: requested through the outbox (``mail.requested``), sent by a worker actor.

A use case asks for a message in its own transaction (``request_mail``), so no mail announces a
change that was rolled back; the actor sends it once, under the event's id as Message-ID.
"""
