"""Load test of the web application on loopback (never part of the test suite).

    python benchmarks/web.py [--clients 1 10 50] [--requetes 200] [--processus P] [--base URL]

Starts the server as a user does, ``clausegen serveur --processus P`` (default: the server's
own default, one worker process per CPU), on 127.0.0.1 (SQLite in a temporary directory
unless ``--base``), then N concurrent clients (threads, one connection, reopened when
the server closes it, and one session each) generate CCAP + CCTP through HTTP
(POST …/generations, recorded in the database, as a buyer does). Bounded: at most
``--requetes`` generations per N and 120 s.
The same run measures in-process generation (``clausegen.api.marche.render_brouillon``,
one thread) and the other pages (dossier, interview step, list) at N = 1 and 10.
Every generation is of a dossier never generated before (each has its own market object,
« … — lot 17 »): no cache keyed by a dossier's content (validated dossiers, the clause text
that quotes the object) can answer for it, as for a buyer who edits and regenerates; each is
rendered and recorded anew. Both run without the sommaire's pagination (``serveur
--sans-pagination``, ``paginer=False``): what is measured is generation, compared with plain
docxtpl; the pagination is a LibreOffice layout, measured by ``benchmarks/run.py pagination``.
Server and reference keep their caches in a new, empty folder (``CLAUSEGEN_CACHE``), so no
dossier of an earlier run is found in them. Prints the CPU count, the load average before and
after, and a Markdown table (docs/performance-web.md).
"""

from __future__ import annotations

import argparse
import copy
import http.client
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "nettoyage-4-ans.yml"
MOT_DE_PASSE = "mot-de-passe-de-mesure"
_JETON = re.compile(r'name="csrf_token" value="([^"]+)"')
DUREE_MAX = 120.0


def _port_libre() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def variante(donnees: dict[str, Any], numero: int) -> dict[str, Any]:
    """The example draft with a market object of its own (a dossier never seen before)."""
    copie = copy.deepcopy(donnees)
    copie["marche"]["objet"] = f"{copie['marche']['objet']} — lot {numero}"
    return copie


def preparer(base: str, nombre: int) -> list[int]:
    """One organisation, one buyer, ``nombre`` variants of the example dossier; their numbers."""
    from sqlalchemy.orm import Session

    from clausegen.api.marche import dump_brouillon, read_dossier_text
    from clausegen.db import DossierWeb
    from clausegen.db.engine import connect
    from clausegen.web.comptes import NouveauCompte, creer_compte, organisation_nommee

    engine = connect(base)
    with Session(engine) as db:
        compte = creer_compte(db, NouveauCompte(courriel="mesure@ville.fr", nom="Mesure",
                                                role="acheteur", mot_de_passe=MOT_DE_PASSE),
                              organisation_nommee(db, "Ville de mesure"))
        donnees = dump_brouillon(read_dossier_text(EXAMPLE.read_text(encoding="utf-8"), "d.yml").dossier)
        webs = [DossierWeb(organisation_id=compte.organisation_id, cree_par_id=compte.id,
                           titre=f"Mesure {i}", brouillon=variante(donnees, i)) for i in range(nombre)]
        db.add_all(webs)
        db.commit()
        numeros = [web.id for web in webs]
    engine.dispose()
    return numeros


class Client:
    """One browser: a keep-alive connection and a session cookie."""

    def __init__(self, port: int) -> None:
        self.connexion = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""

    def requete(self, methode: str, chemin: str, corps: dict[str, str] | None = None) -> tuple[int, str]:
        entetes = {"Cookie": self.cookie} if self.cookie else {}
        donnees = None
        if corps is not None:
            donnees = urllib.parse.urlencode(corps)
            entetes["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connexion.request(methode, chemin, body=donnees, headers=entetes)
            reponse = self.connexion.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # the server closed an idle persistent connection: a browser opens a new one
            self.connexion.close()
            self.connexion.request(methode, chemin, body=donnees, headers=entetes)
            reponse = self.connexion.getresponse()
        texte = reponse.read().decode("utf-8", "replace")
        cookie = reponse.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return reponse.status, texte

    def jeton(self, chemin: str) -> str:
        _, page = self.requete("GET", chemin)
        trouve = _JETON.search(page)
        assert trouve, chemin
        return trouve.group(1)

    def connecter(self) -> None:
        jeton = self.jeton("/connexion")
        statut, _ = self.requete("POST", "/connexion", {"csrf_token": jeton, "courriel": "mesure@ville.fr",
                                                        "mot_de_passe": MOT_DE_PASSE})
        assert statut == 302, statut


def _pcentiles(durees: list[float]) -> tuple[float, float]:
    if len(durees) < 2:
        return durees[0], durees[0]
    coupes = statistics.quantiles(durees, n=100, method="inclusive")
    return coupes[49], coupes[94]


SERVEUR: list[int] = []
"""The pid of the server's parent process (its workers are its children)."""


def cpu_serveur() -> float:
    """CPU seconds used so far by the server process and its live workers (Linux /proc)."""
    if not SERVEUR or not Path("/proc").is_dir():
        return float("nan")
    pids = [SERVEUR[0]]
    try:
        pids += [int(p) for p in Path(f"/proc/{SERVEUR[0]}/task/{SERVEUR[0]}/children").read_text().split()]
        total = 0
        for pid in pids:
            champs = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(champs[11]) + int(champs[12])  # utime, stime
    except OSError:
        return float("nan")
    return total / os.sysconf("SC_CLK_TCK")


def _temps_cpu_machine() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot (Linux ``/proc/stat``)."""
    try:
        champs = [int(c) for c in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0, 0
    inactif = champs[3] + champs[4]  # idle, iowait
    return sum(champs) - inactif, sum(champs)


def charge(ports: list[int], clients: int, total: int, action: str, dossier: int,
           nouveaux: Iterator[int] | None = None) -> dict[str, float]:
    """``clients`` threads share ``total`` requests; latency of each, throughput overall.
    Clients are spread over the instances (``ports``) as a reverse proxy would. Generations
    take their dossier from ``nouveaux`` (each one a dossier never generated before)."""
    navigateurs = [Client(ports[i % len(ports)]) for i in range(clients)]
    for navigateur in navigateurs:
        navigateur.connecter()
    jetons = [n.jeton(f"/dossiers/{dossier}") for n in navigateurs]
    durees: list[float] = []
    verrou = threading.Lock()
    restant = [total]
    erreurs = [0]
    fin = time.monotonic() + DUREE_MAX

    def travailler(index: int) -> None:
        navigateur = navigateurs[index]
        while time.monotonic() < fin:
            with verrou:
                if restant[0] <= 0:
                    return
                restant[0] -= 1
                cible = next(nouveaux) if nouveaux is not None else dossier
            debut = time.perf_counter()
            if action == "generation":
                statut, _ = navigateur.requete("POST", f"/dossiers/{cible}/generations",
                                               {"csrf_token": jetons[index]})
                ok = statut == 302
            else:
                statut, _ = navigateur.requete("GET", action.format(dossier=dossier))
                ok = statut == 200
            duree = time.perf_counter() - debut
            with verrou:
                durees.append(duree)
                erreurs[0] += 0 if ok else 1

    fils = [threading.Thread(target=travailler, args=(i,)) for i in range(clients)]
    cpu_client, cpu_serveur_avant = time.process_time(), cpu_serveur()
    machine_avant = _temps_cpu_machine()
    debut = time.perf_counter()
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join()
    ecoule = time.perf_counter() - debut
    cpu_client = time.process_time() - cpu_client
    cpu_du_serveur = cpu_serveur() - cpu_serveur_avant
    machine = [b - a for a, b in zip(machine_avant, _temps_cpu_machine(), strict=True)]
    for navigateur in navigateurs:
        navigateur.connexion.close()
    p50, p95 = _pcentiles(durees)
    return {"requetes": len(durees), "erreurs": erreurs[0], "p50": p50, "p95": p95,
            "debit": len(durees) / ecoule, "cpu_serveur": cpu_du_serveur / len(durees),
            "cpu_client": cpu_client / len(durees),
            "occupation": machine[0] / machine[1] if machine[1] else float("nan")}


def en_processus(repetitions: int) -> dict[str, float]:
    """The same generation in this process, one thread (the reference throughput): the very
    call the web route makes (validate the draft, write its YAML once, render both pieces),
    without HTTP, session, CSRF or database."""
    from clausegen.api.marche import dump_brouillon, open_library, read_dossier_text, render_brouillon

    donnees = dump_brouillon(read_dossier_text(EXAMPLE.read_text(encoding="utf-8"), "d.yml").dossier)

    def generer_depuis_donnees(brouillon: dict[str, Any], nom: str) -> None:
        render_brouillon(brouillon, nom, open_library(), paginer=False)

    generer_depuis_donnees(donnees, "d.yml")  # warm-up: library parse, skeleton preparation
    variantes = [variante(donnees, 100_000 + i) for i in range(repetitions)]  # never seen before
    durees = []
    cpu = time.process_time()
    debut = time.perf_counter()
    for brouillon in variantes:
        t0 = time.perf_counter()
        generer_depuis_donnees(brouillon, "d.yml")
        durees.append(time.perf_counter() - t0)
    ecoule = time.perf_counter() - debut
    cpu = time.process_time() - cpu
    p50, p95 = _pcentiles(durees)
    return {"requetes": repetitions, "erreurs": 0, "p50": p50, "p95": p95, "debit": repetitions / ecoule,
            "cpu_serveur": cpu / repetitions, "cpu_client": float("nan"), "occupation": float("nan")}


def _ms(secondes: float) -> str:
    return f"{secondes * 1000:.1f}".replace(".", ",") + "\u00a0ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--requetes", type=int, default=200, help="générations au plus par N")
    parser.add_argument("--base", help="URL de base (défaut : SQLite temporaire)")
    parser.add_argument("--fils", type=int, help="requêtes à la fois par processus (défaut : serveur)")
    parser.add_argument("--processus", type=int, help="processus serveur (défaut : celui du serveur)")
    args = parser.parse_args()
    from clausegen.web.serveur import processus_par_defaut

    processus = args.processus or processus_par_defaut()
    charge_avant = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="clausegen-bench-web-") as travail:
        # caches of their own, empty (as on a new install): no dossier of an earlier run is
        # found there; the warm-up below fills what every generation shares (library, skeletons)
        os.environ["CLAUSEGEN_CACHE"] = str(Path(travail) / "cache")
        base = args.base or f"sqlite:///{Path(travail) / 'bench.sqlite3'}"
        generations = sum(max(args.requetes, n) for n in args.clients)
        dossiers = preparer(base, generations + 1)
        dossier, nouveaux = dossiers[0], iter(dossiers[1:])
        ports = [_port_libre()]
        serveur = subprocess.Popen([sys.executable, "-m", "clausegen", "serveur", "--base", base,
                                    "--port", str(ports[0]), "--processus", str(processus),
                                    "--sans-pagination",  # generation alone (docs/performance-web.md)
                                    *(["--fils", str(args.fils)] if args.fils else [])],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        SERVEUR.append(serveur.pid)
        try:
            _attendre(ports[0])
            # warm-up of every worker process (library, skeletons): concurrent generations
            # (the page measured below lists these generations, as a used dossier's page does)
            charge(ports, 2 * processus, 8 * processus, "generation", dossier)
            lignes = []
            reference = en_processus(min(args.requetes, 100))
            lignes.append(("en processus (1 fil)", "1", reference))
            for n in args.clients:
                resultat = charge(ports, n, max(args.requetes, n), "generation", dossier, nouveaux)
                lignes.append(("HTTP, génération CCAP + CCTP", str(n), resultat))
            for chemin, nom in (("/dossiers/{dossier}", "page du dossier"),
                                ("/dossiers/{dossier}/entretien/marche", "étape « marché »"),
                                ("/dossiers", "liste des dossiers")):
                for n in (1, 10):
                    lignes.append((f"HTTP, {nom}", str(n), charge(ports, n, 300, chemin, dossier)))
        finally:
            serveur.terminate()
            serveur.wait(timeout=30)
    _imprimer(lignes, reference, base, processus, (charge_avant, os.getloadavg()))


def _attendre(port: int) -> None:
    limite = time.monotonic() + 30
    while time.monotonic() < limite:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("le serveur n'a pas démarré")


def _imprimer(lignes: list[tuple[str, str, dict[str, float]]], reference: dict[str, float], base: str,
              processus: int, charges: tuple[tuple[float, ...], tuple[float, ...]]) -> None:
    avant, apres = (" / ".join(f"{c:.2f}".replace(".", ",") for c in charge) for charge in charges)
    print(f"Machine : {platform.processor() or platform.machine()}, {os.cpu_count()} cœurs, "
          f"Python {platform.python_version()}, base {base.split(':')[0]}, "
          f"`clausegen serveur --processus {processus}`.\n"
          f"Charge moyenne (1 / 5 / 15 min) avant : {avant} ; après : {apres}.\n")
    print("| Mesure | N | requêtes (erreurs) | p50 | p95 | débit | débit / en processus "
          "| CPU serveur / requête | CPU client / requête | cœurs occupés |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for nom, n, r in lignes:
        rapport = f"{r['debit'] / reference['debit'] * 100:.0f}\u00a0%" if "génération" in nom else "—"
        cpu = " | ".join("—" if r[c] != r[c] else _ms(r[c]) for c in ("cpu_serveur", "cpu_client"))
        cpu += " | " + ("—" if r["occupation"] != r["occupation"] else f"{r['occupation'] * 100:.0f}\u00a0%")
        print(f"| {nom} | {n} | {r['requetes']:.0f} ({r['erreurs']:.0f}) | {_ms(r['p50'])} | "
              f"{_ms(r['p95'])} | {r['debit']:.1f}/s | {rapport} | {cpu} |".replace(".", ","))


if __name__ == "__main__":
    main()
