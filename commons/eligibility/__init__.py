"""Who may take part: a verified e-mail address for everyone, and per round a stronger check
(a census the authority imports, or invitation codes it hands out), each bound to one person."""
