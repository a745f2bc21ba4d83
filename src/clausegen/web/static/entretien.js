// clausegen — guided interview: save the draft as the buyer types, refresh the verdict.
// Everything works without this script (each step is saved when sent); it only makes sure
// nothing typed is lost if the browser closes, and shows the verdict as answers change.
(function () {
  "use strict";
  var form = document.getElementById("formulaire");
  var verdict = document.getElementById("verdict");
  var etat = document.getElementById("etat-enregistrement");
  if (!form || !form.dataset.brouillon) { return; }
  var url = form.dataset.brouillon;
  var minuterie = null;
  var modifie = false;

  function donnees() {
    var data = new FormData(form);
    data.delete("aller");
    return data;
  }

  function enregistrer() {
    minuterie = null;
    if (!modifie) { return; }
    modifie = false;
    fetch(url, { method: "POST", body: donnees(), credentials: "same-origin" })
      .then(function (reponse) {
        if (!reponse.ok) { throw new Error(String(reponse.status)); }
        var niveau = reponse.headers.get("X-Verdict") || "inconnu";
        return reponse.text().then(function (html) {
          if (verdict) {
            verdict.innerHTML = html;
            verdict.className = "verdict verdict-" + niveau;
          }
          etat.textContent = "Brouillon enregistré.";
        });
      })
      .catch(function () {
        modifie = true;
        etat.textContent = "Brouillon non enregistré (connexion perdue ?) : vos saisies restent dans la page.";
      });
  }

  function planifier() {
    modifie = true;
    if (minuterie) { clearTimeout(minuterie); }
    minuterie = setTimeout(enregistrer, 600);
  }

  form.addEventListener("input", planifier);
  form.addEventListener("change", planifier);
  window.addEventListener("pagehide", function () {
    if (modifie && navigator.sendBeacon) { navigator.sendBeacon(url, donnees()); }
  });
})();

// Questions that apply only to some answers of the same step (data-si-champ, data-si-valeurs):
// hidden while the answer they depend on says they do not apply. Without this script, they
// are all shown and the server ignores those that do not apply.
(function () {
  "use strict";
  var form = document.getElementById("formulaire");
  if (!form) { return; }
  var conditionnels = form.querySelectorAll("[data-si-champ]");
  if (!conditionnels.length) { return; }

  function valeur(nom) {
    var champs = form.querySelectorAll("[name='" + nom.replace(/'/g, "\\'") + "']");
    var resultat = "";
    for (var i = 0; i < champs.length; i += 1) {
      var champ = champs[i];
      if (champ.type === "radio" || champ.type === "checkbox") {
        if (champ.checked) { resultat = champ.value; }
      } else if (champ.type !== "hidden") {
        resultat = champ.value;
      }
    }
    return resultat;
  }

  function actualiser() {
    for (var i = 0; i < conditionnels.length; i += 1) {
      var element = conditionnels[i];
      var valeurs = (element.getAttribute("data-si-valeurs") || "").split(" ");
      element.hidden = valeurs.indexOf(valeur(element.getAttribute("data-si-champ"))) < 0;
    }
  }

  form.addEventListener("change", actualiser);
  actualiser();
})();
