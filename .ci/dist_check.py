"""Build the sdist and the wheel, install each in a clean venv, smoke-test it.

Run by ``make dist-check`` (and so by ``.ci/run``). The wheel is built from the
sdist, as ``python -m build`` does, so a file missing from the sdist fails
here. The smoke test runs outside the source tree, so it imports the
installed package and not the checkout.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SMOKE = """
import pathlib, subprocess, sys
import microflask
from microflask import Microflask

here = pathlib.Path(microflask.__file__).resolve()
assert pathlib.Path(sys.prefix).resolve() in here.parents, f"imported from {here}"
assert (here.parent / "py.typed").is_file(), "py.typed is not installed"

app = Microflask("smoke")

@app.route("/hello/<name>")
def hello(name: str) -> dict[str, str]:
    return {"hello": name}

response = app.test_client().get("/hello/dist")
assert response.status_code == 200 and response.json == {"hello": "dist"}, response.data

cli = pathlib.Path(sys.executable).with_name("microflask")
version = subprocess.run([str(cli), "--version"], capture_output=True, text=True, check=True)
assert "Microflask 0.1.0" in version.stdout.splitlines(), version.stdout

from importlib.metadata import metadata
meta = metadata("microflask")
assert meta["License-Expression"] == "BSD-3-Clause", meta["License-Expression"]
assert "LICENSE" in (meta.get_all("License-File") or []), meta.get_all("License-File")
print("smoke test passed:", here.parent, version.stdout.strip())
"""


def run(args: list[str], cwd: Path) -> str:
    """Run *args*, echo its output, and return it; exit on failure."""
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    output = done.stdout + done.stderr
    print(output, end="")
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)!r} failed with exit code {done.returncode}")
    return output


def deprecation_banners(output: str) -> list[str]:
    """Return the lines of setuptools' banners about deprecated metadata."""
    return [
        line
        for line in output.splitlines()
        if "SetuptoolsDeprecationWarning" in line
        or ("deprecat" in line.lower() and "license" in line.lower())
    ]


def build(outdir: Path) -> list[Path]:
    """Build the sdist and the wheel into *outdir*; return both paths."""
    output = run([sys.executable, "-m", "build", "--outdir", str(outdir), str(ROOT)], ROOT)
    banners = deprecation_banners(output)
    if banners:
        sys.exit("The build printed deprecation warnings:\n" + "\n".join(banners))
    artifacts = sorted(outdir.glob("microflask-*.tar.gz")) + sorted(outdir.glob("*.whl"))
    if len(artifacts) != 2:
        sys.exit(f"Expected one sdist and one wheel in {outdir}, found {artifacts}")
    return artifacts


def check_sdist_contents(sdist: Path) -> None:
    """Exit unless the sdist carries the license, the tests and the typing marker."""
    import tarfile

    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    missing = {"LICENSE", "README.md", "pyproject.toml", "microflask/py.typed"} - names
    if missing:
        sys.exit(f"{sdist.name} lacks {sorted(missing)}")


def smoke(artifact: Path, workdir: Path) -> None:
    """Install *artifact* in a fresh venv under *workdir* and smoke-test it."""
    env_dir = workdir / f"venv-{artifact.name}"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    output = run([str(python), "-m", "pip", "install", "--no-cache-dir", str(artifact)], workdir)
    if banners := deprecation_banners(output):
        sys.exit(f"Installing {artifact.name} printed:\n" + "\n".join(banners))
    run([str(python), "-c", SMOKE], workdir)


def main() -> None:
    """Build, then smoke-test the sdist and the wheel in clean venvs."""
    with tempfile.TemporaryDirectory(prefix="microflask-dist-") as tmp:
        workdir = Path(tmp)
        sdist, wheel = build(workdir / "dist")
        check_sdist_contents(sdist)
        for artifact in (sdist, wheel):
            smoke(artifact, workdir)
    print("dist-check passed: the sdist and the wheel install and run in clean venvs")


if __name__ == "__main__":
    main()
