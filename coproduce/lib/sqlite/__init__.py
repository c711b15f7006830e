"""Django's SQLite backend with fair queueing of write transactions inside one process."""
