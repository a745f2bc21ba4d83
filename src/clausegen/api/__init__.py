"""The facade of clausegen: what the command line (and any program) calls.

One module per audience, all above the assembly and render layers:

- :mod:`.marche`: the buyer's tender pieces (dossier, feasibility, CCAP, CCTP) — re-exported here;
- :mod:`.suivi`: the facilitator's post-award pieces (calendar, letters, plans, bilans, workbook);
- :mod:`.bibliotheque`: the legal team's library operations (list, compare, verify, publish);
- :mod:`.lot`: batch generation over many dossiers, in parallel processes.
"""

from clausegen.api.marche import (
    DRAFT_MARK,
    PIECES,
    PLAN_MENTION,
    LoadedDossier,
    TenderPiece,
    TenderPieces,
    check_faisabilite,
    open_library,
    provenance,
    read_dossier,
    render_piece,
    render_pieces,
    suited_or_forced,
)

__all__ = [
    "DRAFT_MARK",
    "PIECES",
    "PLAN_MENTION",
    "LoadedDossier",
    "TenderPiece",
    "TenderPieces",
    "check_faisabilite",
    "open_library",
    "provenance",
    "read_dossier",
    "render_piece",
    "render_pieces",
    "suited_or_forced",
]
