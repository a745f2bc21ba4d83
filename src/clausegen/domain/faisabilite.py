"""Is a market suited to a social plan de progrès, and to an insertion clause?

Reads the market, not one flag (rules and the seed passage behind each: ``docs/faisabilite.md``):

- nature (works, supplies, services): never blocking by itself (« susceptible d'être mobilisé
  sur tous les segments d'achat », seed 000 §1.1); works and supplies get a reserve on the
  staff the plan can reach (seed 000 §2.2: only staff assigned to the contract);
- continuity of execution: a one-off purchase is excluded (seed 000 §2.1);
- duration — of the subsequent contract where there is one: 24 months or more recommended,
  12 to 23 a reserve, under 12 blocking (no annual review); for a subsequent contract the
  guide's exception is « au moins égale à 2 ans », so under 24 months is blocking;
- titulaire stability: multi-attributaire à bons de commande excluded; à marchés subséquents
  only per subsequent contract of 2 years or more;
- amount: never blocking.

The plan and the insertion clause get separate verdicts. A plan judged non adapté comes with
the other social levers that fit the market (:mod:`clausegen.domain.leviers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from clausegen.domain.leviers import Levier, leviers_pour
from clausegen.models._base import LABELS
from clausegen.models.dispositifs import ArticleReservation, MarcheSubsequent, Reservation
from clausegen.models.dossier import Dossier, Forme, Marche, Nature, Prestation

DUREE_RECOMMANDEE_MOIS = 24
DUREE_MINIMALE_MOIS = 12
DUREE_IDEALE_MOIS = 48
DUREE_MINIMALE_INSERTION_MOIS = 1

SEED_FAISABILITE = "Alliance Villes Emploi, « Les plans de progrès en matière sociale », §2.1"
SEED_OUTIL = "Alliance Villes Emploi, « Les plans de progrès en matière sociale », §1.1"
SEED_PERIMETRE = "Alliance Villes Emploi, « Les plans de progrès en matière sociale », §2.2"


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
    """One criterion, what it says about the market, and the passage it rests on."""

    critere: str
    niveau: Niveau
    message: str
    source: str = SEED_FAISABILITE


@dataclass(frozen=True)
class Avis:
    """The verdict on one social device and every reason behind it."""

    verdict: Verdict
    raisons: tuple[Raison, ...]

    @property
    def bloquantes(self) -> tuple[Raison, ...]:
        """Reasons that make the device unsuited."""
        return tuple(r for r in self.raisons if r.niveau is Niveau.bloquant)


def _avis(raisons: tuple[Raison, ...]) -> Avis:
    niveaux = {r.niveau for r in raisons}
    if Niveau.bloquant in niveaux:
        return Avis(Verdict.non_adapte, raisons)
    if Niveau.reserve in niveaux:
        return Avis(Verdict.adapte_avec_reserves, raisons)
    return Avis(Verdict.adapte, raisons)


@dataclass(frozen=True)
class Faisabilite:
    """The plan's verdict (``verdict``, ``raisons``), the insertion clause's, and the levers."""

    plan: Avis
    insertion: Avis
    leviers: tuple[Levier, ...] = ()
    marche_subsequent: int | None = None
    insertion_seule: bool = False
    """The dossier carries the insertion clause alone: its verdict is ``insertion``."""

    @property
    def verdict(self) -> Verdict:
        """The plan de progrès verdict."""
        return self.plan.verdict

    @property
    def raisons(self) -> tuple[Raison, ...]:
        """The reasons of the plan de progrès verdict."""
        return self.plan.raisons

    @property
    def bloquantes(self) -> tuple[Raison, ...]:
        """Reasons that make the market unsuited to a plan de progrès."""
        return self.plan.bloquantes


# --- the plan de progrès -------------------------------------------------------


def _nature(marche: Marche) -> Raison:
    if marche.nature is Nature.travaux:
        return Raison("nature", Niveau.reserve,
                      "travaux : l'exécution suit les phases d'un chantier et ses équipes changent ; "
                      "le plan ne vise que les salariés affectés au marché, il suppose les mêmes "
                      "équipes sur la durée (sinon, la clause d'insertion seule)", SEED_PERIMETRE)
    if marche.nature is Nature.fournitures:
        return Raison("nature", Niveau.reserve,
                      "fournitures : le plan ne vise que les salariés affectés à l'exécution "
                      "(fabrication dédiée, livraison, services associés), pas l'entreprise entière",
                      SEED_PERIMETRE)
    return Raison("nature", Niveau.favorable,
                  "services : les salariés affectés au marché sont identifiables pendant toute "
                  "l'exécution ; le plan peut être mobilisé sur tous les segments d'achat", SEED_OUTIL)


def _continuite(marche: Marche) -> Raison:
    if marche.prestation is Prestation.ponctuelle:
        return Raison("continuité d'exécution", Niveau.bloquant,
                      "achat isolé ou prestation ponctuelle : le plan de progrès suppose une "
                      "exécution récurrente ou continue")
    return Raison("continuité d'exécution", Niveau.favorable,
                  "prestation récurrente : l'exécution continue permet l'amélioration continue")


def _stabilite(marche: Marche, subsequent: MarcheSubsequent | None) -> Raison:
    forme = marche.forme
    critere = "stabilité du titulaire"
    if forme is Forme.accord_cadre_multi_attributaire_bons_de_commande:
        return Raison(critere, Niveau.bloquant,
                      "accord-cadre multi-attributaire à bons de commande : le titulaire change "
                      "d'une commande à l'autre, sans continuité d'exécution")
    if forme is Forme.accord_cadre_multi_attributaire_marches_subsequents:
        duree_ms = subsequent.duree_mois if subsequent else marche.duree_marches_subsequents_mois or 0
        quoi = f"marché subséquent n° {subsequent.numero}" if subsequent else "marchés subséquents"
        if duree_ms < DUREE_RECOMMANDEE_MOIS:
            return Raison(critere, Niveau.bloquant,
                          f"{quoi} de {duree_ms} mois : un accord-cadre multi-attributaire ne "
                          "convient que si le marché subséquent dure au moins 2 ans")
        if subsequent is not None:
            return Raison(critere, Niveau.favorable,
                          f"{quoi} de {duree_ms} mois (au moins 2 ans) : un titulaire unique, "
                          f"{subsequent.titulaire.raison_sociale}, pendant toute son exécution")
        return Raison(critere, Niveau.reserve,
                      f"{quoi} de {duree_ms} mois (au moins 2 ans) : le plan de progrès est "
                      "rattaché à chaque marché subséquent et à son titulaire")
    return Raison(critere, Niveau.favorable,
                  f"{LABELS[forme]} : un titulaire unique pendant toute l'exécution")


def duree_effective(marche: Marche, subsequent: MarcheSubsequent | None = None) -> int:
    """The duration the plan runs on: the subsequent contract's where there is one."""
    if subsequent is not None:
        return subsequent.duree_mois
    if marche.forme is Forme.accord_cadre_multi_attributaire_marches_subsequents:
        return min(marche.duree_mois, marche.duree_marches_subsequents_mois or marche.duree_mois)
    return marche.duree_mois


def _duree(marche: Marche, subsequent: MarcheSubsequent | None) -> Raison:
    duree = duree_effective(marche, subsequent)
    de_quoi = f" (marché subséquent n° {subsequent.numero})" if subsequent else ""
    if duree < DUREE_MINIMALE_MOIS:
        return Raison("durée", Niveau.bloquant,
                      f"{duree} mois{de_quoi} : aucun bilan annuel ni renouvellement du plan ne peut "
                      "avoir lieu avant la fin de l'exécution")
    if duree < DUREE_RECOMMANDEE_MOIS:
        return Raison("durée", Niveau.reserve,
                      f"{duree} mois{de_quoi} : une durée d'au moins 2 ans est préconisée pour "
                      "laisser le plan progresser")
    if duree >= DUREE_IDEALE_MOIS and marche.forme is Forme.accord_cadre_mono_attributaire:
        return Raison("durée", Niveau.favorable,
                      f"{duree} mois : les accords-cadres de 4 ans se prêtent particulièrement "
                      "bien aux plans de progrès")
    return Raison("durée", Niveau.favorable,
                  f"{duree} mois{de_quoi} : au moins 2 ans, la durée préconisée")


def _montant() -> Raison:
    return Raison("montant", Niveau.favorable,
                  "le montant n'est jamais bloquant : même un marché de montant modeste peut "
                  "porter un plan de progrès dès lors que sa durée est suffisante")


AXES_MARCHE_RESERVE = (
    "parcours et formation", "tutorat", "PMSMP et découverte des métiers",
    "santé et sécurité au travail", "lutte contre l'illettrisme", "sorties vers l'emploi durable",
)


def article_reservation(reservation: Reservation) -> str:
    """« article L. 2113-13 » for ``L2113-13``."""
    return f"article L. {reservation.article.value.removeprefix('L')}"


def _reservation(reservation: Reservation, heures_au_plan: bool) -> Raison:
    axes = ", ".join(AXES_MARCHE_RESERVE)
    if heures_au_plan:
        return Raison("marché réservé", Niveau.reserve,
                      f"marché réservé ({article_reservation(reservation)}) : les salariés sont déjà en "
                      "parcours d'insertion ou en emploi adapté ; un objectif en heures d'insertion "
                      "serait atteint d'office et ne mesure aucun progrès — retenez plutôt : "
                      f"{axes}", SEED_PERIMETRE)
    return Raison("marché réservé", Niveau.favorable,
                  f"marché réservé ({article_reservation(reservation)}) : le plan porte sur la qualité des "
                  f"parcours des salariés affectés au marché — axes adaptés : {axes}", SEED_PERIMETRE)


# --- the insertion clause -------------------------------------------------------


def _insertion(marche: Marche, reservation: Reservation | None) -> Avis:
    if reservation is not None:
        qui = ("de personnes en parcours d'insertion"
               if reservation.article is ArticleReservation.l2113_13
               else "de travailleurs handicapés en emploi adapté")
        return _avis((Raison("marché réservé", Niveau.bloquant,
                             f"marché réservé ({article_reservation(reservation)}) : la main-d'œuvre est "
                             f"déjà composée {qui} ; une clause d'insertion en heures n'a pas de "
                             "sens", SEED_PERIMETRE),))
    raisons = [Raison("fondement", Niveau.favorable,
                      "condition d'exécution à caractère social (article L. 2112-2 du code de la "
                      "commande publique), possible quelle que soit la durée du marché",
                      "article L. 2112-2 du code de la commande publique")]
    if marche.nature is Nature.fournitures:
        raisons.append(Raison("nature", Niveau.reserve,
                              "fournitures : la clause suppose des heures de travail sur le marché "
                              "(fabrication dédiée, livraison, pose) ; une simple livraison en génère "
                              "peu", SEED_PERIMETRE))
    elif marche.nature is Nature.travaux:
        raisons.append(Raison("nature", Niveau.favorable,
                              "travaux : chantier à forte part de main-d'œuvre, terrain habituel de "
                              "la clause d'insertion (relevé mensuel, bilan final après la fin "
                              "de l'exécution)",
                              "« Comment introduire des clauses sociales dans ses marchés ? », "
                              "étapes 2, 4 et 5"))
    else:
        raisons.append(Raison("nature", Niveau.favorable,
                              "services : les heures de travail affectées au marché se comptent "
                              "chaque mois", SEED_PERIMETRE))
    return _avis(tuple(raisons))


# --- entry points ----------------------------------------------------------------


def assess_faisabilite(marche: Marche, *, subsequent: MarcheSubsequent | None = None,
                       reservation: Reservation | None = None,
                       heures_au_plan: bool = False, insertion_retenue: bool = False) -> Faisabilite:
    """Assess the market (or one of its subsequent contracts) against every criterion.

    ``insertion_retenue``: the dossier already carries the insertion clause alone, which is
    then not offered again as a lever."""
    raisons = [_nature(marche), _continuite(marche), _stabilite(marche, subsequent),
               _duree(marche, subsequent), _montant()]
    if reservation is not None:
        raisons.append(_reservation(reservation, heures_au_plan))
    plan = _avis(tuple(raisons))
    insertion = _insertion(marche, reservation)
    leviers = (leviers_pour(marche, reserve=reservation is not None,
                            insertion_possible=(insertion.verdict is not Verdict.non_adapte
                                                and not insertion_retenue))
               if plan.verdict is Verdict.non_adapte else ())
    return Faisabilite(plan=plan, insertion=insertion, leviers=leviers,
                       marche_subsequent=subsequent.numero if subsequent else None,
                       insertion_seule=insertion_retenue)


def assess_dossier(dossier: Dossier, numero: int | None = None) -> Faisabilite:
    """The verdict of a dossier's market, or of its subsequent contract ``numero``."""
    subsequent = dossier.marche_subsequent(numero) if numero is not None else None
    insertion = dossier.insertion
    heures = (dossier.plan_de_progres is not None and insertion is not None
              and insertion.mode.value == "heures")
    return assess_faisabilite(dossier.marche, subsequent=subsequent,
                              reservation=dossier.reservation, heures_au_plan=heures,
                              insertion_retenue=dossier.clause_insertion is not None)
