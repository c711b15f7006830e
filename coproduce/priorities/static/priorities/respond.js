// Conditional questions: show a question only when the earlier question it depends on has the
// given answer. The server applies the same rule to what is posted, so this is a convenience:
// without JavaScript every question shows, with a hint saying when to answer it.
(function () {
  "use strict";
  var form = document.querySelector("form");
  if (!form) return;
  var dependants = Array.prototype.slice.call(document.querySelectorAll("[data-show-if]"));
  if (!dependants.length) return;

  function wrapperOf(name) {
    var input = form.querySelector('[name="' + name + '"]');
    return input ? input.closest(".cp-question") : null;
  }

  function answers(name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    var values = [];
    Array.prototype.forEach.call(inputs, function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
      if (input.value) values.push(input.value);
    });
    return values;
  }

  function update() {
    // Dependants come in question order, and conditions point at earlier questions, so a
    // question hidden here is already hidden when a later question asks about it.
    dependants.forEach(function (wrapper) {
      var name = wrapper.getAttribute("data-show-if");
      var parent = wrapperOf(name);
      var parentShown = !parent || !parent.hidden;
      var show = parentShown && answers(name).indexOf(wrapper.getAttribute("data-show-if-value")) !== -1;
      wrapper.hidden = !show;
      var hint = wrapper.querySelector(".cp-condition-hint");
      if (hint) hint.hidden = true;
    });
  }

  form.addEventListener("change", update);
  update();
})();
