"""Benchmarks at scale: each figure beside a baseline measured in the same run, as a ratio.

    .venv/bin/python bench/run.py --scale small          # 20,000 members, a few minutes
    .venv/bin/python bench/run.py --scale full           # 400,000 members, 10,000 employers
    .venv/bin/python bench/run.py --scale small --fresh  # regenerate the data first

Uses its own PostgreSQL database (trekk_bench_small / trekk_bench; `--database-url` to
change), creating and filling it with `manage.py generate_scale_data` when it is missing.
Measures (1) generating and publishing a month against a plain INSERT ... SELECT, (2) counting
and listing a month's changes against one SQL join, (3) three pages of the largest employer
under wrk against a one-query view, all behind gunicorn with production settings, (4) a 1,000-
line PDF against WeasyPrint rendering a plain table, (5) the peak memory of every process.
Writes the table to bench/results/ (ignored by git) and prints it. See docs/performance.md.
"""

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RESULTS = ROOT / "bench" / "results"
SERVER = "postgres://postgres@127.0.0.1:5432"

SCALES = {
    "tiny": {"members": 2_000, "employers": 100, "contacts": 150, "months": 12, "largest": 500},
    "small": {"members": 20_000, "employers": 500, "contacts": 750, "months": 24},
    "full": {"members": 400_000, "employers": 10_000, "contacts": 15_000, "months": 120},
}
DATABASES = {"tiny": "trekk_bench_tiny", "small": "trekk_bench_small", "full": "trekk_bench"}

TARGETS = {
    "generation": 3.0,  # times the plain INSERT ... SELECT
    "changes": 2.0,  # times the hand-written join
    "p99_ms": 150.0,  # front page and changes page, 16 concurrent clients
}


def production_env(database_url):
    """What gunicorn and the tasks run with: the production settings, on 127.0.0.1 only."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEF",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://trekkportal.example",
        "SECURE_SSL_REDIRECT": "false",
        "SMS_BACKEND": "console",
        "STATIC_ROOT": str(RESULTS / "static"),
        "MEDIA_ROOT": str(RESULTS / "media"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def measured(command, env, *, capture=True):
    """Runs `command`; returns (stdout, seconds, peak memory in MB) of that one process."""
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 (our own commands)
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE if capture else None
    )
    output = process.stdout.read().decode() if capture else ""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(f"{' '.join(map(str, command))} failed ({process.returncode})")
    return output, seconds, usage.ru_maxrss / 1024


def run_task(name, env, memory, **options):
    command = [PYTHON, "bench/tasks.py", name]
    for key, value in options.items():
        command += [f"--{key}", str(value)]
    output, _, peak = measured(command, env)
    memory[name] = max(memory.get(name, 0), peak)
    return json.loads(output.strip().splitlines()[-1])


def psql(sql, database="postgres"):
    return subprocess.run(  # noqa: S603
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-Atc", sql],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def prepare_data(args, env, memory, notes):
    """Creates and fills the database when it is missing (or with --fresh)."""
    database = args.database_url.rsplit("/", 1)[1]
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}'") == "1"
    if exists and not args.fresh:
        return
    if database.startswith("test"):
        raise SystemExit("Refusing to use a test database for benchmarks.")
    if exists:
        psql(f'DROP DATABASE "{database}"')
    psql(f'CREATE DATABASE "{database}"')
    measured([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env, capture=False)
    scale = {**SCALES[args.scale]}
    if args.months:
        scale["months"] = args.months
    command = [PYTHON, "manage.py", "generate_scale_data"]
    for key, value in scale.items():
        command += [f"--{key}", str(value)]
    if args.basis_months:
        command += ["--basis-months", str(args.basis_months)]
    print("$", " ".join(command[1:]), flush=True)
    _, seconds, peak = measured(command, env, capture=False)
    memory["generate_scale_data"] = peak
    notes.append(f"generate_scale_data {' '.join(command[3:])}: {seconds:.0f} s, {peak:.0f} MB")


def bench_generation(info, env, memory, repeats):
    """(1) basis_generate for the month after the last, against INSERT ... SELECT."""
    month = _next(info["last"])
    ours, plain = [], []
    for _ in range(repeats):
        ours.append(run_task("generate", env, memory, period=month))
        plain.append(run_task("generate-baseline", env, memory, period=month))
        run_task("remove-month", env, memory, period=month)
    return {
        "lines": ours[0]["lines"],
        "baseline_lines": plain[0]["lines"],
        "seconds": statistics.median(r["seconds"] for r in ours),
        "baseline": statistics.median(r["seconds"] for r in plain),
    }


def bench_changes(info, env, memory, repeats):
    """(2) A month's changes for all employers: the models against one SQL join."""
    ours, plain = [], []
    for _ in range(repeats):
        plain.append(run_task("changes-baseline", env, memory, period=info["last"]))
        ours.append(run_task("changes", env, memory, period=info["last"]))
    return {
        "lines": ours[0]["listed"],
        "baseline_lines": plain[0]["listed"],
        "seconds": statistics.median(r["seconds"] for r in ours),
        "baseline": statistics.median(r["seconds"] for r in plain),
    }


def bench_pdf(info, env, memory, repeats):
    """(4) The PDF of the basis nearest 1,000 lines, against a plain WeasyPrint table."""
    options = {"period": info["last"], "employer": info["near_1000"]}
    ours, plain = [], []
    for _ in range(repeats):
        plain.append(run_task("pdf-baseline", env, memory, **options))
        ours.append(run_task("pdf", env, memory, **options))
    return {
        "lines": ours[0]["lines"],
        "seconds": statistics.median(r["seconds"] for r in ours),
        "baseline": statistics.median(r["seconds"] for r in plain),
    }


def bench_pages(info, env, memory, args):
    """(3) wrk against gunicorn: three pages of the largest employer and the one-query view."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    measured(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env, capture=False
    )  # the manifest the production static storage needs
    options = {"period": info["last"], "employer": info["largest"]}
    queries = run_task("queries", env, memory, **options)
    cookies = run_task("sessions", env, memory, employer=info["largest"], count=32)["cookies"]
    urls = _page_urls(info["last"])
    port = args.port
    server = _gunicorn(args, env)
    results = {}
    try:
        _wait_for(port)
        for url in urls.values():
            status = _get(port, url, cookies[0])
            if status != 200:
                raise SystemExit(f"{url} answered {status}, not 200")
            for _ in range(5):
                _get(port, url, cookies[0])  # warm every worker's caches a little
        wrk_env = {**os.environ, "BENCH_COOKIES": ",".join(cookies)}
        for name, url in urls.items():
            _wrk(port, url, wrk_env, args.clients, 3)  # every worker warm, not measured
            output = _wrk(port, url, wrk_env, args.clients, args.duration)
            results[name] = {**_parse_wrk(output), **queries[name], "url": url}
        memory["gunicorn worker"] = _worker_peak_memory(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return results


def _gunicorn(args, env):
    return subprocess.Popen(  # noqa: S603
        [
            PYTHON,
            "-m",
            "gunicorn",
            "trekkportal.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )


def bench_delivery(info, env, memory, args):
    """(6) Delivering a 2,000-line list under load: `clients` contacts each deliver their own
    prefilled list (POST "Lever trekkliste") over and over, the list set back to a draft by
    SQL between deliveries (not timed); against the one-query view, driven the same way.

    Not wrk: a delivery is a one-time change of state, so every request needs a list that is
    not delivered, which wrk cannot set up between requests."""
    import psycopg

    prepared = run_task(
        "delivery-lists", env, memory, employer=info["near_2000"], count=args.clients
    )
    lists = prepared["lists"]
    if len(lists) < args.clients:
        raise SystemExit(f"only {len(lists)} months to deliver; need {args.clients}")
    headers = {
        "Cookie": f"sessionid={prepared['cookie']}; csrftoken={prepared['csrf']}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    body = f"csrfmiddlewaretoken={prepared['csrf']}"
    reset = f'UPDATE "{prepared["table"]}" SET status = %s WHERE id = %s'  # noqa: S608

    def deliver(client, connection):
        connection.execute(reset, ["draft", lists[client]["pk"]])
        return "POST", lists[client]["url"], body, 302

    def one_query(client, connection):
        return "GET", "/bench/en-sporring/", None, 200

    measured([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env, capture=False)
    server = _gunicorn(args, env)
    try:
        _wait_for(args.port)
        results = {}
        for name, request in (("grunnlinje", one_query), ("levering", deliver)):
            _drive(args.port, request, headers, args.clients, 3, env)  # warm-up
            results[name] = _drive(args.port, request, headers, args.clients, args.duration, env)
        memory["gunicorn worker (delivery)"] = _worker_peak_memory(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        with psycopg.connect(_libpq(env["DATABASE_URL"]), autocommit=True) as connection:
            for item in lists:  # drafts again, for the next run
                connection.execute(reset, ["draft", item["pk"]])
    results["lines"] = statistics.median(item["lines"] for item in lists)
    return results


def _libpq(database_url):
    return database_url.replace("postgres://", "postgresql://", 1)


def _drive(port, request, headers, clients, duration, env):
    """`clients` threads in a closed loop for `duration` seconds, each on its own connection:
    latency of each request (median, p99) and completed requests per second."""
    import threading

    import psycopg

    latencies, errors = [], []
    deadline = time.perf_counter() + duration

    def client(number):
        web = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        with psycopg.connect(_libpq(env["DATABASE_URL"]), autocommit=True) as connection:
            while time.perf_counter() < deadline:
                method, url, body, expected = request(number, connection)
                started = time.perf_counter()
                web.request(method, url, body=body, headers=headers)
                response = web.getresponse()
                response.read()
                latencies.append(time.perf_counter() - started)
                if response.status != expected:
                    errors.append(response.status)
        web.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        "rps": len(latencies) / wall,
        "requests": len(latencies),
        "errors": len(errors),
    }


def _wrk(port, url, env, clients, duration):
    return subprocess.run(  # noqa: S603
        [  # noqa: S607
            "wrk",
            "-t2",
            f"-c{clients}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(ROOT / "bench" / "cookies.lua"),
            f"http://127.0.0.1:{port}{url}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _page_urls(period):
    return {
        "forside": "/",
        "endringer": f"/trekk/{period}/endringer/",
        "hele": f"/trekk/{period}/",
        "grunnlinje": "/bench/en-sporring/",
    }


def _wait_for(port):
    for _ in range(100):
        try:
            _get(port, "/brukerveiledning/", None)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def _get(port, url, cookie):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    connection.request("GET", url, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _parse_wrk(output):
    def latency(percent):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        return float(match[1]) * _UNITS[match[2]]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "p50_ms": latency(50),
        "p99_ms": latency(99),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "requests": int(re.search(r"(\d+) requests in", output)[1]),
        "non_2xx": int(errors[1]) if errors else 0,
        "socket_errors": socket_errors[1] if socket_errors else "",
    }


def _worker_peak_memory(master):
    """The largest VmHWM (peak resident memory) among gunicorn's workers, in MB."""
    peak = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master}$", text, re.M):
            hwm = re.search(r"^VmHWM:\s+(\d+) kB", text, re.M)
            peak = max(peak, int(hwm[1]) / 1024 if hwm else 0)
    return peak


def _next(slug):
    year, month = map(int, slug.split("-"))
    return f"{year + month // 12}-{month % 12 + 1:02d}"


def machine():
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(int(memory) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "postgresql": psql("SHOW server_version"),
        "load_before": os.getloadavg(),
    }


def ratio(value, baseline):
    return value / baseline if baseline else float("nan")


def report(result):
    """The results as the Markdown table docs/performance.md holds."""
    info, m = result["info"], result["machine"]
    out = [
        f"Scale `{result['scale']}`: {info['members']:,} members, {info['employers']:,} "
        f"employers, {info['months']} months of bases ({info['lines']:,} lines, "
        f"{info.get('database_size', '?')}); month {info['last']}: {info['month_lines']:,} on "
        f"deduction, {info['month_changes']:,} changes; largest employer {info['largest']} "
        f"({info['largest_lines']:,} lines, {info['largest_changes']:,} changes).",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}, "
        f"PostgreSQL {m['postgresql']}; load average before "
        f"{' / '.join(f'{x:.2f}' for x in m['load_before'])}, after "
        f"{' / '.join(f'{x:.2f}' for x in result['load_after'])}. {result['started']}.",
        "",
        "| figure | measured | baseline | ratio | target | met |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    if "generation" in result:
        g = result["generation"]
        r = ratio(g["seconds"], g["baseline"])
        out.append(
            f"| (1) generate and publish one month, all employers ({g['lines']:,} lines) | "
            f"{_s(g['seconds'])} | {_s(g['baseline'])} (INSERT ... SELECT, "
            f"{g['baseline_lines']:,} rows) | {r:.2f}x | ≤ {TARGETS['generation']:.0f}x | "
            f"{_yes(r <= TARGETS['generation'])} |"
        )
    if "changes" in result:
        c = result["changes"]
        r = ratio(c["seconds"], c["baseline"])
        out.append(
            f"| (2) count and list a month's changes, all employers ({c['lines']:,} lines) | "
            f"{_s(c['seconds'])} | {_s(c['baseline'])} (one SQL join) | {r:.2f}x | "
            f"≤ {TARGETS['changes']:.0f}x | {_yes(r <= TARGETS['changes'])} |"
        )
    if "pages" in result:
        pages = result["pages"]
        base = pages["grunnlinje"]
        labels = {
            "forside": "front page",
            "endringer": "«Vis kun endringer»",
            "hele": "«Vis hele trekkgrunnlaget» (page 1 of 100 lines)",
        }
        for name, label in labels.items():
            p = pages[name]
            target = TARGETS["p99_ms"] if name != "hele" else None
            met = _yes(p["p99_ms"] < target) if target else "–"
            out.append(
                f"| (3) {label}, {result['clients']} clients: p50 / p99 / req/s "
                f"({p['queries']} queries) | {p['p50_ms']:.0f} / {p['p99_ms']:.0f} ms / "
                f"{p['rps']:.0f} | {base['p50_ms']:.0f} / {base['p99_ms']:.0f} ms / "
                f"{base['rps']:.0f} (one-query view, {base['queries']} queries) | "
                f"{ratio(p['p99_ms'], base['p99_ms']):.1f}x p99, "
                f"{ratio(base['rps'], p['rps']):.1f}x req/s | "
                f"{f'p99 < {target:.0f} ms' if target else 'pages, never all rows'} | {met} |"
            )
        failed = [f"{name}: {p['non_2xx']} non-2xx" for name, p in pages.items() if p["non_2xx"]]
        failed += [
            f"{name}: {p['socket_errors']}" for name, p in pages.items() if p["socket_errors"]
        ]
        if failed:
            result["notes"].append("wrk errors: " + "; ".join(failed))
    if "pdf" in result:
        p = result["pdf"]
        out.append(
            f"| (4) PDF of a basis of {p['lines']:,} lines | {_s(p['seconds'])} | "
            f"{_s(p['baseline'])} (WeasyPrint, plain table) | "
            f"{ratio(p['seconds'], p['baseline']):.2f}x | – | – |"
        )
    if "delivery" in result:
        d = result["delivery"]
        p, base = d["levering"], d["grunnlinje"]
        out.append(
            f"| (6) deliver a list of {d['lines']:,.0f} lines (POST «Lever trekkliste»), "
            f"{result['clients']} clients: p50 / p99 / req/s | {p['p50_ms']:.0f} / "
            f"{p['p99_ms']:.0f} ms / {p['rps']:.1f} | {base['p50_ms']:.0f} / "
            f"{base['p99_ms']:.0f} ms / {base['rps']:.0f} (one-query view, same driver) | "
            f"{ratio(p['p99_ms'], base['p99_ms']):.1f}x p99, "
            f"{ratio(base['rps'], p['rps']):.1f}x req/s | – | – |"
        )
        if p["errors"] or base["errors"]:
            result["notes"].append(f"delivery: {p['errors']} unexpected answers")
    out += ["", "| (5) process | peak memory (maxrss) |", "| --- | --- |"]
    out += [f"| {name} | {mb:.0f} MB |" for name, mb in sorted(result["memory"].items())]
    if result["notes"]:
        out += ["", *[f"- {note}" for note in result["notes"]]]
    return "\n".join(out)


def _s(seconds):
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def _yes(ok):
    return "yes" if ok else "**no**"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="small")
    parser.add_argument("--database-url", help="Default: the scale's own database.")
    parser.add_argument("--fresh", action="store_true", help="Regenerate the data first.")
    parser.add_argument("--months", type=int, help="Months of history (default: the scale's).")
    parser.add_argument("--basis-months", type=int, help="Generate only the last N months.")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pdf-repeats", type=int, default=1, help="Each renders twice.")
    parser.add_argument("--duration", type=int, default=15, help="Seconds of wrk per page.")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["generation", "changes", "pages", "pdf", "delivery"],
        help="A subset.",
    )
    args = parser.parse_args()
    args.database_url = args.database_url or f"{SERVER}/{DATABASES[args.scale]}"
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = production_env(args.database_url)
    memory, notes = {}, []
    started = datetime.now(UTC)
    result = {
        "scale": args.scale,
        "machine": machine(),
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "clients": args.clients,
        "memory": memory,
        "notes": notes,
    }
    prepare_data(args, env, memory, notes)
    info = result["info"] = run_task("info", env, memory)
    if not info["last"]:
        raise SystemExit("The database has no published month: run with --fresh.")
    wanted = args.only or ["generation", "changes", "pages", "delivery", "pdf"]
    steps = {
        "generation": lambda: bench_generation(info, env, memory, args.repeats),
        "changes": lambda: bench_changes(info, env, memory, args.repeats),
        "pages": lambda: bench_pages(info, env, memory, args),
        "pdf": lambda: bench_pdf(info, env, memory, args.pdf_repeats),
        "delivery": lambda: bench_delivery(info, env, memory, args),
    }
    for name in wanted:
        print(f"… {name}", flush=True)
        result[name] = steps[name]()
    result["load_after"] = os.getloadavg()
    stamp = started.strftime("%Y%m%d-%H%M")
    text = report(result)
    (RESULTS / f"{args.scale}-{stamp}.json").write_text(json.dumps(result, indent=2))
    (RESULTS / f"{args.scale}-{stamp}.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
