"""Click's own messages in French (« Utilisation : », « Erreur : », « Options »…).

Click marks its strings for gettext (``from gettext import gettext as _``) in each of its
modules, but ships no catalogue and follows the process locale. clausegen's users read
French whatever their locale, so this module rebinds ``_`` and ``ngettext`` in Click's
modules to a fixed French catalogue. Strings absent from the catalogue stay in English
(a test lists Click's strings so an upgrade that adds one is noticed).
"""

from __future__ import annotations

import importlib
from typing import Any

import click
import click.types

NBSP = "\u00a0"

SINGULAR: dict[str, str] = {
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "(dynamic)": "(dynamique)",
    "Aborted!": "Interrompu.",
    "Argument {name!r} takes {nargs} values.": "L'argument {name!r} prend {nargs} valeurs.",
    "Choose from:\n\t{choices}": f"Choisissez parmi{NBSP}:\n\t{{choices}}",
    # Section headings: Click appends « : », French typography wants a space before it.
    "Commands": f"Commandes{NBSP}",
    "Confirm the action without prompting.": "Confirme l'action sans la demander.",
    "Could not open file {filename!r}: {message}":
        f"Impossible d'ouvrir le fichier {{filename!r}}{NBSP}: {{message}}",
    "Do you want to continue?": f"Voulez-vous continuer{NBSP}?",
    "Error: The two entered values do not match.":
        f"Erreur{NBSP}: les deux valeurs saisies diffèrent.",
    "Error: invalid input": f"Erreur{NBSP}: saisie invalide",
    "Error: {message}": f"Erreur{NBSP}: {{message}}",
    "Invalid value for {param_hint}: {message}":
        f"Valeur invalide pour {{param_hint}}{NBSP}: {{message}}",
    "Invalid value: {message}": f"Valeur invalide{NBSP}: {{message}}",
    "Missing argument": "Argument manquant",
    "Missing command.": "Commande manquante.",
    "Missing option": "Option manquante",
    "Missing parameter": "Paramètre manquant",
    "Missing parameter: {param_name}": f"Paramètre manquant{NBSP}: {{param_name}}",
    "Missing {param_type}": "{param_type} manquant",
    "No such command {name!r}.": f"Commande inconnue{NBSP}: {{name!r}}.",
    "No such option {name!r}.": f"Option inconnue{NBSP}: {{name!r}}.",
    "Option {name!r} does not take a value.": "L'option {name!r} ne prend pas de valeur.",
    "Options": f"Options{NBSP}",
    "Positional arguments": f"Arguments{NBSP}",
    "Press any key to continue...": "Appuyez sur une touche pour continuer…",
    "Repeat for confirmation": "Répétez pour confirmer",
    "Show the version and exit.": "Affiche la version et quitte.",
    "Show this message and exit.": "Affiche cette aide et quitte.",
    "Try '{command} {option}' for help.": "Essayez « {command} {option} » pour l'aide.",
    "Usage:": f"Utilisation{NBSP}:",
    "default: {default}": f"défaut{NBSP}: {{default}}",
    "deprecated": "obsolète",
    "directory": "répertoire",
    "env var: {var}": f"variable d'environnement{NBSP}: {{var}}",
    "file": "fichier",
    "path": "chemin",
    "unknown error": "erreur inconnue",
    "{name} {filename!r} does not exist.": "{name} {filename!r} introuvable.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} est un répertoire.",
    "{name} {filename!r} is a file.": "{name} {filename!r} est un fichier.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} illisible.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} non modifiable.",
    "{value!r} is not a valid {number_type}.": "{value!r} n'est pas un {number_type} valide.",
    "{value} is not in the range {range}.": "{value} n'est pas dans l'intervalle {range}.",
    "integer": "entier",
    "float": "nombre",
    "boolean": "booléen",
    "required": "obligatoire",
    # Programming errors of a command definition (never shown to a user of a released version).
    "Arguments take exactly one parameter declaration, got {length}: {decls}.":
        f"Un argument prend exactement une déclaration, {{length}} reçues{NBSP}: {{decls}}.",
    "Boolean option {decl!r} cannot use the same flag for true/false.":
        "L'option booléenne {decl!r} ne peut pas utiliser le même drapeau pour vrai et faux.",
    "Choice({choices})": "Choix({choices})",
    "Could not determine name for option with declarations {decls!r}":
        "Nom d'option introuvable pour les déclarations {decls!r}",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}":
        f"Avertissement{NBSP}: la commande {{name!r}} est obsolète.{{extra_message}}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}":
        f"Avertissement{NBSP}: {{param_type}} {{name!r}} obsolète.{{extra_message}}",
    "Invalid start character for option ({option})":
        "Caractère initial invalide pour l'option ({option})",
    "Name '{name}' defined twice": "Nom « {name} » défini deux fois",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument "
    "instead? Did you mean to pass '--{name}'?":
        f"Aucune option définie, mais un nom a été donné ({{name}}){NBSP}: un argument, ou "
        f"« --{{name}} »{NBSP}?",
    "Unknown color {colour!r}": "Couleur inconnue {colour!r}",
    "Unknown standard stream '{name}'": "Flux standard inconnu « {name} »",
    "Value must be an iterable.": "La valeur doit être une suite de valeurs.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} non exécutable.",
    "{value!r} is not a valid UUID.": "{value!r} n'est pas un UUID valide.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        f"{{value!r}} n'est pas un booléen valide. Valeurs reconnues{NBSP}: {{states}}",
}

PLURAL: dict[tuple[str, str], tuple[str, str]] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Argument inattendu ({args})", "Arguments inattendus ({args})"),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        (f"Vouliez-vous dire {{possibility}}{NBSP}?",
         f"(Vouliez-vous dire l'un de{NBSP}: {{possibilities}}{NBSP}?)"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("L'option {name!r} attend une valeur.", "L'option {name!r} attend {nargs} valeurs."),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("{value!r} n'est pas {choice}.", "{value!r} n'est pas l'une des valeurs {choices}."),
    ("{value!r} does not match the format {format}.",
     "{value!r} does not match the formats {formats}."):
        ("{value!r} n'est pas une date au format AAAA-MM-JJ (ex. 2026-12-01) ou n'existe pas.",
         "{value!r} n'est pas une date dans l'un des formats {formats}."),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("{nargs} valeurs attendues, 1 seule reçue.", "{nargs} valeurs attendues, {len} reçues."),
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."):
        ("{len_type} valeurs attendues, {len_value} reçue.",
         "{len_type} valeurs attendues, {len_value} reçues."),
}

CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui",
                 "utils")


def gettext(message: str) -> str:
    """The French wording of a Click message (the message itself when unknown)."""
    return SINGULAR.get(message, message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The French singular or plural wording of a Click message."""
    french = PLURAL.get((singular, plural))
    if french is None:
        return singular if count == 1 else plural
    return french[0] if count == 1 else french[1]


TYPE_NAMES = {"STRING": "texte", "INT": "entier", "FLOAT": "nombre", "BOOL": "booléen",
              "UUID": "uuid"}
"""Names of Click's parameter types, shown in upper case as metavars (``--heure TEXTE``)."""


class Date(click.DateTime):
    """A date option shown as ``AAAA-MM-JJ`` (Click shows its strptime formats)."""

    name = "date"

    def get_metavar(self, *args: Any, **kwargs: Any) -> str:
        """``AAAA-MM-JJ`` whatever the formats."""
        return "AAAA-MM-JJ"


def install() -> None:
    """Rebind Click's translation functions to the French catalogue (idempotent)."""
    for attribute, french in TYPE_NAMES.items():
        getattr(click.types, attribute).name = french
    click.types.IntRange.name = "entier"
    click.types.FloatRange.name = "nombre"
    for name in CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
