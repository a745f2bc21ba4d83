"""Helpers shared by the web tests: a complete dossier and the forms that type it."""

from __future__ import annotations

import copy
import re
from typing import Any

import yaml

from clausegen.web.entretien import AUCUN, Etape, defaut, etapes_de, lire, nom_en_ligne
from tests.conftest import NETTOYAGE


def dossier_entretien() -> dict[str, Any]:
    """The bundled example without what the interview does not ask (award, yearly plans, and
    the execution options of the complete CCAP, issue 19, item 4, kept in the file only)."""
    data = copy.deepcopy(yaml.safe_load(NETTOYAGE.read_text(encoding="utf-8")))
    for cle in ("titulaire", "plans", "bilans"):
        data.pop(cle, None)
    data["administratif"].pop("execution", None)
    return data


def formulaire(etape: Etape, data: dict[str, Any]) -> dict[str, Any]:
    """The form of one step, typed from a dossier dictionary."""
    champs: dict[str, Any] = {}
    for champ in etape.champs:
        valeur = lire(data, champ.chemin)
        if champ.type == "dispositif":
            champs[champ.chemin] = "clause_insertion" if "clause_insertion" in data else "plan_de_progres"
        elif champ.type == "section":
            champs[champ.chemin] = ["non", "oui"] if valeur is not None else ["non"]
        elif champ.type == "liste":
            rangs = valeur or []
            champs[f"{champ.chemin}.lignes"] = str(len(rangs))
            for i, rang in enumerate(rangs):
                for sous in champ.sous:
                    v = lire(rang, sous.relatif(champ))
                    if v is not None:
                        champs[nom_en_ligne(champ, i, sous)] = (["non", "oui"] if v else ["non"]) \
                            if sous.type == "case" else str(v)
        elif champ.type == "articles":
            champs[champ.chemin] = "\n".join(f"{k} : {v}" for k, v in (valeur or {}).items())
        elif champ.type == "oui_non":
            champs[champ.chemin] = {True: "oui", False: "non"}.get(valeur, AUCUN)
        elif champ.type == "case" and valeur is None and not champ.choix_juridique:
            champs[champ.chemin] = ["non", "oui"] if defaut(champ.chemin) else ["non"]
        elif champ.type == "axes":
            champs[champ.chemin] = [a["code"] for a in valeur]
            for axe in valeur:
                champs[f"plan_de_progres.precisions.{axe['code']}"] = axe.get("precisions", "")
        elif champ.type == "case":
            champs[champ.chemin] = ["non", "oui"] if valeur else ["non"]
        elif valeur is not None:
            champs[champ.chemin] = str(valeur)
    return champs


def remplir(client: Any, dossier_id: int, data: dict[str, Any]) -> None:
    """Answer every step of the interview that applies to the dossier; each one must lead to
    the next."""
    for etape in etapes_de(data):
        reponse = client.post(f"/dossiers/{dossier_id}/entretien/{etape.code}", formulaire(etape, data))
        assert reponse.status_code == 302, (etape.code, reponse.get_data(as_text=True)[-3000:])


def nouveau_dossier(client: Any) -> int:
    """Create an empty dossier as the signed-in buyer; its number."""
    reponse = client.post("/dossiers")
    assert reponse.status_code == 302
    found = re.search(r"/dossiers/(\d+)/", reponse.headers["Location"])
    assert found
    return int(found.group(1))
