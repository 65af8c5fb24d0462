"""`make serve` (dlbook/live.py): the book and a Jupyter server for its live code, on this machine only.

The browser suite clicks the Live code button against it; these tests check the server's promises directly.
"""

import json
import socket
import urllib.error
import urllib.request

import pytest

from conftest import serve_live


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`python -m dlbook.live` on a one-page book; yields the address it printed, the Jupyter server's and the
    book's addresses, and the process."""
    book = tmp_path_factory.mktemp("html")
    (book / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=book/intro.html" />')
    address, jupyter, serve = serve_live(book)
    yield address, jupyter, address.split("/book/")[0], serve
    if serve.poll() is None:
        serve.terminate()
        serve.wait(timeout=60)


def status(url: str, **headers) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_address_leads_to_the_front_page_and_carries_a_fresh_token(served):
    address, jupyter, book, serve = served
    assert address.startswith(f"{book}/book/intro.html#jupyter={jupyter}?token=")  # not index.html: it redirects
    token = address.rsplit("token=", 1)[1]
    assert len(token) >= 32 and token not in " ".join(serve.args), "the token is not on the command line"


def test_the_jupyter_server_answers_only_with_the_token_and_only_on_localhost(served):
    address, jupyter, _, _ = served
    token = address.rsplit("token=", 1)[1]
    assert status(jupyter + "api/kernels") == 403
    assert status(jupyter + "api/kernels", Authorization="token not-the-token") == 403
    assert status(jupyter + "api/kernels", Authorization=f"token {token}") == 200
    assert status(jupyter + "api/kernels", Authorization=f"token {token}", Host="evil.example:80") == 403
    port = int(jupyter.rsplit(":", 1)[1].strip("/"))
    addresses = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    for other in addresses - {"127.0.0.1"}:  # the machine's other interfaces: nothing listens there
        with socket.socket() as s, pytest.raises(OSError):
            s.settimeout(2)
            s.connect((other, port))


def test_the_jupyter_server_lets_only_the_book_read_its_answers_and_serves_kernels_only(served):
    address, jupyter, book, _ = served
    token = address.rsplit("token=", 1)[1]
    request = urllib.request.Request(jupyter + "api/status", headers={"Authorization": f"token {token}",
                                                                     "Origin": book})
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.headers["Access-Control-Allow-Origin"] == book
        json.loads(answer.read())
    assert status(jupyter + "lab", Authorization=f"token {token}") == 404  # no JupyterLab, no terminals
    assert status(jupyter + "api/terminals", Authorization=f"token {token}") == 404


def test_stopping_it_stops_the_jupyter_server_too(served):
    address, jupyter, _, serve = served
    serve.terminate()
    assert serve.wait(timeout=60) == 0
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(jupyter + "api/status", timeout=5)
