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
    FragmentCheckError,
    ReleaseCheckError,
    allowed_statuts,
    compare_rendered,
    compare_versions,
    create_version,
    delete_version,
    edit_brouillon,
    ensure_bibliotheque,
    exemple_for,
    fragment_token,
    is_deletable,
    is_organisation_version,
    list_exemples,
    list_fragments,
    list_releases,
    list_versions,
    next_release,
    next_version,
    parse_ref,
    publish_release,
    read_changelog,
    render_fragment_text,
    render_redline,
    set_statut,
)
from clausegen.db import Role
from clausegen.db.journal import consigner
from clausegen.db.store.journal import list_fragment_authors, list_fragment_entries
from clausegen.errors import ClausegenError, FieldProblem, FragmentNotFoundError
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
def fragment(fragment_id: str) -> tuple[str, int]:
    """A fragment's history, its review actions and the comparison form."""
    return _page_fragment(fragment_id)


def _page_fragment(fragment_id: str, *, problemes: list[FieldProblem] | None = None,
                   saisie: dict[str, str] | None = None, statut: int = 200) -> tuple[str, int]:
    """The fragment's page; a refused form (status change, new version) is shown again with
    what was typed (``saisie``) and its problems at their fields."""
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
        transitions=allowed_statuts, jeton=fragment_token, problemes=problemes or [],
        saisie=saisie or {}), statut


def _champ_de_version(fragment_id: str, version: str, champ: str) -> str:
    """The id of ``champ`` (« commentaire », « statut ») in the row of ``version`` on the
    fragment's page (rows numbered from 1, oldest first)."""
    versions = [f.meta.version for f, _ in list_versions(fragment_id, _couches())]
    return f"{champ}-{versions.index(version) + 1 if version in versions else 1}"


@bp.get("/<fragment_id>/<version>")
@role_requis(*LECTEURS)
def version(fragment_id: str, version: str) -> tuple[str, int]:
    """One version's header, wording (editable only while a brouillon of the organisation)
    and its preview: the clause rendered with a bundled example dossier."""
    return _page_version(_version(fragment_id, version))


def _apercu(fragment: Fragment, exemple: str | None) -> tuple[str | None, str, str]:
    """(example used, rendered text, why there is none) for the preview of ``fragment``."""
    exemple = exemple if exemple in list_exemples() else exemple_for(fragment, _couches())
    if exemple is None:
        return None, "", "aucun exemple fourni n'a de pièce où figure cette clause."
    try:
        return exemple, render_fragment_text(fragment, exemple, _couches()), ""
    except FragmentCheckError as exc:
        return exemple, "", " ; ".join(str(p) for p in exc.problems)
    except ClausegenError as exc:
        return exemple, "", _sans_chemin(str(exc))


def _page_version(fragment: Fragment, *, corps: str | None = None,
                  problemes: list[str] | None = None, statut: int = 200) -> tuple[str, int]:
    couches = _couches()
    juriste = droits.peut_modifier_bibliotheque(compte_courant())
    modifiable = (juriste and fragment.meta.statut is Statut.brouillon
                  and is_organisation_version(fragment, couches))
    exemple, apercu, sans_apercu = _apercu(fragment, request.args.get("exemple"))
    return render_template(
        "bibliotheque/version.html", fragment=fragment, modifiable=modifiable,
        supprimable=juriste and is_deletable(fragment, couches), jeton=fragment_token(fragment),
        corps=fragment.body if corps is None else corps, problemes=problemes or [],
        exemples=list_exemples(), exemple=exemple, apercu=apercu, sans_apercu=sans_apercu), statut


def _apres(message: str, fragment_id: str) -> Response:
    flash(message)
    return redirect(url_for("bibliotheque.fragment", fragment_id=fragment_id))


def _sans_chemin(message: str) -> str:
    """A message without the server's paths (the organisation's library is named instead)."""
    racine = str(_racine())
    return message.replace(racine, "bibliothèque de l'organisation")


def _refus(exc: ClausegenError) -> tuple[str, int]:
    return page_erreur(409, _sans_chemin(str(exc)))


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
    except ClausegenError as exc:  # on the same page, the number typed kept
        return _page_fragment(fragment_id, statut=409, saisie={"version": request.form.get("version", "")},
                              problemes=[FieldProblem("version", _sans_chemin(str(exc)))])
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
    saisie = {"version_statut": version, "commentaire": request.form.get("commentaire", ""),
              "statut": request.form.get("statut", "")}

    def refus(statut: int, champ: str, message: str) -> tuple[str, int]:
        """Refused on the fragment's page, the comment typed kept, the problem at its field."""
        return _page_fragment(fragment_id, statut=statut, saisie=saisie, problemes=[
            FieldProblem(_champ_de_version(fragment_id, version, champ), message)])

    try:
        cible = Statut(request.form.get("statut", ""))
    except ValueError:
        return refus(422, "statut", "brouillon, en revue, validé ou retiré attendu")
    if not commentaire:
        return refus(422, "commentaire", "un commentaire est attendu (ce qui a été relu, ce qui "
                                         "reste à faire)")
    ref = f"{fragment_id}@{version}"
    if (cible is Statut.valide and moi.organisation.second_juriste
            and moi.id in list_fragment_authors(db(), moi.organisation_id, ref)):
        return refus(403, "statut", f"{ref} : vous avez rédigé cette version ; sa validation "
                                    "revient à un autre juriste de l'organisation (règle des deux "
                                    "juristes, réglable par l'administrateur)")
    le = dt.date.today()
    try:
        change = set_statut(ref, cible, par=moi.nom, le=le,
                            overlays=_couches(), expected_sha256=request.form.get("jeton", ""))
    except FragmentCheckError as exc:
        return refus(422, "statut", f"{exc.ref} : la rédaction casserait les documents, rien n'a "
                                    "été enregistré : " + " ; ".join(str(p) for p in exc.problems))
    except ClausegenError as exc:
        return refus(409, "statut", _sans_chemin(str(exc)))
    consigner(db(), action="statut_fragment", objet=change.ref, compte=moi,
              details={"vers": cible.value, "par": moi.nom, "le": le.isoformat(),
                       "commentaire": commentaire[:2000]})
    return _apres(f"{change.ref} : statut « {label(cible)} » enregistré.", fragment_id)


@bp.post("/<fragment_id>/<version>/texte")
@role_requis(*LECTEURS)
def texte(fragment_id: str, version: str) -> Response | tuple[str, int]:
    """Save the wording of a brouillon (a validated version is never edited)."""
    _juriste()
    trouvee = _version(fragment_id, version)
    corps = request.form.get("corps", "")
    try:
        change = edit_brouillon(f"{fragment_id}@{version}", corps,
                                overlays=_couches(), expected_sha256=request.form.get("jeton", ""))
    except FragmentCheckError as exc:
        return _page_version(trouvee, corps=corps, problemes=[str(p) for p in exc.problems],
                             statut=422)
    except ClausegenError as exc:
        return _refus(exc)
    consigner(db(), action="version_fragment", objet=change.ref, compte=compte_courant(),
              details={"vers": "rédaction enregistrée"})
    flash(f"Rédaction de {change.ref} enregistrée.")
    return redirect(url_for("bibliotheque.version", fragment_id=fragment_id, version=version))


@bp.post("/<fragment_id>/<version>/suppression")
@role_requis(*LECTEURS)
def suppression(fragment_id: str, version: str) -> Response | tuple[str, int]:
    """Delete a version never validated nor published (nothing generated used it)."""
    _juriste()
    _version(fragment_id, version)
    try:
        supprimee = delete_version(f"{fragment_id}@{version}", overlays=_couches(),
                                   expected_sha256=request.form.get("jeton", ""))
    except ClausegenError as exc:
        return _refus(exc)
    consigner(db(), action="statut_fragment", objet=supprimee.ref, compte=compte_courant(),
              details={"vers": "supprimée", "commentaire": "version jamais validée supprimée"})
    flash(f"Version {supprimee.ref} supprimée.")
    try:
        list_versions(fragment_id, _couches())
    except FragmentNotFoundError:  # its only version: the fragment is gone with it
        return redirect(url_for("bibliotheque.liste"))
    return redirect(url_for("bibliotheque.fragment", fragment_id=fragment_id))


def _comparaison(fragment_id: str) -> Comparison:
    ancienne, nouvelle = request.args.get("ancienne", ""), request.args.get("nouvelle", "")
    _version(fragment_id, ancienne)
    _version(fragment_id, nouvelle)
    return compare_versions(f"{fragment_id}@{ancienne}", f"{fragment_id}@{nouvelle}", _couches())


@bp.get("/<fragment_id>/comparaison")
@role_requis(*LECTEURS)
def comparaison(fragment_id: str) -> str:
    """Two versions side by side as they read once rendered with an example dossier
    (deletions and insertions marked), and the comparison of their source."""
    source = _comparaison(fragment_id)
    ancienne = _version(fragment_id, request.args.get("ancienne", ""))
    exemple = request.args.get("exemple")
    if exemple not in list_exemples():
        exemple = exemple_for(_version(fragment_id, request.args.get("nouvelle", "")), _couches()) \
            or exemple_for(ancienne, _couches())
    rendue, sans_rendu = None, ""
    if exemple is None:
        sans_rendu = "aucun exemple fourni n'a de pièce où figure cette clause."
    else:
        try:
            rendue = compare_rendered(f"{fragment_id}@{request.args.get('ancienne')}",
                                      f"{fragment_id}@{request.args.get('nouvelle')}", exemple,
                                      _couches())
        except FragmentCheckError as exc:
            sans_rendu = " ; ".join(f"{exc.ref} : {p}" for p in exc.problems)
        except ClausegenError as exc:
            sans_rendu = _sans_chemin(str(exc))
    return render_template("bibliotheque/comparaison.html", fragment_id=fragment_id,
                           comparaison=source, rendue=rendue, sans_rendu=sans_rendu,
                           exemple=exemple, exemples=list_exemples(), args=request.args)


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
    except ReleaseCheckError as exc:
        lignes = "\n".join(f"– {p.ref} : {p.message}" for p in exc.problems)
        return page_erreur(409, f"Publication {version} refusée : la vérification de la "
                                f"bibliothèque trouve des erreurs. Corrigez, retirez ou supprimez "
                                f"les versions en cause, puis publiez de nouveau.\n{lignes}")
    except ClausegenError as exc:
        return _refus(exc)
    consigner(db(), action="publication", objet=f"publication {version}", compte=compte_courant(),
              details={"fragments": len(prepared.manifest.fragments)})
    flash(f"Publication {version} de la bibliothèque de l'organisation : "
          f"{len(prepared.manifest.fragments)} fragments.")
    return redirect(url_for("bibliotheque.liste"))
