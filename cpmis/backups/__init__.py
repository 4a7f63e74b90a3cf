"""Backups that restore: a dump of the whole database with a manifest that says what is in it
(``cpmis manage backup``), and its restore into an empty database (``cpmis manage restore``)."""
