"""JSON bodies of the HTTP API (pydantic models: they make the OpenAPI schema at /docs)."""

from pydantic import BaseModel, Field

__all__ = ["Health", "PredictReply", "TimelineReply", "TimelineWindow"]


class PredictReply(BaseModel):
    """``POST /predict``: the emotion of one clip."""

    filename: str = Field(description="the uploaded file's name, as the client sent it")
    label: str = Field(description="the most probable class")
    probabilities: dict[str, float] = Field(description="probability of every class")
    duration_s: float = Field(description="length of the decoded audio (s)")
    warnings: list[str] = Field(description="reasons the label may mean little")


class TimelineWindow(BaseModel):
    """One window of a timeline."""

    start_s: float
    end_s: float
    label: str
    probabilities: dict[str, float]


class TimelineReply(BaseModel):
    """``POST /timeline``: the emotion of each window of a recording."""

    filename: str
    duration_s: float
    window_s: float
    hop_s: float
    classes: list[str]
    windows: list[TimelineWindow]
    warnings: list[str]


class Health(BaseModel):
    """``GET /health``."""

    status: str
    busy: bool = Field(description="a prediction is running now")
    predictions_served: int
    uptime_s: float
