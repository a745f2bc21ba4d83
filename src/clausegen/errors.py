"""The one exception tree of clausegen.

Every class builds its French, user-facing message from keyword data, so the
wording stays consistent. Nothing here prints or logs; the CLI decides how an
error is shown and which exit code it gets (see ``exit_code``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field: its dotted path, what was found and what is expected.

    ``line`` and ``column`` locate it in its YAML file when known; ``hint`` adds advice
    (the closest valid key, quoting a value).
    """

    path: str
    expected: str
    line: int | None = None
    column: int | None = None
    hint: str = ""

    def __str__(self) -> str:
        where = f" (ligne {self.line}, colonne {self.column})" if self.line is not None else ""
        hint = f" ; {self.hint}" if self.hint else ""
        return f"  - {self.path or '(racine)'} : {self.expected}{hint}{where}"


MAX_PROBLEMS_SHOWN = 30
"""Problems listed in one message; the others are counted (60 000 unknown keys stay readable)."""


class ClausegenError(Exception):
    """Root of every error clausegen raises on purpose.

    ``exit_code`` is the process exit code the CLI uses: 2 for bad input
    (dossier, library, options), 1 for a refusal on the merits (a market that
    is not suited, an amendment needed) or an environment failure.
    """

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# --- input files -------------------------------------------------------------


class InputFileError(ClausegenError):
    """A file given by the user cannot be read or parsed."""

    def __init__(self, *, path: Path | str, reason: str) -> None:
        super().__init__(f"Fichier « {path} » : {reason}")
        self.path = Path(path)
        self.reason = reason


class ValidationFailed(ClausegenError):
    """A YAML file was read but its content does not match the expected model."""

    def __init__(self, *, path: Path | str, what: str, problems: Sequence[FieldProblem]) -> None:
        lines = "\n".join(str(p) for p in problems[:MAX_PROBLEMS_SHOWN])
        if len(problems) > MAX_PROBLEMS_SHOWN:
            lines += f"\n  … et {len(problems) - MAX_PROBLEMS_SHOWN} autres erreurs"
        super().__init__(f"Fichier « {path} » : {what} invalide.\n{lines}")
        self.path = Path(path)
        self.problems = tuple(problems)


class DossierError(ValidationFailed):
    """The dossier does not match the dossier model."""

    def __init__(self, *, path: Path | str, problems: Sequence[FieldProblem]) -> None:
        super().__init__(path=path, what="dossier", problems=problems)


# --- clause library ----------------------------------------------------------


class LibraryError(ClausegenError):
    """The clause library is inconsistent or incomplete."""


class FragmentSchemaError(ValidationFailed, LibraryError):
    """A fragment's metadata does not match the fragment model."""

    def __init__(self, *, path: Path | str, problems: Sequence[FieldProblem]) -> None:
        super().__init__(path=path, what="fragment", problems=problems)


class CanevasSchemaError(ValidationFailed, LibraryError):
    """A canevas (outline of a piece) does not match the canevas model."""

    def __init__(self, *, path: Path | str, problems: Sequence[FieldProblem]) -> None:
        super().__init__(path=path, what="canevas", problems=problems)


class FragmentNotFoundError(LibraryError):
    """A fragment id (or id@version) is not in the library."""

    def __init__(self, *, fragment_id: str, version: str | None = None, used_by: str = "",
                 suggestion: str = "") -> None:
        ref = f"{fragment_id}@{version}" if version else fragment_id
        origin = f" (demandé par {used_by})" if used_by else ""
        hint = f" Vouliez-vous dire « {suggestion} »\u00a0?" if suggestion else ""
        super().__init__(f"Fragment « {ref} » introuvable dans la bibliothèque{origin}.{hint}")
        self.fragment_id = fragment_id
        self.version = version


class FragmentStatusError(LibraryError):
    """No fragment version with an allowed status exists."""

    def __init__(self, *, fragment_id: str, statuses: Sequence[str]) -> None:
        found = ", ".join(statuses) or "aucune"
        super().__init__(
            f"Fragment « {fragment_id} » : aucune version validée (statuts trouvés : {found}). "
            "Validez le fragment ou relancez avec --brouillon pour un projet de document."
        )
        self.fragment_id = fragment_id


class OverrideNotValidatedError(LibraryError):
    """An overlay replaces a fragment but none of its versions of it is ``valide``."""

    def __init__(self, *, fragment_id: str, layer: str, statuses: Sequence[str]) -> None:
        super().__init__(
            f"Fragment « {fragment_id} » : la {layer.replace(':', ' « ')} » le remplace mais n'en "
            f"a aucune version validée (statuts : {', '.join(statuses)}). La rédaction fournie "
            "n'est pas utilisée à sa place : validez la version de la surcouche, ou relancez avec "
            "--brouillon pour un projet de document."
        )
        self.fragment_id = fragment_id


class UnreviewedVersionError(LibraryError):
    """A version says ``valide`` but records no review: it is not used outside drafts."""

    def __init__(self, *, ref: str, path: Path) -> None:
        super().__init__(
            f"Fragment « {ref} » ({path}) : version « valide » sans revue (champ revue : par, le). "
            "Elle n'est pas utilisée pour un document définitif : enregistrez la revue avec "
            "« clausegen bibliotheque statut », ou relancez avec --brouillon pour un projet."
        )


class PinnedVersionError(LibraryError):
    """A pinned release cannot be reproduced (missing or edited fragment version)."""

    def __init__(self, *, release: str, ref: str, reason: str) -> None:
        super().__init__(f"Bibliothèque épinglée en version {release} : fragment « {ref} » {reason}.")


class ReleaseError(LibraryError):
    """A release cannot be read, found or published."""

    def __init__(self, *, release: str, reason: str) -> None:
        super().__init__(f"Publication {release} de la bibliothèque : {reason}")
        self.release = release
        self.reason = reason


class WorkflowError(LibraryError):
    """A status change or new version breaks the review workflow."""

    def __init__(self, *, ref: str, reason: str) -> None:
        super().__init__(f"Fragment « {ref} » : {reason}")


class LibraryWriteError(LibraryError):
    """A legal-team command would write into the bundled (read-only) library."""

    exit_code = 1

    def __init__(self, *, what: str, path: Path | None = None) -> None:
        where = f" : « {path} » appartient à la bibliothèque fournie, en lecture seule" if path else (
            " : aucune bibliothèque de l'organisation n'est configurée, et la bibliothèque fournie "
            "est en lecture seule")
        super().__init__(
            f"Impossible de {what}{where}. Créez la bibliothèque de votre organisation avec "
            "« clausegen bibliotheque init RÉPERTOIRE », puis indiquez-la par --bibliotheque "
            "RÉPERTOIRE (ou dans .clausegen.yml) ; une nouvelle version d'une clause fournie y "
            "est alors copiée (« clausegen bibliotheque nouvelle-version »)."
        )


class LibraryCheckError(LibraryError):
    """``bibliotheque verifier`` found errors."""

    def __init__(self, *, count: int) -> None:
        plural = "s" if count > 1 else ""
        super().__init__(f"{count} erreur{plural} dans la bibliothèque.")


class DuplicateFragmentError(LibraryError):
    """Two files declare the same fragment id and version."""

    def __init__(self, *, ref: str, first: Path, second: Path) -> None:
        super().__init__(f"Fragment « {ref} » défini deux fois : « {first} » et « {second} ».")


class PieceNotFoundError(LibraryError):
    """No canevas exists for the requested piece."""

    def __init__(self, *, piece: str, available: Sequence[str]) -> None:
        super().__init__(
            f"Aucun canevas pour la pièce « {piece} » (disponibles : {', '.join(available)})."
        )


# --- assembly and rendering --------------------------------------------------


class AssemblyError(ClausegenError):
    """The document cannot be assembled from the canevas and the library."""


class CrossReferenceError(AssemblyError):
    """A fragment refers to an article key that the document does not contain."""

    def __init__(self, *, key: str, fragment_id: str, known: Sequence[str]) -> None:
        hint = ", ".join(sorted(known)[:12])
        super().__init__(
            f"Fragment « {fragment_id} » : renvoi vers « {key} », absent de ce document "
            f"(clés connues : {hint})."
        )


class FragmentRenderError(AssemblyError):
    """A fragment body or a canevas condition failed to render."""

    def __init__(self, *, fragment_id: str, reason: str, path: Path | str | None = None,
                 line: int | None = None) -> None:
        where = f" ({path}" + (f", ligne {line}" if line else "") + ")" if path else ""
        super().__init__(f"Fragment « {fragment_id} »{where} : {reason}")
        self.fragment_id = fragment_id
        self.reason = reason
        self.line = line


class TemplateFileError(ClausegenError):
    """A Word skeleton (modèle) is missing, unreadable or lacks its slots."""

    def __init__(self, *, path: Path | str, reason: str) -> None:
        super().__init__(f"Modèle Word « {path} » : {reason}")


class OutputError(ClausegenError):
    """The output file cannot be written."""

    exit_code = 1

    def __init__(self, *, path: Path | str, reason: str) -> None:
        super().__init__(f"Impossible d'écrire « {path} » : {reason}")


class PdfError(ClausegenError):
    """LibreOffice is missing or a PDF (or ODT) conversion failed."""

    exit_code = 1
    http_status = 503
    """The web's answer: the service is unavailable (a timeout is 504)."""

    def __init__(self, *, path: Path | str, reason: str, target: str = "PDF") -> None:
        where = f" de « {path} »" if str(path) else ""
        super().__init__(f"Conversion {target}{where} impossible : {reason}")


class ConversionBusyError(PdfError):
    """The converter already has as many conversions waiting as it accepts."""

    http_status = 503


class ConversionTimeoutError(PdfError):
    """LibreOffice did not start or finish a conversion in time (it was stopped)."""

    http_status = 504


# --- refusals on the merits --------------------------------------------------


class NotSuitedError(ClausegenError):
    """The market is not suited to a plan de progrès and --forcer was not given."""

    exit_code = 1

    def __init__(self, *, reasons: Sequence[str], dispositif: str = "plan de progrès en matière sociale",
                 leviers: Sequence[str] = ()) -> None:
        lines = "\n".join(f"  - {r}" for r in reasons)
        autres = "".join(f"\n  - {lv}" for lv in leviers)
        autres = f"\nAutres leviers sociaux adaptés à ce marché :{autres}" if leviers else ""
        super().__init__(
            f"Le marché n'est pas adapté à un {dispositif} :\n"
            f"{lines}{autres}\nUtilisez --forcer pour générer les pièces malgré tout "
            "(elles porteront la mention du verdict)."
        )
        self.reasons = tuple(reasons)
        self.leviers = tuple(leviers)
        self.dispositif = dispositif


# --- the facilitator's year --------------------------------------------------


class SuiviInputError(ClausegenError):
    """A post-award piece lacks what it needs (notification date, plan or results of a year)."""

    def __init__(self, *, what: str, hint: str) -> None:
        super().__init__(f"{what} : {hint}")


class AvenantRequisError(ClausegenError):
    """The year's plan would change a stipulation of the contract: an avenant is needed."""

    exit_code = 1

    def __init__(self, *, annee: int, changes: Sequence[str]) -> None:
        lines = "\n".join(f"  - {c}" for c in changes)
        super().__init__(
            f"Le plan de l'année {annee} ne peut pas être formalisé par un échange de lettres, "
            f"car il modifierait une stipulation du marché :\n{lines}\n"
            "Un échange de lettres ne vaut que pour un plan qui précise l'exécution du marché sans "
            "en changer le prix, la durée, les prestations ni les pénalités. Cette évolution exige "
            "un avenant, conclu dans les conditions des articles L. 2194-1 et R. 2194-1 et suivants "
            "du code de la commande publique (voir l'article « Formalisation du plan de progrès » "
            "du CCAP)."
        )
        self.changes = tuple(changes)


# --- web application ------------------------------------------------------------


class DatabaseError(ClausegenError):
    """The web application's database cannot be reached or migrated."""

    exit_code = 1

    def __init__(self, *, url: str, reason: str) -> None:
        super().__init__(f"Base de données « {_hide_password(url)} » : {reason}")
        self.reason = reason


class ServerAddressError(ClausegenError):
    """``clausegen serveur`` cannot listen where asked (port taken, unknown host…)."""

    def __init__(self, *, address: str, reason: str) -> None:
        super().__init__(f"Adresse d'écoute « {address} » : {reason}")


class AccountError(ClausegenError):
    """An account cannot be created as asked (``clausegen comptes creer``)."""

    def __init__(self, *, field: str, reason: str) -> None:
        super().__init__(f"Compte, champ « {field} » : {reason}")
        self.field = field
        self.reason = reason


class JournalAlteredError(ClausegenError):
    """The audit trail's chain is broken (``clausegen journal verifier``)."""

    exit_code = 1

    def __init__(self, *, detail: str) -> None:
        super().__init__(detail)


class OrganisationLibraryError(ClausegenError):
    """A change to the organisation's library cannot be made as asked (legal desk)."""

    def __init__(self, *, ref: str, reason: str) -> None:
        super().__init__(f"Fragment « {ref} » : {reason}")
        self.ref = ref
        self.reason = reason


def _hide_password(url: str) -> str:
    """``postgresql://user:secret@host/db`` → ``postgresql://user:***@host/db``."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{host}"
