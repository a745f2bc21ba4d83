"""Creating accounts: the same checks for ``clausegen comptes creer`` and the admin page."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clausegen.db import Compte, Organisation, Role
from clausegen.errors import AccountError, FieldProblem
from clausegen.models._base import Texte
from clausegen.models.validation import problems_from
from clausegen.web.securite import LONGUEUR_MIN_MOT_DE_PASSE, hacher

_COURRIEL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _courriel(valeur: str) -> str:
    if not _COURRIEL.match(valeur):
        raise ValueError("adresse électronique attendue, ex. « prenom.nom@ville.fr »")
    return valeur.lower()


def _mot_de_passe(valeur: str) -> str:
    if len(valeur) < LONGUEUR_MIN_MOT_DE_PASSE:
        raise ValueError(f"au moins {LONGUEUR_MIN_MOT_DE_PASSE} caractères attendus")
    return valeur


Courriel = Annotated[str, Field(max_length=254), AfterValidator(_courriel)]
MotDePasse = Annotated[str, Field(max_length=200), AfterValidator(_mot_de_passe)]


class NouveauCompte(BaseModel):
    """What an account is made of, as typed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    courriel: Courriel = Field(description="Adresse électronique (identifiant de connexion).")
    nom: Annotated[Texte, Field(max_length=200)] = Field(description="Prénom et nom.")
    role: Role = Field(description="Rôle dans l'organisation.")
    mot_de_passe: MotDePasse = Field(description="Mot de passe (au moins 12 caractères).")


class NouvelleOrganisation(BaseModel):
    """The organisation of the first administrator."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    organisation: Annotated[Texte, Field(max_length=200)] = Field(
        description="Nom de l'organisation (ex. « Ville de Saint-Aubin »).")


def valider_compte(donnees: dict[str, str]) -> tuple[NouveauCompte | None, list[FieldProblem]]:
    """The typed account, or the French problems of each field."""
    remplis = {cle: valeur for cle, valeur in donnees.items() if valeur.strip()}  # blank = missing
    try:
        return NouveauCompte.model_validate(remplis), []
    except ValidationError as exc:
        return None, [_sans_mot_de_passe(p) for p in problems_from(exc)]


def _sans_mot_de_passe(probleme: FieldProblem) -> FieldProblem:
    """A password is never repeated in a message (« reçu : … »)."""
    if probleme.path != "mot_de_passe":
        return probleme
    return FieldProblem(path=probleme.path, expected=probleme.expected.split(" (reçu")[0])


def creer_compte(db: Session, compte: NouveauCompte, organisation: Organisation) -> Compte:
    """Add the account (not committed); an address already used is refused."""
    existe = db.scalar(select(func.count()).select_from(Compte)
                       .where(Compte.courriel == compte.courriel))
    if existe:
        raise AccountError(field="courriel", reason="un compte existe déjà avec cette adresse")
    nouveau = Compte(organisation=organisation, courriel=compte.courriel, nom=compte.nom,
                     role=compte.role.value, mot_de_passe=hacher(compte.mot_de_passe), actif=True,
                     numero_session=0)
    db.add(nouveau)
    db.flush()
    return nouveau


def organisation_nommee(db: Session, nom: str) -> Organisation:
    """The organisation called ``nom``, created if needed."""
    try:
        valide = NouvelleOrganisation.model_validate({"organisation": nom})
    except ValidationError as exc:
        probleme = problems_from(exc)[0]
        raise AccountError(field="organisation", reason=probleme.expected) from None
    existante = db.scalar(select(Organisation).where(Organisation.nom == valide.organisation))
    if existante is not None:
        return existante
    organisation = Organisation(nom=valide.organisation)
    db.add(organisation)
    db.flush()
    return organisation
