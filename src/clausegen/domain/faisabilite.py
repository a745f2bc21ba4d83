"""Is a market suited to a social plan de progrès? (Alliance Villes Emploi, §2.1).

The rules, each giving one reason:

- recurrence: a one-off purchase is excluded;
- invariability of the titulaire: multi-attributaire accords-cadres à bons de commande
  are excluded; à marchés subséquents only when each subsequent contract lasts 24 months
  or more (the plan then follows each subsequent contract);
- duration: at least 24 months recommended (12 to 23 months: reserve; under 12 months no
  annual review can take place: excluded); 48 months or more fits particularly well;
- amount: never blocking by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from clausegen.models._base import LABELS
from clausegen.models.dossier import Forme, Marche, Prestation

DUREE_RECOMMANDEE_MOIS = 24
DUREE_MINIMALE_MOIS = 12
DUREE_IDEALE_MOIS = 48


class Verdict(StrEnum):
    """Overall answer."""

    adapte = "adapte"
    adapte_avec_reserves = "adapte_avec_reserves"
    non_adapte = "non_adapte"


class Niveau(StrEnum):
    """Weight of one reason."""

    favorable = "favorable"
    reserve = "reserve"
    bloquant = "bloquant"


LABELS.update(
    {
        Verdict.adapte: "adapté",
        Verdict.adapte_avec_reserves: "adapté avec réserves",
        Verdict.non_adapte: "non adapté",
        Niveau.favorable: "favorable",
        Niveau.reserve: "réserve",
        Niveau.bloquant: "bloquant",
    }
)


@dataclass(frozen=True)
class Raison:
    """One criterion and what it says about the market."""

    critere: str
    niveau: Niveau
    message: str


@dataclass(frozen=True)
class Faisabilite:
    """The verdict and every reason behind it."""

    verdict: Verdict
    raisons: tuple[Raison, ...]

    @property
    def bloquantes(self) -> tuple[Raison, ...]:
        """Reasons that make the market unsuited."""
        return tuple(r for r in self.raisons if r.niveau is Niveau.bloquant)


def _recurrence(marche: Marche) -> Raison:
    if marche.prestation is Prestation.ponctuelle:
        return Raison("récurrence", Niveau.bloquant,
                      "achat isolé ou prestation ponctuelle : le plan de progrès suppose une "
                      "exécution récurrente ou continue")
    return Raison("récurrence", Niveau.favorable,
                  "prestation récurrente : l'exécution continue permet l'amélioration continue")


def _titulaire(marche: Marche) -> Raison:
    forme = marche.forme
    if forme is Forme.accord_cadre_multi_attributaire_bons_de_commande:
        return Raison("invariabilité du titulaire", Niveau.bloquant,
                      "accord-cadre multi-attributaire à bons de commande : le titulaire change "
                      "d'une commande à l'autre, sans continuité d'exécution")
    if forme is Forme.accord_cadre_multi_attributaire_marches_subsequents:
        duree_ms = marche.duree_marches_subsequents_mois or 0
        if duree_ms < DUREE_RECOMMANDEE_MOIS:
            return Raison("invariabilité du titulaire", Niveau.bloquant,
                          f"marchés subséquents de {duree_ms} mois : un accord-cadre "
                          "multi-attributaire ne convient que si chaque marché subséquent dure "
                          "au moins 2 ans")
        return Raison("invariabilité du titulaire", Niveau.reserve,
                      f"marchés subséquents de {duree_ms} mois (au moins 2 ans) : le plan de "
                      "progrès est rattaché à chaque marché subséquent et à son titulaire")
    return Raison("invariabilité du titulaire", Niveau.favorable,
                  f"{LABELS[forme]} : un titulaire unique pendant toute l'exécution")


def _duree(marche: Marche) -> Raison:
    duree = marche.duree_mois
    if marche.forme is Forme.accord_cadre_multi_attributaire_marches_subsequents:
        duree = min(duree, marche.duree_marches_subsequents_mois or duree)
    if duree < DUREE_MINIMALE_MOIS:
        return Raison("durée", Niveau.bloquant,
                      f"{duree} mois : aucun bilan annuel ni renouvellement du plan ne peut avoir "
                      "lieu avant la fin de l'exécution")
    if duree < DUREE_RECOMMANDEE_MOIS:
        return Raison("durée", Niveau.reserve,
                      f"{duree} mois : une durée d'au moins 2 ans est préconisée pour laisser le "
                      "plan progresser")
    if duree >= DUREE_IDEALE_MOIS and marche.forme is Forme.accord_cadre_mono_attributaire:
        return Raison("durée", Niveau.favorable,
                      f"{duree} mois : les accords-cadres de 4 ans se prêtent particulièrement "
                      "bien aux plans de progrès")
    return Raison("durée", Niveau.favorable,
                  f"{duree} mois : au moins 2 ans, la durée préconisée")


def _montant(marche: Marche) -> Raison:
    return Raison("montant", Niveau.favorable,
                  "le montant n'est jamais bloquant : même un marché de montant modeste peut "
                  "porter un plan de progrès dès lors que sa durée est suffisante")


def assess_faisabilite(marche: Marche) -> Faisabilite:
    """Assess the market against every criterion and give the overall verdict."""
    raisons = (_recurrence(marche), _titulaire(marche), _duree(marche), _montant(marche))
    niveaux = {r.niveau for r in raisons}
    if Niveau.bloquant in niveaux:
        verdict = Verdict.non_adapte
    elif Niveau.reserve in niveaux:
        verdict = Verdict.adapte_avec_reserves
    else:
        verdict = Verdict.adapte
    return Faisabilite(verdict=verdict, raisons=raisons)
