"""Who may see or change what: one function per rule, called by every route.

Every rule starts from the same fence: nobody sees another organisation's data.
Routes answer 404 when a dossier is outside what the account may see (its existence is
not revealed), 403 when the account sees it but its role may not do the action.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false

from clausegen.db import Compte, DossierWeb, Role, Soumission, Suivi

LECTEURS_DE_L_ORGANISATION = (Role.acheteur, Role.juriste, Role.administrateur)


def meme_organisation(compte: Compte, organisation_id: int) -> bool:
    """The fence of every rule."""
    return compte.organisation_id == organisation_id


def peut_voir_dossier(compte: Compte, dossier: DossierWeb) -> bool:
    """Buyers, lawyers and administrators see their organisation's dossiers; a facilitator
    only the markets he follows."""
    if not meme_organisation(compte, dossier.organisation_id):
        return False
    if compte.role == Role.facilitateur:
        return dossier.facilitateur_id == compte.id and dossier.supprime_le is None
    return compte.role in LECTEURS_DE_L_ORGANISATION


def peut_creer_dossier(compte: Compte) -> bool:
    """Only buyers create (or import) dossiers."""
    return compte.role == Role.acheteur


def peut_modifier_dossier(compte: Compte, dossier: DossierWeb) -> bool:
    """Only the organisation's buyers fill in a dossier, choose its facilitator, generate;
    a dossier in the recycle bin is read-only until restored."""
    return peut_ranger_dossier(compte, dossier) and dossier.supprime_le is None


def peut_ranger_dossier(compte: Compte, dossier: DossierWeb) -> bool:
    """Archiving, putting in the recycle bin, restoring: the organisation's buyers, those who
    may change it (never a titulaire, a facilitator or a lawyer)."""
    return meme_organisation(compte, dossier.organisation_id) and compte.role == Role.acheteur


def peut_dupliquer_dossier(compte: Compte, dossier: DossierWeb) -> bool:
    """A copy is a new dossier of the organisation: a buyer who sees the original."""
    return peut_creer_dossier(compte) and peut_voir_dossier(compte, dossier)


def peut_generer(compte: Compte, dossier: DossierWeb) -> bool:
    """Generating the pieces is the buyer's act."""
    return peut_modifier_dossier(compte, dossier)


def peut_gerer_comptes(compte: Compte) -> bool:
    """Only administrators create, change or deactivate accounts (of their organisation)."""
    return compte.role == Role.administrateur


def peut_gerer_compte(compte: Compte, cible: Compte) -> bool:
    """An administrator manages his organisation's accounts, and cannot lock himself out."""
    return (peut_gerer_comptes(compte) and meme_organisation(compte, cible.organisation_id)
            and cible.id != compte.id)


def peut_changer_statut_fragment(compte: Compte) -> bool:
    """Only lawyers move a fragment through its statuses (the legal desk, issue 12)."""
    return compte.role == Role.juriste


def peut_lire_bibliotheque(compte: Compte) -> bool:
    """Lawyers, buyers and administrators browse their organisation's library."""
    return compte.role in LECTEURS_DE_L_ORGANISATION


def peut_modifier_bibliotheque(compte: Compte) -> bool:
    """New versions, draft edits, status changes and releases: lawyers only."""
    return peut_changer_statut_fragment(compte)


def suit_le_marche(compte: Compte, dossier: DossierWeb) -> bool:
    """The facilitator designated on this market (he alone runs its year)."""
    return (meme_organisation(compte, dossier.organisation_id) and compte.role == Role.facilitateur
            and dossier.facilitateur_id == compte.id)


def est_titulaire_du_marche(compte: Compte, dossier: DossierWeb, suivi: Suivi | None) -> bool:
    """The titulaire's account linked to this market (and to no other)."""
    return (meme_organisation(compte, dossier.organisation_id) and compte.role == Role.titulaire
            and suivi is not None and suivi.titulaire_id == compte.id)


def peut_voir_suivi(compte: Compte, dossier: DossierWeb, suivi: Suivi | None) -> bool:
    """The year of a market: its facilitator, its titulaire, and the organisation's readers."""
    return (peut_voir_dossier(compte, dossier) or est_titulaire_du_marche(compte, dossier, suivi))


def peut_contribuer(compte: Compte, dossier: DossierWeb, suivi: Suivi | None) -> bool:
    """Submitting a draft plan or yearly results: the market's titulaire only."""
    return est_titulaire_du_marche(compte, dossier, suivi)


def peut_voir_soumission(compte: Compte, dossier: DossierWeb, suivi: Suivi | None,
                         soumission: Soumission) -> bool:
    """A submission and its proof: those who see the market as the buyer's side does, and,
    among titulaires, only the account that made it while it is still the market's titulaire
    (a market re-linked to another company never shows it the previous one's, W4)."""
    if peut_voir_dossier(compte, dossier):
        return True
    return (est_titulaire_du_marche(compte, dossier, suivi)
            and soumission.soumis_par_id == compte.id)


def dossiers_visibles(compte: Compte) -> ColumnElement[bool]:
    """The SQL condition of :func:`peut_voir_dossier`, for lists."""
    clause = DossierWeb.organisation_id == compte.organisation_id
    if compte.role == Role.facilitateur:
        return and_(clause, DossierWeb.facilitateur_id == compte.id, DossierWeb.supprime_le.is_(None))
    if compte.role in LECTEURS_DE_L_ORGANISATION:
        return clause
    return false()
