"""clausegen benchmarks, side by side in one run (never part of the test suite).

    python benchmarks/run.py [--lot 500] [--jobs 2] [--sortie benchmarks/resultats.md]

Every measure runs in its own child process, so its peak memory (ru_maxrss from
``os.wait4``) is its own. Times are medians of repeated runs (``perf_counter``).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "nettoyage-4-ans.yml"
BIN = Path(sys.executable).parent
CASES: dict[str, Callable[[argparse.Namespace], dict[str, float]]] = {}


def case(name: str) -> Callable[[Callable[[argparse.Namespace], dict[str, float]]],
                                 Callable[[argparse.Namespace], dict[str, float]]]:
    def register(func: Callable[[argparse.Namespace], dict[str, float]]) -> Callable[..., dict[str, float]]:
        CASES[name] = func
        return func
    return register


def median_time(func: Callable[[], object], repeat: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        func()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


# --- in-process generation ---------------------------------------------------------------


def _dossiers(count: int) -> list[object]:
    """``count`` distinct dossiers (object, duration, amount vary), loaded in memory."""
    import yaml

    from clausegen.api import read_dossier

    base = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    loaded = []
    with tempfile.TemporaryDirectory() as work:
        for index in range(count):
            base["marche"]["objet"] = f"Lot {index} : nettoyage et entretien des bâtiments"
            base["marche"]["duree_mois"] = 24 + index % 48
            base["marche"]["montant_estime_ht"] = 100_000 + 1_000 * index
            path = Path(work) / f"dossier-{index}.yml"
            path.write_text(yaml.safe_dump(base, allow_unicode=True), encoding="utf-8")
            loaded.append(read_dossier(path))
    return loaded


def _render(piece: str, count: int = 1) -> tuple[bytes, Callable[[], object]]:
    """Render ``piece`` for a different dossier on each call (no cache sees the same text)."""
    from itertools import cycle

    from clausegen.api import open_library, read_dossier, render_piece

    library = open_library()
    data = render_piece(read_dossier(EXAMPLE), piece, library=library)[0]
    dossiers = cycle(_dossiers(count))
    return data, lambda: render_piece(next(dossiers), piece, library=library)  # type: ignore[arg-type]


def _letter() -> tuple[bytes, Callable[[], object]]:
    """The year-1 letter of the bundled example (``clausegen lettre``), in process.

    Unlike the CCAP and CCTP measures, this one goes through the facilitator's facade,
    so it includes reading and validating the dossier (the file is not written).
    """
    from clausegen.api import read_dossier
    from clausegen.api.suivi import open_suivi, render_lettre

    def run() -> bytes:
        return render_lettre(open_suivi(read_dossier(EXAMPLE)), 1).docx
    return run(), run


def _zip_parts(docx: bytes) -> Callable[[], bytes]:
    """The lower bound: deflate and zip the final parts of the same document."""
    with zipfile.ZipFile(io.BytesIO(docx)) as source:
        parts = [(i.filename, source.read(i.filename)) for i in source.infolist()]

    def run() -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for name, data in parts:
                target.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED, 6)
        return out.getvalue()
    return run


def _generation(make: Callable[[], tuple[bytes, Callable[[], object]]], repeat: int) -> dict[str, float]:
    data, run = make()
    seconds = median_time(run, repeat)
    lower = median_time(_zip_parts(data), repeat * 2)
    return {"secondes": seconds, "zip_secondes": lower, "ratio_zip": seconds / lower,
            "octets": len(data), "xml_octets": _xml_size(data)}


def _xml_size(docx: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return sum(i.file_size for i in archive.infolist())


@case("ccap")
def bench_ccap(args: argparse.Namespace) -> dict[str, float]:
    return _generation(lambda: _render("ccap", args.repeat + 2), args.repeat)


@case("cctp")
def bench_cctp(args: argparse.Namespace) -> dict[str, float]:
    return _generation(lambda: _render("cctp", args.repeat + 2), args.repeat)


@case("lettre")
def bench_lettre(args: argparse.Namespace) -> dict[str, float]:
    return _generation(_letter, args.repeat)


def typed_numbers(blocks: tuple[object, ...]) -> tuple[object, ...]:
    """The same blocks as before Word-maintained numbering: numbers typed in the headings,
    cross-references as plain text, no table of contents."""
    from dataclasses import replace

    from clausegen.blocks import Heading, ListItem, Paragraph, Run, TableOfContents

    def plain(runs: tuple[Run, ...]) -> tuple[Run, ...]:
        return tuple(replace(r, ref="") for r in runs)

    out: list[object] = []
    for block in blocks:
        if isinstance(block, TableOfContents):
            continue
        if isinstance(block, Heading) and block.label:
            block = Heading(level=block.level, text=block.full_text, number=block.number)
        elif isinstance(block, Paragraph | ListItem):
            block = replace(block, runs=plain(block.runs))
        out.append(block)
    return tuple(out)


@case("numerotation")
def bench_numbering(args: argparse.Namespace) -> dict[str, float]:
    """Rendering the CCAP's blocks with Word numbering (list, bookmarks, REF and TOC fields)
    against the same blocks with typed numbers, alternately, same skeleton and fields."""
    from clausegen.api import open_library, read_dossier
    from clausegen.api.marche import _fields, render_piece
    from clausegen.render.writers.word import DocumentProperties, render_docx
    from clausegen.resources import templates_dir

    loaded = read_dossier(EXAMPLE)
    _, document = render_piece(loaded, "ccap", library=open_library())
    skeleton = (templates_dir() / "piece.docx").read_bytes()
    properties = DocumentProperties(title="CCAP", subject="Marché", author="Acheteur")
    fields = _fields(loaded.dossier, document, False)
    variants = {"numerotation_word": document.blocks, "numeros_saisis": typed_numbers(document.blocks)}
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for turn in range(args.repeat + 2):
        for name, blocks in variants.items():
            start = time.perf_counter()
            render_docx(skeleton, blocks, fields, properties, {"piece": "ccap"})  # type: ignore[arg-type]
            if turn >= 2:
                samples[name].append(time.perf_counter() - start)
    word, typed = (statistics.median(samples[n]) for n in variants)
    return {"secondes": word, "saisis_secondes": typed, "surcout": word / typed - 1}


def _suivi_documents(folder: Path) -> list[Path]:
    subprocess.run([str(BIN / "clausegen"), "pieces", str(EXAMPLE), "-o", str(folder), "--suivi",
                    "--sans-pagination"], check=True, capture_output=True)
    return sorted(folder.rglob("*.docx"))


@case("pdf_suivi")
def bench_pdf_suivi(args: argparse.Namespace) -> dict[str, float]:
    """``pieces --suivi --pdf`` (one LibreOffice call) against one call per document."""
    from clausegen.render.converters.pdf import convert_documents

    if not shutil.which("soffice"):
        return {"secondes": float("nan"), "documents": 0}
    repeat = max(1, args.repeat // 15)
    with tempfile.TemporaryDirectory() as work:
        documents = _suivi_documents(Path(work) / "pieces")
        together = median_time(lambda: convert_documents(documents, "pdf"), repeat, warmup=1)
        one_by_one = median_time(lambda: [convert_documents([d], "pdf") for d in documents], repeat,
                                 warmup=0)
        command = [str(BIN / "clausegen"), "pieces", str(EXAMPLE), "-o", str(Path(work) / "cli"),
                   "--suivi", "--pdf", "--sans-pagination"]
        whole = _wall(command, repeat)
    return {"secondes": together, "separees_secondes": one_by_one, "gain": one_by_one / together,
            "documents": len(documents), "commande_secondes": whole}


# --- plain docxtpl, same size ------------------------------------------------------------


def plain_docxtpl_template(folder: Path) -> Path:
    """A template as big as the CCAP: its final document.xml, with fields put back in."""
    ccap, _ = _render("ccap")
    with zipfile.ZipFile(io.BytesIO(ccap)) as source:
        parts = {i.filename: source.read(i.filename) for i in source.infolist()}
    xml = parts["word/document.xml"].decode("utf-8")
    xml = xml.replace("Ville de Saint-Aubin-sur-Loire", "{{ acheteur }}")
    xml = xml.replace("Nettoyage et entretien des bâtiments communaux", "{{ objet }}")
    parts["word/document.xml"] = xml.encode("utf-8")
    path = folder / "modele-docxtpl.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def plain_docxtpl_render(template: Path) -> bytes:
    from docxtpl import DocxTemplate

    document = DocxTemplate(str(template))
    document.render({"acheteur": "Ville de Saint-Aubin-sur-Loire", "objet": "Nettoyage"},
                    autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@case("docxtpl")
def bench_docxtpl(args: argparse.Namespace) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as work:
        template = plain_docxtpl_template(Path(work))
        seconds = median_time(lambda: plain_docxtpl_render(template), args.repeat)
        count = 100
        start = time.perf_counter()
        for _ in range(count):
            plain_docxtpl_render(template)
        rate = count / (time.perf_counter() - start)
    return {"secondes": seconds, "docs_par_seconde_1_coeur": rate}


# --- library ------------------------------------------------------------------------------


def synthetic_library(root: Path, fragments: int, versions: int) -> None:
    """``fragments`` ids × ``versions`` versions, each a realistic front matter and body."""
    body = ("Le titulaire transmet au facilitateur, au plus tard le {{ plan_de_progres.suivi."
            "jour_limite_reporting }} de chaque mois, l'état des heures réalisées.\n\n"
            "- premier point ;\n- second point.\n") * 3
    for index in range(fragments):
        fid = f"synthese.f{index:04d}"
        folder = root / "fragments" / fid
        folder.mkdir(parents=True)
        for minor in range(versions):
            version = f"1.{minor}.0"
            path = folder / f"{version}.md"
            path.write_text(
                f"---\nid: {fid}\nversion: {version}\nstatut: valide\ntitre: \"Clause {index}\"\n"
                "categorie: general\npieces: [ccap]\nvariables: [plan_de_progres.suivi]\n"
                "references: []\nrevue:\n  par: Banc d'essai\n  le: 2026-11-22\n---\n" + body,
                encoding="utf-8")
            # A library checked out earlier, not files written this very second.
            os.utime(path, (time.time() - 60, time.time() - 60))
    (root / "VERSION").write_text("1.0.0\n", encoding="utf-8")


@case("bibliotheque")
def bench_library(args: argparse.Namespace) -> dict[str, float]:
    from clausegen.library import load_library
    from clausegen.templating import make_environment

    with tempfile.TemporaryDirectory() as work, tempfile.TemporaryDirectory() as cache:
        root = Path(work) / "bibliotheque"
        synthetic_library(root, args.fragments, 3)
        os.environ["CLAUSEGEN_CACHE"] = cache
        start = time.perf_counter()
        load_library(root)  # first load: every file parsed, the cache written
        cold = time.perf_counter() - start
        start, cpu = time.perf_counter(), time.process_time()
        library = load_library(root)  # usual case: unchanged files come from the cache
        load, load_cpu = time.perf_counter() - start, time.process_time() - cpu
        start = time.perf_counter()
        for fragment in library:
            make_environment().parse(fragment.body)
        parse = time.perf_counter() - start
        count = sum(1 for _ in library)
    return {"secondes": load, "cpu_secondes": load_cpu, "premier_chargement_secondes": cold,
            "versions": count, "jinja_secondes": parse}


# --- command line -------------------------------------------------------------------------


def _wall(command: list[str], repeat: int) -> float:
    def run() -> None:
        subprocess.run(command, check=True, capture_output=True)
    return median_time(run, repeat, warmup=1)


@case("aide")
def bench_help(args: argparse.Namespace) -> dict[str, float]:
    """Both commands alternately in one loop, so a change of machine load hits both alike."""
    commands = {"aide": [str(BIN / "clausegen"), "--help"], "click": [sys.executable, "-c", "import click"]}
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for turn in range(args.repeat + 2):
        for name, command in commands.items():
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            if turn >= 2:
                samples[name].append(time.perf_counter() - start)
    help_time, click_time = (statistics.median(samples[n]) for n in ("aide", "click"))
    return {"secondes": help_time, "click_secondes": click_time, "ratio": help_time / click_time}


@case("demarrage")
def bench_startup(args: argparse.Namespace) -> dict[str, float]:
    """``clausegen ccap D -o X`` (whole process) beside the plain docxtpl script of
    ``benchmarks/docxtpl_ccap.py`` (imports docxtpl, renders a twelve-page CCAP template,
    saves it: the reference of issue 24), alternately in one loop. Also in the loop, for
    comparison with earlier figures: ``python -c "import docxtpl, pydantic, jinja2, yaml,
    click"`` (imports only) and ``clausegen pieces`` (CCAP and CCTP). ``clausegen ccap`` runs
    in three conditions:

    - ``ccap``: the three caches warm (library snapshot, compiled templates, prepared
      skeleton), as a user's second run finds them;
    - ``ccap_nouveau_dossier``: the same caches warm, a dossier never seen (each turn writes a
      new one: another object and reference);
    - ``ccap_sans_cache``: ``CLAUSEGEN_CACHE=off``, nothing kept between runs.

    Wall time and CPU time (user + sys of the child, less sensitive to the load of a shared
    machine). The package's bytecode is compiled first, as ``pip install`` does: an editable
    install under ``PYTHONDONTWRITEBYTECODE`` (set in some development shells) would otherwise
    compile clausegen's modules from source on every run, which no installed copy does."""
    import compileall

    compileall.compile_dir(str(ROOT / "src" / "clausegen"), quiet=1)
    plain = Path(__file__).with_name("docxtpl_ccap.py")
    with tempfile.TemporaryDirectory() as work:
        cache = Path(work) / "cache"
        original = EXAMPLE.read_text(encoding="utf-8")
        new_dossier = Path(work) / "nouveau.yml"
        template = Path(work) / "modele-docxtpl.docx"
        subprocess.run([sys.executable, str(plain), "modele", str(template)], check=True)

        def write_new_dossier(turn: int) -> None:
            new_dossier.write_text(original.replace(
                "objet: Nettoyage et entretien", f"objet: Nettoyage (lot {turn}) et entretien").replace(
                "reference: 2026-0142", f"reference: 2026-{9000 + turn}"), encoding="utf-8")

        # generation alone: the sommaire's pagination by LibreOffice is measured by --cas pagination
        ccap = [str(BIN / "clausegen"), "ccap", "--sans-pagination"]
        out = str(Path(work) / "ccap.docx")
        warm = {"CLAUSEGEN_CACHE": str(cache)}
        commands = {
            "docxtpl": ([sys.executable, str(plain), "rendu", str(template), str(Path(work) / "d.docx")], {}),
            "imports": ([sys.executable, "-c", "import docxtpl, pydantic, jinja2, yaml, click"], {}),
            "ccap": ([*ccap, str(EXAMPLE), "-o", out], warm),
            "ccap_nouveau_dossier": ([*ccap, str(new_dossier), "-o", out], warm),
            "ccap_sans_cache": ([*ccap, str(EXAMPLE), "-o", out], {"CLAUSEGEN_CACHE": "off"}),
            "pieces": ([str(BIN / "clausegen"), "pieces", "--sans-pagination", str(EXAMPLE), "-o", work],
                       warm),
        }
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for turn in range(args.repeat + 2):
            write_new_dossier(turn)
            for name, (command, env) in commands.items():
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True, env={**os.environ, **env})
                wall = time.perf_counter() - start
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                if turn >= 2:
                    walls[name].append(wall)
                    cpus[name].append(after.ru_utime - before.ru_utime
                                      + after.ru_stime - before.ru_stime)
    result: dict[str, float] = {}
    for name in commands:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        result[f"{name}_secondes"], result[f"{name}_cpu_secondes"] = wall, cpu
        result[f"{name}_cpu_min_secondes"] = min(cpus[name])
        result[f"{name}_cpu_max_secondes"] = max(cpus[name])
        for reference in ("docxtpl", "imports"):
            if name not in ("docxtpl", "imports"):
                result[f"ratio_{name}_{reference}"] = wall / statistics.median(walls[reference])
                result[f"ratio_cpu_{name}_{reference}"] = cpu / statistics.median(cpus[reference])
    return result


@case("pieces")
def bench_pieces(args: argparse.Namespace) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as work:
        command = [str(BIN / "clausegen"), "pieces", "--sans-pagination", str(EXAMPLE), "-o", work]
        seconds = _wall(command, max(3, args.repeat // 4))
    return {"secondes": seconds}


@case("pagination")
def bench_pagination(args: argparse.Namespace) -> dict[str, float]:
    """What the default pagination of the sommaire costs: ``ccap`` against ``ccap
    --sans-pagination`` (wall time, one LibreOffice run per command), and the same layout by a
    LibreOffice kept running (``lot``'s and the web server's converter)."""
    if not shutil.which("soffice"):
        return {"secondes": float("nan")}
    from clausegen.api import open_library, read_dossier, render_pieces
    from clausegen.render.converters.converter import Converter

    repeat = max(3, args.repeat // 10)
    with tempfile.TemporaryDirectory() as work:
        ccap = [str(BIN / "clausegen"), "ccap", str(EXAMPLE), "-o", str(Path(work) / "ccap.docx")]
        paginated = _wall(ccap, repeat)
        plain = _wall([*ccap, "--sans-pagination"], repeat)
    loaded, library = read_dossier(EXAMPLE), open_library()
    converter = Converter()
    try:
        kept = median_time(lambda: render_pieces(loaded, library, ("ccap",), converter=converter),
                           repeat, warmup=1)
        alone = median_time(lambda: render_pieces(loaded, library, ("ccap",), paginer=False), repeat)
    finally:
        converter.stop()
    return {"secondes": paginated, "sans_pagination_secondes": plain, "surcout": paginated - plain,
            "convertisseur_secondes": kept, "convertisseur_surcout": kept - alone}


def make_batch(folder: Path, count: int) -> None:
    """``count`` dossiers (varied objects and durations), the 250th one broken."""
    import yaml

    base = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    for index in range(count):
        base["marche"]["objet"] = f"Lot {index} : nettoyage et entretien des bâtiments"
        base["marche"]["duree_mois"] = 24 + index % 48
        text = yaml.safe_dump(base, allow_unicode=True, sort_keys=False)
        if index == count // 2:
            text = text.replace("duree_mois:", "duree_mois: quatre\n  ancienne_duree:")
        (folder / f"dossier-{index:04d}.yml").write_text(text, encoding="utf-8")


@case("lot")
def bench_lot(args: argparse.Namespace) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as work:
        folder, out = Path(work) / "dossiers", Path(work) / "sortie"
        folder.mkdir()
        make_batch(folder, args.lot)
        before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        run = subprocess.run([str(BIN / "clausegen"), "lot", "--sans-pagination", str(folder), "-o",
                              str(out), "-j", str(args.jobs)], capture_output=True, text=True)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        documents = sum(1 for _ in out.rglob("*.docx"))
    return {"secondes": seconds, "documents": documents, "docs_par_seconde": documents / seconds,
            "cpu_secondes": cpu, "docs_par_seconde_cpu": documents / cpu,
            "code_sortie": run.returncode, "echecs": run.stderr.count("Échec :")}


# --- driver -------------------------------------------------------------------------------


def run_child(name: str, args: argparse.Namespace) -> dict[str, float]:
    """Run one case in a child process; add its peak resident memory (Mio)."""
    command = [sys.executable, __file__, "--cas", name, "--repeat", str(args.repeat), "--lot",
               str(args.lot), "--jobs", str(args.jobs), "--fragments", str(args.fragments)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise SystemExit(f"cas {name} en échec")
    result: dict[str, float] = json.loads(output)
    result["memoire_mio"] = usage.ru_maxrss / 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cas", choices=sorted(CASES))
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--lot", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--fragments", type=int, default=2000)
    parser.add_argument("--sortie", type=Path)
    args = parser.parse_args()
    if args.cas:
        print(json.dumps(CASES[args.cas](args)))
        return
    load_before = os.getloadavg()
    results = {name: run_child(name, args) for name in CASES}
    load_after = os.getloadavg()
    from report import render_report  # benchmarks/report.py

    load = f"charge moyenne (1 min) : {load_before[0]:.2f} avant, {load_after[0]:.2f} après"
    text = render_report(results, f"{machine()} ; {load}",
                         " ".join(["python", "benchmarks/run.py", *sys.argv[1:]]))
    print(text)
    if args.sortie:
        args.sortie.write_text(text, encoding="utf-8")


def machine() -> str:
    cpu = "?"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    soffice = "oui" if shutil.which("soffice") else "non"
    return (f"{os.cpu_count()} cœurs (nproc {len(os.sched_getaffinity(0))}), {cpu}, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}, "
            f"LibreOffice présent : {soffice}")


if __name__ == "__main__":
    main()
