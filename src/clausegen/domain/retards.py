"""Late documents: days of delay computed from dates, never typed (issue 10, item 8).

The CCAP (``penalites.plan_progres``, ``insertion_seule.penalites``) applies the per-day penalty
« après une mise en demeure de transmettre, restée sans effet », counting calendar days « à
partir du lendemain de l'expiration du délai fixé par la mise en demeure et jusqu'au jour de la
réception du document ». So:

- the document's own deadline: a monthly statement of month M is due on day
  ``jour_limite_reporting`` of month M + 1, extended to the next working day (a délai);
  another document's deadline is given (``echeance``);
- the mise en demeure can only follow that deadline; its délai (15 days at least) runs from the
  day after its reception (``mise_en_demeure_recue_le``: the CCAP sends it « par tout moyen
  donnant date certaine à sa réception » and presumes no date) and, expiring on a non-working
  day, is extended to the next one; until its reception is recorded, the days are not known;
- days late = reception − expiry of the mise en demeure's délai (0 if received in time);
- a document received without a mise en demeure, or within its délai, carries no penalty, and
  the bilan says so (``sans_penalite``);
- seen on a day ``au`` (the bilan meeting), a mise en demeure or a reception dated later is not
  known yet: the document is then « non reçu » and its days are counted up to ``au``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from clausegen.domain.echeancier import jour_ouvre
from clausegen.domain.procedure import fin_mise_en_demeure
from clausegen.errors import FieldProblem
from clausegen.models.suivi import Retard


@dataclass(frozen=True)
class RetardCalcule:
    """A late document with the dates behind its days of delay (``None`` when unknown)."""

    document: str
    jours: int
    echeance: date | None = None
    fin_mise_en_demeure: date | None = None
    recu_le: date | None = None
    sans_penalite: str | None = None
    """Why no penalty is due (no mise en demeure, received within its délai)."""
    non_recu_au: date | None = None
    """The day the document was still not received on (days counted up to it)."""
    pas_encore_du: bool = False
    """Not yet due on the day seen: no failing at all."""
    mise_en_demeure: date | None = None
    """The date of the mise en demeure (its letter), when known on the day seen."""
    reception_inconnue: bool = False
    """The mise en demeure's reception is not recorded: its délai has no known end, so the days
    of delay are not known (the CCAP presumes no date of reception)."""


SANS_MISE_EN_DEMEURE = "le CCAP ne sanctionne le retard qu'après une mise en demeure restée sans effet"


def echeance_releve(mois: str, jour_limite: int) -> date:
    """Deadline of the statement of month ``mois`` (AAAA-MM): day ``jour_limite`` of the next
    month, on the next working day."""
    year, month = (int(part) for part in mois.split("-"))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return jour_ouvre(date(year, month, jour_limite))[0]


def echeance_document(retard: Retard, jour_limite: int) -> date | None:
    """The document's own deadline, when the dossier gives or implies one."""
    if retard.releve is not None:
        return echeance_releve(retard.releve, jour_limite)
    return retard.echeance


def calcule(retard: Retard, jour_limite: int, au: date | None = None) -> RetardCalcule:
    """Days of delay of one document, as known on ``au`` (every recorded fact when None)."""
    echeance = echeance_document(retard, jour_limite)
    if retard.jours is not None:
        return RetardCalcule(retard.document, 0, echeance, sans_penalite=(
            f"retard de {retard.jours} jour(s) sans mise en demeure de transmettre, donc sans pénalité "
            f"({SANS_MISE_EN_DEMEURE})"))
    if au is not None and echeance is not None and au <= echeance:
        return RetardCalcule(retard.document, 0, echeance, pas_encore_du=True)
    engagee = retard.procedure_engagee
    med = engagee.mise_en_demeure if engagee is not None else None
    if med is not None and au is not None and med > au:
        med = None
    recu = retard.recu_le if retard.recu_le is not None and (au is None or retard.recu_le <= au) else None
    if med is None:
        if recu is not None:
            return RetardCalcule(retard.document, 0, echeance, recu_le=recu, sans_penalite=(
                f"reçu sans mise en demeure préalable, donc sans pénalité ({SANS_MISE_EN_DEMEURE})"))
        return RetardCalcule(retard.document, 0, echeance, non_recu_au=au)
    assert engagee is not None
    recue_med = engagee.mise_en_demeure_recue_le
    if recue_med is None or (au is not None and recue_med > au):
        return RetardCalcule(retard.document, 0, echeance, recu_le=recu, non_recu_au=None if recu else au,
                             mise_en_demeure=med, reception_inconnue=True)
    fin = fin_mise_en_demeure(recue_med, engagee.delai_mise_en_demeure_jours)
    if recu is not None:
        if recu <= fin:
            return RetardCalcule(retard.document, 0, echeance, fin, recu, sans_penalite=(
                "reçu dans le délai de la mise en demeure, donc sans pénalité"))
        return RetardCalcule(retard.document, (recu - fin).days, echeance, fin, recu)
    jours = max(0, (au - fin).days) if au is not None else 0
    return RetardCalcule(retard.document, jours, echeance, fin, non_recu_au=au)


def problemes(retards: list[Retard], jour_limite: int) -> list[FieldProblem]:
    """Dates that contradict each other (a mise en demeure before the document was due)."""
    found = []
    for index, retard in enumerate(retards):
        echeance = echeance_document(retard, jour_limite)
        engagee = retard.procedure_engagee
        med = engagee.mise_en_demeure if engagee is not None else None
        if med is not None and echeance is not None and med <= echeance:
            found.append(FieldProblem(f"retards[{index}].mise_en_demeure",
                                      f"date postérieure à l'échéance du document ({echeance.isoformat()}) "
                                      f"attendue (reçu : {med.isoformat()})"))
    return found
