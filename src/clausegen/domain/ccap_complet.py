"""What the complete CCAP needs beyond the social chapter (checked before it is generated)."""

from __future__ import annotations

from clausegen.errors import FieldProblem
from clausegen.models.administratif import Administratif
from clausegen.models.dossier import Dossier, Forme
from clausegen.models.fragment import CcagTable
from clausegen.text.french import montant


def missing_fields(dossier: Dossier) -> list[FieldProblem]:
    """Fields the complete CCAP cannot do without, with what is expected (empty: complete).

    An accord-cadre states its maximum (article R. 2162-4 of the code de la commande
    publique); the social chapter alone (``--chapitre``) does not need it.
    """
    return administratif_problems(dossier.marche.forme, dossier.administratif)


def administratif_problems(forme: Forme | None, administratif: Administratif) -> list[FieldProblem]:
    """:func:`missing_fields` from the market's form (None: not known yet, the maximum is not
    asked for) and the administrative section alone: an interview checks them on the step
    that holds the amounts before the rest of the dossier is valid."""
    problems: list[FieldProblem] = []
    if forme not in (None, Forme.marche_ordinaire) and administratif.montant_maximum_ht is None:
        problems.append(FieldProblem(
            "administratif.montant_maximum_ht",
            "montant maximum de l'accord-cadre en euros HT, obligatoire pour le CCAP complet "
            "(article R. 2162-4 du code de la commande publique) ; sans lui, générez le seul "
            "chapitre social avec --chapitre",
        ))
    minimum = administratif.montant_minimum_ht
    maximum = administratif.montant_maximum_ht
    if minimum is not None and maximum is not None and minimum > maximum:
        problems.append(FieldProblem(
            "administratif.montant_minimum_ht",
            "un montant minimum inférieur ou égal au montant maximum attendu (minimum "
            f"{montant(minimum, ht=True)}, maximum {montant(maximum, ht=True)})",
        ))
    return problems


def unknown_ccag_keys(dossier: Dossier, table: CcagTable) -> list[FieldProblem]:
    """Keys of ``administratif.ccag_articles`` that name no stipulation the clauses cite."""
    known = ", ".join(sorted(table.articles))
    return [FieldProblem(f"administratif.ccag_articles.{cle}",
                         f"une clé de stipulation du CCAG citée par les clauses ({known})")
            for cle in sorted(dossier.administratif.ccag_articles) if cle not in table.articles]
