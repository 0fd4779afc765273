// Veille — petites améliorations progressives. Tout fonctionne sans JavaScript.
(function () {
  "use strict";
  // Un menu marqué data-autosubmit soumet son formulaire dès qu'il change.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) { select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit(); }
    });
  });
  // Un formulaire marqué data-confirm demande confirmation avant d'être envoyé.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // Les formulaires GET n'envoient pas les champs vides : adresses plus courtes et partageables.
  document.querySelectorAll("form[method='get']").forEach(function (form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name && el.type !== "submit" && !el.value) { el.disabled = true; }
      });
      window.setTimeout(function () {
        Array.prototype.forEach.call(form.elements, function (el) { el.disabled = false; });
      }, 0);
    });
  });
})();
