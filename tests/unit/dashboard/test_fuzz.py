"""Every route fuzzed with bad input: ids, dates, huge or malformed parameters, any method and
body, missing CSRF tokens, forged sessions and tokens. Never a 5xx, nothing without a login, and
a database holding two counters' records shows this dashboard only its own counter's."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

import pytest
from dashboard_support import log_in_directly, make_config
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.dashboard import create_app
from kiosk.dashboard.auth import new_token, password_stamp
from kiosk.storage.sample import fill_sample

OWN = "counter-1"
OTHER = "counter-2"
# A TEST-NET address: outside [dashboard] metrics_allow, so /metrics needs a login too.
OUTSIDER = {"REMOTE_ADDR": "192.0.2.7"}

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same examples on every run, so CI is reproducible
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# The two tests that fuzz every route with everything at once get more examples.
BROAD = settings(FUZZ, max_examples=120)

ROUTES = (
    "/login",
    "/logout",
    "/",
    "/shifts",
    "/shifts/{id}",
    "/shifts/{id}.csv",
    "/api/status",
    "/api/shifts",
    "/api/shifts/{id}",
    "/api/interactions",
    "/healthz",
    "/metrics",
    "/static/{id}",
    "/static/vendor/{id}",
    "/{id}",
    "/api/{id}",
)
SHIFT_ROUTES = ("/shifts/{id}", "/shifts/{id}.csv", "/api/shifts/{id}")
# The usual methods and made-up ones (WebDAV's, typos, anything a client may send).
METHODS = st.one_of(
    st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"]),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=12),
)
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
# Ids as a URL may carry them: the databases' own and their neighbours, negative and huge,
# past int()'s 4300-digit limit, other numerals, percent-encoded anything, raw unicode.
IDS = st.one_of(
    st.integers(-2, 12).map(str),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.integers(4290, 6000).map(lambda n: "9" * n),
    st.sampled_from(["1.5", "0x1", "1e3", "+1", "01", "\uff11", "\u00b2", "\u0663", "%00", ".."]),
    TEXT.map(lambda s: quote(s, safe="")),
    # Raw, but not starting "/": the test client reads "//..." as a host name, not a path.
    TEXT.filter(lambda s: "?" not in s and "#" not in s and not s.startswith("/")),
)
DATES = st.one_of(
    st.datetimes(timezones=st.none() | st.timezones()).map(lambda d: d.isoformat()),
    st.dates().map(str),
    st.sampled_from(
        [
            "2026-13-01",
            "2026-02-30T00:00:00Z",
            "0001-01-01T00:00:00+05:00",
            "9999-12-31T23:59:59-05:00",
            "2026-01-01T25:00:00",
            "2026-01-01T08:00:00 01:00",
            "yesterday",
            "",
        ]
    ),
    st.integers(4290, 6000).map(lambda n: "2" * n),
    TEXT,
)
LIMITS = st.one_of(
    st.integers(-10, 5010).map(str),
    st.integers(4290, 6000).map(lambda n: "1" * n),
    st.sampled_from(["", " 5", "5 ", "1e3", "0x10", "\u00b2", "\uff15", "-0", "5.0"]),
    TEXT,
)
QUERIES = st.dictionaries(
    st.one_of(st.sampled_from(["since", "limit", "next", "id"]), TEXT),
    st.one_of(DATES, LIMITS, TEXT, st.just("//evil.example/")),
    max_size=4,
)
BODIES = st.one_of(
    st.none(),
    st.dictionaries(
        st.sampled_from(["csrf_token", "username", "password", "next"]) | TEXT, TEXT, max_size=4
    ),
    st.binary(max_size=200),
    # Past MAX_CONTENT_LENGTH (16 KiB).
    st.integers(16 * 1024 - 2, 16 * 1024 + 2).map(lambda n: b"x" * n),
)
CONTENT_TYPES = st.sampled_from(
    [
        None,
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "application/json",
        "text/plain; charset=nonsense",
    ]
)
# What a real server can deliver in a header: latin-1, no line breaks.
HEADER_TEXT = st.text(
    alphabet=st.characters(max_codepoint=255, exclude_characters="\r\n\x00"), max_size=80
)


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    """Two counters' records in one database, as a site that gathers them has."""
    path = tmp_path_factory.mktemp("fuzz") / "kiosk.db"
    now = datetime.now(UTC)
    fill_sample(path, now=now, counter=OWN)
    fill_sample(path, now=now, counter=OTHER, seed=8)
    return path


@pytest.fixture(scope="module")
def fuzz_app(store, tmp_path_factory):
    return create_app(store, make_config(tmp_path_factory.mktemp("fuzz-config")))


@pytest.fixture(scope="module")
def shift_ids(store) -> dict[str, set[int]]:
    ids = {OWN: {s["id"] for s in store.shifts(OWN)}, OTHER: {s["id"] for s in store.shifts(OTHER)}}
    assert len(ids[OWN]) == len(ids[OTHER]) == 3
    return ids


@pytest.fixture(scope="module")
def token(store) -> str:
    token, digest = new_token()
    store.add_token("ana", digest)
    return token


@pytest.fixture(scope="module")
def real_cookie(fuzz_app, store) -> str:
    client = fuzz_app.test_client()
    log_in_directly(client, store)
    return client.get_cookie("kiosk_session").value


def send(client, method, path, query=None, body=None, content_type=None):
    return client.open(
        path,
        method=method,
        query_string=query,
        data=body,
        content_type=content_type,
        environ_base=OUTSIDER,
    )


def assert_not_a_server_error(response, method, path):
    assert response.status_code < 500, (method, path[:200], response.status_code, response.data)


def assert_api_error_is_one_clear_line(response, path, method="GET"):
    if urlsplit(path).path.startswith("/api/") and 400 <= response.status_code < 500:
        assert response.is_json, (path[:200], response.status_code)
        if method == "HEAD":
            return  # the same headers as a GET, without the body
        message = response.json["error"]
        assert isinstance(message, str) and message.strip() and "\n" not in message
        assert len(message) < 300, message[:300]  # what was sent is repeated, cut short


def assert_redirect_stays_on_this_site(response):
    if 300 <= response.status_code < 400:
        target = urlsplit(response.headers["Location"])
        assert not target.scheme and not target.netloc, response.headers["Location"]
        assert target.path.startswith("/") and not target.path.startswith(("//", "/\\"))


@given(
    route=st.sampled_from(ROUTES),
    segment=IDS,
    method=METHODS,
    query=QUERIES,
    body=BODIES,
    content_type=CONTENT_TYPES,
    with_csrf=st.booleans(),
)
@BROAD
def test_a_logged_in_supervisors_bad_request_is_a_4xx_never_a_5xx(
    fuzz_app, store, route, segment, method, query, body, content_type, with_csrf
):
    client = fuzz_app.test_client()
    log_in_directly(client, store)  # the session's form token is "csrf-ana"
    if with_csrf and isinstance(body, dict):
        body = body | {"csrf_token": "csrf-ana"}  # so that a POST reaches its view
    path = route.format(id=segment)
    response = send(client, method, path, query, body, content_type)
    assert_not_a_server_error(response, method, path)
    assert_api_error_is_one_clear_line(response, path, method)
    assert_redirect_stays_on_this_site(response)
    assert OTHER not in response.get_data(as_text=True), (method, path[:200])


# What a visitor without a login may get: the login form, the health check and static files,
# or a refusal; never a record.
OPEN_PATHS = ("/login", "/healthz", "/static/")
REFUSALS = {302, 400, 401, 403, 404, 405, 413, 429}
# Words that appear only in records: another counter's name, the API's and /metrics' fields.
RECORDS = (OTHER, '"interactions"', "eye_contact_ratio", "kiosk_frames")


def assert_no_data_without_login(response, method, path):
    assert_not_a_server_error(response, method, path)
    status = response.status_code
    if status == 200:
        assert urlsplit(path).path.startswith(OPEN_PATHS), (method, path[:200])
    else:
        assert status in REFUSALS, (method, path[:200], status)
    if status == 302:
        assert urlsplit(response.headers["Location"]).path == "/login"
    elif not path.startswith("/static/"):
        text = response.get_data(as_text=True)
        assert not any(record in text for record in RECORDS), (method, path[:200], text[:200])


@given(
    route=st.sampled_from(ROUTES),
    segment=IDS,
    method=METHODS,
    query=QUERIES,
    body=BODIES,
    content_type=CONTENT_TYPES,
)
@BROAD
def test_a_visitor_without_a_login_gets_no_records_whatever_the_request(
    fuzz_app, route, segment, method, query, body, content_type
):
    path = route.format(id=segment)
    response = send(fuzz_app.test_client(), method, path, query, body, content_type)
    assert_no_data_without_login(response, method, path)


def tamper(secret: str, position: int, replacement: str) -> str:
    """`secret` with one character replaced, never the last: the last base64 character of a
    signature carries padding bits, so some replacements of it decode to the same signature."""
    position %= len(secret) - 1
    return secret[:position] + replacement + secret[position + 1 :]


def signed_elsewhere(key: bytes, session: dict) -> str:
    """`session` signed the way the app signs its own, with another key."""
    forger = Flask(__name__)
    forger.secret_key = key
    return SecureCookieSessionInterface().get_signing_serializer(forger).dumps(session)


@given(
    route=st.sampled_from(ROUTES),
    segment=st.integers(1, 6).map(str),
    how=st.sampled_from(["tampered", "text", "other key"]),
    position=st.integers(0, 10_000),
    replacement=st.sampled_from("AZaz09-_.=\"' ;,"),
    text=HEADER_TEXT.filter(lambda s: s.strip()),
    key=st.binary(min_size=1, max_size=64),
)
@FUZZ
def test_a_forged_or_tampered_session_cookie_is_no_login(
    fuzz_app, store, real_cookie, route, segment, how, position, replacement, text, key
):
    if how == "tampered":
        cookie = tamper(real_cookie, position, replacement)
        if cookie == real_cookie:  # the replacement was the character already there
            return
    elif how == "text":
        cookie = text
    else:  # a well-formed login for "ana", signed without this dashboard's key
        login = {
            "user": "ana",
            "stamp": password_stamp(store.user_password_hash("ana")),
            "login_at": time.time(),
            "csrf_token": "csrf-ana",
        }
        cookie = signed_elsewhere(key, login)
    client = fuzz_app.test_client()
    client.set_cookie("kiosk_session", cookie)
    path = route.format(id=segment)
    assert_no_data_without_login(client.get(path, environ_base=OUTSIDER), "GET", path)


@given(
    route=st.sampled_from(ROUTES),
    segment=st.integers(1, 6).map(str),
    scheme=st.sampled_from(["Bearer", "bearer", "BEARER", "Basic", "Token", ""]),
    forged=HEADER_TEXT,
    tamper_real=st.booleans(),
    position=st.integers(0, 1000),
)
@FUZZ
def test_a_forged_bearer_token_is_refused(
    fuzz_app, token, route, segment, scheme, forged, tamper_real, position
):
    value = tamper(token, position, "!") if tamper_real else forged
    path = route.format(id=segment)
    response = fuzz_app.test_client().get(
        path, headers={"Authorization": f"{scheme} {value}"}, environ_base=OUTSIDER
    )
    assert_no_data_without_login(response, "GET", path)
    if (
        scheme.lower() == "bearer"
        and value.strip()
        and not urlsplit(path).path.startswith(OPEN_PATHS)
    ):
        assert response.status_code == 401


@given(
    path=st.sampled_from(["/login", "/logout", "/", "/api/status", "/api/shifts/1"]),
    sent=st.one_of(st.none(), TEXT, st.just("csrf-ana ")),
    via=st.sampled_from(["form", "query", "json"]),
)
@FUZZ
def test_a_post_without_the_sessions_csrf_token_is_a_400_and_changes_nothing(
    fuzz_app, store, path, sent, via
):
    client = fuzz_app.test_client()
    log_in_directly(client, store)  # the session's token is "csrf-ana"
    fields = {"username": "ana", "password": "x"} | ({} if sent is None else {"csrf_token": sent})
    where = {"form": {"data": fields}, "query": {"query_string": fields}, "json": {"json": fields}}
    response = client.post(path, environ_base=OUTSIDER, **where[via])
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert client.get("/api/status", environ_base=OUTSIDER).status_code == 200  # still logged in


@given(
    route=st.sampled_from(ROUTES),
    segment=IDS,
    fields=st.fixed_dictionaries(
        {},
        optional={"username": st.just("ana") | TEXT, "password": TEXT, "next": TEXT | IDS},
    ),
)
@FUZZ
def test_a_post_with_the_sessions_token_reaches_its_route_and_is_still_never_a_5xx(
    fuzz_app, store, route, segment, fields
):
    client = fuzz_app.test_client()
    log_in_directly(client, store)
    path = route.format(id=segment)
    form = fields | {"csrf_token": "csrf-ana"}
    response = client.post(path, data=form, environ_base=OUTSIDER)
    assert_not_a_server_error(response, "POST", path)
    assert response.status_code != 400 or "security token" not in response.text
    assert_api_error_is_one_clear_line(response, path)
    assert_redirect_stays_on_this_site(response)


@given(target=st.one_of(TEXT, IDS, st.sampled_from(["//evil.example/", "/\\evil", "https://x/"])))
@FUZZ
def test_the_login_pages_next_never_leads_off_this_site(fuzz_app, store, target):
    client = fuzz_app.test_client()
    log_in_directly(client, store)
    response = client.get("/login", query_string={"next": target}, environ_base=OUTSIDER)
    assert response.status_code == 302
    assert_redirect_stays_on_this_site(response)


@pytest.mark.parametrize("route", SHIFT_ROUTES)
def test_another_counters_shift_is_a_404_and_this_counters_own_opens(
    fuzz_app, store, token, shift_ids, route
):
    session = fuzz_app.test_client()
    log_in_directly(session, store)
    bearer = fuzz_app.test_client()
    for client, headers in ((session, {}), (bearer, {"Authorization": f"Bearer {token}"})):
        for shift_id in sorted(shift_ids[OTHER]):
            response = client.get(route.format(id=shift_id), headers=headers)
            assert response.status_code == 404, (route, shift_id)
            assert OTHER not in response.get_data(as_text=True)
        for shift_id in sorted(shift_ids[OWN]):
            response = client.get(route.format(id=shift_id), headers=headers)
            assert response.status_code == 200, (route, shift_id)
            assert OTHER not in response.get_data(as_text=True)


@given(
    route=st.sampled_from(SHIFT_ROUTES),
    stored=st.booleans(),
    stored_id=st.integers(1, 6),  # both counters' shifts
    segment=IDS,
)
@FUZZ
def test_any_shift_id_opens_only_a_shift_of_this_counter(
    fuzz_app, store, shift_ids, route, stored, stored_id, segment
):
    client = fuzz_app.test_client()
    log_in_directly(client, store)
    if stored:
        segment = str(stored_id)
    path = route.format(id=segment)
    response = client.get(path, environ_base=OUTSIDER)
    assert_not_a_server_error(response, "GET", path)
    if segment in {str(shift_id) for shift_id in shift_ids[OTHER]}:
        assert response.status_code == 404
    if response.status_code == 200:
        assert OTHER not in response.get_data(as_text=True)
        if route.startswith("/api/"):
            assert response.json["shift"]["counter"] == OWN
            assert response.json["shift"]["id"] in shift_ids[OWN]


@given(since=DATES, limit=st.one_of(st.none(), LIMITS))
@FUZZ
def test_interactions_are_this_counters_since_the_time_asked_and_at_most_the_limit(
    fuzz_app, store, since, limit
):
    client = fuzz_app.test_client()
    log_in_directly(client, store)
    query = {"since": since} | ({} if limit is None else {"limit": limit})
    response = client.get("/api/interactions", query_string=query, environ_base=OUTSIDER)
    assert response.status_code in (200, 400), response.data
    assert_api_error_is_one_clear_line(response, "/api/interactions")
    if response.status_code == 200:
        body = response.json
        rows = body["interactions"]
        assert len(rows) <= (500 if limit is None else int(limit.lstrip("0")))
        assert {row["counter"] for row in rows} <= {OWN}
        assert all(row["start"] >= body["since"] for row in rows)


def test_the_status_shifts_and_metrics_are_this_counters_only(fuzz_app, store):
    client = fuzz_app.test_client()
    log_in_directly(client, store)
    for path in ("/api/status", "/api/shifts", "/", "/shifts", "/metrics"):
        response = client.get(path, environ_base=OUTSIDER)
        assert response.status_code == 200, path
        assert OTHER not in response.get_data(as_text=True), path
    assert {s["counter"] for s in client.get("/api/shifts").json["shifts"]} == {OWN}


ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    HEADER_TEXT,
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@given(
    route=st.sampled_from(ROUTES),
    user=ODD_VALUES,
    login_at=ODD_VALUES,
    stamp=ODD_VALUES,
)
@FUZZ
def test_a_session_signed_with_the_real_key_but_odd_values_is_no_login(
    fuzz_app, route, user, login_at, stamp
):
    """A cookie that passes the signature (a leaked key, an old version's) but holds values
    of other types than the app writes: no login and never a 500."""
    cookie = signed_elsewhere(
        fuzz_app.secret_key, {"user": user, "login_at": login_at, "stamp": stamp}
    )
    client = fuzz_app.test_client()
    client.set_cookie("kiosk_session", cookie)
    path = route.format(id=1)
    assert_no_data_without_login(client.get(path, environ_base=OUTSIDER), "GET", path)
