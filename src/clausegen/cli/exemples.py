"""One example per command, shown at the end of its ``--help`` (in French)."""

from __future__ import annotations

import click

EXAMPLES: dict[str, str] = {
    "actualiser": 'clausegen actualiser ccap-2026.docx -o ccap-2027.docx --le 2027-01-15 '
                  '--auteur "Service juridique"',
    "bibliotheque": "clausegen bibliotheque lister --statut valide --piece ccap",
    "bibliotheque afficher": "clausegen bibliotheque afficher plan_progres.delais@1.0.0",
    "bibliotheque comparer": "clausegen bibliotheque comparer 1.0.0 1.1.0 -o revue.docx",
    "bibliotheque historique": "clausegen bibliotheque historique general.objet",
    "bibliotheque importer": "clausegen bibliotheque importer clauses.docx --bibliotheque "
                             "bibliotheque-orga --prefixe ville",
    "bibliotheque init": "clausegen bibliotheque init bibliotheque-orga",
    "bibliotheque lister": "clausegen bibliotheque lister --statut valide --piece ccap",
    "bibliotheque nouvelle-version": "clausegen bibliotheque nouvelle-version general.objet --version 1.1.0",
    "bibliotheque publier": "clausegen bibliotheque publier 1.2.0 --le 2026-12-01",
    "bibliotheque statut": 'clausegen bibliotheque statut general.objet@1.1.0 valide --par "Me Durand" '
                           "--le 2026-12-01",
    "bibliotheque verifier": "clausegen bibliotheque verifier --strict",
    "bilan": "clausegen bilan dossier.yml --annee 1 --resultats resultats-1.yml",
    "cache": "clausegen cache etat",
    "cache etat": "clausegen cache etat",
    "cache vider": "clausegen cache vider",
    "ccap": "clausegen ccap dossier.yml -o ccap.docx",
    "cctp": "clausegen cctp dossier.yml -o cctp.docx --modele mon-modele.docx",
    "convocation": 'clausegen convocation dossier.yml --reunion 2027-01-15 --heure "14 h 30"',
    "echeancier": "clausegen echeancier dossier.yml --ics echeances.ics",
    "faisabilite": "clausegen faisabilite dossier.yml --format json",
    "init": "clausegen init mon-dossier.yml",
    "comptes": "clausegen comptes creer --organisation \"Ville de Saint-Aubin\" "
               "--courriel admin@saint-aubin.fr --nom \"Claire Martin\"",
    "comptes creer": "clausegen comptes creer --organisation \"Ville de Saint-Aubin\" "
                     "--courriel admin@saint-aubin.fr --nom \"Claire Martin\" --role administrateur",
    "comptes reinitialiser": "clausegen comptes reinitialiser --courriel claire.martin@saint-aubin.fr",
    "journal": "clausegen journal verifier",
    "journal verifier": "clausegen journal verifier",
    "lettre": "clausegen lettre dossier.yml --annee 1 --date 2027-02-10",
    "lettre-bilan": "clausegen lettre-bilan dossier.yml --annee 1 --date 2028-03-20",
    "mise-en-demeure": "clausegen mise-en-demeure dossier.yml --annee 1 --date 2027-04-19",
    "invitation-observations": "clausegen invitation-observations dossier.yml --annee 1 --date 2027-05-12",
    "decision-penalites": "clausegen decision-penalites dossier.yml --annee 1 --date 2027-06-01",
    "lot": "clausegen lot dossiers/ -o sortie/ -j 2",
    "pieces": "clausegen pieces dossier.yml -o sortie/ --suivi",
    "plan": "clausegen plan dossier.yml --annee 2 --plan plan-2.yml",
    "schema": "clausegen schema > dossier.schema.json",
    "serveur": "clausegen serveur --hote 127.0.0.1 --port 8000",
    "tableau-de-bord": "clausegen tableau-de-bord dossier.yml --plan plan-2.yml --resultats resultats-2.yml",
    "verifier-document": "clausegen verifier-document sortie/ccap.docx",
}
"""Keyed by the command's path below ``clausegen``."""


def add_examples(command: click.Command, path: str) -> None:
    """Give a command (and a group's subcommands) its example, unless it already has one."""
    example = EXAMPLES.get(path)
    if example and not command.epilog:
        command.epilog = f"\b\nExemple\u00a0:\n  {example}"
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            if not sub.short_help and sub.help:  # the whole first paragraph, never cut by « ... »
                sub.short_help = " ".join(sub.help.split("\n\n")[0].split())
            add_examples(sub, f"{path} {name}")
