"""Result folders on disk: atomic writes, locks, manifests, resume, and signals held while
bookkeeping is written."""
