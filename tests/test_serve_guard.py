"""`mopstui serve`'s guard and log lines, in this process: what a request from someone else on the
host gets, and what the starter's terminal shows. (The served screen itself, over a real socket,
is in test_shared_host.py.)"""

import logging
import sys

import pytest
from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage
from aiohttp.test_utils import make_mocked_request

from mopstui.serve import COOKIE, GuardedServer, _OneLine

TOKEN = "s3cret-token"


def server() -> GuardedServer:
    return GuardedServer("true", host="127.0.0.1", port=8123, title="war-room", token=TOKEN, starter="priya")


async def answer(path: str, headers: dict[str, str]) -> tuple[web.StreamResponse, list[str]]:
    """What the guard answers, and which paths it let through to the screen's own handler."""
    reached: list[str] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        reached.append(request.path)
        return web.Response(text="the screen")

    request = make_mocked_request("GET", path, headers=headers)
    return await server()._guard(request, handler), reached


async def test_only_the_link_with_its_token_opens_the_war_room_and_it_leaves_a_strict_cookie():
    response, reached = await answer(f"/?token={TOKEN}", {"Host": "127.0.0.1:8123"})
    assert response.status == 200 and reached == ["/"]
    cookie = response.cookies[COOKIE]
    assert cookie.value == TOKEN and cookie["samesite"] == "Strict" and cookie["httponly"]
    again, reached = await answer("/", {"Host": "localhost:8123", "Cookie": f"{COOKIE}={TOKEN}"})
    assert again.status == 200 and reached == ["/"]


@pytest.mark.parametrize(
    "path, headers, why",
    [
        ("/", {"Host": "127.0.0.1:8123"}, "opens only with the link"),
        ("/?token=guess", {"Host": "127.0.0.1:8123"}, "opens only with the link"),
        (f"/?token={TOKEN}", {"Host": "evil.example:8123"}, "unexpected Host header"),
        (f"/ws?token={TOKEN}", {"Host": "127.0.0.1:8123", "Origin": "http://evil.example"}, "another origin"),
    ],
    ids=["no-token", "wrong-token", "rebound-host", "foreign-origin"],
)
async def test_anything_else_is_refused_in_a_sentence_before_the_screen_sees_it(path, headers, why):
    response, reached = await answer(path, headers)
    assert response.status == 403 and why in response.text and reached == []


def test_a_problem_is_logged_as_one_line_without_the_token():
    try:
        raise BadHttpMessage(f"garbage with {TOKEN}\x1b[2J\nsecond line")
    except BadHttpMessage:
        record = logging.LogRecord("aiohttp.server", logging.ERROR, __file__, 1, f"Error handling request {TOKEN}", (), None)
        record.exc_info = sys.exc_info()
    line = _OneLine(TOKEN).format(record)
    assert line == "mopstui serve: refused a request it could not read … (BadHttpMessage)"
