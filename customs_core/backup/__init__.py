"""Backups that restore: a database dump, the uploaded files and a manifest with checksums.

`manifest.py` is pure (checksums, the manifest's shape, verifying a folder against it);
`postgresql.py` and `sqlite.py` dump, restore and count rows for their database;
`services.py` puts them together for the `backup` and `restore` commands.
"""


class BackupError(Exception):
    """A backup or a restore refused or failed; the message says why, for the operator."""
