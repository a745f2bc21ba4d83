"""The parts of a letter that are layout, not wording: header, signature, « Bon pour accord »."""

from __future__ import annotations

from datetime import date

from clausegen.blocks import Block
from clausegen.documents._blocks import heading, paragraph, table
from clausegen.models.dossier import Dossier
from clausegen.text.french import date_longue


def _lignes(adresse: str) -> str:
    return "\n".join(part.strip() for part in adresse.split(","))


def en_tete(dossier: Dossier, jour: date, objet: str) -> list[Block]:
    """Sender, recipient, « Ville, le … », reference and subject of a letter to the titulaire."""
    acheteur = dossier.acheteur
    expediteur = acheteur.nom + (f"\n{acheteur.service}" if acheteur.service else "")
    blocks: list[Block] = [paragraph(expediteur + "\n" + _lignes(acheteur.adresse), "gauche")]
    titulaire = dossier.titulaire
    if titulaire is not None:
        dest = titulaire.raison_sociale
        if titulaire.representant:
            dest += f"\nÀ l'attention de {titulaire.representant.nom}, {titulaire.representant.qualite}"
        blocks.append(paragraph(dest + "\n" + _lignes(titulaire.adresse), "droite"))
    blocks.append(paragraph(f"{acheteur.ville}, le {date_longue(jour)}", "droite"))
    marche = dossier.marche
    blocks.append(paragraph(f"Réf. : marché n° {marche.reference} \u2013 {marche.objet}"))
    blocks.append(paragraph(f"Objet : {objet}", bold=True))
    return blocks


def signature(dossier: Dossier) -> list[Block]:
    """The buyer's signatory, aligned right."""
    signataire = dossier.acheteur.signataire
    copie = f"Copie : {dossier.facilitateur.nom}, {dossier.facilitateur.structure}"
    return [paragraph(f"{signataire.qualite}\n\n{signataire.nom}", "droite"), paragraph(copie, "gauche")]


def bon_pour_accord(dossier: Dossier) -> list[Block]:
    """The titulaire's acceptance block: « Bon pour accord », date, signature."""
    titulaire = dossier.titulaire
    nom = titulaire.raison_sociale if titulaire else "Le titulaire"
    qui = (f"{titulaire.representant.nom}, {titulaire.representant.qualite}"
           if titulaire and titulaire.representant else "Nom et qualité du signataire :")
    grid = table([f"Pour le titulaire, {nom}"],
                 [["Mention manuscrite « Bon pour accord »\n\n\n"],
                  [f"{qui}\nDate : ……/……/…………\n\nSignature :\n\n\n"]])
    return [heading(3, "Acceptation du titulaire"), grid]
