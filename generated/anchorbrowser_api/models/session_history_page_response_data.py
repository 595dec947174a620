from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.session_history_page_item import SessionHistoryPageItem


T = TypeVar("T", bound="SessionHistoryPageResponseData")


@_attrs_define
class SessionHistoryPageResponseData:
    """
    Attributes:
        sessions (list[SessionHistoryPageItem]): Session records in the current page.
        total (float): Total number of matching sessions.
        page (float): Current page number.
        total_pages (float): Total number of pages.
    """

    sessions: list[SessionHistoryPageItem]
    total: float
    page: float
    total_pages: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sessions = []
        for sessions_item_data in self.sessions:
            sessions_item = sessions_item_data.to_dict()
            sessions.append(sessions_item)

        total = self.total

        page = self.page

        total_pages = self.total_pages

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "sessions": sessions,
                "total": total,
                "page": page,
                "total_pages": total_pages,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.session_history_page_item import SessionHistoryPageItem  # noqa: PLC0415

        d = dict(src_dict)
        sessions = []
        _sessions = d.pop("sessions")
        for sessions_item_data in _sessions:
            sessions_item = SessionHistoryPageItem.from_dict(sessions_item_data)

            sessions.append(sessions_item)

        total = d.pop("total")

        page = d.pop("page")

        total_pages = d.pop("total_pages")

        session_history_page_response_data = cls(
            sessions=sessions,
            total=total,
            page=page,
            total_pages=total_pages,
        )

        session_history_page_response_data.additional_properties = d
        return session_history_page_response_data

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
