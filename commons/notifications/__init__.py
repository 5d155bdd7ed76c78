"""In-app notifications for the people an event concerns."""
