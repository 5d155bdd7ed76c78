"""People, organizations and the rights they hold."""
