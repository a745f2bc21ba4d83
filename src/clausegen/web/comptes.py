"""Accounts: the same checks for ``clausegen comptes creer``/``reinitialiser`` and the admin
page (what is typed); reads and writes go through :mod:`clausegen.db.store.comptes`."""

from __future__ import annotations

import re
import secrets
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from clausegen.db import Compte, Organisation, Role
from clausegen.db.store import comptes as store
from clausegen.errors import AccountError, FieldProblem
from clausegen.models._base import Texte
from clausegen.models.validation import problems_from
from clausegen.web.securite import LONGUEUR_MIN_MOT_DE_PASSE, hacher

_COURRIEL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SOSIES = str.maketrans({"ı": "i", "ł": "l", "ŀ": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t",
                         "ß": "ss", "æ": "ae", "œ": "oe", "ĸ": "k", "ſ": "s", "ƒ": "f"})
SCORE_MIN = 3
"""Least zxcvbn score (0 to 4) of an accepted password: 3 is « safely unguessable »
(about 10⁸ guesses and more); common, repeated or dictionary passwords score 0 to 2."""


def normaliser_courriel(valeur: str) -> str:
    """The address as stored and compared: NFKC (a fullwidth « ａ » is an « a »), lower case,
    surrounding spaces removed. Refused (``ValueError``, French): control or invisible
    characters (NUL, bidirectional marks, zero-width spaces), and any letter outside the
    Latin script (a Cyrillic « а » looks like an « a »)."""
    texte = unicodedata.normalize("NFKC", valeur).strip().lower()
    for caractere in texte:
        if unicodedata.category(caractere)[0] in "CZ":
            raise ValueError(f"caractère invisible ou de contrôle U+{ord(caractere):04X} refusé")
        if not caractere.isascii() and caractere.isalpha() and \
                not unicodedata.name(caractere, "").startswith("LATIN"):
            raise ValueError(f"caractère « {caractere} » refusé : lettres latines attendues "
                             "(une lettre d'un autre alphabet peut imiter une adresse existante)")
    if not _COURRIEL.match(texte):
        raise ValueError("adresse électronique attendue, ex. « prenom.nom@ville.fr »")
    return texte


def sosie(courriel: str) -> str:
    """What an address looks like: accents and look-alike Latin letters folded (``ácheteur``,
    ``acheteur`` and ``ạcheteur`` look the same to a reader)."""
    decompose = unicodedata.normalize("NFKD", courriel.translate(_SOSIES))
    return "".join(c for c in decompose if not unicodedata.combining(c)).translate(_SOSIES)


def _courriel(valeur: str) -> str:
    return normaliser_courriel(valeur)


def refus_du_mot_de_passe(mot_de_passe: str, *indices: str) -> str | None:
    """Why ``mot_de_passe`` is too weak (French), or None: at least
    :data:`LONGUEUR_MIN_MOT_DE_PASSE` characters and a zxcvbn score of :data:`SCORE_MIN`
    (common passwords, repetitions, keyboard walks, the account's own name or address are
    refused). ``indices``: words of the account (name, address) the estimator must not credit."""
    if len(mot_de_passe) < LONGUEUR_MIN_MOT_DE_PASSE:
        return f"au moins {LONGUEUR_MIN_MOT_DE_PASSE} caractères attendus"
    from zxcvbn import zxcvbn  # type: ignore[import-untyped]

    mots = [m for indice in indices for m in re.split(r"[\s@.<>_-]+", indice) if len(m) > 2]
    if zxcvbn(mot_de_passe[:100], user_inputs=mots)["score"] < SCORE_MIN:
        return ("mot de passe trop facile à deviner (courant, répétitif, suite du clavier ou tiré du "
                "nom) : choisissez plusieurs mots sans lien entre eux")
    return None


def _mot_de_passe(valeur: str) -> str:
    refus = refus_du_mot_de_passe(valeur)
    if refus:
        raise ValueError(refus)
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
    """Add the account, its password provisional (to be changed at first login); not committed:
    :func:`consigner_creation` commits it with its journal entry. An address already used, or
    one that looks like it, is refused."""
    if store.find_compte_by_courriel(db, compte.courriel) is not None:
        raise AccountError(field="courriel", reason="un compte existe déjà avec cette adresse")
    cherche = sosie(compte.courriel)
    if any(sosie(autre) == cherche for autre in store.list_courriels(db)):
        raise AccountError(field="courriel", reason="adresse trop semblable à celle d'un compte "
                           "existant (accents ou lettres qui se ressemblent)")
    refus = refus_du_mot_de_passe(compte.mot_de_passe, compte.nom, compte.courriel)
    if refus:
        raise AccountError(field="mot_de_passe", reason=refus)
    return store.add_compte(db, organisation, courriel=compte.courriel, nom=compte.nom,
                            role=compte.role.value, empreinte=hacher(compte.mot_de_passe))


def organisation_nommee(db: Session, nom: str) -> Organisation:
    """The organisation called ``nom``, created if needed."""
    try:
        valide = NouvelleOrganisation.model_validate({"organisation": nom})
    except ValidationError as exc:
        probleme = problems_from(exc)[0]
        raise AccountError(field="organisation", reason=probleme.expected) from None
    existante = store.find_organisation_by_nom(db, valide.organisation)
    return existante if existante is not None else store.add_organisation(db, valide.organisation)


def changer_role(db: Session, cible: Compte, role: Role, *, par: Compte | None) -> None:
    """Give ``cible`` another role (its calendar link revoked); journaled, committed."""
    store.set_role(db, cible, role.value, par=par)


def changer_actif(db: Session, cible: Compte, actif: bool, *, par: Compte | None) -> None:
    """Deactivate (every session ends, the calendar link is revoked) or reactivate an
    account; journaled, committed."""
    store.set_actif(db, cible, actif, par=par)


def consigner_creation(db: Session, compte: Compte, *, par: Compte | None) -> None:
    """Journal the creation of ``compte`` (by an administrator, or the command line) and
    commit it."""
    store.record_creation(db, compte, par=par)


def reinitialiser_mot_de_passe(db: Session, courriel: str, mot_de_passe: str) -> Compte:
    """Set a new provisional password for the account of ``courriel`` (the command line, when
    its owner has lost it): the same strength rule, every session ended, the calendar link
    kept, to be changed at the next login; journaled, committed. French errors naming the
    field."""
    try:
        adresse = normaliser_courriel(courriel)
    except ValueError as exc:
        raise AccountError(field="courriel", reason=str(exc)) from None
    compte = store.find_compte_by_courriel(db, adresse)
    if compte is None:
        raise AccountError(field="courriel", reason="aucun compte avec cette adresse")
    refus = refus_du_mot_de_passe(mot_de_passe, compte.nom, compte.courriel)
    if refus:
        raise AccountError(field="mot_de_passe", reason=refus)
    store.set_mot_de_passe(db, compte, hacher(mot_de_passe), provisoire=True, par=None)
    return compte


_ALPHABET_PROVISOIRE = "abcdefghjkmnpqrstuvwxyz23456789"
"""Letters and digits a person reads out without confusion (no i, l, o, 0, 1)."""


def tirer_mot_de_passe_provisoire() -> str:
    """A random provisional password, 16 characters of :data:`_ALPHABET_PROVISOIRE` in groups
    of four (``k7pm-2xqd-…``: about 79 bits), that passes :func:`refus_du_mot_de_passe`."""
    while True:
        tire = "".join(secrets.choice(_ALPHABET_PROVISOIRE) for _ in range(16))
        mot = "-".join(tire[i:i + 4] for i in range(0, 16, 4))
        if refus_du_mot_de_passe(mot) is None:
            return mot


def reinitialiser_par_administrateur(db: Session, cible: Compte, *, par: Compte) -> str:
    """Give ``cible`` a drawn provisional password (returned, to be shown once to the
    administrator ``par``, never stored in clear): every session of the account ends, it must
    choose its own at the next login; journaled, committed."""
    mot = tirer_mot_de_passe_provisoire()
    store.set_mot_de_passe(db, cible, hacher(mot), provisoire=True, par=par)
    return mot


def changer_son_mot_de_passe(db: Session, moi: Compte, nouveau: str) -> None:
    """The owner's own new password (already checked): no longer provisional, every other
    session ended; journaled, committed."""
    store.set_mot_de_passe(db, moi, hacher(nouveau), provisoire=False, par=moi)
