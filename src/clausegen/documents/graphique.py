"""The chart of objectives against results (matplotlib, Agg backend, deterministic PNG)."""

from __future__ import annotations

import io
import textwrap
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402 - the backend is chosen first
from matplotlib.patches import Patch  # noqa: E402

from clausegen.domain.bilan import LigneObjectif  # noqa: E402
from clausegen.text.french import pourcentage  # noqa: E402

ATTEINT = "#0072B2"
NON_ATTEINT = "#E69F00"
"""Blue and orange of the Okabe-Ito palette, told apart with every colour-vision deficiency;
unreached objectives are also hatched, and each bar carries its value."""

PNG_METADATA = {"Software": None}
"""No varying metadata in the PNG, so the .docx stays byte-identical from run to run."""


def _court(text: str, width: int = 40) -> str:
    """At most two lines of ``width`` characters (an ellipsis marks a cut)."""
    return textwrap.fill(text, width, max_lines=2, placeholder=" …")


def graphique_realisation(lignes: tuple[LigneObjectif, ...]) -> bytes:
    """Horizontal bars: achievement rate of each objective, with the 100 % target line."""
    labels = [_court(o.objectif.libelle) for o in lignes][::-1]
    taux = [float(o.taux) for o in lignes][::-1]
    colours = [ATTEINT if o.atteint else NON_ATTEINT for o in lignes][::-1]
    hatches = ["" if o.atteint else "//" for o in lignes][::-1]
    figure, axes = plt.subplots(figsize=(8, 0.7 * len(lignes) + 1.8), dpi=150)
    try:
        bars = axes.barh(labels, taux, color=colours, hatch=hatches, edgecolor="white")
        axes.legend(handles=[Patch(facecolor=ATTEINT, label="objectif atteint"),
                             Patch(facecolor=NON_ATTEINT, hatch="//", edgecolor="white",
                                   label="objectif non atteint")],
                    loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, fontsize=8,
                    frameon=False)
        axes.axvline(100, color="#333333", linestyle="--", linewidth=1)
        axes.set_xlim(0, max(120.0, max(taux, default=0) * 1.15))
        axes.set_xlabel("Taux de réalisation de l'objectif (valeur atteinte / valeur cible)")
        axes.xaxis.set_major_formatter(lambda value, _pos: pourcentage(Decimal(int(value))))
        for bar, value in zip(bars, taux, strict=True):
            axes.text(bar.get_width() + 1, bar.get_y() + bar.get_height() / 2,
                      pourcentage(Decimal(str(value))), va="center", fontsize=8)
        axes.spines[["top", "right"]].set_visible(False)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", metadata=PNG_METADATA, bbox_inches="tight")
    finally:
        plt.close(figure)
    return buffer.getvalue()


def texte_alternatif(lignes: tuple[LigneObjectif, ...]) -> str:
    """What the chart shows, in words, for screen readers (alternative text)."""
    if not lignes:
        return "Graphique des taux de réalisation : aucun objectif."
    details = " ; ".join(
        f"{o.objectif.libelle} : {pourcentage(o.taux)} ({'atteint' if o.atteint else 'non atteint'})"
        for o in lignes)
    return (f"Graphique en barres horizontales du taux de réalisation de chaque objectif, "
            f"l'objectif étant atteint à 100 % : {details}.")
