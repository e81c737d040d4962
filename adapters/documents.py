"""Document store: signed XML, authorized XML and PDFs, addressed by key, verified by SHA-256.

A folder by default. Writes are write-once: the first bytes stored under a key win, which is what
makes "sign once, reuse on every retry" hold even when an activity dies after storing.
"""

import hashlib
import os
import tempfile
from pathlib import Path

from domain.documents import DocumentRef


class DocumentIntegrityError(Exception):
    pass


class FolderDocumentStore:
    def __init__(self, root: Path) -> None:
        self._root = root
        root.mkdir(parents=True, exist_ok=True)

    def path(self, ref: DocumentRef) -> Path:
        return self._root / ref.key

    def find(self, key: str, content_type: str) -> DocumentRef | None:
        path = self._root / key
        if not path.exists():
            return None
        data = path.read_bytes()
        return DocumentRef(key=key, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                           content_type=content_type)

    def put_once(self, key: str, data: bytes, content_type: str) -> DocumentRef:
        """Store ``data`` under ``key`` unless something is there already; return what is stored."""
        path = self._root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write to a temporary file and link it into place: readers never see half a document, and
        # os.link fails if the key exists, so two racing writers cannot both win.
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        try:
            os.link(tmp.name, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp.name)
        stored = self.find(key, content_type)
        if stored is None:  # pragma: no cover - the link above guarantees a file
            raise DocumentIntegrityError(f"document {key} vanished after writing")
        return stored

    def get(self, ref: DocumentRef) -> bytes:
        data = (self._root / ref.key).read_bytes()
        if hashlib.sha256(data).hexdigest() != ref.sha256:
            raise DocumentIntegrityError(f"document {ref.key} does not match its SHA-256")
        return data
