"""Projects answering a call: their team, their needs, their members."""
