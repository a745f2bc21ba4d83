"""A yearly plan against the CCAP: what would make its text false (warnings, not refusals).

- an axis retained by the CCAP that the plan leaves out (« chacun des axes » would be false);
- an insertion objective counted in hours whose target does not exceed the year's share of the
  minimal insertion commitment: the CCAP says that commitment « n'est pas un objectif du plan »
  and that the plan's insertion objectives go beyond it.
"""

from __future__ import annotations

from decimal import Decimal

from clausegen.domain.avenant import axes_absents
from clausegen.domain.echeancier import mois_de_l_annee
from clausegen.models._base import label
from clausegen.models.dossier import CodeAxe, Dossier, ModeInsertion
from clausegen.models.suivi import PlanAnnuel
from clausegen.text.french import cents, nombre

HEURES = frozenset({"heure", "heures", "h"})


def prorata_annuel(dossier: Dossier, annee: int) -> Decimal | None:
    """The year's share of the minimal insertion hours (None without an hours commitment)."""
    insertion = dossier.plan.insertion
    if insertion is None or insertion.mode is not ModeInsertion.heures or not insertion.volume_heures:
        return None
    duree = dossier.marche.duree_mois
    return cents(Decimal(insertion.volume_heures * mois_de_l_annee(annee, duree)) / Decimal(duree))


def avertissements_plan(dossier: Dossier, plan: PlanAnnuel) -> list[str]:
    """French sentences naming what in the plan contradicts the CCAP."""
    found = [f"le plan de l'année {plan.annee} ne fixe rien pour l'axe « {label(code)} », retenu "
             "au CCAP (le plan précise les sept points pour chaque axe)"
             for code in axes_absents(dossier, plan)]
    prorata = prorata_annuel(dossier, plan.annee)
    if prorata is None:
        return found
    for axe, objectif in plan.objectifs():
        if (axe is CodeAxe.insertion and objectif.unite.strip().lower() in HEURES
                and objectif.valeur_cible <= prorata):
            found.append(
                f"l'objectif « {objectif.libelle} » du plan de l'année {plan.annee} "
                f"({nombre(objectif.valeur_cible)}\u00a0heures) ne dépasse pas la part de l'année de "
                f"l'engagement minimal d'insertion ({nombre(prorata)}\u00a0heures) : selon le CCAP, "
                "cet engagement n'est pas un objectif du plan, qui doit aller au-delà")
    return found
