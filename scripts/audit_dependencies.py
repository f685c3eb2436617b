"""`make test`'s dependency audit: pip-audit over the installed (pinned) packages.

Fails on any known vulnerability. A package the vulnerability service could not be asked about is
listed by name, never counted as clean: where the service can't be reached at all (a machine that
reaches only a package mirror), the audit says so in one line and, unless AUDIT_STRICT=1, lets the
run go on, because "not audited" is not a finding about our dependencies.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


def main() -> int:
    run = subprocess.run(  # noqa: S603 (our own venv's pip-audit)
        [str(VENV_BIN / "pip-audit"), "--local", "--progress-spinner", "off", "--format", "json"],
        capture_output=True,
        text=True,
    )
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print(f"audit: pip-audit failed:\n{run.stderr.strip()}", file=sys.stderr)
        return 1
    deps = report["dependencies"]
    vulnerable = [d for d in deps if d.get("vulns")]
    audited = [d for d in deps if "skip_reason" not in d]
    skipped = [d["name"] for d in deps if "skip_reason" in d]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed release"
            print(f"audit: {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})", file=sys.stderr)
    if vulnerable:
        return 1
    if audited:
        print(f"audit: {len(audited)} packages checked, no known vulnerabilities", end="")
        print(f"; not checked: {', '.join(skipped)}" if skipped else "")
        return 0
    print(
        f"audit: NOT AUDITED: the vulnerability service answered for none of the {len(deps)} packages "
        "(this machine reaches only a package mirror); run `make test` where pypi.org's JSON API is reachable",
        file=sys.stderr,
    )
    return 1 if os.environ.get("AUDIT_STRICT") == "1" else 0


if __name__ == "__main__":
    sys.exit(main())
