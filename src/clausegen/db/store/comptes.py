"""An organisation's accounts as the administrator's pages and ``clausegen comptes`` read and
change them: every write goes with its audit-trail entry, in one transaction (the checks of
what is typed: :mod:`clausegen.web.comptes`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clausegen.db.journal import consigner
from clausegen.db.models import Compte, JetonCalendrier, Organisation


def list_comptes(session: Session, organisation_id: int) -> list[Compte]:
    """The organisation's accounts, by name."""
    return list(session.scalars(select(Compte).where(Compte.organisation_id == organisation_id)
                                .order_by(Compte.nom)))


def list_courriels(session: Session) -> list[str]:
    """Every account's address (to refuse a look-alike of one of them)."""
    return list(session.scalars(select(Compte.courriel)))


def find_compte(session: Session, compte_id: int) -> Compte | None:
    """One account by id (any organisation: the caller checks it may see it)."""
    return session.get(Compte, compte_id)


def find_compte_by_courriel(session: Session, courriel: str) -> Compte | None:
    """The account of a (normalised) e-mail address, in any organisation (addresses are unique)."""
    return session.scalar(select(Compte).where(Compte.courriel == courriel))


def find_organisation_by_nom(session: Session, nom: str) -> Organisation | None:
    """The organisation called ``nom``, or None."""
    return session.scalar(select(Organisation).where(Organisation.nom == nom))


def add_organisation(session: Session, nom: str) -> Organisation:
    """A new organisation (not committed: it is kept with its first account)."""
    organisation = Organisation(nom=nom)
    session.add(organisation)
    session.flush()
    return organisation


def add_compte(session: Session, organisation: Organisation, *, courriel: str, nom: str, role: str,
               empreinte: str) -> Compte:
    """A new active account whose password (``empreinte``: its hash) is provisional; not
    committed: :func:`record_creation` commits it with its journal entry."""
    compte = Compte(organisation=organisation, courriel=courriel, nom=nom, role=role,
                    mot_de_passe=empreinte, actif=True, numero_session=0,
                    mot_de_passe_provisoire=True)
    session.add(compte)
    session.flush()
    return compte


def designation(compte: Compte) -> str:
    """« Nom <courriel> », as the journal names an account."""
    return f"{compte.nom} <{compte.courriel}>"


def record_creation(session: Session, compte: Compte, *, par: Compte | None) -> None:
    """Journal the creation of ``compte`` (by an administrator, or the command line when
    ``par`` is None) and commit it."""
    consigner(session, action="creation_compte", objet=designation(compte), compte=par,
              acteur=None if par else "ligne de commande",
              details={"compte": compte.id, "role": compte.role,
                       "organisation": compte.organisation_id})


def revoke_calendrier(session: Session, compte: Compte) -> bool:
    """Delete the account's calendar feed token, if any (whether one was there); not committed."""
    jeton = session.get(JetonCalendrier, compte.id)
    if jeton is None:
        return False
    session.delete(jeton)
    return True


def set_role(session: Session, cible: Compte, role: str, *, par: Compte | None) -> None:
    """Give ``cible`` another role: its calendar link is revoked (a facilitateur's feed must
    not come back with the role); journaled, committed."""
    ancien = cible.role
    cible.role = role
    revoque = revoke_calendrier(session, cible)
    consigner(session, action="changement_role", objet=designation(cible), compte=par,
              details={"compte": cible.id, "avant": ancien, "apres": role,
                       "calendrier_revoque": revoque})


def set_actif(session: Session, cible: Compte, actif: bool, *, par: Compte | None) -> None:
    """Deactivate (every session ends, the calendar link is revoked) or reactivate an
    account; journaled, committed."""
    cible.actif = actif
    cible.numero_session += 1
    revoque = False if actif else revoke_calendrier(session, cible)
    consigner(session, action="reactivation" if actif else "desactivation", objet=designation(cible),
              compte=par, details={"compte": cible.id, "calendrier_revoque": revoque})


def set_mot_de_passe(session: Session, cible: Compte, empreinte: str, *, provisoire: bool,
                     par: Compte | None) -> None:
    """A new password (``empreinte``: its hash) for ``cible``; every session of the account
    ends (the caller signs its owner in again after a change of his own). ``provisoire``: given
    by an administrator (``par``) or the command line (``par`` None), to be changed at the next
    login (journaled as a reset); otherwise chosen by the owner (``par`` is ``cible``).
    Journaled, committed."""
    cible.mot_de_passe = empreinte
    cible.mot_de_passe_provisoire = provisoire
    cible.numero_session += 1
    if provisoire:
        consigner(session, action="reinitialisation", objet=designation(cible), compte=par,
                  acteur=None if par else "ligne de commande", organisation_id=cible.organisation_id,
                  details={"compte": cible.id})
    else:
        consigner(session, action="mot_de_passe", objet=designation(cible), compte=par)


def commit(session: Session) -> None:
    """Keep what the request changed (a session ended, an account added…)."""
    session.commit()


def rollback(session: Session) -> None:
    """Drop what the request changed (an account refused after a partial write)."""
    session.rollback()


def set_second_juriste(session: Session, organisation: Organisation, exige: bool) -> None:
    """Require (or not) a second lawyer to validate a fragment version; committed."""
    organisation.second_juriste = exige
    session.commit()
