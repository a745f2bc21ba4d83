"""The parts of a letter that are layout, not wording: header, signature, « Bon pour accord »."""

from __future__ import annotations

from datetime import date

from clausegen.blocks import Block
from clausegen.documents._blocks import heading, paragraph, table
from clausegen.models.dossier import Dossier, Signataire
from clausegen.text.french import date_longue, fonction


def _lignes(adresse: str) -> str:
    return "\n".join(part.strip() for part in adresse.split(","))


ENVOI = {
    "lrar": "Lettre recommandée avec accusé de réception",
    "profil_acheteur": "Notification par le profil d'acheteur",
}
"""The dispatch mode printed on letters that need a date certaine."""


def _personne(signataire: Signataire) -> str:
    civilite = f"{signataire.civilite}\u00a0" if signataire.civilite else ""
    return f"{civilite}{signataire.nom}, {fonction(signataire.qualite)}"


def en_tete(dossier: Dossier, jour: date, objet: str, *, date_certaine: bool = True) -> list[Block]:
    """French administrative letter head: sender block (top left) with « Affaire suivie par »,
    recipient block left-aligned in the window-envelope position, place and date under it,
    reference line, subject and, for a letter that needs a date certaine (``date_certaine``:
    formalisation, transmission of a bilan), the dispatch mode."""
    acheteur = dossier.acheteur
    expediteur = acheteur.nom + (f"\n{acheteur.service}" if acheteur.service else "")
    expediteur += "\n" + _lignes(acheteur.adresse)
    if acheteur.affaire_suivie_par:
        expediteur += f"\n\nAffaire suivie par : {acheteur.affaire_suivie_par}"
    blocks: list[Block] = [paragraph(expediteur, "gauche")]
    titulaire = dossier.titulaire
    if titulaire is not None:
        dest = f"{ENVOI[acheteur.envoi]}\n\n" if date_certaine else ""
        dest += titulaire.raison_sociale
        if titulaire.representant:
            dest += f"\nÀ l'attention de {_personne(titulaire.representant)}"
        blocks.append(paragraph(dest + "\n" + _lignes(titulaire.adresse), "destinataire"))
    blocks.append(paragraph(f"{acheteur.ville}, le {date_longue(jour)}", "destinataire"))
    marche = dossier.marche
    blocks.append(paragraph(f"N/Réf. : marché n° {marche.reference} \u2013 {marche.objet}"))
    blocks.append(paragraph(f"Objet : {objet}", bold=True))
    return blocks


def signature(dossier: Dossier) -> list[Block]:
    """The buyer's signatory, with the delegation line and room to sign and stamp."""
    signataire = dossier.acheteur.signataire
    lines = [signataire.delegation] if signataire.delegation else []
    lines += [signataire.qualite, "\n\n\n", signataire.nom]
    copie = f"Copie : {dossier.facilitateur.nom}, {dossier.facilitateur.structure}"
    return [paragraph("\n".join(lines), "signature"), paragraph(copie, "gauche")]


def bon_pour_accord(dossier: Dossier) -> list[Block]:
    """The titulaire's acceptance block: « Bon pour accord », date, signature.

    The mention and the signature share one table row, and rows never split across pages
    (``w:cantSplit``): an acceptance whose mention and signature sit on different sheets
    invites contestation (legal review of 7 December 2026, NM9)."""
    titulaire = dossier.titulaire
    nom = titulaire.raison_sociale if titulaire else "Le titulaire"
    qui = (_personne(titulaire.representant)
           if titulaire and titulaire.representant else "Nom et qualité du signataire :")
    grid = table([f"Pour le titulaire, {nom}"],
                 [[f"Mention manuscrite « Bon pour accord »\n\n\n{qui}\nDate : ……/……/…………"
                   "\n\nSignature :\n\n\n"]])
    return [heading(3, "Acceptation du titulaire"), grid]
