"""The variables a fragment or a canevas condition can use, built from the dossier."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from clausegen.domain.faisabilite import assess_dossier
from clausegen.models._base import label
from clausegen.models.dossier import Ccag, Dossier
from clausegen.models.fragment import CcagTable
from clausegen.text.french import formule_appel

SUIVI_NAMES = frozenset({
    "ccap_article", "annee", "annee_suivante", "periode", "date_validation", "reunion",
    "echeance_lancement", "echeance_bilan", "bilan", "bilan_reunion", "a_instruire",
    "plan_suivant", "reunion_renouvellement", "projet_avant", "plan_complet", "axes_du_plan",
    # issue 20: the bilan letter's line-by-line list, the procedure letters, the final bilan
    "observations", "attente_mise_en_demeure", "engagees", "sans_penalite", "manquements",
    "delai_jours", "retard", "action", "tarifs", "article_penalites", "article_procedure",
    "execution_de", "total", "plafond", "plafond_annuel", "decisions", "plafonne", "du_annee",
    "applicable_cumul", "retenu",
    "date_bilan", "fin_execution", "echeance_bilan_final", "reception_travaux",
})
"""Names the post-award pieces add to the context (:mod:`clausegen.api.suivi`):
``ccap_article(cle)`` (number of a CCAP article), the year, its period, the meeting, the
deadlines, the computed bilan, the procedure letters' lists and the CCAP articles they cite.
The library verifier knows them."""


def dossier_context(dossier: Dossier) -> dict[str, Any]:
    """Top-level template names: the dossier's sections plus derived values.

    - ``acheteur``, ``marche``, ``facilitateur``, ``titulaire``, ``plan_de_progres``:
      the dossier sections (``titulaire`` is ``None`` before award);
    - ``axes``: the retained axes, in the dossier's order;
    - ``clause_insertion``: the insertion clause alone (``None`` with a plan de progrès);
      ``insertion``: the insertion clause, alone or within the plan (or ``None``);
    - ``reservation``: the reserved-contract basis (or ``None``);
    - ``marches_subsequents``: the listed subsequent contracts; ``marche_subsequent``: the one
      a post-award piece is attached to (``None`` otherwise);
    - ``faisabilite``: the feasibility verdict of the market;
    - ``acheteur_designation``: the buyer's name with its article (« la Ville de … »);
    - ``administratif``: the complete CCAP's administrative stipulations;
    - ``formule_appel``: how letters address the titulaire (« Monsieur le Directeur général »,
      else « Madame, Monsieur »), without the comma.
    """
    plan = dossier.plan_de_progres
    acheteur = dossier.acheteur
    representant = dossier.titulaire.representant if dossier.titulaire else None
    article = acheteur.article
    designation = (acheteur.nom if article is None
                   else f"{article}{acheteur.nom}" if article.endswith(("'", "\u2019"))
                   else f"{article} {acheteur.nom}")
    return {
        "acheteur": dossier.acheteur,
        "acheteur_designation": designation,
        "administratif": dossier.administratif,
        "formule_appel": formule_appel(representant.civilite if representant else None,
                                       representant.qualite if representant else None),
        "marche": dossier.marche,
        "facilitateur": dossier.facilitateur,
        "titulaire": dossier.titulaire,
        "plan_de_progres": plan,
        "clause_insertion": dossier.clause_insertion,
        "insertion": dossier.insertion,
        "reservation": dossier.reservation,
        "marches_subsequents": list(dossier.marches_subsequents),
        "marche_subsequent": None,
        "axes": list(plan.axes) if plan else [],
        "faisabilite": assess_dossier(dossier),
    }


CCAG_TITLES = {
    Ccag.fcs: "fournitures courantes et de services",
    Ccag.tic: "techniques de l'information et de la communication",
    Ccag.pi: "prestations intellectuelles",
    Ccag.travaux: "travaux",
    Ccag.mi: "industriels",
    Ccag.moe: "maîtrise d'œuvre",
}
"""What follows « des marchés publics de » in the title of each CCAG's arrêté du 30 mars 2021
(Travaux: title read on Légifrance; the others by analogy, as the legal review suggested)."""


A_COMPLETER = "[à compléter]"
"""What a derogation prints in place of a CCAG article number not verified (legal review of
7 December 2026, NM6): « Par dérogation à l'article [à compléter] du CCAG-FCS, relatif à … »."""


def a_completer(texts: Iterable[str]) -> int:
    """How many CCAG article numbers a generated piece leaves for the buyer to complete."""
    return sum(text.count(A_COMPLETER) for text in texts)


def ccag_functions(table: CcagTable, ccag: Ccag) -> dict[str, Any]:
    """``ccag_numero(cle)``, ``ccag_ref(cle)`` and ``ccag_article(cle)`` for the market's CCAG.

    ``ccag_ref('penalites_plafond')`` gives « l'article 14.1.2 du CCAG-FCS », or, when the
    number is not verified for that CCAG, « la stipulation du CCAG-Travaux relative au
    plafonnement des pénalités » — a reference is never invented. ``ccag_article(cle)`` is
    what a derogation cites: the verified number, else :data:`A_COMPLETER`, which the buyer
    completes and generation warns about (:func:`a_completer`).
    """
    name = label(ccag)

    def numero(cle: str) -> str | None:
        article = table.articles.get(cle)
        if article is None:
            raise KeyError(f"clé CCAG inconnue : {cle}")
        return getattr(article, ccag.value)  # type: ignore[no-any-return]

    def ref(cle: str) -> str:
        number = numero(cle)
        if number:
            return f"l'article {number} du {name}"
        return f"la stipulation du {name} relative {table.articles[cle].libelle}"

    def libelle(cle: str) -> str:
        numero(cle)
        return table.articles[cle].libelle

    def article(cle: str) -> str:
        return numero(cle) or A_COMPLETER

    intitule = (f"cahier des clauses administratives générales des marchés publics de "
                f"{CCAG_TITLES[ccag]} ({name})")
    if ccag is Ccag.mi:
        intitule = f"cahier des clauses administratives générales des marchés publics industriels ({name})"
    return {"ccag_numero": numero, "ccag_ref": ref, "ccag_nom": name, "ccag_libelle": libelle,
            "ccag_article": article, "ccag_intitule": intitule}


def dossier_ccag_table(table: CcagTable, dossier: Dossier) -> CcagTable:
    """The library's CCAG table with the article numbers the buyer verified
    (``administratif.ccag_articles``) for the market's CCAG; unknown keys are refused earlier
    (:func:`clausegen.domain.ccap_complet.unknown_ccag_keys`)."""
    verified = dossier.administratif.ccag_articles
    if not verified:
        return table
    ccag = dossier.marche.ccag.value
    articles = {cle: (article.model_copy(update={ccag: verified[cle]}) if cle in verified else article)
                for cle, article in table.articles.items()}
    return table.model_copy(update={"articles": articles})
