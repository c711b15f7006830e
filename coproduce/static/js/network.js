// The collaboration network page: draw the Vega force-directed graph held in
// <script type="application/json" id="network-spec"> with the vendored vega-embed, and let the
// table's "Show in graph" buttons (keyboard users' way in) pick out a node and its links.
// Clicking a node in the graph does the same. Without JavaScript the table stands alone.
(function () {
  "use strict";

  function init() {
    var container = document.querySelector("[data-network-spec]");
    if (!container || typeof window.vegaEmbed !== "function") {
      return;
    }
    var source = document.getElementById(container.getAttribute("data-network-spec"));
    if (!source) {
      return;
    }
    var spec = JSON.parse(source.textContent);
    container.hidden = false;
    var width = container.clientWidth || spec.width;
    spec.width = Math.max(280, Math.min(width, 900));
    spec.height = Math.round(spec.width * 0.75);
    var status = document.getElementById("network-status");
    var buttons = Array.prototype.slice.call(document.querySelectorAll("[data-node-index]"));
    var current = -1;

    window
      .vegaEmbed(container, spec, { actions: false, renderer: "svg", defaultStyle: false })
      .then(function (result) {
        var view = result.view;

        function select(index) {
          current = index;
          view.signal("selected", index).runAsync();
          var name = "";
          buttons.forEach(function (button) {
            var chosen = Number(button.getAttribute("data-node-index")) === index;
            button.setAttribute("aria-pressed", chosen ? "true" : "false");
            if (chosen) {
              name = button.getAttribute("data-node-name");
            }
          });
          if (status) {
            status.textContent = name ? name + " and its links are picked out in the graph." : "";
          }
        }

        buttons.forEach(function (button) {
          button.hidden = false;
          button.addEventListener("click", function () {
            var index = Number(button.getAttribute("data-node-index"));
            select(index === current ? -1 : index);
          });
        });
        view.addSignalListener("picked", function (_, index) {
          if (typeof index === "number" && index >= 0) {
            select(index === current ? -1 : index);
          }
        });
      })
      .catch(function (error) {
        container.hidden = true;
        if (window.console) {
          window.console.error("Network not drawn:", error);
        }
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
