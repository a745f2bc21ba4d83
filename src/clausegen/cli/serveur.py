"""``clausegen serveur`` (the web application) and ``clausegen comptes`` (accounts)."""

from __future__ import annotations

import os

import click

from clausegen.cli.common import handle_errors, success

BASE = click.option(
    "--base", "base", metavar="URL", envvar="CLAUSEGEN_BASE",
    help="Base de données\u00a0: sqlite:///chemin ou postgresql://utilisateur@hôte/base "
         "(par défaut\u00a0: SQLite dans le répertoire de données de l'utilisateur).",
)


def _url(base: str | None) -> str:
    from clausegen.db import default_url

    return base or default_url()


@click.command("serveur")
@click.option("--hote", default="127.0.0.1", show_default=True, help="Adresse d'écoute.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port d'écoute.")
@BASE
@click.option("--https", "https", is_flag=True,
              help="Servi en HTTPS (directement ou derrière un mandataire)\u00a0: cookies « Secure ».")
@click.option("--derriere-proxy", "proxy", is_flag=True,
              help="Servi derrière un mandataire inverse : ses en-têtes X-Forwarded-* sont "
                   "pris en compte, seulement sur les connexions venant de --proxy.")
@click.option("--proxy", "proxys", multiple=True, metavar="ADRESSE",
              help="Adresse IP du mandataire inverse (répétable ; défaut : 127.0.0.1 et ::1).")
@click.option("--nom-public", "hotes", multiple=True, metavar="NOM",
              help="Nom d'hôte sous lequel le site est servi (répétable) ; toute autre valeur "
                   "de Host est refusée (400).")
@click.option("--processus", type=click.IntRange(1, 64), default=None,
              help="Processus du serveur (chacun utilise un cœur pour générer les pièces). Par "
                   "défaut\u00a0: un par processeur, 8 au plus\u00a0; 1 sous Windows, où un seul "
                   "processus sert.")
@click.option("--fils", type=click.IntRange(1, 64), default=None,
              help="Requêtes traitées en même temps par chaque processus (les suivantes attendent "
                   "le premier processus libre). Par défaut\u00a0: 2 avec plusieurs processus, 8 "
                   "avec un seul.")
@click.option("--bibliotheques", "bibliotheques", metavar="REPERTOIRE",
              envvar="CLAUSEGEN_REPERTOIRE_BIBLIOTHEQUES",
              type=click.Path(file_okay=False, path_type=str),
              help="Répertoire des bibliothèques d'organisation (un sous-répertoire "
                   "organisation-N par organisation ; défaut : répertoire de données de "
                   "l'utilisateur). À partager entre instances.")
@click.option("--contact-accessibilite", "contact", metavar="CONTACT",
              envvar="CLAUSEGEN_CONTACT_ACCESSIBILITE",
              help="Où signaler un défaut d'accessibilité (adresse électronique, page web ou "
                   "texte), donné par la déclaration d'accessibilité (/accessibilite).")
@click.option("--sans-pagination", "sans_pagination", is_flag=True,
              help="Le sommaire du CCAP généré n'a pas ses numéros de page (sans LibreOffice)\u00a0: "
                   "Word propose de le mettre à jour à l'ouverture.")
@handle_errors
def serveur(hote: str, port: int, base: str | None, https: bool, proxy: bool,
            proxys: tuple[str, ...], hotes: tuple[str, ...], processus: int | None, fils: int | None,
            bibliotheques: str | None, contact: str | None, sans_pagination: bool) -> None:
    """Lance l'application web (base créée et mise à jour automatiquement)."""
    from clausegen.web import WebConfig, create_app
    from clausegen.web.serveur import Ecoute, processus_par_defaut, servir, verifier_adresse

    verifier_adresse(hote, port)
    url = _url(base)
    app = create_app(WebConfig(base=url, https=https, derriere_proxy=proxy,
                               proxys=proxys or ("127.0.0.1", "::1"), hotes=hotes,
                               cle_secrete=os.environ.get("CLAUSEGEN_CLE_SECRETE"),
                               bibliotheques=bibliotheques, contact_accessibilite=contact,
                               pagination=not sans_pagination))
    ecoute = Ecoute(hote=hote, port=port, processus=processus or processus_par_defaut(), fils=fils)
    success(f"clausegen sert http://{hote}:{port}/ ({ecoute.processus}\u00a0processus, "
            "Ctrl+C pour arrêter).")
    servir(app, ecoute, derriere_proxy=proxy)


MOT_DE_PASSE = click.password_option(
    "--mot-de-passe", "mot_de_passe", envvar="CLAUSEGEN_MOT_DE_PASSE",
    prompt="Mot de passe (12 caractères au moins, difficile à deviner)",
    confirmation_prompt="Confirmez le mot de passe",
    help="Mot de passe (demandé s'il n'est pas donné ; CLAUSEGEN_MOT_DE_PASSE).")


@click.group("comptes", subcommand_metavar="COMMANDE [ARGUMENTS]...")
def comptes() -> None:
    """Comptes de l'application web."""


@comptes.command("creer")
@click.option("--organisation", required=True, help="Organisation (créée si elle n'existe pas).")
@click.option("--courriel", required=True, help="Adresse électronique (identifiant).")
@click.option("--nom", required=True, help="Prénom et nom.")
@click.option("--role", default="administrateur", show_default=True,
              type=click.Choice(["acheteur", "juriste", "facilitateur", "administrateur", "titulaire"]),
              help="Rôle dans l'organisation.")
@MOT_DE_PASSE
@BASE
@handle_errors
def creer(organisation: str, courriel: str, nom: str, role: str, mot_de_passe: str,
          base: str | None) -> None:
    """Crée un compte (le premier administrateur, typiquement). Son mot de passe est
    provisoire : la personne en choisit un autre à sa première connexion."""
    from sqlalchemy.orm import Session

    from clausegen.db.engine import connect
    from clausegen.errors import AccountError
    from clausegen.web.comptes import consigner_creation, creer_compte, organisation_nommee, valider_compte

    donnees = {"courriel": courriel, "nom": nom, "role": role, "mot_de_passe": mot_de_passe}
    valide, problemes = valider_compte(donnees)
    if valide is None:
        raise AccountError(field=problemes[0].path, reason=problemes[0].expected)
    engine = connect(_url(base))
    try:
        with Session(engine) as db:
            compte = creer_compte(db, valide, organisation_nommee(db, organisation))
            consigner_creation(db, compte, par=None)
            success(f"Compte créé : {compte.courriel} ({compte.role}, {compte.organisation.nom}) ; "
                    "mot de passe provisoire, à changer à la première connexion.")
    finally:
        engine.dispose()


@comptes.command("reinitialiser")
@click.option("--courriel", required=True, help="Adresse électronique du compte.")
@MOT_DE_PASSE
@BASE
@handle_errors
def reinitialiser(courriel: str, mot_de_passe: str, base: str | None) -> None:
    """Donne un nouveau mot de passe provisoire à un compte (toutes ses sessions sont fermées ;
    la personne en choisit un autre à sa prochaine connexion ; inscrit au journal d'audit)."""
    from sqlalchemy.orm import Session

    from clausegen.db.engine import connect
    from clausegen.web.comptes import reinitialiser_mot_de_passe

    engine = connect(_url(base))
    try:
        with Session(engine) as db:
            compte = reinitialiser_mot_de_passe(db, courriel, mot_de_passe)
            success(f"Mot de passe de {compte.courriel} réinitialisé ; ses sessions sont fermées et "
                    "il devra en choisir un autre à sa prochaine connexion.")
    finally:
        engine.dispose()


def register(group: click.Group) -> None:
    """Attach the commands to the main group."""
    group.add_command(serveur)
    group.add_command(comptes)
