"""References to stored documents.

XML and PDF bytes never travel through workflow history (payload limits, history size, personal data):
activities store them and pass this reference, whose hash lets every reader check it got the same bytes.
"""

from pydantic import BaseModel, ConfigDict


class DocumentRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    sha256: str
    size: int
    content_type: str
