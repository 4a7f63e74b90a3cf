"""The manifest beside each dump: when it was made, of which engine, the migration state and the
rows of every table it holds, and the dump's SHA-256. A dump without its manifest is not a
backup, and a restore takes a dump only when it matches its manifest's checksum."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .errors import BackupError

FORMAT = "cpmis-backup/1"
# cpmis stores no uploaded file on disk: department batches are read into the database and job
# results are kept in it (``BinaryField``). Should that change, the files must go in the backup.
FILES = "none stored outside the database"
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Manifest:
    created_at: datetime
    engine: str
    dump: str  # the dump's file name, in the manifest's directory
    size: int
    sha256: str
    migrations: dict[str, str]  # app label -> latest migration applied
    tables: dict[str, int]  # table -> rows
    files: str = FILES
    format: str = FORMAT

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def write(self, path: Path) -> None:
        """Write to ``path`` (a new file, readable by its owner only) and flush it to disk."""
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        text = json.dumps(data, indent=2, sort_keys=True) + "\n"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            data: Any = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BackupError(
                f"No manifest at {path}: a backup is complete only with its manifest.",
                hint="restore a backup that `cpmis manage backup` finished (its .json is beside "
                "the dump); a dump without one may have been cut off while it was written",
            ) from None
        except (OSError, ValueError) as error:
            raise BackupError(f"Cannot read the manifest {path}: {error}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError(f"{path} is not the manifest of a cpmis backup ({FORMAT}).")
        try:
            manifest = cls(
                created_at=datetime.fromisoformat(data["created_at"]),
                engine=str(data["engine"]),
                dump=str(data["dump"]),
                size=int(data["size"]),
                sha256=str(data["sha256"]),
                migrations={str(k): str(v) for k, v in data["migrations"].items()},
                tables={str(k): int(v) for k, v in data["tables"].items()},
                files=str(data.get("files", FILES)),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise BackupError(f"The manifest {path} is incomplete or damaged ({error}).") from None
        if Path(manifest.dump).name != manifest.dump or manifest.created_at.tzinfo is None:
            raise BackupError(f"The manifest {path} is damaged (its dump or its date).")
        return manifest


def sha256_of(path: Path) -> tuple[str, int]:
    """The file's SHA-256 (hex) and size in bytes."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
