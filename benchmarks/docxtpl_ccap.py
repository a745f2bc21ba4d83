"""The reference of the cold-start case (issue 24, « Cold CLI »): a plain docxtpl script.

    python benchmarks/docxtpl_ccap.py modele MODELE.docx      # build the template (untimed)
    python benchmarks/docxtpl_ccap.py rendu MODELE.docx SORTIE.docx   # the timed script

The template is what a buyer would write by hand for a CCAP of about twelve pages: a title
page, 8 chapters, 40 numbered articles of two paragraphs with fields, a few conditional
paragraphs, a table looping over the lots and a loop over 5 axes, each with a small table.
``rendu`` is the whole plain script: import docxtpl, render the template with a context held
in the script (no dossier file read, no validation) and save the document.
"""

from __future__ import annotations

import sys

CONTEXT = {
    "acheteur": "Ville de Saint-Aubin-sur-Loire",
    "adresse": "1 place de la Mairie, 45000 Saint-Aubin-sur-Loire",
    "objet": "Nettoyage et entretien des bâtiments communaux",
    "reference": "2026-0142",
    "duree_mois": 48,
    "montant": "1 200 000,00 € HT",
    "variantes": False,
    "avance": True,
    "reconduction": True,
    "lots": [{"numero": n, "intitule": f"Bâtiments du secteur {n}", "montant": f"{n * 100} 000,00 € HT"}
             for n in range(1, 5)],
    "axes": [{"numero": n, "titre": titre, "indicateur": f"Indicateur de l'axe {n}",
              "cible": f"{10 * n} %", "echeance": f"{12 * n} mois"}
             for n, titre in enumerate(("Insertion professionnelle", "Formation des salariés",
                                        "Égalité professionnelle", "Santé et sécurité au travail",
                                        "Qualité de l'emploi"), start=1)],
}

SENTENCES = (
    "Le titulaire exécute les prestations du marché {{ reference }} conformément aux stipulations "
    "du présent cahier et aux documents auxquels il renvoie, pour le compte de {{ acheteur }}.",
    "Les délais courent à compter de la notification du marché, pour une durée de "
    "{{ duree_mois }} mois, et s'entendent en jours calendaires sauf stipulation contraire.",
    "Toute modification des conditions d'exécution fait l'objet d'un avenant ou d'une décision "
    "de poursuivre, dans les conditions prévues par le code de la commande publique.",
    "Le montant estimé des prestations, {{ montant }}, ne constitue pas un engagement de "
    "commande ; les prix sont réputés comprendre toutes les charges fiscales et parafiscales.",
)


def build_template(path: str) -> None:
    """Write the template (python-docx, once, before any timing)."""
    from docx import Document
    from docx.enum.text import WD_BREAK

    document = Document()
    document.add_paragraph("{{ acheteur }}", style="Title")
    document.add_paragraph("{{ adresse }}")
    document.add_paragraph("CAHIER DES CLAUSES ADMINISTRATIVES PARTICULIÈRES", style="Subtitle")
    document.add_paragraph("Objet : {{ objet }}")
    document.add_paragraph("Marché n° {{ reference }} – durée : {{ duree_mois }} mois")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    article = 0
    for chapter in range(1, 9):
        document.add_heading(f"Chapitre {chapter} – Dispositions du chapitre {chapter}", level=1)
        for _ in range(5):
            article += 1
            document.add_heading(f"Article {article} – Stipulations de l'article {article}", level=2)
            for paragraph in range(2):
                document.add_paragraph(" ".join(SENTENCES[(article + paragraph + i) % 4]
                                                for i in range(2 - paragraph)))
            if article == 6:
                document.add_paragraph("{%p if variantes %}")
                document.add_paragraph("Les variantes sont autorisées dans les conditions du règlement.")
                document.add_paragraph("{%p else %}")
                document.add_paragraph("Les variantes ne sont pas autorisées.")
                document.add_paragraph("{%p endif %}")
            if article == 9:
                table = document.add_table(rows=3, cols=3, style="Table Grid")
                _fill(table.rows[0].cells, ("Lot", "Intitulé", "Montant estimé"))
                _fill(table.rows[1].cells, ("{%tr for lot in lots %}", "", ""))
                _fill(table.add_row().cells, ("{{ lot.numero }}", "{{ lot.intitule }}", "{{ lot.montant }}"))
                table.rows[2].cells[0].text = "{%tr endfor %}"
                # rows: header, for, values, endfor (python-docx added the values row last)
                values = table.rows[3]._tr
                table._tbl.remove(values)
                table.rows[1]._tr.addnext(values)
            if article in (14, 27):
                document.add_paragraph("{%p if avance %}")
                document.add_paragraph("Une avance est versée au titulaire qui ne l'a pas refusée.")
                document.add_paragraph("{%p endif %}")
            if article == 21:
                document.add_paragraph("{%p for axe in axes %}")
                document.add_paragraph("Axe {{ axe.numero }} : {{ axe.titre }}", style="Heading 3")
                table = document.add_table(rows=2, cols=3, style="Table Grid")
                _fill(table.rows[0].cells, ("Indicateur", "Cible", "Échéance"))
                _fill(table.rows[1].cells, ("{{ axe.indicateur }}", "{{ axe.cible }}", "{{ axe.echeance }}"))
                document.add_paragraph("{%p endfor %}")
            if article == 33:
                document.add_paragraph("{%p if reconduction %}")
                document.add_paragraph("Le marché est reconductible trois fois par période d'un an.")
                document.add_paragraph("{%p endif %}")
    document.save(path)


def _fill(cells: object, texts: tuple[str, ...]) -> None:
    for cell, text in zip(cells, texts, strict=True):  # type: ignore[call-overload]
        cell.text = text


def render(template: str, out: str) -> None:
    """The plain script: import docxtpl, render, save."""
    from docxtpl import DocxTemplate

    document = DocxTemplate(template)
    document.render(CONTEXT, autoescape=True)
    document.save(out)


if __name__ == "__main__":
    if sys.argv[1] == "modele":
        build_template(sys.argv[2])
    else:
        render(sys.argv[2], sys.argv[3])
