"""The pieces: generate CCAP and CCTP, preview them, download them again byte for byte."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from pathlib import PurePath

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from clausegen.api import marche
from clausegen.api.actualisation import SOMMAIRE_A_METTRE_A_JOUR, STATUSES, UpdatedPiece, update_docx
from clausegen.api.bibliotheque import ensure_bibliotheque
from clausegen.api.piece import download_name, pdf_available, to_pdf, zip_archive
from clausegen.db import Generation, PieceGeneree
from clausegen.db.store import generations
from clausegen.errors import ClausegenError, DossierError, NotSuitedError, PdfError
from clausegen.text.french import date_longue
from clausegen.web import droits
from clausegen.web.base import db
from clausegen.web.bibliotheques import bibliotheque_de
from clausegen.web.converter import converter_of
from clausegen.web.erreurs import page_erreur
from clausegen.web.filtres import PARIS
from clausegen.web.routes.dossiers import dossier_visible, page_refus
from clausegen.web.session import compte_courant, connexion_requise
from clausegen.web.telechargement import piece_jointe

bp = Blueprint("pieces", __name__)


@bp.post("/dossiers/<int:dossier_id>/generations")
@connexion_requise
def generer(dossier_id: int) -> Response | tuple[str, int]:
    """Generate both pieces from the complete dossier and record the generation."""
    dossier = dossier_visible(dossier_id)
    moi = compte_courant()
    if not droits.peut_generer(moi, dossier):
        abort(403)
    try:
        library = marche.open_library([ensure_bibliotheque(bibliotheque_de(dossier.organisation_id))])
        produit = marche.render_brouillon(dossier.brouillon, f"dossier-{dossier.id}.yml", library,
                                          paginer=current_app.extensions["clausegen.config"].pagination,
                                          converter=converter_of(current_app))
    except DossierError:
        return page_refus(dossier, "Les pièces n'ont pas été générées")
    except NotSuitedError as exc:
        return page_erreur(409, f"Le marché n'est pas adapté à un {exc.dispositif} : "
                                + " ; ".join(exc.reasons) + ". Modifiez l'étape « Le marché » "
                                "de l'entretien, ou choisissez un autre dispositif à l'étape "
                                "« Faisabilité et dispositif ».")
    except PdfError as exc:  # LibreOffice busy (503), too slow (504) or failing the sommaire
        return page_erreur(exc.http_status, str(exc))
    except ClausegenError as exc:
        return page_erreur(422, str(exc))
    generation_id = generations.record_generation(
        db(), dossier, moi, dossier_yaml=produit.dossier_yaml, dossier_sha256=produit.dossier_sha256,
        bibliotheque=produit.bibliotheque, version_outil=produit.version_outil, pieces=produit.pieces,
        brouillon_sha256=marche.brouillon_sha256(dossier.brouillon))
    return redirect(url_for("pieces.generation", generation_id=generation_id))


def _generation(generation_id: int) -> Generation:
    """A generation of a dossier the account may see (404 otherwise)."""
    generation = generations.get_generation(db(), generation_id)
    if generation is None:
        abort(404)
    dossier_visible(generation.dossier_id)
    return generation


def _piece(generation: Generation, piece: str) -> PieceGeneree:
    trouvee = generations.get_piece(generation, piece)
    if trouvee is None:
        abort(404)
    return trouvee


@bp.get("/generations/<int:generation_id>")
@connexion_requise
def generation(generation_id: int) -> tuple[str, int]:
    """The preview of each piece, its provenance and the downloads."""
    return _page(_generation(generation_id))


def _page(trouvee: Generation, statut: int = 200, **actualisation: object) -> tuple[str, int]:
    """The generation's page; ``actualisation`` is an update's result or its refusal."""
    return render_template("pieces/generation.html", generation=trouvee,
                           dossier=dossier_visible(trouvee.dossier_id), pdf=pdf_available(),
                           sans_pages={p.piece for p in trouvee.pieces
                                       if marche.sommaire_sans_pages(p.docx)},
                           aujourd_hui=date_longue(dt.date.today()), **actualisation), statut


CHAMP_DOCUMENT = "Votre {piece} modifié (.docx)"
AUTEUR = "Service juridique"


@bp.post("/generations/<int:generation_id>/<piece>/actualisation")
@connexion_requise
def actualiser(generation_id: int, piece: str) -> tuple[str, int]:
    """The buyer's edited copy of a piece of this generation, brought up to the organisation's
    newest validated clauses (``clausegen actualiser``): the updated .docx and the summary."""
    trouvee = _generation(generation_id)
    generee = _piece(trouvee, piece)
    dossier = dossier_visible(trouvee.dossier_id)
    champ = CHAMP_DOCUMENT.format(piece=piece.upper())

    def refus(message: str, statut: int = 422) -> tuple[str, int]:
        return _page(trouvee, statut, refus_piece=piece,
                     refus=f"Champ « {champ} » : {message}")

    fichier = request.files.get("document")
    if fichier is None or not fichier.filename:
        return refus("choisissez le fichier .docx à actualiser.")
    nom = PurePath(fichier.filename.replace("\\", "/")).name[-200:]
    if not nom.lower().endswith(".docx"):
        return refus(f"« {nom} » n'est pas un document Word : fichier .docx attendu.")
    limite = int(current_app.config["MAX_CONTENT_LENGTH"])
    data = fichier.read(limite + 1)
    if len(data) > limite:
        return refus(f"« {nom} » dépasse {limite // (1024 * 1024)} Mo.", 413)
    date = dt.date.today()
    try:
        library = marche.open_library([ensure_bibliotheque(bibliotheque_de(dossier.organisation_id))])
        origine = marche.read_dossier_text(trouvee.dossier_yaml, f"dossier-{dossier.id}.yml")
        resultat = update_docx(data, nom, library=library, author=AUTEUR, date=date,
                               dossier=origine, generated=generee.docx)
    except ClausegenError as exc:
        raison = getattr(exc, "reason", None) or str(exc)
        return refus(f"« {nom} » : {raison.rstrip('.')}.")
    generations.record_actualisation(
        db(), trouvee, dossier, compte_courant(), piece=piece,
        envoye_sha256=hashlib.sha256(data).hexdigest(),
        actualise_sha256=hashlib.sha256(resultat.docx).hexdigest(),
        fragments={c.id: f"{c.before or '(absent)'} → {c.after or '(retiré)'}" for c in resultat.changes},
        comptes={statut: resultat.count(statut) for statut in STATUSES})
    return _page(trouvee, actualise=_resume(resultat, nom, date))


def _resume(resultat: UpdatedPiece, nom: str, date: dt.date) -> dict[str, object]:
    """What the page shows of an update: the same summary as ``clausegen actualiser``."""
    sortie = nom.removesuffix(".docx").removesuffix(".DOCX") + "-actualise.docx"
    return {
        "piece": resultat.piece, "nom": sortie, "date": date_longue(date),
        "lien": f"data:{DOCX};base64," + base64.b64encode(resultat.docx).decode("ascii"),
        "changements": resultat.changes,
        "paragraphes": {statut: [p for p in resultat.paragraphs if p.status == statut]
                        for statut in STATUSES},
        "dossier_change": resultat.dossier_changed,
        "sommaire": SOMMAIRE_A_METTRE_A_JOUR if resultat.sommaire_a_mettre_a_jour else None,
    }


def _reference(generation: Generation) -> str | None:
    """The market reference of the dossier the generation was made from (as recorded with
    it: the documents' own), None when it cannot be read."""
    try:
        return marche.read_dossier_text(generation.dossier_yaml, "dossier.yml").dossier.marche.reference
    except ClausegenError:
        return None


def _nom(generation: Generation, piece: str, extension: str) -> str:
    """``CCAP-2027-AC-017.docx``, ``plan-1-2027-AC-017.pdf``, ``pieces-2027-AC-017.zip``
    (``…-dossier-12…`` without a reference)."""
    return download_name(piece, _reference(generation), extension, f"dossier-{generation.dossier_id}")


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.get("/generations/<int:generation_id>/<piece>.docx")
@connexion_requise
def docx(generation_id: int, piece: str) -> Response:
    """The .docx exactly as generated."""
    generation = _generation(generation_id)
    trouvee = _piece(generation, piece)
    return piece_jointe(trouvee.docx, _nom(generation, piece, "docx"), DOCX)


@bp.get("/generations/<int:generation_id>/<piece>.pdf")
@connexion_requise
def pdf(generation_id: int, piece: str) -> Response | tuple[str, int]:
    """The PDF of a stored .docx, converted by LibreOffice (when installed)."""
    generation = _generation(generation_id)
    trouvee = _piece(generation, piece)
    if not pdf_available():
        return page_erreur(503, "La conversion en PDF demande LibreOffice, absent de ce serveur ; "
                                "téléchargez le document Word.")
    try:
        data = to_pdf(trouvee.docx, f"{piece}.docx", converter_of(current_app))
    except PdfError as exc:  # busy (503) or too slow (504): a page that says so, never a wait
        return page_erreur(exc.http_status, str(exc))
    except ClausegenError as exc:
        return page_erreur(503, str(exc))
    return piece_jointe(data, _nom(generation, piece, "pdf"), "application/pdf")


@bp.get("/generations/<int:generation_id>.zip")
@connexion_requise
def zip_des_pieces(generation_id: int) -> Response:
    """Every .docx of the generation, named as when downloaded alone, and the dossier it came
    from, in one zip whose entries are dated when the generation was recorded (Paris time, as
    the page says): the same generation always gives the same bytes."""
    trouvee = _generation(generation_id)
    fichiers = [(_nom(trouvee, p.piece, "docx"), p.docx) for p in trouvee.pieces]
    # Under the name the provenance records (clausegen.dossier), so that actualiser finds it.
    fichiers.append((f"dossier-{trouvee.dossier_id}.yml", trouvee.dossier_yaml.encode("utf-8")))
    date = trouvee.cree_le.replace(tzinfo=dt.UTC).astimezone(PARIS).replace(tzinfo=None)
    return piece_jointe(zip_archive(fichiers, date), _nom(trouvee, "pieces", "zip"), "application/zip")
