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
  // Ajouter un chiffre oublié : les mots sélectionnés dans le texte de l'article remplissent le
  // formulaire, avec leur position exacte dans le texte (début et fin, en caractères).
  document.querySelectorAll("input[data-selection-de]").forEach(function (input) {
    var texte = document.getElementById(input.getAttribute("data-selection-de"));
    var form = input.form;
    if (!texte || !form) { return; }
    function retenir() {
      var sel = window.getSelection();
      if (!sel || sel.rangeCount === 0 || sel.isCollapsed) { return; }
      var range = sel.getRangeAt(0);
      if (!texte.contains(range.startContainer) || !texte.contains(range.endContainer)) { return; }
      var avant = document.createRange();
      avant.selectNodeContents(texte);
      avant.setEnd(range.startContainer, range.startOffset);
      var debut = avant.toString().length;
      var mots = range.toString();
      input.value = mots;
      form.elements.start.value = String(debut);
      form.elements.end.value = String(debut + mots.length);
      var details = form.closest("details");
      if (details) { details.open = true; }
    }
    texte.addEventListener("mouseup", retenir);
    texte.addEventListener("keyup", retenir);
    input.addEventListener("input", function () { form.elements.start.value = "0"; form.elements.end.value = "0"; });
  });
})();
