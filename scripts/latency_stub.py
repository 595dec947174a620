"""A history API that only waits: every answer is made once and cached, then served
after ``--latency-ms``, so a benchmark against it measures the client (the
sandbox spends about a round trip of CPU on a 1000-point page).

    python scripts/latency_stub.py --latency-ms 20     # prints BASE_URL=http://127.0.0.1:PORT

Answers GET /v1/sessions/history for any window by hour or day: a point per
period with every metric asked for, a summary that adds up, and pagination.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

STEP = {"hour": timedelta(hours=1), "day": timedelta(days=1)}


@lru_cache(maxsize=4096)
def answer(query: str) -> bytes:
    params = parse_qs(query)
    start = datetime.fromisoformat(params["from_date"][0]).astimezone(UTC)
    end = datetime.fromisoformat(params["to_date"][0]).astimezone(UTC)
    step = STEP[params.get("granularity", ["day"])[0]]
    metrics = params.get("metrics", ["session_count"])
    page, limit = int(params.get("page", ["1"])[0]), int(params.get("limit", ["100"])[0])
    total = max(0, -(-int((end - start) / timedelta(seconds=1)) // int(step.total_seconds())))
    pages = max(1, -(-total // limit))
    points = []
    for i in range((page - 1) * limit, min(total, page * limit)):
        moment = start + i * step
        point = {"date": moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")}
        for n, metric in enumerate(metrics):
            point[metric] = (i % 7) + n if metric != "session_hours" else ((i % 7) + n) / 4
        points.append(point)
    summary = {
        ("total_sessions" if m == "session_count" else f"total_{m}"): sum(
            ((i % 7) + n) if m != "session_hours" else ((i % 7) + n) / 4 for i in range(total)
        )
        for n, m in enumerate(metrics)
    }
    return json.dumps(
        {
            "data": points,
            "summary": summary,
            "pagination": {
                "current_page": page,
                "total_pages": pages,
                "total_records": total,
                "has_next": page < pages,
                "has_prev": page > 1,
            },
        }
    ).encode()


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            target = head.split(b" ", 2)[1].decode()
            body = answer(urlsplit(target).query)
            await asyncio.sleep(delay)
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(latency_ms: float) -> None:
    server = await asyncio.start_server(lambda r, w: serve(r, w, latency_ms / 1000), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f"BASE_URL=http://127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    asyncio.run(main(parser.parse_args().latency_ms))
