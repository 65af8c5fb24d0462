/* Live code: the reader runs and edits a chapter's code cells in the page, on a Jupyter server on their own
 * machine. `make serve` starts that server and serves the book; the address it prints ends in
 * #jupyter=<the server's address and token>, which this script keeps (localStorage) for the book's other pages.
 * The "Live code" button (book/_ext/live_code.py) calls dlbookLiveCode(notebook); Thebe, vendored in _static/thebe/,
 * turns the cells into editors and runs them. Nothing is fetched from anywhere but the book and that server.
 */
(() => {
  const STATIC = new URL(".", document.currentScript.src).href;  // the book's _static/ folder
  const KEY = "dlbook-live-server";
  const DEFAULT_SERVER = "http://127.0.0.1:8888/";
  const HOW = "Start it in a terminal, in the book's folder (the one with the Makefile): <code>make serve</code>. "
    + "Then open the address it prints, which carries the server's token, and click <em>Live code</em> again.";

  const LOCAL = ["127.0.0.1", "localhost", "[::1]"];  // the server is on the reader's own machine, nowhere else

  const given = new URLSearchParams(location.hash.slice(1)).get("jupyter");
  if (given) {  // keep the server's address and token, and take the token out of the address bar
    try {
      if (LOCAL.includes(new URL(given).hostname)) localStorage.setItem(KEY, given);
    } catch (error) { /* not an address: ignored */ }
    history.replaceState(null, "", location.pathname + location.search);
  }

  function server() {  // {baseUrl, token} of the reader's server
    const url = new URL(localStorage.getItem(KEY) || DEFAULT_SERVER);
    const token = url.searchParams.get("token") || "";
    return {baseUrl: url.origin + url.pathname, token};
  }

  function say(html, state) {  // the message under the page's title
    let box = document.querySelector(".live-code-status");
    if (!box) {
      box = Object.assign(document.createElement("div"), {className: "live-code-status"});
      box.setAttribute("role", "status");
      document.querySelector("article h1").insertAdjacentElement("afterend", box);
    }
    box.dataset.state = state;  // "busy", "ready" or "error"
    box.innerHTML = html;
  }

  async function check({baseUrl, token}) {  // "ok", "refused" or "unreachable"
    const status = new URL("api/status", baseUrl);
    try {
      const answer = await fetch(status, {headers: {Authorization: `token ${token}`}});
      return answer.ok ? "ok" : "refused";
    } catch (error) {  // no server, or one that hides its answer from this page (a wrong token, or file://)
      try {
        await fetch(status, {mode: "no-cors"});  // something listens there
        return "refused";
      } catch (error) {
        return "unreachable";
      }
    }
  }

  function loadThebe() {  // once per page, only when asked: about 1.5 MB, then chunks on demand
    if (window.thebe && window.thebe.bootstrap) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const css = Object.assign(document.createElement("link"), {rel: "stylesheet", href: STATIC + "thebe/thebe.css"});
      const js = Object.assign(document.createElement("script"), {src: STATIC + "thebe/index.js"});
      js.onload = resolve;
      js.onerror = () => reject(new Error(`could not load ${js.src}`));
      document.head.append(css, js);
    });
  }

  function markCells() {  // each code cell: its source becomes an editor, a new output area goes below it
    document.querySelectorAll("article .cell").forEach((cell) => {
      const source = cell.querySelector(".cell_input pre");
      if (!source) return;
      source.setAttribute("data-executable", "true");
      source.setAttribute("data-language", "python");
      cell.querySelectorAll("button.copybtn").forEach((button) => button.remove());  // it would copy nothing
      const output = Object.assign(document.createElement("div"), {className: "live-code-output"});
      output.setAttribute("data-output", "true");  // one per cell: Thebe pairs sources and outputs in order
      cell.querySelector(".cell_input").insertAdjacentElement("afterend", output);
    });
  }

  let started = false;
  window.dlbookLiveCode = async (notebook) => {
    document.activeElement.blur();  // the button's tooltip would stay over the message
    if (started) return;
    const where = server();
    say(`Connecting to the Jupyter server at ${where.baseUrl} …`, "busy");
    const reached = await check(where);
    const file = location.protocol === "file:"
      ? " This page was opened from a file: live code works in the book as <code>make serve</code> serves it." : "";
    if (reached === "unreachable") {
      return say(`<strong>Live code needs a Jupyter server on your computer</strong>, and none answered at `
        + `${where.baseUrl}.${file} ${HOW}`, "error");
    }
    if (reached === "refused") {
      return say(`<strong>The Jupyter server at ${where.baseUrl} did not accept this page.</strong>${file} Open the `
        + "address <code>make serve</code> printed: it carries the server's token, a new one at each start.", "error");
    }
    started = true;  // from here on the page changes: a second try needs a reload
    say("Starting a Python kernel on your computer …", "busy");
    try {
      await loadThebe();
      markCells();
      const dark = document.documentElement.dataset.theme === "dark";
      await window.thebe.bootstrap({
        useBinder: false,
        requestKernel: true,
        serverSettings: {baseUrl: where.baseUrl, token: where.token},
        kernelOptions: {kernelName: "python3", path: notebook},  // runs in the notebook's folder, as the book's build
        mathjaxUrl: "",  // no MathJax 2 from a CDN: LaTeX outputs show as text
        selector: "[data-executable]",
        outputSelector: "[data-output]",
        mountRestartAllButton: false,  // run, run all, restart (Thebe 0.9.3's "restart & run all" does not restart)
        codeMirrorConfig: {theme: dark ? "darcula" : "default", lineNumbers: false},
      });
      say("<strong>Live.</strong> Edit any cell and run it (Shift-Enter, or its <em>run</em> button) on your "
        + "computer. Run the cells from the top: later ones use what earlier ones define. A cell's new output "
        + "replaces the book's.", "ready");
    } catch (error) {
      say(`<strong>The kernel did not start</strong> (${error && error.message || error}). Reload the page to try `
        + "again; the terminal that runs <code>make serve</code> says more.", "error");
    }
  };
})();
