"""The audit trail: append-only entries chained by a keyed hash (HMAC-SHA256).

Each entry's ``empreinte`` is the HMAC-SHA256, under the journal's key, of the entry's content
in a canonical JSON form (sorted keys, UTF-8), which includes its position in the chain
(``rang``) and the previous entry's ``empreinte`` (``precedent``). Changing, inserting or
deleting a past entry breaks the chain at that point; :func:`verifier` finds where.

Two things live outside the database, in the data directory (``platformdirs``, like the
other secrets; created on first use, mode 0600):

- the **key** (``journal.cle``, 32 random bytes): whoever can write to the database but not
  read this file cannot rewrite an entry and recompute the hashes after it;
- the **checkpoint** of each database's chain (``journal/<database>.json``: the number of
  entries and the last ``empreinte``), moved forward after each append: emptying the journal
  or cutting off its last entries leaves the chain shorter than the checkpoint, or without
  the entry the checkpoint names.

Several machines serving one PostgreSQL database share the key file (copy it); each keeps
its own checkpoint, which only moves forward.

Appending is serialised across instances: PostgreSQL takes a transaction-level advisory
lock, SQLite its single write lock, before the head is read. The database adds two fences:
a unique ``precedent`` (the chain cannot fork) and triggers that refuse UPDATE and DELETE on
the table (migration 0002).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Row, select, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from clausegen.db.models import Compte, EntreeJournal, now

ORIGINE = "0" * 64
"""The ``precedent`` of the first entry."""

ACTIONS = {
    "generation": "Génération de pièces",
    "actualisation": "Pièce actualisée (document de l'acheteur)",
    "statut_fragment": "Changement de statut d'un fragment",
    "version_fragment": "Nouvelle version d'un fragment",
    "publication": "Publication de la bibliothèque de l'organisation",
    "piece_suivi": "Pièce du suivi émise",
    "lettre": "Lettre émise",
    "penalite": "Pénalité appliquée",
    "plan_accepte": "Plan accepté",
    "soumission": "Contribution du titulaire",
    "revue_soumission": "Revue d'une contribution",
    "evenement": "Événement de l'année enregistré",
    "flux_calendrier": "Lien d'agenda renouvelé ou révoqué",
    "connexion": "Connexion",
    "echec_connexion": "Échec de connexion",
    "creation_compte": "Compte créé",
    "changement_role": "Rôle changé",
    "desactivation": "Compte désactivé",
    "reactivation": "Compte réactivé",
    "mot_de_passe": "Mot de passe changé",
    "reinitialisation": "Mot de passe réinitialisé",
    "duplication_dossier": "Dossier dupliqué",
    "archivage_dossier": "Dossier archivé ou désarchivé",
    "suppression_dossier": "Dossier mis à la corbeille",
    "restauration_dossier": "Dossier restauré depuis la corbeille",
}
"""The kinds of entries, with their French label (pages)."""

_VERROU = 7_411_021  # advisory lock of the chain's head (PostgreSQL)
CLE = "journal.cle"
LONGUEUR_CLE = 32


def dossier_de_donnees() -> Path:
    """The user's data directory (``$XDG_DATA_HOME/clausegen`` on Linux)."""
    return Path(platformdirs.user_data_dir("clausegen", appauthor=False))


def cle_du_journal() -> bytes:
    """The key of the chain: read from the data directory, created there on first use."""
    dossier = dossier_de_donnees()
    dossier.mkdir(parents=True, exist_ok=True, mode=0o700)
    chemin = dossier / CLE
    with contextlib.suppress(FileExistsError):
        descripteur = os.open(chemin, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descripteur, "wb") as fichier:
            fichier.write(secrets.token_bytes(LONGUEUR_CLE))
    cle = chemin.read_bytes()
    if len(cle) != LONGUEUR_CLE:
        raise ValueError(f"{chemin} : clé du journal illisible ({LONGUEUR_CLE} octets attendus)")
    return cle


def contenu(entree: EntreeJournal | Row[Any]) -> dict[str, Any]:
    """What the hash covers (everything but ``id`` and the hash itself; the date to the
    microsecond)."""
    return {
        "rang": entree.rang,
        "le": entree.le.isoformat(timespec="microseconds"),
        "organisation_id": entree.organisation_id,
        "compte_id": entree.compte_id,
        "acteur": entree.acteur,
        "action": entree.action,
        "objet": entree.objet,
        "details": entree.details,
        "precedent": entree.precedent,
    }


def empreinte_de(entree: EntreeJournal | Row[Any], cle: bytes | None = None) -> str:
    """The HMAC-SHA256 of an entry's canonical content (which includes ``precedent``)."""
    texte = json.dumps(contenu(entree), ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                       default=str)
    return hmac.new(cle_du_journal() if cle is None else cle, texte.encode("utf-8"),
                    hashlib.sha256).hexdigest()


# --- the checkpoint outside the database ------------------------------------------------------


def _fichier_de_controle(url: URL) -> Path:
    """Where the checkpoint of the database at ``url`` is kept (named after its address,
    password left out)."""
    adresse = url.set(password=None).render_as_string(hide_password=True)
    return dossier_de_donnees() / "journal" / (hashlib.sha256(adresse.encode("utf-8")).hexdigest()[:32]
                                                + ".json")


@dataclass(frozen=True)
class PointDeControle:
    """The chain's head as last seen by this machine."""

    entrees: int
    tete: str


def lire_point_de_controle(url: URL) -> PointDeControle | None:
    """The checkpoint of this database, if this machine ever wrote one (an unreadable one
    counts as tampering: :class:`ValueError`)."""
    chemin = _fichier_de_controle(url)
    try:
        donnees = json.loads(chemin.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ValueError(f"point de contrôle illisible ({chemin})") from exc
    if not (isinstance(donnees, dict) and isinstance(donnees.get("entrees"), int)
            and isinstance(donnees.get("tete"), str)):
        raise ValueError(f"point de contrôle illisible ({chemin})")
    return PointDeControle(donnees["entrees"], donnees["tete"])


def avancer_point_de_controle(url: URL, point: PointDeControle) -> None:
    """Move the checkpoint to ``point`` unless it already stands further (appends of several
    processes may finish in any order); written atomically, under a file lock."""
    import fcntl

    chemin = _fichier_de_controle(url)
    chemin.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(chemin.with_suffix(".verrou"), "a", encoding="utf-8") as verrou:
        fcntl.flock(verrou, fcntl.LOCK_EX)
        with contextlib.suppress(ValueError):
            actuel = lire_point_de_controle(url)
            if actuel is not None and actuel.entrees >= point.entrees:
                return
        temporaire = chemin.with_suffix(f".{os.getpid()}.tmp")
        descripteur = os.open(temporaire, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descripteur, "w", encoding="utf-8") as fichier:
            json.dump({"entrees": point.entrees, "tete": point.tete, "base": str(url.set(password=None)),
                       "le": now().isoformat(timespec="seconds")}, fichier)
        os.replace(temporaire, chemin)


# --- appending ----------------------------------------------------------------------------------


def _tete(db: Session) -> tuple[int, str]:
    dernier = db.execute(select(EntreeJournal.rang, EntreeJournal.empreinte)
                         .order_by(EntreeJournal.id.desc()).limit(1)).first()
    return (0, ORIGINE) if dernier is None else (int(dernier.rang), dernier.empreinte)


def _verrouiller(db: Session) -> None:
    """Hold the right to append until the transaction ends."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:cle)"), {"cle": _VERROU})
    else:  # SQLite: a write that touches no row takes the database's write lock
        db.execute(text("DELETE FROM journal WHERE 0 = 1"))


def consigner(db: Session, *, action: str, objet: str, compte: Compte | None,
              details: dict[str, Any] | None = None, acteur: str | None = None,
              organisation_id: int | None = None) -> EntreeJournal:
    """Append one entry and commit it together with whatever the session holds: the act
    and its record are one transaction. Then move the checkpoint outside the database.
    ``acteur`` names who acted when no account did (a failed login: the address typed),
    ``organisation_id`` whose journal the entry belongs to then."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    cle = cle_du_journal()
    _verrouiller(db)
    rang, precedent = _tete(db)
    entree = EntreeJournal(
        rang=rang + 1, le=now(), organisation_id=compte.organisation_id if compte else organisation_id,
        compte_id=compte.id if compte else None,
        acteur=(f"{compte.nom} <{compte.courriel}>" if compte else acteur or "clausegen")[:460],
        action=action, objet=objet[:300], details=details or {}, precedent=precedent)
    entree.empreinte = empreinte_de(entree, cle)
    db.add(entree)
    url = db.get_bind().engine.url
    db.commit()
    avancer_point_de_controle(url, PointDeControle(rang + 1, entree.empreinte))
    return entree


# --- verifying ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """The result of walking the chain."""

    entrees: int
    tete: str
    rupture: int | None = None
    """The id of the first entry that does not follow, or None."""
    raison: str = ""
    """Why the journal is altered (empty when intact)."""
    controle: PointDeControle | None = None
    """The checkpoint the chain was compared with, if this machine has one."""

    @property
    def intacte(self) -> bool:
        return not self.raison

    def __str__(self) -> str:
        if self.intacte:
            controle = ("conforme au point de contrôle hors base" if self.controle is not None
                        else "aucun point de contrôle hors base sur cette machine")
            return (f"Journal intact : {self.entrees} entrée(s), chaîne vérifiée, {controle} ; "
                    f"empreinte de tête {self.tete}.")
        if self.rupture is None:
            return f"Journal altéré : {self.raison}."
        return f"Journal altéré à l'entrée n° {self.rupture} : {self.raison}."


ILLISIBLE = "entrée illisible (date, détails ou autre champ mal formé : entrée modifiée)"


def _suit(entree: Row[Any], rang: int, precedent: str, cle: bytes) -> str:
    """Why ``entree`` does not follow the chain at ``rang`` after ``precedent`` ("" if it does);
    a malformed row (date, JSON, types) is an alteration too, never an exception."""
    if entree.precedent != precedent or entree.rang != rang:
        return "elle ne suit pas l'entrée précédente (entrée supprimée, insérée ou modifiée avant elle)"
    try:
        if not isinstance(entree.le, datetime):
            raise TypeError("date")
        attendue = empreinte_de(entree, cle)
    except (TypeError, ValueError, AttributeError, OverflowError):
        return ILLISIBLE
    if not hmac.compare_digest(attendue, str(entree.empreinte)):
        return "son contenu ne correspond plus à son empreinte (entrée modifiée)"
    return ""


def verifier(db: Session, *, lot: int = 1000) -> Verification:
    """Walk the whole chain in id order, report the first break, then compare the head with
    the checkpoint kept outside the database."""
    cle = cle_du_journal()
    try:
        controle = lire_point_de_controle(db.get_bind().engine.url)
    except ValueError as exc:
        return Verification(0, ORIGINE, None, str(exc))
    precedent, compte, dernier_id = ORIGINE, 0, 0
    vue_au_controle = False
    while True:
        entrees = _lot(db, dernier_id, lot)
        if not entrees:
            break
        for entree in entrees:
            if isinstance(entree, int):
                return Verification(compte, precedent, entree, ILLISIBLE, controle)
            raison = _suit(entree, compte + 1, precedent, cle)
            if raison:
                return Verification(compte, precedent, entree.id, raison, controle)
            precedent, compte, dernier_id = entree.empreinte, compte + 1, entree.id
            if controle is not None and compte == controle.entrees:
                vue_au_controle = precedent == controle.tete
    if controle is not None and compte < controle.entrees:
        return Verification(compte, precedent, None,
                            f"le point de contrôle hors base compte {controle.entrees} entrée(s), le "
                            f"journal n'en a plus que {compte} (dernières entrées supprimées ou "
                            "journal vidé)", controle)
    if controle is not None and not vue_au_controle:
        return Verification(compte, precedent, None,
                            f"l'entrée n° {controle.entrees} de la chaîne n'est plus celle du point "
                            "de contrôle hors base (journal réécrit)", controle)
    return Verification(compte, precedent, controle=controle)


def _lot(db: Session, apres: int, taille: int) -> list[Row[Any] | int]:
    """The next entries after id ``apres``; a row the database driver cannot even read back
    (a date or JSON that is not one) is given as its id alone."""
    table = EntreeJournal.__table__
    suivantes = select(table).where(table.c.id > apres).order_by(table.c.id)
    try:
        return list(db.execute(suivantes.limit(taille)).all())
    except (ValueError, TypeError):
        db.rollback()
    lignes: list[Row[Any] | int] = []
    for numero in db.scalars(select(table.c.id).where(table.c.id > apres).order_by(table.c.id)
                             .limit(taille)).all():
        try:
            lignes.append(db.execute(select(table).where(table.c.id == numero)).one())
        except (ValueError, TypeError):
            db.rollback()
            lignes.append(numero)
            break
    return lignes
