"""The bilan's computed content: meeting, results, chart, actions of both parties, penalties by
procedure state, difficulties, the titulaire's observations and the visas."""

from __future__ import annotations

from clausegen.blocks import Block, Image
from clausegen.documents._blocks import bullets, paragraph, table
from clausegen.domain.bilan import Bilan, EtatProcedure
from clausegen.domain.procedure import EN_ATTENTE_DE_MISE_EN_DEMEURE
from clausegen.models.suivi import ResultatsAnnuels, ReunionBilan
from clausegen.text.french import date_longue, montant, nombre, pourcentage, typographie

PARTIES = {"titulaire": "Titulaire", "acheteur": "Acheteur"}


def reunion_blocks(reunion: ReunionBilan | None) -> list[Block]:
    """Date, place and participants of the bilan meeting (or a line to fill in)."""
    if reunion is None:
        return [paragraph("Réunion de bilan : date, lieu et participants à compléter.", bold=True)]
    lines = [f"Date de la réunion : {date_longue(reunion.date_reunion)}"]
    if reunion.lieu:
        lines.append(f"Lieu : {reunion.lieu}")
    blocks: list[Block] = [paragraph(line) for line in lines]
    if reunion.participants:
        blocks += [paragraph("Participants :"), *bullets(reunion.participants)]
    return blocks


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
                  caption="Figure 1 – Taux de réalisation des objectifs de l'année "
                          "(pointillés : objectif atteint à 100 %)",
                  alt=typographie(texte_alternatif(bilan.objectifs)))
    return [grid, chart]


def actions_blocks(bilan: Bilan) -> list[Block]:
    """Every action of the plan, of both parties, with its result."""
    if not bilan.actions:
        return [paragraph("Le plan de l'année ne comportait aucune action datée.")]
    rows = [[PARTIES[a.partie], a.action.libelle, date_longue(a.action.echeance),
             "réalisée" if a.realisee else "non réalisée", a.commentaire or ""]
            for a in bilan.actions]
    return [table(["Partie", "Action", "Échéance", "Résultat", "Observation"], rows)]


def penalites_blocks(bilan: Bilan, jour: str = "jour de la réunion de bilan",
                     periode: str = "de l'année") -> list[Block]:
    """Penalty lines with the state of their procedure on the bilan's day (``jour`` says what
    that day is); totals by state; cap; amount due « au titre de l'année » (``periode``)."""
    from clausegen.documents.procedure import calcul, etat_detaille

    if not bilan.penalites:
        return [paragraph("Aucun manquement n'est constaté au titre de l'année.", bold=True)]
    rows = [[line.manquement, calcul(line),
             "\u2014" if line.sans_penalite is not None else montant(line.montant), etat_detaille(line)]
            for line in bilan.penalites]
    rows.append(["Total des pénalités encourues", "", montant(bilan.total()), ""])
    attente = bilan.total(*EN_ATTENTE_DE_MISE_EN_DEMEURE)
    if attente:
        rows.append(["dont en attente d'une mise en demeure", "", montant(attente), ""])
    rows.append(["dont en cours de procédure", "",
                 montant(bilan.total(EtatProcedure.constatee, EtatProcedure.en_cours)), ""])
    rows.append(["dont applicables", "", montant(bilan.applicable), ""])
    rows.append(["Plafond annuel" if periode == "de l'année" else "Plafond", "", montant(bilan.plafond), ""])
    grid = table(["Manquement", "Calcul (HT)", "Montant (HT)", "État de la procédure"], rows)
    conclusion = (f"Montant des pénalités applicables au titre {periode} : "
                  f"{montant(bilan.du, ht=True)}")
    if bilan.plafonne:
        conclusion += " (montant plafonné)"
    notes = [paragraph(conclusion + ".", bold=True)]
    if bilan.au is not None:
        notes.append(paragraph(f"État des procédures au {date_longue(bilan.au)}, {jour}."))
    if bilan.total(EtatProcedure.constatee, EtatProcedure.en_cours, *EN_ATTENTE_DE_MISE_EN_DEMEURE):
        notes.append(paragraph(
            "Les pénalités constatées ou en cours de procédure ne sont pas dues à ce jour : elles "
            "ne le deviennent qu'à la notification de la décision de l'acheteur, après la mise en "
            "demeure lorsque le CCAP la prévoit et la procédure contradictoire."))
    return [grid, *notes]


def difficultes_blocks(resultats: ResultatsAnnuels) -> list[Block]:
    """Difficulties met and analysis of the gaps (or a line to fill in)."""
    if not resultats.difficultes:
        return [paragraph("Aucune difficulté n'a été signalée.")]
    return [*bullets(resultats.difficultes)]


def observations_blocks(resultats: ResultatsAnnuels) -> list[Block]:
    """The titulaire's observations on the bilan (or a line to fill in)."""
    return [paragraph(resultats.observations_titulaire
                      or "Le titulaire n'a pas présenté d'observations.")]


def visas_blocks(acheteur: str, facilitateur: str, titulaire: str | None) -> list[Block]:
    """Visa table of the parties, with room to sign."""
    rows = [["Pour l'acheteur", acheteur, "\n\n\n"],
            ["Le facilitateur", facilitateur, "\n\n\n"]]
    if titulaire:
        rows.append(["Pour le titulaire (pris connaissance)", titulaire, "\n\n\n"])
    return [table(["Visa", "Nom et qualité", "Date et signature"], rows)]
