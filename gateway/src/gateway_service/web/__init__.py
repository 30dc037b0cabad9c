"""Server-rendered web pages of the gateway: the public directory, the partner cabinet
and the staff console (see ``app.build_web``)."""
