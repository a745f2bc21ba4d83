"""The annual plan as readable tables: the seven points of the CCAP, axis by axis."""

from __future__ import annotations

from clausegen.blocks import Block
from clausegen.documents._blocks import bullets, heading, paragraph, table
from clausegen.models._base import label
from clausegen.models.suivi import Action, AxePlan, PlanAnnuel
from clausegen.text.french import date_courte, nombre

AUCUNE = "Aucune action prévue pour cette année."


def _actions(actions: list[Action]) -> list[Block]:
    if not actions:
        return [paragraph(AUCUNE, "note")]
    return [table(["Action", "Échéance"], [[a.libelle, echeance(a)] for a in actions])]


def echeance(action: Action) -> str:
    """The action's due date, « (liée à cette date) » when it cannot be done later."""
    return date_courte(action.echeance) + (" (action liée à cette date)" if action.liee_a_une_date else "")


def _moyens(axe: AxePlan) -> list[Block]:
    rows = [["Titulaire", m] for m in axe.moyens_titulaire]
    rows += [["Acheteur", m] for m in axe.moyens_acheteur]
    if not rows:
        return [paragraph("Aucun moyen particulier.", "note")]
    return [table(["Partie", "Moyens mobilisés"], rows)]


def _calendrier(axe: AxePlan) -> list[Block]:
    dated = [(a.echeance, a.libelle, "Titulaire") for a in axe.actions_titulaire]
    dated += [(a.echeance, a.libelle, "Acheteur") for a in axe.actions_acheteur]
    dated += [(o.echeance, f"Objectif : {o.libelle}", "Titulaire") for o in axe.objectifs]
    rows = [[date_courte(d), what, who] for d, what, who in sorted(dated)]
    return [table(["Date", "Action ou objectif", "Partie"], rows)]


def axe_blocks(axe: AxePlan, number: int) -> list[Block]:
    """The seven points of one axis."""
    objectifs = table(["Objectif", "Valeur cible", "Échéance"],
                      [[o.libelle, f"{nombre(o.valeur_cible)} {o.unite}", date_courte(o.echeance)]
                       for o in axe.objectifs])
    indicateurs = table(["Indicateur", "Justificatif"],
                        [[o.indicateur, o.justificatif or "\u2013"] for o in axe.objectifs])
    return [
        heading(2, f"Axe {number} \u2013 {label(axe.axe)}"),
        heading(3, "1. Objectifs et valeurs cibles"), objectifs,
        heading(3, "2. Indicateurs"), indicateurs,
        heading(3, "3. Actions du titulaire"), *_actions(axe.actions_titulaire),
        heading(3, "4. Actions de l'acheteur"), *_actions(axe.actions_acheteur),
        heading(3, "5. Moyens de chaque partie"), *_moyens(axe),
        heading(3, "6. Calendrier"), *_calendrier(axe),
        heading(3, "7. Suivi et contrôle"), *bullets(axe.suivi_controle),
    ]


def plan_blocks(plan: PlanAnnuel) -> list[Block]:
    """Every axis of the plan."""
    blocks: list[Block] = []
    for number, axe in enumerate(plan.axes, start=1):
        blocks += axe_blocks(axe, number)
    return blocks
