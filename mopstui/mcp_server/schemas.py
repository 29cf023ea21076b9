"""The shapes of what each tool returns: published to the client as JSON schemas (MCP structured
output), and every result is checked against its shape before it leaves."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Clock(BaseModel):
    name: str = Field(description="'update due', or a customer-patience threshold such as 'abandon 5m'")
    kind: str = Field(description="threshold or update")
    limit_seconds: int
    elapsed_seconds: int
    remaining_seconds: int = Field(description="negative once crossed")
    crossed: bool
    due_at: str = Field(description="when it is (or was) crossed, ISO 8601 UTC")
    says: str = Field(description="what the screen shows, e.g. '12m left' or 'OVERDUE 3:05'")


class IncidentFacts(BaseModel):
    id: int
    label: str
    title: str
    summary: str
    severity: str
    status: str
    started_at: str
    resolved_at: str | None
    elapsed_seconds: int
    declared_by: str
    roles: dict[str, str]
    services: list[str]
    clocks: list[Clock]
    update_due_at: str | None = Field(description="when the next customer update is due (None once resolved)")
    last_entry_id: int = Field(description="pass as `since` to read or wait for only what is new")


class ActiveIncidents(BaseModel):
    incidents: list[IncidentFacts]


class Entry(BaseModel):
    id: int
    incident: str | None
    occurred_at: str
    recorded_at: str
    author: str
    account: str | None = Field(description="the OS account, where it differs from the author's chosen name")
    kind: str = Field(description="note, action, decision, comms, customer, action_item, lesson, evidence, status, ...")
    text: str
    ref: int | None
    backdated: bool
    kind_now: str = Field(description="the kind as last corrected by a person (the written kind when never corrected)")
    starred: bool
    corrected_by: list[int]
    withdrawn_by: int | None = Field(description="the entry that withdrew it: a withdrawn entry no longer counts")


class IncidentHeader(BaseModel):
    id: int
    label: str
    title: str
    severity: str
    status: str


class Timeline(BaseModel):
    incident: IncidentHeader
    entries: list[Entry]
    earlier_left_out: int
    last_entry_id: int


class VendorState(BaseModel):
    id: str
    name: str
    kind: str
    state: str = Field(description="as the room rules it: the page's word, or the room's override")
    page_state: str | None = Field(description="the page's own word where the room overruled it")
    override: str | None
    cannot_see: bool = Field(description="true when we do not know its state now (not fetched, or the last answer is old)")
    why: str | None
    checked_at: str | None
    last_good_at: str | None
    components_in_trouble: list[dict[str, str]]
    open_vendor_incidents: list[str]


class Override(BaseModel):
    vendor: str
    component: str | None
    verdict: str
    reason: str
    until: str
    author: str
    set_at: str
    lapsed: bool


class Vendors(BaseModel):
    vendors: list[VendorState]
    overrides: list[Override]


class TouchpointState(BaseModel):
    name: str
    state: str
    via: str


class ServiceRow(BaseModel):
    id: str
    name: str
    owner: str
    tier: int
    touchpoint: str
    vendor: str | None
    health: str
    reason: str


class Catalog(BaseModel):
    touchpoints: list[TouchpointState]
    services: list[ServiceRow]


class ServiceDetail(BaseModel):
    id: str
    name: str
    health: str
    reason: str
    depends_on: list[str] = Field(description="what it needs directly")
    depends_on_all: list[str] = Field(description="what it needs, directly or not")
    needed_by: list[str] = Field(description="services that need it, directly or not")
    facts: dict[str, str]


class Impact(BaseModel):
    vendor: str
    component: str | None
    direct: list[str]
    at_risk: list[str]
    touchpoints: list[str]


class FollowUp(BaseModel):
    incident: int
    entry: int
    text: str
    author: str
    created_at: str
    owner: str | None
    due: str | None
    state: str
    overdue: bool
    changed_by: str | None
    changed_at: str | None


class FollowUps(BaseModel):
    followups: list[FollowUp]


class Draft(BaseModel):
    incident: str
    template: str
    text: str
    posted: bool = Field(description="always false: a draft is never posted or logged")
    note: str


class Added(BaseModel):
    entry: Entry
    incident: str


class NewEntries(BaseModel):
    entries: list[Entry]
    timed_out: bool
    last_entry_id: int = Field(description="pass as `since` next time")


def shape(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """`data` as its published shape (refused loudly here, not by the client, if it drifts)."""
    return model.model_validate(data).model_dump(mode="json")
