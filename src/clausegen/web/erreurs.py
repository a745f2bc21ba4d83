"""Error pages: a French message and the right status, never a traceback."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

MESSAGES: dict[int, tuple[str, str]] = {
    400: ("Requête incorrecte", "La demande n'a pas pu être comprise. Revenez à la page "
          "précédente et recommencez."),
    401: ("Connexion requise", "Connectez-vous pour accéder à cette page."),
    403: ("Accès refusé", "Votre rôle ne permet pas cette action. Si vous pensez qu'il le "
          "devrait, adressez-vous à l'administrateur de votre organisation."),
    404: ("Page introuvable", "Cette page n'existe pas ou ne vous est pas accessible."),
    405: ("Méthode non permise", "Cette adresse ne s'utilise pas ainsi."),
    409: ("Action impossible pour l’instant", "Le dossier ne permet pas encore cette action."),
    422: ("Données à corriger", "Les données envoyées ne conviennent pas ; corrigez-les et "
          "recommencez."),
    413: ("Fichier trop volumineux", "Le fichier envoyé dépasse 1 Mo ; un dossier en pèse "
          "quelques kilo-octets."),
    429: ("Trop de tentatives", "Trop de tentatives de connexion ont échoué. Attendez "
          "15 minutes avant de réessayer."),
    503: ("Service indisponible", "Ce service n’est pas disponible sur ce serveur."),
    504: ("Délai dépassé", "Le serveur n’a pas pu terminer à temps ; réessayez dans un instant."),
    500: ("Erreur du serveur", "Une erreur inattendue est survenue ; rien n'a été enregistré. "
          "Réessayez, et signalez-la si elle se reproduit."),
}


def page_erreur(statut: int, message: str | None = None) -> tuple[str, int]:
    """The error page for ``statut``."""
    titre, texte = MESSAGES.get(statut, MESSAGES[400])
    return render_template("erreur.html", titre=titre, texte=message or texte), statut


def _csrf(exc: CSRFError) -> tuple[str, int]:
    return page_erreur(400, "Le formulaire a expiré ou ne provient pas de cette application "
                            "(jeton de sécurité absent ou périmé). Rechargez la page et "
                            "recommencez ; ce que vous aviez saisi dans l'entretien reste "
                            "enregistré.")


TROP_VOLUMINEUX = {
    "pieces.actualiser": "Champ « Votre {piece} modifié (.docx) » : le fichier dépasse 1 Mo ; "
                         "un CCAP ou un CCTP retouché en pèse quelques centaines de kilo-octets "
                         "(sans images).",
}
"""Routes whose upload is not a dossier: the 413 message names their field."""


def _http(exc: HTTPException) -> tuple[str, int]:
    message = TROP_VOLUMINEUX.get(request.endpoint or "") if exc.code == 413 else None
    if message:
        piece = str((request.view_args or {}).get("piece", "document")).upper()
        return page_erreur(413, message.format(piece=piece))
    return page_erreur(exc.code or 500)


def _inattendue(exc: Exception) -> tuple[str, int]:
    current_app.logger.exception("Erreur inattendue", exc_info=exc)
    return page_erreur(500)


def installer(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _inattendue)
