"""`make serve`: the book with live code, on this machine only (`python -m dlbook.live --help`).

It serves the built book (_build/html) at http://127.0.0.1:8000 and starts a Jupyter server at http://127.0.0.1:8888
for the chapters' "Live code" button (book/_static/live-code.js), then prints the book's address: it ends in
`#jupyter=<the server's address and token>`, which the pages keep. Ctrl-C stops both. The Jupyter server
- listens on 127.0.0.1 only and answers only requests that carry its token, made afresh at each start and passed in
  the environment (a command line is visible to every user of the machine);
- lets one origin read its answers, the book's; the token is what keeps other web pages out (jupyter_server skips
  the origin check for any request that carries the token, websockets too), so it must never be a fixed one;
- runs each chapter's kernel in the chapter's folder of this repository, as the book's build does;
- loads none of the installed server extensions (JupyterLab, terminals, nbgrader): it serves kernels, nothing else.
"""

import argparse
import functools
import http.server
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from jupyter_core.paths import jupyter_config_path
from jupyter_server.extension.config import ExtensionConfigManager

# Unset for the kernels that run the book's code, live and in the build (book/_ext/kernel_environment.py): a
# non-interactive matplotlib backend such as Agg, common on servers, would replace the inline one and hide every figure.
KERNEL_UNSET = ("MPLBACKEND",)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dlbook.live", description="Serve the book on this machine "
                                     "with a Jupyter server for its Live code button.")
    parser.add_argument("--book", type=Path, default=Path("_build/html"), help="the built book (default: %(default)s)")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the repository, where kernels run "
                        "(default: this folder)")
    parser.add_argument("--port", type=int, default=8000, help="the book's port (default: %(default)s)")
    parser.add_argument("--jupyter-port", type=int, default=8888, help="the Jupyter server's (default: %(default)s)")
    args = parser.parse_args(argv)
    if not (args.book / "index.html").is_file():
        sys.exit(f"dlbook: no built book in {args.book}: build it first (make book)")

    book, jupyter = f"http://127.0.0.1:{args.port}", f"http://127.0.0.1:{args.jupyter_port}/"
    token = secrets.token_hex(24)
    # the front page: index.html only redirects to it, and a redirect would lose the address's #jupyter=...
    front = re.search(r'url=([^"]+)"', (args.book / "index.html").read_text())
    try:
        web = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), functools.partial(
            QuietHandler, directory=str(args.book)))
    except OSError as error:
        sys.exit(f"dlbook: cannot serve the book on port {args.port} ({error.strerror}): is another `make serve` "
                 f"running? Pass --port to use another")
    threading.Thread(target=web.serve_forever, daemon=True).start()

    extensions = ExtensionConfigManager(read_config_path=jupyter_config_path()).get_jpserver_extensions()
    command = [sys.executable, "-m", "jupyter_server", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={args.jupyter_port}", "--ServerApp.port_retries=0", "--ServerApp.log_level=WARN",
               f"--ServerApp.root_dir={args.root.resolve()}", f"--ServerApp.allow_origin={book}",
               f"--ServerApp.jpserver_extensions={ {name: False for name in extensions} }"]
    if os.geteuid() == 0:
        command.append("--allow-root")  # a container's only user
    env = {name: value for name, value in os.environ.items() if name not in KERNEL_UNSET} | {"JUPYTER_TOKEN": token}
    server = subprocess.Popen(command, env=env, start_new_session=True)  # Ctrl-C reaches this process only
    for stop in (signal.SIGTERM, signal.SIGHUP):  # stopped or its terminal closed: stop the server too
        signal.signal(stop, lambda *_: sys.exit(0))
    started = False
    try:
        started = wait_until_up(server, jupyter, token)
        if started:
            print(f"\nThe book, with live code: {book}/{front[1] if front else 'index.html'}#jupyter={jupyter}"
                  f"?token={token}\n"
                  f"Open that address (it carries the server's token), go to a chapter and click Live code.\n"
                  f"Ctrl-C stops the book and the Jupyter server.\n", flush=True)
            server.wait()
    except (KeyboardInterrupt, SystemExit):
        started = True  # stopped by the reader
    finally:
        server.terminate()  # a clean shutdown: it stops the kernels too
        server.wait()
        web.shutdown()
    if not started:
        sys.exit("dlbook: the Jupyter server did not start (a port in use?); its messages are above")


def wait_until_up(server: subprocess.Popen, url: str, token: str, timeout: float = 120) -> bool:
    """Wait until the Jupyter server answers; False if it stopped first (a port in use, say)."""
    request = urllib.request.Request(url + "api/status", headers={"Authorization": f"token {token}"})
    deadline = time.monotonic() + timeout
    while server.poll() is None and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=2):
                return True
        except OSError:
            time.sleep(0.25)
    return False


if __name__ == "__main__":
    main()
