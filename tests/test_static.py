"""Tests for the static route, ``send_file`` and ``send_from_directory``."""

from __future__ import annotations

import io
import os
import typing as t
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.http import http_date, parse_date

from microflask import Blueprint, Microflask, send_file, send_from_directory
from microflask.wrappers import Response

CONTENT = bytes(range(256)) * 4  # 1024 bytes, every byte value present
SECRET = b"top secret, outside the static folder"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """Make ``static/`` with files, and a secret next to (outside) it."""
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "data.bin").write_bytes(CONTENT)
    (static / "hello.txt").write_text("hello static\n")
    (static / "css" / "site.css").write_text("body { color: red }\n")
    (static / "index.html").write_text("<h1>index</h1>")
    (tmp_path / "secret.txt").write_bytes(SECRET)
    return tmp_path


@pytest.fixture
def static_app(files: Path) -> Microflask:
    app = Microflask(__name__, static_folder=str(files / "static"))
    app.config["TESTING"] = True
    return app


# --- the static route ------------------------------------------------------------


def test_static_route_serves_a_file(static_app: Microflask) -> None:
    response = static_app.test_client().get("/static/hello.txt")
    assert response.status_code == 200
    assert response.data == b"hello static\n"
    assert response.mimetype == "text/plain"
    assert response.content_length == len(b"hello static\n")
    response.close()


def test_static_route_serves_nested_files(static_app: Microflask) -> None:
    response = static_app.test_client().get("/static/css/site.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert response.data == b"body { color: red }\n"
    response.close()


def test_static_missing_file_is_404(static_app: Microflask) -> None:
    assert static_app.test_client().get("/static/missing.txt").status_code == 404


def test_static_directory_is_404(static_app: Microflask) -> None:
    assert static_app.test_client().get("/static/css").status_code == 404


def test_static_endpoint_and_url_for(static_app: Microflask) -> None:
    assert static_app.url_map.is_endpoint_expecting("static", "filename")
    with static_app.test_request_context():
        from microflask import url_for

        assert url_for("static", filename="css/site.css") == "/static/css/site.css"


def test_static_url_path_defaults_to_folder_name(files: Path) -> None:
    (files / "assets").mkdir()
    (files / "assets" / "a.txt").write_text("asset")
    app = Microflask(__name__, static_folder=str(files / "assets"))
    assert app.static_url_path == "/assets"
    response = app.test_client().get("/assets/a.txt")
    assert response.data == b"asset"
    response.close()


@pytest.mark.parametrize("url_path", ["/files", "/files/", "/deep/files"])
def test_static_url_path_can_be_set(files: Path, url_path: str) -> None:
    app = Microflask(__name__, static_folder=str(files / "static"), static_url_path=url_path)
    client = app.test_client()
    response = client.get(f"{url_path.rstrip('/')}/hello.txt")
    assert response.data == b"hello static\n"
    response.close()
    assert client.get("/static/hello.txt").status_code == 404


def test_empty_static_url_path_serves_from_the_root(files: Path) -> None:
    app = Microflask(__name__, static_folder=str(files / "static"), static_url_path="")
    response = app.test_client().get("/hello.txt")
    assert response.data == b"hello static\n"
    response.close()


def test_static_folder_relative_to_root_path(files: Path) -> None:
    app = Microflask(__name__, root_path=str(files), static_folder="static")
    assert app.static_folder == str(files / "static")
    response = app.test_client().get("/static/hello.txt")
    assert response.data == b"hello static\n"
    response.close()


def test_no_static_folder_means_no_static_route() -> None:
    app = Microflask(__name__, static_folder=None)
    assert "static" not in app.view_functions
    assert not app.has_static_folder
    assert app.test_client().get("/static/hello.txt").status_code == 404
    with app.test_request_context(), pytest.raises(RuntimeError, match="static_folder"):
        app.send_static_file("hello.txt")


def test_static_host_with_host_matching(files: Path) -> None:
    app = Microflask(
        __name__,
        host_matching=True,
        static_host="cdn.example.com",
        static_folder=str(files / "static"),
    )
    client = app.test_client()
    response = client.get("/static/hello.txt", base_url="http://cdn.example.com")
    assert response.data == b"hello static\n"
    response.close()
    other = client.get("/static/hello.txt", base_url="http://www.example.com")
    assert other.status_code == 404
    with app.test_request_context(base_url="http://www.example.com"):
        from microflask import url_for

        assert url_for("static", filename="hello.txt") == (
            "http://cdn.example.com/static/hello.txt"
        )


@pytest.mark.parametrize(
    ("host_matching", "static_host"), [(True, None), (False, "cdn.example.com")]
)
def test_static_host_needs_host_matching(
    files: Path, host_matching: bool, static_host: str | None
) -> None:
    with pytest.raises(AssertionError, match="static_host"):
        Microflask(
            __name__,
            host_matching=host_matching,
            static_host=static_host,
            static_folder=str(files / "static"),
        )


def test_host_matching_without_static_folder_needs_no_static_host() -> None:
    app = Microflask(__name__, host_matching=True, static_folder=None)
    assert "static" not in app.view_functions


def test_send_static_file_directly(static_app: Microflask) -> None:
    with static_app.test_request_context():
        response = static_app.send_static_file("hello.txt")
        assert response.status_code == 200
        response.direct_passthrough = False
        assert response.data == b"hello static\n"
        response.close()


# --- blueprint static folders ----------------------------------------------------


def _admin_blueprint(files: Path, **options: t.Any) -> Blueprint:
    (files / "admin_static").mkdir(exist_ok=True)
    (files / "admin_static" / "admin.js").write_text("let admin = 1;\n")
    return Blueprint("admin", __name__, static_folder=str(files / "admin_static"), **options)


def test_blueprint_static_folder(static_app: Microflask, files: Path) -> None:
    bp = _admin_blueprint(files, static_url_path="/assets")
    static_app.register_blueprint(bp, url_prefix="/admin")
    client = static_app.test_client()
    response = client.get("/admin/assets/admin.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.data == b"let admin = 1;\n"
    response.close()
    with static_app.test_request_context():
        from microflask import url_for

        assert url_for("admin.static", filename="admin.js") == "/admin/assets/admin.js"


def test_blueprint_static_does_not_shadow_app_static(static_app: Microflask, files: Path) -> None:
    static_app.register_blueprint(_admin_blueprint(files), url_prefix="/admin")
    client = static_app.test_client()
    response = client.get("/static/hello.txt")
    assert response.data == b"hello static\n"
    response.close()
    assert client.get("/admin/admin_static/hello.txt").status_code == 404


def test_blueprint_static_uses_app_max_age(static_app: Microflask, files: Path) -> None:
    static_app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 30
    static_app.register_blueprint(_admin_blueprint(files, static_url_path="/s"))
    response = static_app.test_client().get("/s/admin.js")
    assert response.cache_control.max_age == 30
    response.close()


# --- caching ---------------------------------------------------------------------


def test_send_file_max_age_default_is_no_cache(static_app: Microflask) -> None:
    response = static_app.test_client().get("/static/hello.txt")
    assert response.cache_control.no_cache
    assert response.cache_control.max_age is None
    assert not response.cache_control.public
    response.close()


@pytest.mark.parametrize("value", [3600, timedelta(hours=1)])
def test_send_file_max_age_default_config(static_app: Microflask, value: int | timedelta) -> None:
    static_app.config["SEND_FILE_MAX_AGE_DEFAULT"] = value
    response = static_app.test_client().get("/static/hello.txt")
    assert response.cache_control.max_age == 3600
    assert response.cache_control.public
    assert not response.cache_control.no_cache
    assert response.expires is not None
    response.close()


@pytest.mark.parametrize(
    ("value", "expected"), [(None, None), (60, 60), (timedelta(minutes=1), 60), (30.5, 30.5)]
)
def test_get_send_file_max_age_returns_the_config_value_as_flask_does(
    static_app: Microflask, value: object, expected: object
) -> None:
    static_app.config["SEND_FILE_MAX_AGE_DEFAULT"] = value
    with static_app.app_context():
        assert static_app.get_send_file_max_age("hello.txt") == expected


def test_get_send_file_max_age_can_be_overridden(files: Path) -> None:
    class App(Microflask):
        def get_send_file_max_age(self, filename: str | None) -> int | None:
            return 10 if filename and filename.endswith(".css") else 0

    app = App(__name__, static_folder=str(files / "static"))
    client = app.test_client()
    css = client.get("/static/css/site.css")
    txt = client.get("/static/hello.txt")
    assert css.cache_control.max_age == 10
    assert txt.cache_control.max_age == 0
    css.close()
    txt.close()


# --- conditional and range requests ----------------------------------------------


def test_static_sets_etag_and_last_modified(static_app: Microflask, files: Path) -> None:
    response = static_app.test_client().get("/static/hello.txt")
    assert response.get_etag()[0]
    mtime = os.stat(files / "static" / "hello.txt").st_mtime
    assert response.last_modified == datetime.fromtimestamp(int(mtime), timezone.utc)
    assert response.headers["Accept-Ranges"] == "bytes"
    response.close()


def test_if_none_match_gives_304(static_app: Microflask) -> None:
    client = static_app.test_client()
    first = client.get("/static/hello.txt")
    etag = first.headers["ETag"]
    first.close()
    second = client.get("/static/hello.txt", headers={"If-None-Match": etag})
    assert second.status_code == 304
    assert second.data == b""
    assert second.headers["ETag"] == etag
    second.close()


def test_if_modified_since_gives_304(static_app: Microflask, files: Path) -> None:
    mtime = os.stat(files / "static" / "hello.txt").st_mtime
    response = static_app.test_client().get(
        "/static/hello.txt", headers={"If-Modified-Since": http_date(mtime + 1)}
    )
    assert response.status_code == 304
    assert response.data == b""
    response.close()


def test_if_modified_since_before_change_gives_200(static_app: Microflask, files: Path) -> None:
    mtime = os.stat(files / "static" / "hello.txt").st_mtime
    response = static_app.test_client().get(
        "/static/hello.txt", headers={"If-Modified-Since": http_date(mtime - 3600)}
    )
    assert response.status_code == 200
    assert response.data == b"hello static\n"
    response.close()


def test_stale_etag_gives_200(static_app: Microflask) -> None:
    response = static_app.test_client().get(
        "/static/hello.txt", headers={"If-None-Match": '"not-the-etag"'}
    )
    assert response.status_code == 200
    response.close()


@pytest.mark.parametrize(
    ("header", "start", "stop"),
    [
        ("bytes=0-0", 0, 1),
        ("bytes=10-19", 10, 20),
        ("bytes=1000-", 1000, 1024),
        ("bytes=-24", 1000, 1024),
        ("bytes=1000-5000", 1000, 1024),
        ("bytes=100-611", 100, 612),
    ],
)
def test_range_gives_206_byte_for_byte(
    static_app: Microflask, header: str, start: int, stop: int
) -> None:
    response = static_app.test_client().get("/static/data.bin", headers={"Range": header})
    assert response.status_code == 206
    assert response.data == CONTENT[start:stop]
    assert response.content_length == stop - start
    assert response.headers["Content-Range"] == f"bytes {start}-{stop - 1}/1024"
    response.close()


def test_unsatisfiable_range_gives_416(static_app: Microflask) -> None:
    response = static_app.test_client().get(
        "/static/data.bin", headers={"Range": "bytes=2000-3000"}
    )
    assert response.status_code == 416
    assert response.headers["Content-Range"] == "bytes */1024"


def test_if_range_with_stale_etag_sends_whole_file(static_app: Microflask) -> None:
    response = static_app.test_client().get(
        "/static/data.bin", headers={"Range": "bytes=0-9", "If-Range": '"stale"'}
    )
    assert response.status_code == 200
    assert response.data == CONTENT
    response.close()


# --- send_file -------------------------------------------------------------------


def _body(response: Response) -> bytes:
    response.direct_passthrough = False
    data = response.get_data()
    response.close()
    return data


def test_send_file_with_a_path(static_app: Microflask, files: Path) -> None:
    with static_app.test_request_context():
        response = send_file(files / "static" / "hello.txt")
        assert response.mimetype == "text/plain"
        assert response.headers["Content-Disposition"] == "inline; filename=hello.txt"
        assert _body(response) == b"hello static\n"


def test_send_file_relative_path_uses_root_path(files: Path) -> None:
    app = Microflask(__name__, root_path=str(files))
    with app.test_request_context():
        assert _body(send_file("secret.txt")) == SECRET


def test_send_file_with_a_file_object(static_app: Microflask, files: Path) -> None:
    with static_app.test_request_context():
        with open(files / "static" / "data.bin", "rb") as f:
            response = send_file(f, mimetype="application/octet-stream")
            assert "Content-Disposition" not in response.headers
            assert _body(response) == CONTENT


def test_send_file_with_bytes_io(static_app: Microflask) -> None:
    with static_app.test_request_context():
        response = send_file(io.BytesIO(b"in memory"), download_name="memory.txt")
        assert response.mimetype == "text/plain"
        assert response.content_length == 9
        assert _body(response) == b"in memory"


def test_send_file_object_without_name_or_mimetype_raises(static_app: Microflask) -> None:
    with static_app.test_request_context(), pytest.raises(TypeError, match="MIME type"):
        send_file(io.BytesIO(b"x"))


def test_send_file_text_file_object_raises(static_app: Microflask) -> None:
    with static_app.test_request_context(), pytest.raises(ValueError, match="binary mode"):
        send_file(io.StringIO("x"), mimetype="text/plain")  # type: ignore[arg-type]


def test_send_file_mimetype_is_used(static_app: Microflask, files: Path) -> None:
    with static_app.test_request_context():
        response = send_file(files / "static" / "hello.txt", mimetype="text/x-custom")
        assert response.mimetype == "text/x-custom"
        response.close()


def test_send_file_as_attachment(static_app: Microflask, files: Path) -> None:
    with static_app.test_request_context():
        response = send_file(files / "static" / "hello.txt", as_attachment=True)
        assert response.headers["Content-Disposition"] == ("attachment; filename=hello.txt")
        response.close()


def test_send_file_download_name(static_app: Microflask, files: Path) -> None:
    with static_app.test_request_context():
        response = send_file(
            files / "static" / "hello.txt",
            as_attachment=True,
            download_name="report.csv",
        )
        assert response.mimetype == "text/csv"
        assert response.headers["Content-Disposition"] == ("attachment; filename=report.csv")
        response.close()


def test_send_file_unicode_download_name(static_app: Microflask) -> None:
    with static_app.test_request_context():
        response = send_file(
            io.BytesIO(b"x"), as_attachment=True, download_name="Ünïcode résumé.txt"
        )
        disposition = response.headers["Content-Disposition"]
        assert 'filename="Unicode resume.txt"' in disposition
        assert "filename*=UTF-8''%C3%9Cn%C3%AFcode%20r%C3%A9sum%C3%A9.txt" in disposition
        response.close()


def test_send_file_attachment_without_name_raises(static_app: Microflask) -> None:
    with static_app.test_request_context(), pytest.raises(TypeError, match="attachment"):
        send_file(io.BytesIO(b"x"), mimetype="text/plain", as_attachment=True)


def test_send_file_etag_string(static_app: Microflask, files: Path) -> None:
    with static_app.test_request_context():
        response = send_file(files / "static" / "hello.txt", etag="v1")
        assert response.get_etag() == ("v1", False)
        response.close()


def test_send_file_etag_off(static_app: Microflask, files: Path) -> None:
    with static_app.test_request_context():
        response = send_file(files / "static" / "hello.txt", etag=False)
        assert "ETag" not in response.headers
        response.close()


def test_send_file_object_has_no_automatic_etag(static_app: Microflask) -> None:
    with static_app.test_request_context():
        response = send_file(io.BytesIO(b"x"), mimetype="text/plain")
        assert "ETag" not in response.headers
        response.close()


def test_send_file_last_modified(static_app: Microflask, files: Path) -> None:
    when = datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    with static_app.test_request_context():
        response = send_file(files / "static" / "hello.txt", last_modified=when)
        assert response.last_modified == when
        response.close()
        response = send_file(io.BytesIO(b"x"), mimetype="text/plain", last_modified=0)
        assert response.last_modified == datetime(1970, 1, 1, tzinfo=timezone.utc)
        response.close()


def test_send_file_max_age_argument(static_app: Microflask, files: Path) -> None:
    static_app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 100
    with static_app.test_request_context():
        response = send_file(files / "static" / "hello.txt", max_age=5)
        assert response.cache_control.max_age == 5
        response.close()
        response = send_file(files / "static" / "hello.txt")
        assert response.cache_control.max_age == 100
        response.close()


def test_send_file_conditional_304(static_app: Microflask, files: Path) -> None:
    path = files / "static" / "hello.txt"
    with static_app.test_request_context():
        response = send_file(path)
        etag = response.headers["ETag"]
        response.close()
    with static_app.test_request_context(headers={"If-None-Match": etag}):
        response = send_file(path)
        assert response.status_code == 304
        response.close()


def test_send_file_conditional_off_ignores_request_headers(
    static_app: Microflask, files: Path
) -> None:
    path = files / "static" / "data.bin"
    with static_app.test_request_context(headers={"Range": "bytes=0-9"}):
        response = send_file(path, conditional=False)
        assert response.status_code == 200
        assert _body(response) == CONTENT


def test_send_file_range_on_bytes_io(static_app: Microflask) -> None:
    with static_app.test_request_context(headers={"Range": "bytes=5-9"}):
        response = send_file(io.BytesIO(CONTENT), mimetype="application/octet-stream")
        assert response.status_code == 206
        assert _body(response) == CONTENT[5:10]


def test_send_file_in_a_view_with_range(static_app: Microflask, files: Path) -> None:
    @static_app.route("/download")
    def download() -> Response:
        return send_file(files / "static" / "data.bin", as_attachment=True)

    response = static_app.test_client().get("/download", headers={"Range": "bytes=256-511"})
    assert response.status_code == 206
    assert response.data == CONTENT[256:512]
    assert response.headers["Content-Disposition"] == "attachment; filename=data.bin"
    response.close()


def test_send_file_uses_the_app_response_class(files: Path) -> None:
    class CustomResponse(Response):
        pass

    class App(Microflask):
        response_class = CustomResponse

    app = App(__name__)
    with app.test_request_context():
        response = send_file(files / "secret.txt")
        assert isinstance(response, CustomResponse)
        response.close()


def test_use_x_sendfile(static_app: Microflask, files: Path) -> None:
    static_app.config["USE_X_SENDFILE"] = True
    path = files / "static" / "hello.txt"
    response = static_app.test_client().get("/static/hello.txt")
    assert response.headers["X-Sendfile"] == str(path)
    assert response.data == b""
    assert response.mimetype == "text/plain"


def test_use_x_sendfile_not_used_for_file_objects(static_app: Microflask) -> None:
    static_app.config["USE_X_SENDFILE"] = True
    with static_app.test_request_context():
        response = send_file(io.BytesIO(b"data"), mimetype="text/plain")
        assert "X-Sendfile" not in response.headers
        assert _body(response) == b"data"


def test_use_x_sendfile_dropped_on_304(static_app: Microflask) -> None:
    static_app.config["USE_X_SENDFILE"] = True
    client = static_app.test_client()
    etag = client.get("/static/hello.txt").headers["ETag"]
    response = client.get("/static/hello.txt", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert "X-Sendfile" not in response.headers


def test_send_file_last_modified_from_file(static_app: Microflask, files: Path) -> None:
    path = files / "static" / "hello.txt"
    os.utime(path, (1_600_000_000, 1_600_000_000))
    with static_app.test_request_context():
        response = send_file(path)
        assert response.headers["Last-Modified"] == http_date(1_600_000_000)
        assert parse_date(response.headers["Last-Modified"]) == response.last_modified
        response.close()


# --- send_from_directory ---------------------------------------------------------


def test_send_from_directory_serves_a_file(static_app: Microflask, files: Path) -> None:
    with static_app.test_request_context():
        response = send_from_directory(files / "static", "css/site.css")
        assert response.mimetype == "text/css"
        assert _body(response) == b"body { color: red }\n"


def test_send_from_directory_relative_to_root_path(files: Path) -> None:
    app = Microflask(__name__, root_path=str(files))
    with app.test_request_context():
        assert _body(send_from_directory("static", "hello.txt")) == b"hello static\n"


def test_send_from_directory_passes_options(static_app: Microflask, files: Path) -> None:
    with static_app.test_request_context():
        response = send_from_directory(files / "static", "hello.txt", as_attachment=True, max_age=9)
        assert response.headers["Content-Disposition"] == ("attachment; filename=hello.txt")
        assert response.cache_control.max_age == 9
        response.close()


def test_send_from_directory_missing_file_is_404(static_app: Microflask, files: Path) -> None:
    with static_app.test_request_context(), pytest.raises(NotFound):
        send_from_directory(files / "static", "missing.txt")


TRAVERSAL = [
    pytest.param("../secret.txt", id="parent"),
    pytest.param("css/../../secret.txt", id="nested-parent"),
    pytest.param("..", id="bare-parent"),
    pytest.param("%2e%2e/secret.txt", id="encoded-dots"),
    pytest.param("%2E%2E%2Fsecret.txt", id="encoded-dots-and-slash"),
    pytest.param("..%2fsecret.txt", id="encoded-slash"),
    pytest.param("/{secret}", id="absolute"),
    pytest.param("%2F{secret}", id="encoded-absolute"),
    pytest.param("hello.txt%00.png", id="nul-byte"),
    pytest.param("%00", id="only-nul-byte"),
    pytest.param("..\\secret.txt", id="backslash"),
    pytest.param("..%5csecret.txt", id="encoded-backslash"),
    pytest.param("css\\..\\..\\secret.txt", id="nested-backslash"),
]


def _attack(raw: str, files: Path) -> str:
    """Return the URL-encoded attack path; ``{secret}`` is the secret's path."""
    return raw.format(secret=str(files / "secret.txt").lstrip("/"))


@pytest.mark.parametrize("raw", TRAVERSAL)
def test_static_route_refuses_traversal(static_app: Microflask, files: Path, raw: str) -> None:
    # Werkzeug may first redirect "//" to "/"; the final answer must be a 404.
    url = "/static/" + _attack(raw, files)
    response = static_app.test_client().get(url, follow_redirects=True)
    assert response.status_code == 404
    assert SECRET not in response.data


@pytest.mark.parametrize("raw", TRAVERSAL)
def test_send_from_directory_refuses_traversal(
    static_app: Microflask, files: Path, raw: str
) -> None:
    with static_app.test_request_context(), pytest.raises(NotFound):
        send_from_directory(files / "static", unquote(_attack(raw, files)))
