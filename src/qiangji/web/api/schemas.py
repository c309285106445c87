"""Request and response schemas of the API (the OpenAPI document is generated from these)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import ConfigDict, create_model

from qiangji.core.comparison import RESULT_COLUMNS

INSTITUTION_CODE = r"^[A-Za-z0-9_\-]{1,16}$"
PERIOD_CODE = r"^[0-9]{4}(Q[1-4])?$"
INDICATOR_CODE = r"^[A-Z][A-Za-z0-9.]{0,15}$"
ROUND_CODE = r"^[\w.\-]{1,32}$"

#: Decimal amounts travel as strings ("12.5"), so no binary float ever rounds a reported value.
DECIMAL = r"^-?[0-9]{1,11}(\.[0-9]{1,6})?$"
#: Free text: no NUL character (PostgreSQL text cannot hold it; unpaired surrogates: see parser.py).
TEXT = r"^[^\x00]*$"
Amount = Annotated[str, Field(pattern=DECIMAL, examples=["12.5"])]


class Strict(Schema):
    model_config = ConfigDict(regex_engine="python-re", extra="forbid")


class Page(Schema):
    count: int
    limit: int
    offset: int


class InstitutionOut(Schema):
    code: str
    name: str
    level: str
    legal_type: str
    is_ranked: bool
    established_on: dt.date | None
    dissolved_on: dt.date | None
    address: str
    divisions: list[str]


class InstitutionPage(Page):
    items: list[InstitutionOut]


class StaffOut(Schema):
    id: int
    staff_no: str
    name: str
    title: str
    education: str
    is_technical: bool
    is_verification: bool
    is_authorised_signatory: bool
    hired_on: dt.date
    left_on: dt.date | None


class StaffPage(Page):
    items: list[StaffOut]


class StandardOut(Schema):
    id: int
    name: str
    jjf1022_code: str
    is_public: bool
    assessment_cert_no: str
    assessment_issued_on: dt.date | None
    assessment_expires_on: dt.date | None
    status: str
    measurement_range: str
    uncertainty: str


class StandardPage(Page):
    items: list[StandardOut]


class PeriodOut(Schema):
    code: str
    label: str
    kind: str
    start: dt.date
    end: dt.date
    stage: str = Field(description="not_open, reporting, review, locked, computed, notice or published")
    stage_label: str
    opens_on: dt.date | None = Field(description="first reporting day")
    deadline: dt.date | None = Field(description="last reporting day (inclusive)")
    framework_version: str | None
    locked_at: dt.datetime | None


class ReportOut(Schema):
    id: int
    period: str
    institution: str
    indicator: str
    value: str | None
    numerator: str | None
    denominator: str | None
    note: str
    status: str
    updated_at: dt.datetime
    version: str = Field(description="Send it back unchanged with an update; a changed record gives 409.")


class ReportPage(Page):
    items: list[ReportOut]


class ReportIn(Strict):
    value: Amount | None = None
    numerator: Amount | None = None
    denominator: Amount | None = None
    note: str = Field("", max_length=2000, pattern=TEXT)
    version: str | None = Field(
        None,
        max_length=64,
        pattern=TEXT,
        description="The `version` last read; required when the report already exists.",
    )


class ReasonIn(Strict):
    reason: str = Field(..., min_length=1, max_length=2000, pattern=r"^[^\x00]*\S[^\x00]*$")


class PublicationOut(Schema):
    period: str
    title: str
    status: str
    notice_started_on: dt.date | None
    notice_ends_on: dt.date | None
    finalised_at: dt.datetime | None
    content_sha256: str


class PublicationDetail(PublicationOut):
    content: dict[str, Any]


class RoundOut(Schema):
    code: str
    name: str
    year: int
    quantity: str
    unit: str
    pilot: str
    status: str
    deadline: dt.datetime
    reference_method: str


class SubmissionOut(Schema):
    lab_code: str
    point: str
    x: float
    U: float
    k: float
    measured_on: dt.date


def _result_out() -> type[Schema]:
    """One laboratory's result at a point: its lab code and point, then every declared result column
    (``RESULT_COLUMNS``: numbers, None where a score does not apply; codes and the verdict as text)."""
    declared: dict[str, Any] = {
        c.name: ((float | None) if c.nullable else float, ...)
        if c.kind in {"value", "uncertainty", "score"}
        else (str, ...)
        for c in RESULT_COLUMNS
    }
    return create_model("ResultOut", __base__=Schema, lab_code=(str, ...), point=(str, ...), **declared)


ResultOut = _result_out()
