"""Late documents: days of delay computed from dates, never typed (issue 10, item 8).

The CCAP (``penalites.plan_progres``, ``insertion_seule.penalites``) applies the per-day penalty
« après une mise en demeure de transmettre, restée sans effet », counting calendar days « à
partir du lendemain de l'expiration du délai fixé par la mise en demeure et jusqu'au jour de la
réception du document ». So:

- the document's own deadline: a monthly statement of month M is due on day
  ``jour_limite_reporting`` of month M + 1, extended to the next working day (a délai);
  another document's deadline is given (``echeance``);
- the mise en demeure can only follow that deadline; its délai (15 days at least) runs from the
  day after its reception and, expiring on a non-working day, is extended to the next one;
- days late = reception − expiry of the mise en demeure's délai (0 if received in time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from clausegen.domain.echeancier import jour_ouvre
from clausegen.errors import FieldProblem
from clausegen.models.suivi import Retard


@dataclass(frozen=True)
class RetardCalcule:
    """A late document with the dates behind its days of delay (``None`` when typed)."""

    document: str
    jours: int
    echeance: date | None = None
    fin_mise_en_demeure: date | None = None
    recu_le: date | None = None


def echeance_releve(mois: str, jour_limite: int) -> date:
    """Deadline of the statement of month ``mois`` (AAAA-MM): day ``jour_limite`` of the next
    month, on the next working day."""
    year, month = (int(part) for part in mois.split("-"))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return jour_ouvre(date(year, month, jour_limite))[0]


def fin_mise_en_demeure(recue_le: date, delai_jours: int) -> date:
    """Expiry of the délai a mise en demeure sets (from the day after its reception)."""
    return jour_ouvre(recue_le + timedelta(days=delai_jours))[0]


def echeance_document(retard: Retard, jour_limite: int) -> date | None:
    """The document's own deadline, when the dossier gives or implies one."""
    if retard.releve is not None:
        return echeance_releve(retard.releve, jour_limite)
    return retard.echeance


def calcule(retard: Retard, jour_limite: int) -> RetardCalcule:
    """Days of delay of one document."""
    if retard.jours is not None:
        return RetardCalcule(retard.document, retard.jours)
    assert retard.mise_en_demeure is not None
    assert retard.recu_le is not None
    fin = fin_mise_en_demeure(retard.mise_en_demeure, retard.delai_mise_en_demeure_jours)
    return RetardCalcule(retard.document, max(0, (retard.recu_le - fin).days),
                         echeance_document(retard, jour_limite), fin, retard.recu_le)


def problemes(retards: list[Retard], jour_limite: int) -> list[FieldProblem]:
    """Dates that contradict each other (a mise en demeure before the document was due)."""
    found = []
    for index, retard in enumerate(retards):
        echeance = echeance_document(retard, jour_limite)
        if retard.mise_en_demeure is not None and echeance is not None and retard.mise_en_demeure <= echeance:
            found.append(FieldProblem(f"retards[{index}].mise_en_demeure",
                                      f"date postérieure à l'échéance du document ({echeance.isoformat()}) "
                                      f"attendue (reçu : {retard.mise_en_demeure.isoformat()})"))
    return found
