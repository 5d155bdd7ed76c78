"""The web edge: the Litestar application, its plumbing, authentication and error pages."""
