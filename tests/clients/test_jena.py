"""Apache Jena ARQ's ``rsparql`` and ``rupdate`` (Debian's ``libapache-jena-java``, which
``.ci/setup --system`` installs) against a running civicgraph server, in both dataset modes.

Debian ships no ``rsparql`` script: the commands run as ``java -cp … arq.rsparql``. Debian's
``jena-core.jar`` (4.5.0-2) moved Jena's embedded Xerces classes to ``xerces.*`` but left their
message bundles under ``org/apache/jena/ext/xerces/``, so Jena dies on start-up with an
"internal error" in ``XSSimpleTypeDecl``; ``jena`` copies the bundles where the classes look
for them, into a directory put first on the class path.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.clients.conftest import EX, Server

JAVA = Path("/usr/share/java")
#: the jars ARQ's commands load (the Debian package's dependencies), by their unversioned names
JARS = ["commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io",
        "commons-lang3", "dexx.collection", "gson", "guava", "httpclient", "httpcore",
        "commons-logging", "jackson-core", "jackson-databind", "jackson-annotations",
        "jsonld-java", "jakarta.json-api", "protobuf-java", "thrift", "titanium-json-ld",
        "slf4j-api", "slf4j-nop"]
P = EX + "p"

pytestmark = pytest.mark.slow  # each command starts a JVM (1–3 s)

Jena = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def jena(tmp_path_factory: pytest.TempPathFactory) -> Jena:
    """``jena("rsparql", *arguments)``: one ARQ command, bounded, its output as text."""
    java = shutil.which("java")
    core = JAVA / "jena-core.jar"
    if java is None or not core.is_file():
        pytest.fail("Apache Jena is not installed: .ci/setup --system installs "
                    "libapache-jena-java")
    bundles = tmp_path_factory.mktemp("jena-bundles")
    prefix = "org/apache/jena/ext/xerces/"
    with zipfile.ZipFile(core) as jar:
        for name in jar.namelist():
            if name.startswith(prefix) and name.endswith(".properties"):
                target = bundles / "xerces" / name[len(prefix):]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    jars = sorted(str(j) for j in JAVA.glob("jena-*.jar") if not j.stem[-1].isdigit())
    jars += [str(JAVA / f"{name}.jar") for name in JARS if (JAVA / f"{name}.jar").is_file()]
    classpath = ":".join([str(bundles), *jars])

    def run(command: str, *arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([java, "-cp", classpath, f"arq.{command}", *arguments],
                              capture_output=True, text=True, timeout=120, check=False)

    return run


@pytest.mark.parametrize("results", ["JSON", "XML", "CSV", "TSV"])
def test_rsparql_select(server: Server, subject: str, jena: Jena, results: str) -> None:
    server.update(f'INSERT DATA {{ <{subject}> <{P}> "seen by Jena" }}')
    done = jena("rsparql", f"--service={server.sparql}", f"--results={results}",
                f"SELECT ?o WHERE {{ <{subject}> <{P}> ?o }}")
    assert done.returncode == 0, done.stderr
    assert "seen by Jena" in done.stdout
    if results == "JSON":
        assert json.loads(done.stdout)["results"]["bindings"][0]["o"]["value"] == "seen by Jena"


def test_rsparql_construct(server: Server, subject: str, jena: Jena) -> None:
    server.update(f'INSERT DATA {{ <{subject}> <{P}> "built by Jena" }}')
    done = jena("rsparql", f"--service={server.sparql}", "--results=NT",
                f"CONSTRUCT WHERE {{ <{subject}> <{P}> ?o }}")
    assert done.returncode == 0, done.stderr
    assert f'<{subject}> <{P}> "built by Jena" .' in done.stdout


def test_rsparql_post_and_ask(server: Server, subject: str, jena: Jena) -> None:
    server.update(f'INSERT DATA {{ <{subject}> <{P}> "asked by Jena" }}')
    done = jena("rsparql", f"--service={server.sparql}", "--post", "--results=JSON",
                f"ASK {{ <{subject}> <{P}> ?o }}")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["boolean"] is True


def test_rupdate_without_a_token_is_refused(server: Server, subject: str, jena: Jena,
                                            tmp_path: Path) -> None:
    """rupdate cannot send a bearer token: its update is refused (401) and writes nothing."""
    request = tmp_path / "insert.ru"
    request.write_text(f'INSERT DATA {{ <{subject}> <{P}> "x" }}', encoding="utf-8")
    done = jena("rupdate", f"--service={server.sparql}", f"--update={request}")
    assert done.returncode != 0
    assert "401" in done.stdout + done.stderr
    assert not server.ask(f"<{subject}> ?p ?o")
