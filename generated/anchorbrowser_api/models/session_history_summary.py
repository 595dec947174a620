from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SessionHistorySummary")


@_attrs_define
class SessionHistorySummary:
    """
    Attributes:
        total_sessions (float | Unset): Total number of sessions in the time range.
        total_proxy_bytes (float | Unset): Total proxy bytes used in the time range.
        total_ai_steps (float | Unset): Total AI steps taken in the time range.
        total_session_hours (float | Unset): Total session hours in the time range.
        total_credits_used (float | Unset): Total credits used in the time range.
        total_screenshots (float | Unset): Total screenshots taken in the time range.
        total_network_bytes_total (float | Unset): Total network bytes sent and received in the time range.
    """

    total_sessions: float | Unset = UNSET
    total_proxy_bytes: float | Unset = UNSET
    total_ai_steps: float | Unset = UNSET
    total_session_hours: float | Unset = UNSET
    total_credits_used: float | Unset = UNSET
    total_screenshots: float | Unset = UNSET
    total_network_bytes_total: float | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        total_sessions = self.total_sessions

        total_proxy_bytes = self.total_proxy_bytes

        total_ai_steps = self.total_ai_steps

        total_session_hours = self.total_session_hours

        total_credits_used = self.total_credits_used

        total_screenshots = self.total_screenshots

        total_network_bytes_total = self.total_network_bytes_total

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if total_sessions is not UNSET:
            field_dict["total_sessions"] = total_sessions
        if total_proxy_bytes is not UNSET:
            field_dict["total_proxy_bytes"] = total_proxy_bytes
        if total_ai_steps is not UNSET:
            field_dict["total_ai_steps"] = total_ai_steps
        if total_session_hours is not UNSET:
            field_dict["total_session_hours"] = total_session_hours
        if total_credits_used is not UNSET:
            field_dict["total_credits_used"] = total_credits_used
        if total_screenshots is not UNSET:
            field_dict["total_screenshots"] = total_screenshots
        if total_network_bytes_total is not UNSET:
            field_dict["total_network_bytes_total"] = total_network_bytes_total

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        total_sessions = d.pop("total_sessions", UNSET)

        total_proxy_bytes = d.pop("total_proxy_bytes", UNSET)

        total_ai_steps = d.pop("total_ai_steps", UNSET)

        total_session_hours = d.pop("total_session_hours", UNSET)

        total_credits_used = d.pop("total_credits_used", UNSET)

        total_screenshots = d.pop("total_screenshots", UNSET)

        total_network_bytes_total = d.pop("total_network_bytes_total", UNSET)

        session_history_summary = cls(
            total_sessions=total_sessions,
            total_proxy_bytes=total_proxy_bytes,
            total_ai_steps=total_ai_steps,
            total_session_hours=total_session_hours,
            total_credits_used=total_credits_used,
            total_screenshots=total_screenshots,
            total_network_bytes_total=total_network_bytes_total,
        )

        session_history_summary.additional_properties = d
        return session_history_summary

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
