// Wide content on narrow screens (accessibility.css): formulas and figures wider than their column scroll sideways
// in their own box, and a box that scrolls gets a tab stop, as pydata-sphinx-theme gives one to wide code blocks and
// tables, so that the keyboard can scroll it too (WCAG 2.1.1). Checked once MathJax has typeset the page, and again
// when the window changes size.
(() => {
  // The book's figures are drawn at 100 dpi with 11-point labels: 15 pixels tall (dlbook/plotting.py). Shrunk to a
  // phone's column, those of a wide figure would be 5 pixels tall; there a figure keeps at least this share of its
  // width (labels of 10 pixels or more) and scrolls sideways (accessibility.css: --legible-width).
  const LEGIBLE = 0.66;
  const BOXES = "span.math, div.math mjx-container, div.figure-scroll";

  const update = () => {
    for (const box of document.querySelectorAll(BOXES)) {
      if (box.scrollWidth > box.clientWidth + 1) box.tabIndex = 0;
      else box.removeAttribute("tabindex");
    }
  };

  const legible = (img) => img.style.setProperty("--legible-width", `${Math.round(img.naturalWidth * LEGIBLE)}px`);
  const figures = () =>
    Promise.all(
      [...document.querySelectorAll("article .cell_output img")].map((img) => {
        const box = document.createElement("div");
        box.className = "figure-scroll";
        img.replaceWith(box);
        box.append(img);
        if (img.complete) return legible(img);
        return new Promise((done) => img.addEventListener("load", () => done(legible(img)), { once: true }));
      }),
    );

  let timer = null;
  window.addEventListener("resize", () => {
    clearTimeout(timer);
    timer = setTimeout(update, 300);
  });
  window.addEventListener("load", () => {
    const typeset = window.MathJax && MathJax.startup && MathJax.startup.promise;
    Promise.all([typeset, figures()]).then(update);
  });
})();
