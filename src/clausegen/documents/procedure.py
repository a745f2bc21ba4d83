"""How documents say where each penalty procedure stands, with its dates (issue 20).

One wording for the bilan, the letter that transmits it and the three procedure letters (mise
en demeure, invitation to present observations, decision): a line is described only with the
steps known on the document's day (:func:`clausegen.domain.procedure.au`).
"""

from __future__ import annotations

from collections.abc import Sequence

from clausegen.blocks import Block
from clausegen.documents._blocks import bullets, paragraph, table
from clausegen.domain.bilan import LignePenalite
from clausegen.domain.procedure import (
    EtatProcedure,
    Nature,
    fin_de_la_mise_en_demeure,
    fin_observations,
)
from clausegen.models.suivi import Decision
from clausegen.text.french import date_longue, montant, pluriel


def etat_detaille(ligne: LignePenalite) -> str:
    """The state of a line's procedure, with the dates that justify it."""
    etat = ligne.etat
    procedure = ligne.procedure
    if etat is EtatProcedure.sans_penalite:
        return ligne.sans_penalite or "sans pénalité"
    if etat is EtatProcedure.a_mettre_en_demeure:
        return "constaté\u00a0; mise en demeure à adresser avant toute pénalité"
    if etat is EtatProcedure.mise_en_demeure and procedure and procedure.mise_en_demeure:
        fin = fin_de_la_mise_en_demeure(procedure)
        if fin is None or procedure.mise_en_demeure_recue_le is None:
            return (f"mise en demeure du {date_longue(procedure.mise_en_demeure)}, date de réception à "
                    "enregistrer (son délai court du lendemain de sa réception)")
        return (f"mise en demeure du {date_longue(procedure.mise_en_demeure)} reçue le "
                f"{date_longue(procedure.mise_en_demeure_recue_le)}, délai expirant le {date_longue(fin)}")
    if etat is EtatProcedure.constatee:
        suffixe = ""
        if procedure and procedure.mise_en_demeure:
            suffixe = f" (mise en demeure du {date_longue(procedure.mise_en_demeure)} restée sans effet)"
        return "constatée, observations du titulaire à recueillir" + suffixe
    assert procedure is not None
    assert procedure.invitation_observations is not None
    if etat is EtatProcedure.en_cours:
        return (f"observations demandées le {date_longue(procedure.invitation_observations)} "
                f"(délai expirant le {date_longue(fin_observations(procedure.invitation_observations))})")
    assert procedure.date_decision is not None
    jour = date_longue(procedure.date_decision)
    if procedure.issue is Decision.reduite and procedure.montant_retenu is not None:
        return f"applicable, réduite à {montant(procedure.montant_retenu, ht=True)} (décision du {jour})"
    if procedure.issue is Decision.ecartee:
        return f"écartée (décision du {jour})"
    return f"applicable (décision du {jour})"


def calcul(ligne: LignePenalite) -> str:
    """« 3 jours × 100,00 € » (a dash for a line that carries no penalty)."""
    if ligne.sans_penalite is not None:
        return "\u2014"
    return f"{pluriel(ligne.quantite, ligne.unite)} × {montant(ligne.taux)}"


def lignes_table(lignes: Sequence[LignePenalite]) -> Block:
    """The failings of a procedure letter: what, the computation, the amount, where it stands."""
    return table(["Manquement", "Calcul (HT)", "Montant (HT)", "État de la procédure"],
                 [[x.manquement, calcul(x), montant(x.montant), etat_detaille(x)] for x in lignes])


def liste_par_etat(lignes: Sequence[LignePenalite], observations: Sequence[LignePenalite],
                   jour_lettre: str) -> list[Block]:
    """The bilan letter's line-by-line list: penalties put to observations by this letter,
    those that still await a mise en demeure, those already in procedure or decided, those
    that carry none."""
    sections: list[tuple[str, list[str]]] = []
    if observations:
        sections.append(("Manquements soumis à vos observations par la présente lettre\u00a0:",
                         [f"{x.manquement}\u00a0: {montant(x.montant, ht=True)}" for x in observations]))
    attente = [x for x in lignes if x.etat in (EtatProcedure.a_mettre_en_demeure,
                                               EtatProcedure.mise_en_demeure)]
    if attente:
        sections.append(("Manquements qui attendent une mise en demeure restée sans effet, sans "
                         "pénalité à ce jour\u00a0:", [f"{x.manquement}\u00a0: {etat_detaille(x)}"
                                                      for x in attente]))
    autres = [x for x in lignes if x not in observations and x not in attente
              and x.etat is not EtatProcedure.sans_penalite]
    if autres:
        sections.append((f"Procédures déjà engagées ou décidées au {jour_lettre}\u00a0:",
                         [f"{x.manquement}\u00a0: {etat_detaille(x)}" for x in autres]))
    sans = [x for x in lignes if x.etat is EtatProcedure.sans_penalite]
    if sans:
        sections.append(("Retards sans pénalité\u00a0:",
                         [f"{x.manquement}\u00a0: {x.sans_penalite}" for x in sans]))
    blocks: list[Block] = []
    for titre, items in sections:
        blocks += [paragraph(titre, bold=True), *bullets(items)]
    return blocks


def objet_mise_en_demeure(ligne: LignePenalite, avec_delai: bool) -> str:
    """One item of a mise en demeure: the missed deadline, and the délai when it differs."""
    echeance = f" le {date_longue(ligne.echeance)}" if ligne.echeance else ""
    if ligne.nature is Nature.retard:
        texte = f"transmission du document «\u00a0{ligne.objet}\u00a0», attendu{echeance}, non reçu à ce jour"
    else:
        texte = f"action «\u00a0{ligne.objet}\u00a0», à réaliser au plus tard{echeance}, non réalisée"
    if avec_delai and ligne.procedure is not None:
        texte += f" (délai\u00a0: {ligne.procedure.delai_mise_en_demeure_jours}\u00a0jours)"
    return texte


def objet_invitation(ligne: LignePenalite) -> str:
    """One item of an invitation to present observations: the failing, its computation, its
    amount and, when the CCAP requires one, the mise en demeure left without effect."""
    texte = f"{ligne.manquement}\u00a0: {calcul(ligne)}, soit {montant(ligne.montant, ht=True)}"
    procedure = ligne.procedure
    fin = fin_de_la_mise_en_demeure(procedure)
    if procedure is not None and procedure.mise_en_demeure is not None and fin is not None:
        texte += (f"\u00a0; mise en demeure du {date_longue(procedure.mise_en_demeure)}, reçue le "
                  f"{date_longue(procedure.mise_en_demeure_recue_le or fin)}, restée sans effet à "
                  f"l'expiration de son délai, le {date_longue(fin)}")
    elif ligne.nature is Nature.action_datee:
        texte += "\u00a0; action liée à une date, qui ne peut plus être réalisée"
    return texte


DEFAUT_MOTIF = ("le manquement est établi, et aucun élément ne montre que l'engagement n'a pu être "
                "réalisé du fait de l'acheteur ou du facilitateur")


def objet_decision(ligne: LignePenalite, _index: int = 0) -> str:
    """One item of a decision: the penalty considered, the observations (or their absence),
    the decision and its reasons."""
    procedure = ligne.procedure
    assert procedure is not None
    assert procedure.invitation_observations is not None
    texte = (f"{ligne.manquement}\u00a0: pénalité envisagée de {montant(ligne.montant, ht=True)} "
             f"({calcul(ligne)}), soumise à vos observations le "
             f"{date_longue(procedure.invitation_observations)}\u00a0; ")
    if procedure.observations_recues_le is not None:
        texte += f"observations reçues le {date_longue(procedure.observations_recues_le)}"
        if procedure.observations_titulaire:
            texte += f" («\u00a0{procedure.observations_titulaire}\u00a0»)"
    elif procedure.observations_titulaire:
        texte += f"observations présentées\u00a0: «\u00a0{procedure.observations_titulaire}\u00a0»"
    else:
        texte += "aucune observation reçue dans le délai"
    issue = procedure.issue
    if issue is Decision.reduite and procedure.montant_retenu is not None:
        texte += f". Décision\u00a0: pénalité réduite à {montant(procedure.montant_retenu, ht=True)}"
    elif issue is Decision.ecartee:
        texte += ". Décision\u00a0: pénalité écartée"
    else:
        texte += f". Décision\u00a0: pénalité appliquée, soit {montant(ligne.montant, ht=True)}"
    motifs = (procedure.motifs or DEFAUT_MOTIF).rstrip(".")
    return texte + f". Motifs\u00a0: {motifs}."
