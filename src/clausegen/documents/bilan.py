"""The bilan's computed content: results table, chart, actions, penalties table."""

from __future__ import annotations

from clausegen.blocks import Block, Image
from clausegen.documents._blocks import bullets, paragraph, table
from clausegen.domain.bilan import Bilan
from clausegen.text.french import montant, nombre, pourcentage, typographie


def resultats_blocks(bilan: Bilan) -> list[Block]:
    """One row per objective: target, value reached, achievement rate; then the chart."""
    rows = [[o.objectif.libelle, f"{nombre(o.objectif.valeur_cible)} {o.objectif.unite}",
             f"{nombre(o.valeur_atteinte)} {o.objectif.unite}", pourcentage(o.taux)]
            for o in bilan.objectifs]
    grid = table(["Objectif", "Valeur cible", "Valeur atteinte", "Taux de réalisation"], rows)
    from clausegen.documents.graphique import (  # matplotlib: only to draw
        graphique_realisation,
        texte_alternatif,
    )

    chart = Image(graphique_realisation(bilan.objectifs), width_cm=16.0,
                  caption="Taux de réalisation des objectifs de l'année (trait : objectif à 100 %)",
                  alt=typographie(texte_alternatif(bilan.objectifs)))
    return [grid, chart]


def actions_blocks(bilan: Bilan) -> list[Block]:
    """The actions of the plan that were not done."""
    if not bilan.actions_non_realisees:
        return [paragraph("Toutes les actions du plan ont été réalisées.")]
    return [paragraph("Actions du plan non réalisées à leur échéance :"),
            *bullets(bilan.actions_non_realisees)]


def penalites_blocks(bilan: Bilan) -> list[Block]:
    """Penalty lines, total, cap and the amount incurred."""
    if not bilan.penalites:
        return [paragraph("Aucune pénalité n'est encourue au titre de l'année.", bold=True)]
    rows = [[line.manquement, f"{nombre(line.quantite)} {line.unite}{'s' if line.quantite > 1 else ''}",
             montant(line.taux), montant(line.montant)] for line in bilan.penalites]
    rows.append(["Total avant plafond", "", "", montant(bilan.total)])
    rows.append(["Plafond annuel", "", "", montant(bilan.plafond)])
    grid = table(["Manquement", "Quantité", "Taux unitaire (HT)", "Montant (HT)"], rows)
    conclusion = f"Montant des pénalités encourues au titre de l'année : {montant(bilan.du, ht=True)}"
    if bilan.plafonne:
        conclusion += " (montant plafonné)"
    return [grid, paragraph(conclusion + ".", bold=True)]
