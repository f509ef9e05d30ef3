"""Declarant tools benchmark (issue: declarant productivity).

1. HS search while typing over the whole HS 2022 nomenclature and the tariff: the real tariff
   plus one synthetic 8-digit line for every HS 2022 subheading it lacks (two where the
   subheading has room), ~11,000 lines in all as the full Vietnamese tariff has, each described
   by its subheading's text. The workload is what typing sends: every prefix of two or three
   words of real descriptions (Vietnamese without diacritics, English) and of codes, once
   each. Measured in process (the index, rates and the enterprise's habits:
   selectors.hs_suggestions_for) and through Django's whole stack (GET
   /declarations/hs-suggest/ as a signed-in declarant: middleware, session, the fragment's
   template). Goal: p95 < 50 ms.
2. A 50-line spreadsheet imported into a draft (POST .../lines/import/, replace) against the
   same 50 lines created by JSON (POST /api/v1/declarations/), through the test client in the
   same run, alternating, median of the rounds: the spreadsheet's overhead over typing JSON.

    .venv/bin/python bench/declarant.py [--rounds 15] [--database postgres://...]

Runs on a throwaway SQLite database by default, or on the PostgreSQL database of the URL given
(on 127.0.0.1, user postgres: created afresh, dropped first if it exists, left for a look).
Not a test: nothing here asserts a time.
"""

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def setup(database: str | None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "customs_core.settings")
    os.environ["CELERY_BROKER_URL"] = ""
    os.environ["DEBUG"] = "false"
    if database:
        sys.path.insert(0, str(ROOT / "bench"))
        from common import database_exists, psql

        name = database.rsplit("/", 1)[1]
        if database_exists(name):
            psql(f'DROP DATABASE "{name}"')
        psql(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = database
    else:
        folder = tempfile.mkdtemp(prefix="bench-declarant-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    import logging
    import warnings

    import django

    warnings.filterwarnings("ignore")
    django.setup()
    logging.disable(logging.WARNING)
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)


def full_tariff() -> int:
    """A line for every HS 2022 subheading the demo tariff lacks (its own text)."""
    from customs_core import reference_cache
    from customs_core.models import HsNomenclature, TariffLine, TariffRate

    have = set(TariffLine.objects.values_list("hs_code", flat=True))
    lines = []
    for sub in HsNomenclature.objects.filter(level=6):
        for suffix in ("10", "90"):
            code = sub.code + suffix
            if code[:6] + "00" in have or code in have:
                continue
            lines.append(TariffLine(hs_code=code, subheading=sub, unit="KGM",
                                    description_vi=sub.description[:200],
                                    description_en=sub.description[:200]))
    TariffLine.objects.bulk_create(lines, batch_size=2000)
    from datetime import date
    from decimal import Decimal

    TariffRate.objects.bulk_create(
        [TariffRate(tariff_line=line, valid_from=date(2022, 1, 1), mfn_rate=Decimal("5"),
                    vat_rate=Decimal("10"))
         for line in TariffLine.objects.filter(rates__isnull=True)], batch_size=2000)
    reference_cache.clear()
    return TariffLine.objects.count()


def workload(rng) -> list[str]:
    from customs_core import reference_cache
    from customs_core.text import fold

    lines = list(reference_cache.tables().tariff_lines.values())
    queries = []
    for line in rng.sample(lines, 60):
        for text in (fold(line.description_vi), fold(line.description_en)):
            words = text.split()[:3]
            typed = ""
            for word in words:
                for end in range(1, len(word) + 1):
                    queries.append((typed + word[:end]).strip())
                typed += word + " "
        code = line.hs_code
        queries += [code[:n] for n in range(2, 9)]
    return [q for q in queries if q]


def hs_search(user, rng) -> None:
    from django.test import Client

    from customs_core import reference_cache, tariff_search
    from declarations.selectors import hs_suggestions_for

    started = time.perf_counter()
    reference_cache.tables()
    cache_load = time.perf_counter() - started
    started = time.perf_counter()
    tariff_search.index()
    build = time.perf_counter() - started
    queries = workload(rng)
    inprocess = []
    for query in queries:
        t = time.perf_counter()
        hs_suggestions_for(user, query, limit=8)
        inprocess.append((time.perf_counter() - t) * 1000)
    client = Client()
    client.force_login(user)
    client.get("/declarations/hs-suggest/", {"q": "a"})
    http = []
    for query in queries:
        t = time.perf_counter()
        response = client.get("/declarations/hs-suggest/", {"q": query, "row": "0"})
        http.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200
    print(f"HS search: {len(queries)} typed queries; reference cache loaded in "
          f"{cache_load * 1000:.0f} ms, then the index built in {build * 1000:.0f} ms")
    for label, values in (("in process", inprocess), ("GET /declarations/hs-suggest/", http)):
        print(f"  {label:32s} p50 {percentile(values, .5):6.2f} ms   "
              f"p95 {percentile(values, .95):6.2f} ms   max {max(values):6.2f} ms   "
              f"(goal p95 < 50 ms)")


def spreadsheet_vs_json(user, rounds: int) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook
    from rest_framework.test import APIClient

    from declarations.spreadsheet import COLUMNS
    from declarations.testing import LINES, declaration_payload

    lines = [dict(LINES[n % 3], description=f"{LINES[n % 3]['description']} {n}")
             for n in range(50)]
    payload = declaration_payload(lines=lines)
    book = Workbook()
    ws = book.active
    ws.append([column.heading for column in COLUMNS])
    for line in lines:
        ws.append([line["hs_code"], line["description"], line["origin_country"],
                   float(line["quantity"]), None, float(line["unit_price"]), None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    content = buffer.getvalue()
    client = APIClient()
    client.force_authenticate(user)
    draft = client.post("/api/v1/declarations/", declaration_payload(), format="json").json()
    json_times, sheet_times = [], []
    for _ in range(rounds + 2):
        t = time.perf_counter()
        response = client.post("/api/v1/declarations/", payload, format="json")
        json_times.append(time.perf_counter() - t)
        assert response.status_code == 201, response.content
        t = time.perf_counter()
        response = client.post(
            f"/api/v1/declarations/{draft['id']}/lines/import/",
            {"file": SimpleUploadedFile("lines.xlsx", content), "replace": True},
            format="multipart")
        sheet_times.append(time.perf_counter() - t)
        assert response.status_code == 200 and response.json()["imported"] == 50, \
            response.content
    json_ms = statistics.median(json_times[2:]) * 1000
    sheet_ms = statistics.median(sheet_times[2:]) * 1000
    print(f"50 goods lines, median of {rounds} rounds, same process:")
    print(f"  created by JSON (POST /api/v1/declarations/)      {json_ms:7.1f} ms")
    print(f"  imported from XLSX (POST .../lines/import/)       {sheet_ms:7.1f} ms"
          f"   ({sheet_ms / json_ms:.2f}x the JSON time)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--database", default="")
    args = parser.parse_args()
    setup(args.database or None)
    from customs_core.testing.factories import DeclarantFactory
    from declarations.testing import publish_rates

    count = full_tariff()
    print(f"tariff: {count} lines (real tariff + every HS 2022 subheading)")
    publish_rates()
    user = DeclarantFactory()
    hs_search(user, random.Random(7))
    spreadsheet_vs_json(user, args.rounds)


if __name__ == "__main__":
    main()
