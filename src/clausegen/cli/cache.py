"""``clausegen cache etat|vider``: the caches kept between runs."""

from __future__ import annotations

import click

from clausegen.cli.common import handle_errors, success


@click.group("cache", subcommand_metavar="COMMANDE [ARGUMENTS]...")
def cache() -> None:
    """Caches gardés d'une exécution à l'autre (bibliothèque lue, modèles compilés, modèles Word préparés).

    Ils ne servent qu'à aller plus vite : les vider ne perd rien. Les entrées inutilisées
    depuis 30 jours sont retirées d'elles-mêmes, une fois par jour.
    """


def _taille(octets: int) -> str:
    from clausegen.text.french import nombre

    if octets < 1024 * 1024:
        return f"{nombre(round(octets / 1024, 1))}\u00a0Ko"
    return f"{nombre(round(octets / (1024 * 1024), 1))}\u00a0Mo"


@cache.command("etat")
@handle_errors
def etat() -> None:
    """Affiche où sont les caches et ce qu'ils occupent."""
    from clausegen.api.cache import read_cache_state
    from clausegen.text.french import pluriel

    state = read_cache_state()
    if state.directory is None:
        click.echo("Caches désactivés (CLAUSEGEN_CACHE=off).")
        return
    click.echo(f"Répertoire des caches\u00a0: {state.directory}")
    click.echo(f"{pluriel(state.files, 'fichier')} dans {pluriel(state.namespaces, 'sous-répertoire')}, "
               f"{_taille(state.size)}.")


@cache.command("vider")
@handle_errors
def vider() -> None:
    """Supprime tous les caches de clausegen (seuls ses propres fichiers sont retirés)."""
    from clausegen.api.cache import clear_caches
    from clausegen.text.french import pluriel

    retires = clear_caches()
    success(f"Caches vidés\u00a0: {pluriel(retires, 'fichier')} retiré{'s' if retires > 1 else ''}.")


def register(group: click.Group) -> None:
    """Attach the commands to the main group."""
    group.add_command(cache)
