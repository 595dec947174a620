from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.session_history_page_item_used_credits_type_2 import (
    SessionHistoryPageItemUsedCreditsType2,
    check_session_history_page_item_used_credits_type_2,
)
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.session_history_page_item_user_configuration import (
        SessionHistoryPageItemUserConfiguration,
    )


T = TypeVar("T", bound="SessionHistoryPageItem")


@_attrs_define
class SessionHistoryPageItem:
    """A single session record in paginated history listing.

    Attributes:
        id (str): Unique session identifier.
        status (str): Current session status.
        headless (bool): Whether the session ran in headless mode.
        recording (bool): Whether recording was enabled for the session.
        used_credits (float | SessionHistoryPageItemUsedCreditsType2 | str): Credits consumed by the session (number or
            decimal string), or `N/A` while still running.
        created_at (datetime.datetime): Session creation timestamp in UTC ISO 8601 format.
        user_configuration (SessionHistoryPageItemUserConfiguration): Full user configuration payload saved for the
            session.
        task_initiated (bool): Whether the session was initiated by a task execution.
        task_executions_count (float): Number of non-internal task executions associated with this session.
        api_key_name (str): Display name of the API key that created the session.
        browser_ip (None | str): Browser/proxy IP observed for the session.
        tags (list[str] | None | Unset): Tags associated with the session.
        proxy_bytes (float | None | Unset): Proxy bandwidth used in bytes.
        proxy_type (None | str | Unset): Proxy type configured for the session.
        steps (float | None | Unset): Number of AI/browser steps recorded.
        duration (float | None | Unset): Session duration in seconds.
        domains (list[str] | None | Unset): Domains observed during session execution.
    """

    id: str
    status: str
    headless: bool
    recording: bool
    used_credits: float | SessionHistoryPageItemUsedCreditsType2 | str
    created_at: datetime.datetime
    user_configuration: SessionHistoryPageItemUserConfiguration
    task_initiated: bool
    task_executions_count: float
    api_key_name: str
    browser_ip: None | str
    tags: list[str] | None | Unset = UNSET
    proxy_bytes: float | None | Unset = UNSET
    proxy_type: None | str | Unset = UNSET
    steps: float | None | Unset = UNSET
    duration: float | None | Unset = UNSET
    domains: list[str] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        status = self.status

        headless = self.headless

        recording = self.recording

        used_credits: float | str
        if isinstance(self.used_credits, str):
            used_credits = self.used_credits
        else:
            used_credits = self.used_credits

        created_at = self.created_at.isoformat()

        user_configuration = self.user_configuration.to_dict()

        task_initiated = self.task_initiated

        task_executions_count = self.task_executions_count

        api_key_name = self.api_key_name

        browser_ip: None | str
        browser_ip = self.browser_ip

        tags: list[str] | None | Unset
        if isinstance(self.tags, Unset):
            tags = UNSET
        elif isinstance(self.tags, list):
            tags = self.tags

        else:
            tags = self.tags

        proxy_bytes: float | None | Unset
        if isinstance(self.proxy_bytes, Unset):
            proxy_bytes = UNSET
        else:
            proxy_bytes = self.proxy_bytes

        proxy_type: None | str | Unset
        if isinstance(self.proxy_type, Unset):
            proxy_type = UNSET
        else:
            proxy_type = self.proxy_type

        steps: float | None | Unset
        if isinstance(self.steps, Unset):
            steps = UNSET
        else:
            steps = self.steps

        duration: float | None | Unset
        if isinstance(self.duration, Unset):
            duration = UNSET
        else:
            duration = self.duration

        domains: list[str] | None | Unset
        if isinstance(self.domains, Unset):
            domains = UNSET
        elif isinstance(self.domains, list):
            domains = self.domains

        else:
            domains = self.domains

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "headless": headless,
                "recording": recording,
                "used_credits": used_credits,
                "created_at": created_at,
                "user_configuration": user_configuration,
                "task_initiated": task_initiated,
                "task_executions_count": task_executions_count,
                "api_key_name": api_key_name,
                "browser_ip": browser_ip,
            }
        )
        if tags is not UNSET:
            field_dict["tags"] = tags
        if proxy_bytes is not UNSET:
            field_dict["proxy_bytes"] = proxy_bytes
        if proxy_type is not UNSET:
            field_dict["proxy_type"] = proxy_type
        if steps is not UNSET:
            field_dict["steps"] = steps
        if duration is not UNSET:
            field_dict["duration"] = duration
        if domains is not UNSET:
            field_dict["domains"] = domains

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.session_history_page_item_user_configuration import (
            SessionHistoryPageItemUserConfiguration,  # noqa: PLC0415
        )

        d = dict(src_dict)
        id = d.pop("id")

        status = d.pop("status")

        headless = d.pop("headless")

        recording = d.pop("recording")

        def _parse_used_credits(
            data: object,
        ) -> float | SessionHistoryPageItemUsedCreditsType2 | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                used_credits_type_2 = (
                    check_session_history_page_item_used_credits_type_2(data)
                )

                return used_credits_type_2
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(float | SessionHistoryPageItemUsedCreditsType2 | str, data)

        used_credits = _parse_used_credits(d.pop("used_credits"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        user_configuration = SessionHistoryPageItemUserConfiguration.from_dict(
            d.pop("user_configuration")
        )

        task_initiated = d.pop("task_initiated")

        task_executions_count = d.pop("task_executions_count")

        api_key_name = d.pop("api_key_name")

        def _parse_browser_ip(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        browser_ip = _parse_browser_ip(d.pop("browser_ip"))

        def _parse_tags(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tags_type_0 = cast(list[str], data)

                return tags_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        tags = _parse_tags(d.pop("tags", UNSET))

        def _parse_proxy_bytes(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        proxy_bytes = _parse_proxy_bytes(d.pop("proxy_bytes", UNSET))

        def _parse_proxy_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        proxy_type = _parse_proxy_type(d.pop("proxy_type", UNSET))

        def _parse_steps(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        steps = _parse_steps(d.pop("steps", UNSET))

        def _parse_duration(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        duration = _parse_duration(d.pop("duration", UNSET))

        def _parse_domains(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                domains_type_0 = cast(list[str], data)

                return domains_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        domains = _parse_domains(d.pop("domains", UNSET))

        session_history_page_item = cls(
            id=id,
            status=status,
            headless=headless,
            recording=recording,
            used_credits=used_credits,
            created_at=created_at,
            user_configuration=user_configuration,
            task_initiated=task_initiated,
            task_executions_count=task_executions_count,
            api_key_name=api_key_name,
            browser_ip=browser_ip,
            tags=tags,
            proxy_bytes=proxy_bytes,
            proxy_type=proxy_type,
            steps=steps,
            duration=duration,
            domains=domains,
        )

        session_history_page_item.additional_properties = d
        return session_history_page_item

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
