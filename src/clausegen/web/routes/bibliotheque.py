"""The legal team's desk: browse the library, compare versions, move them through review,
publish the organisation's releases. Every read and write goes through
:mod:`clausegen.api.bibliotheque` (the same functions as ``clausegen bibliotheque …``) with the
organisation's own library directory on top; the bundled library is read-only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from clausegen.api import open_library
from clausegen.api.bibliotheque import (
    Comparison,
    allowed_statuts,
    compare_versions,
    create_version,
    edit_brouillon,
    ensure_bibliotheque,
    fragment_token,
    is_organisation_version,
    list_fragments,
    list_releases,
    list_versions,
    next_release,
    next_version,
    parse_ref,
    publish_release,
    read_changelog,
    render_redline,
    set_statut,
)
from clausegen.db import Role
from clausegen.db.journal import consigner
from clausegen.db.store.journal import list_fragment_entries
from clausegen.errors import ClausegenError, FragmentNotFoundError
from clausegen.models._base import label
from clausegen.models.fragment import Categorie, Fragment, Statut
from clausegen.web import droits
from clausegen.web.base import db
from clausegen.web.bibliotheques import bibliotheque_de
from clausegen.web.erreurs import page_erreur
from clausegen.web.session import compte_courant, role_requis

bp = Blueprint("bibliotheque", __name__, url_prefix="/bibliotheque")

LECTEURS = (Role.juriste, Role.acheteur, Role.administrateur)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _racine() -> Path:
    return ensure_bibliotheque(bibliotheque_de(compte_courant().organisation_id))


def _couches() -> list[Path]:
    """The organisation's library, on top of the bundled one."""
    return [_racine()]


def _juriste() -> None:
    if not droits.peut_modifier_bibliotheque(compte_courant()):
        abort(403)


def _version(fragment_id: str, version: str) -> Fragment:
    try:
        return parse_ref(open_library(_couches()), f"{fragment_id}@{version}")
    except (FragmentNotFoundError, ValueError):
        abort(404)


def _filtre(nom: str) -> str | None:
    return request.args.get(nom) or None


@bp.get("")
@role_requis(*LECTEURS)
def liste() -> str:
    """Every version, filtered by category, status, piece and layer."""
    couches = _couches()
    couche = _filtre("couche")
    fragments = list_fragments(couches, categorie=_filtre("categorie"), statut=_filtre("statut"),
                               piece=_filtre("piece"),
                               organisation=None if couche is None else couche == "organisation")
    return render_template(
        "bibliotheque/liste.html", fragments=fragments, racine=couches[-1],
        categories=list(Categorie), statuts=list(Statut), filtres=request.args,
        publications=list_releases(couches), changelog=read_changelog(couches),
        prochaine=next_release(couches),
        peut_modifier=droits.peut_modifier_bibliotheque(compte_courant()),
        de_l_organisation=lambda f: is_organisation_version(f, couches))


@bp.get("/<fragment_id>")
@role_requis(*LECTEURS)
def fragment(fragment_id: str) -> str:
    """A fragment's history, its review actions and the comparison form."""
    couches = _couches()
    try:
        versions = list_versions(fragment_id, couches)
    except FragmentNotFoundError:
        abort(404)
    return render_template(
        "bibliotheque/fragment.html", fragment_id=fragment_id, versions=versions,
        derniere=versions[-1][0], suivante=next_version(fragment_id, couches),
        journal=list_fragment_entries(db(), compte_courant().organisation_id, fragment_id),
        peut_modifier=droits.peut_modifier_bibliotheque(compte_courant()),
        de_l_organisation=lambda f: is_organisation_version(f, couches),
        transitions=allowed_statuts, jeton=fragment_token)


@bp.get("/<fragment_id>/<version>")
@role_requis(*LECTEURS)
def version(fragment_id: str, version: str) -> str:
    """One version's header and wording (editable only while a brouillon of the organisation)."""
    trouvee = _version(fragment_id, version)
    modifiable = (droits.peut_modifier_bibliotheque(compte_courant())
                  and trouvee.meta.statut is Statut.brouillon
                  and is_organisation_version(trouvee, _couches()))
    return render_template("bibliotheque/version.html", fragment=trouvee, modifiable=modifiable,
                           jeton=fragment_token(trouvee))


def _apres(message: str, fragment_id: str) -> Response:
    flash(message)
    return redirect(url_for("bibliotheque.fragment", fragment_id=fragment_id))


def _refus(exc: ClausegenError) -> tuple[str, int]:
    return page_erreur(409, str(exc))


@bp.post("/<fragment_id>/versions")
@role_requis(*LECTEURS)
def nouvelle_version(fragment_id: str) -> Response | tuple[str, int]:
    """A new brouillon copied from the newest version, in the organisation's library."""
    _juriste()
    version = request.form.get("version", "").strip()
    try:
        cree = create_version(fragment_id, version, _couches(),
                              newest_seen=request.form.get("derniere", ""))
    except FragmentNotFoundError:
        abort(404)
    except ClausegenError as exc:
        return _refus(exc)
    consigner(db(), action="version_fragment", objet=cree.ref, compte=compte_courant(),
              details={"remplace": cree.meta.remplace or ""})
    return _apres(f"Version {cree.ref} créée en brouillon dans la bibliothèque de "
                  "l'organisation.", fragment_id)


@bp.post("/<fragment_id>/<version>/statut")
@role_requis(*LECTEURS)
def statut(fragment_id: str, version: str) -> Response | tuple[str, int]:
    """Move a version to another status; the lawyer's name, the date and a comment are kept."""
    _juriste()
    moi = compte_courant()
    _version(fragment_id, version)
    commentaire = request.form.get("commentaire", "").strip()
    try:
        cible = Statut(request.form.get("statut", ""))
    except ValueError:
        return page_erreur(422, "Champ « Nouveau statut » : brouillon, en_revue, valide ou retire "
                                "attendu.")
    if not commentaire:
        return page_erreur(422, "Champ « Commentaire de revue » : un commentaire est attendu "
                                "(ce qui a été relu, ce qui reste à faire).")
    le = dt.date.today()
    try:
        change = set_statut(f"{fragment_id}@{version}", cible, par=moi.nom, le=le,
                            overlays=_couches(), expected_sha256=request.form.get("jeton", ""))
    except ClausegenError as exc:
        return _refus(exc)
    consigner(db(), action="statut_fragment", objet=change.ref, compte=moi,
              details={"vers": cible.value, "par": moi.nom, "le": le.isoformat(),
                       "commentaire": commentaire[:2000]})
    return _apres(f"{change.ref} : statut « {label(cible)} » enregistré.", fragment_id)


@bp.post("/<fragment_id>/<version>/texte")
@role_requis(*LECTEURS)
def texte(fragment_id: str, version: str) -> Response | tuple[str, int]:
    """Save the wording of a brouillon (a validated version is never edited)."""
    _juriste()
    _version(fragment_id, version)
    try:
        change = edit_brouillon(f"{fragment_id}@{version}", request.form.get("corps", ""),
                                overlays=_couches(), expected_sha256=request.form.get("jeton", ""))
    except ClausegenError as exc:
        return _refus(exc)
    flash(f"Rédaction de {change.ref} enregistrée.")
    return redirect(url_for("bibliotheque.version", fragment_id=fragment_id, version=version))


def _comparaison(fragment_id: str) -> Comparison:
    ancienne, nouvelle = request.args.get("ancienne", ""), request.args.get("nouvelle", "")
    _version(fragment_id, ancienne)
    _version(fragment_id, nouvelle)
    return compare_versions(f"{fragment_id}@{ancienne}", f"{fragment_id}@{nouvelle}", _couches())


@bp.get("/<fragment_id>/comparaison")
@role_requis(*LECTEURS)
def comparaison(fragment_id: str) -> str:
    """Two versions side by side, deletions and insertions marked."""
    return render_template("bibliotheque/comparaison.html", fragment_id=fragment_id,
                           comparaison=_comparaison(fragment_id), args=request.args)


@bp.get("/<fragment_id>/comparaison.docx")
@role_requis(*LECTEURS)
def comparaison_docx(fragment_id: str) -> Response:
    """The same comparison as a Word document with tracked changes."""
    docx = render_redline(_comparaison(fragment_id), author=compte_courant().nom,
                          default_date=dt.date.today())
    nom = f"comparaison-{fragment_id}-{request.args.get('ancienne')}-{request.args.get('nouvelle')}.docx"
    return Response(docx, mimetype=DOCX,
                    headers={"Content-Disposition": f'attachment; filename="{nom}"',
                             "Cache-Control": "private, no-store"})


@bp.post("/publications")
@role_requis(*LECTEURS)
def publier() -> Response | tuple[str, int]:
    """Publish a release of the organisation's library, with its CHANGELOG entry."""
    _juriste()
    version = request.form.get("version", "").strip()
    try:
        prepared = publish_release(version, dt.date.today(), overlays=_couches())
    except ClausegenError as exc:
        return _refus(exc)
    consigner(db(), action="publication", objet=f"publication {version}", compte=compte_courant(),
              details={"fragments": len(prepared.manifest.fragments)})
    flash(f"Publication {version} de la bibliothèque de l'organisation : "
          f"{len(prepared.manifest.fragments)} fragments.")
    return redirect(url_for("bibliotheque.liste"))
