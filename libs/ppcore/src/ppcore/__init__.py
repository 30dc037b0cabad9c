"""Infrastructure shared by every partner-program process. Holds no domain rules."""
