"""The legal team's desk: browse the library, compare versions, move them through review,
publish the organisation's releases. Every write goes through :mod:`clausegen.api.juridique`
to the organisation's own library directory; the bundled library is read-only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from clausegen.api import juridique
from clausegen.api.bibliotheque import history, list_fragments, parse_ref
from clausegen.db import EntreeJournal, Role
from clausegen.db.journal import consigner
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
    return bibliotheque_de(compte_courant().organisation_id)


def _juriste() -> None:
    if not droits.peut_modifier_bibliotheque(compte_courant()):
        abort(403)


def _version(fragment_id: str, version: str) -> Fragment:
    try:
        return parse_ref(juridique.ouvrir(_racine()), f"{fragment_id}@{version}")
    except (FragmentNotFoundError, ValueError):
        abort(404)


def _filtre(nom: str) -> str | None:
    return request.args.get(nom) or None


@bp.get("")
@role_requis(*LECTEURS)
def liste() -> str:
    """Every version, filtered by category, status, piece and layer."""
    racine = juridique.preparer(_racine())
    couche = _filtre("couche")
    fragments = [f for f in list_fragments([racine], categorie=_filtre("categorie"),
                                           statut=_filtre("statut"), piece=_filtre("piece"))
                 if couche is None or (couche == "organisation") == juridique.de_l_organisation(racine, f)]
    return render_template(
        "bibliotheque/liste.html", fragments=fragments, racine=racine,
        categories=list(Categorie), statuts=list(Statut), filtres=request.args,
        publications=juridique.publications(racine),
        changelog=juridique.journal_des_modifications(racine),
        prochaine=juridique.prochaine_publication(racine),
        peut_modifier=droits.peut_modifier_bibliotheque(compte_courant()),
        de_l_organisation=lambda f: juridique.de_l_organisation(racine, f))


def _journal_du_fragment(fragment_id: str) -> list[EntreeJournal]:
    moi = compte_courant()
    return list(db().scalars(select(EntreeJournal).where(
        EntreeJournal.organisation_id == moi.organisation_id,
        EntreeJournal.action.in_(("statut_fragment", "version_fragment")),
        EntreeJournal.objet.like(f"{fragment_id}@%")).order_by(EntreeJournal.id.desc())))


@bp.get("/<fragment_id>")
@role_requis(*LECTEURS)
def fragment(fragment_id: str) -> str:
    """A fragment's history, its review actions and the comparison form."""
    racine = _racine()
    library = juridique.ouvrir(racine)
    try:
        versions = history(fragment_id, [racine])
    except FragmentNotFoundError:
        abort(404)
    return render_template(
        "bibliotheque/fragment.html", fragment_id=fragment_id, versions=versions,
        derniere=versions[-1][0], suivante=juridique.version_suivante(library, fragment_id),
        journal=_journal_du_fragment(fragment_id),
        peut_modifier=droits.peut_modifier_bibliotheque(compte_courant()),
        de_l_organisation=lambda f: juridique.de_l_organisation(racine, f),
        transitions=juridique.transitions, jeton=juridique.jeton)


@bp.get("/<fragment_id>/<version>")
@role_requis(*LECTEURS)
def version(fragment_id: str, version: str) -> str:
    """One version's header and wording (editable only while a brouillon of the organisation)."""
    trouvee = _version(fragment_id, version)
    modifiable = (droits.peut_modifier_bibliotheque(compte_courant())
                  and trouvee.meta.statut is Statut.brouillon
                  and juridique.de_l_organisation(_racine(), trouvee))
    return render_template("bibliotheque/version.html", fragment=trouvee, modifiable=modifiable,
                           jeton=juridique.jeton(trouvee))


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
        cree = juridique.nouvelle_version(_racine(), fragment_id, version,
                                          derniere=request.form.get("derniere", ""))
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
        change = juridique.changer_statut(_racine(), f"{fragment_id}@{version}", cible,
                                          attendu=request.form.get("jeton", ""), par=moi.nom, le=le)
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
        change = juridique.modifier_brouillon(_racine(), f"{fragment_id}@{version}",
                                              request.form.get("corps", ""),
                                              attendu=request.form.get("jeton", ""))
    except ClausegenError as exc:
        return _refus(exc)
    flash(f"Rédaction de {change.ref} enregistrée.")
    return redirect(url_for("bibliotheque.version", fragment_id=fragment_id, version=version))


def _comparaison(fragment_id: str) -> juridique.Redline:
    ancienne, nouvelle = request.args.get("ancienne", ""), request.args.get("nouvelle", "")
    _version(fragment_id, ancienne)
    _version(fragment_id, nouvelle)
    return juridique.comparer(_racine(), f"{fragment_id}@{ancienne}", f"{fragment_id}@{nouvelle}",
                              auteur=compte_courant().nom, le=dt.date.today())


@bp.get("/<fragment_id>/comparaison")
@role_requis(*LECTEURS)
def comparaison(fragment_id: str) -> str:
    """Two versions side by side, deletions and insertions marked."""
    redline = _comparaison(fragment_id)
    return render_template("bibliotheque/comparaison.html", fragment_id=fragment_id,
                           comparaison=redline.comparaison, args=request.args)


@bp.get("/<fragment_id>/comparaison.docx")
@role_requis(*LECTEURS)
def comparaison_docx(fragment_id: str) -> Response:
    """The same comparison as a Word document with tracked changes."""
    redline = _comparaison(fragment_id)
    nom = f"comparaison-{fragment_id}-{request.args.get('ancienne')}-{request.args.get('nouvelle')}.docx"
    return Response(redline.docx, mimetype=DOCX,
                    headers={"Content-Disposition": f'attachment; filename="{nom}"',
                             "Cache-Control": "private, no-store"})


@bp.post("/publications")
@role_requis(*LECTEURS)
def publier() -> Response | tuple[str, int]:
    """Publish a release of the organisation's library, with its CHANGELOG entry."""
    _juriste()
    version = request.form.get("version", "").strip()
    try:
        prepared = juridique.publier(_racine(), version, dt.date.today())
    except ClausegenError as exc:
        return _refus(exc)
    consigner(db(), action="publication", objet=f"publication {version}", compte=compte_courant(),
              details={"fragments": len(prepared.manifest.fragments)})
    flash(f"Publication {version} de la bibliothèque de l'organisation : "
          f"{len(prepared.manifest.fragments)} fragments.")
    return redirect(url_for("bibliotheque.liste"))
