"""Running the platform: what platform admins inspect and repair (messages the workers could not process)."""
