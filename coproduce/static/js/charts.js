// Draw every chart on the page: each <div data-vega-spec="ID"> gets the Vega-Lite spec held in
// <script type="application/json" id="ID">, rendered by the vendored vega-embed as SVG.
// The figures are also in a table next to each chart, so a chart that cannot be drawn (no
// JavaScript, an old browser, an error) stays hidden and nothing is lost.
(function () {
  "use strict";

  function draw(container) {
    var source = document.getElementById(container.getAttribute("data-vega-spec"));
    if (!source || typeof window.vegaEmbed !== "function") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    // The page's heading already names the chart.
    delete spec.title;
    // Shown before drawing, so that a width of "container" can be measured.
    container.hidden = false;
    window
      // No action menu (it links to the online editor) and none of vega-embed's injected CSS,
      // whose inline-block container would leave a width of "container" measuring 0.
      .vegaEmbed(container, spec, { actions: false, renderer: "svg", defaultStyle: false })
      .then(function () {
        // The container is the image (role="img" with the chart's summary as its label), and
        // its table holds the figures: the drawing itself is hidden from assistive
        // technology, so an empty chart's SVG is never announced without a name.
        var drawings = container.querySelectorAll("svg");
        for (var i = 0; i < drawings.length; i += 1) {
          drawings[i].setAttribute("aria-hidden", "true");
          drawings[i].setAttribute("focusable", "false");
        }
      })
      .catch(function (error) {
        container.hidden = true;
        if (window.console) {
          window.console.error("Chart not drawn:", error);
        }
      });
  }

  function drawAll() {
    var containers = document.querySelectorAll("[data-vega-spec]");
    for (var i = 0; i < containers.length; i += 1) {
      draw(containers[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
