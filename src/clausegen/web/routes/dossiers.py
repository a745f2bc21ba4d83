"""The dossiers: list, creation, and the pages of one dossier (buyer's guided interview)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from clausegen.api.marche import (
    assess_brouillon,
    check_brouillon,
    dump_brouillon,
    dump_dossier,
    notices_brouillon,
    read_dossier_text,
    state_brouillon,
)
from clausegen.db import DossierWeb, Role
from clausegen.db.store import dossiers as store
from clausegen.db.store import generations
from clausegen.errors import ClausegenError, DossierError, FieldProblem
from clausegen.text.french import montant, nombre
from clausegen.web import droits, entretien
from clausegen.web.base import db
from clausegen.web.entretien import ETAPES
from clausegen.web.erreurs import page_erreur
from clausegen.web.session import compte_courant, connexion_requise, role_requis

bp = Blueprint("dossiers", __name__, url_prefix="/dossiers")

GENERATIONS_AFFICHEES = 20
"""The dossier page lists the latest generations only."""


def dossier_visible(dossier_id: int) -> DossierWeb:
    """The dossier if the account may see it; 404 otherwise (its existence is not revealed)."""
    dossier = store.get_dossier(db(), dossier_id)
    if dossier is None or not droits.peut_voir_dossier(compte_courant(), dossier):
        abort(404)
    return dossier


def dossier_modifiable(dossier_id: int) -> DossierWeb:
    """The dossier if the account may change it; 404 if unseen, 403 if read-only."""
    dossier = dossier_visible(dossier_id)
    if not droits.peut_modifier_dossier(compte_courant(), dossier):
        abort(403)
    return dossier


DOSSIERS_PAR_PAGE = 50
"""The list shows the most recently changed dossiers first, fifty a page."""


def _liste(problemes: list[FieldProblem], statut: int = 200, page: int = 1,
           vue: store.Vue = store.Vue.en_cours) -> tuple[str, int]:
    moi = compte_courant()
    visibles = droits.dossiers_visibles(moi) & store.in_vue(vue)
    total = store.count_dossiers(db(), visibles)
    pages = max(1, -(-total // DOSSIERS_PAR_PAGE))
    if page > pages:
        return page_erreur(404, "Il n'y a qu'une page de dossiers." if pages == 1 else
                           f"Il n'y a que {pages} pages de dossiers.")
    dossiers = store.list_dossiers(db(), visibles, limit=DOSSIERS_PAR_PAGE,
                                   offset=(page - 1) * DOSSIERS_PAR_PAGE)
    generes = store.list_generated_brouillons(db(), [d.id for d in dossiers])
    etats = {d.id: state_brouillon(d.brouillon or {}, generes.get(d.id, set())) for d in dossiers}
    corbeille = store.count_dossiers(db(), droits.dossiers_visibles(moi) & store.in_vue(store.Vue.corbeille))
    premier = (page - 1) * DOSSIERS_PAR_PAGE + 1
    return render_template("dossiers/liste.html", dossiers=dossiers, problemes=problemes,
                           peut_creer=droits.peut_creer_dossier(moi), page=page, pages=pages,
                           total=total, premier=premier, dernier=premier + len(dossiers) - 1,
                           etats=etats, vue=vue.value, vues=store.Vue, corbeille=corbeille,
                           peut_ranger=moi.role == Role.acheteur), statut


@bp.get("")
@connexion_requise
def liste() -> tuple[str, int]:
    """The dossiers the account may see, a page at a time, with each one's state (and, for
    buyers, the import form); ``vue``: archived ones too, or the recycle bin."""
    page = request.args.get("page", "1")
    if not page.isdecimal() or not 1 <= int(page) <= 1_000_000:
        return page_erreur(400, "Numéro de page attendu : un nombre entier à partir de 1 "
                                "(paramètre « page » de l'adresse).")
    try:
        vue = store.Vue(request.args.get("vue", store.Vue.en_cours.value))
    except ValueError:
        return page_erreur(400, "Affichage attendu parmi : « en-cours », « avec-archives » ou "
                                "« corbeille » (paramètre « vue » de l'adresse).")
    return _liste([], page=int(page), vue=vue)


@bp.post("")
@role_requis(Role.acheteur)
def creer() -> Response:
    """A new, empty dossier; the interview starts at its first step."""
    dossier = store.create_dossier(db(), compte_courant(), titre="Nouveau dossier", brouillon={})
    return redirect(url_for("entretien.etape", dossier_id=dossier.id, code=ETAPES[0].code))


def _page_dossier(dossier: DossierWeb, statut: int = 200, refus: str = "",
                  refus_rangement: str = "") -> tuple[str, int]:
    """The review page; ``refus``: why an export or a generation was just refused;
    ``refus_rangement``: why putting the dossier in the recycle bin was."""
    moi = compte_courant()
    brouillon = dossier.brouillon
    _, problemes = check_brouillon(brouillon)
    verdict = assess_brouillon(brouillon)
    code = entretien.verdict_du_dispositif(brouillon, verdict)
    return render_template(
        "dossiers/voir.html", dossier=dossier, etapes=entretien.etapes_de(brouillon), e=entretien,
        brouillon=brouillon, etats=entretien.etats(brouillon, problemes, code),
        complet=not problemes, verdict=verdict, non_adapte=code == "non_adapte",
        bloquants=entretien.bloquants(problemes, brouillon),
        a_verifier=entretien.bloquants(notices_brouillon(brouillon), brouillon),
        peut_modifier=droits.peut_modifier_dossier(moi, dossier),
        peut_generer=droits.peut_generer(moi, dossier),
        generations=generations.latest_generations(db(), dossier.id, GENERATIONS_AFFICHEES),
        libelle_choix=_libelle_choix, refus=refus, refus_rangement=refus_rangement,
        peut_ranger=droits.peut_ranger_dossier(moi, dossier),
        peut_dupliquer=droits.peut_dupliquer_dossier(moi, dossier),
    ), statut


def _libelle_choix(champ: entretien.Champ, valeur: Any) -> str:
    """The French wording of an answer, as the recap shows it."""
    if valeur is None or valeur == "":
        return "—"
    if champ.type in ("case", "section", "oui_non"):
        if champ.type == "oui_non" and valeur is None:
            return champ.vide
        return "oui" if valeur else "non"
    if champ.type == "articles":
        return " ; ".join(f"{cle} : {numero}" for cle, numero in valeur.items()) if isinstance(
            valeur, dict) else str(valeur)
    if champ.type == "axes":
        noms = dict(entretien.choix(champ))
        return " ; ".join(noms.get(str(a.get("code")), "?") for a in valeur if isinstance(a, dict)) or "—"
    if champ.type in ("montant", "decimal", "nombre"):
        return _nombre_francais(champ.type, valeur)
    return dict(entretien.choix(champ)).get(str(valeur), str(valeur))


def _nombre_francais(kind: str, valeur: Any) -> str:
    """« 1 200 000,00 € HT », « 6 000 »; the answer as typed if it is not a number."""
    try:
        return montant(valeur, ht=True) if kind == "montant" else nombre(valeur)
    except (ArithmeticError, ValueError, TypeError):
        return str(valeur)


def page_refus(dossier: DossierWeb, quoi: str) -> tuple[str, int]:
    """The review page answering 409: ``quoi`` (« Les pièces n'ont pas été générées ») says what
    was refused; what blocks it is listed, each with a « modifier » link to its field."""
    return _page_dossier(dossier, statut=409, refus=f"{quoi} : corrigez d'abord les points ci-dessous.")


@bp.get("/<int:dossier_id>")
@connexion_requise
def voir(dossier_id: int) -> tuple[str, int]:
    """One dossier: the answers, the verdict, what is left to fill in, the generations."""
    return _page_dossier(dossier_visible(dossier_id))


@bp.get("/<int:dossier_id>/dossier.yml")
@connexion_requise
def exporter(dossier_id: int) -> Response | tuple[str, int]:
    """The dossier in the CLI's YAML format (complete dossiers only)."""
    dossier = dossier_visible(dossier_id)
    valide, _ = check_brouillon(dossier.brouillon)
    if valide is None:
        return page_refus(dossier, "Le dossier n'a pas été exporté")
    nom = f"dossier-{dossier.id}.yml"
    try:
        texte = dump_dossier(valide, nom)
    except ClausegenError as exc:
        return page_erreur(422, str(exc))
    return Response(texte, mimetype="application/yaml",
                    headers={"Content-Disposition": f'attachment; filename="{nom}"'})


@bp.post("/importer")
@role_requis(Role.acheteur)
def importer() -> Response | tuple[str, int]:
    """A new dossier from a YAML file; nothing is created if the file is not a valid dossier."""
    fichier = request.files.get("fichier")
    if fichier is None or not fichier.filename:
        return _refus_import([FieldProblem(path="fichier", expected="fichier .yml attendu")])
    nom = Path(fichier.filename).name
    try:
        texte = fichier.read().decode("utf-8")
        charge = read_dossier_text(texte, nom)
    except UnicodeDecodeError:
        return _refus_import([FieldProblem(path="fichier", expected=f"« {nom} » : texte UTF-8 attendu")])
    except DossierError as exc:
        return _refus_import([FieldProblem(path="fichier", expected=f"« {nom} » : dossier invalide")]
                             + [FieldProblem(path="fichier", expected=f"{p.path} : {p.expected}")
                                for p in exc.problems])
    except ClausegenError as exc:
        return _refus_import([FieldProblem(path="fichier", expected=str(exc))])
    brouillon = dump_brouillon(charge.dossier)
    dossier = store.create_dossier(db(), compte_courant(), titre=entretien.titre_du_dossier(brouillon),
                                   brouillon=brouillon)
    flash(f"Dossier importé depuis « {nom} ».")
    return redirect(url_for("dossiers.voir", dossier_id=dossier.id))


def _refus_import(problemes: list[FieldProblem]) -> tuple[str, int]:
    return _liste(problemes, 422)


# --- duplicating, archiving, the recycle bin (issue 22 item 7) ------------------------------


def _dossier_a_ranger(dossier_id: int) -> DossierWeb:
    """The dossier if the account may archive, bin or restore it: 404 if unseen (another
    organisation), 403 if seen but not its role's (only buyers)."""
    dossier = dossier_visible(dossier_id)
    if not droits.peut_ranger_dossier(compte_courant(), dossier):
        abort(403)
    return dossier


@bp.post("/<int:dossier_id>/dupliquer")
@role_requis(Role.acheteur)
def dupliquer(dossier_id: int) -> Response:
    """A new dossier with the same answers (not its generations nor its follow-up)."""
    dossier = dossier_visible(dossier_id)
    if not droits.peut_dupliquer_dossier(compte_courant(), dossier):
        abort(403)
    copie = store.duplicate_dossier(db(), dossier, compte_courant(), titre=f"{dossier.titre} (copie)")
    flash(f"Copie créée à partir de « {dossier.titre} » : vérifiez ses réponses (référence, dates).")
    return redirect(url_for("dossiers.voir", dossier_id=copie.id))


@bp.post("/<int:dossier_id>/archiver")
@role_requis(Role.acheteur)
def archiver(dossier_id: int) -> Response:
    """Archive (``archive=oui``, hidden from the list by default) or bring back a dossier."""
    dossier = _dossier_a_ranger(dossier_id)
    archive = request.form.get("archive", "oui") == "oui"
    store.set_archive(db(), dossier, archive, compte_courant())
    flash(f"Dossier « {dossier.titre} » " + ("archivé : il n'apparaît plus dans la liste, sauf "
                                             "avec « Afficher aussi les dossiers archivés »."
                                             if archive else "désarchivé."))
    return redirect(url_for("dossiers.voir", dossier_id=dossier.id))


@bp.post("/<int:dossier_id>/supprimer")
@role_requis(Role.acheteur)
def supprimer(dossier_id: int) -> Response | tuple[str, int]:
    """Put the dossier in the recycle bin (restorable; refused once its follow-up started)."""
    dossier = _dossier_a_ranger(dossier_id)
    if dossier.supprime_le is None and store.has_suivi(db(), dossier.id):
        return _page_dossier(dossier, 409, refus_rangement=(
            "Le dossier n'a pas été mis à la corbeille : le suivi de ce marché a commencé "
            "(attribution, plan ou événements). Archivez-le plutôt."))
    store.set_corbeille(db(), dossier, True, compte_courant())
    flash(f"Dossier « {dossier.titre} » mis à la corbeille ; vous pouvez l'y restaurer.")
    return redirect(url_for("dossiers.liste"))


@bp.post("/<int:dossier_id>/restaurer")
@role_requis(Role.acheteur)
def restaurer(dossier_id: int) -> Response:
    """Take the dossier out of the recycle bin, as it was."""
    dossier = _dossier_a_ranger(dossier_id)
    store.set_corbeille(db(), dossier, False, compte_courant())
    flash(f"Dossier « {dossier.titre} » restauré.")
    return redirect(url_for("dossiers.voir", dossier_id=dossier.id))
