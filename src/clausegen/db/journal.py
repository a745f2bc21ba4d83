"""The audit trail: append-only entries chained by SHA-256.

Each entry's ``empreinte`` is the SHA-256 of the previous entry's ``empreinte`` and of the
entry's own content in a canonical JSON form (sorted keys, UTF-8). Changing, inserting or
deleting a past entry breaks the chain at that point; :func:`verifier` finds where.
What the chain cannot show on its own is the removal of the *last* entries: the head
hash shown on the administrator's page can be noted elsewhere to detect that.

Appending is serialised across instances: PostgreSQL takes a transaction-level advisory
lock, SQLite its single write lock, before the head is read. The database adds two fences:
a unique ``precedent`` (the chain cannot fork) and triggers that refuse UPDATE and DELETE on
the table (migration 0002).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, select, text
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
    "flux_calendrier": "Lien d'agenda renouvelé",
}
"""The kinds of entries, with their French label (pages)."""

_VERROU = 7_411_021  # advisory lock of the chain's head (PostgreSQL)


def contenu(entree: EntreeJournal | Row[Any]) -> dict[str, Any]:
    """What the hash covers (everything but ``id`` and the hash itself)."""
    return {
        "le": entree.le.isoformat(timespec="seconds"),
        "organisation_id": entree.organisation_id,
        "compte_id": entree.compte_id,
        "acteur": entree.acteur,
        "action": entree.action,
        "objet": entree.objet,
        "details": entree.details,
        "precedent": entree.precedent,
    }


def empreinte_de(entree: EntreeJournal | Row[Any]) -> str:
    """The SHA-256 of an entry's canonical content (which includes ``precedent``)."""
    texte = json.dumps(contenu(entree), ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                       default=str)
    return hashlib.sha256(texte.encode("utf-8")).hexdigest()


def _tete(db: Session) -> str:
    dernier = db.scalar(select(EntreeJournal.empreinte).order_by(EntreeJournal.id.desc()).limit(1))
    return dernier or ORIGINE


def _verrouiller(db: Session) -> None:
    """Hold the right to append until the transaction ends."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:cle)"), {"cle": _VERROU})
    else:  # SQLite: a write that touches no row takes the database's write lock
        db.execute(text("DELETE FROM journal WHERE 0 = 1"))


def consigner(db: Session, *, action: str, objet: str, compte: Compte | None,
              details: dict[str, Any] | None = None) -> EntreeJournal:
    """Append one entry and commit it together with whatever the session holds: the act
    and its record are one transaction."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    _verrouiller(db)
    entree = EntreeJournal(
        le=now(), organisation_id=compte.organisation_id if compte else None,
        compte_id=compte.id if compte else None,
        acteur=f"{compte.nom} <{compte.courriel}>" if compte else "clausegen",
        action=action, objet=objet[:300], details=details or {}, precedent=_tete(db))
    entree.empreinte = empreinte_de(entree)
    db.add(entree)
    db.commit()
    return entree


@dataclass(frozen=True)
class Verification:
    """The result of walking the chain."""

    entrees: int
    tete: str
    rupture: int | None = None
    """The id of the first entry that does not follow, or None if the chain is intact."""
    raison: str = ""

    @property
    def intacte(self) -> bool:
        return self.rupture is None

    def __str__(self) -> str:
        if self.intacte:
            return (f"Journal intact : {self.entrees} entrée(s), chaîne vérifiée ; "
                    f"empreinte de tête {self.tete}.")
        return f"Journal altéré à l'entrée n° {self.rupture} : {self.raison}."


def verifier(db: Session, *, lot: int = 1000) -> Verification:
    """Walk the whole chain in id order and report the first break."""
    precedent, compte, dernier_id = ORIGINE, 0, 0
    while True:
        table = EntreeJournal.__table__
        entrees = db.execute(select(table).where(table.c.id > dernier_id)
                             .order_by(table.c.id).limit(lot)).all()
        if not entrees:
            return Verification(entrees=compte, tete=precedent)
        for entree in entrees:
            if entree.precedent != precedent:
                return Verification(compte, precedent, entree.id,
                                    "elle ne suit pas l'entrée précédente (entrée supprimée, "
                                    "insérée ou modifiée avant elle)")
            if empreinte_de(entree) != entree.empreinte:
                return Verification(compte, precedent, entree.id,
                                    "son contenu ne correspond plus à son empreinte "
                                    "(entrée modifiée)")
            precedent, compte, dernier_id = entree.empreinte, compte + 1, entree.id
