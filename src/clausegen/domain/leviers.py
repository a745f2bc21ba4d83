"""The other social levers offered when a market does not suit a plan de progrès.

Each lever carries its legal basis as verified in the domain brief (``[V]``) or, where the
exact article was not verified, described by its subject — a reference is never invented.
"""

from __future__ import annotations

from dataclasses import dataclass

from clausegen.models.dossier import Marche, Nature


@dataclass(frozen=True)
class Levier:
    """One social lever, its legal basis and why it fits this market."""

    code: str
    libelle: str
    base_legale: str
    message: str


CLAUSE_INSERTION = Levier(
    "clause_insertion", "Clause d'insertion, condition d'exécution",
    "article L. 2112-2 du code de la commande publique",
    "un volume d'heures de travail réservé à des personnes éloignées de l'emploi, suivi par le "
    "facilitateur (relevés mensuels, bilan final) ; possible quelle que soit la durée du marché "
    "(commande « clausegen ccap » avec une section clause_insertion)")

MARCHE_RESERVE = Levier(
    "marche_reserve", "Marché ou lot réservé",
    "articles L. 2113-12 (entreprises adaptées, ESAT) et L. 2113-13 (structures d'insertion par "
    "l'activité économique) du code de la commande publique ; part minimale de 50 % de "
    "travailleurs concernés (article R. 2113-7)",
    "réserver la prochaine consultation, ou un lot, à des opérateurs employant des travailleurs "
    "handicapés ou défavorisés")

CRITERE_SOCIAL = Levier(
    "critere_social", "Critère d'attribution social",
    "article R. 2152-7 du code de la commande publique (performances en matière d'insertion "
    "professionnelle des publics en difficulté) ; CE, 25 mai 2018, Nantes Métropole, n° 417580",
    "noter les offres sur l'insertion des publics en difficulté dans l'exécution du marché, lié à "
    "son objet — jamais sur la politique sociale générale de l'entreprise")

INSERTION_OBJET = Levier(
    "insertion_objet", "L'insertion comme objet du marché",
    "l'objet même du marché : achat d'une prestation de qualification et d'insertion "
    "professionnelles prenant appui sur une activité support (fondement précis à vérifier "
    "selon la procédure retenue, par exemple le régime des services sociaux et autres services "
    "spécifiques de l'article R. 2123-1 du code de la commande publique)",
    "acheter directement un parcours d'insertion (encadrement technique, accompagnement "
    "socioprofessionnel, formation) dont le nettoyage, l'entretien d'espaces ou de petits "
    "travaux sont le support")


def leviers_pour(marche: Marche, *, reserve: bool, insertion_possible: bool) -> tuple[Levier, ...]:
    """The levers that fit a market judged non adapté for a plan de progrès."""
    found: list[Levier] = []
    if insertion_possible:
        found.append(CLAUSE_INSERTION)
    if not reserve:
        found.append(MARCHE_RESERVE)
    found.append(CRITERE_SOCIAL)
    if marche.nature is not Nature.fournitures:
        found.append(INSERTION_OBJET)
    return tuple(found)
