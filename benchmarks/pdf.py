"""A CCAP's PDF from the web (the server's kept LibreOffice) against one bare ``soffice
--convert-to pdf`` of the same .docx; and each server process's memory (never part of the
test suite).

    python benchmarks/pdf.py [--repetitions 5] [--processus 2]

Starts ``clausegen serveur --processus P`` on 127.0.0.1 (SQLite in a temporary directory),
generates the example CCAP through HTTP, then downloads its PDF ``--repetitions`` times
(after one download not counted, which may wait for LibreOffice to finish starting). The
reference converts the downloaded generation's .docx with ``soffice --headless --convert-to
pdf`` in a private profile (created by a first run not counted), ``--repetitions`` times.
Prints medians, the ratio (target ≤ 0.5), the resident memory (RSS) of every process of the
server (workers, their converter helpers and LibreOffice) and the load average before and
after, as Markdown (docs/performance-web.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from web import SERVEUR, Client, _attendre, _port_libre, preparer  # noqa: E402


def _descendants(pid: int) -> list[int]:
    try:
        enfants = [int(c) for tache in Path(f"/proc/{pid}/task").iterdir()
                   for c in (tache / "children").read_text().split()]
    except OSError:
        return []
    return [p for enfant in enfants for p in (enfant, *_descendants(enfant))]


def _rss_mio(pid: int) -> float:
    for ligne in Path(f"/proc/{pid}/status").read_text().splitlines():
        if ligne.startswith("VmRSS:"):
            return int(ligne.split()[1]) / 1024
    return 0.0


def _nom(pid: int, serveur: int) -> str:
    commande = Path(f"/proc/{pid}/cmdline").read_bytes()
    nom = Path(f"/proc/{pid}/comm").read_text().strip()
    if pid == serveur:
        return "serveur (processus parent)"
    if nom in ("soffice.bin", "oosplash"):
        return f"LibreOffice ({nom})"
    if b"office_uno.py" in commande:
        return "aide du convertisseur (office_uno.py --serve)"
    if b"clausegen" in commande:
        return "processus de travail (worker)"
    return nom


def memoire(serveur: int) -> list[tuple[str, int, float]]:
    """(role, pid, RSS in MiB) of the server and every process below it; zombies left out."""
    lignes = []
    for pid in (serveur, *_descendants(serveur)):
        try:
            etat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if etat != "Z":
                lignes.append((_nom(pid, serveur), pid, _rss_mio(pid)))
        except OSError:
            continue
    return lignes


def soffice_nu(docx: Path, repetitions: int) -> list[float]:
    """Durations of ``soffice --headless --convert-to pdf`` of ``docx`` (first run not counted)."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice absent"
    with tempfile.TemporaryDirectory(prefix="clausegen-bench-soffice-") as travail:
        profil = Path(travail) / "profil"
        durees = []
        for _ in range(repetitions + 1):
            debut = time.perf_counter()
            subprocess.run([soffice, f"-env:UserInstallation={profil.as_uri()}", "--headless",
                            "--convert-to", "pdf", "--outdir", travail, str(docx)],
                           check=True, capture_output=True, timeout=300)
            durees.append(time.perf_counter() - debut)
            assert (Path(travail) / "ccap.pdf").is_file()
        return durees[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--processus", type=int, default=2)
    args = parser.parse_args()
    charge_avant = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="clausegen-bench-pdf-") as travail:
        os.environ["CLAUSEGEN_CACHE"] = str(Path(travail) / "cache")
        base = f"sqlite:///{Path(travail) / 'bench.sqlite3'}"
        (dossier,) = preparer(base, 1)
        port = _port_libre()
        serveur = subprocess.Popen([sys.executable, "-m", "clausegen", "serveur", "--base", base,
                                    "--port", str(port), "--processus", str(args.processus)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        SERVEUR.append(serveur.pid)
        try:
            _attendre(port)
            client = Client(port)
            client.connecter()
            jeton = client.jeton(f"/dossiers/{dossier}")
            statut, _ = client.requete("POST", f"/dossiers/{dossier}/generations", {"csrf_token": jeton})
            assert statut == 302, statut
            _, page = client.requete("GET", f"/dossiers/{dossier}")
            trouve = re.search(r"/generations/(\d+)", page)
            assert trouve, "génération introuvable"
            chemin = f"/generations/{trouve.group(1)}/ccap"
            docx = Path(travail) / "ccap.docx"
            client.connexion.request("GET", chemin + ".docx", headers={"Cookie": client.cookie})
            docx.write_bytes(client.connexion.getresponse().read())
            web = []
            for _ in range(args.repetitions + 1):
                debut = time.perf_counter()
                client.connexion.request("GET", chemin + ".pdf", headers={"Cookie": client.cookie})
                reponse = client.connexion.getresponse()
                corps = reponse.read()
                web.append(time.perf_counter() - debut)
                assert reponse.status == 200, (reponse.status, corps[:300])
                assert corps.startswith(b"%PDF")
            web = web[1:]
            processus = memoire(serveur.pid)
        finally:
            serveur.terminate()
            serveur.wait(timeout=60)
        nu = soffice_nu(docx, args.repetitions)
        une_fois = _une_fois(docx, args.repetitions)
    _imprimer(web, nu, une_fois, processus, args, (charge_avant, os.getloadavg()))


def _une_fois(docx: Path, repetitions: int) -> list[float]:
    """The path without a kept LibreOffice (``to_pdf`` without converter: one LibreOffice
    started through UNO per document, what the web did before)."""
    from clausegen.api.piece import to_pdf

    data = docx.read_bytes()
    durees = []
    for _ in range(repetitions):
        debut = time.perf_counter()
        to_pdf(data, "ccap.docx")
        durees.append(time.perf_counter() - debut)
    return durees


def _imprimer(web: list[float], nu: list[float], une_fois: list[float],
              processus: list[tuple[str, int, float]], args: argparse.Namespace,
              charges: tuple[tuple[float, ...], tuple[float, ...]]) -> None:
    m_web, m_nu = statistics.median(web), statistics.median(nu)
    print(f"Machine : {os.cpu_count()} cœurs, Python {platform.python_version()} ; charge moyenne "
          f"(1 min) : {charges[0][0]:.2f} avant, {charges[1][0]:.2f} après\n")
    print(f"Commande : `python benchmarks/pdf.py --repetitions {args.repetitions} "
          f"--processus {args.processus}`\n")
    print("| mesure | médiane | toutes (s) |")
    print("|---|---|---|")
    print(f"| PDF du CCAP par le web (LibreOffice gardé) | {m_web:.2f} s | "
          f"{' ; '.join(f'{d:.2f}' for d in web)} |")
    print(f"| `soffice --headless --convert-to pdf` du même .docx | {m_nu:.2f} s | "
          f"{' ; '.join(f'{d:.2f}' for d in nu)} |")
    print(f"| sans LibreOffice gardé (`to_pdf` sans convertisseur, un LibreOffice par PDF) | "
          f"{statistics.median(une_fois):.2f} s | {' ; '.join(f'{d:.2f}' for d in une_fois)} |")
    print(f"\nRapport : × {m_web / m_nu:.2f} (cible ≤ 0,5).\n")
    print("| processus du serveur | pid | mémoire résidente (Mio) |")
    print("|---|---|---|")
    for nom, pid, rss in processus:
        print(f"| {nom} | {pid} | {rss:.0f} |")
    print(f"| **total** | | {sum(r for _, _, r in processus):.0f} |")


if __name__ == "__main__":
    main()
