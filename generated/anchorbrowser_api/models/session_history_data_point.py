from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SessionHistoryDataPoint")


@_attrs_define
class SessionHistoryDataPoint:
    """
    Attributes:
        date (str | Unset): Date/time period for this data point.
        session_count (float | Unset): Number of sessions created in this period.
        proxy_bytes (float | Unset): Total proxy bytes used in this period.
        ai_steps (float | Unset): Total AI steps taken in this period.
        session_hours (float | Unset): Total session hours in this period (duration/3600).
        credits_used (float | Unset): Total credits used in this period.
        screenshots (float | Unset): Total screenshots taken in this period.
        network_bytes_total (float | Unset): Total network bytes sent and received in this period.
    """

    date: str | Unset = UNSET
    session_count: float | Unset = UNSET
    proxy_bytes: float | Unset = UNSET
    ai_steps: float | Unset = UNSET
    session_hours: float | Unset = UNSET
    credits_used: float | Unset = UNSET
    screenshots: float | Unset = UNSET
    network_bytes_total: float | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        date = self.date

        session_count = self.session_count

        proxy_bytes = self.proxy_bytes

        ai_steps = self.ai_steps

        session_hours = self.session_hours

        credits_used = self.credits_used

        screenshots = self.screenshots

        network_bytes_total = self.network_bytes_total

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if date is not UNSET:
            field_dict["date"] = date
        if session_count is not UNSET:
            field_dict["session_count"] = session_count
        if proxy_bytes is not UNSET:
            field_dict["proxy_bytes"] = proxy_bytes
        if ai_steps is not UNSET:
            field_dict["ai_steps"] = ai_steps
        if session_hours is not UNSET:
            field_dict["session_hours"] = session_hours
        if credits_used is not UNSET:
            field_dict["credits_used"] = credits_used
        if screenshots is not UNSET:
            field_dict["screenshots"] = screenshots
        if network_bytes_total is not UNSET:
            field_dict["network_bytes_total"] = network_bytes_total

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        date = d.pop("date", UNSET)

        session_count = d.pop("session_count", UNSET)

        proxy_bytes = d.pop("proxy_bytes", UNSET)

        ai_steps = d.pop("ai_steps", UNSET)

        session_hours = d.pop("session_hours", UNSET)

        credits_used = d.pop("credits_used", UNSET)

        screenshots = d.pop("screenshots", UNSET)

        network_bytes_total = d.pop("network_bytes_total", UNSET)

        session_history_data_point = cls(
            date=date,
            session_count=session_count,
            proxy_bytes=proxy_bytes,
            ai_steps=ai_steps,
            session_hours=session_hours,
            credits_used=credits_used,
            screenshots=screenshots,
            network_bytes_total=network_bytes_total,
        )

        session_history_data_point.additional_properties = d
        return session_history_data_point

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
