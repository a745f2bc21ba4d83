"""Turn the figures of ``run.py`` into the Markdown table of docs/performance.md."""

from __future__ import annotations

from typing import Any


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _verdict(ok: bool) -> str:
    return "atteint" if ok else "**non atteint**"


def render_report(r: dict[str, dict[str, Any]], machine: str, command: str) -> str:
    ccap, lot, docxtpl = r["ccap"], r["lot"], r["docxtpl"]
    aide, bib = r["aide"], r["bibliotheque"]
    batch_vs_plain = lot["docs_par_seconde"] / docxtpl["docs_par_seconde_1_coeur"]
    rows = [
        ("CCAP en mémoire", _ms(ccap["secondes"]),
         f"≤ 2 × zip ({_ms(ccap['zip_secondes'])}) : × {ccap['ratio_zip']:.1f}",
         _verdict(ccap["ratio_zip"] <= 2), ccap["memoire_mio"]),
        ("CCTP en mémoire", _ms(r["cctp"]["secondes"]),
         f"(zip : {_ms(r['cctp']['zip_secondes'])}, × {r['cctp']['ratio_zip']:.1f})", "—",
         r["cctp"]["memoire_mio"]),
        ("Lettre de l'année 1 (dossier lu et fichier écrit compris)", _ms(r["lettre"]["secondes"]),
         f"(zip : {_ms(r['lettre']['zip_secondes'])}, × {r['lettre']['ratio_zip']:.1f})", "—",
         r["lettre"]["memoire_mio"]),
        ("docxtpl seul, modèle de la taille du CCAP", _ms(docxtpl["secondes"]),
         f"{docxtpl['docs_par_seconde_1_coeur']:.1f} documents/s sur 1 cœur", "—",
         docxtpl["memoire_mio"]),
        ("`clausegen --help`", _ms(aide["secondes"]),
         f"≤ 1,5 × `import click` ({_ms(aide['click_secondes'])}) : × {aide['ratio']:.2f}",
         _verdict(aide["ratio"] <= 1.5), aide["memoire_mio"]),
        ("`clausegen pieces` (tout le dossier)", _ms(r["pieces"]["secondes"]), "—", "—",
         r["pieces"]["memoire_mio"]),
        (f"`clausegen lot` ({lot['documents']:.0f} documents, 1 dossier cassé sur "
         f"{lot['documents'] / 2 + 1:.0f}, code {lot['code_sortie']:.0f})",
         f"{lot['secondes']:.2f} s", f"≥ 150 documents/s : {lot['docs_par_seconde']:.0f} "
         f"({lot['docs_par_seconde_cpu']:.0f} par seconde de CPU) ; "
         f"≥ 3 × docxtpl seul : × {batch_vs_plain:.1f}",
         _verdict(lot["docs_par_seconde"] >= 150 and batch_vs_plain >= 3), lot["memoire_mio"]),
        (f"Bibliothèque synthétique ({bib['versions']:.0f} versions) chargée et vérifiée",
         _ms(bib["secondes"]), f"< 1 s (CPU : {_ms(bib['cpu_secondes'])} ; tout premier "
         f"chargement, cache à écrire : {_ms(bib['premier_chargement_secondes'])} ; "
         f"analyse Jinja de chaque corps en plus : {_ms(bib['jinja_secondes'])})",
         _verdict(bib["secondes"] < 1), bib["memoire_mio"]),
    ]
    if "demarrage" in r:
        start = r["demarrage"]
        for key, what in (("ccap", "caches chauds"),
                          ("ccap_nouveau_dossier", "dossier jamais vu, caches chauds"),
                          ("ccap_sans_cache", "`CLAUSEGEN_CACHE=off`"),
                          ("pieces", "`pieces`, CCAP et CCTP, caches chauds")):
            rows.append((f"`clausegen ccap D -o X`, processus entier ({what})" if key != "pieces"
                         else f"`clausegen pieces D -o X`, processus entier ({what})",
                         _ms(start[f"{key}_secondes"]),
                         f"≤ 1,5 × script docxtpl seul (`benchmarks/docxtpl_ccap.py`, "
                         f"{_ms(start['docxtpl_secondes'])}, CPU {_ms(start['docxtpl_cpu_secondes'])}) : "
                         f"× {start[f'ratio_{key}_docxtpl']:.2f} (CPU {_ms(start[f'{key}_cpu_secondes'])} : "
                         f"× {start[f'ratio_cpu_{key}_docxtpl']:.2f}) ; imports seuls : "
                         f"× {start[f'ratio_cpu_{key}_imports']:.2f} en CPU",
                         _verdict(start[f"ratio_cpu_{key}_docxtpl"] <= 1.5) if key == "ccap" else "—",
                         start["memoire_mio"]))
    if "numerotation" in r:
        num = r["numerotation"]
        rows.append(("Corps du CCAP rendu : numérotation Word (liste, signets, champs REF et TOC) "
                     "contre numéros saisis", _ms(num["secondes"]),
                     f"numéros saisis : {_ms(num['saisis_secondes'])} ; surcoût {num['surcout']:+.0%}",
                     "—", num["memoire_mio"]))
    if "pdf_suivi" in r:
        pdf = r["pdf_suivi"]
        rows.append((f"Conversion PDF/A des {pdf['documents']:.0f} documents de `pieces --suivi`, "
                     "un seul appel LibreOffice", f"{pdf['secondes']:.2f} s",
                     f"un appel par document : {pdf['separees_secondes']:.2f} s (× {pdf['gain']:.1f}) ; "
                     f"commande entière `pieces --suivi --pdf` : {pdf['commande_secondes']:.2f} s",
                     "—", pdf["memoire_mio"]))
    lines = [f"Machine : {machine}", "", f"Commande : `{command}`", "",
             "| mesure | temps (médiane) | cible / comparaison | cible | mémoire max (Mio) |",
             "|---|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} | {e:.0f} |" for a, b, c, d, e in rows]
    return "\n".join(lines) + "\n"
